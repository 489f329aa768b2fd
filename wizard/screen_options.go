package wizard

import (
	"errors"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// recipeChoice is one answer of the recipe question for a mode.
type recipeChoice struct {
	recipe recipe
	label  string
	about  string
}

// recipeChoices are the recipe answers that mean something for the mode
// and the agent image: the -sudo choice only where it changes the tag.
func recipeChoices(m *Model) []recipeChoice {
	if m.a.mode != dind.ModePrivileged {
		return modeRecipes(m.a.mode, "", "")
	}
	suffix, why := "-linux-sudo", ""
	if m.a.agentArch() == dind.ArchARM64 {
		suffix = "-linux-arm64-sudo"
		why = " The agents' hosts are arm64"
		if m.a.arch != "" {
			why = " The agent is arm64 (--agent-arch)"
		}
		why += ", and JetBrains publishes no multi-architecture -sudo tag."
	}
	choices := modeRecipes(m.a.mode, suffix, why)
	need := m.sudoNeed()
	if need != sudoNothing {
		// The complete recipe alone leaves an image that cannot start
		// Docker, which tcdind refuses (issue 17): the -sudo image is the
		// complete recipe here, first and the default. (Recommended in the
		// text beside it, not the label: a longer label wraps at 60
		// columns into what reads as a choice.)
		choices = slices.DeleteFunc(choices, func(c recipeChoice) bool { return c.recipe == recipeComplete })
		for i, c := range choices {
			if c.recipe == recipeSudoImage {
				choices[i].about = "Recommended. " + choices[i].about + " Without it this image cannot start Docker, so tcdind offers no complete recipe that keeps the tag."
			}
		}
	}
	switch need {
	case sudoNothing:
		return slices.DeleteFunc(choices, func(c recipeChoice) bool { return c.recipe == recipeSudoImage })
	case sudoVersion:
		for i, c := range choices {
			if c.recipe == recipeSudoImage {
				choices[i] = recipeChoice{recipeSudoImage, "Complete, and a -sudo image pinned to a version",
					"Recommended. The complete recipe, and the agent image gets a -sudo tag of its own: its tag (latest) has no -sudo variant, " +
						"so you give the TeamCity version next (the server's, for example 2025.07) and the agent runs " +
						"<version>" + suffix + "; the server's image stays as it is. Since 2020.2 the image starts Docker with sudo, " +
						"which only the -sudo tags have." + why + " Without it this image cannot start Docker, so tcdind offers no complete recipe that keeps the tag."}
			}
		}
	}
	return choices
}

// modeRecipes are the recipe answers of mode; privileged's -sudo image is
// suffix (-linux-sudo, or -linux-arm64-sudo on arm64), for the reason why.
func modeRecipes(mode dind.Mode, suffix, why string) []recipeChoice {
	switch mode {
	case dind.ModeSocket:
		return []recipeChoice{
			{recipeComplete, "Complete (recommended)",
				"Mounts /var/run/docker.sock; runs the agent as root where no User is set " +
					"(the image runs as buildagent, which cannot use the socket); and mounts " +
					"/opt/buildagent/{work,temp,tools,plugins,system} at the same paths on the host, " +
					"so that TeamCity's Docker Wrapper and docker run -v with checkout paths see the files. " +
					"One agent per instance."},
			{recipeNoBuildDirs, "Complete, without the build directory mounts",
				"The complete recipe without the /opt/buildagent host mounts: several agents can " +
					"share an instance, but containers started by builds do not see the agent's files."},
			{recipeMinimal, "Minimal: only the blog post's edits",
				"Only the docker.sock volume and its mount. The agent keeps its user; since " +
					"TeamCity 2020.1 that is buildagent, which may not be allowed to use the socket."},
		}
	case dind.ModePrivileged:
		return []recipeChoice{
			{recipeComplete, "Complete (recommended)",
				"Privileged: true, DOCKER_IN_DOCKER=start so that the image starts its own " +
					"Docker daemon, and a task volume for /var/lib/docker (overlayfs inside " +
					"overlayfs fails or crawls). The image tag stays as it is."},
			{recipeSudoImage, "Complete, and the " + suffix + " image",
				"The complete recipe, and the agent image's tag becomes its -sudo variant " +
					"(2025.07 becomes 2025.07" + suffix + "), in the image or in the parameter that holds it: " +
					"since 2020.2 the image starts Docker with sudo, which only the -sudo tags have." + why},
			{recipeMinimal, "Minimal: only the blog post's edits",
				"Only Privileged: true. Without DOCKER_IN_DOCKER=start the image does not " +
					"start a Docker daemon."},
		}
	}
	return nil
}

// optionsScreen asks for the recipe of the chosen mode.
type optionsScreen struct{ question }

func (s *optionsScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*optionsScreen) submit(m *Model) tea.Cmd {
	m.a.recipeAnsweredFor = m.a.mode
	return m.enter(m.nextStep(stepOptions))
}

func (*optionsScreen) view(m *Model, w, h int) body { return m.optionsView(w, h) }

func (*optionsScreen) field(m *Model) huh.Field {
	choices := recipeChoices(m)
	var opts []huh.Option[recipe]
	known := false
	for _, c := range choices {
		opts = append(opts, huh.NewOption(c.label, c.recipe))
		known = known || c.recipe == m.a.recipe
	}
	if !known && len(choices) > 0 {
		m.a.recipe = choices[0].recipe
	}
	if m.a.recipeAnsweredFor != m.a.mode && m.a.recipe == recipeComplete && slices.ContainsFunc(choices, func(c recipeChoice) bool { return c.recipe == recipeSudoImage }) {
		// Asked for the first time, the recommended -sudo choice is the
		// default; an answer given (and esc back) stays as it was.
		m.a.recipe = recipeSudoImage
	}
	return selectOf(m, "Which recipe for "+string(m.a.mode)+" mode?", opts, &m.a.recipe)
}

// optionsView is the recipe question and what the highlighted recipe writes.
func (m *Model) optionsView(w, h int) body {
	form := m.formBody()
	about := ""
	for _, c := range recipeChoices(m) {
		if c.recipe == m.a.recipe {
			about = c.about
		}
	}
	text := m.st.Subtle.Render(render.Wrap(about, min(w, 80)))
	if w >= sideBySide {
		left := lipgloss.NewStyle().Width(m.formWidthBeside()).Render(form)
		rightW := w - lipgloss.Width(left) - 2
		right := m.pane.window(m, m.st.Subtle.Render(render.Wrap(about, rightW)), rightW, h, false)
		return body{bottom: lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", right)}
	}
	return body{bottom: form, scroll: text, scrollLast: true}
}

// intro says what each recipe writes, for plain prompts.
func (*optionsScreen) intro(m *Model) string {
	var parts []string
	for _, c := range recipeChoices(m) {
		parts = append(parts, c.label+". "+c.about)
	}
	return strings.Join(parts, "\n")
}

// sudoNeed is what the -sudo image choice would do to the agent image.
type sudoNeed int

const (
	sudoNothing sudoNeed = iota // the tag stays: already -sudo, not JetBrains', not known
	sudoSwitch                  // the tag becomes its -sudo variant
	sudoVersion                 // latest: a version is needed to pin
)

// sudoNeed tries the -sudo image on the answers so far, without a version
// of the user's, so that the recipe question never offers a choice that
// changes nothing.
func (m *Model) sudoNeed() sudoNeed {
	if m.a.tmpl == nil {
		return sudoSwitch
	}
	a := m.a
	a.recipe, a.agentVersion = recipeSudoImage, ""
	res, err := m.a.tmpl.Apply(a.options())
	var vn *dind.VersionNeededError
	switch {
	case errors.As(err, &vn):
		return sudoVersion
	case err == nil && res.SudoTag:
		return sudoSwitch
	}
	return sudoNothing
}
