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
		if r := h.PrivilegedRefusal(); !strings.Contains(r, tc.want) || !strings.Contains(r, "none of the 1 container instances of cluster ci") {
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
