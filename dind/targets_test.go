package dind_test

// Deploy targets: Fargate and Windows are refused whenever any Fn::If
// branch, parameter default or service says so, not only when literal.

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// agentTaskDef is an agent task definition with extra properties (indented
// six spaces) and an extra container key (ten spaces).
func agentTaskDef(id, props, containerExtra string) string {
	return `  ` + id + `:
    Type: AWS::ECS::TaskDefinition
    Properties:
` + props + `      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2024.03
          Memory: 2048
` + containerExtra
}

func service(id, taskDef, props string) string {
	return `  ` + id + `:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      DesiredCount: 1
      TaskDefinition: ` + taskDef + `
` + props
}

func wantRefused(t *testing.T, label string, src []byte, wants ...string) {
	t.Helper()
	for _, opts := range []dind.Options{dind.DefaultOptions(dind.ModeSocket), withMinimal(dind.DefaultOptions(dind.ModePrivileged))} {
		res, err := dind.Apply(src, opts)
		var re *dind.RefusedError
		if !errors.As(err, &re) {
			t.Errorf("%s, %s: want *RefusedError, got %T %v (output %v)", label, opts.Mode, err, err, res != nil)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: not one line: %q", label, err)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s, %s: the refusal does not say %q: %v", label, opts.Mode, w, err)
			}
		}
	}
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatalf("%s: Parse must not refuse (the wizard lists the task definition): %v", label, err)
	}
	if a := tpl.Agents(); len(a) == 0 || a[0].Refusal == "" {
		t.Errorf("%s: Agents() has no Refusal: %+v", label, a)
	}
	// None adds nothing, so it may edit (or leave) such a template.
	if _, err := dind.Apply(src, dind.DefaultOptions(dind.ModeNone)); err != nil {
		t.Errorf("%s: none refused: %v", label, err)
	}
}

func wantAccepted(t *testing.T, label string, src []byte) {
	t.Helper()
	if _, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket)); err != nil {
		t.Errorf("%s: want accepted, got %v", label, err)
	}
}

const fargateMsg = "Fargate supports neither privileged containers nor host volumes"

func TestFargateAnyBranch(t *testing.T) {
	ec2Service := service("AgentService", "!Ref AgentTaskDefinition", "      LaunchType: EC2\n")
	for _, tc := range []struct {
		label, params, props string
		wants                []string
	}{
		{"Fn::If FARGATE first", "", "      RequiresCompatibilities: [!If [OnDemand, FARGATE, EC2]]\n",
			[]string{"may run on Fargate", "RequiresCompatibilities includes FARGATE when condition OnDemand is true"}},
		{"Fn::If FARGATE second", "", "      RequiresCompatibilities: [!If [OnDemand, EC2, FARGATE]]\n",
			[]string{"when condition OnDemand is false"}},
		{"Fn::If long form around the list", "", "      RequiresCompatibilities:\n        Fn::If: [OnDemand, [EC2], [FARGATE]]\n",
			[]string{"includes FARGATE"}},
		{"both", "", "      RequiresCompatibilities: [EC2, FARGATE]\n", []string{"may run on Fargate", "includes FARGATE"}},
		{"literal", "", "      RequiresCompatibilities: [FARGATE]\n", []string{"requires Fargate"}},
		{"lower case", "", "      RequiresCompatibilities: [fargate]\n", []string{"Fargate"}},
		{"list parameter", "  Compat:\n    Type: CommaDelimitedList\n    Default: EC2,FARGATE\n",
			"      RequiresCompatibilities: !Ref Compat\n", []string{"via parameter Compat, which defaults to EC2,FARGATE"}},
		{"List<String> parameter", "  Compat:\n    Type: List<String>\n    Default: FARGATE\n",
			"      RequiresCompatibilities: !Ref Compat\n", []string{"parameter Compat"}},
		{"string parameter in the list", "  Compat:\n    Type: String\n    Default: FARGATE\n",
			"      RequiresCompatibilities: [!Ref Compat]\n", []string{"parameter Compat"}},
		{"parameter without default allows FARGATE", "  Compat:\n    Type: String\n    AllowedValues: [EC2, FARGATE]\n",
			"      RequiresCompatibilities: [!Ref Compat]\n", []string{"has no default and allows FARGATE"}},
		{"parameter without default or allowed values", "  Compat:\n    Type: String\n",
			"      RequiresCompatibilities: [!Ref Compat]\n", []string{"may include FARGATE via parameter Compat, which has no default"}},
	} {
		src := targetTemplate(tc.params, "  OnDemand: !Equals [a, b]\n", agentTaskDef("AgentTaskDefinition", tc.props, "")+ec2Service)
		wantRefused(t, tc.label, src, append(tc.wants, fargateMsg, "AgentTaskDefinition")...)
	}
}

