package dind_test

import (
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// TestRoundTripNoFinalLineBreak: a file that ends without a line break
// gets it back after a mode then none, whatever its line breaks are: LF, a
// lone CR (old Mac files; YAML counts it as a line break) or a CR inside a
// flow list. Found by FuzzRoundTrip (testdata/fuzz/FuzzRoundTrip/a2101e445b74311b).
func TestRoundTripNoFinalLineBreak(t *testing.T) {
	for _, in := range []string{
		"Resources:\n 0:\n    Type: AWS::ECS::TaskDefinition\n    Properties: \n      ContainerDefinitions: [{Image: teamcity-agent,0}]",
		"Resources:\r 0:\r    Type: AWS::ECS::TaskDefinition\r    Properties: \r      ContainerDefinitions: [{Image: teamcity-agent,0}]",
		"Resources:\n 0:\n    Type: AWS::ECS::TaskDefinition\n    Properties: \n      ContainerDefinitions: [{Image: teamcity-agent,0\r}]",
		"Resources:\n 0:\n    Type: AWS::ECS::TaskDefinition\n    Properties: \n      ContainerDefinitions: [{Image: teamcity-agent,0\n}]",
	} {
		o := dind.DefaultOptions(dind.ModeSocket)
		o.Minimal = true
		on, err := dind.Apply([]byte(in), o)
		if err != nil {
			t.Fatal(err)
		}
		off, err := dind.Apply(on.Output, dind.DefaultOptions(dind.ModeNone))
		if err != nil {
			t.Fatal(err)
		}
		if string(off.Output) != in {
			t.Errorf("in %q\non %q\noff %q", in, on.Output, off.Output)
		}
	}
}
