package dind

import (
	"reflect"
	"testing"
)

func TestServices(t *testing.T) {
	src := []byte(`Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07
  ServerTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-server
          Image: jetbrains/teamcity-server:2025.07
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      Cluster:
        Ref: Cluster
      TaskDefinition: !Ref AgentTaskDefinition
  SpareAgents:
    Type: AWS::ECS::Service
    Properties:
      Cluster: ci-agents
      TaskDefinition: !If [Spare, !Ref AgentTaskDefinition, !Ref AWS::NoValue]
  ParamCluster:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref ClusterParam
      TaskDefinition: {"Ref": "AgentTaskDefinition"}
  ServerService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref ServerTaskDefinition
  Scheduled:
    Type: AWS::Events::Rule
    Properties:
      Targets:
        - EcsParameters:
            TaskDefinitionArn: !Ref AgentTaskDefinition
`)
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	got := tmpl.Services([]string{"AgentTaskDefinition"})
	want := []Service{
		{LogicalID: "AgentService", TaskDefinition: "AgentTaskDefinition", ClusterID: "Cluster"},
		{LogicalID: "SpareAgents", TaskDefinition: "AgentTaskDefinition", ClusterName: "ci-agents"},
		{LogicalID: "ParamCluster", TaskDefinition: "AgentTaskDefinition"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Services:\n got %+v\nwant %+v", got, want)
	}
	if got := tmpl.Services([]string{"Nothing"}); len(got) != 0 {
		t.Errorf("Services of an unknown task definition: %+v", got)
	}
}

// Placement constraints the service or its task definition writes: only a
// literal distinctInstance list narrows no host.
func TestServicesPlacementConstraints(t *testing.T) {
	for _, tc := range []struct {
		svc, td     string
		wantS, want bool
	}{
		{"", "", false, false},
		{"      PlacementConstraints: []\n", "", false, false},
		{"      PlacementConstraints:\n        - Type: distinctInstance\n", "", false, false},
		{"      PlacementConstraints:\n        - Type: memberOf\n          Expression: attribute:role == agent\n", "", true, false},
		{"      PlacementConstraints: !If [Pinned, [{Type: memberOf, Expression: 'attribute:x exists'}], !Ref AWS::NoValue]\n", "", true, false},
		{"", "      PlacementConstraints:\n        - Type: memberOf\n          Expression: !Sub 'attribute:role == ${Role}'\n", false, true},
	} {
		src := "Resources:\n  Agent:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n" + tc.td +
			"      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n" +
			"  Svc:\n    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: !Ref Agent\n" + tc.svc
		tmpl, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		got := tmpl.Services([]string{"Agent"})
		if len(got) != 1 || got[0].PlacementConstraints != tc.wantS || got[0].TaskPlacementConstraints != tc.want {
			t.Errorf("%q %q: %+v", tc.svc, tc.td, got)
		}
	}
}
