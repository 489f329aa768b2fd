package faketeamcity

import (
	"sort"
	"strconv"
	"time"
)

// dateLayout is TeamCity's date format, e.g. 20160406T175040+0300 (the
// timestamps in https://www.jetbrains.com/help/teamcity/rest/manage-agents.html).
const dateLayout = "20060102T150405-0700"

// DateLayout is TeamCity's date format, for tests building a
// statusSwitchTime or reading a startDate.
const DateLayout = dateLayout

// agentJSON is the full Agent entity
// (https://www.jetbrains.com/help/teamcity/rest/agent.html), with the
// running build in "build" when there is one and withBuild: only when the
// answer shows the build, so that it counts as shown for FinishAfterPolls.
// Called with s.mu held.
func (s *Server) agentJSON(a *Agent, withBuild bool) map[string]any {
	props := make([]any, 0, len(a.Params))
	names := make([]string, 0, len(a.Params))
	for k := range a.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		props = append(props, map[string]any{"name": k, "value": a.Params[k]})
	}
	enabled := map[string]any{"status": a.Enabled}
	if a.EnabledComment != "" || !a.EnabledCommentSet.IsZero() {
		enabled["comment"] = map[string]any{
			"text":      a.EnabledComment,
			"timestamp": a.EnabledCommentSet.Format(dateLayout),
			"user":      map[string]any{"username": "tcdind", "id": 1},
		}
	}
	if a.StatusSwitchTime != "" {
		enabled["statusSwitchTime"] = a.StatusSwitchTime
	}
	m := s.agentShort(a)
	for k, v := range map[string]any{
		"connected":      a.Connected,
		"enabled":        a.Enabled,
		"authorized":     a.Authorized,
		"uptodate":       true,
		"ip":             a.IP,
		"pool":           map[string]any{"id": a.PoolID, "name": a.PoolName, "href": "/app/rest/agentPools/id:" + itoa(a.PoolID)},
		"enabledInfo":    enabled,
		"authorizedInfo": map[string]any{"status": a.Authorized},
		"properties":     map[string]any{"count": len(props), "property": props},
	} {
		m[k] = v
	}
	if withBuild {
		if b := s.runningOn(a.ID); b != nil {
			m["build"] = s.buildJSON(b)
			b.shownRunning++
		}
	}
	return m
}

func (s *Server) agentShort(a *Agent) map[string]any {
	return map[string]any{
		"id":     a.ID,
		"name":   a.Name,
		"typeId": a.TypeID,
		"href":   "/app/rest/agents/id:" + itoa(a.ID),
		"webUrl": s.URL + "/agentDetails.html?id=" + itoa(a.ID),
	}
}

// buildJSON is the Build entity
// (https://www.jetbrains.com/help/teamcity/rest/build.html): a running
// build has state "running", percentageComplete and running-info with its
// elapsed seconds. Rendering a running build counts as showing it, for
// FinishAfterPolls. Called with s.mu held.
func (s *Server) buildJSON(b *Build) map[string]any {
	m := s.buildShort(b)
	m["buildType"] = map[string]any{"id": b.BuildTypeID, "name": b.Name, "projectName": b.ProjectName}
	m["startDate"] = b.StartDate.Format(dateLayout)
	if a := s.agentByID(b.AgentID); a != nil {
		m["agent"] = s.agentShort(a)
	} else {
		m["agent"] = map[string]any{"id": b.AgentID}
	}
	if b.Finished {
		m["finishDate"] = b.FinishDate.Format(dateLayout)
	} else {
		m["running-info"] = map[string]any{
			"percentageComplete": 50,
			"elapsedSeconds":     int(s.now().Sub(b.StartDate) / time.Second),
		}
	}
	return m
}

func (s *Server) buildShort(b *Build) map[string]any {
	m := map[string]any{
		"id":          b.ID,
		"buildTypeId": b.BuildTypeID,
		"number":      b.Number,
		"status":      "SUCCESS",
		"state":       "finished",
		"href":        "/app/rest/builds/id:" + itoa(b.ID),
		"webUrl":      s.URL + "/viewLog.html?buildId=" + itoa(b.ID),
	}
	if !b.Finished {
		m["state"] = "running"
		m["percentageComplete"] = 50
	}
	return m
}

// runningOn is the build running on the agent, if any. A build that has
// been shown running FinishAfterPolls times finishes here, before it would
// be shown again.
func (s *Server) runningOn(agentID int) *Build {
	for _, b := range s.builds {
		s.finishIfShown(b)
		if !b.Finished && b.AgentID == agentID {
			return b
		}
	}
	return nil
}

func (s *Server) finishIfShown(b *Build) {
	if !b.Finished && b.FinishAfterPolls > 0 && b.shownRunning >= b.FinishAfterPolls {
		b.Finished, b.FinishDate = true, s.now()
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
