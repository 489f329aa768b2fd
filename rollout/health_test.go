package rollout

// Verify reads the agents' docker info health check after UPDATE_COMPLETE
// (issue 17, item 3). DescribeTasks reports each container's healthStatus:
// "HEALTHY-The container health check has passed successfully.
// UNHEALTHY-The container health check has failed. UNKNOWN-The container
// health check is being evaluated or there's no container health check
// defined" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
)

// healthClient is fakeClient with ListTasks of running tasks.
type healthClient struct {
	*fakeClient
	running      [][]string
	runningErr   error
	runningCalls int
}

func (h *healthClient) RunningTasks(ctx context.Context, cluster, service string) ([]string, error) {
	n := h.runningCalls
	h.runningCalls++
	if h.runningErr != nil {
		return nil, h.runningErr
	}
	return nth(h.running, n), nil
}

func checkedTD(arn string) *awsclient.TaskDefinition {
	td := privilegedTD(arn)
	td.Containers[0].HealthCheck = []string{"CMD-SHELL", "docker info > /dev/null || exit 1"}
	return td
}

func agentTask(id, td, health string) awsclient.Task {
	return awsclient.Task{ARN: region + "task/ci/" + id, TaskDefinition: td, LastStatus: "RUNNING", HealthStatus: health,
		Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", HealthStatus: health}, {Name: "log-router", HealthStatus: "UNKNOWN"}}}
}

func healthWatch(t *testing.T, td *awsclient.TaskDefinition, tasks []awsclient.Task, running ...[]string) (*Watch, *healthClient) {
	t.Helper()
	f := &fakeClient{
		services: [][]awsclient.Service{{steadyService()}},
		taskDefs: map[string]*awsclient.TaskDefinition{newTD: td},
		tasks:    map[string]awsclient.Task{},
	}
	for _, tk := range tasks {
		f.tasks[tk.ARN] = tk
	}
	w := watching(t, f)
	h := &healthClient{fakeClient: f, running: running}
	w.Client = h
	return w, h
}

func arnsOf(tasks ...awsclient.Task) []string {
	var out []string
	for _, t := range tasks {
		out = append(out, t.ARN)
	}
	return out
}

func TestVerifyHealthy(t *testing.T) {
	a, b := agentTask("a1", newTD, "HEALTHY"), agentTask("a2", newTD, "HEALTHY")
	old := agentTask("o1", oldTD, "UNHEALTHY") // draining: not the new revision's
	w, h := healthWatch(t, checkedTD(newTD), []awsclient.Task{a, b, old}, arnsOf(a, b, old))
	lines, err := w.Verify(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "Verify", lines, verifiedService,
		"verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)",
		"verified: Docker answers in 2 of 2 agents (health check)")
	if h.runningCalls != 1 || len(h.taskCalls) != 1 {
		t.Errorf("calls: %d ListTasks, %d DescribeTasks; want 1 and 1", h.runningCalls, len(h.taskCalls))
	}
}

func TestVerifyUnhealthy(t *testing.T) {
	a, b := agentTask("a1", newTD, "HEALTHY"), agentTask("a2", newTD, "UNHEALTHY")
	w, _ := healthWatch(t, checkedTD(newTD), []awsclient.Task{a, b}, arnsOf(a, b))
	_, err := w.Verify(ctx, 3, 0)
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("an agent whose Docker does not answer: want *MismatchError (exit 1), got %v", err)
	}
	for _, want := range []string{"Docker does not answer in agent task a2 of service agents", "UNHEALTHY",
		"aws ecs describe-tasks --cluster ci --tasks " + b.ARN + " --region eu-west-1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
}

// TestVerifyHealthUnknown: a check still in its start period is read again
// (tries), then said as a note, never as verified and never as a failure.
func TestVerifyHealthUnknown(t *testing.T) {
	a, b := agentTask("a1", newTD, "HEALTHY"), agentTask("a2", newTD, "UNKNOWN")
	w, h := healthWatch(t, checkedTD(newTD), []awsclient.Task{a, b}, arnsOf(a, b))
	lines, err := w.Verify(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(texts(lines), "\n")
	if !strings.Contains(got, "note: Docker not verified yet: the docker info health check of 1 of 2 agents of service agents is UNKNOWN") || strings.Contains(got, "Docker answers") {
		t.Errorf("lines:\n%s", got)
	}
	if h.runningCalls != 3 {
		t.Errorf("UNKNOWN should be read again up to 3 times, read %d", h.runningCalls)
	}
	// It turns healthy on the second read.
	c := agentTask("a2", newTD, "HEALTHY")
	w, h = healthWatch(t, checkedTD(newTD), []awsclient.Task{a, b}, arnsOf(a, b))
	// The first DescribeTasks sees UNKNOWN, the second HEALTHY.
	calls := 0
	w.Client = &switchingClient{healthClient: h, after: 1, then: map[string]awsclient.Task{a.ARN: a, c.ARN: c}, calls: &calls}
	lines, err = w.Verify(ctx, 3, 0)
	if err != nil || !strings.Contains(strings.Join(texts(lines), "\n"), "verified: Docker answers in 2 of 2 agents (health check)") {
		t.Errorf("after a second read: %v\n%s", err, strings.Join(texts(lines), "\n"))
	}
}

// switchingClient answers DescribeTasks from then after `after` calls.
type switchingClient struct {
	*healthClient
	after int
	then  map[string]awsclient.Task
	calls *int
}

func (s *switchingClient) DescribeTasks(ctx context.Context, cluster string, arns []string) ([]awsclient.Task, error) {
	*s.calls++
	if *s.calls <= s.after {
		return s.healthClient.DescribeTasks(ctx, cluster, arns)
	}
	var out []awsclient.Task
	for _, a := range arns {
		if t, ok := s.then[a]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// TestVerifyHealthNotChecked: a task definition without the docker info
// check (--health-check=false, socket minimal) is not asked about health.
func TestVerifyHealthNotChecked(t *testing.T) {
	a := agentTask("a1", newTD, "UNHEALTHY")
	w, h := healthWatch(t, privilegedTD(newTD), []awsclient.Task{a}, arnsOf(a))
	if _, err := w.Verify(ctx, 3, 0); err != nil {
		t.Fatal(err)
	}
	if h.runningCalls != 0 {
		t.Errorf("health read without a health check: %d ListTasks", h.runningCalls)
	}
}

// TestVerifyHealthDenied: a denied ListTasks is a note with the command,
// never the end.
func TestVerifyHealthDenied(t *testing.T) {
	w, h := healthWatch(t, checkedTD(newTD), nil)
	h.runningErr = apiError("AccessDeniedException", "ListTasks", "User is not authorized to perform: ecs:ListTasks")
	lines, err := w.Verify(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(texts(lines), "\n")
	if !strings.Contains(got, "note: not verified in ECS (") || !strings.Contains(got, "aws ecs list-tasks --cluster ci --service-name agents --region eu-west-1") {
		t.Errorf("lines:\n%s", got)
	}
}
