package wizard

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/faketeamcity"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/teamcity"
)

// drainConfig is the TeamCity stack ready to update: events that end in
// UPDATE_COMPLETE, fast polls, the fake TeamCity on the wizard's clock.
func (s *tcStack) drainConfig(c *clock) Config {
	s.f.Events = pages(updated()...)
	s.tc.SetClock(c.now)
	cfg := s.config(c)
	cfg.drainPoll, cfg.tcPoll = time.Millisecond, time.Millisecond
	return cfg
}

// newAgentsOnExecute starts the new revision's tasks when the change set
// is executed; their agents register in TeamCity, with the given Docker
// versions ("" reports none).
func (s *tcStack) newAgentsOnExecute(c *clock, dockers ...string) {
	runtimes := []string{"b1b2b3b4b5b6b1b2b3b4b5b6", "c1c2c3c4c5c6c1c2c3c4c5c6", "d1d2d3d4d5d6d1d2d3d4d5d6"}
	for i := range dockers {
		s.f.ECS.Running = append(s.f.ECS.Running, newTask("new"+string(rune('a'+i))+"0000", runtimes[i]))
	}
	s.f.OnExecute = func() {
		c.set(t0.Add(95 * time.Second))
		for i, v := range dockers {
			params := map[string]string{"env.HOSTNAME": runtimes[i][:12]}
			if v != "" {
				params = faketeamcity.DockerParams(v)
				params["env.HOSTNAME"] = runtimes[i][:12]
			}
			s.tc.AddAgent(faketeamcity.Agent{Name: "agent-" + runtimes[i][:4], Connected: true, Enabled: true, Authorized: true, Params: params})
		}
	}
}

// toDrainChoice creates the change set and waits for the question.
func toDrainChoice(t *testing.T, cfg Config) *run {
	t.Helper()
	r := startStack(t, cfg)
	r.waitFor("Not matched, so never disabled")
	r.key(tea.KeyEnter)
	r.waitFor("Drain first: disable 2 agents, wait up to")
	return r
}

// enabledPuts are the agents' enabled states PUT so far, in order, as
// "name=false".
func enabledPuts(tc *faketeamcity.Server) []string {
	var out []string
	for _, p := range tc.Puts() {
		if p.Status == 200 {
			state := "false"
			if p.Enabled {
				state = "true"
			}
			out = append(out, p.AgentName+"="+state)
		}
	}
	return out
}

