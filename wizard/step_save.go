package wizard

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// saveForm asks where to save, proposing <name>.dind<ext>.
func (m *Model) saveForm() *huh.Form {
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().
			Title("Save the patched template as").
			Value(&m.a.output).
			Validate(checkOutput),
	))
}

// overwriteForm asks before replacing an existing file.
func (m *Model) overwriteForm() *huh.Form {
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[bool]().
			Title(m.a.output+" already exists. Replace it?").
			Options(
				huh.NewOption("No, choose another name", false),
				huh.NewOption("Yes, replace it", true),
			).
			Value(&m.a.overwrite),
	))
}

// write saves the patched template, atomically.
func (m *Model) write() tea.Cmd {
	path := strings.TrimSpace(m.a.output)
	if err := save(path, m.result.Output); err != nil {
		m.a.explicitOut = false // ask for the name from now on
		e := errorFor(err, "Could not save the template", stepSave)
		e.hint = "Nothing was written. Press esc to choose another name."
		return m.fail(e)
	}
	m.written, m.finished = path, true
	m.step, m.form = stepDone, nil
	return nil
}
