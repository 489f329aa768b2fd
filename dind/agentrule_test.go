package dind_test

// The agent rule (README "Which containers are agents") and --container.

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// targetTemplate is a template with the given parameters, conditions and
// resources (each block indented as under its section).
func targetTemplate(params, conditions, resources string) []byte {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\n")
	if params != "" {
		b.WriteString("Parameters:\n" + params)
	}
	if conditions != "" {
		b.WriteString("Conditions:\n" + conditions)
	}
	b.WriteString("Resources:\n  Cluster:\n    Type: AWS::ECS::Cluster\n" + resources)
	return []byte(b.String())
}

// oneContainer is a task definition AgentTaskDefinition with one container.
func oneContainer(name, image string) string {
	return `  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: ` + name + `
          Image: ` + image + `
          Memory: 2048
`
}

// agentNames lists "TaskDef/container" for every agent container found.
func agentNames(t *testing.T, src []byte) []string {
	t.Helper()
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var out []string
	for _, td := range tpl.Agents() {
		for _, c := range td.Containers {
			out = append(out, td.LogicalID+"/"+c.Name)
		}
	}
	return out
}

func TestAgentRuleImage(t *testing.T) {
	const unresolved = `  AgentImage:
    Type: String
`
	for _, tc := range []struct {
		name, image, params string
		agent               bool
	}{
		{"agent", "jetbrains/teamcity-agent:2024.03", "", true},
		{"agent", "jetbrains/teamcity-agent", "", true},
		{"x", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/teamcity-agent:7", "", true},
		{"x", "public.ecr.aws/jetbrains/teamcity-agent@sha256:0123abcd", "", true},
		{"x", "registry.example.com:5000/ci/teamcity-agent:2024.03-linux-sudo", "", true},
		{"x", `!Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/teamcity-agent:${Tag}"`, "  Tag:\n    Type: String\n", true},
		{"x", "!Ref AgentImage", "  AgentImage:\n    Type: String\n    Default: jetbrains/teamcity-agent:2024.03\n", true},
		{"x", "!Ref AgentImage", "  AgentImage:\n    Type: String\n    AllowedValues: [busybox, jetbrains/teamcity-agent:2024.03]\n", true},
		{"x", "!If [Big, jetbrains/teamcity-agent:2024.03, busybox]", "", true},
		{"x", "!FindInMap [Images, agent, name]", "", true},
		// Sidecars named after the agent, and images that only look alike.
		{"teamcity-agent-log-router", "amazon/aws-for-fluent-bit:2.31.12", "", false},
		{"teamcity-agent", "amazon/aws-for-fluent-bit:2.31.12", "", false},
		{"x", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/tc-agent-custom:1", "", false},
		{"x", "jetbrains/teamcity-minimal-agent:2024.03", "", false},
		{"x", "example/teamcity-agent-tools:1", "", false},
		{"x", "example/teamcity-agent/helper:1", "", false},
		// Not known before deploy: the Name decides, exactly.
		{"teamcity-agent", "!Ref AgentImage", unresolved, true},
		{"teamcity-agent-1", "!Ref AgentImage", unresolved, false},
		{"teamcity-agent", "!ImportValue agent-image", "", true},
		{"agent", "!ImportValue agent-image", "", false},
		{"teamcity-agent", `!Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${AgentImage}"`, unresolved, true},
		{"teamcity-agent", "!Ref AgentImage", "  AgentImage:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /ci/teamcity-agent\n", true},
		{"sidecar", "!Ref AgentImage", "  AgentImage:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /ci/teamcity-agent\n", false},
	} {
		res := oneContainer(tc.name, tc.image)
		src := targetTemplate(tc.params, "  Big: !Equals [a, b]\n", res)
		src = append(src, "Mappings:\n  Images:\n    agent:\n      name: jetbrains/teamcity-agent:2024.03\n"...)
		got := len(agentNames(t, src)) == 1
		if got != tc.agent {
			t.Errorf("container %s with image %s (params %q): agent %v, want %v", tc.name, tc.image, tc.params, got, tc.agent)
		}
	}
}

// TestLogRouterSidecarUntouched: a fluent-bit sidecar named after the agent
// gets neither Privileged nor the socket; the agent beside it gets them.
func TestLogRouterSidecarUntouched(t *testing.T) {
	src := targetTemplate("", "", `  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent-log-router
          Image: amazon/aws-for-fluent-bit:2.31.12
          FirelensConfiguration:
            Type: fluentbit
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2024.03
          Memory: 2048
`)
	if got := agentNames(t, src); !slices.Equal(got, []string{"AgentTaskDefinition/teamcity-agent"}) {
		t.Fatalf("agents %v, want only the teamcity-agent container", got)
	}
	for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged} {
		res, err := dind.Apply(src, dind.DefaultOptions(mode))
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		for _, ch := range res.Changes {
			if ch.Container == "teamcity-agent-log-router" {
				t.Errorf("%s: edited the log router: %s", mode, ch)
			}
		}
		router := string(res.Output[:strings.Index(string(res.Output), "- Name: teamcity-agent\n")])
		if strings.Contains(router, "Privileged") || strings.Contains(router, "docker.sock") && !strings.Contains(router, "Volumes") {
			t.Errorf("%s: the log router changed:\n%s", mode, res.Output)
		}
	}
}

func TestNoAgentErrorSaysHow(t *testing.T) {
	src := targetTemplate("", "", `  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: build-agent
          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/tc-agent-custom:1
        - Name: log-router
          Image: amazon/aws-for-fluent-bit:2.31.12
`)
	_, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket))
	if !errors.Is(err, dind.ErrNoAgent) {
		t.Fatalf("want ErrNoAgent, got %T %v", err, err)
	}
	for _, want := range []string{"teamcity-agent", "--container NAME", "containers found: build-agent, log-router"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the no-agent error does not say %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("not one line: %q", err)
	}
	// The error names nothing when there is nothing.
	_, err = dind.Apply(targetTemplate("", "", ""), dind.DefaultOptions(dind.ModeSocket))
	if !errors.Is(err, dind.ErrNoAgent) || strings.Contains(err.Error(), "containers found") {
		t.Errorf("no task definition at all: %v", err)
	}
}

