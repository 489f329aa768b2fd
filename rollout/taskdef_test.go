package rollout

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

func TestContainerModes(t *testing.T) {
	no := false
	sock := func(name, image, path string) awsclient.ContainerDefinition {
		return awsclient.ContainerDefinition{Name: name, Image: image, MountPoints: []awsclient.MountPoint{{SourceVolume: "docker-sock", ContainerPath: path}}}
	}
	custom := awsclient.ContainerDefinition{Name: "builder", Image: "example.com/ci/builder:1", Privileged: yes()}
	for _, c := range []struct {
		name  string
		td    awsclient.TaskDefinition
		names []string
		want  map[string]dind.Mode
	}{
		{"privileged agent, sidecar left out", *privilegedTD(newTD), nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModePrivileged}},
		{"Privileged false", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{{Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2025.07", Privileged: &no}}}, nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeNone}},
		{"socket", *socketTD(newTD, "/var/run/docker.sock"), nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeSocket}},
		{"socket through /run", *socketTD(newTD, "/run/docker.sock"), nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeSocket}},
		{"socket path on a volume Docker manages", *socketTD(newTD, ""), nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeNone}},
		{"socket path from another host path", *socketTD(newTD, "/tmp/docker.sock"), nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeNone}},
		{"mount elsewhere", awsclient.TaskDefinition{
			Containers: []awsclient.ContainerDefinition{sock("teamcity-agent", "jetbrains/teamcity-agent:2025.07", "/docker.sock")},
			Volumes:    []awsclient.Volume{{Name: "docker-sock", HostPath: "/var/run/docker.sock"}}}, nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeNone}},
		{"mixed", awsclient.TaskDefinition{
			Containers: []awsclient.ContainerDefinition{func() awsclient.ContainerDefinition {
				c := sock("teamcity-agent", "jetbrains/teamcity-agent:2025.07-linux-sudo", "/var/run/docker.sock")
				c.Privileged = yes()
				return c
			}()},
			Volumes: []awsclient.Volume{{Name: "docker-sock", HostPath: "/var/run/docker.sock"}}}, nil,
			map[string]dind.Mode{"teamcity-agent": dind.ModeMixed}},
		{"ECR agent image", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{
			{Name: "agent", Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/teamcity-agent:2025.07", Privileged: yes()}}}, nil,
			map[string]dind.Mode{"agent": dind.ModePrivileged}},
		{"two agents", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{
			{Name: "a1", Image: "jetbrains/teamcity-agent:2025.07", Privileged: yes()},
			{Name: "a2", Image: "jetbrains/teamcity-agent:2025.07"}}}, nil,
			map[string]dind.Mode{"a1": dind.ModePrivileged, "a2": dind.ModeNone}},
		{"no agent by the rule", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{custom}}, nil,
			map[string]dind.Mode{}},
		{"--container names it", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{custom, {Name: "logs", Image: "fluent/fluent-bit:3"}}}, []string{"builder"},
			map[string]dind.Mode{"builder": dind.ModePrivileged}},
		{"--container names overrule the rule", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{
			custom, {Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2025.07"}}}, []string{"builder"},
			map[string]dind.Mode{"builder": dind.ModePrivileged}},
		{"named containers gone: the agent rule", *privilegedTD(newTD), []string{"gone"},
			map[string]dind.Mode{"teamcity-agent": dind.ModePrivileged}},
		{"some names gone", awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{custom, {Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2025.07"}}}, []string{"gone", "builder"},
			map[string]dind.Mode{"builder": dind.ModePrivileged}},
	} {
		got, err := containerModes(&c.td, c.names)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: modes %v, want %v", c.name, got, c.want)
		}
	}
}

func TestContainerModesNoNames(t *testing.T) {
	for _, td := range []awsclient.TaskDefinition{
		{},
		{Containers: []awsclient.ContainerDefinition{{Image: "jetbrains/teamcity-agent:2025.07"}}},
		{Containers: []awsclient.ContainerDefinition{{Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2025.07"}, {Image: "x"}}},
	} {
		if _, err := containerModes(&td, nil); !errors.Is(err, errNoNames) {
			t.Errorf("containerModes(%+v) error %v, want errNoNames", td, err)
		}
	}
}

func TestContainerModesDoesNotChangeNames(t *testing.T) {
	names := []string{"gone", "builder"}
	td := awsclient.TaskDefinition{Containers: []awsclient.ContainerDefinition{{Name: "builder", Image: "b"}}}
	if _, err := containerModes(&td, names); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names, []string{"gone", "builder"}) {
		t.Errorf("names changed to %q", names)
	}
}
