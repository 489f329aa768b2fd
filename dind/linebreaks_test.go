package dind

import (
	"bytes"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yaml.v3 counts a lone CR, NEL, LS and PS as line breaks, even inside a
// quoted string; the engine's line index must agree, or every position after
// such a character would be off by a line.
func TestUnusualLineBreaks(t *testing.T) {
	const agent = "Resources:\n  Agent:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: agent\n          Image: jetbrains/teamcity-agent:2024.03\n"
	for name, src := range map[string]string{
		"LS in a description": "Description: \"one\u2028two\"\n" + agent,
		"PS in a string":      "Description: \"a\u2029b\"\n" + agent,
		"NEL in a string":     "Description: 'one\u0085two'\n" + agent,
		"lone CR":             strings.ReplaceAll(agent, "\n", "\r"),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Apply([]byte(src), Options{Mode: ModePrivileged, Minimal: true})
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(res.Output, &doc); err != nil {
				t.Fatalf("output does not parse: %v\n%q", err, res.Output)
			}
			if !bytes.HasPrefix(res.Output, []byte(src[:strings.Index(src, "Name: agent")])) {
				t.Errorf("bytes before the edit changed:\n%q", res.Output)
			}
			again, err := Apply(res.Output, Options{Mode: ModePrivileged, Minimal: true})
			if err != nil || again.Changed {
				t.Errorf("second run: changed %v, err %v", again != nil && again.Changed, err)
			}
		})
	}
}
