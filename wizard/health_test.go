package wizard

// The done screen says Docker answers only when ECS's health check says so
// (issue 17, item 3): the agent container's docker info health check,
// read with DescribeTasks (healthStatus:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).

import (
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/exitcode"
)

func checkedRegistered() map[string]*awsclient.TaskDefinition {
	tds := registered(true)
	tds[newTD].Containers[0].HealthCheck = []string{"CMD-SHELL", "docker info > /dev/null || exit 1"}
	return tds
}

func runningAgent(id, health string) awsclient.Task {
	return awsclient.Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/teamcity-cluster/" + id, TaskDefinition: newTD, LastStatus: "RUNNING",
		HealthStatus: health, Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", HealthStatus: health}}}
}

func TestStackDockerAnswers(t *testing.T) {
	for _, tc := range []struct {
		health, want string
		failed       bool
	}{
		{"HEALTHY", "verified: Docker answers in 1 of 1 agents (health check)", false},
		{"UNHEALTHY", "Docker does not answer in agent task 5d2c8f31 of service teamcity-agents", true},
	} {
		t.Run(tc.health, func(t *testing.T) {
			f := rolloutFake(t, succeeding()...)
			f.ECS.TaskDefinitions = checkedRegistered()
			f.ECS.Running = []awsclient.Task{runningAgent("5d2c8f31", tc.health)}
			f.Events = pages(updated()...)
			c := &clock{t: t0}
			r := toChangeSet(t, f, c)
			f.OnExecute = func() { c.set(t0.Add(95 * time.Second)) }
			r.execute()
			r.waitFor("tcdind › Done")
			m := r.final()
			all := m.View() + "\n" + m.Summary()
			if !strings.Contains(strings.Join(strings.Fields(all), " "), tc.want) {
				t.Errorf("the done screen or summary lacks %q:\n%s", tc.want, all)
			}
			if err := m.Outcome(); tc.failed != (exitcode.Code(err) == exitcode.Failure) {
				t.Errorf("outcome %v (failed: %v)", err, tc.failed)
			}
		})
	}
}
