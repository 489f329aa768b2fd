package wizard

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
)

// The stack list marks the stacks tcdind cannot edit, with the reason,
// before one is picked: an agent on Fargate, a nested stack. They come
// after the stacks it can edit.
func TestStacksMarkWhatCannotBeEdited(t *testing.T) {
	f := newFake(t)
	f.Stacks = append(f.Stacks,
		awsclient.StackSummary{ID: "arn:stack/agents-fargate", Name: "agents-fargate", Status: "CREATE_COMPLETE", Updated: t0},
		awsclient.StackSummary{ID: "arn:stack/tc-child", Name: "tc-child", Status: "CREATE_COMPLETE", Updated: t0, ParentID: "arn:stack/tc-root"},
	)
	f.Templates["agents-fargate"] = fixture(t, "fargate.yaml")
	f.Templates["tc-child"] = fixture(t, "one.yaml")
	r := start(t, stackConfig(f, nil), 100, 30)
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	v := r.screen()
	for _, want := range []string{"agents-fargate    CREATE_COMPLETE           cannot edit: Fargate", "tc-child          CREATE_COMPLETE           cannot edit: nested stack"} {
		if !strings.Contains(v, want) {
			t.Errorf("the list lacks %q:\n%s", want, v)
		}
	}
	if strings.Index(v, "agents-fargate") < strings.Index(v, "teamcity-staging") {
		t.Errorf("a stack tcdind cannot edit comes before one it can:\n%s", v)
	}
	r.final()
}

// ctrl+r reads the region's stacks again, and so does choosing the region
// again: a stack created meanwhile shows.
func TestStacksReadAgain(t *testing.T) {
	f := newFake(t)
	r := start(t, stackConfig(f, nil), 100, 30)
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	add := func(name string) {
		f.Mu.Lock()
		f.Stacks = append(f.Stacks, awsclient.StackSummary{ID: "arn:stack/" + name, Name: name, Status: "CREATE_COMPLETE", Updated: t0})
		f.Mu.Unlock()
	}
	add("created-meanwhile")
	r.key(tea.KeyCtrlR)
	r.waitFor("created-meanwhile")
	add("created-later")
	r.key(tea.KeyEsc)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("created-later")
	r.final()
}

// The region list opens at its top, the default region first with the
// cursor on it, and says how many regions are below.
func TestRegionListStartsAtTheTop(t *testing.T) {
	r := start(t, stackConfig(newFake(t), nil), 60, 20)
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	v := r.laidOut("> eu-west-1")
	if !strings.Contains(v, "more below") || strings.Contains(v, "more above") {
		t.Errorf("the list does not say what is below, or opens scrolled:\n%s", v)
	}
	for range 60 {
		r.key(tea.KeyDown)
	}
	v = r.laidOut("> other")
	if !strings.Contains(v, "more above") || strings.Contains(v, "more below") {
		t.Errorf("at the end the list does not say what is above:\n%s", v)
	}
	if !strings.Contains(v, "us-gov-west-1") || !strings.Contains(v, "us-gov-east-1") {
		t.Errorf("at the end the rows above other are not filled:\n%s", v)
	}
	r.final()
}
