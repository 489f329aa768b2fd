package dind_test

// Mode detection follows the volume behind the socket mount, and Fn::If in
// the lists and values the recipes edit is refused rather than guessed.

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

var allRecipes = []dind.Options{
	dind.DefaultOptions(dind.ModeSocket),
	withMinimal(dind.DefaultOptions(dind.ModeSocket)),
	dind.DefaultOptions(dind.ModePrivileged),
	withMinimal(dind.DefaultOptions(dind.ModePrivileged)),
	dind.DefaultOptions(dind.ModeNone),
}

func detectedMode(t *testing.T, src []byte) dind.Mode {
	t.Helper()
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	a := tpl.Agents()
	if len(a) != 1 {
		t.Fatalf("%d agent task definitions, want 1", len(a))
	}
	return a[0].Mode()
}

// refusedInEveryMode checks a one-line *RefusedError that contains wants,
// in every mode.
func refusedInEveryMode(t *testing.T, label string, src []byte, modes []dind.Options, wants ...string) {
	t.Helper()
	for _, opts := range modes {
		res, err := dind.Apply(src, opts)
		var re *dind.RefusedError
		if !errors.As(err, &re) {
			out := ""
			if res != nil {
				out = string(res.Output)
			}
			t.Errorf("%s, %s minimal=%v: want *RefusedError, got %T %v\n%s", label, opts.Mode, opts.Minimal, err, err, out)
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
}

const sockMount = `          MountPoints:
            - ContainerPath: /var/run/docker.sock
              SourceVolume: docker-sock
`

func TestSocketModeNeedsTheHostSocket(t *testing.T) {
	for _, tc := range []struct {
		label, volumes string
		wants          []string
	}{
		{"EFS volume", "      Volumes:\n        - Name: docker-sock\n          EFSVolumeConfiguration:\n            FilesystemId: fs-12345678\n",
			[]string{"volume docker-sock, which is not a host volume with SourcePath /var/run/docker.sock"}},
		{"Docker volume", "      Volumes:\n        - Name: docker-sock\n          DockerVolumeConfiguration:\n            Scope: task\n            Driver: local\n",
			[]string{"not a host volume"}},
		{"host volume elsewhere", "      Volumes:\n        - Name: docker-sock\n          Host:\n            SourcePath: /tmp/docker.sock\n",
			[]string{"not a host volume with SourcePath /var/run/docker.sock"}},
		{"volume without Host (task storage)", "      Volumes:\n        - Name: docker-sock\n",
			[]string{"not a host volume"}},
		{"missing volume", "",
			[]string{"volume docker-sock, which the task definition does not define"}},
	} {
		src := targetTemplate("", "", agentTaskDef("AgentTaskDefinition", tc.volumes, sockMount))
		if m := detectedMode(t, src); m != dind.ModeNone {
			t.Errorf("%s: detected %s, want none (it is not the host's socket)", tc.label, m)
		}
		refusedInEveryMode(t, tc.label, src, allRecipes, append(tc.wants, fmt.Sprintf("container teamcity-agent in AgentTaskDefinition mounts /var/run/docker.sock (line %d)", lineOf(t, src, "- ContainerPath: /var/run/docker.sock")), "by hand")...)
	}

	src := targetTemplate("", "", agentTaskDef("AgentTaskDefinition",
		"      Volumes:\n        - Name: docker-sock\n          Host:\n            SourcePath: /var/run/docker.sock/\n", sockMount))
	if m := detectedMode(t, src); m != dind.ModeSocket {
		t.Errorf("host socket volume: detected %s, want socket", m)
	}
	res, err := dind.Apply(src, withMinimal(dind.DefaultOptions(dind.ModeSocket)))
	if err != nil || res.Changed {
		t.Errorf("socket on a template in socket mode: changed %v, err %v", res != nil && res.Changed, err)
	}
	res, err = dind.Apply(src, dind.DefaultOptions(dind.ModeNone))
	if err != nil || bytes.Contains(res.Output, []byte("docker.sock")) {
		t.Errorf("none: err %v, socket left:\n%s", err, res.Output)
	}
}

func TestFnIfInEditedListsRefused(t *testing.T) {
	const ifMount = `          MountPoints:
            - !If
              - UseSocket
              - ContainerPath: /var/run/docker.sock
                SourceVolume: docker-sock
              - !Ref AWS::NoValue
`
	const ifMountLong = `          MountPoints:
            - Fn::If:
                - UseSocket
                - {ContainerPath: /var/run/docker.sock, SourceVolume: docker-sock}
                - !Ref AWS::NoValue
`
	const ifEnv = `          Environment:
            - !If [UseDinD, {Name: DOCKER_IN_DOCKER, Value: start}, !Ref AWS::NoValue]
`
	const ifPath = `          MountPoints:
            - ContainerPath: !If [UseSocket, /var/run/docker.sock, /tmp/none]
              SourceVolume: docker-sock
`
	const ifEnvName = `          Environment:
            - Name: !If [UseDinD, DOCKER_IN_DOCKER, UNUSED]
              Value: start
`
	const wholeMounts = `          MountPoints: !If
            - UseSocket
            - - ContainerPath: /var/run/docker.sock
                SourceVolume: docker-sock
            - []
`
	const wholeEnvLong = `          Environment:
            Fn::If: [UseDinD, [{Name: DOCKER_IN_DOCKER, Value: start}], []]
`
	const hostSock = "      Volumes:\n        - Name: docker-sock\n          Host:\n            SourcePath: /var/run/docker.sock\n"
	const ifVolume = "      Volumes:\n        - !If [UseSocket, {Name: docker-sock, Host: {SourcePath: /var/run/docker.sock}}, !Ref AWS::NoValue]\n"
	const ifPrivileged = "          Privileged: !If [UseDinD, true, false]\n"
	for _, tc := range []struct {
		label, props, extra string
		modes               []dind.Options
		wants               []string
		at                  string // the want's "(line %d)" is the line of the first at
	}{
		{"Fn::If mount item", hostSock, ifMount, allRecipes, []string{"MountPoints of container teamcity-agent in AgentTaskDefinition has an Fn::If item (line %d)"}, "- !If"},
		{"Fn::If mount item, long form", hostSock, ifMountLong, allRecipes, []string{"MountPoints of container teamcity-agent in AgentTaskDefinition has an Fn::If item (line %d)"}, "- Fn::If:"},
		{"Fn::If environment item", "", ifEnv, allRecipes, []string{"Environment of container teamcity-agent in AgentTaskDefinition has an Fn::If item (line %d)"}, "- !If [UseDinD"},
		{"Fn::If ContainerPath", hostSock, ifPath, allRecipes, []string{"has a ContainerPath set by an Fn::If (line %d)"}, "ContainerPath: !If"},
		{"Fn::If variable name", "", ifEnvName, allRecipes, []string{"has a Name set by an Fn::If (line %d)"}, "Name: !If"},
		{"Fn::If as the whole MountPoints", hostSock, wholeMounts, allRecipes, []string{"MountPoints of container teamcity-agent in AgentTaskDefinition (line %d) is not a plain list"}, "MountPoints: !If"},
		{"Fn::If as the whole Environment, long form", "", wholeEnvLong, allRecipes, []string{"Environment of container teamcity-agent in AgentTaskDefinition (line %d) is not a plain list"}, "Fn::If: [UseDinD"},
		{"Fn::If volume item", ifVolume, "", allRecipes, []string{"Volumes of task definition AgentTaskDefinition has an Fn::If item (line %d)"}, "- !If [UseSocket"},
		{"Fn::If Privileged", "", ifPrivileged, allRecipes, []string{"Privileged of container teamcity-agent in AgentTaskDefinition (line %d)"}, "Privileged:"},
		{"Fn::If User not root on a branch", "", "          User: !If [UseDinD, root, buildagent]\n",
			[]dind.Options{dind.DefaultOptions(dind.ModeSocket)}, []string{"User of container teamcity-agent in AgentTaskDefinition (line %d) is an Fn::If"}, "User:"},
		{"Fn::If User absent on a branch", "", "          User: !If [UseDinD, root, !Ref AWS::NoValue]\n",
			[]dind.Options{dind.DefaultOptions(dind.ModeSocket)}, []string{"User of container teamcity-agent in AgentTaskDefinition (line %d)"}, "User:"},
	} {
		src := targetTemplate("", "  UseSocket: !Equals [a, b]\n  UseDinD: !Equals [a, b]\n", agentTaskDef("AgentTaskDefinition", tc.props, tc.extra))
		wants := slices.Clone(tc.wants)
		for i, w := range wants {
			if strings.Contains(w, "%d") {
				wants[i] = fmt.Sprintf(w, lineOf(t, src, tc.at))
			}
		}
		refusedInEveryMode(t, tc.label, src, tc.modes, wants...)
	}

	// A User that is root on every branch needs nothing.
	src := targetTemplate("", "  UseDinD: !Equals [a, b]\n", agentTaskDef("AgentTaskDefinition", "", "          User: !If [UseDinD, root, \"0\"]\n"))
	res, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket))
	if err != nil {
		t.Fatalf("User root on both branches: %v", err)
	}
	if bytes.Count(res.Output, []byte("User:")) != 1 {
		t.Errorf("User root on both branches: a second User:\n%s", res.Output)
	}
	// The minimal socket recipe does not touch User.
	src = targetTemplate("", "  UseDinD: !Equals [a, b]\n", agentTaskDef("AgentTaskDefinition", "", "          User: !If [UseDinD, root, buildagent]\n"))
	if _, err := dind.Apply(src, withMinimal(dind.DefaultOptions(dind.ModeSocket))); err != nil {
		t.Errorf("minimal socket with an Fn::If User: %v", err)
	}
}

