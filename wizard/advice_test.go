package wizard

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// TestReviewNoFlagAdvice: privileged mode whose image cannot start Docker
// is refused on the review (issue 17), and the refusal says what to do in
// the wizard's terms, never "pass --sudo-image" or "pass --agent-version"
// (review2: no flag can be passed there).
func TestReviewNoFlagAdvice(t *testing.T) {
	for _, tmpl := range []string{"testdata/one.yaml", "testdata/latest.yaml"} {
		r := start(t, Config{Template: tmpl, Mode: dind.ModePrivileged, Output: "unused.yaml"}, termW, termH)
		r.waitFor("Docker cannot start in this agent image")
		r.waitFor("go back to the")
		s := r.screen()
		r.final()
		for _, flag := range []string{"--sudo-image", "--agent-version"} {
			if strings.Contains(s, flag) {
				t.Errorf("%s: the refusal names %s:\n%s", tmpl, flag, s)
			}
		}
	}
}
