package agenthosts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// fakeECS answers the reads: instances by cluster, desired counts by
// service name. The attribute names are ECS's
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes).
type fakeECS struct {
	resources    []awsclient.StackResource
	resourcesErr error
	instances    map[string][]awsclient.ContainerInstance
	listErr      error
	desired      map[string]int
	calls        map[string]int
	// memberOf are the registered task definitions' constraints, by ARN.
	memberOf map[string]string
}

func (f *fakeECS) DescribeTaskDefinition(_ context.Context, arn string) (*awsclient.TaskDefinition, error) {
	f.call("DescribeTaskDefinition")
	expr, ok := f.memberOf[arn]
	if !ok {
		return nil, errors.New("ClientException: Unable to describe task definition")
	}
	return &awsclient.TaskDefinition{ARN: arn, PlacementConstraints: []awsclient.PlacementConstraint{{Type: "memberOf", Expression: expr}}}, nil
}

func (f *fakeECS) call(op string) {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeECS) StackResources(context.Context, string) ([]awsclient.StackResource, error) {
	f.call("ListStackResources")
	return f.resources, f.resourcesErr
}

func (f *fakeECS) ContainerInstances(_ context.Context, cluster string) ([]string, error) {
	f.call("ListContainerInstances")
	var arns []string
	for _, ci := range f.instances[cluster] {
		arns = append(arns, ci.ARN)
	}
	return arns, f.listErr
}

func (f *fakeECS) DescribeContainerInstances(_ context.Context, cluster string, _ []string) ([]awsclient.ContainerInstance, error) {
	f.call("DescribeContainerInstances")
	return f.instances[cluster], nil
}

func (f *fakeECS) DescribeServices(_ context.Context, _ string, names []string) ([]awsclient.Service, error) {
	f.call("DescribeServices")
	var out []awsclient.Service
	for _, n := range names {
		out = append(out, awsclient.Service{ARN: n, Desired: f.desired[n]})
	}
	return out, nil
}

func host(n int, arch string, privileged bool) awsclient.ContainerInstance {
	attrs := map[string]string{"ecs.os-type": "linux", "ecs.cpu-architecture": arch}
	if privileged {
		attrs["com.amazonaws.ecs.capability.privileged-container"] = ""
	}
	return awsclient.ContainerInstance{ARN: "arn:ci/" + string(rune('a'+n)), Attributes: attrs, DockerVersion: "25.0.8"}
}

const svcARN = "arn:aws:ecs:us-east-1:123456789012:service/agents/tc-AgentService-1"

// services: AgentService runs AgentTaskDefinition in cluster "agents"
// (its ARN names it); OtherService runs OtherTaskDefinition in "other".
var services = []dind.Service{
	{LogicalID: "AgentService", TaskDefinition: "AgentTaskDefinition", ClusterID: "Cluster"},
	{LogicalID: "OtherService", TaskDefinition: "OtherTaskDefinition", ClusterName: "other"},
}

func newFake(agents, other []awsclient.ContainerInstance) *fakeECS {
	return &fakeECS{
		resources: []awsclient.StackResource{{LogicalID: "AgentService", PhysicalID: svcARN}, {LogicalID: "Cluster", PhysicalID: "agents"}},
		instances: map[string][]awsclient.ContainerInstance{"agents": agents, "other": other},
		desired:   map[string]int{svcARN: 3},
	}
}

var (
	privileged = dind.Options{Mode: dind.ModePrivileged, HealthCheck: true, BuildDirs: true}
	socket     = dind.Options{Mode: dind.ModeSocket, HealthCheck: true, BuildDirs: true}
	targets    = []string{"AgentTaskDefinition"}
)

