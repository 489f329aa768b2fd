package dind_test

// Template values quoted in warnings read as the template author wrote
// them: intrinsic functions in short form, not their arguments run together.

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

func TestConditionalUserReadable(t *testing.T) {
	for _, tc := range []struct{ name, user, want string }{
		{"short", "!If [IsRoot, root, buildagent]", "!If [IsRoot, root, buildagent]"},
		{"long", `{"Fn::If": ["IsRoot", "root", "buildagent"]}`, "!If [IsRoot, root, buildagent]"},
		{"ref", "!Ref AgentUser", "!Ref AgentUser"},
		{"nested", "!If [IsRoot, !Ref RootName, {Ref: AgentUser}]", "!If [IsRoot, !Ref RootName, !Ref AgentUser]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := sudoTemplate("  AgentUser:\n    Type: String\n    Default: buildagent\n  RootName:\n    Type: String\n    Default: admin\n",
				"jetbrains/teamcity-agent:2025.07", "")
			src = []byte(strings.Replace(string(src), "          Memory: 2048\n", "          Memory: 2048\n          User: "+tc.user+"\n", 1))
			res := mustApply(t, src, dind.DefaultOptions(dind.ModeSocket))
			if warningWith(res, "runs as user "+tc.want+":") == "" {
				t.Errorf("socket: want the user written %q, got %q", tc.want, res.Warnings)
			}
			res = mustApply(t, res.Output, dind.DefaultOptions(dind.ModeNone))
			if warningWith(res, "User: "+tc.want) == "" {
				t.Errorf("none: want the user written %q, got %q", tc.want, res.Warnings)
			}
		})
	}
}
