package drain

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/internal/faketeamcity"
	"github.com/tcdind/tcdind/teamcity"
)

// The drain on the fake TeamCity (internal/faketeamcity), which models
// TeamCity's REST API as documented: a disabled agent keeps its running
// build (https://www.jetbrains.com/help/teamcity/rest/agent.html: enabled
// agents "are ready to process new builds"), enabledInfo takes a comment
// and a statusSwitchTime
// (https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html).

func setup(t *testing.T) (*faketeamcity.Server, *teamcity.Client) {
	t.Helper()
	tc := faketeamcity.New(t)
	c, err := teamcity.New(tc.URL, tc.Token)
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = []time.Duration{time.Millisecond}
	return tc, c
}

func agentsOf(t *testing.T, c *teamcity.Client, ids ...int) []teamcity.Agent {
	t.Helper()
	var out []teamcity.Agent
	for _, id := range ids {
		a, err := c.Agent(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func newDrain(c *teamcity.Client, agents []teamcity.Agent) *Drain {
	switchBack := time.Now().Add(DefaultTimeout + SwitchBackMargin).UTC().Truncate(time.Second)
	return &Drain{Client: c, Agents: agents, Comment: Comment("teamcity", "tcdind-privileged-20261206-073000-1a2b3c4d", switchBack),
		SwitchBack: switchBack, Timeout: 5 * time.Second, Poll: time.Millisecond}
}

// Two running builds that finish: the agents are disabled with tcdind's
// comment and switch-back time, the wait ends when the builds do, and
// Restore enables exactly them again and reads them back.
func TestDrainTwoBuildsFinish(t *testing.T) {
	tc, c := setup(t)
	a1 := tc.AddAgent(faketeamcity.Agent{Name: "a1b2c3d4e5f6", Connected: true, Enabled: true, Authorized: true})
	a2 := tc.AddAgent(faketeamcity.Agent{Name: "0f1e2d3c4b5a", Connected: true, Enabled: true, Authorized: true})
	other := tc.AddAgent(faketeamcity.Agent{Name: "mac-mini", Connected: true, Enabled: true, Authorized: true})
	tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Build", ProjectName: "App", Number: "118", FinishAfterPolls: 2})
	tc.AddBuild(faketeamcity.Build{AgentID: a2, Name: "Test", ProjectName: "App", Number: "57", FinishAfterPolls: 3})
	tc.AddBuild(faketeamcity.Build{AgentID: other, Name: "Release", Number: "9"})

	d := newDrain(c, agentsOf(t, c, a1, a2))
	if err := d.Disable(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{a1, a2} {
		a, _ := tc.Agent(id)
		if a.Enabled || !strings.HasPrefix(a.EnabledComment, "tcdind: ") || !strings.Contains(a.EnabledComment, "stack teamcity") ||
			!strings.Contains(a.EnabledComment, "tcdind-privileged-20261206-073000-1a2b3c4d") || !teamcity.ParseTime(a.StatusSwitchTime).Equal(d.SwitchBack) {
			t.Errorf("agent %d after Disable: %+v", id, a)
		}
	}
	var seen []Status
	st, err := d.Wait(context.Background(), func(s Status) { seen = append(seen, s) })
	if err != nil || st.TimedOut || len(st.Builds) != 0 {
		t.Fatalf("wait: %+v, %v", st, err)
	}
	if len(seen) < 3 || len(seen[0].Builds) != 2 || seen[0].Builds[0].Agent == "" || seen[0].Builds[0].BuildType == "" {
		t.Errorf("progress: %+v", seen)
	}
	if len(tc.RunningBuilds()) != 1 {
		t.Errorf("running builds %v: only the other agent's should run", tc.RunningBuilds())
	}
	r := d.Restore(context.Background(), "tcdind: enabled again")
	if !r.OK() || len(r.Enabled) != 2 {
		t.Fatalf("restored %+v", r)
	}
	for _, id := range []int{a1, a2, other} {
		if a, _ := tc.Agent(id); !a.Enabled {
			t.Errorf("agent %d left disabled", id)
		}
	}
	var touched []int
	for _, p := range tc.Puts() {
		touched = append(touched, p.AgentID)
	}
	if len(touched) != 4 || touched[0] != a1 || touched[1] != a2 || touched[2] != a1 || touched[3] != a2 {
		t.Errorf("PUTs went to agents %v, want %d %d then again", touched, a1, a2)
	}
}

// An agent disabled before the drain is never enabled by it, even when it
// runs a build the drain waits for.
func TestPreDisabledAgentIsNeverEnabled(t *testing.T) {
	tc, c := setup(t)
	pre := tc.AddAgent(faketeamcity.Agent{Name: "pre", Connected: true, Enabled: false, Authorized: true})
	on := tc.AddAgent(faketeamcity.Agent{Name: "on", Connected: true, Enabled: true, Authorized: true})
	tc.AddBuild(faketeamcity.Build{AgentID: pre, FinishAfterPolls: 1})
	d := newDrain(c, agentsOf(t, c, pre, on))
	if err := d.Disable(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(d.Before()) != 1 || d.Before()[0].ID != pre || len(d.Disabled()) != 1 || d.Disabled()[0].ID != on {
		t.Errorf("before %+v, disabled %+v", d.Before(), d.Disabled())
	}
	st, err := d.Wait(context.Background(), nil)
	if err != nil || len(st.Builds) != 0 {
		t.Fatalf("%+v %v", st, err)
	}
	d.Restore(context.Background(), "x")
	if a, _ := tc.Agent(pre); a.Enabled {
		t.Error("the agent disabled before the drain was enabled")
	}
	for _, p := range tc.Puts() {
		if p.AgentID == pre {
			t.Errorf("PUT to the pre-disabled agent: %+v", p)
		}
	}
}

// A build that outlasts the timeout: the wait says so, with the build.
func TestDrainTimeout(t *testing.T) {
	tc, c := setup(t)
	a := tc.AddAgent(faketeamcity.Agent{Name: "a", Connected: true, Enabled: true, Authorized: true})
	tc.AddBuild(faketeamcity.Build{AgentID: a, Name: "Nightly", Number: "31"})
	d := newDrain(c, agentsOf(t, c, a))
	d.Timeout = 30 * time.Millisecond
	d.Poll = 10 * time.Millisecond
	if err := d.Disable(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := d.Wait(context.Background(), nil)
	if err != nil || !st.TimedOut || len(st.Builds) != 1 || st.Builds[0].Number != "31" || st.Elapsed < d.Timeout {
		t.Fatalf("%+v %v", st, err)
	}
	if r := d.Restore(context.Background(), "x"); len(r.Enabled) != 1 {
		t.Errorf("%+v", r)
	}
}

// An interrupt ends the wait at once; Restore still runs (its own context).
func TestInterruptThenRestore(t *testing.T) {
	tc, c := setup(t)
	a := tc.AddAgent(faketeamcity.Agent{Name: "a", Connected: true, Enabled: true, Authorized: true})
	tc.AddBuild(faketeamcity.Build{AgentID: a})
	d := newDrain(c, agentsOf(t, c, a))
	d.Poll = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	if err := d.Disable(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := d.Wait(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if r := d.Restore(ctx, "x"); !r.OK() || len(r.Enabled) != 1 || len(r.Found) != 0 {
		t.Errorf("%+v", r)
	}
	if ag, _ := tc.Agent(a); !ag.Enabled {
		t.Error("left disabled")
	}
}

// Someone disabled the agent again with their own comment: it is left as
// they set it. One that cannot be enabled is a failure, said.
func TestRestoreKeepsOthersAndSaysFailures(t *testing.T) {
	tc, c := setup(t)
	mine := tc.AddAgent(faketeamcity.Agent{Name: "mine", Connected: true, Enabled: true, Authorized: true})
	theirs := tc.AddAgent(faketeamcity.Agent{Name: "theirs", Connected: true, Enabled: true, Authorized: true})
	d := newDrain(c, agentsOf(t, c, mine, theirs))
	if err := d.Disable(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetEnabled(context.Background(), theirs, teamcity.EnabledInfo{Status: false, Comment: "disk full, do not use"}); err != nil {
		t.Fatal(err)
	}
	tc.FailNext("PUT", -1, http.StatusInternalServerError)
	r := d.Restore(context.Background(), "x")
	if len(r.Kept) != 1 || r.Kept[0].ID != theirs || len(r.Failed) != 1 || r.Failed[0].Agent.ID != mine || r.OK() {
		t.Errorf("%+v", r)
	}
	if a, _ := tc.Agent(theirs); a.Enabled || a.EnabledComment != "disk full, do not use" {
		t.Errorf("their agent: %+v", a)
	}
}

// A disable that fails half-way: the agents disabled so far are enabled
// again; the one whose disable failed is read first and left enabled.
func TestDisableFailureRestoresWhatWasDone(t *testing.T) {
	tc, c := setup(t)
	a1 := tc.AddAgent(faketeamcity.Agent{Name: "a1", Connected: true, Enabled: true, Authorized: true})
	a2 := tc.AddAgent(faketeamcity.Agent{Name: "a2", Connected: true, Enabled: true, Authorized: true})
	d := newDrain(c, agentsOf(t, c, a1, a2))
	calls := 0
	d.Client = failSecondPut{c, &calls}
	if err := d.Disable(context.Background()); err == nil {
		t.Fatal("no error")
	}
	d.Client = c
	r := d.Restore(context.Background(), "x")
	if !r.OK() || len(r.Enabled) != 1 || r.Enabled[0].ID != a1 || len(r.Found) != 1 || r.Found[0].ID != a2 {
		t.Errorf("%+v", r)
	}
	for _, id := range []int{a1, a2} {
		if a, _ := tc.Agent(id); !a.Enabled {
			t.Errorf("agent %d left disabled", id)
		}
	}
}

type failSecondPut struct {
	*teamcity.Client
	n *int
}

func (f failSecondPut) SetEnabled(ctx context.Context, id int, info teamcity.EnabledInfo) (teamcity.EnabledInfo, error) {
	*f.n++
	if *f.n == 2 {
		return teamcity.EnabledInfo{}, errors.New("connection reset")
	}
	return f.Client.SetEnabled(ctx, id, info)
}

// A disable TeamCity refuses (403: the token lacks "Enable / disable
// agents") was not carried out: nothing to enable again.
func TestRefusedDisableIsNotRestored(t *testing.T) {
	tc, _ := setup(t)
	tc.AddToken("viewer", faketeamcity.EnableDisableAgents)
	c, err := teamcity.New(tc.URL, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	a := tc.AddAgent(faketeamcity.Agent{Name: "a", Connected: true, Enabled: true, Authorized: true})
	d := newDrain(c, agentsOf(t, c, a))
	err = d.Disable(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"Enable / disable agents"`) {
		t.Fatalf("err = %v", err)
	}
	if len(d.Disabled()) != 0 {
		t.Errorf("disabled %+v", d.Disabled())
	}
	if r := d.Restore(context.Background(), "x"); len(r.Enabled)+len(r.Found)+len(r.Failed) != 0 {
		t.Errorf("%+v", r)
	}
}
