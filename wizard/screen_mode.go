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
// note beside it follows the highlighted mode.
type modeScreen struct{ question }

func (s *modeScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*modeScreen) submit(m *Model) tea.Cmd { return m.enter(m.nextStep(stepMode)) }

func (*modeScreen) view(m *Model, w, h int) string { return m.modeView(w, h) }

func (*modeScreen) field(m *Model) huh.Field {
	cur := m.a.currentMode()
	var opts []huh.Option[dind.Mode]
	for _, mode := range modes {
		label := modeLabel(mode)
		if mode == cur {
			label += nowMark
		}
		opts = append(opts, huh.NewOption(label, mode))
	}
	if m.a.mode == "" || m.a.mode == dind.ModeMixed {
		m.a.mode = dind.ModeSocket
	}
	return selectOf(m, "Which Docker-in-Docker mode?", opts, &m.a.mode)
}

// modeView is the current mode, the question, and the highlighted mode's
// security note: beside the question on wide terminals, below it otherwise,
// shortened when the terminal is short.
func (m *Model) modeView(w, h int) string {
	current := m.st.Subtle.Render("Now: ") + m.a.currentModes()
	current = render.Wrap(current, w)
	form := strings.TrimRight(m.form.View(), "\n ")
	if w >= sideBySide {
		left := lipgloss.NewStyle().Width(m.formWidthBeside()).Render(form)
		noteW := w - lipgloss.Width(left) - 2
		note := m.fitNote(m.a.mode, noteW, h-lipgloss.Height(current)-1)
		return current + "\n\n" + lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", note)
	}
	used := lipgloss.Height(current) + 1 + lipgloss.Height(form) + 1
	return current + "\n\n" + form + "\n\n" + m.fitNote(m.a.mode, min(w, 80), h-used)
}

// formWidthBeside is the question's width when a note stands beside it:
// the longest option with its "← now" mark and the form's border and cursor.
func (m *Model) formWidthBeside() int {
	w := 0
	for _, mode := range modes {
		w = max(w, lipgloss.Width(modeLabel(mode)+nowMark))
	}
	return w + 6
}

// fitNote is the security note for mode in at most h lines: the long
// note, else its first paragraph, else its title.
func (m *Model) fitNote(mode dind.Mode, w, h int) string {
	note := m.st.SecurityNote(mode, w)
	if lipgloss.Height(note) <= h {
		return note
	}
	n := render.SecurityNote(mode)
	box := m.st.NoteBox
	if !n.Risky {
		box = m.st.NoteSafe
	}
	inner := max(w-box.GetHorizontalFrameSize(), 20)
	short := m.st.NoteTitle.Render(render.Wrap(n.Title, inner)) + "\n" + render.Wrap(n.Paragraphs[0], inner)
	if note = box.Width(inner + box.GetHorizontalPadding()).Render(short); lipgloss.Height(note) <= h {
		return note
	}
	return m.st.NoteTitle.Render(render.Wrap(n.Title+" (the whole note: on the review screen)", w))
}

// intro is what the screen shows around the question, for plain prompts:
// the current mode and both security notes in full.
func (*modeScreen) intro(m *Model) string {
	var b strings.Builder
	b.WriteString("Now: " + m.a.currentModes() + ".")
	for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged} {
		b.WriteString("\n\nAbout " + string(mode) + " mode. " + render.SecurityNote(mode).Plain(0))
	}
	b.WriteString("\n\nThe modes: " + modeSentence(dind.ModeSocket) + "; " + modeSentence(dind.ModePrivileged) + "; " + modeSentence(dind.ModeNone) + ".")
	return b.String()
}
