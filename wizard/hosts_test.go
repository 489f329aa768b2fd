package wizard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/internal/fakeaws"
)

// The agents' hosts in the wizard (issue 17): read once with the stack,
// judged on the review as on the command line (agenthosts). The
// attributes are ECS's: ecs.os-type, ecs.cpu-architecture, ecs.ami-id,
// and com.amazonaws.ecs.capability.privileged-container, which the ECS
// agent registers only where privileged containers are allowed
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes);
// Bottlerocket allows them only with settings.ecs.allow-privileged-containers,
// default false (https://bottlerocket.dev/en/os/1.20.x/api/settings/ecs/).

const (
	hostsCluster = "teamcity-cluster"
	agentsARN    = "arn:aws:ecs:eu-west-1:123456789012:service/" + hostsCluster + "/teamcity-agents"
	al2023AMI    = "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64"
	al2023ARMAMI = "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-arm64"
	bottlerocket = "bottlerocket-aws-ecs-2-x86_64-v1.20.0-fcf71a47"
)

// containerInstance is one host as DescribeContainerInstances describes it.
func containerInstance(n int, arch string, privileged bool) awsclient.ContainerInstance {
	attrs := map[string]string{"ecs.os-type": "linux", "ecs.cpu-architecture": arch, "ecs.ami-id": "ami-0abc"}
	if privileged {
		attrs["com.amazonaws.ecs.capability.privileged-container"] = ""
	}
	return awsclient.ContainerInstance{
		ARN:           fmt.Sprintf("arn:aws:ecs:eu-west-1:123456789012:container-instance/%s/%032d", hostsCluster, n),
		EC2InstanceID: fmt.Sprintf("i-%017d", n), Attributes: attrs, DockerVersion: "25.0.8",
	}
}

// withHosts gives stack teamcity (one.yaml: AgentService in ECSCluster)
// its resources, the cluster's container instances and the AMI's name
// (ami "" : ec2:DescribeImages denied); desired is the service's desired
// count in ECS.
func withHosts(f *fakeCFN, ami string, desired int, instances ...awsclient.ContainerInstance) {
	f.ECS = &fakeaws.ECS{
		Resources: [][]awsclient.StackResource{{
			{LogicalID: "ECSCluster", PhysicalID: hostsCluster, Type: "AWS::ECS::Cluster"},
			{LogicalID: "AgentService", PhysicalID: agentsARN, Type: "AWS::ECS::Service"},
		}},
		Frames:    []fakeaws.Frame{{Services: []awsclient.Service{{ARN: agentsARN, Name: "teamcity-agents", Cluster: hostsCluster, Status: "ACTIVE", Desired: desired, Running: desired}}}},
		Instances: instances,
	}
	if ami != "" {
		f.ECS.AMINames = map[string]string{"ami-0abc": ami}
	}
}

// reviewContentOf is the review's scrolling text, read in the loop.
func (r *run) reviewContentOf() string {
	var content string
	r.inLoop(func(m *Model) {
		if m.step == stepReview && m.err == nil && m.result != nil {
			content = plain(m.reviewContent(120))
		}
	})
	return content
}

// Healthy x86_64 hosts: the review says what they are, and the read
// cost one call of each kind however often the answers change.
func TestScreenStackReviewHosts(t *testing.T) {
	f := newFake(t)
	withHosts(f, al2023AMI, 1, containerInstance(1, "x86_64", true), containerInstance(2, "x86_64", true))
	cfg := stackConfig(f, nil)
	cfg.Stack = "teamcity"
	r := startStack(t, cfg)
	r.waitFor("Which Docker-in-Docker mode?")
	// Moving through the questions and back reads nothing again.
	r.key(tea.KeyDown) // privileged
	r.key(tea.KeyUp)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for privileged mode?")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEsc)
	r.waitFor("Which recipe for privileged mode?")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	want := "Hosts: 2 × Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed (cluster teamcity-cluster)"
	if c := r.reviewContentOf(); !strings.Contains(c, want) {
		t.Errorf("the review lacks %q:\n%s", want, c)
	}
	for op, n := range map[string]int{"ListStackResources": 1, "ListContainerInstances": 1, "DescribeContainerInstances": 1, "DescribeImages": 1, "DescribeServices": 1} {
		if got := f.CallsOf(op); got != n {
			t.Errorf("%s called %d times, want %d (once, with the stack)", op, got, n)
		}
	}
	r.snapshot()
}

// arm64 hosts: the -sudo choice names the -linux-arm64-sudo tag, and why.
func TestScreenStackHostsArm64(t *testing.T) {
	f := newFake(t)
	f.Values = map[string]string{"TeamCityVersion": "2024.12"} // the plain image
	withHosts(f, al2023ARMAMI, 1, containerInstance(1, "arm64", true), containerInstance(2, "arm64", true))
	cfg := stackConfig(f, nil)
	cfg.Stack = "teamcity"
	r := startStack(t, cfg)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown) // privileged
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for privileged mode?")
	// The -sudo image is recommended and chosen already (review2).
	r.waitFor("> Complete, and the -linux-arm64-sudo image")
	r.waitFor("Recommended. The complete recipe")
	r.waitFor("The agents' hosts are arm64")
	r.snapshot()
}

