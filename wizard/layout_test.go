package wizard

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// laidOut checks the screen shown now by the layout rule (assertLaidOut)
// and that it says want.
func (r *run) laidOut(want string) string {
	r.t.Helper()
	type shot struct {
		m    *Model
		view string
	}
	ch := make(chan shot, 1)
	r.tm.Send(peekMsg(func(m *Model) { ch <- shot{m, m.View()} }))
	select {
	case s := <-ch:
		assertLaidOut(r.t, s.m, s.view, s.m.width, s.m.height)
		if !strings.Contains(s.view, want) {
			r.t.Errorf("the screen does not say %q:\n%s", want, s.view)
		}
		return s.view
	case <-time.After(10 * time.Second):
		r.t.Fatal("the program does not answer")
		return ""
	}
}

// Every screen of the template path at 60×20 keeps its question and keys.
func TestLayoutTemplatePathAt60x20(t *testing.T) {
	dir := t.TempDir()
	r := start(t, Config{}, 60, 20)
	r.waitFor("A template file or URL")
	r.laidOut("Where is the TeamCity stack's template?")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.laidOut("Template file or https URL")
	r.key(tea.KeyCtrlU)
	r.typeText("testdata/one.yaml")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.laidOut("pgup/pgdn")
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe")
	r.laidOut("Which recipe")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to choose where to save")
	r.laidOut("more below")
	r.key(tea.KeyPgDown)
	r.laidOut("more above")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	r.laidOut("Save the patched template as")
	r.key(tea.KeyCtrlU)
	r.typeText(filepath.Join(dir, "out.yaml"))
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	v := r.laidOut("aws cloudformation deploy")
	if strings.Contains(v, "…") {
		t.Errorf("the done screen cuts something:\n%s", v)
	}
	r.final()
}

// Every screen of the stack path at 60×20 keeps its question and keys;
// the change set's choice is in view, and moving the cursor shows it on
// Execute before enter executes.
func TestLayoutStackPathAt60x20(t *testing.T) {
	f := newFake(t)
	f.Events = pages(updated()...)
	r := start(t, stackConfig(f, nil), 60, 20)
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.laidOut("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("Which stack?")
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	r.laidOut("Which stack?")
	r.typeText("staging")
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "website") })
	r.key(tea.KeyEnter)
	r.waitFor("Which agent task definition?")
	r.laidOut("Which agent task definition?")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.laidOut("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe")
	r.laidOut("Which recipe")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	r.laidOut("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	v := r.laidOut("> Discard")
	for _, s := range []string{"Execute: update stack", "replacement: True", "x execute"} {
		if !strings.Contains(v, s) {
			t.Errorf("the change set screen at 60×20 lacks %q:\n%s", s, v)
		}
	}
	r.key(tea.KeyDown)
	r.waitFor("> Execute")
	r.laidOut("> Execute: update stack")
	r.key(tea.KeyEnter)
	r.waitFor("updated: UPDATE_COMPLETE")
	v = r.laidOut("Next")
	if strings.Contains(v, "…\n") || strings.Contains(v, "o\n") && strings.Contains(v, "ECS shows o") {
		t.Errorf("the done screen cuts its lines:\n%s", v)
	}
	r.final()
}
