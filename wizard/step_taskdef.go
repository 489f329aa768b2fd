package wizard

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/dind"
)

// taskDefForm asks which agent task definition to edit, or all of them.
func (m *Model) taskDefForm() *huh.Form {
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
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().
			Title("Which agent task definition?").
			Options(opts...).
			Value(&m.a.taskDef),
	))
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
