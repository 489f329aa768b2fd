package dind_test

// Shapes found in real public ECS templates: a host's /var/lib/docker
// mounted into the agent, the host socket at /run/docker.sock, sidecars
// that take the agent's volumes, and container Names set by parameters.

import (
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

func realTD(volume, mounts string) []byte {
	return []byte(`AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Memory: 2048
          MountPoints:
` + mounts + `      Volumes:
` + volume)
}

func warned(res *dind.Result, want string) bool {
	for _, w := range res.Warnings {
		if strings.Contains(w, want) {
			return true
		}
	}
	return false
}

// A host path at /var/lib/docker would make the inner daemon share its data
// with the host's daemon: privileged mode refuses, whatever the host path.
func TestRealHostVarLibDockerRefusedInPrivileged(t *testing.T) {
	mount := "            - ContainerPath: /var/lib/docker\n              SourceVolume: hostdocker\n"
	for _, src := range []string{"/var/lib/docker", "/var/lib/docker/", "/data/docker"} {
		vol := "        - Name: hostdocker\n          Host:\n            SourcePath: " + src + "\n"
		in := realTD(vol, mount)
		if m := detectedMode(t, in); m != dind.ModeNone {
			t.Errorf("%s: detected %s, want none: a host mount is not privileged mode's data volume", src, m)
		}
		for _, opts := range []dind.Options{dind.DefaultOptions(dind.ModePrivileged), withMinimal(dind.DefaultOptions(dind.ModePrivileged))} {
			_, err := dind.Apply(in, opts)
			var re *dind.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("%s minimal=%v: want *RefusedError, got %v", src, opts.Minimal, err)
			}
			for _, w := range []string{"container agent in Agent", "at /var/lib/docker (line 11)", "remove that mount", src} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: refusal does not say %q: %v", src, w, err)
				}
			}
		}
	}
}

// A task-scoped Docker volume (what tcdind adds) and a Docker-managed host
// volume with no SourcePath are per task: privileged mode keeps them.
func TestRealPrivilegedKeepsTaskScopedData(t *testing.T) {
	mount := "            - ContainerPath: /var/lib/docker\n              SourceVolume: d\n"
	for _, vol := range []string{
		"        - Name: d\n          DockerVolumeConfiguration:\n            Scope: task\n            Driver: local\n",
		"        - Name: d\n          Host: {}\n",
	} {
		res := mustApply(t, realTD(vol, mount), dind.DefaultOptions(dind.ModePrivileged))
		if strings.Count(string(res.Output), "/var/lib/docker") != 1 {
			t.Errorf("privileged added a second data mount over\n%s\n%s", vol, res.Output)
		}
	}
}

// Leaving DinD (socket, none) removes only the task-scoped Docker volume
// tcdind adds; a host mount of /var/lib/docker is the user's and stays.
func TestRealNoneKeepsUsersVarLibDocker(t *testing.T) {
	mount := "            - ContainerPath: /var/lib/docker\n              SourceVolume: hostdocker\n"
	vol := "        - Name: hostdocker\n          Host:\n            SourcePath: /var/lib/docker\n"
	in := realTD(vol, mount)
	priv := []byte(strings.Replace(string(in), "          Memory: 2048\n", "          Memory: 2048\n          Privileged: true\n", 1))
	for _, mode := range []dind.Mode{dind.ModeNone, dind.ModeSocket} {
		for _, src := range [][]byte{in, priv} {
			res := mustApply(t, src, dind.DefaultOptions(mode))
			out := string(res.Output)
			if !strings.Contains(out, "SourcePath: /var/lib/docker") || !strings.Contains(out, "ContainerPath: /var/lib/docker") {
				t.Errorf("%s removed the user's host /var/lib/docker mount:\n%s", mode, out)
			}
			wasPriv := len(src) != len(in)
			if got := warned(res, "left the mount at /var/lib/docker (volume hostdocker"); got != wasPriv {
				t.Errorf("%s privileged=%v: warned=%v about the kept mount: %q", mode, wasPriv, got, res.Warnings)
			}
		}
	}
	// tcdind's own data volume still goes, byte for byte.
	plain := realTD("        - Name: x\n          Host:\n            SourcePath: /x\n", "            - ContainerPath: /x\n              SourceVolume: x\n")
	p := mustApply(t, plain, dind.DefaultOptions(dind.ModePrivileged))
	n := mustApply(t, p.Output, dind.DefaultOptions(dind.ModeNone))
	if !strings.Contains(string(p.Output), "DockerVolumeConfiguration") || string(n.Output) != string(plain) {
		t.Errorf("privileged then none is not the input:\n%s", n.Output)
	}
}

