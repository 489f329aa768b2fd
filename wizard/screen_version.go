package wizard

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// versionScreen asks the TeamCity version that pins an agent image tagged
// latest to its -sudo variant: latest has none, and tcdind never guesses.
type versionScreen struct{ question }

// needsVersion reports the -sudo image chosen for an agent tag that names
// no version, with no version given yet or the question asked before.
func (m *Model) needsVersion() bool {
	return m.a.mode == dind.ModePrivileged && m.a.recipe == recipeSudoImage && m.sudoNeed() == sudoVersion
}

func (s *versionScreen) enter(m *Model) tea.Cmd {
	if m.a.agentVersion == "" && m.a.tmpl != nil {
		// The server's version where the template (or the stack's
		// deployed values) pins it.
		m.a.agentVersion = m.a.tmpl.ServerVersion(m.a.options())
	}
	return m.ask(s)
}

func (*versionScreen) field(m *Model) huh.Field {
	return huh.NewInput().
		Title("TeamCity version for the agent's -sudo image").
		Placeholder("a version such as 2025.07").
		Value(&m.a.agentVersion).
		Validate(func(s string) error { return dind.CheckAgentVersion(strings.TrimSpace(s)) })
}

func (*versionScreen) intro(m *Model) string {
	suffix := "-linux-sudo"
	if m.a.agentArch() == dind.ArchARM64 {
		suffix = "-linux-arm64-sudo"
	}
	return "The agent image is tagged latest, which has no -sudo variant, and privileged mode needs one to start Docker. " +
		"Give the TeamCity version to pin, the server's (for example 2025.07): the agent's image becomes <version>" + suffix +
		" and the server's image stays as it is. Flag: --agent-version."
}

func (s *versionScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(s.intro(m), min(w, 90))))
}

func (*versionScreen) submit(m *Model) tea.Cmd {
	m.a.agentVersion = strings.TrimSpace(m.a.agentVersion)
	return m.enter(m.nextStep(stepVersion))
}