// TestNoConditionNameHeuristic: a condition called Fargate around EC2-only
// branches is EC2.
func TestNoConditionNameHeuristic(t *testing.T) {
	src := targetTemplate("", "  Fargate: !Equals [a, b]\n",
		agentTaskDef("AgentTaskDefinition", "      RequiresCompatibilities: [!If [Fargate, EC2, EC2]]\n", ""))
	wantAccepted(t, "condition named Fargate", src)
	src = targetTemplate("  Compat:\n    Type: String\n    Default: EC2\n    AllowedValues: [EC2, FARGATE]\n", "",
		agentTaskDef("AgentTaskDefinition", "      RequiresCompatibilities: [!Ref Compat]\n", ""))
	wantAccepted(t, "parameter defaulting to EC2", src)
}

func TestFargateFromWhatRunsIt(t *testing.T) {
	td := agentTaskDef("AgentTaskDefinition", "", "")
	for _, tc := range []struct {
		label, params, resources string
		wants                    []string
	}{
		{"service LaunchType", "", service("AgentService", "!Ref AgentTaskDefinition", "      LaunchType: FARGATE\n"),
			[]string{"(service AgentService has LaunchType FARGATE)"}},
		{"service LaunchType long Ref", "", service("AgentService", "\n        Ref: AgentTaskDefinition", "      LaunchType: FARGATE\n"),
			[]string{"service AgentService has LaunchType FARGATE"}},
		{"service by GetAtt", "", service("AgentService", "!GetAtt AgentTaskDefinition.TaskDefinitionArn", "      LaunchType: FARGATE\n"),
			[]string{"service AgentService"}},
		{"service LaunchType Fn::If", "", service("AgentService", "!Ref AgentTaskDefinition", "      LaunchType: !If [OnDemand, EC2, FARGATE]\n"),
			[]string{"service AgentService has LaunchType FARGATE when condition OnDemand is false"}},
		{"service LaunchType parameter", "  Launch:\n    Type: String\n    Default: FARGATE\n",
			service("AgentService", "!Ref AgentTaskDefinition", "      LaunchType: !Ref Launch\n"),
			[]string{"via parameter Launch, which defaults to FARGATE"}},
		{"service by Sub", "", service("AgentService", `!Sub "${AgentTaskDefinition}"`, "      LaunchType: FARGATE\n"),
			[]string{"service AgentService"}},
		{"service TaskDefinition Fn::If", "", service("AgentService", "!If [OnDemand, !Ref AgentTaskDefinition, !Ref Other]", "      LaunchType: FARGATE\n"),
			[]string{"service AgentService"}},
		{"capacity provider", "", service("AgentService", "!Ref AgentTaskDefinition",
			"      CapacityProviderStrategy:\n        - CapacityProvider: FARGATE_SPOT\n          Weight: 1\n"),
			[]string{"service AgentService capacity provider strategy has FARGATE_SPOT"}},
		{"capacity provider item Fn::If", "", service("AgentService", "!Ref AgentTaskDefinition",
			"      CapacityProviderStrategy:\n        - !If [OnDemand, {CapacityProvider: FARGATE, Weight: 1}, !Ref AWS::NoValue]\n"),
			[]string{"FARGATE when condition OnDemand is true"}},
		{"task set", "", `  AgentTaskSet:
    Type: AWS::ECS::TaskSet
    Properties:
      Cluster: !Ref Cluster
      Service: agents
      TaskDefinition: !Ref AgentTaskDefinition
      LaunchType: FARGATE
`, []string{"task set AgentTaskSet has LaunchType FARGATE"}},
		{"scheduled task", "", `  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: agent
          Arn: !GetAtt Cluster.Arn
          EcsParameters:
            TaskDefinitionArn: !Ref AgentTaskDefinition
            LaunchType: FARGATE
`, []string{"scheduled task Nightly has LaunchType FARGATE"}},
		{"cluster default strategy", "", `  FargateCluster:
    Type: AWS::ECS::Cluster
    Properties:
      DefaultCapacityProviderStrategy:
        - CapacityProvider: FARGATE
          Weight: 1
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref FargateCluster
      TaskDefinition: !Ref AgentTaskDefinition
`, []string{"service AgentService runs on cluster FargateCluster, whose default capacity provider strategy has FARGATE"}},
		{"cluster capacity provider associations", "", `  Associations:
    Type: AWS::ECS::ClusterCapacityProviderAssociations
    Properties:
      Cluster: !Ref Cluster
      CapacityProviders: [FARGATE, FARGATE_SPOT]
      DefaultCapacityProviderStrategy:
        - CapacityProvider: FARGATE_SPOT
          Weight: 1
` + service("AgentService", "!Ref AgentTaskDefinition", ""),
			[]string{"service AgentService runs on cluster Associations"}},
	} {
		src := targetTemplate(tc.params, "  OnDemand: !Equals [a, b]\n", td+tc.resources)
		wantRefused(t, tc.label, src, append(tc.wants, fargateMsg, "task definition AgentTaskDefinition may run on Fargate")...)
	}

	// EC2 services, and Fargate services of other task definitions, are fine.
	src := targetTemplate("", "", td+service("AgentService", "!Ref AgentTaskDefinition", "      LaunchType: EC2\n")+
		agentTaskDef("Other", "      RequiresCompatibilities: [FARGATE]\n", "")+
		service("OtherService", "!Ref Other", "      LaunchType: FARGATE\n"))
	o := dind.DefaultOptions(dind.ModeSocket)
	o.TaskDefinitions = []string{"AgentTaskDefinition"}
	if _, err := dind.Apply(src, o); err != nil {
		t.Errorf("EC2 task definition next to a Fargate one: %v", err)
	}
	src = targetTemplate("", "", td+service("AgentService", "!Ref AgentTaskDefinition",
		"      CapacityProviderStrategy:\n        - CapacityProvider: !Ref AsgProvider\n          Weight: 1\n"))
	wantAccepted(t, "an Auto Scaling group capacity provider", src)
}