// On the ECS-optimized AMIs /var/run is /run: a host volume of
// /run/docker.sock is the host's socket, so the agent is in socket mode and
// the volume is reused.
func TestRealRunDockerSockIsTheHostSocket(t *testing.T) {
	mount := "            - ContainerPath: /var/run/docker.sock\n              SourceVolume: sock\n"
	vol := "        - Name: sock\n          Host:\n            SourcePath: /run/docker.sock\n"
	in := realTD(vol, mount)
	if m := detectedMode(t, in); m != dind.ModeSocket {
		t.Fatalf("detected %s, want socket", m)
	}
	res := mustApply(t, in, withMinimal(dind.DefaultOptions(dind.ModeSocket)))
	if res.Changed {
		t.Errorf("socket --minimal changed a socket-mode agent:\n%s", res.Output)
	}
	res = mustApply(t, in, dind.DefaultOptions(dind.ModeSocket))
	if strings.Count(string(res.Output), "docker.sock") != 2 {
		t.Errorf("socket added a second socket mount or volume:\n%s", res.Output)
	}
	// A sidecar given the socket by the recipe's volume reuse: the mount at a
	// second agent reuses the /run volume.
	two := []byte(strings.Replace(string(realTD(vol, "            - ContainerPath: /var/run/docker.sock\n              SourceVolume: sock\n")), "      Volumes:\n",
		"        - Name: agent2\n          Image: jetbrains/teamcity-agent:2025.07-linux-sudo\n          Memory: 2048\n      Volumes:\n", 1))
	res = mustApply(t, two, withMinimal(dind.DefaultOptions(dind.ModeSocket)))
	if strings.Contains(string(res.Output), "docker-sock") || strings.Count(string(res.Output), "SourceVolume: sock") != 2 {
		t.Errorf("the second agent did not reuse the /run/docker.sock volume:\n%s", res.Output)
	}
	res = mustApply(t, in, dind.DefaultOptions(dind.ModeNone))
	if strings.Contains(string(res.Output), "docker.sock") {
		t.Errorf("none left the /run/docker.sock socket:\n%s", res.Output)
	}
}

const volumesFromTD = `Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Memory: 2048
        - Name: busybox
          Image: busybox
          Memory: 128
          VolumesFrom:
            - SourceContainer: SRC
`