// The drain disables exactly the two matched agents with tcdind's
// comment and a switch-back time, waits until their two builds finish,
// executes, enables them again after the update, and TeamCity sees
// Docker on both new agents.
func TestDrainBuildsFinish(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, ProjectName: "Backend", Name: "Integration tests", Number: "412", StartDate: t0.Add(-12 * time.Minute), FinishAfterPolls: 2})
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent2, ProjectName: "Web", Name: "Build", Number: "77", StartDate: t0.Add(-3 * time.Minute), FinishAfterPolls: 3})
	s.newAgentsOnExecute(c, "27.3.1", "27.3.1")
	start := s.f.OnExecute
	var putsAtExecute []faketeamcity.Put
	s.f.OnExecute = func() { putsAtExecute = s.tc.Puts(); start() }
	r := toDrainChoice(t, cfg)
	r.key(tea.KeyDown) // drain
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity sees Docker on 2 of 2 new agents (docker 27.3.1)")
	m := r.snapshot()
	if err := m.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	if len(s.f.Executed) != 1 {
		t.Fatalf("executed %v", s.f.Executed)
	}
	got := enabledPuts(s.tc)
	// Disabled, disabled again until past the update, enabled.
	want := []string{"agent-a1b2=false", "agent-0f0e=false", "agent-a1b2=false", "agent-0f0e=false", "agent-a1b2=true", "agent-0f0e=true"}
	if !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	// The second disable is sent before ExecuteChangeSet, with a
	// switch-back time past CloudFormation's three-hour wait.
	if len(putsAtExecute) != 4 {
		t.Fatalf("PUTs before ExecuteChangeSet %+v, want the disable and the one until after the update", putsAtExecute)
	}
	for i, p := range putsAtExecute[2:] {
		first, again := teamcity.ParseTime(putsAtExecute[i].SwitchTime), teamcity.ParseTime(p.SwitchTime)
		if !again.Equal(t0.Add(drain.UpdateMargin)) || !again.After(first) {
			t.Errorf("%s disabled again until %s (first until %s), want %s", p.AgentName, again, first, t0.Add(drain.UpdateMargin))
		}
		if p.Enabled || !strings.Contains(p.Comment, "change set "+s.f.Created[0]) {
			t.Errorf("the disable before executing %+v", p)
		}
	}
	for _, p := range s.tc.Puts()[:2] {
		if !strings.Contains(p.Comment, "tcdind") || !strings.Contains(p.Comment, "stack teamcity") || !strings.Contains(p.Comment, "change set "+s.f.Created[0]) {
			t.Errorf("disable comment %q should name tcdind, the stack and the change set", p.Comment)
		}
		if p.SwitchTime == "" {
			t.Errorf("disable of %s without a switch-back time", p.AgentName)
		}
	}
	if r := s.tc.RunningBuilds(); len(r) != 0 {
		t.Errorf("executed while builds %v ran", r)
	}
	summary := m.Summary()
	lines := strings.Split(strings.TrimRight(summary, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "TeamCity sees Docker on 2 of 2 new agents (docker 27.3.1)" {
		t.Errorf("the summary's last line is %q:\n%s", last, summary)
	}
	if !strings.Contains(summary, "Enabled TeamCity agents agent-a1b2, agent-0f0e again (read back: enabled)") ||
		!strings.Contains(summary, "The drained agents stay disabled while the update replaces their tasks: tcdind enables them when it ends, TeamCity at 2026-03-02 13:15 UTC") {
		t.Errorf("summary %q", summary)
	}
}

// An agent an earlier, killed tcdind run on the stack left disabled is
// taken as this run's when that run's change set is gone: disabled with
// this run's comment, enabled again at the end, said. One whose change
// set can still be executed (a tcdind may be draining now) is left, with
// the command that deletes that change set; someone else's is untouched.
func TestDrainAdoptsAgentLeftByKilledRun(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.newAgentsOnExecute(c, "27.3.1", "27.3.1")
	old := t0.Add(-2 * time.Hour)
	s.tc.SetAgent(s.agent2, func(a *faketeamcity.Agent) {
		a.Enabled, a.EnabledComment = false, drain.Comment("teamcity", "tcdind-killed", old)
	})
	r := toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity sees Docker on 2 of 2 new agents")
	m := r.final()
	if err := m.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	if got, want := enabledPuts(s.tc), []string{"agent-a1b2=false", "agent-0f0e=false", "agent-a1b2=false", "agent-0f0e=false", "agent-a1b2=true", "agent-0f0e=true"}; !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	if p := s.tc.Puts()[1]; !strings.Contains(p.Comment, "change set "+s.f.Created[0]) {
		t.Errorf("the adopted agent was disabled with %q, want this run's comment", p.Comment)
	}
	if a, _ := s.tc.Agent(s.agent2); !a.Enabled {
		t.Error("the adopted agent is left disabled")
	}
	if !strings.Contains(m.Summary(), "TeamCity agent agent-0f0e was left disabled by an earlier tcdind run on stack teamcity (change set tcdind-killed, over)") {
		t.Errorf("summary %q", m.Summary())
	}

	// That run's change set can still be executed: left, said.
	s = newTCStack(t)
	c = &clock{t: t0}
	cfg = s.drainConfig(c)
	s.newAgentsOnExecute(c, "27.3.1", "27.3.1")
	s.f.Created = append(s.f.Created, "tcdind-draining")
	s.tc.SetAgent(s.agent2, func(a *faketeamcity.Agent) {
		a.Enabled, a.EnabledComment = false, drain.Comment("teamcity", "tcdind-draining", old)
	})
	r = toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity sees Docker on 2 of 2 new agents")
	m = r.final()
	if got, want := enabledPuts(s.tc), []string{"agent-a1b2=false", "agent-a1b2=false", "agent-a1b2=true"}; !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	if a, _ := s.tc.Agent(s.agent2); a.Enabled || !strings.Contains(a.EnabledComment, "tcdind-draining") {
		t.Errorf("the other run's agent was touched: %+v", a)
	}
	if !strings.Contains(m.Summary(), "delete-change-set --stack-name teamcity --change-set-name tcdind-draining") {
		t.Errorf("summary %q", m.Summary())
	}
}

// The drain screen while builds run: which, on which agent, for how long,
// and the time waited of the timeout.
func TestScreenDrain(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, ProjectName: "Backend", Name: "Integration tests", Number: "412", StartDate: t0.Add(-12 * time.Minute)})
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent2, ProjectName: "Web", Name: "Build", Number: "77", StartDate: t0.Add(-3 * time.Minute)})
	r := toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Web / Build #77 on agent-0f0e, running 3m 00s")
	r.snapshot()
}

