package render

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/tcdind/tcdind/dind"
)

const sampleDiff = `--- t.yaml
+++ t.yaml (dind)
@@ -1,3 +1,4 @@
 Resources:
-  Old: 1
+  New: 1
+  Privileged: true
`

func withProfile(t *testing.T, p termenv.Profile) {
	t.Helper()
	old := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(p)
	t.Cleanup(func() { lipgloss.SetColorProfile(old) })
}

func TestDiffColours(t *testing.T) {
	withProfile(t, termenv.ANSI)
	lipgloss.SetHasDarkBackground(true)
	lines := strings.Split(NewStyles(true).Diff(sampleDiff), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines, want 7:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i, want := range map[int]string{
		2: "\x1b[96m", // @@ cyan
		4: "\x1b[91m", // - red
		5: "\x1b[92m", // + green
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q lacks %q", i, lines[i], want)
		}
	}
	if strings.Contains(lines[3], "\x1b[9") {
		t.Errorf("context line coloured: %q", lines[3])
	}
}

func TestPlainStylesHaveNoColour(t *testing.T) {
	withProfile(t, termenv.ANSI)
	st := NewStyles(false)
	out := st.Diff(sampleDiff) + st.SecurityNote(dind.ModeSocket, 70) +
		st.Warnings([]string{"a warning"}, 70)
	for _, c := range []string{"\x1b[3", "\x1b[9"} {
		if strings.Contains(out, c) {
			t.Fatalf("plain styles print colour %q:\n%q", c, out)
		}
	}
	if got := stripANSI(st.Diff(sampleDiff)); got != strings.TrimSuffix(sampleDiff, "\n") {
		t.Errorf("plain diff changed the text:\n%s", got)
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestSecurityNotes(t *testing.T) {
	for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged} {
		text := SecurityNote(mode).Plain(0)
		for _, want := range []string{"root on the EC2 host", "trusted builds", "memberOf attribute:teamcity.node-responsibility == buildAgent", "rootless BuildKit", "Buildah", "sysbox", "custom AMI"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s note lacks %q", mode, want)
			}
		}
		if strings.Contains(text, "Kaniko") {
			t.Errorf("%s note names Kaniko, archived in June 2025", mode)
		}
		if SecurityNotePlain(mode) == "" {
			t.Errorf("%s: no plain note", mode)
		}
	}
	if SecurityNote(dind.ModeNone).Risky || SecurityNotePlain(dind.ModeNone) != "" {
		t.Error("mode none carries a risk note")
	}
	// The boxed note fits the width it is given.
	withProfile(t, termenv.Ascii)
	for _, w := range []int{40, 70, 100} {
		if got := lipgloss.Width(NewStyles(true).SecurityNote(dind.ModePrivileged, w)); got > w {
			t.Errorf("note %d columns wide for %d", got, w)
		}
	}
}

func TestChangesGrouped(t *testing.T) {
	withProfile(t, termenv.Ascii)
	res := &dind.Result{Changes: []dind.Change{
		{TaskDefinition: "Agent", Container: "teamcity-agent", Summary: "add Privileged: true"},
		{TaskDefinition: "Agent", Summary: "add volume docker-data"},
		{TaskDefinition: "Agent", Container: "teamcity-agent", Summary: "remove the docker.sock mount"},
	}}
	want := "Agent / container teamcity-agent\n" +
		"  + add Privileged: true\n" +
		"  - remove the docker.sock mount\n" +
		"\n" +
		"Agent\n" +
		"  + add volume docker-data"
	if got := NewStyles(false).Changes(res, 0); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestStacksDescriptionAgrees: one stack not checked is "1 stack was", not
// "1 stacks were" (review2).
func TestStacksDescriptionAgrees(t *testing.T) {
	for n, want := range map[int]string{1: " 1 stack was not checked for an agent", 3: " 3 stacks were not checked for an agent"} {
		if got := StacksDescription("eu-west-1", 0, 0, n, false, nil); !strings.Contains(got, want) {
			t.Errorf("%d skipped: %q lacks %q", n, got, want)
		}
	}
}
