package drain

import (
	"context"
	"testing"
	"time"

	"github.com/tcdind/tcdind/internal/faketeamcity"
	"github.com/tcdind/tcdind/teamcity"
)

func TestParseCommentReadsCommentBack(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	stack, cs, ok := ParseComment(Comment("teamcity-prod", "tcdind-socket-20261206-083000-1a2b3c4d", at))
	if !ok || stack != "teamcity-prod" || cs != "tcdind-socket-20261206-083000-1a2b3c4d" {
		t.Errorf("ParseComment(Comment(…)) = %q %q %v", stack, cs, ok)
	}
	for _, other := range []string{"", "maintenance: disk full", "tcdind: enabled again after the update",
		"disabled to let running builds finish before stack teamcity is updated (change set x);"} {
		if _, _, ok := ParseComment(other); ok {
			t.Errorf("%q read as tcdind's", other)
		}
	}
}

// An agent a killed tcdind left disabled is adopted when Adopt says so:
// disabled again with this run's comment and switch-back time, and
// enabled again by Restore. One someone else disabled never is, whatever
// Adopt would say: Adopt is asked only about agents found disabled, and
// the caller decides from the comment.
func TestAdoptedAgentIsEnabledAgain(t *testing.T) {
	tc, c := setup(t)
	earlier := Comment("teamcity", "tcdind-privileged-20261206-060000-deadbeef", time.Now().Add(time.Hour))
	left := tc.AddAgent(faketeamcity.Agent{Name: "left-by-tcdind", Connected: true, Enabled: false, Authorized: true, EnabledComment: earlier})
	theirs := tc.AddAgent(faketeamcity.Agent{Name: "disabled-by-ops", Connected: true, Enabled: false, Authorized: true, EnabledComment: "disk full, do not use"})
	on := tc.AddAgent(faketeamcity.Agent{Name: "enabled", Connected: true, Enabled: true, Authorized: true})

	d := newDrain(c, agentsOf(t, c, left, theirs, on))
	var asked []string
	d.Adopt = func(_ context.Context, a teamcity.Agent, info teamcity.EnabledInfo) bool {
		asked = append(asked, a.Name)
		stack, _, ok := ParseComment(info.Comment)
		return ok && stack == "teamcity"
	}
	if err := d.Disable(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 {
		t.Errorf("Adopt asked about %v, want the two disabled agents", asked)
	}
	if got := d.Adopted(); len(got) != 1 || got[0].Name != "left-by-tcdind" || got[0].EnabledInfo.Comment != earlier {
		t.Errorf("adopted %v", got)
	}
	if len(d.Before()) != 1 || d.Before()[0].Name != "disabled-by-ops" || len(d.Disabled()) != 2 {
		t.Errorf("before %v, disabled %v", d.Before(), d.Disabled())
	}
	a, _ := tc.Agent(left)
	if a.Enabled || a.EnabledComment != d.Comment || !teamcity.ParseTime(a.StatusSwitchTime).Equal(d.SwitchBack) {
		t.Errorf("adopted agent not disabled with this run's comment: %+v", a)
	}

	r := d.Restore(context.Background(), "tcdind: enabled again")
	if !r.OK() || len(r.Enabled) != 2 {
		t.Errorf("restored %+v", r)
	}
	if !agentOn(t, tc, left) || !agentOn(t, tc, on) {
		t.Error("the adopted or the enabled agent is still disabled")
	}
	if b, _ := tc.Agent(theirs); b.Enabled || b.EnabledComment != "disk full, do not use" {
		t.Errorf("someone else's agent was touched: %+v", b)
	}
	for _, p := range tc.Puts() {
		if p.AgentID == theirs {
			t.Errorf("PUT to someone else's agent: %+v", p)
		}
	}
}

func agentOn(t *testing.T, tc *faketeamcity.Server, id int) bool {
	t.Helper()
	a, ok := tc.Agent(id)
	return ok && a.Enabled
}

// Rearm, before executing: every agent tcdind disabled is disabled again
// with a switch-back time past the update; one TeamCity enabled meanwhile
// (its first switch-back time passed) is returned and disabled too; one
// someone else disabled meanwhile is left as they set it.
func TestRearmMovesSwitchBackPastTheUpdate(t *testing.T) {
	tc, c := setup(t)
	a1 := tc.AddAgent(faketeamcity.Agent{Name: "a1", Connected: true, Enabled: true, Authorized: true})
	a2 := tc.AddAgent(faketeamcity.Agent{Name: "a2", Connected: true, Enabled: true, Authorized: true})
	a3 := tc.AddAgent(faketeamcity.Agent{Name: "a3", Connected: true, Enabled: true, Authorized: true})
	d := newDrain(c, agentsOf(t, c, a1, a2, a3))
	if err := d.Disable(context.Background()); err != nil {
		t.Fatal(err)
	}
	tc.SetAgent(a2, func(a *faketeamcity.Agent) { a.Enabled, a.EnabledComment, a.StatusSwitchTime = true, "", "" })
	tc.SetAgent(a3, func(a *faketeamcity.Agent) { a.EnabledComment = "maintenance" })

	at := time.Now().Add(UpdateMargin).UTC().Truncate(time.Second)
	comment := Comment("teamcity", "tcdind-privileged-20261206-073000-1a2b3c4d", at)
	meanwhile, err := d.Rearm(context.Background(), comment, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(meanwhile) != 1 || meanwhile[0].ID != a2 {
		t.Errorf("enabled meanwhile: %v, want a2", meanwhile)
	}
	for _, id := range []int{a1, a2} {
		a, _ := tc.Agent(id)
		if a.Enabled || a.EnabledComment != comment || !teamcity.ParseTime(a.StatusSwitchTime).Equal(at) {
			t.Errorf("agent %d after Rearm: %+v", id, a)
		}
	}
	if a, _ := tc.Agent(a3); a.EnabledComment != "maintenance" || a.Enabled {
		t.Errorf("someone else's disable was touched: %+v", a)
	}
	r := d.Restore(context.Background(), "tcdind: enabled again")
	if len(r.Enabled) != 2 || len(r.Kept) != 1 || r.Kept[0].ID != a3 {
		t.Errorf("restored %+v", r)
	}
}
