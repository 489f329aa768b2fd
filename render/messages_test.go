package render

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/rollout"
)

// Every line for people on standard error has the one prefix scheme.
func TestMessagePrefixes(t *testing.T) {
	for _, c := range []struct{ line, prefix string }{
		{ReplacementWarning("teamcity"), "tcdind: warning: updating stack teamcity"},
		{SecurityNotePlain(dind.ModeSocket), "tcdind: security: in socket mode"},
		{SecurityNotePlain(dind.ModePrivileged), "tcdind: security: in privileged mode"},
		{RolloutLinePlain(rollout.Line{Kind: rollout.Note, Text: "ECS was not read"}), "tcdind: note: ECS was not read"},
		{RolloutLinePlain(rollout.Line{Kind: rollout.Failing, Text: "the rollout is failing"}), "tcdind: the rollout is failing"},
		{ErrorLine("no mode"), "tcdind: no mode"},
	} {
		if !strings.HasPrefix(c.line, c.prefix) {
			t.Errorf("%q does not start with %q", c.line, c.prefix)
		}
	}
}
