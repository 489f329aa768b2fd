package changeset

import (
	"os"
	"slices"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// TestScopeAllowsDistinctService: socket mode (complete) gives the agent's
// service a distinctInstance constraint; the change set's Modify of that
// service is within the reviewed edit, and a Modify of another service is
// not.
func TestScopeAllowsDistinctService(t *testing.T) {
	src, err := os.ReadFile("../testdata/templates/blog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tpl.Apply(dind.DefaultOptions(dind.ModeSocket))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Services, []string{"AgentService"}) {
		t.Fatalf("Services = %v, want [AgentService]", res.Services)
	}
	sc := ScopeOf(tpl, res)
	got := sc.Unexpected([]awsclient.ResourceChange{
		{Action: "Modify", LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition"},
		{Action: "Modify", LogicalID: "AgentService", ResourceType: "AWS::ECS::Service"},
		{Action: "Modify", LogicalID: "TCServerNodeService", ResourceType: "AWS::ECS::Service"},
	})
	if DescribeChanges(got) != "Modify TCServerNodeService (AWS::ECS::Service)" {
		t.Errorf("unexpected: %s", DescribeChanges(got))
	}
}
