package rollout

import (
	"context"
	"reflect"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/ecsarn"
)

const manyServices = `  SpareTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07
          Memory: 2048
  ServerTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-server
          Image: jetbrains/teamcity-server:2025.07
          Memory: 2048
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref AgentTaskDefinition
  OldStyle:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref AgentTaskDefinition
  Literal:
    Type: AWS::ECS::Service
    Properties:
      Cluster: builds
      TaskDefinition: !Ref AgentTaskDefinition
  NoCluster:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref AgentTaskDefinition
  Spare:
    Type: AWS::ECS::Service
    Condition: Spare
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref AgentTaskDefinition
  ServerService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref ServerTaskDefinition
`

func TestPrepareFindsServicesAndClusters(t *testing.T) {
	f := &fakeClient{resources: [][]awsclient.StackResource{{
		{LogicalID: "Cluster", PhysicalID: "ci-cluster", Type: "AWS::ECS::Cluster"},
		{LogicalID: "AgentTaskDefinition", PhysicalID: oldTD},
		{LogicalID: "SpareTaskDefinition", PhysicalID: region + "task-definition/spare:3"},
		{LogicalID: "ServerTaskDefinition", PhysicalID: region + "task-definition/server:1"},
		{LogicalID: "AgentService", PhysicalID: region + "service/long-cluster/agents"},
		{LogicalID: "OldStyle", PhysicalID: region + "service/old-agents"},
		{LogicalID: "Literal", PhysicalID: region + "service/literal-agents"},
		{LogicalID: "NoCluster", PhysicalID: region + "service/default-agents"},
		{LogicalID: "ServerService", PhysicalID: region + "service/ci-cluster/server"},
	}}}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.TaskDefinitions = []string{"all"}
	tmpl, res := parsed(t, agentTemplate(manyServices), opts)
	if !reflect.DeepEqual(res.Targets, []string{"AgentTaskDefinition", "SpareTaskDefinition"}) {
		t.Fatalf("targets %q", res.Targets)
	}
	w := f.prepare(context.Background(), "ci-stack", tmpl, res, opts, "")
	if w.Off() {
		t.Fatalf("off: %q", w.off)
	}
	if f.resourceCalls != 1 {
		t.Errorf("%d ListStackResources, want 1", f.resourceCalls)
	}
	type got struct{ LogicalID, TaskDefinition, ARN, Name, Cluster string }
	var list []got
	for _, s := range w.Services {
		list = append(list, got{s.LogicalID, s.TaskDefinition, s.ARN, s.Name, s.Cluster})
	}
	want := []got{
		{"AgentService", "AgentTaskDefinition", region + "service/long-cluster/agents", "agents", "long-cluster"},
		{"OldStyle", "AgentTaskDefinition", region + "service/old-agents", "old-agents", "ci-cluster"},
		{"Literal", "AgentTaskDefinition", region + "service/literal-agents", "literal-agents", "builds"},
		{"NoCluster", "AgentTaskDefinition", region + "service/default-agents", "default-agents", "default"},
	}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("services:\n got %+v\nwant %+v", list, want)
	}
	if !reflect.DeepEqual(w.Unrun, []string{"SpareTaskDefinition"}) {
		t.Errorf("Unrun = %q, want [SpareTaskDefinition]", w.Unrun)
	}
	wantOld := map[string]string{"AgentTaskDefinition": oldTD, "SpareTaskDefinition": region + "task-definition/spare:3"}
	if !reflect.DeepEqual(w.old, wantOld) {
		t.Errorf("old revisions %v, want %v", w.old, wantOld)
	}
	if !reflect.DeepEqual(w.names, map[string][]string{"AgentTaskDefinition": {"teamcity-agent"}, "SpareTaskDefinition": {"teamcity-agent"}}) {
		t.Errorf("agent names %v", w.names)
	}
	if w.Mode != dind.ModePrivileged || w.Stack != "ci-stack" || w.Started.IsZero() {
		t.Errorf("watch mode %q stack %q started %v", w.Mode, w.Stack, w.Started)
	}
}

func TestPrepareContainerNames(t *testing.T) {
	src := `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: builder
          Image: example.com/ci/builder:1
          Memory: 2048
        - Name: logs
          Image: fluent/fluent-bit:3
          Memory: 128
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref AgentTaskDefinition
`
	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.Containers = []string{"builder"}
	tmpl, res := parsed(t, src, opts)
	f := &fakeClient{resources: [][]awsclient.StackResource{{{LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}, {LogicalID: "AgentService", PhysicalID: svcARN}}}}
	w := f.prepare(context.Background(), "s", tmpl, res, opts, "")
	if !reflect.DeepEqual(w.names, map[string][]string{"AgentTaskDefinition": {"builder"}}) {
		t.Errorf("agent names %v, want the --container ones", w.names)
	}
	if len(w.Services) != 1 || w.Services[0].Cluster != "ci" || w.Services[0].Name != "agents" {
		t.Errorf("services %+v", w.Services)
	}
}

