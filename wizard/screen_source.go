package wizard

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// sourceScreen asks where the template is: a file or URL, or a stack.
type sourceScreen struct{ question }

func (s *sourceScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*sourceScreen) field(m *Model) huh.Field {
	return selectOf(m, "Where is the TeamCity stack's template?", []huh.Option[sourceKind]{
		huh.NewOption("A template file or URL", sourceTemplate),
		huh.NewOption(stackLabel(m.cfg.Region), sourceStack),
	}, &m.a.source).
		Description(sourceAbout)
}

func stackLabel(region string) string {
	if region != "" {
		return "An existing stack in " + region
	}
	return "An existing CloudFormation stack"
}

func (*sourceScreen) submit(m *Model) tea.Cmd {
	if m.a.source == sourceTemplate {
		return m.enter(stepTemplate)
	}
	if m.skip[stepRegion] {
		return m.enter(stepStacks)
	}
	return m.enter(stepRegion)
}

const sourceAbout = "tcdind edits the ECS task definition of the TeamCity build agent so that builds can run docker."
