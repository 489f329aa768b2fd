package wizard

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// taskDefScreen asks which agent task definitions to edit: on screen a
// choice of several (x or space chooses), in plain prompts one of them or
// all.
type taskDefScreen struct {
	question
	chosen []string // the screen's answer: the IDs chosen
}

func (s *taskDefScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*taskDefScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(
		"This template has "+strconv.Itoa(len(m.a.tmpl.Agents()))+" task definitions that run a TeamCity agent.", w)))
}

func (s *taskDefScreen) submit(m *Model) tea.Cmd {
	m.a.taskDefs = nil
	if !m.plain {
		switch {
		case len(s.chosen) == len(m.a.tmpl.Agents()):
			m.a.taskDef = allTaskDefinitions
		case len(s.chosen) == 1:
			m.a.taskDef = s.chosen[0]
		default:
			m.a.taskDef, m.a.taskDefs = "", slices.Clone(s.chosen)
		}
	}
	return m.enter(m.nextStep(stepTaskDef))
}

func (s *taskDefScreen) field(m *Model) huh.Field {
	agents := m.a.tmpl.Agents()
	labels := taskDefLabels(agents)
	if m.a.taskDef == "" && len(m.a.taskDefs) == 0 {
		m.a.taskDef = agents[0].LogicalID
	}
	if !m.plain {
		s.chosen = nil
		for _, td := range m.a.selected() {
			s.chosen = append(s.chosen, td.LogicalID)
		}
		var opts []huh.Option[string]
		for i, td := range agents {
			opts = append(opts, huh.NewOption(labels[i], td.LogicalID))
		}
		return huh.NewMultiSelect[string]().
			Title("Which agent task definition? Choose one or more.").
			Options(opts...).
			Value(&s.chosen).
			Validate(func(ids []string) error {
				if len(ids) == 0 {
					return errors.New("choose at least one: x or space")
				}
				return nil
			})
	}
	var opts []huh.Option[string]
	for i, td := range agents {
		opts = append(opts, huh.NewOption(labels[i], td.LogicalID))
	}
	opts = append(opts, huh.NewOption("All "+strconv.Itoa(len(agents))+" of them", allTaskDefinitions))
	if len(m.a.taskDefs) > 1 {
		m.a.taskDef = allTaskDefinitions
	}
	return selectOf(m, "Which agent task definition?", opts, &m.a.taskDef)
}

// taskDefLabels name the task definitions in aligned columns: the logical
// ID, then the agent containers and their mode (or why tcdind cannot edit
// them).
func taskDefLabels(agents []dind.TaskDefinition) []string {
	w := 0
	for _, td := range agents {
		w = max(w, len(td.LogicalID))
	}
	out := make([]string, len(agents))
	for i, td := range agents {
		out[i] = padRight(td.LogicalID, w) + "  " + taskDefAbout(td)
	}
	return out
}

// taskDefAbout is a task definition's agent containers and their mode.
func taskDefAbout(td dind.TaskDefinition) string {
	var names []string
	for _, c := range td.Containers {
		names = append(names, c.Name)
	}
	if td.Refusal != "" {
		return strings.Join(names, ", ") + " (cannot be edited: " + td.Refusal + ")"
	}
	return strings.Join(names, ", ") + " (now " + string(td.Mode()) + ")"
}
