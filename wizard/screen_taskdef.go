package wizard

import (
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// taskDefScreen asks which agent task definition to edit, or all of them.
type taskDefScreen struct{ question }

func (s *taskDefScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*taskDefScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(
		"This template has "+strconv.Itoa(len(m.a.tmpl.Agents()))+" task definitions that run a TeamCity agent.", w)))
}

func (*taskDefScreen) submit(m *Model) tea.Cmd {
	m.a.taskDefs = nil
	return m.enter(m.nextStep(stepTaskDef))
}

func (*taskDefScreen) field(m *Model) huh.Field {
	agents := m.a.tmpl.Agents()
	var opts []huh.Option[string]
	for _, td := range agents {
		opts = append(opts, huh.NewOption(taskDefLabel(td), td.LogicalID))
	}
	opts = append(opts, huh.NewOption("All "+strconv.Itoa(len(agents))+" of them", allTaskDefinitions))
	if m.a.taskDef == "" {
		m.a.taskDef = agents[0].LogicalID
		if len(m.a.taskDefs) > 1 {
			m.a.taskDef = allTaskDefinitions
		}
	}
	return selectOf(m, "Which agent task definition?", opts, &m.a.taskDef)
}

// taskDefLabel names a task definition with its agent containers and
// mode, short enough for one line.
func taskDefLabel(td dind.TaskDefinition) string {
	var names []string
	for _, c := range td.Containers {
		names = append(names, c.Name)
	}
	what := "container "
	if len(names) > 1 {
		what = "containers "
	}
	label := td.LogicalID + "  (" + what + strings.Join(names, ", ")
	if td.Refusal != "" {
		return label + "; cannot be edited: " + td.Refusal + ")"
	}
	return label + "; now " + string(td.Mode()) + ")"
}

func (*taskDefScreen) intro(m *Model) string {
	return "This template has " + strconv.Itoa(len(m.a.tmpl.Agents())) + " task definitions that run a TeamCity agent."
}
