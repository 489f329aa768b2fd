package wizard

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/internal/fakeaws"
	"github.com/tcdind/tcdind/source"
)

// tcServerURL is what the fake stack's TeamCityServerUrl output says, as
// JetBrains' template writes it (scheme, DNS name, "/").
const tcServerURL = "https://tc-alb-1234.eu-west-1.elb.amazonaws.com/"

// withServerOutput gives the fake stack "teamcity" JetBrains' output.
func withServerOutput(f *fakeCFN) *fakeCFN {
	f.Described = map[string]*awsclient.Stack{"teamcity": {
		ID: "arn:stack/teamcity", Name: "teamcity", Status: "UPDATE_COMPLETE",
		Outputs: map[string]string{serverURLOutput: tcServerURL},
	}}
	return f
}

// toTeamCity opens the wizard on stack teamcity, socket mode, at the
// TeamCity question.
func toTeamCity(t *testing.T, cfg Config, f *fakeCFN) *run {
	t.Helper()
	cfg.Stack, cfg.Mode, cfg.RecipeGiven = "teamcity", dind.ModeSocket, true
	cfg.noTeamCity = false
	r := startStack(t, cfg)
	r.waitFor("Ask TeamCity about the agents?")
	return r
}

func TestScreenTeamCity(t *testing.T) {
	f := withServerOutput(newFake(t))
	r := toTeamCity(t, stackConfig(f, nil), f)
	m := r.snapshot()
	if s := strings.Join(strings.Fields(m.View()), " "); !strings.Contains(s, "Use the server the stack shows") || !strings.Contains(s, tcServerURL+" (output TeamCityServerUrl)") {
		t.Errorf("the question should offer the URL the stack shows, and say where it was read:\n%s", s)
	}
}

func TestScreenTeamCityToken(t *testing.T) {
	f := withServerOutput(newFake(t))
	r := toTeamCity(t, stackConfig(f, nil), f)
	r.key(tea.KeyEnter) // use it
	r.waitFor("Access token for " + tcServerURL)
	r.typeText("s3cret-t0ken")
	if s := r.screen(); strings.Contains(s, "s3cret-t0ken") {
		t.Fatalf("the token is shown:\n%s", s)
	}
	r.snapshot()
}

// An empty token is refused with what to do; esc goes back to the choice.
func TestTeamCityTokenEmptyAndBack(t *testing.T) {
	f := withServerOutput(newFake(t))
	r := toTeamCity(t, stackConfig(f, nil), f)
	r.key(tea.KeyEnter)
	r.waitFor("Access token for")
	r.key(tea.KeyEnter)
	r.waitFor("give the token, or press esc and skip TeamCity")
	r.key(tea.KeyEsc)
	r.waitFor("Ask TeamCity about the agents?")
}

