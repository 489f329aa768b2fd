package dind

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// The complete recipe's proof that Docker answers: a container health check
// that runs `docker info`, so that ECS itself marks an agent whose Docker
// does not answer UNHEALTHY, and a service replaces it ("For tasks that are
// part of a service, if the task reports as unhealthy then the task will be
// stopped and the service scheduler will replace it":
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-taskdefinition-healthcheck.html).
// docker info exits non-zero when it cannot reach the daemon: the host's
// through the socket (socket mode runs the agent as root), or the agent's
// own (privileged mode: the image adds buildagent to the docker group,
// configs/linux/Agent/Ubuntu/Ubuntu.Dockerfile in
// JetBrains/teamcity-docker-images). The full agent image has the docker
// CLI; the check is added only to JetBrains' teamcity-agent image.
//
// The timings are for an agent that starts dockerd and runs long builds,
// within ECS's ranges (interval 5–300 s, timeout 2–120 s, retries 1–10,
// start period 0–300 s, per the same page):
//   - StartPeriod 300, the most ECS allows: run-docker.sh starts dockerd
//     before the agent, and a new instance may still be pulling images; a
//     failure in this time does not count.
//   - Interval 30 (ECS's default): one docker info every 30 s is nothing
//     next to a build.
//   - Timeout 10: docker info answers in well under a second, but a daemon
//     busy with a large build or a slow disk can take seconds; 10 keeps a
//     busy daemon healthy.
//   - Retries 5: 5 × 30 s, two and a half minutes of no answer, before ECS
//     calls the agent unhealthy and a running build is cut off.
const (
	healthCheckCommand     = "docker info > /dev/null || exit 1"
	healthCheckInterval    = 30
	healthCheckTimeout     = 10
	healthCheckRetries     = 5
	healthCheckStartPeriod = 300
)

// healthCheckValue is the HealthCheck the complete recipe adds.
func healthCheckValue() *value {
	num := func(n int) *value { return &value{scalar: strconv.Itoa(n)} }
	return mapping(
		"Command", list(str("CMD-SHELL"), str(healthCheckCommand)),
		"Interval", num(healthCheckInterval),
		"Timeout", num(healthCheckTimeout),
		"Retries", num(healthCheckRetries),
		"StartPeriod", num(healthCheckStartPeriod),
	)
}

// isDockerHealthCheck reports a HealthCheck whose command is tcdind's
// docker info, however it is written: that one is tcdind's to remove.
func isDockerHealthCheck(hc *yaml.Node) bool {
	cmd := mapGet(deref(hc), "Command")
	cmd = deref(cmd)
	if cmd == nil || cmd.Kind != yaml.SequenceNode || len(cmd.Content) != 2 {
		return false
	}
	return scalarValue(cmd.Content[0]) == "CMD-SHELL" && scalarValue(cmd.Content[1]) == healthCheckCommand
}

// ensureHealthCheck adds the docker info health check to a JetBrains agent
// container without one; a container's own HealthCheck stays, with a note.
func (r *recipe) ensureHealthCheck(c *yaml.Node) {
	where := r.td.id + "/" + r.name(c)
	if !r.opts.HealthCheck {
		r.removeHealthCheck(c, "--health-check=false")
		return
	}
	hc := mapGet(c, "HealthCheck")
	switch {
	case hc != nil && isDockerHealthCheck(hc):
		return
	case hc != nil:
		r.warn("%s: kept the container's own HealthCheck, so ECS will not tell whether Docker answers: to have it tell, make the check run docker info (%s)", where, healthCheckCommand)
		return
	}
	if r.noDocker {
		// Docker cannot start in this agent (Result.NoDocker says why, and
		// the front ends refuse): the check would fail on every agent.
		return
	}
	if repo, known := r.agentRepo(c); known && !isJetBrainsAgentRepo(repo) {
		r.warn("%s: no docker info health check added: the image %s may have no docker command; add a HealthCheck that runs docker info yourself to have ECS tell whether Docker answers", where, repo)
		return
	}
	r.ed.setKey(c, "HealthCheck", healthCheckValue(), r.st)
	r.change(c, "add HealthCheck: docker info every %ds (timeout %ds, %d retries, %ds to start), so ECS marks an agent whose Docker does not answer unhealthy", healthCheckInterval, healthCheckTimeout, healthCheckRetries, healthCheckStartPeriod)
}

// removeHealthCheck removes tcdind's docker info health check; a
// container's own HealthCheck is never touched.
func (r *recipe) removeHealthCheck(c *yaml.Node, why string) {
	i := mapIndex(c, "HealthCheck")
	if i < 0 || !isDockerHealthCheck(c.Content[i+1]) {
		return
	}
	r.ed.removeKey(c, i, r.st)
	r.change(c, "remove the docker info HealthCheck (%s)", why)
}

// agentRepo is the repository of the container's image as far as it is
// known.
func (r *recipe) agentRepo(c *yaml.Node) (string, bool) {
	src := r.t.imageSource(mapGet(c, "Image"))
	if !src.ok {
		return "", false
	}
	image := r.t.substitute(src.expr, r.opts)
	tag, repo, pinned := splitImage(image)
	if !pinned && tag == "" {
		repo = image
	}
	if repo == "" || containsVariable(repo) {
		return "", false
	}
	return repo, true
}

func containsVariable(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			return true
		}
	}
	return false
}
