package dind_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
	"go.yaml.in/yaml/v3"
)

// Removing the first key of a "- " item keeps the comment lines between
// it and the next key: the dash keeps a line of its own.
func TestRemoveFirstKeyOnDashKeepsComments(t *testing.T) {
	src := []byte(`Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Privileged: true
          # keep me: commented alternative
          # Privileged: false
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Environment:
            - Name: DOCKER_IN_DOCKER
              Value: start
        - Privileged: false
          Name: sidecar
          Image: busybox
`)
	for _, mode := range []dind.Mode{dind.ModeNone, dind.ModeSocket} {
		res, err := dind.Apply(src, dind.DefaultOptions(mode))
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		for _, c := range []string{"# keep me: commented alternative", "# Privileged: false"} {
			if !bytes.Contains(res.Output, []byte(c)) {
				t.Errorf("%s: lost %q:\n%s", mode, c, res.Output)
			}
		}
		var doc struct {
			Resources map[string]struct {
				Properties struct {
					ContainerDefinitions []map[string]any `yaml:"ContainerDefinitions"`
				} `yaml:"Properties"`
			} `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(res.Output, &doc); err != nil {
			t.Fatalf("%s: output does not parse: %v\n%s", mode, err, res.Output)
		}
		agent := doc.Resources["AgentTaskDefinition"].Properties.ContainerDefinitions[0]
		if _, ok := agent["Privileged"]; ok || agent["Name"] != "teamcity-agent" {
			t.Errorf("%s: agent %v", mode, agent)
		}
		if side := doc.Resources["AgentTaskDefinition"].Properties.ContainerDefinitions[1]; side["Privileged"] != false {
			t.Errorf("%s: the sidecar changed: %v", mode, side)
		}
		again, err := dind.Apply(res.Output, dind.DefaultOptions(mode))
		if err != nil || again.Changed {
			t.Errorf("%s: second run: %v, changed %v", mode, err, again != nil && again.Changed)
		}
		if strings.Contains(string(res.Output), "- \n") {
			t.Errorf("%s: trailing space after the dash", mode)
		}
	}
}
