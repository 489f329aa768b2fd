package dind_test

import (
	"bytes"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// TestEmptyTaggedValueEnds: a value that is only a tag or an anchor
// ("Key: !Tag", "Key: &a") ends there; the next line is not part of it, so
// an item added after it goes after it (found by FuzzApply).
func TestEmptyTaggedValueEnds(t *testing.T) {
	for _, value := range []string{"!00", "!Custom", "&a", "&a !Custom"} {
		src := []byte("Resources:\n  Agent:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Volumes:\n      - Other: " + value + "\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent:2025.07\n")
		for _, opts := range []dind.Options{withMinimal(dind.DefaultOptions(dind.ModeSocket)), dind.DefaultOptions(dind.ModePrivileged)} {
			res, err := dind.Apply(src, opts)
			if err != nil {
				t.Errorf("%s, %s: %v", value, opts.Mode, err)
				continue
			}
			if _, err := decodeCFN(res.Output); err != nil {
				t.Errorf("%s, %s: output does not parse: %v\n%s", value, opts.Mode, err, res.Output)
				continue
			}
			item := []byte("      - Other: " + value + "\n      - Name: docker-")
			if !bytes.Contains(res.Output, item) {
				t.Errorf("%s, %s: want the new volume right after the item:\n%s", value, opts.Mode, res.Output)
			}
		}
	}
}
