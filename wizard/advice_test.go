package wizard

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// TestReviewNoFlagAdvice: the review of a privileged run whose image cannot
// start Docker says what to do in the wizard's terms, never "pass
// --sudo-image" or "pass --agent-version" (review2: both were shown on the
// review, where no flag can be passed).
func TestReviewNoFlagAdvice(t *testing.T) {
	for _, tmpl := range []string{"testdata/one.yaml", "testdata/latest.yaml"} {
		r := start(t, Config{Template: tmpl, Mode: dind.ModePrivileged, Output: "unused.yaml"}, termW, termH)
		r.waitFor("Press enter to write")
		m := r.final()
		ws := strings.Join(m.reviewWarnings(), "\n")
		if !strings.Contains(ws, "cannot start Docker") {
			t.Errorf("%s: no warning that Docker cannot start: %q", tmpl, ws)
		}
		for _, flag := range []string{"--sudo-image", "--agent-version"} {
			if strings.Contains(ws, flag) {
				t.Errorf("%s: the review's warnings name %s:\n%s", tmpl, flag, ws)
			}
		}
		if !strings.Contains(ws, "go back to the recipe question with esc") {
			t.Errorf("%s: the warnings do not say what to do in the wizard:\n%s", tmpl, ws)
		}
	}
}