func TestWindowsAnyBranch(t *testing.T) {
	const msg = "needs Linux containers"
	for _, tc := range []struct {
		label, params, props, image string
		wants                       []string
	}{
		{"literal", "", "      RuntimePlatform:\n        OperatingSystemFamily: WINDOWS_SERVER_2022_CORE\n", "",
			[]string{"runs Windows containers (RuntimePlatform.OperatingSystemFamily is WINDOWS_SERVER_2022_CORE)"}},
		{"parameter", "  OS:\n    Type: String\n    Default: WINDOWS_SERVER_2019_FULL\n",
			"      RuntimePlatform:\n        OperatingSystemFamily: !Ref OS\n", "",
			[]string{"may run Windows containers", "via parameter OS, which defaults to WINDOWS_SERVER_2019_FULL"}},
		{"Fn::If family", "", "      RuntimePlatform:\n        OperatingSystemFamily: !If [Win, WINDOWS_SERVER_2019_CORE, LINUX]\n", "",
			[]string{"when condition Win is true"}},
		{"Fn::If platform", "", "      RuntimePlatform: !If [Win, {OperatingSystemFamily: WINDOWS_SERVER_2019_CORE}, !Ref AWS::NoValue]\n", "",
			[]string{"when condition Win is true"}},
		{"windowsservercore tag", "", "", "jetbrains/teamcity-agent:2024.03-windowsservercore-ltsc2022",
			[]string{"container teamcity-agent has the Windows image jetbrains/teamcity-agent:2024.03-windowsservercore-ltsc2022"}},
		{"nanoserver tag via parameter", "  Version:\n    Type: String\n    Default: 2024.03-nanoserver-1809\n", "",
			"!Sub jetbrains/teamcity-agent:${Version}", []string{"nanoserver", "parameter Version"}},
	} {
		td := agentTaskDef("AgentTaskDefinition", tc.props, "")
		if tc.image != "" {
			td = strings.Replace(td, "jetbrains/teamcity-agent:2024.03", tc.image, 1)
		}
		src := targetTemplate(tc.params, "  Win: !Equals [a, b]\n", td)
		wantRefused(t, tc.label, src, append(tc.wants, msg)...)
	}
	src := targetTemplate("", "", agentTaskDef("AgentTaskDefinition", "      RuntimePlatform:\n        OperatingSystemFamily: LINUX\n        CpuArchitecture: ARM64\n", ""))
	wantAccepted(t, "Linux on ARM", src)
}

// TestAllSkipsRefused: --task-definition all edits the task definitions
// that can take Docker-in-Docker and warns about the others.
func TestAllSkipsRefused(t *testing.T) {
	src := targetTemplate("", "", agentTaskDef("EC2Agents", "", "")+
		agentTaskDef("FargateAgents", "      RequiresCompatibilities: [FARGATE]\n", "")+
		agentTaskDef("WindowsAgents", "      RuntimePlatform:\n        OperatingSystemFamily: WINDOWS_SERVER_2022_CORE\n", ""))
	o := dind.DefaultOptions(dind.ModePrivileged)
	o.TaskDefinitions = []string{dind.AllTaskDefinitions}
	res, err := dind.Apply(src, o)
	if err != nil {
		t.Fatalf("all: %v", err)
	}
	if !slices.Equal(res.Targets, []string{"EC2Agents"}) {
		t.Errorf("targets %v, want [EC2Agents]", res.Targets)
	}
	var skipped []string
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, "skipped: task definition ") {
			skipped = append(skipped, strings.Fields(w)[3])
		}
	}
	if !slices.Equal(skipped, []string{"FargateAgents", "WindowsAgents"}) {
		t.Errorf("skipped warnings for %v, want FargateAgents and WindowsAgents: %q", skipped, res.Warnings)
	}
	if n := bytes.Count(res.Output, []byte("Privileged: true")); n != 1 {
		t.Errorf("%d containers made privileged, want 1:\n%s", n, res.Output)
	}

	// None left: refused, naming each.
	src = targetTemplate("", "", agentTaskDef("FargateAgents", "      RequiresCompatibilities: [FARGATE]\n", "")+
		agentTaskDef("WindowsAgents", "      RuntimePlatform:\n        OperatingSystemFamily: WINDOWS_SERVER_2022_CORE\n", ""))
	_, err = dind.Apply(src, o)
	var re *dind.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "FargateAgents") || !strings.Contains(err.Error(), "WindowsAgents") {
		t.Errorf("all refused: want a *RefusedError naming both, got %T %v", err, err)
	}
}
