package teamcity

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// Build is a running build as the drain shows it.
type Build struct {
	ID        int
	Number    string
	BuildType string // the build configuration's name
	Project   string
	Started   time.Time
	WebURL    string
	AgentID   int
}

type buildsJSON struct {
	Build []struct {
		ID        int    `json:"id"`
		Number    string `json:"number"`
		StartDate string `json:"startDate"`
		WebURL    string `json:"webUrl"`
		BuildType *struct {
			Name        string `json:"name"`
			ProjectName string `json:"projectName"`
		} `json:"buildType"`
	} `json:"build"`
}

// RunningBuilds lists the builds running on an agent: the build locator's
// agent and running dimensions, with defaultFilter:false so that personal
// and other builds the default filter hides are counted too
// (https://www.jetbrains.com/help/teamcity/rest/buildlocator.html,
// https://www.jetbrains.com/help/teamcity/rest/get-build-statistics.html).
func (c *Client) RunningBuilds(ctx context.Context, agentID int) ([]Build, error) {
	q := url.Values{
		"locator": {"agent:(id:" + strconv.Itoa(agentID) + "),running:true,defaultFilter:false"},
		"fields":  {"build(id,number,startDate,webUrl,buildType(name,projectName))"},
	}
	var got buildsJSON
	if err := c.do(ctx, call{method: "GET", path: "/app/rest/builds", query: q, what: "read the builds running on the agents", permission: PermViewBuilds}, &got); err != nil {
		return nil, err
	}
	out := make([]Build, 0, len(got.Build))
	for _, b := range got.Build {
		build := Build{ID: b.ID, Number: b.Number, Started: ParseTime(b.StartDate), WebURL: b.WebURL, AgentID: agentID}
		if b.BuildType != nil {
			build.BuildType, build.Project = b.BuildType.Name, b.BuildType.ProjectName
		}
		out = append(out, build)
	}
	return out, nil
}
