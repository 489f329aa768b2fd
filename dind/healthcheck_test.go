package dind_test

// The docker info health check of the complete recipe (issue 17, item 3).
// ECS: "For tasks that are part of a service, if the task reports as
// unhealthy then the task will be stopped and the service scheduler will
// replace it"; interval 5–300 s (default 30), timeout 2–120 s (default 5),
// retries 1–10 (default 3), start period 0–300 s
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-taskdefinition-healthcheck.html,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).

import (
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

const healthBase = `Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Memory: 2048
`

// TestHealthCheckExactLines: the lines the recipe writes, byte for byte,
// in block YAML, and the round trip back through none.
func TestHealthCheckExactLines(t *testing.T) {
	res := mustApply(t, []byte(healthBase), dind.DefaultOptions(dind.ModePrivileged))
	want := healthBase + `          Privileged: true
          Environment:
            - Name: DOCKER_IN_DOCKER
              Value: start
          MountPoints:
            - ContainerPath: /var/lib/docker
              SourceVolume: docker-data
          HealthCheck:
            Command:
              - CMD-SHELL
              - docker info > /dev/null || exit 1
            Interval: 30
            Timeout: 10
            Retries: 5
            StartPeriod: 300
      Volumes:
        - Name: docker-data
          DockerVolumeConfiguration:
            Scope: task
            Driver: local
`
	if string(res.Output) != want {
		t.Fatalf("privileged complete:\n%s\nwant:\n%s", res.Output, want)
	}
	if changeWith(res, "add HealthCheck: docker info every 30s (timeout 10s, 5 retries, 300s to start)") == "" {
		t.Errorf("the change does not say what the check is: %v", res.Changes)
	}
	// A mode switch keeps it (docker info answers in both modes); none
	// removes it and gives back the original bytes.
	socket := mustApply(t, res.Output, dind.DefaultOptions(dind.ModeSocket))
	if strings.Count(string(socket.Output), "docker info") != 1 || changeWith(socket, "HealthCheck") != "" {
		t.Errorf("socket after privileged should keep the one health check untouched:\n%s", socket.Output)
	}
	none := mustApply(t, res.Output, dind.DefaultOptions(dind.ModeNone))
	if string(none.Output) != healthBase {
		t.Errorf("privileged then none must give back the original bytes:\n%s", none.Output)
	}
	if changeWith(none, "remove the docker info HealthCheck (none mode)") == "" {
		t.Errorf("none does not say it removed the check: %v", none.Changes)
	}
	again := mustApply(t, res.Output, dind.DefaultOptions(dind.ModePrivileged))
	if again.Changed {
		t.Errorf("a second run changed the template:\n%s", again.Output)
	}
}

func TestHealthCheckFlowAndJSON(t *testing.T) {
	flow := `Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - {Name: teamcity-agent, Image: 'jetbrains/teamcity-agent:2025.07-linux-sudo', Memory: 2048}
`
	res := mustApply(t, []byte(flow), dind.DefaultOptions(dind.ModePrivileged))
	if !strings.Contains(string(res.Output), "HealthCheck: {Command: [CMD-SHELL, docker info > /dev/null || exit 1], Interval: 30, Timeout: 10, Retries: 5, StartPeriod: 300}") {
		t.Errorf("flow style:\n%s", res.Output)
	}
	if back := mustApply(t, res.Output, dind.DefaultOptions(dind.ModeNone)); string(back.Output) != flow {
		t.Errorf("flow round trip:\n%s", back.Output)
	}
	js := `{
  "Resources": {
    "Agent": {
      "Type": "AWS::ECS::TaskDefinition",
      "Properties": {
        "ContainerDefinitions": [
          {
            "Name": "teamcity-agent",
            "Image": "jetbrains/teamcity-agent:2025.07-linux-sudo"
          }
        ]
      }
    }
  }
}
`
	res = mustApply(t, []byte(js), dind.DefaultOptions(dind.ModeSocket))
	for _, line := range []string{
		`            "HealthCheck": {`,
		`              "Command": [`,
		`                "CMD-SHELL",`,
		`                "docker info > /dev/null || exit 1"`,
		`              "StartPeriod": 300`,
	} {
		if !strings.Contains(string(res.Output), line+"\n") {
			t.Errorf("JSON lacks %q:\n%s", line, res.Output)
		}
	}
}

func TestHealthCheckLeftOut(t *testing.T) {
	o := dind.DefaultOptions(dind.ModePrivileged)
	o.HealthCheck = false
	res := mustApply(t, []byte(healthBase), o)
	if strings.Contains(string(res.Output), "HealthCheck") {
		t.Errorf("--health-check=false wrote one:\n%s", res.Output)
	}
	// Given later, it removes tcdind's own.
	with := mustApply(t, []byte(healthBase), dind.DefaultOptions(dind.ModePrivileged))
	without := mustApply(t, with.Output, o)
	if strings.Contains(string(without.Output), "HealthCheck") {
		t.Errorf("--health-check=false kept tcdind's check:\n%s", without.Output)
	}
	// Minimal writes the blog post's edits only.
	min := mustApply(t, []byte(healthBase), withMinimal(dind.DefaultOptions(dind.ModeSocket)))
	if strings.Contains(string(min.Output), "HealthCheck") {
		t.Errorf("minimal wrote a health check:\n%s", min.Output)
	}
}

func TestHealthCheckOwnKept(t *testing.T) {
	own := strings.Replace(healthBase, "          Memory: 2048\n", "          Memory: 2048\n          HealthCheck:\n            Command: [CMD-SHELL, 'curl -f localhost:9090 || exit 1']\n", 1)
	for _, m := range []dind.Mode{dind.ModePrivileged, dind.ModeNone} {
		res := mustApply(t, []byte(own), dind.DefaultOptions(m))
		if !strings.Contains(string(res.Output), "curl -f localhost:9090") || strings.Contains(string(res.Output), "docker info") {
			t.Errorf("%s: the container's own HealthCheck must stay as it is:\n%s", m, res.Output)
		}
		if m == dind.ModePrivileged && warningWith(res, "kept the container's own HealthCheck", "docker info") == "" {
			t.Errorf("%s: no note that ECS will not tell whether Docker answers: %q", m, res.Warnings)
		}
	}
}

// TestHealthCheckForeignImage: an image that may have no docker command
// gets no check that would fail it.
func TestHealthCheckForeignImage(t *testing.T) {
	src := foreignTemplate("", "kong:2.1.4-alpine")
	o := dind.DefaultOptions(dind.ModeSocket)
	o.Containers = []string{"agent"}
	res := mustApply(t, src, o)
	if strings.Contains(string(res.Output), "HealthCheck") || warningWith(res, "no docker info health check added", "kong") == "" {
		t.Errorf("a foreign image got a health check, or no note:\n%s\n%q", res.Output, res.Warnings)
	}
}

// TestHealthCheckNotAddedWhereDockerCannotStart: privileged mode on an image
// that cannot start Docker (no -sudo tag, and no --sudo-image or
// --agent-version to give it one) is refused by the front ends
// (Result.NoDocker); the planned edit adds no docker info check either (it
// would fail on every agent). With the -sudo image it is added.
func TestHealthCheckNotAddedWhereDockerCannotStart(t *testing.T) {
	for _, image := range []string{
		"jetbrains/teamcity-agent:2025.07",       // a version: --sudo-image would fix it
		"jetbrains/teamcity-agent:latest",        // floating: --agent-version would
		"jetbrains/teamcity-agent",               // no tag at all
		"jetbrains/teamcity-agent:2025.07-linux", // the plain variant
	} {
		in := strings.Replace(healthBase, "jetbrains/teamcity-agent:2025.07-linux-sudo", image, 1)
		res := mustApply(t, []byte(in), dind.DefaultOptions(dind.ModePrivileged))
		if strings.Contains(string(res.Output), "HealthCheck") {
			t.Errorf("%s: a health check was added though Docker cannot start:\n%s", image, res.Output)
		}
		var re *dind.RefusedError
		if err := res.Refusal(); err == nil || !errors.As(err, &re) || !strings.Contains(err.Error(), "cannot start Docker in privileged mode") {
			t.Errorf("%s: no refusal says Docker cannot start: %v", image, err)
		}
	}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.SudoImage = true
	in := strings.Replace(healthBase, "2025.07-linux-sudo", "2025.07", 1)
	if res := mustApply(t, []byte(in), opts); !strings.Contains(string(res.Output), "docker info > /dev/null || exit 1") {
		t.Errorf("with --sudo-image the health check is missing:\n%s", res.Output)
	}
}
