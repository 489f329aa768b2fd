package dind_test

// Template values quoted in warnings and refusals read as the template
// author wrote them: intrinsic functions in short form, not their arguments
// run together.

import (
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

func TestConditionalUserReadable(t *testing.T) {
	for _, tc := range []struct {
		name, user, want string
		isIf             bool
	}{
		{"short", "!If [IsRoot, root, buildagent]", "!If [IsRoot, root, buildagent]", true},
		{"long", `{"Fn::If": ["IsRoot", "root", "buildagent"]}`, "!If [IsRoot, root, buildagent]", true},
		{"ref", "!Ref AgentUser", "!Ref AgentUser", false},
		{"nested", "!If [IsRoot, !Ref RootName, {Ref: AgentUser}]", "!If [IsRoot, !Ref RootName, !Ref AgentUser]", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := sudoTemplate("  AgentUser:\n    Type: String\n    Default: buildagent\n  RootName:\n    Type: String\n    Default: admin\n",
				"jetbrains/teamcity-agent:2025.07", "")
			src = []byte(strings.Replace(string(src), "          Memory: 2048\n", "          Memory: 2048\n          User: "+tc.user+"\n", 1))
			// The complete socket recipe warns about a plain User that is not
			// root, and refuses an Fn::If that is not root on every branch:
			// making it root would mean editing one branch (checks.go).
			res, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket))
			var re *dind.RefusedError
			switch {
			case tc.isIf && (!errors.As(err, &re) || !strings.Contains(err.Error(), "not root on every branch ("+tc.want+")")):
				t.Errorf("socket: want a refusal with the user written %q, got %v", tc.want, err)
			case !tc.isIf && err != nil:
				t.Fatalf("socket: %v", err)
			case !tc.isIf && warningWith(res, "runs as user "+tc.want+":") == "":
				t.Errorf("socket: want the user written %q, got %q", tc.want, res.Warnings)
			}
			// The minimal recipe leaves User alone; none then says it stays.
			res = mustApply(t, src, withMinimal(dind.DefaultOptions(dind.ModeSocket)))
			res = mustApply(t, res.Output, dind.DefaultOptions(dind.ModeNone))
			if warningWith(res, "User: "+tc.want) == "" {
				t.Errorf("none: want the user written %q, got %q", tc.want, res.Warnings)
			}
		})
	}
}