// A sidecar with VolumesFrom the agent gets the socket or Docker's data:
// tcdind warns, naming the container, what it gets and what to do; a
// sidecar taking volumes from another container is left alone.
func TestRealVolumesFromAgentWarns(t *testing.T) {
	cases := []struct {
		label, src string
		opts       dind.Options
		want       string // "" for no warning
	}{
		{"socket", "agent", dind.DefaultOptions(dind.ModeSocket), "takes VolumesFrom agent (line 18), so it gets the host's Docker socket /var/run/docker.sock"},
		{"socket minimal", "agent", withMinimal(dind.DefaultOptions(dind.ModeSocket)), "the host's Docker socket"},
		{"privileged", "agent", dind.DefaultOptions(dind.ModePrivileged), "gets the agent's Docker data at /var/lib/docker"},
		{"privileged minimal", "agent", withMinimal(dind.DefaultOptions(dind.ModePrivileged)), ""},
		{"none", "agent", dind.DefaultOptions(dind.ModeNone), ""},
		{"other source", "web", dind.DefaultOptions(dind.ModeSocket), ""},
		{"if", "!If [C, agent, web]", dind.DefaultOptions(dind.ModeSocket), "may take VolumesFrom agent"},
		{"if other", "!If [C, web, db]", dind.DefaultOptions(dind.ModeSocket), ""},
		{"ref", "!Ref Src", dind.DefaultOptions(dind.ModeSocket), "may take VolumesFrom agent"},
		{"if list", "IFLIST", dind.DefaultOptions(dind.ModeSocket), "may take VolumesFrom agent (SourceContainer agent, line 19), so it would get the host's Docker socket"},
	}
	for _, c := range cases {
		td := strings.Replace(volumesFromTD, "SRC", c.src, 1)
		if strings.HasSuffix(c.src, "IFLIST") {
			td = strings.Replace(volumesFromTD, "          VolumesFrom:\n            - SourceContainer: SRC\n",
				"          VolumesFrom: !If\n            - C\n            - [{SourceContainer: agent}]\n            - !Ref AWS::NoValue\n", 1)
		}
		src := []byte("Conditions:\n  C: !Equals [a, b]\nParameters:\n  Src:\n    Type: String\n" + td)
		res := mustApply(t, src, c.opts)
		got := ""
		for _, w := range res.Warnings {
			if strings.Contains(w, "VolumesFrom") {
				got = w
			}
		}
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s: unexpected warning %q", c.label, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: warning %q does not say %q", c.label, got, c.want)
		case c.want != "" && !strings.Contains(got, "TaskDefinition/busybox") || c.want != "" && !strings.Contains(got, "its own MountPoints"):
			t.Errorf("%s: warning %q does not name busybox and the fix", c.label, got)
		}
	}
}

const namedByParam = `Parameters:
  ServiceName:
    Type: String
DEFAULT  ImageUrl:
    Type: String
IMAGE
Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: NAME
          Image: !Ref 'ImageUrl'
          Memory: 512
`

func namedTD(name, def, image string) []byte {
	s := strings.Replace(namedByParam, "NAME", name, 1)
	if def != "" {
		def = "    Default: " + def + "\n"
	}
	s = strings.Replace(s, "DEFAULT", def, 1)
	if image != "" {
		image = "    Default: " + image
	}
	return []byte(strings.Replace(s, "IMAGE\n", image+"\n", 1))
}

// A Name set by a parameter resolves through its Default, as Images do:
// --container can name it, the name rule sees it, and messages list it.
func TestRealContainerNameFromParameter(t *testing.T) {
	for _, name := range []string{"!Ref 'ServiceName'", "!Sub '${ServiceName}'", `{"Fn::Sub": "${ServiceName}"}`, "{Ref: ServiceName}"} {
		src := namedTD(name, "tc-agent", "myorg/tc-agent-with-docker:2025.07")
		opts := dind.DefaultOptions(dind.ModeSocket)
		opts.Containers = []string{"tc-agent"}
		res := mustApply(t, src, opts)
		if !strings.Contains(string(res.Output), "/var/run/docker.sock") {
			t.Errorf("%s: --container tc-agent did not select the container:\n%s", name, res.Output)
		}
		for _, ch := range res.Changes {
			if ch.Container != "" && ch.Container != "tc-agent" {
				t.Errorf("%s: change names the container %q, want tc-agent", name, ch.Container)
			}
		}
		tpl, err := dind.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if all := tpl.AllContainers(); len(all) != 1 || all[0].Name != "tc-agent" {
			t.Errorf("%s: AllContainers = %+v, want tc-agent", name, all)
		}
		_, err = dind.Apply(src, dind.DefaultOptions(dind.ModeSocket))
		if !errors.Is(err, dind.ErrNoAgent) || !strings.Contains(err.Error(), "containers found: tc-agent)") {
			t.Errorf("%s: no-agent message does not list tc-agent: %v", name, err)
		}
	}
	// The name rule: the image is not known before deploy, the Name's
	// Default is teamcity-agent.
	res := mustApply(t, namedTD("!Ref ServiceName", "teamcity-agent", ""), dind.DefaultOptions(dind.ModeSocket))
	if !strings.Contains(string(res.Output), "/var/run/docker.sock") {
		t.Errorf("the name rule ignored a Name whose Default is teamcity-agent:\n%s", res.Output)
	}
	// ... but only a Default names it: a sidecar-like name is no agent.
	if _, err := dind.Apply(namedTD("!Ref ServiceName", "teamcity-agent-log-router", ""), dind.DefaultOptions(dind.ModeSocket)); !errors.Is(err, dind.ErrNoAgent) {
		t.Errorf("teamcity-agent-log-router taken for the agent: %v", err)
	}
}