// Skip goes straight to the review; TeamCity is not asked.
func TestTeamCitySkip(t *testing.T) {
	f := withServerOutput(newFake(t))
	r := toTeamCity(t, stackConfig(f, nil), f)
	r.keys(tea.KeyDown, tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	m := r.final()
	if m.a.tc.use() {
		t.Errorf("skipped, TeamCity is still to be asked: %+v", m.a.tc)
	}
}

// Another URL is asked and checked; a token from TEAMCITY_TOKEN is not
// asked.
func TestTeamCityOtherURL(t *testing.T) {
	f := withServerOutput(newFake(t))
	cfg := stackConfig(f, nil)
	cfg.TeamCityToken, cfg.TeamCityTokenFrom = "tok", "TEAMCITY_TOKEN"
	r := toTeamCity(t, cfg, f)
	if s := r.screen(); !strings.Contains(s, "The access token is TEAMCITY_TOKEN's.") {
		t.Errorf("the intro should say where the token comes from:\n%s", s)
	}
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity server URL")
	r.typeText("teamcity.internal")
	r.key(tea.KeyEnter)
	r.waitFor("give the server's http:// or https:// URL")
	for range len("teamcity.internal") {
		r.key(tea.KeyBackspace)
	}
	r.typeText("https://teamcity.internal:8443")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	m := r.final()
	if m.a.tc.url != "https://teamcity.internal:8443" || !m.a.tc.use() {
		t.Errorf("answers %+v", m.a.tc)
	}
}

// Without a URL from the stack or a flag, nothing is asked.
func TestTeamCityNotAskedWithoutURL(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = []byte(strings.Replace(string(fixture(t, "one.yaml")), "- Name: SERVER_URL", "- Name: OTHER", 1))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.RecipeGiven = "teamcity", dind.ModeSocket, true
	cfg.noTeamCity = false
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
}

// --teamcity-url and a token answer the questions.
func TestTeamCityGivenByFlags(t *testing.T) {
	f := newFake(t)
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.RecipeGiven = "teamcity", dind.ModeSocket, true
	cfg.TeamCityURL, cfg.TeamCityToken, cfg.TeamCityTokenFrom = "https://tc.example.com", "tok", "/run/secrets/tc"
	cfg.noTeamCity = false
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	m := r.final()
	if !m.a.tc.use() || m.a.tc.url != "https://tc.example.com" || m.a.tc.tokenFrom != "/run/secrets/tc" {
		t.Errorf("answers %+v", m.a.tc)
	}
}

func TestDiscoverServerURL(t *testing.T) {
	tmpl, err := parse(&source.Template{Bytes: fixture(t, "one.yaml"), Name: "one.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	agentTD := tmpl.Agents()[0]
	registered := func(env map[string]string) *fakeCFN {
		f := newFake(t)
		f.ECS = &fakeaws.ECS{
			Resources: [][]awsclient.StackResource{{{LogicalID: agentTD.LogicalID, PhysicalID: "arn:td/agent:7", Type: "AWS::ECS::TaskDefinition"}}},
			TaskDefinitions: map[string]*awsclient.TaskDefinition{"arn:td/agent:7": {ARN: "arn:td/agent:7",
				Containers: []awsclient.ContainerDefinition{{Name: agentTD.Containers[0].Name, Environment: env}}}},
		}
		return f
	}
	st := &awsclient.Stack{Name: "teamcity"}
	for _, c := range []struct {
		name    string
		outputs map[string]string
		env     map[string]string
		want    string
	}{
		{"the output first", map[string]string{serverURLOutput: tcServerURL}, map[string]string{"SERVER_URL": "tc-alb"}, tcServerURL},
		// JetBrains' template: SERVER_URL is !GetAtt [PublicLoadBalancer,
		// DNSName], registered resolved and without a scheme.
		{"SERVER_URL without scheme is http", nil, map[string]string{"SERVER_URL": "tc-alb-1234.eu-west-1.elb.amazonaws.com"}, "http://tc-alb-1234.eu-west-1.elb.amazonaws.com"},
		{"SERVER_URL with scheme", map[string]string{serverURLOutput: "not provided"}, map[string]string{"SERVER_URL": "https://tc.example.com"}, "https://tc.example.com"},
		{"nothing", nil, map[string]string{"OTHER": "x"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			st.Outputs = c.outputs
			got := discoverServerURL(context.Background(), registered(c.env), st, []byte("{}"), tmpl)
			if got.url != c.want {
				t.Errorf("url %q (from %q), want %q", got.url, got.from, c.want)
			}
		})
	}
}

// A plain SERVER_URL in the deployed template is read there, without a
// call; JetBrains' !GetAtt is not (ECS has it resolved).
func TestLiteralServerURL(t *testing.T) {
	body := fixture(t, "one.yaml")
	tmpl, err := parse(&source.Template{Bytes: body, Name: "one.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	got := discoverServerURL(context.Background(), f, &awsclient.Stack{Name: "teamcity"}, body, tmpl)
	if got.url != "http://teamcity.internal:8111" || got.from != "SERVER_URL of AgentTaskDefinition" {
		t.Errorf("got %+v", got)
	}
	if n := f.CallsOf("ListStackResources") + f.CallsOf("DescribeTaskDefinition"); n != 0 {
		t.Errorf("%d calls for a URL the template says", n)
	}
	getAtt := []byte(strings.Replace(string(body), "Value: http://teamcity.internal:8111", "Value: !GetAtt [PublicLoadBalancer, DNSName]", 1))
	tmpl, err = parse(&source.Template{Bytes: getAtt, Name: "one.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := literalServerURL(getAtt, tmpl); ok {
		t.Errorf("a !GetAtt read as the URL: %+v", d)
	}
}