func TestJudgeRefusesPrivilegedWhereNoHostAllowsIt(t *testing.T) {
	f := newFake([]awsclient.ContainerInstance{host(1, "x86_64", false), host(2, "x86_64", false)}, []awsclient.ContainerInstance{host(3, "x86_64", true)})
	r := Read(context.Background(), f, "tc", services, nil, " --region us-east-1")
	j := r.Judge(privileged, targets, nil)
	if j.Refusal == nil || !strings.Contains(j.Refusal.Reason, "ECS_DISABLE_PRIVILEGED=false") || !strings.Contains(j.Refusal.Reason, "cluster agents") {
		t.Fatalf("refusal %v: want the setting to change, in cluster agents", j.Refusal)
	}
	// Only the agents' cluster is judged, though the other allows it.
	if len(j.Clusters) != 1 || j.Clusters[0].Line != "2 × linux, x86_64, Docker 25.0.8, privileged not allowed (cluster agents)" {
		t.Errorf("clusters %+v", j.Clusters)
	}
	if j := r.Judge(socket, targets, nil); j.Refusal != nil {
		t.Errorf("socket mode refused: %v", j.Refusal)
	}
	if j := r.Judge(dind.Options{Mode: dind.ModeNone}, targets, nil); !j.Empty() {
		t.Errorf("mode none judged: %+v", j)
	}
}

func TestJudgeArchPicksTheArm64Tag(t *testing.T) {
	f := newFake([]awsclient.ContainerInstance{host(1, "arm64", true), host(2, "arm64", true)}, nil)
	j := Read(context.Background(), f, "tc", services, nil, "").Judge(privileged, targets, nil)
	if j.Arch != dind.ArchARM64 || j.Refusal != nil {
		t.Fatalf("arch %q refusal %v", j.Arch, j.Refusal)
	}
	sudo := privileged
	sudo.SudoImage = true
	if o, ok := WithArch(sudo, j.Arch); !ok || o.Arch != dind.ArchARM64 {
		t.Errorf("WithArch(-sudo image, arm64) = %q, %v", o.Arch, ok)
	}
	// Without the -sudo image the arch names the tag the warnings
	// recommend.
	if o, ok := WithArch(privileged, j.Arch); !ok || o.Arch != dind.ArchARM64 {
		t.Errorf("WithArch(privileged, arm64) = %q, %v", o.Arch, ok)
	}
	if _, ok := WithArch(socket, j.Arch); ok {
		t.Error("WithArch changed socket mode's options")
	}
	given := sudo
	given.Arch = dind.ArchX86_64
	if _, ok := WithArch(given, j.Arch); ok {
		t.Error("WithArch overrode --agent-arch")
	}
	mixed := newFake([]awsclient.ContainerInstance{host(1, "arm64", true), host(2, "x86_64", true)}, nil)
	if j := Read(context.Background(), mixed, "tc", services, nil, "").Judge(privileged, targets, nil); j.Arch != "" {
		t.Errorf("mixed hosts: arch %q, want none", j.Arch)
	}
}

func TestJudgeCapacityForOneAgentAnInstance(t *testing.T) {
	f := newFake([]awsclient.ContainerInstance{host(1, "x86_64", true), host(2, "x86_64", true)}, nil)
	r := Read(context.Background(), f, "tc", services, []string{"AgentService"}, "")
	if f.calls["DescribeServices"] != 1 {
		t.Fatalf("%d DescribeServices, want 1", f.calls["DescribeServices"])
	}
	w := strings.Join(r.Judge(socket, targets, []string{"AgentService"}).Warnings(), "\n")
	if !strings.Contains(w, "service AgentService wants 3 agents but cluster agents has 2 container instances") || !strings.Contains(w, "1 agent will not be placed") {
		t.Errorf("warnings %q: want the capacity warning", w)
	}
	// Without the build directories no service gets distinctInstance.
	noDirs := socket
	noDirs.BuildDirs = false
	if w := r.Judge(noDirs, targets, []string{"AgentService"}).Warnings(); len(w) != 0 {
		t.Errorf("without build dirs: warnings %q", w)
	}
	// Not asked: no DescribeServices.
	f2 := newFake(f.instances["agents"], nil)
	Read(context.Background(), f2, "tc", services, nil, "")
	if f2.calls["DescribeServices"] != 0 {
		t.Errorf("%d DescribeServices without desired, want 0", f2.calls["DescribeServices"])
	}
}