func TestPrepareNilClientIsSilent(t *testing.T) {
	opts := dind.DefaultOptions(dind.ModePrivileged)
	tmpl, res := parsed(t, agentTemplate(oneService), opts)
	w := Prepare(context.Background(), nil, "s", tmpl, res, opts, "")
	if !w.Off() {
		t.Fatal("a nil client gives a Watch that is on")
	}
	for i := 0; i < 3; i++ {
		if lines := w.Poll(context.Background()); len(lines) != 0 {
			t.Errorf("Poll %d said %q", i, texts(lines))
		}
	}
	lines, err := w.Verify(context.Background(), 3, 0)
	if err != nil || len(lines) != 0 {
		t.Errorf("Verify = %q, %v; want nothing", texts(lines), err)
	}
	if w.Failing() != "" {
		t.Errorf("Failing = %q", w.Failing())
	}
}

func TestNilWatch(t *testing.T) {
	var w *Watch
	if !w.Off() || w.Failing() != "" {
		t.Error("a nil Watch is on or failing")
	}
	if lines, err := w.Verify(context.Background(), 1, 0); lines != nil || err != nil {
		t.Errorf("nil Verify = %v, %v", lines, err)
	}
}

func TestPrepareStackResourcesDenied(t *testing.T) {
	f := &fakeClient{resourcesErr: []error{apiError("AccessDeniedException", "ListStackResources", "User is not authorized")}}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	tmpl, res := parsed(t, agentTemplate(oneService), opts)
	w := f.prepare(context.Background(), "s", tmpl, res, opts, "")
	if !w.Off() {
		t.Fatal("Watch is on after AccessDenied")
	}
	const off = "following CloudFormation only: cloudformation:ListStackResources was denied (AccessDeniedException); allow ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks and ecs:DescribeTaskDefinition (and cloudformation:ListStackResources) to see the agents roll out"
	sameLines(t, "first Poll", w.Poll(context.Background()), "note: "+off)
	for i := 0; i < 3; i++ {
		sameLines(t, "later Poll", w.Poll(context.Background()))
	}
	if n := len(f.serviceCalls) + len(f.stoppedCalls) + len(f.taskCalls) + len(f.taskDefCalls); n != 0 {
		t.Errorf("%d ECS calls while off", n)
	}
	lines, err := w.Verify(context.Background(), 3, 0)
	if err != nil {
		t.Errorf("Verify error %v", err)
	}
	sameLines(t, "Verify", lines, "note: the agents were not verified in ECS: cloudformation:ListStackResources was denied (AccessDeniedException)")
	if f.resourceCalls != 1 {
		t.Errorf("%d ListStackResources, want 1", f.resourceCalls)
	}
}

func TestPrepareStackResourcesFails(t *testing.T) {
	f := &fakeClient{resourcesErr: []error{apiError("ThrottlingException", "ListStackResources", "Rate exceeded")}}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	tmpl, res := parsed(t, agentTemplate(oneService), opts)
	w := f.prepare(context.Background(), "s", tmpl, res, opts, "")
	if !w.Off() {
		t.Fatal("Watch is on after a failed ListStackResources")
	}
	sameLines(t, "first Poll", w.Poll(context.Background()),
		"note: following CloudFormation only: could not find the agents' ECS services (ListStackResources: operation error ECS: ListStackResources, api error ThrottlingException: Rate exceeded)")
	sameLines(t, "second Poll", w.Poll(context.Background()))
}

func TestPrepareNoServices(t *testing.T) {
	opts := dind.DefaultOptions(dind.ModePrivileged)
	tmpl, res := parsed(t, agentTemplate(""), opts)
	f := &fakeClient{resources: [][]awsclient.StackResource{{{LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}}}}
	w := f.prepare(context.Background(), "s", tmpl, res, opts, "")
	if w.Off() || len(w.Services) != 0 || !reflect.DeepEqual(w.Unrun, []string{"AgentTaskDefinition"}) {
		t.Fatalf("off %q services %d unrun %q", w.off, len(w.Services), w.Unrun)
	}
	sameLines(t, "Poll", w.Poll(context.Background()))
	if len(f.serviceCalls) != 0 {
		t.Errorf("%d DescribeServices without services", len(f.serviceCalls))
	}
}

func TestServiceNameCluster(t *testing.T) {
	for _, c := range []struct{ arn, name, cluster string }{
		{region + "service/ci/agents", "agents", "ci"},
		{region + "service/agents", "agents", ""},
		{"agents", "agents", ""},
	} {
		n, cl := ecsarn.Service(c.arn)
		if n != c.name || cl != c.cluster {
			t.Errorf("ecsarn.Service(%q) = %q, %q; want %q, %q", c.arn, n, cl, c.name, c.cluster)
		}
	}
	if got := ecsarn.Revision(newTD); got != "agent:8" {
		t.Errorf("revision = %q", got)
	}
	if got := ecsarn.Revision("agent:8"); got != "agent:8" {
		t.Errorf("revision of a bare one = %q", got)
	}
	if got := shortTask(region + "task/ci/0123456789abcdef"); got != "01234567" {
		t.Errorf("shortTask = %q", got)
	}
	if got := shortTask(region + "task/abc"); got != "abc" {
		t.Errorf("shortTask short = %q", got)
	}
}
