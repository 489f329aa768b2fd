package wizard

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/awsclient"
)

// --- A screen added in a test build: one type and one row. ----------------

// extraScreen is a throwaway question between the mode and the recipe.
type extraScreen struct {
	question
	answer bool
}

func (s *extraScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (s *extraScreen) field(*Model) huh.Field {
	return huh.NewConfirm().Title("An extra question?").Value(&s.answer)
}

func (s *extraScreen) submit(m *Model) tea.Cmd { return m.enter(m.nextStep("extra")) }

// withExtraScreen inserts the throwaway screen's row after the mode's.
func withExtraScreen(t *testing.T) {
	saved := slices.Clone(flow)
	t.Cleanup(func() { flow = saved })
	i := indexOf(stepMode) + 1
	flow = slices.Insert(flow, i, row{
		id: "extra", title: "Extra", asked: always,
		help:   "A screen added by a test: one file, one row.",
		screen: func() screen { return &extraScreen{} },
	})
}

// Adding a screen is one type and one row: the flow asks it in its place,
// esc goes back through it, the header and the help come from its row.
func TestAddedScreen(t *testing.T) {
	withExtraScreen(t)
	r := start(t, Config{Template: "testdata/one.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEnter)
	r.waitFor("An extra question?")
	if s := r.screen(); !strings.Contains(s, "tcdind › Extra") {
		t.Errorf("the header does not come from the row:\n%s", s)
	}
	r.runes("?")
	r.waitFor("A screen added by a test")
	r.key(tea.KeyEsc)
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for socket mode?")
	r.key(tea.KeyEsc) // back to the added screen, not the mode
	r.waitFor("An extra question?")
	r.key(tea.KeyEsc)
	r.waitFor("Which Docker-in-Docker mode?")
	r.final()
}

// --- Behaviours ------------------------------------------------------------

// ↑ on the first option and ↓ on the last do not wrap around.
func TestListStopsAtEnds(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyUp)
	r.waitFor("> A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyDown)
	r.waitFor("> An existing CloudFormation stack")
	m := r.final()
	if m.a.source != sourceStack {
		t.Errorf("source %v after ↓ ↓, want the stack (the last)", m.a.source)
	}
}

// A paste (or fast typing: several runes in one key message) filters with
// every rune; a filter that matches nothing says so and enter waits.
func TestStacksFilterPasteAndNoMatch(t *testing.T) {
	f := newFake(t)
	r := startStack(t, stackConfig(f, nil))
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	r.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("staging"), Paste: true})
	r.waitUntil(func(s string) bool {
		return strings.Contains(s, "filter: staging") && !strings.Contains(s, "website") && !strings.Contains(s, "network")
	})
	r.runes("xyz")
	r.waitFor("no match")
	r.key(tea.KeyEnter) // nothing matches: not taken
	r.waitFor("no match")
	r.key(tea.KeyBackspace)
	r.key(tea.KeyBackspace)
	r.key(tea.KeyBackspace)
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "no match") })
	r.key(tea.KeyEnter)
	r.waitFor("Which agent task definition?")
	m := r.final()
	if m.a.stack != "teamcity-staging" {
		t.Errorf("stack %q", m.a.stack)
	}
}

// esc back to the stack list keeps the answer: the cursor is on the stack
// chosen, and the header names the region only.
func TestStacksBackKeepsAnswer(t *testing.T) {
	f := newFake(t)
	r := startStack(t, stackConfig(f, nil))
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	r.key(tea.KeyDown) // teamcity-staging, second
	r.key(tea.KeyEnter)
	r.waitFor("Which agent task definition?")
	r.key(tea.KeyEsc)
	r.waitFor("Which stack?")
	s := r.screen()
	if !strings.Contains(s, "> teamcity-staging") {
		t.Errorf("the cursor moved:\n%s", s)
	}
	if strings.Contains(s, "stack teamcity-staging ·") {
		t.Errorf("the header still names the stack read:\n%s", s)
	}
	r.key(tea.KeyEnter)
	r.waitFor("Which agent task definition?")
	if m := r.final(); m.a.stack != "teamcity-staging" {
		t.Errorf("stack %q", m.a.stack)
	}
}

// Stacks that cannot be updated now (busy, under review) are counted, not
// hidden without a word.
func TestStacksHiddenCounted(t *testing.T) {
	f := newFake(t)
	f.Stacks = append(f.Stacks,
		awsclient.StackSummary{ID: "arn:stack/busy", Name: "busy", Status: "UPDATE_IN_PROGRESS", Updated: t0},
		awsclient.StackSummary{ID: "arn:stack/draft", Name: "draft", Status: "REVIEW_IN_PROGRESS", Updated: t0})
	r := startStack(t, stackConfig(f, nil))
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	s := strings.ReplaceAll(plain(r.screen()), "┃ ", "")
	if !strings.Contains(s, "2 more stacks cannot be updated now: busy (UPDATE_IN_PROGRESS), draft (REVIEW_IN_PROGRESS)") {
		t.Errorf("the busy stacks are not counted:\n%s", s)
	}
	if strings.Contains(s, "> busy") || strings.Contains(s, "  busy  ") {
		t.Errorf("a busy stack is offered:\n%s", s)
	}
	r.final()
}

// Typed paths: quotes of a dropped file, escaped spaces and ~.
func TestExpandPath(t *testing.T) {
	old := userHome
	userHome = func() (string, error) { return "/home/u", nil }
	t.Cleanup(func() { userHome = old })
	for in, want := range map[string]string{
		"  'my file.yaml' ":   "my file.yaml",
		`"/tmp/t.yaml"`:       "/tmp/t.yaml",
		`/tmp/my\ file.yaml`:  "/tmp/my file.yaml",
		"~/t.yaml":            "/home/u/t.yaml",
		"~":                   "/home/u",
		"a~b.yaml":            "a~b.yaml",
		"https://example.com": "https://example.com",
	} {
		if got := expandPath(in); got != want {
			t.Errorf("expandPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// The region list comes from the SDK's partitions, with other at its end.
func TestRegionOptions(t *testing.T) {
	opts := regionOptions("eu-west-1")
	var values []string
	for _, o := range opts {
		values = append(values, o.Value)
	}
	for _, want := range []string{"us-east-1", "eu-west-1", "ap-southeast-5", "mx-central-1", "us-gov-west-1", otherRegion} {
		if !slices.Contains(values, want) {
			t.Errorf("no %s in %v", want, values)
		}
	}
	if values[len(values)-1] != otherRegion {
		t.Errorf("other is not last: %v", values)
	}
	if got := regionOptions("xx-new-1")[0].Value; got != "xx-new-1" {
		t.Errorf("a configured region not listed comes first, got %s", got)
	}
}

// "other" asks for the region's name, checked before the listing.
func TestRegionOther(t *testing.T) {
	f := newFake(t)
	r := startStack(t, stackConfig(f, nil))
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.runes("other")
	r.waitFor("filter: other")
	r.key(tea.KeyEnter)
	r.waitFor("Region name")
	r.runes("nowhere")
	r.key(tea.KeyEnter)
	r.waitFor("not an AWS region name")
	r.key(tea.KeyCtrlU)
	r.runes("eu-west-1")
	r.key(tea.KeyEnter)
	r.waitFor("Which stack?")
	r.final()
}
