package wizard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/internal/faketeamcity"
)

// oldTask is a running task of the revision the update replaces, its
// agent container created with Docker ID runtime.
func oldTask(id, runtime string) awsclient.Task {
	return awsclient.Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/teamcity-cluster/" + id, TaskDefinition: oldTD,
		LastStatus: "RUNNING", Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", RuntimeID: runtime}}}
}

// newTask is a running task of the new revision.
func newTask(id, runtime string) awsclient.Task {
	t := oldTask(id, runtime)
	t.TaskDefinition = newTD
	return t
}

// tcStack is the fake stack whose agents' service runs three tasks: two
// whose agents TeamCity shows (env.HOSTNAME is the container's short
// Docker ID: bridge mode), one with no agent.
type tcStack struct {
	f      *fakeCFN
	tc     *faketeamcity.Server
	agent1 int
	agent2 int
}

func newTCStack(t *testing.T) *tcStack {
	f := rolloutFake(t, succeeding()...)
	f.ECS.Before = &before
	f.ECS.RunningBefore = []awsclient.Task{
		oldTask("1111aaaa", "a1b2c3d4e5f6a1b2c3d4e5f6"),
		oldTask("2222bbbb", "0f0e0d0c0b0a0f0e0d0c0b0a"),
		oldTask("3333cccc", "999999999999888888888888"),
	}
	f.ECS.TaskDefinitions[oldTD] = &awsclient.TaskDefinition{ARN: oldTD, Family: "teamcity-agent", Revision: 7,
		Containers: []awsclient.ContainerDefinition{{Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2024.12"}}}
	tc := faketeamcity.New(t)
	s := &tcStack{f: f, tc: tc}
	s.agent1 = tc.AddAgent(faketeamcity.Agent{Name: "agent-a1b2", Connected: true, Enabled: true, Authorized: true,
		Params: map[string]string{"env.HOSTNAME": "a1b2c3d4e5f6"}})
	s.agent2 = tc.AddAgent(faketeamcity.Agent{Name: "agent-0f0e", Connected: true, Enabled: true, Authorized: true,
		Params: map[string]string{"env.HOSTNAME": "0f0e0d0c0b0a"}})
	// An agent of another service: never matched, never touched.
	tc.AddAgent(faketeamcity.Agent{Name: "windows-builder", Connected: true, Enabled: true, Authorized: true,
		Params: map[string]string{"env.HOSTNAME": "WIN-BUILD01"}})
	return s
}

// tcURL is the TeamCity URL the snapshots show; tcClient sends its
// requests to the fake.
const tcURL = "https://teamcity.example.com"

func tcClient(fake *faketeamcity.Server) *http.Client {
	target, _ := url.Parse(fake.URL)
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host = target.Scheme, target.Host
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// config is the wizard on the stack, privileged mode (as the fake's
// new revision is registered), TeamCity given by
// --teamcity-url and TEAMCITY_TOKEN.
func (s *tcStack) config(c *clock) Config {
	cfg := stackConfig(s.f, c)
	cfg.Stack, cfg.Mode, cfg.RecipeGiven = "teamcity", dind.ModePrivileged, true
	cfg.TeamCityURL, cfg.TeamCityToken, cfg.TeamCityTokenFrom = tcURL, s.tc.Token, "TEAMCITY_TOKEN"
	cfg.tcHTTP, cfg.noTeamCity = tcClient(s.tc), false
	return cfg
}

func TestScreenReviewTeamCity(t *testing.T) {
	s := newTCStack(t)
	r := startStack(t, s.config(nil))
	r.waitFor("Not matched, so never disabled")
	m := r.snapshot()
	text := strings.Join(strings.Fields(m.View()), " ")
	for _, want := range []string{
		"TeamCity " + faketeamcity.Version + " at " + tcURL + ": 2 agents run in the 3 tasks the update replaces:",
		"agent-a1b2 in task 1111aaaa, enabled",
		"agent-0f0e in task 2222bbbb, enabled",
		"task 3333cccc: no TeamCity agent reports its hostname 999999999999",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the review lacks %q:\n%s", want, m.View())
		}
	}
	if strings.Contains(text, "windows-builder") {
		t.Error("an agent of no task being replaced is listed")
	}
	if p := s.tc.Puts(); len(p) != 0 {
		t.Errorf("the review changed agents: %+v", p)
	}
	for _, r := range s.tc.Requests() {
		if r.Authorization != "Bearer "+s.tc.Token || strings.Contains(r.Query, s.tc.Token) {
			t.Errorf("request %s %s?%s: token not as a bearer header only", r.Method, r.Path, r.Query)
		}
	}
}

// A refused token is said in the review in one line, naming what to do;
// the change set can still be made.
func TestScreenReviewTeamCityRefused(t *testing.T) {
	s := newTCStack(t)
	cfg := s.config(nil)
	cfg.TeamCityToken = "expired"
	r := startStack(t, cfg)
	r.waitFor("refused the access token")
	r.snapshot()
}
