package wizard

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// asker is a screen that is one question: its huh field is built once per
// entry and run either in the full-screen form or as an accessible prompt.
type asker interface {
	screen
	submitter
	field(m *Model) huh.Field
}

// question is the behaviour every one-question screen shares: the form
// gets the keys, the body is the form under an optional intro.
type question struct{}

func (question) update(*Model, tea.Msg) (tea.Cmd, bool) { return nil, false }
func (question) hints(m *Model) []hint                  { return m.formHints() }
func (question) view(m *Model, _, _ int) body           { return m.formView("") }

// ask shows a's field as the screen's form.
func (m *Model) ask(a asker) tea.Cmd {
	return m.setForm(huh.NewForm(huh.NewGroup(a.field(m))))
}
