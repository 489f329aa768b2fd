package hosts

// Container instance attributes as ECS registers them
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes);
// the privileged capability only where the agent allows it
// (ECS_DISABLE_PRIVILEGED; Bottlerocket's settings.ecs.allow-privileged-containers,
// default false: https://bottlerocket.dev/en/os/1.20.x/api/settings/ecs/).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
)

type fake struct {
	instances []awsclient.ContainerInstance
	names     map[string]string
	namesErr  error
	describes int
}

func (f *fake) ContainerInstances(context.Context, string) ([]string, error) {
	var arns []string
	for _, i := range f.instances {
		arns = append(arns, i.ARN)
	}
	return arns, nil
}

func (f *fake) DescribeContainerInstances(_ context.Context, _ string, arns []string) ([]awsclient.ContainerInstance, error) {
	f.describes++
	if len(arns) > 100 {
		return nil, fmt.Errorf("%d instances, over ECS's 100", len(arns))
	}
	var out []awsclient.ContainerInstance
	for _, i := range f.instances {
		for _, a := range arns {
			if a == i.ARN {
				out = append(out, i)
			}
		}
	}
	return out, nil
}

func (f *fake) ImageNames(context.Context, []string) (map[string]string, error) {
	return f.names, f.namesErr
}

func inst(n int, arch, ami string, privileged bool) awsclient.ContainerInstance {
	attrs := map[string]string{"ecs.os-type": "linux", "ecs.cpu-architecture": arch, "ecs.ami-id": ami}
	if privileged {
		attrs[attrPrivileged] = ""
	}
	return awsclient.ContainerInstance{ARN: fmt.Sprint("ci-", n), Attributes: attrs, DockerVersion: "25.0.8"}
}