// arm64 hosts and the -sudo image: the review's template has the
// -linux-arm64-sudo tag, as --sudo-image on the command line writes.
func TestStackHostsArm64Tag(t *testing.T) {
	f := newFake(t)
	f.Values = map[string]string{"TeamCityVersion": "2024.12"} // the plain image
	withHosts(f, al2023ARMAMI, 1, containerInstance(1, "arm64", true))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.SudoImage, cfg.RecipeGiven = "teamcity", dind.ModePrivileged, true, true
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.inLoop(func(m *Model) {
		if out := string(m.result.Output); !strings.Contains(out, "-linux-arm64-sudo") {
			t.Errorf("the patched template has no -linux-arm64-sudo tag:\n%s", out)
		}
		if !strings.Contains(plain(m.reviewContent(120)), "Hosts: 1 × Amazon Linux 2023, arm64") {
			t.Errorf("review:\n%s", m.reviewContent(120))
		}
	})
	r.snapshot()
}

// arm64 hosts without the -sudo image: the refusal recommends the
// -linux-arm64-sudo tag, not one the hosts cannot run.
func TestStackHostsArm64Warning(t *testing.T) {
	f := newFake(t)
	f.Values = map[string]string{"TeamCityVersion": "2024.12"} // the plain image
	withHosts(f, al2023ARMAMI, 1, containerInstance(1, "arm64", true))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.RecipeGiven = "teamcity", dind.ModePrivileged, true
	r := startStack(t, cfg)
	r.waitFor("Docker cannot start in this agent image")
	r.waitFor("use 2024.12-linux-arm64-sudo")
	if c := r.screen(); strings.Contains(c, "2024.12-linux-sudo") {
		t.Errorf("the refusal recommends a tag the hosts cannot run:\n%s", c)
	}
	r.final()
}

// Hosts that allow no privileged container: the mode question says so
// beside privileged (not recommended, its note says why)…
func TestScreenModeHostsRefusePrivileged(t *testing.T) {
	f := newFake(t)
	withHosts(f, bottlerocket, 1, containerInstance(1, "x86_64", false), containerInstance(2, "x86_64", false))
	cfg := stackConfig(f, nil)
	cfg.Stack = "teamcity"
	r := startStack(t, cfg)
	r.waitFor("Which Docker-in-Docker mode?")
	r.waitFor("privileged  not allowed on these hosts")
	r.key(tea.KeyDown) // privileged
	r.waitFor("Not on these hosts")
	r.snapshot()
}

// Agents in privileged mode now, on hosts that do not allow it: the mode
// question proposes socket, not the mode they are in.
func TestStackHostsRefusalProposesSocket(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = want(t, "one.yaml", dind.Options{Mode: dind.ModePrivileged, Minimal: true})
	withHosts(f, bottlerocket, 1, containerInstance(1, "x86_64", false))
	cfg := stackConfig(f, nil)
	cfg.Stack = "teamcity"
	r := startStack(t, cfg)
	r.waitFor("Which Docker-in-Docker mode?")
	r.waitFor("not allowed on these hosts  ← now")
	r.inLoop(func(m *Model) {
		if m.a.mode != dind.ModeSocket {
			t.Errorf("mode proposed %q, want socket", m.a.mode)
		}
	})
}

// …and the review refuses it before any change set, with the setting to
// change; esc goes back to the mode question.
func TestScreenStackHostsRefusePrivileged(t *testing.T) {
	f := newFake(t)
	withHosts(f, bottlerocket, 1, containerInstance(1, "x86_64", false), containerInstance(2, "x86_64", false))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("The hosts do not allow privileged mode")
	r.waitFor("settings.ecs.allow-privileged-containers")
	if created, _, _ := f.State(); len(created) != 0 {
		t.Errorf("change sets created: %v", created)
	}
	r.snapshot()
}

func TestStackHostsRefusalGoesBackToMode(t *testing.T) {
	f := newFake(t)
	withHosts(f, bottlerocket, 1, containerInstance(1, "x86_64", false))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("The hosts do not allow privileged mode")
	r.key(tea.KeyEsc)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyUp) // socket
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for socket mode?")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	c := r.reviewContentOf()
	for _, s := range []string{"Hosts: 1 × Bottlerocket, x86_64, Docker 25.0.8, privileged not allowed", "/run/docker.sock"} {
		if !strings.Contains(c, s) {
			t.Errorf("the socket review lacks %q:\n%s", s, c)
		}
	}
}