func TestReadFailuresAreNotes(t *testing.T) {
	f := newFake(nil, nil)
	f.resourcesErr = errors.New("AccessDenied: cloudformation:ListStackResources")
	j := Read(context.Background(), f, "tc", services, nil, "").Judge(privileged, targets, nil)
	if j.Refusal != nil || len(j.Notes) != 1 || !strings.Contains(j.Notes[0], "the agents' hosts were not read (AccessDenied") {
		t.Errorf("judgement %+v: want one note", j)
	}
	f = newFake(nil, nil)
	f.listErr = errors.New("AccessDeniedException: ecs:ListContainerInstances")
	j = Read(context.Background(), f, "tc", services, nil, " --region eu-west-1").Judge(privileged, targets, nil)
	if j.Refusal != nil || len(j.Clusters) != 1 || j.Clusters[0].Hosts != nil ||
		!strings.Contains(strings.Join(j.Warnings(), ""), "aws ecs list-container-instances --cluster agents --region eu-west-1") {
		t.Errorf("judgement %+v: want a warning with the command", j)
	}
	// An empty cluster (an Auto Scaling group at zero) is not judged.
	j = Read(context.Background(), newFake(nil, nil), "tc", services, nil, "").Judge(privileged, targets, nil)
	if j.Refusal != nil || len(j.Lines()) != 0 || len(j.Clusters) != 1 {
		t.Errorf("empty cluster: %+v", j)
	}
}

// The agents' task definition's memberOf constraint, as ECS registered it,
// narrows the hosts: JetBrains' template (2021-01-12) places agents on
// attribute:teamcity.node-responsibility == buildAgent, so the server's
// instance, which alone allows privileged containers here, is no agent
// host.
func TestJudgeNarrowedByMemberOf(t *testing.T) {
	role := func(ci awsclient.ContainerInstance, r string) awsclient.ContainerInstance {
		ci.Attributes["teamcity.node-responsibility"] = r
		return ci
	}
	const tdARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/teamcity-agent:7"
	const expr = "attribute:teamcity.node-responsibility == buildAgent"
	f := newFake([]awsclient.ContainerInstance{role(host(1, "x86_64", false), "buildAgent"), role(host(2, "x86_64", true), "server"), role(host(3, "x86_64", false), "buildAgent")}, nil)
	f.resources = append(f.resources, awsclient.StackResource{LogicalID: "AgentTaskDefinition", PhysicalID: tdARN})
	f.memberOf = map[string]string{tdARN: expr}
	placed := slices.Clone(services)
	placed[0].TaskPlacementConstraints = true
	r := Read(context.Background(), f, "tc", placed, []string{"AgentService"}, "")
	if f.calls["DescribeTaskDefinition"] != 1 || f.calls["DescribeServices"] != 1 {
		t.Errorf("calls %v: want one DescribeTaskDefinition and one DescribeServices", f.calls)
	}
	j := r.Judge(privileged, targets, nil)
	if len(j.Clusters) != 1 || j.Clusters[0].Line != "2 × linux, x86_64, Docker 25.0.8, privileged not allowed (cluster agents, 2 of 3 instances match memberOf "+expr+")" {
		t.Fatalf("clusters %+v", j.Clusters)
	}
	if j.Refusal == nil || !strings.Contains(j.Refusal.Reason, "none of the 2 container instances of cluster agents matching memberOf "+expr+" allows privileged containers") {
		t.Errorf("refusal %v", j.Refusal)
	}
	w := strings.Join(r.Judge(socket, targets, []string{"AgentService"}).Warnings(), "\n")
	if !strings.Contains(w, "wants 3 agents but cluster agents has 2 container instances matching memberOf "+expr+": ") {
		t.Errorf("capacity: %q", w)
	}
	// Denied: the hosts are counted whole, and the note says so.
	f = newFake([]awsclient.ContainerInstance{role(host(1, "x86_64", true), "buildAgent"), role(host(2, "x86_64", true), "server")}, nil)
	f.resources = append(f.resources, awsclient.StackResource{LogicalID: "AgentTaskDefinition", PhysicalID: tdARN})
	j = Read(context.Background(), f, "tc", placed, nil, "").Judge(privileged, targets, nil)
	if w := strings.Join(j.Warnings(), "\n"); len(j.Clusters) != 1 || !strings.HasPrefix(j.Clusters[0].Line, "2 × ") || !strings.Contains(w, "aws ecs describe-task-definition --task-definition "+tdARN) {
		t.Errorf("denied: %+v", j)
	}
}
