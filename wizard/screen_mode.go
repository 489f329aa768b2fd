package wizard

import (
	"fmt"
	tea "github.com/charmbracelet/bubbletea"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// nowMark follows the option of the mode the template is in now.
const nowMark = "  ← now"

// sideBySide is the content width from which a note stands beside the
// question instead of below it.
const sideBySide = 100

var modes = []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone}

// modeLabel is a mode's option: its name in a column, then what it does.
func modeLabel(mode dind.Mode) string {
	return fmt.Sprintf("%-10s  %s", mode, render.ModeSummary(mode))
}

// modeScreen asks for the mode; moving the cursor changes m.a.mode, so the
// note beside it follows the highlighted mode. The note is always there in
// full: boxed when it fits, without the box's blank lines when that fits,
// else scrolled with pgup/pgdn.
type modeScreen struct {
	question
	topOf dind.Mode // the mode whose note the pane scrolls
}

func (s *modeScreen) enter(m *Model) tea.Cmd { s.topOf = ""; return m.ask(s) }

func (*modeScreen) submit(m *Model) tea.Cmd { return m.enter(m.nextStep(stepMode)) }

func (s *modeScreen) view(m *Model, w, h int) body { return s.modeView(m, w, h) }

func (*modeScreen) field(m *Model) huh.Field {
	cur := m.a.currentMode()
	var opts []huh.Option[dind.Mode]
	refused := m.a.privilegedRefusal() != nil
	for _, mode := range modes {
		label := modeLabel(mode)
		if mode == dind.ModePrivileged && refused {
			// Offered still, so that the note says why and what to
			// change; the review refuses it.
			label = fmt.Sprintf("%-10s  %s", mode, "not allowed on these hosts")
		}
		if mode == cur {
			label += m.nowMark()
		}
		opts = append(opts, huh.NewOption(label, mode))
	}
	if m.a.mode == "" || m.a.mode == dind.ModeMixed {
		m.a.mode = dind.ModeSocket
	}
	return selectOf(m, "Which Docker-in-Docker mode?", opts, &m.a.mode)
}

// modeView is the current mode, the question, and the highlighted mode's
// security note: beside the question on wide terminals, below it
// otherwise; the note gives way and scrolls (layout.go).
func (s *modeScreen) modeView(m *Model, w, h int) body {
	current := render.Wrap(m.st.Subtle.Render("Now: ")+m.a.currentModes(), w)
	form := m.formBody()
	if s.topOf != m.a.mode {
		// Another mode's note starts at its top.
		s.topOf = m.a.mode
		m.pane = newPane()
	}
	if w >= sideBySide {
		left := lipgloss.NewStyle().Width(m.formWidthBeside()).Render(form)
		noteW := w - lipgloss.Width(left) - 2
		noteH := h - lipgloss.Height(current) - 1
		hosts := m.hostsRefusalNote(m.a.mode, noteW)
		note := m.pane.window(m, hosts+s.note(m, m.a.mode, noteW, noteH-lipgloss.Height(hosts)), noteW, noteH, false)
		return body{top: current, bottom: lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", note)}
	}
	used := lipgloss.Height(current) + 1 + lipgloss.Height(form) + 1
	hosts := m.hostsRefusalNote(m.a.mode, min(w, 80))
	return body{top: current, bottom: form, scroll: hosts + s.note(m, m.a.mode, min(w, 80), h-used-lipgloss.Height(hosts)), scrollLast: true}
}

// hostsRefusalNote stands above privileged mode's note when the agents'
// hosts do not allow privileged containers: why, and the setting to
// change (a blank line after it); "" otherwise.
func (m *Model) hostsRefusalNote(mode dind.Mode, w int) string {
	r := m.a.privilegedRefusal()
	if mode != dind.ModePrivileged || r == nil {
		return ""
	}
	return m.st.Warnings([]string{"Not on these hosts: " + wizardAdvice(r.Reason)}, w) + "\n\n"
}

// nowMark follows the current mode's option: an arrow on screen, words
// in plain prompts (a screen reader reads the arrow aloud).
func (m *Model) nowMark() string {
	if m.plain {
		return " (now)"
	}
	return nowMark
}

// formWidthBeside is the question's width when a note stands beside it:
// the longest option with its "now" mark and the form's border and cursor.
func (m *Model) formWidthBeside() int {
	w := 0
	for _, mode := range modes {
		w = max(w, lipgloss.Width(modeLabel(mode)+nowMark))
	}
	return w + 6
}

// note is the whole security note for mode, w wide: in its box when that
// fits in h lines; else with a bar on the left instead of the box and no
// blank lines, which the layout scrolls when it does not fit either.
// "Trusted builds only" is never cut off.
func (s *modeScreen) note(m *Model, mode dind.Mode, w, h int) string {
	if full := m.st.SecurityNote(mode, w); lipgloss.Height(full) <= h {
		return full
	}
	n := render.SecurityNote(mode)
	box := m.st.NoteBox
	if !n.Risky {
		box = m.st.NoteSafe
	}
	bar := box.BorderTop(false).BorderBottom(false).BorderRight(false).PaddingRight(0)
	inner := max(w-bar.GetHorizontalFrameSize(), 20)
	parts := []string{m.st.NoteTitle.Render(render.Wrap(n.Title, inner))}
	for _, p := range n.Paragraphs {
		parts = append(parts, m.st.Text.Render(render.Wrap(p, inner)))
	}
	return bar.Render(strings.Join(parts, "\n"))
}

// intro is what the screen shows around the question, for plain prompts:
// the current mode and both security notes in full.
func (*modeScreen) intro(m *Model) string {
	var b strings.Builder
	b.WriteString("Now: " + m.a.currentModes() + ".")
	if r := m.a.privilegedRefusal(); r != nil {
		b.WriteString("\n\nPrivileged mode is not allowed on these hosts: " + wizardAdvice(r.Reason) + ".")
	}
	for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged} {
		b.WriteString("\n\nAbout " + string(mode) + " mode. " + render.SecurityNote(mode).Plain(0))
	}
	return b.String()
}
