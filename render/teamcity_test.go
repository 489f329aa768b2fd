package render

import (
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/teamcity"
)

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 12*time.Minute + 5*time.Second: "12m", 65 * time.Minute: "1h05m", 30 * time.Minute: "30m",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}

func docker(v string) map[string]string {
	return map[string]string{teamcity.ParamDockerServerVersion: v, teamcity.ParamDockerOSType: "linux"}
}

// The last line, word for word.
func TestTeamCitySees(t *testing.T) {
	r := newagents.Report{Agents: []newagents.Seen{
		{Found: true, Agent: teamcity.Agent{Name: "a", Connected: true, Authorized: true, Parameters: docker("27.3.1")}},
		{Found: true, Agent: teamcity.Agent{Name: "b", Connected: true, Authorized: true, Parameters: docker("27.3.1")}},
	}}
	if got := TeamCitySees(r); got != "TeamCity sees Docker on 2 of 2 new agents (docker 27.3.1)" {
		t.Errorf("%q", got)
	}
}

func TestDrainWordsAgreeInNumber(t *testing.T) {
	one := DrainPlan(1, 30*time.Minute, DrainRule(false))
	if !strings.Contains(one, "disables the 1 matched agent, waits up to 30m for the builds running on it, and enables it again") || !strings.Contains(one, "exits 1") {
		t.Errorf("%q", one)
	}
	two := DrainDisabledLines([]teamcity.Agent{{Name: "a"}, {Name: "b"}}, []teamcity.Agent{{Name: "c"}}, time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC))
	if len(two) != 2 || !strings.Contains(two[0], "agents a, b so that they take no new build") || !strings.Contains(two[0], "2026-12-06 09:30 UTC") ||
		two[1] != "TeamCity agent c was disabled already: left as it is" {
		t.Errorf("%q", two)
	}
	started := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	st := drain.Status{Elapsed: 3 * time.Minute, Builds: []drain.Running{{Build: teamcity.Build{Number: "118", BuildType: "Build", Project: "App", Started: started}, Agent: "a"}}}
	if got := DrainProgressLine(st, 30*time.Minute, started.Add(12*time.Minute)); got != "draining: 1 build running: App / Build #118 on a (running 12m); waited 3m of 30m" {
		t.Errorf("%q", got)
	}
}

func TestUnmatchedSaysItIsNotDrained(t *testing.T) {
	u := agentmatch.Unmatched{Task: agentmatch.Task{ARN: "arn:aws:ecs:eu-west-1:1:task/c/abc", Service: "agents"}, Why: "no TeamCity agent reports its hostname x"}
	if got := TeamCityUnmatchedLine(u, true); got != "tcdind: warning: task abc of service agents: no TeamCity agent reports its hostname x; its agent is not drained (builds on it are cut off by the update)" {
		t.Errorf("%q", got)
	}
}

// Words agree in number: one task, one agent; one agent drained, it.
func TestTeamCityLinesAgreeInNumber(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{TeamCityServer("https://tc", "2025.11", 1), "TeamCity 2025.11 at https://tc: the agent of the 1 agent task this update replaces:"},
		{TeamCityServer("https://tc", "2025.11", 2), "TeamCity 2025.11 at https://tc: the agents of the 2 agent tasks this update replaces:"},
		{DrainRearmedLine(1, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)), "the drained agent stays disabled while the update replaces its task: tcdind enables it when it ends, TeamCity at 2026-12-06 12:00 UTC at the latest"},
		{DrainRearmedLine(2, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)), "the drained agents stay disabled while the update replaces their tasks: tcdind enables them when it ends, TeamCity at 2026-12-06 12:00 UTC at the latest"},
	} {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
}
