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
	top     int       // the note's first line shown, when it scrolls
	topOf   dind.Mode // the mode whose note top belongs to
	scrolls bool      // the last view scrolled the note
}

func (s *modeScreen) enter(m *Model) tea.Cmd { s.top = 0; return m.ask(s) }

func (*modeScreen) submit(m *Model) tea.Cmd { return m.enter(m.nextStep(stepMode)) }

func (s *modeScreen) view(m *Model, w, h int) string { return s.modeView(m, w, h) }

// update scrolls the note with pgup/pgdn; the other keys go to the form.
func (s *modeScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyMsg); ok && s.scrolls {
		switch k.Type {
		case tea.KeyPgDown:
			s.top += 3
			return nil, true
		case tea.KeyPgUp:
			s.top = max(s.top-3, 0)
			return nil, true
		}
	}
	return nil, false
}

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
// security note: beside the question on wide terminals, below it otherwise.
func (s *modeScreen) modeView(m *Model, w, h int) string {
	current := m.st.Subtle.Render("Now: ") + m.a.currentModes()
	current = render.Wrap(current, w)
	form := strings.TrimRight(m.form.View(), "\n ")
	if w >= sideBySide {
		left := lipgloss.NewStyle().Width(m.formWidthBeside()).Render(form)
		noteW := w - lipgloss.Width(left) - 2
		note := s.note(m, m.a.mode, noteW, h-lipgloss.Height(current)-1)
		return current + "\n\n" + lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", note)
	}
	used := lipgloss.Height(current) + 1 + lipgloss.Height(form) + 1
	return current + "\n\n" + form + "\n\n" + s.note(m, m.a.mode, min(w, 80), h-used)
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

// note is the whole security note for mode in at most h lines w wide: in
// its box when that fits; else with a bar on the left instead of the box
// and no blank lines; else that, scrolled from s.top, with a line that
// says how to read the rest. "Trusted builds only" is never cut off.
func (s *modeScreen) note(m *Model, mode dind.Mode, w, h int) string {
	s.scrolls = false
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
	lines := strings.Split(strings.Join(parts, "\n"), "\n")
	if len(lines) <= h {
		return bar.Render(strings.Join(lines, "\n"))
	}
	s.scrolls = true
	if s.topOf != mode {
		s.top, s.topOf = 0, mode
	}
	// The line under the note says how to read the rest; the footer
	// keeps its one line.
	shown := max(h-1, 1)
	s.top = min(s.top, max(len(lines)-shown, 0))
	end := min(s.top+shown, len(lines))
	more := fmt.Sprintf("note lines %d-%d of %d · pgup/pgdn scroll", s.top+1, end, len(lines))
	return bar.Render(strings.Join(lines[s.top:end], "\n")) + "\n" + m.st.Subtle.Render(render.Wrap(more, w))
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