func TestContainerFlag(t *testing.T) {
	custom := func(id string) string {
		return `  ` + id + `:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: build-agent
          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/tc-agent-custom:1
          Memory: 2048
        - Name: log-router
          Image: amazon/aws-for-fluent-bit:2.31.12
`
	}
	src := targetTemplate("", "", custom("LinuxAgents")+custom("MoreAgents"))

	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.Containers = []string{"build-agent"}
	res, err := dind.Apply(src, opts)
	if err != nil {
		t.Fatalf("--container build-agent: %v", err)
	}
	if !slices.Equal(res.Targets, []string{"LinuxAgents", "MoreAgents"}) {
		t.Errorf("targets %v, want both task definitions that have build-agent", res.Targets)
	}
	privileged := 0
	for _, ch := range res.Changes {
		if ch.Container == "log-router" {
			t.Errorf("edited a container that was not named: %s", ch)
		}
		if ch.Summary == "add Privileged: true" {
			privileged++
		}
	}
	if privileged != 2 {
		t.Errorf("%d containers made privileged, want 2: %v", privileged, res.Changes)
	}
	// Idempotent with the same names; in privileged mode afterwards.
	again, err := dind.Apply(res.Output, opts)
	if err != nil || again.Changed {
		t.Errorf("second run with --container: changed %v, err %v", again != nil && again.Changed, err)
	}

	opts.TaskDefinitions = []string{"MoreAgents"}
	res, err = dind.Apply(src, opts)
	if err != nil || !slices.Equal(res.Targets, []string{"MoreAgents"}) {
		t.Errorf("--container with --task-definition MoreAgents: %v, %v", err, res)
	}
	opts.TaskDefinitions = nil

	opts.Containers = []string{"nope"}
	_, err = dind.Apply(src, opts)
	var ce *dind.ContainerError
	if !errors.As(err, &ce) || ce.Name != "nope" || !slices.Equal(ce.Found, []string{"build-agent", "log-router"}) {
		t.Fatalf("unknown --container: want *ContainerError listing build-agent, log-router; got %T %v", err, err)
	}
	if !strings.Contains(err.Error(), "build-agent, log-router") {
		t.Errorf("the error does not list the containers: %v", err)
	}

	// The names replace the rule: an image agent that is not named stays.
	src = targetTemplate("", "", `  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2024.03
        - Name: second-agent
          Image: example/agent:1
`)
	opts.Containers = []string{"second-agent"}
	res, err = dind.Apply(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range res.Changes {
		if ch.Container == "teamcity-agent" {
			t.Errorf("edited teamcity-agent, which --container did not name: %s", ch)
		}
	}
}
