package wizard

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// containerTitle is the container question.
const containerTitle = "No container runs jetbrains/teamcity-agent. Which container is the TeamCity agent?"

// containerScreen asks which container is the agent when the agent rule
// finds none (an agent built on an image of its own): the answer names it
// as --container does.
type containerScreen struct {
	question
	chosen string
}

func (s *containerScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*containerScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(
		"Only the container you choose gets Docker-in-Docker, in every task definition that has it; the others stay as they are.", w)))
}

func (s *containerScreen) field(m *Model) huh.Field {
	var opts []huh.Option[string]
	for _, c := range containerChoices(m.a.parsed) {
		opts = append(opts, huh.NewOption(c[0], c[1]))
	}
	// A template may have no agent at all (a web service's): the last
	// answer says so.
	opts = append(opts, huh.NewOption("None of these: there is no TeamCity agent here", noneOfThese))
	if len(m.a.containers) == 1 {
		s.chosen = m.a.containers[0]
	}
	if s.chosen == noneOfThese || s.chosen == "" || !slices.ContainsFunc(opts, func(o huh.Option[string]) bool { return o.Value == s.chosen }) {
		s.chosen = opts[0].Value
	}
	return selectOf(m, containerTitle, opts, &s.chosen)
}

// noneOfThese is the container answer that names none: no container
// name holds a NUL (and huh takes an empty value for unset).
const noneOfThese = "\x00none"

func (s *containerScreen) submit(m *Model) tea.Cmd {
	if s.chosen == noneOfThese {
		e := errorFor(dind.ErrNoAgent, "", m.sourceStep())
		e.hint = "Nothing was written. Press esc and give a template with the agent's ECS task definition; if a container is the agent after all, run tcdind --container NAME."
		return m.fail(e)
	}
	if err := m.a.nameAgent(m.cfg, s.chosen); err != nil {
		e := errorFor(err, "tcdind cannot edit container "+s.chosen, stepContainer)
		return m.fail(e)
	}
	return m.enter(m.nextStep(stepContainer))
}

// containerChoices are the options of the container question, label and
// name: the name in a column, then the image with its registry shortened.
func containerChoices(t *dind.Template) [][2]string {
	if t == nil {
		return nil
	}
	cs := t.AllContainers()
	w := 0
	for _, c := range cs {
		w = max(w, len(c.Name))
	}
	out := make([][2]string, 0, len(cs))
	for _, c := range cs {
		img := shortImage(c.Image)
		if img == "" {
			img = "(image not known before deploy)"
		}
		out = append(out, [2]string{fmt.Sprintf("%-*s  %s", w, c.Name, img), c.Name})
	}
	return out
}

// shortImage drops an image's registry host: …/ci/tc-agent-custom:1.2.
func shortImage(img string) string {
	host, rest, ok := strings.Cut(img, "/")
	if ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		return "…/" + rest
	}
	return img
}

// nameAgent makes name the agent container, as --container NAME does: the
// task definitions that have it are the agents. A template whose named
// agents cannot be edited (Fargate) is refused and nothing is named.
func (a *answers) nameAgent(cfg Config, name string) error {
	named, err := a.parsed.WithContainers([]string{name})
	if err == nil {
		err = editable(named)
	}
	if err != nil {
		return err
	}
	if !slices.Equal(a.containers, []string{name}) {
		// Another agent: the task definition answer was for the other one.
		a.taskDef, a.taskDefs = "", nil
		if ids := cfg.TaskDefinitions; len(ids) > 0 {
			a.taskDefs = slices.Clone(ids)
			if len(ids) == 1 {
				a.taskDef = ids[0]
			}
		}
	}
	a.containers, a.tmpl = []string{name}, named
	a.defaultMode(cfg)
	return nil
}