// A host read that is denied is a warning on the review, never the end.
func TestScreenStackHostsDenied(t *testing.T) {
	f := newFake(t)
	withHosts(f, "", 1)
	f.ECS.InstancesErr = fmt.Errorf("list the container instances of ECS cluster %s: %w", hostsCluster, accessDenied("ListContainerInstances"))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	c := r.reviewContentOf()
	if !strings.Contains(c, "The agents' hosts were not read") || !strings.Contains(c, "aws ecs list-container-instances --cluster teamcity-cluster --region eu-west-1") {
		t.Errorf("the review lacks the note with the command:\n%s", c)
	}
	if !strings.Contains(c, "Hosts: not read in cluster teamcity-cluster (see the warnings)") || strings.Contains(c, "privileged allowed") {
		t.Errorf("the review does not say the hosts were not read:\n%s", c)
	}
	r.snapshot()
}

// One agent an instance (socket, complete): fewer instances than the
// service's desired agents is a warning on the review.
func TestStackHostsCapacity(t *testing.T) {
	f := newFake(t)
	withHosts(f, al2023AMI, 2, containerInstance(1, "x86_64", true))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModeSocket
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	want := "Service AgentService wants 2 agents but cluster teamcity-cluster has 1 container instance"
	if c := r.reviewContentOf(); !strings.Contains(c, want) {
		t.Errorf("the review lacks %q:\n%s", want, c)
	}
	// Still worth reading after exit, once something was applied.
	r.inLoop(func(m *Model) {
		m.out.stack = outcomeUpdated
		if s := strings.Join(m.summaryWarnings(), "\n"); !strings.Contains(s, "service AgentService wants 2 agents") {
			t.Errorf("the summary's warnings lack the capacity warning:\n%s", s)
		}
		m.out.stack = outcomeNone
	})
}

// Accessible mode says the hosts on the review, and the refusal.
func TestAccessibleStackHosts(t *testing.T) {
	f := newFake(t)
	withHosts(f, al2023AMI, 1, containerInstance(1, "x86_64", true), containerInstance(2, "x86_64", true))
	text, _ := accessibleStack(t, f, nil,
		"2", // an existing stack
		"",  // eu-west-1
		"1", // teamcity
		"2", // privileged
		"",  // the complete recipe
		"n", // no diff
		"3", // go back (then the input ends)
	)
	if want := "Hosts: 2 × Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed (cluster teamcity-cluster)."; !strings.Contains(text, want) {
		t.Errorf("the accessible review lacks %q:\n%s", want, text)
	}

	f = newFake(t)
	withHosts(f, bottlerocket, 1, containerInstance(1, "x86_64", false))
	text, _ = accessibleStack(t, f, nil,
		"2", // an existing stack
		"",  // eu-west-1
		"1", // teamcity
		"2", // privileged, said to be not allowed
		"",  // the complete recipe
	)
	for _, s := range []string{
		"Privileged mode is not allowed on these hosts: the one container instance of cluster teamcity-cluster does not allow privileged containers",
		"privileged  not allowed on these hosts",
		"Problem: The hosts do not allow privileged mode.",
		"settings.ecs.allow-privileged-containers = true",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the accessible run lacks %q:\n%s", s, text)
		}
	}
	if created, _, _ := f.State(); len(created) != 0 {
		t.Errorf("change sets created: %v", created)
	}
}

// Privileged mode whose agent image cannot start Docker is refused, as on
// the command line (issue 17: never exit 0 while saying Docker cannot
// start): the recipe question offers no complete recipe that keeps the
// plain tag, and a run given the mode by flag stops on the review with the
// flag that works, writing nothing.
func TestPrivilegedWithoutSudoRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.yaml")
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModePrivileged, Output: out}, termW, termH)
	r.waitFor("Docker cannot start in this agent image")
	r.waitFor("go back to the")
	r.final()
	if _, err := os.Stat(out); err == nil {
		t.Error("written though Docker cannot start")
	}

	r = start(t, Config{Template: "testdata/one.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown) // privileged
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for privileged mode?")
	s := r.screen()
	if strings.Contains(s, "Complete (recommended)") || !strings.Contains(s, "> Complete, and the -linux-sudo image") {
		t.Errorf("the recipe question offers a complete recipe that keeps the plain tag, or not the -sudo one first:\n%s", s)
	}
	r.final()
	// A -sudo image keeps both choices: the plain complete recipe works.
	r = start(t, Config{Template: "testdata/sudo.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for privileged mode?")
	if s := r.screen(); !strings.Contains(s, "Complete (recommended)") {
		t.Errorf("a -sudo image lost the complete recipe:\n%s", s)
	}
	r.final()
}

// An agent the container question names (an image of its own): its
// hosts were read with the stack all the same, and the review judges
// them.
func TestStackHostsContainerQuestion(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = append(fixture(t, "custom-image-agent.yaml"), []byte(`  ECSCluster:
    Type: AWS::ECS::Cluster
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref ECSCluster
      TaskDefinition: !Ref AgentTaskDefinition
      DesiredCount: 1
`)...)
	withHosts(f, bottlerocket, 1, containerInstance(1, "x86_64", false))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Which container is the TeamCity")
	r.key(tea.KeyDown) // agent
	r.key(tea.KeyEnter)
	r.waitFor("The hosts do not allow privileged mode")
	if n := f.CallsOf("ListContainerInstances"); n != 1 {
		t.Errorf("ListContainerInstances called %d times, want 1", n)
	}
}