func TestReadMixedHosts(t *testing.T) {
	f := &fake{names: map[string]string{"ami-al": "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-arm64", "ami-br": "bottlerocket-aws-ecs-2-aarch64-v1.20.0"}}
	for i := 0; i < 150; i++ {
		f.instances = append(f.instances, inst(i, "arm64", "ami-al", true))
	}
	f.instances = append(f.instances, inst(999, "arm64", "ami-br", false))
	h, err := Read(context.Background(), f, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if f.describes != 2 {
		t.Errorf("151 instances described in %d calls, want 2 (100 a call)", f.describes)
	}
	if got := h.String(); got != "150 × Amazon Linux 2023, arm64, Docker 25.0.8, privileged allowed; 1 × Bottlerocket, arm64, Docker 25.0.8, privileged not allowed" {
		t.Errorf("String() = %q", got)
	}
	if h.Arch() != "arm64" || h.PrivilegedRefusal() != "" {
		t.Errorf("arch %q, refusal %q", h.Arch(), h.PrivilegedRefusal())
	}
	if w := strings.Join(h.Warnings(true), "\n"); !strings.Contains(w, "only 150 of the 151 container instances of cluster ci allow privileged containers") {
		t.Errorf("warnings %q", w)
	}
}

func TestPrivilegedRefusal(t *testing.T) {
	for _, tc := range []struct{ ami, want string }{
		{"bottlerocket-aws-ecs-2-x86_64-v1.20.0", "settings.ecs.allow-privileged-containers = true"},
		{"al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64", "ECS_DISABLE_PRIVILEGED=false in /etc/ecs/ecs.config"},
	} {
		f := &fake{names: map[string]string{"ami-x": tc.ami}, instances: []awsclient.ContainerInstance{inst(1, "x86_64", "ami-x", false)}}
		h, err := Read(context.Background(), f, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if r := h.PrivilegedRefusal(); !strings.Contains(r, tc.want) || !strings.Contains(r, "the one container instance of cluster ci") {
			t.Errorf("%s: refusal %q", tc.ami, r)
		}
	}
}

func TestDeniedImageNamesIsANote(t *testing.T) {
	f := &fake{namesErr: errors.New("UnauthorizedOperation: You are not authorized"), instances: []awsclient.ContainerInstance{inst(1, "x86_64", "ami-x", true)}}
	h, err := Read(context.Background(), f, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if h.String() != "1 × linux, x86_64, Docker 25.0.8, privileged allowed" || !strings.Contains(strings.Join(h.Warnings(true), ""), "the hosts' AMIs were not named") {
		t.Errorf("%q %q", h.String(), h.Warnings(true))
	}
}

// role is an agent host of JetBrains' template: its launch configuration
// writes ECS_INSTANCE_ATTRIBUTES={"teamcity.node-responsibility": ROLE}
// (teamcity-server.yaml 2021-01-12, b923207).
func role(i awsclient.ContainerInstance, r string) awsclient.ContainerInstance {
	i.Attributes["teamcity.node-responsibility"] = r
	return i
}

const buildAgent = "attribute:teamcity.node-responsibility == buildAgent"

func TestNarrowedByMemberOf(t *testing.T) {
	f := &fake{names: map[string]string{"ami-al": "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64"}, instances: []awsclient.ContainerInstance{
		role(inst(1, "x86_64", "ami-al", true), "buildAgent"), role(inst(2, "arm64", "ami-al", false), "server"), role(inst(3, "x86_64", "ami-al", true), "buildAgent"),
	}}
	h, err := Read(context.Background(), f, "ci", buildAgent)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Line(), "2 × Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed (cluster ci, 2 of 3 instances match memberOf "+buildAgent+")"; got != want {
		t.Errorf("Line() = %q\nwant     %q", got, want)
	}
	if h.Arch() != "x86_64" || len(h.Warnings(true)) != 0 {
		t.Errorf("the server's arm64 instance counted: arch %q, warnings %q", h.Arch(), h.Warnings(true))
	}
	// Without constraints, the line is as before.
	h, _ = Read(context.Background(), f, "ci")
	if got := h.Line(); got != "2 × Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed; 1 × Amazon Linux 2023, arm64, Docker 25.0.8, privileged not allowed (cluster ci)" {
		t.Errorf("Line() = %q", got)
	}
}

// An expression tcdind cannot read, or cannot evaluate for an instance,
// never drops that instance; the note names it.
func TestUnsureConstraintsKeepInstances(t *testing.T) {
	f := &fake{instances: []awsclient.ContainerInstance{role(inst(1, "x86_64", "", true), "buildAgent"), role(inst(2, "x86_64", "", true), "server")}}
	for _, tc := range []struct {
		exprs []string
		kept  int
		note  string
	}{
		{[]string{"task:group == service:agents"}, 2, "tcdind cannot tell whether 2 of the 2 container instances of cluster ci match the agents' placement constraint memberOf task:group == service:agents: they are counted"},
		{[]string{"attribute:teamcity.node-responsibility ==="}, 2, "tcdind cannot read the agents' placement constraint memberOf attribute:teamcity.node-responsibility ===: all 2 container instances of cluster ci are counted"},
		// Unknown for one, False for the other: the server's instance goes.
		{[]string{buildAgent, "task:group == service:agents"}, 1, "tcdind cannot tell whether 1 of the 2 container instances"},
		{[]string{"attribute:teamcity.node-responsibility =~ Agent"}, 1, "tcdind cannot tell whether 1 of the 2"},
	} {
		h, err := Read(context.Background(), f, "ci", tc.exprs...)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.List) != tc.kept || !strings.Contains(strings.Join(h.Notes, "\n"), tc.note) {
			t.Errorf("%q: kept %d (want %d), notes %q", tc.exprs, len(h.List), tc.kept, h.Notes)
		}
	}
}

func TestNoneMatches(t *testing.T) {
	f := &fake{instances: []awsclient.ContainerInstance{role(inst(1, "x86_64", "ami-al", true), "server")}}
	h, err := Read(context.Background(), f, "ci", buildAgent)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Line(); got != "the one container instance of cluster ci does not match memberOf "+buildAgent+": ECS cannot place the agents there until one does" {
		t.Errorf("Line() = %q", got)
	}
	if h.PrivilegedRefusal() != "" {
		t.Errorf("refused with no agent host to judge: %q", h.PrivilegedRefusal())
	}
}

// placer answers DescribeServices and DescribeTaskDefinition.
type placer struct {
	services        []awsclient.Service
	tds             map[string]*awsclient.TaskDefinition
	err             error
	describes, tdes int
}

func (p *placer) DescribeServices(_ context.Context, _ string, names []string) ([]awsclient.Service, error) {
	p.describes++
	if len(names) > 10 {
		return nil, fmt.Errorf("%d services, over ECS's 10", len(names))
	}
	if p.err != nil {
		return nil, p.err
	}
	var out []awsclient.Service
	for _, s := range p.services {
		for _, n := range names {
			if s.Name == n || s.ARN == n {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func (p *placer) DescribeTaskDefinition(_ context.Context, arn string) (*awsclient.TaskDefinition, error) {
	p.tdes++
	if td, ok := p.tds[arn]; ok {
		return td, nil
	}
	return nil, fmt.Errorf("ClientException: Unable to describe task definition")
}

func memberOfC(expr string) []awsclient.PlacementConstraint {
	return []awsclient.PlacementConstraint{{Type: "memberOf", Expression: expr}, {Type: "distinctInstance"}}
}

func TestReadPlacement(t *testing.T) {
	td := "arn:aws:ecs:us-east-1:123456789012:task-definition/teamcity-agent:3"
	p := &placer{
		services: []awsclient.Service{{Name: "agents", Desired: 2, PlacementConstraints: memberOfC("attribute:ecs.os-type == linux")}},
		tds:      map[string]*awsclient.TaskDefinition{td: {ARN: td, PlacementConstraints: memberOfC(buildAgent)}},
	}
	got := ReadPlacement(context.Background(), p, "ci", []Placed{{Service: "agents", TaskDefinition: td, ServiceConstraints: true, TaskConstraints: true}}, false)
	if strings.Join(got.MemberOf, " | ") != "attribute:ecs.os-type == linux | "+buildAgent || len(got.Notes) != 0 || p.describes != 1 || p.tdes != 1 {
		t.Errorf("%+v, %d DescribeServices, %d DescribeTaskDefinition", got, p.describes, p.tdes)
	}
	// Only the task definition writes constraints: no DescribeServices.
	p.describes, p.tdes = 0, 0
	got = ReadPlacement(context.Background(), p, "ci", []Placed{{Service: "agents", TaskDefinition: td, TaskConstraints: true}}, false)
	if strings.Join(got.MemberOf, " | ") != buildAgent || p.describes != 0 || got.Services != nil {
		t.Errorf("%+v, %d DescribeServices", got, p.describes)
	}
	// Two services with different constraints: not narrowed, said.
	got = ReadPlacement(context.Background(), p, "ci", []Placed{{Service: "agents", TaskDefinition: td, TaskConstraints: true}, {Service: "agents", TaskDefinition: td, ServiceConstraints: true, TaskConstraints: true}}, false)
	if got.MemberOf != nil || !strings.Contains(strings.Join(got.Notes, ""), "have different placement constraints") {
		t.Errorf("%+v", got)
	}
	// Denied: not narrowed, with the command to check.
	got = ReadPlacement(context.Background(), &placer{err: errors.New("AccessDeniedException: not authorized")}, "ci", []Placed{{Service: "agents", TaskDefinition: td, ServiceConstraints: true}}, true)
	if got.MemberOf != nil || !strings.Contains(strings.Join(got.Notes, ""), "aws ecs describe-services --cluster ci --services agents") {
		t.Errorf("%+v", got)
	}
	got = ReadPlacement(context.Background(), &placer{}, "ci", []Placed{{Service: "agents", TaskDefinition: td, TaskConstraints: true}}, false)
	if got.MemberOf != nil || !strings.Contains(strings.Join(got.Notes, ""), "aws ecs describe-task-definition --task-definition "+td) {
		t.Errorf("%+v", got)
	}
}