// ctrl+c while draining: the agents tcdind disabled are enabled again and
// read back, the change set is deleted, nothing executed; an agent that
// was disabled already stays disabled.
func TestDrainCtrlC(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.tc.SetAgent(s.agent2, func(a *faketeamcity.Agent) { a.Enabled = false; a.EnabledComment = "maintenance by ops" })
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, Name: "Long build"})
	r := toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Long build")
	r.key(tea.KeyCtrlC)
	m := r.finished()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
		t.Errorf("exit status %d (%v), want 130", code, m.Outcome())
	}
	if len(s.f.Executed) != 0 {
		t.Errorf("executed %v", s.f.Executed)
	}
	if len(s.f.Deleted) != 1 {
		t.Errorf("change sets deleted %v, want the one created", s.f.Deleted)
	}
	if got, want := enabledPuts(s.tc), []string{"agent-a1b2=false", "agent-a1b2=true"}; !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	if a, _ := s.tc.Agent(s.agent1); !a.Enabled {
		t.Error("agent-a1b2 is left disabled")
	}
	if a, _ := s.tc.Agent(s.agent2); a.Enabled || a.EnabledComment != "maintenance by ops" {
		t.Errorf("the agent disabled before was touched: %+v", a)
	}
	if !strings.Contains(m.Summary(), "Enabled TeamCity agent agent-a1b2 again (read back: enabled)") {
		t.Errorf("summary %q", m.Summary())
	}
}

// The timeout passes with a build running: the question, giving up by
// default.
func TestScreenDrainTimedOut(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	cfg.DrainTimeout = 20 * time.Minute
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, ProjectName: "Backend", Name: "Nightly", Number: "9", StartDate: t0.Add(-time.Hour)})
	r := toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Backend / Nightly #9")
	c.set(t0.Add(21 * time.Minute))
	r.waitFor("1 build runs still after 20m 00s. What now?")
	r.snapshot()

	// Again: enter gives up.
	s = newTCStack(t)
	c = &clock{t: t0}
	cfg = s.drainConfig(c)
	cfg.DrainTimeout = 20 * time.Minute
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, Name: "Nightly", StartDate: t0.Add(-time.Hour)})
	r = toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Nightly")
	c.set(t0.Add(21 * time.Minute))
	r.waitFor("What now?")
	r.key(tea.KeyEnter)
	r.waitFor("Change set discarded")
	m := r.final()
	if err := m.Outcome(); err == nil || !strings.Contains(err.Error(), "you chose to discard it") {
		t.Errorf("giving up discards the change set, as Discard does: %v", err)
	}
	if a, _ := s.tc.Agent(s.agent1); !a.Enabled {
		t.Error("agent-a1b2 is left disabled after giving up")
	}
}

// A new agent that connects without Docker is the run's failure (exit 1),
// named with what to check.
func TestNewAgentWithoutDocker(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.newAgentsOnExecute(c, "27.3.1", "")
	r := toDrainChoice(t, cfg)
	r.keys(tea.KeyDown, tea.KeyDown) // execute now: nothing runs anyway
	r.key(tea.KeyEnter)
	r.waitFor("connected, no Docker reported")
	c.set(t0.Add(95*time.Second + newagents.DefaultBound)) // the wait's bound passes
	r.waitFor("TeamCity does not confirm Docker")
	m := r.snapshot()
	var nc *newagents.NotConfirmedError
	if err := m.Outcome(); !errors.As(err, &nc) || exitcode.Code(err) != 1 {
		t.Fatalf("outcome %v, want exit 1 naming the agent", err)
	}
	if !strings.Contains(m.Outcome().Error(), "agent agent-c1c2 of new task newb0000 is connected but TeamCity sees no Docker") {
		t.Errorf("outcome %q", m.Outcome())
	}
	if !strings.Contains(m.Summary(), "TeamCity sees Docker on 1 of 2 new agents (docker 27.3.1)") {
		t.Errorf("summary %q", m.Summary())
	}
	if p := s.tc.Puts(); len(p) != 0 {
		t.Errorf("no drain, yet PUTs %+v", p)
	}
}

