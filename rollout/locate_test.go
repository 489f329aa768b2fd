package rollout

import (
	"context"
	"reflect"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// Locate finds the same services as Prepare, with their agent containers,
// in one ListStackResources and no ECS call.
func TestLocateFindsAgentServices(t *testing.T) {
	f := &fakeClient{resources: [][]awsclient.StackResource{{
		{LogicalID: "Cluster", PhysicalID: "ci-cluster", Type: "AWS::ECS::Cluster"},
		{LogicalID: "AgentTaskDefinition", PhysicalID: oldTD},
		{LogicalID: "AgentService", PhysicalID: region + "service/long-cluster/agents"},
		{LogicalID: "OldStyle", PhysicalID: region + "service/old-agents"},
		{LogicalID: "Literal", PhysicalID: region + "service/literal-agents"},
		{LogicalID: "NoCluster", PhysicalID: region + "service/default-agents"},
		{LogicalID: "ServerService", PhysicalID: region + "service/ci-cluster/server"},
	}}}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.TaskDefinitions = []string{"AgentTaskDefinition"}
	tmpl, res := parsed(t, agentTemplate(manyServices), opts)
	got, err := Locate(context.Background(), f, "ci-stack", tmpl, res, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []Located{
		{"AgentService", "AgentTaskDefinition", "agents", "long-cluster", []string{"teamcity-agent"}},
		{"OldStyle", "AgentTaskDefinition", "old-agents", "ci-cluster", []string{"teamcity-agent"}},
		{"Literal", "AgentTaskDefinition", "literal-agents", "builds", []string{"teamcity-agent"}},
		{"NoCluster", "AgentTaskDefinition", "default-agents", "default", []string{"teamcity-agent"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("located:\n got %+v\nwant %+v", got, want)
	}
	if f.resourceCalls != 1 || len(f.serviceCalls) != 0 {
		t.Errorf("%d ListStackResources, %d DescribeServices", f.resourceCalls, len(f.serviceCalls))
	}
}
