package wizard

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// At 80x24 the whole security note is on the mode screen, "trusted builds
// only" included, for every mode the cursor rests on.
func TestScreenMode80x24(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, 80, 24)
	r.waitFor("Which Docker-in-Docker mode?")
	for _, want := range []string{"Socket mode hands builds", "Privileged mode gives"} {
		r.waitFor(want)
		s := flat(r.screen())
		for _, part := range []string{"Accept this only for trusted builds", "keep it.", "Alternatives without root on the host", "(tcdind does not configure them)."} {
			if !strings.Contains(s, part) {
				t.Errorf("%s: the note lacks %q at 80x24:\n%s", want, part, r.screen())
			}
		}
		r.key(tea.KeyDown)
	}
	r.key(tea.KeyUp)
	r.key(tea.KeyUp)
	r.waitFor("Socket mode hands builds")
	m := r.snapshot()
	if h := lipgloss.Height(m.View()); h > 24 {
		t.Fatalf("the screen is %d lines on a 24-line terminal", h)
	}
}

// Where even the compact note does not fit, it scrolls: pgdn shows the
// rest, the footer says so, and the question stays whole.
func TestScreenModeNoteScrolls(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, 70, 18)
	r.waitFor("pgup/pgdn")
	if s := flat(r.screen()); strings.Contains(s, "(tcdind does not configure them).") || !strings.Contains(s, "none no Docker for builds") {
		t.Fatalf("before scrolling:\n%s", r.screen())
	}
	for range 6 {
		r.key(tea.KeyPgDown)
	}
	r.waitUntil(func(s string) bool { return strings.Contains(flat(s), "(tcdind does not configure them).") })
	if s := r.screen(); !strings.Contains(s, "Which Docker-in-Docker mode?") || lipgloss.Height(s) > 18 {
		t.Errorf("after scrolling:\n%s", s)
	}
}

// flat is a screen's text as one line: wrapping and the box's bars gone.
func flat(s string) string {
	var words []string
	for _, line := range strings.Split(ansi.Strip(s), "\n") {
		line = strings.Trim(line, " │┃╭╮╰╯─")
		words = append(words, strings.Fields(line)...)
	}
	return strings.Join(words, " ")
}
