// Package render turns tcdind's results into text for people: diffs, notes,
// change summaries and progress lines, styled with lipgloss or plain.
package render

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/dind"
)

// ModeSummary is what a mode does, in a few words, for choosing one.
func ModeSummary(mode dind.Mode) string {
	switch mode {
	case dind.ModeSocket:
		return "use the EC2 host's Docker daemon"
	case dind.ModePrivileged:
		return "run a Docker daemon inside the agent"
	}
	return "no Docker for builds: undo both"
}

// SecurityNotePlain is the short security note for mode, for plain output;
// empty for ModeNone.
func SecurityNotePlain(mode dind.Mode) string {
	switch mode {
	case dind.ModeSocket:
		return SecurityLine("in socket mode every build on this agent can start containers on the EC2 host's Docker daemon with host mounts: that is root on the instance and access to every other container on it, other agents included. Use it only for trusted builds on agent-only instances.")
	case dind.ModePrivileged:
		return SecurityLine("in privileged mode the agent container has all capabilities and devices: a build can escape to the EC2 host as root, and builds are not isolated from each other. Use it only for trusted builds on agent-only instances.")
	}
	return ""
}

// Note is the long security note of a mode, shown where the mode is chosen
// and again before anything is written.
type Note struct {
	Title string
	// Paragraphs in order: the risk, who should accept it, the alternatives.
	Paragraphs []string
	// Risky is false for ModeNone, which takes Docker away again.
	Risky bool
}

const (
	noteWho = "Accept this only for trusted builds (your own code, no untrusted pull requests) " +
		"on EC2 instances that run nothing but build agents. JetBrains' template already keeps " +
		"agents on their own instances with the placement constraint " +
		"memberOf attribute:teamcity.node-responsibility == buildAgent; keep it."
	// Not Kaniko: its repository was archived in June 2025 (recipes.md).
	noteAlternatives = "Alternatives without root on the host: rootless BuildKit or Buildah to build " +
		"images, or the sysbox container runtime (on ECS, a custom AMI) for Docker inside " +
		"containers (tcdind does not configure them)."
)

// SecurityNote is the long note for mode.
func SecurityNote(mode dind.Mode) Note {
	switch mode {
	case dind.ModeSocket:
		return Note{
			Title: "Security: every build on this agent gets root on the EC2 host",
			Paragraphs: []string{
				"Socket mode hands builds the host's Docker daemon. A build can start containers " +
					"with host mounts: that is root on the instance, and access to every other " +
					"container on it, other agents included.",
				noteWho,
				noteAlternatives,
			},
			Risky: true,
		}
	case dind.ModePrivileged:
		return Note{
			Title: "Security: every build on this agent gets root on the EC2 host",
			Paragraphs: []string{
				"Privileged mode gives the agent container all capabilities and devices. " +
					"Escaping to the instance as root is trivial, and builds are no longer " +
					"isolated from each other.",
				noteWho,
				noteAlternatives,
			},
			Risky: true,
		}
	}
	return Note{
		Title: "No Docker for builds",
		Paragraphs: []string{
			"Takes away what socket and privileged mode add: the docker.sock mount, " +
				"Privileged, DOCKER_IN_DOCKER and the /var/lib/docker volume. " +
				"User and the build directory mounts stay; remove them by hand if nothing needs them.",
			"Builds on this agent can no longer run docker.",
		},
	}
}

// Plain is the note as plain text wrapped to width (0: no wrapping).
func (n Note) Plain(width int) string {
	var b strings.Builder
	b.WriteString(wrap(n.Title, width))
	for _, p := range n.Paragraphs {
		b.WriteString("\n\n")
		b.WriteString(wrap(p, width))
	}
	return b.String()
}

// SecurityNote renders the long note for mode in a box width columns wide.
func (s Styles) SecurityNote(mode dind.Mode, width int) string {
	n := SecurityNote(mode)
	box := s.NoteBox
	if !n.Risky {
		box = s.NoteSafe
	}
	inner := max(width-box.GetHorizontalFrameSize(), 20)
	var b strings.Builder
	b.WriteString(s.NoteTitle.Render(wrap(n.Title, inner)))
	for _, p := range n.Paragraphs {
		b.WriteString("\n\n")
		b.WriteString(s.Text.Render(wrap(p, inner)))
	}
	return box.Width(inner + box.GetHorizontalPadding()).Render(b.String())
}

// wrap wraps text at spaces to width columns; width <= 0 leaves it alone.
func wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	// ansi.Wrap always breaks after a hyphen, which splits names such as
	// teamcity.node-responsibility and -linux-sudo; wrap them as one word.
	const nonBreakingHyphen = "\u2011"
	wrapped := ansi.Wrap(strings.ReplaceAll(text, "-", nonBreakingHyphen), width, "")
	return strings.ReplaceAll(wrapped, nonBreakingHyphen, "-")
}

// Wrap wraps text at spaces to width columns; width <= 0 leaves it alone.
func Wrap(text string, width int) string { return wrap(text, width) }
