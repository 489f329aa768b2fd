package dind

import (
	"errors"
	"testing"
)

// A template whose agent runs an image of its own: the rule finds nothing,
// AllContainers lists every container, and WithContainers makes the named
// one the agent.
const customAgentTemplate = `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: log-router
          Image: amazon/aws-for-fluent-bit:2.32
        - Name: agent
          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/tc-agent-custom:1.2
  OtherTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: agent
          Image: busybox
        - Image: nginx
`

func TestAllContainersAndWithContainers(t *testing.T) {
	tmpl, err := Parse([]byte(customAgentTemplate))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tmpl.Agents()); n != 0 {
		t.Fatalf("the rule found %d agent task definitions, want none", n)
	}
	got := tmpl.AllContainers()
	want := []Container{
		{Name: "log-router", Image: "amazon/aws-for-fluent-bit:2.32", Line: 6, Mode: ModeNone},
		{Name: "agent", Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/tc-agent-custom:1.2", Line: 8, Mode: ModeNone},
	}
	if len(got) != len(want) {
		t.Fatalf("AllContainers = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("AllContainers[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}

	named, err := tmpl.WithContainers([]string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	agents := named.Agents()
	if len(agents) != 2 || agents[0].LogicalID != "AgentTaskDefinition" || agents[0].Containers[0].Name != "agent" {
		t.Fatalf("WithContainers(agent).Agents() = %+v", agents)
	}
	if len(tmpl.Agents()) != 0 {
		t.Fatal("WithContainers changed the template it was called on")
	}
	opts := Options{Mode: ModeSocket, BuildDirs: true, TaskDefinitions: []string{"AgentTaskDefinition"}, Containers: []string{"agent"}}
	a, err := named.Apply(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tmpl.Apply(opts)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Output) != string(b.Output) || !a.Changed {
		t.Fatal("the named template applies differently from Options.Containers")
	}

	var ce *ContainerError
	if _, err := tmpl.WithContainers([]string{"nope"}); !errors.As(err, &ce) || ce.Name != "nope" {
		t.Fatalf("WithContainers(nope) = %v, want a *ContainerError", err)
	}
	if same, err := tmpl.WithContainers(nil); err != nil || same != tmpl {
		t.Fatalf("WithContainers(nil) = %p, %v; want the template itself", same, err)
	}
}
