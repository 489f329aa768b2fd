package teamcity

import (
	"context"
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
		return Server{}, err
	}
	return Server{Version: got.Version, BuildNumber: got.BuildNumber}, nil
}
