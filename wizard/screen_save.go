package wizard

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/render"
)

// saveScreen asks where to save, proposing <name>.dind<ext>.
type saveScreen struct{ question }

func (s *saveScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*saveScreen) field(m *Model) huh.Field {
	return huh.NewInput().
		Title("Save the patched template as").
		Value(&m.a.output).
		Validate(keepOnEmpty(&m.a.output, checkOutput))
}

func (*saveScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(render.SaveIntro(m.isStack()), w)))
}

func (*saveScreen) submit(m *Model) tea.Cmd {
	m.a.output = expandPath(m.a.output)
	if outputExists(m.a.output) {
		m.a.overwrite = false
		return m.enter(stepOverwrite)
	}
	return m.write()
}

// overwriteScreen asks before replacing an existing file.
type overwriteScreen struct{ question }

func (s *overwriteScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*overwriteScreen) field(m *Model) huh.Field {
	return selectOf(m, m.a.output+" already exists. Replace it?", []huh.Option[bool]{
		huh.NewOption("No, choose another name", false),
		huh.NewOption("Yes, replace it", true),
	}, &m.a.overwrite)
}

func (*overwriteScreen) submit(m *Model) tea.Cmd {
	if m.a.overwrite {
		return m.write()
	}
	return m.enter(stepSave)
}

// write saves the patched template, atomically.
func (m *Model) write() tea.Cmd {
	path := expandPath(m.a.output)
	if err := save(path, m.result.Output); err != nil {
		m.a.explicitOut = false // ask for the name from now on
		e := errorFor(err, "Could not save the template", stepSave)
		e.hint = "Nothing was written. Press esc to choose another name."
		return m.fail(e)
	}
	m.out.written, m.out.finished = path, true
	return m.enter(stepDone)
}

// expandPath reads a typed path as a shell would: surrounding quotes (a
// dragged and dropped file) are removed, and a leading ~ is the home
// directory.
func expandPath(p string) string {
	p = strings.TrimSpace(p)
	if len(p) >= 2 && (p[0] == '\'' && p[len(p)-1] == '\'' || p[0] == '"' && p[len(p)-1] == '"') {
		p = p[1 : len(p)-1]
	}
	if !strings.ContainsAny(p, "'\"") {
		p = strings.ReplaceAll(p, "\\ ", " ") // a dropped path with escaped spaces
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := userHome(); err == nil {
			p = home + p[1:]
		}
	}
	return p
}

func (*saveScreen) intro(m *Model) string { return render.SaveIntro(m.isStack()) }
