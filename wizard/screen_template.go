package wizard

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/source"
)

// templateScreen asks for the template's path or URL.
type templateScreen struct{ question }

func (s *templateScreen) enter(m *Model) tea.Cmd {
	m.a.forgetLoaded()
	return m.ask(s)
}

func (*templateScreen) field(m *Model) huh.Field {
	if m.plain {
		// A plain prompt keeps its value on an empty answer; here an
		// empty answer is JetBrains' template, as the question says (and
		// never the name that just failed to load).
		m.a.templateArg = ""
	}
	return huh.NewInput().
		Title("Template file or https URL").
		Description(templateAbout).
		Placeholder("empty: JetBrains' template").
		Value(&m.a.templateArg)
}

func (*templateScreen) submit(m *Model) tea.Cmd { return m.enter(stepLoading) }

// templateAbout is the question's description, said before it in plain
// prompts.
const templateAbout = "A CloudFormation template in YAML or JSON. Leave it empty to start from JetBrains' published template, downloaded from:\n" + source.JetBrainsTemplateURL

func (*templateScreen) intro(*Model) string { return templateAbout }