// TestFnIfContainerItem: an agent container inside an Fn::If item of
// ContainerDefinitions would be invisible; it is refused. Other Fn::If
// items (a sidecar) are left alone.
func TestFnIfContainerItem(t *testing.T) {
	item := func(image string) string {
		return `  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2024.03
        - !If
          - Extra
          - Name: extra
            Image: ` + image + `
          - !Ref AWS::NoValue
`
	}
	src := targetTemplate("", "  Extra: !Equals [a, b]\n", item("jetbrains/teamcity-agent:2024.03"))
	_, err := dind.Parse(src)
	var re *dind.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "ContainerDefinitions of task definition AgentTaskDefinition has an Fn::If item (line "+fmt.Sprint(lineOf(t, src, "- !If"))+")") {
		t.Errorf("agent in an Fn::If item: want the *RefusedError, got %T %v", err, err)
	}
	src = targetTemplate("", "  Extra: !Equals [a, b]\n", item("amazon/aws-xray-daemon:3"))
	if _, err := dind.Apply(src, dind.DefaultOptions(dind.ModePrivileged)); err != nil {
		t.Errorf("sidecar in an Fn::If item: %v", err)
	}
}

// TestWholeContainerDefinitionsIfStillWorks: the fixtures with Fn::If around
// the whole ContainerDefinitions are edited on both branches.
func TestWholeContainerDefinitionsIfStillWorks(t *testing.T) {
	for _, file := range []string{"if.yaml", "if-long.yaml", "if-flow.yaml"} {
		src := readFixture(t, file)
		for _, opts := range allRecipes[:4] {
			res, err := dind.Apply(src, opts)
			if err != nil {
				t.Errorf("%s %s: %v", file, opts.Mode, err)
				continue
			}
			if mode := detectedMode(t, res.Output); mode != opts.Mode {
				t.Errorf("%s: %s gave %s", file, opts.Mode, mode)
			}
		}
	}
}

// lineOf is the 1-based line of the first sub in src.
func lineOf(t *testing.T, src []byte, sub string) int {
	t.Helper()
	i := bytes.Index(src, []byte(sub))
	if i < 0 {
		t.Fatalf("%q is not in the template", sub)
	}
	return bytes.Count(src[:i], []byte("\n")) + 1
}

// TestRecursiveAliasRefused: an alias inside its own anchor would send every
// walk that follows aliases round for ever.
func TestRecursiveAliasRefused(t *testing.T) {
	for _, image := range []string{"&i !If [c, *i, jetbrains/teamcity-agent]", "&i [*i]"} {
		src := targetTemplate("", "", oneContainer("teamcity-agent", image))
		_, err := dind.Parse(src)
		var re *dind.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), fmt.Sprintf("alias *i on line %d", lineOf(t, src, "*i"))) {
			t.Errorf("Image %s: want the recursive alias *RefusedError, got %T %v", image, err, err)
		}
	}
	// Ordinary aliases are fine.
	src := targetTemplate("", "", oneContainer("teamcity-agent", "&i jetbrains/teamcity-agent:2024.03\n          DockerLabels: {image: *i}"))
	if _, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket)); err != nil {
		t.Errorf("an ordinary alias: %v", err)
	}
}