// ctrl+c while the disable is on its way: enabling again waits for it,
// and no agent is left disabled.
func TestDrainCtrlCWhileDisabling(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	r := toDrainChoice(t, cfg)
	// The first disable is slow (shorter than a try's timeout, so it is
	// answered): leaving waits for it, then enables both agents again.
	s.tc.SlowNext("PUT", 1, 2*time.Second)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Disabling 2 agents in TeamCity")
	r.key(tea.KeyCtrlC)
	m := r.finished()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
		t.Errorf("exit status %d (%v), want 130", code, m.Outcome())
	}
	for _, id := range []int{s.agent1, s.agent2} {
		if a, _ := s.tc.Agent(id); !a.Enabled {
			t.Errorf("agent %s left disabled", a.Name)
		}
	}
	if len(s.f.Deleted) != 1 || len(s.f.Executed) != 0 {
		t.Errorf("deleted %v, executed %v", s.f.Deleted, s.f.Executed)
	}
}

// The change set's question with a drain offered.
func TestScreenChangeSetDrain(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	r := toDrainChoice(t, s.drainConfig(c))
	m := r.snapshot()
	// Every option in view at every size: huh's select hides the last
	// one when an option wraps.
	for _, size := range goldenSizes {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		v := m.View()
		for _, o := range []string{"Discard:", "Drain first:", "Execute now:"} {
			if !strings.Contains(v, o) {
				t.Errorf("%d×%d: option %q not in view:\n%s", size[0], size[1], o, v)
			}
		}
	}
}

// --drain: draining is the only way to execute, and x drains.
func TestChangeSetDrainFlag(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	cfg.Drain = true
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, Name: "Long build"})
	r := toDrainChoice(t, cfg)
	if strings.Contains(r.screen(), "Execute now") {
		t.Errorf("--drain still offers executing without it:\n%s", r.screen())
	}
	r.runes("x")
	r.waitFor("Long build")
	if len(s.f.Executed) != 0 {
		t.Error("executed while a build runs")
	}
}

// Waiting for TeamCity to see the new agents: each new task's agent as
// TeamCity shows it.
func TestScreenTeamCityWaiting(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.newAgentsOnExecute(c, "27.3.1", "")
	r := toDrainChoice(t, cfg)
	r.keys(tea.KeyDown, tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("connected, no Docker reported")
	r.snapshot()
}

// TeamCity answering after the change set was shown: the question gets
// the drain then.
func TestDrainOfferedWhenTeamCityAnswersLate(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	s.tc.SlowNext(http.MethodGet, 1, 300*time.Millisecond) // /app/rest/server, first
	r := startStack(t, cfg)
	r.waitFor("Asking TeamCity at")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	r.waitFor("Drain first: disable 2 agents")
}

// The question at the drain's timeout waited past the switch-back time:
// TeamCity enabled a drained agent and it took a build the drain never
// saw. Execute now disables the agents again first, finds that build, and
// executes nothing (exit 1): it was never asked about.
func TestDrainEnabledMeanwhileTookBuild(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	cfg.DrainTimeout = 20 * time.Minute
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, Name: "Nightly", StartDate: t0.Add(-time.Hour)})
	r := toDrainChoice(t, cfg)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Nightly")
	c.set(t0.Add(21 * time.Minute))
	r.waitFor("What now?")
	s.tc.SetAgent(s.agent2, func(a *faketeamcity.Agent) { a.Enabled = true })
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent2, Name: "Sneaked in", StartDate: t0.Add(21 * time.Minute)})
	r.key(tea.KeyDown)
	r.key(tea.KeyDown) // execute now
	r.key(tea.KeyEnter)
	r.waitFor("Change set discarded")
	m := r.final()
	err := m.Outcome()
	if code := exitcode.Code(err); code != exitcode.Failure || !strings.Contains(err.Error(), "TeamCity enabled agent agent-0f0e again") {
		t.Errorf("exit status %d (%v), want 1 naming the agent enabled meanwhile", code, err)
	}
	if len(s.f.Executed) != 0 || len(s.f.Deleted) != 1 {
		t.Errorf("executed %v, deleted %v", s.f.Executed, s.f.Deleted)
	}
	for _, id := range []int{s.agent1, s.agent2} {
		if a, _ := s.tc.Agent(id); !a.Enabled {
			t.Errorf("agent %s left disabled", a.Name)
		}
	}
}