// A Name tcdind cannot work out is listed by what sets it and where, with
// what to do, in both the no-agent and the --container messages.
func TestRealContainerNameUnresolved(t *testing.T) {
	for _, name := range []string{"!Ref ServiceName", "!If [C, a, b]"} {
		src := []byte("Conditions:\n  C: !Equals [a, b]\n" + string(namedTD(name, "", "myorg/x:1")))
		_, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket))
		want := "(name set by " + strings.Fields(name)[0]
		if !errors.Is(err, dind.ErrNoAgent) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 14)") ||
			!strings.Contains(err.Error(), "give the parameter a Default") || strings.Contains(err.Error(), "at line") {
			t.Errorf("%s: no-agent message: %v", name, err)
		}
		opts := dind.DefaultOptions(dind.ModeSocket)
		opts.Containers = []string{"x"}
		_, err = dind.Apply(src, opts)
		var ce *dind.ContainerError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "give the parameter a Default") {
			t.Errorf("%s: --container message: %v", name, err)
		}
	}
}

// A flow separator with a tab counts as a spaced one: new items get the
// siblings' ", " and not a bare ",".
func TestRealFlowSeparatorWithTab(t *testing.T) {
	src := []byte("Resources:\n  Agent:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: agent\n          Image: jetbrains/teamcity-agent:2025.07\n" +
		"          MountPoints: [ {ContainerPath: /data,\tSourceVolume: data} ]\n      Volumes: [\t{Name: data} ]\n")
	res := mustApply(t, src, withMinimal(dind.DefaultOptions(dind.ModeSocket)))
	out := string(res.Output)
	for _, want := range []string{"SourceVolume: data}, {ContainerPath: /var/run/docker.sock, SourceVolume: docker-sock} ]", "{Name: data}, {Name: docker-sock, Host: {SourcePath: /var/run/docker.sock}} ]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	back := mustApply(t, res.Output, dind.DefaultOptions(dind.ModeNone))
	if string(back.Output) != string(src) {
		t.Errorf("none did not restore the input:\n%s", back.Output)
	}
}

// In a multi-line flow list, the last item's trailing comma and comment stay
// with it; new items go on their own lines after it, in the same style, and
// none takes them out again byte for byte.
func TestRealFlowTrailingComment(t *testing.T) {
	src := []byte(`Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions: [
        {
          Name: agent,
          Image: 'jetbrains/teamcity-agent:2025.07',
          Memory: 2048,
          MountPoints: [
            {ContainerPath: /data, SourceVolume: data}, # keep: belongs to /data
          ],
        },
      ]
      Volumes: [
        {Name: data, Host: {SourcePath: /data}},  # host data
      ]
`)
	res := mustApply(t, src, withMinimal(dind.DefaultOptions(dind.ModeSocket)))
	out := string(res.Output)
	for _, want := range []string{
		"            {ContainerPath: /data, SourceVolume: data}, # keep: belongs to /data\n            {ContainerPath: /var/run/docker.sock, SourceVolume: docker-sock},\n          ],\n",
		"        {Name: data, Host: {SourcePath: /data}},  # host data\n        {Name: docker-sock, Host: {SourcePath: /var/run/docker.sock}},\n      ]\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks\n%s\ngot:\n%s", want, out)
		}
	}
	back := mustApply(t, res.Output, dind.DefaultOptions(dind.ModeNone))
	if string(back.Output) != string(src) {
		t.Errorf("none did not restore the input:\n%s", back.Output)
	}
}
