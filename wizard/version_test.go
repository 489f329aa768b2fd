package wizard

// The -sudo image on an agent tagged latest (issue 17, item 2): latest has
// no -sudo variant (JetBrains publishes -sudo tags for versions only:
// https://github.com/JetBrains/teamcity-docker-images/blob/master/dockerhub/teamcity-agent/README.md,
// and JetBrains/teamcity-docker-images #2 and #12 ask for a latest one), so
// the wizard asks the version to pin, and never offers a -sudo choice that
// changes nothing.

import (
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/dind"
)

// toVersion walks from the mode question to the version question.
func toVersion(r *run) {
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown)
	r.waitFor("Privileged mode gives")
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for privileged mode?")
	if s := r.screen(); !strings.Contains(s, "> Complete, and a -sudo image pinned to a version") {
		// latest cannot start Docker: the -sudo choice is recommended and
		// chosen already (review2).
		r.t.Fatalf("the -sudo choice for latest should say it pins a version and be the default:\n%s", s)
	}
	// It is the first choice: latest cannot start Docker, so no complete
	// recipe keeps the tag.
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity version for the agent's -sudo image")
}

func TestScreenAgentVersion(t *testing.T) {
	r := start(t, Config{Template: "testdata/latest.yaml"}, termW, termH)
	toVersion(r)
	r.snapshot()
}

// TestAgentVersionPinsTheAgent: the version typed pins the agent's image
// in the file saved, the server keeps latest.
func TestAgentVersionPinsTheAgent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "latest.dind.yaml")
	r := start(t, Config{Template: "testdata/latest.yaml", Output: out}, termW, termH)
	toVersion(r)
	r.typeText("2025.07")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to write")
	if s := r.screen(); !strings.Contains(s, "2025.07-linux-sudo") {
		t.Fatalf("the review should show the pinned tag:\n%s", s)
	}
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	o := dind.DefaultOptions(dind.ModePrivileged)
	o.SudoImage, o.AgentVersion = true, "2025.07"
	assertFile(t, out, want(t, "latest.yaml", o))
}

// TestVersionRefusesATag: the version is a version, not a tag.
func TestVersionRefusesATag(t *testing.T) {
	r := start(t, Config{Template: "testdata/latest.yaml", Mode: dind.ModePrivileged, SudoImage: true, RecipeGiven: true}, termW, termH)
	r.waitFor("TeamCity version for the agent's -sudo image")
	r.typeText("latest")
	r.key(tea.KeyEnter)
	r.waitFor("is not a TeamCity version")
}

// TestOptionsOfferNoSudoThatChangesNothing: a tag that is already -sudo,
// or an image that is not JetBrains', gets no -sudo choice.
func TestOptionsOfferNoSudoThatChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"already-sudo", Config{Template: "testdata/sudo.yaml"}},
		{"not-jetbrains", Config{Template: customAgent, Containers: []string{"agent"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := start(t, tc.cfg, termW, termH)
			r.waitFor("Which Docker-in-Docker mode?")
			r.key(tea.KeyDown)
			r.waitFor("Privileged mode gives")
			r.key(tea.KeyEnter)
			r.waitFor("Which recipe for privileged mode?")
			if s := r.screen(); strings.Contains(s, "-sudo image") {
				t.Fatalf("a -sudo choice that changes nothing is offered:\n%s", s)
			}
		})
	}
}
