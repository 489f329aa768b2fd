package teamcity

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Agent is a TeamCity build agent as tcdind needs it
// (https://www.jetbrains.com/help/teamcity/rest/agent.html).
type Agent struct {
	ID         int
	Name       string
	Connected  bool
	Enabled    bool
	Authorized bool
	// IP is the address TeamCity knows the agent by.
	IP          string
	PoolID      int
	PoolName    string
	EnabledInfo EnabledInfo
	// Parameters are what the agent reports: configuration parameters,
	// system properties (system.*) and environment variables (env.*).
	Parameters map[string]string
}

// EnabledInfo is an agent's enabled state, the comment on its last
// change and when TeamCity switches it back by itself
// (https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html).
type EnabledInfo struct {
	Status  bool
	Comment string
	// SwitchTime is statusSwitchTime, zero when the state lasts until
	// changed by hand.
	SwitchTime string
}

// Parameters TeamCity's agents report that tcdind reads.
const (
	// ParamHostname is the agent's HOSTNAME environment variable, which
	// Docker sets to the container's hostname.
	ParamHostname = "env.HOSTNAME"
	// ParamDockerServerVersion and ParamDockerOSType are set by TeamCity's
	// Docker integration when docker answers on the agent ("Based on the
	// docker.server.version and docker.version variables received from
	// the agents, TeamCity distributes builds that use Docker only between
	// agents with the installed Docker engine":
	// https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html).
	ParamDockerServerVersion = "docker.server.version"
	ParamDockerOSType        = "docker.server.osType"
	ParamDockerVersion       = "docker.version"
)

// agentFields are the fields asked for: the state, the pool, the enabled
// info and the reported parameters (properties).
const agentFields = "id,name,connected,enabled,authorized,ip,pool(id,name),enabledInfo(status,statusSwitchTime,comment(text)),properties(property(name,value))"

type agentJSON struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	Connected  bool   `json:"connected"`
	Enabled    bool   `json:"enabled"`
	Authorized bool   `json:"authorized"`
	IP         string `json:"ip"`
	Pool       *struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"pool"`
	EnabledInfo *enabledJSON `json:"enabledInfo"`
	Properties  *struct {
		Property []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"property"`
	} `json:"properties"`
}

type enabledJSON struct {
	Status           bool   `json:"status"`
	StatusSwitchTime string `json:"statusSwitchTime,omitempty"`
	Comment          *struct {
		Text string `json:"text"`
	} `json:"comment,omitempty"`
}

func (e *enabledJSON) info() EnabledInfo {
	if e == nil {
		return EnabledInfo{}
	}
	out := EnabledInfo{Status: e.Status, SwitchTime: e.StatusSwitchTime}
	if e.Comment != nil {
		out.Comment = e.Comment.Text
	}
	return out
}

func (a agentJSON) agent() Agent {
	out := Agent{ID: a.ID, Name: a.Name, Connected: a.Connected, Enabled: a.Enabled, Authorized: a.Authorized, IP: a.IP, Parameters: map[string]string{}}
	if a.Pool != nil {
		out.PoolID, out.PoolName = a.Pool.ID, a.Pool.Name
	}
	if a.EnabledInfo != nil {
		out.EnabledInfo = a.EnabledInfo.info()
	} else {
		out.EnabledInfo = EnabledInfo{Status: a.Enabled}
	}
	if a.Properties != nil {
		for _, p := range a.Properties.Property {
			out.Parameters[p.Name] = p.Value
		}
	}
	return out
}

type agentsJSON struct {
	Agent    []agentJSON `json:"agent"`
	NextHref string      `json:"nextHref"`
}

// maxAgentPages bounds following nextHref (100 agents a page by default).
const maxAgentPages = 100

// Agents lists every agent the server knows, authorized or not, connected
// or not (locator authorized:any; "Only authorized agents are included by
// default": https://www.jetbrains.com/help/teamcity/rest/manage-agents.html),
// following the pages' nextHref.
func (c *Client) Agents(ctx context.Context) ([]Agent, error) {
	var out []Agent
	q := url.Values{"locator": {"authorized:any"}, "fields": {"nextHref,agent(" + agentFields + ")"}}
	cl := call{method: "GET", path: "/app/rest/agents", query: q, what: "read the agents", permission: PermViewAgents}
	for page := 0; page < maxAgentPages; page++ {
		var got agentsJSON
		if err := c.do(ctx, cl, &got); err != nil {
			return nil, err
		}
		for _, a := range got.Agent {
			out = append(out, a.agent())
		}
		if got.NextHref == "" {
			return out, nil
		}
		next, err := c.relative(got.NextHref)
		if err != nil {
			return nil, err
		}
		cl.path, cl.query = next.path, next.query
		if cl.query.Get("fields") == "" {
			cl.query.Set("fields", "nextHref,agent("+agentFields+")")
		}
	}
	return out, nil
}

// Agent reads one agent by ID.
func (c *Client) Agent(ctx context.Context, id int) (Agent, error) {
	var got agentJSON
	q := url.Values{"fields": {agentFields}}
	err := c.do(ctx, call{method: "GET", path: "/app/rest/agents/id:" + strconv.Itoa(id), query: q, what: "read the agents", permission: PermViewAgents}, &got)
	if err != nil {
		return Agent{}, err
	}
	return got.agent(), nil
}

// relative turns a nextHref ("/app/rest/agents?locator=…", possibly
// behind the server's context path) into a call path and query.
func (c *Client) relative(href string) (call, error) {
	u, err := url.Parse(href)
	if err != nil {
		return call{}, fmt.Errorf("TeamCity gave a next page link %q that does not parse: %w", href, err)
	}
	p := u.Path
	if i := strings.Index(p, "/app/rest/"); i >= 0 {
		p = p[i:]
	}
	return call{path: p, query: u.Query()}, nil
}
