package newagents

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/internal/faketeamcity"
	"github.com/tcdind/tcdind/teamcity"
)

// New agents on the fake TeamCity: an agent appears some polls after its
// task runs (it registers once started), and reports Docker through the
// parameters TeamCity's Docker integration sets
// (https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html).

const (
	id1 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	id2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

func tasks(ids ...string) func(context.Context) ([]agentmatch.Task, error) {
	return func(context.Context) ([]agentmatch.Task, error) {
		var out []agentmatch.Task
		for i, id := range ids {
			out = append(out, agentmatch.Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/tc/new" + string(rune('1'+i)), Container: "teamcity-agent", RuntimeID: id})
		}
		return out, nil
	}
}

func check(t *testing.T, tc *faketeamcity.Server) *Check {
	t.Helper()
	c, err := teamcity.New(tc.URL, tc.Token)
	if err != nil {
		t.Fatal(err)
	}
	return &Check{Client: c, Bound: 2 * time.Second, Poll: 5 * time.Millisecond}
}

func withHost(id string, params map[string]string) map[string]string {
	m := map[string]string{teamcity.ParamHostname: id[:12]}
	for k, v := range params {
		m[k] = v
	}
	return m
}

func TestDockerOnTwoOfTwo(t *testing.T) {
	tc := faketeamcity.New(t)
	tc.AddAgent(faketeamcity.Agent{Name: id1[:12], Connected: true, Enabled: true, Authorized: true, AppearAfterPolls: 2, Params: withHost(id1, faketeamcity.DockerParams("27.3.1"))})
	tc.AddAgent(faketeamcity.Agent{Name: id2[:12], Connected: true, Enabled: true, Authorized: true, AppearAfterPolls: 3, Params: withHost(id2, faketeamcity.DockerParams("27.3.1"))})
	tc.AddAgent(faketeamcity.Agent{Name: "old-agent", Connected: false, Enabled: true, Authorized: true, Params: withHost("99aa88bb77cc66dd", nil)})
	c := check(t, tc)
	c.Tasks = tasks(id1, id2)
	looks := 0
	r, err := c.Run(context.Background(), func(Report) { looks++ })
	if err != nil || r.TimedOut {
		t.Fatalf("%+v %v", r, err)
	}
	if ready, total := r.Ready(); ready != 2 || total != 2 || looks < 3 {
		t.Errorf("ready %d of %d after %d looks", ready, total, looks)
	}
	if v := r.Versions(); len(v) != 1 || v[0] != "27.3.1" || r.Agents[0].OSType() != "linux" {
		t.Errorf("versions %v", v)
	}
	if err := r.Err(tc.URL, c.Bound); err != nil {
		t.Error(err)
	}
}

// A new agent connected without Docker: after the bound, the error names
// it and what to check.
func TestConnectedWithoutDocker(t *testing.T) {
	tc := faketeamcity.New(t)
	tc.AddAgent(faketeamcity.Agent{Name: "agent-one", Connected: true, Enabled: true, Authorized: true, Params: withHost(id1, faketeamcity.DockerParams("27.3.1"))})
	tc.AddAgent(faketeamcity.Agent{Name: "agent-two", Connected: true, Enabled: true, Authorized: true, Params: withHost(id2, nil)})
	c := check(t, tc)
	c.Bound = 30 * time.Millisecond
	c.Tasks = tasks(id1, id2)
	r, err := c.Run(context.Background(), nil)
	if err != nil || !r.TimedOut {
		t.Fatalf("%+v %v", r, err)
	}
	if ready, total := r.Ready(); ready != 1 || total != 2 {
		t.Errorf("ready %d of %d", ready, total)
	}
	e := r.Err(tc.URL, c.Bound)
	if e == nil || !strings.Contains(e.Error(), "agent agent-two of new task new2 is connected but TeamCity sees no Docker on it") || strings.Contains(e.Error(), "agent-one") {
		t.Errorf("err = %v", e)
	}
}

// Docker appears on a connected agent a little later: waited for.
func TestDockerReportedLater(t *testing.T) {
	tc := faketeamcity.New(t)
	id := tc.AddAgent(faketeamcity.Agent{Name: "agent-one", Connected: true, Enabled: true, Authorized: true, Params: withHost(id1, nil)})
	tc.OnAgentsPoll(func(n int) {
		if n == 3 {
			tc.SetAgent(id, func(a *faketeamcity.Agent) {
				for k, v := range faketeamcity.DockerParams("26.1.4") {
					a.Params[k] = v
				}
			})
		}
	})
	c := check(t, tc)
	c.Tasks = tasks(id1)
	r, err := c.Run(context.Background(), nil)
	if err != nil || r.TimedOut || r.Err(tc.URL, c.Bound) != nil {
		t.Fatalf("%+v %v", r, err)
	}
}

// Never connects, or connects unauthorized: each is said with what to do.
func TestNeverConnectsAndUnauthorized(t *testing.T) {
	tc := faketeamcity.New(t)
	tc.AddAgent(faketeamcity.Agent{Name: "waiting", Connected: true, Enabled: true, Authorized: false, Params: withHost(id2, faketeamcity.DockerParams("27.3.1"))})
	c := check(t, tc)
	c.Bound = 20 * time.Millisecond
	c.Tasks = tasks(id1, id2)
	r, err := c.Run(context.Background(), nil)
	if err != nil || !r.TimedOut {
		t.Fatalf("%+v %v", r, err)
	}
	e := r.Err(tc.URL, c.Bound).Error()
	for _, want := range []string{"no TeamCity agent connected from new task new1", "agent waiting of new task new2 is connected but not authorized", "Agents | Unauthorized", "/app/rest/agents/id:1/authorizedInfo"} {
		if !strings.Contains(e, want) {
			t.Errorf("%q lacks %q", e, want)
		}
	}
}
