// Package render turns tcdind's results into text for people: diffs, notes,
// change summaries and progress lines, styled with lipgloss or plain.
package render

import "github.com/tcdind/tcdind/dind"

// SecurityNotePlain is the short security note for mode, for plain output;
// empty for ModeNone.
func SecurityNotePlain(mode dind.Mode) string {
	switch mode {
	case dind.ModeSocket:
		return "security: in socket mode every build on this agent can start containers on the EC2 host's Docker daemon with host mounts: that is root on the instance and access to every other container on it, other agents included. Use it only for trusted builds on agent-only instances."
	case dind.ModePrivileged:
		return "security: in privileged mode the agent container has all capabilities and devices: a build can escape to the EC2 host as root, and builds are not isolated from each other. Use it only for trusted builds on agent-only instances."
	}
	return ""
}
