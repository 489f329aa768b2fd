package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/exitcode"
)

const customAgentTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: build-agent
          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/tc-agent-custom:1
          Memory: 2048
        - Name: teamcity-agent-log-router
          Image: amazon/aws-for-fluent-bit:2.31.12
`

// TestContainerFlagCLI: without --container a custom-image agent is not
// found and the error says how to name it; with it, that container alone
// is edited; an unknown name is a usage error listing the containers.
func TestContainerFlagCLI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "custom.yaml")
	if err := os.WriteFile(path, []byte(customAgentTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "--template", path, "--mode", "privileged", "--output", "-")
	if code != exitcode.Failure || !strings.Contains(errOut, "--container NAME") ||
		!strings.Contains(errOut, "containers found: build-agent, teamcity-agent-log-router") {
		t.Errorf("no agent: exit %d, stderr %q", code, errOut)
	}

	code, out, errOut := runCLI(t, "--template", path, "--mode", "privileged", "--container", "build-agent", "--output", "-")
	if code != exitcode.OK {
		t.Fatalf("--container build-agent: exit %d, stderr %q", code, errOut)
	}
	agent, router, _ := strings.Cut(out, "- Name: teamcity-agent-log-router")
	if !strings.Contains(agent, "Privileged: true") || strings.Contains(router, "Privileged") {
		t.Errorf("want only build-agent privileged:\n%s", out)
	}

	code, _, errOut = runCLI(t, "--template", path, "--mode", "socket", "--container", "build-agent, nope", "--output", "-")
	if code != exitcode.Usage || !strings.Contains(errOut, "--container nope") || !strings.Contains(errOut, "build-agent, teamcity-agent-log-router") {
		t.Errorf("unknown --container: exit %d, stderr %q", code, errOut)
	}
}
