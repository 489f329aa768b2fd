package teamcity

import (
	"context"
	"fmt"
	"net/url"
)

// Server is the server's version, for the review.
type Server struct {
	Version     string // "2025.07 (build 197242)"
	BuildNumber string
}

// Server reads the server's version (GET /app/rest/server,
// https://www.jetbrains.com/help/teamcity/rest/teamcity-rest-api-documentation.html):
// the first call, which also proves the URL and the token.
func (c *Client) Server(ctx context.Context) (Server, error) {
	var got struct {
		Version     string `json:"version"`
		BuildNumber string `json:"buildNumber"`
	}
	q := url.Values{"fields": {"version,buildNumber"}}
	if err := c.do(ctx, call{method: "GET", path: "/app/rest/server", query: q, what: "read the server's version", permission: PermViewAgents}, &got); err != nil {
		if NotFound(err) {
			// The REST API lives under the server's context path
			// (https://www.jetbrains.com/help/teamcity/rest/quick-start.html:
			// "open /app/rest/server in your browser").
			return Server{}, fmt.Errorf("%w: is %s the TeamCity server's URL, with its context path if it has one (such as https://ci.example.com/teamcity)?", err, c.URL())
		}
		return Server{}, err
	}
	if got.Version == "" {
		return Server{}, fmt.Errorf("TeamCity at %s: GET /app/rest/server answered JSON without a server version: is %s the TeamCity server's URL?", c.URL(), c.URL())
	}
	return Server{Version: got.Version, BuildNumber: got.BuildNumber}, nil
}
