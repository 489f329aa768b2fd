package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// stopsOneAPoll is a fake whose service rolls the new revision out with
// tasks stopping, one a poll.
func stopsOneAPoll(svc awsclient.Service, tasks ...awsclient.Task) *fakeClient {
	f := &fakeClient{services: [][]awsclient.Service{{svc}}, tasks: map[string]awsclient.Task{}}
	var listed []string
	for _, t := range tasks {
		f.tasks[t.ARN] = t
		listed = append([]string{t.ARN}, listed...)
		f.stopped = append(f.stopped, append([]string(nil), listed...))
	}
	return f
}

// TestHealthCheckKillsCount: the scheduler stops a task whose container
// fails its health checks with stopCode ServiceSchedulerInitiated and
// "Task failed container health checks" (Task API reference, stopCode;
// https://github.com/aws/containers-roadmap/issues/1369 shows the reason
// on tasks CloudFormation deployed). Two of them are failing, as two
// crashes are.
func TestHealthCheckKillsCount(t *testing.T) {
	for _, reason := range []string{
		"Task failed container health checks",
		"Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/agents/0123456789abcdef)",
	} {
		a := taskStop("hc00000001", newTD, "ServiceSchedulerInitiated", reason, time.Minute, awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(137)})
		b := taskStop("hc00000002", newTD, "ServiceSchedulerInitiated", reason, 2*time.Minute, awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(137)})
		w := watching(t, stopsOneAPoll(rolling(deployment("PRIMARY", newTD, 2, 1, 1)), a, b))
		first := w.Poll(ctx)
		if count(first, Failing) != 0 || count(first, Stopped) != 1 {
			t.Fatalf("poll 1: %q", texts(first))
		}
		second := w.Poll(ctx)
		want := "2 tasks of the new revision agent:8 stopped; the last: " + reason + "; container teamcity-agent exited with code 137"
		if !strings.HasSuffix(w.Failing(), want) || count(second, Failing) != 1 {
			t.Errorf("poll 2: %q; Failing %q", texts(second), w.Failing())
		}
	}
}

// TestStopCodesThatAreNotFailures: a scale-in or deployment stop, a Spot
// interruption, a termination notice and a person's stop are no failure,
// whatever the exit code.
func TestStopCodesThatAreNotFailures(t *testing.T) {
	for _, c := range []struct{ code, reason string }{
		{"ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1234567890)"},
		{"ServiceSchedulerInitiated", "Service agents: container instance is in DRAINING state"},
		{"SpotInterruption", "Your Spot Task was interrupted."},
		{"TerminationNotice", "Task stopped because the instance is being terminated"},
		{"UserInitiated", "Task stopped by user"},
	} {
		task := awsclient.Task{StopCode: c.code, StoppedReason: c.reason, Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: exit(137)}}}
		if failure(task) {
			t.Errorf("failure(%s: %s) = true", c.code, c.reason)
		}
	}
	for _, c := range []struct{ code, reason string }{
		{"TaskFailedToStart", "Task failed to start"},
		{"EssentialContainerExited", "Essential container in task exited"},
		{"ServiceSchedulerInitiated", "Task failed container health checks"},
	} {
		if !failure(awsclient.Task{StopCode: c.code, StoppedReason: c.reason}) {
			t.Errorf("failure(%s: %s) = false", c.code, c.reason)
		}
	}
}

// Pull errors as the ECS agent reports them (CannotPullContainerError in
// the task's stoppedReason; see the ECS developer guide's "Cannot pull
// container image errors", and Docker Hub's rate limit in
// https://github.com/aws/copilot-cli/issues/5647).
const (
	pullRateLimit = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/jetbrains/teamcity-agent:2025.07: unexpected status from HEAD request to https://registry-1.docker.io/v2/jetbrains/teamcity-agent/manifests/2025.07: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit."
	pullTimeout   = "CannotPullContainerError: Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"
	pullNoTag     = "CannotPullContainerError: Error response from daemon: manifest for jetbrains/teamcity-agent:2025.07-linux-sudo not found: manifest unknown: manifest unknown"
	pullDenied    = "CannotPullContainerError: Error response from daemon: pull access denied for teamcity-agent-private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
	pullECRDenied = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/agent:8: unexpected status from HEAD request: 403 Forbidden"
)

func TestPullErrors(t *testing.T) {
	for _, c := range []struct {
		reason    string
		permanent bool
	}{
		{pullRateLimit, false}, {pullTimeout, false}, {pullNoTag, true}, {pullDenied, true}, {pullECRDenied, true},
		{"CannotPullContainerError: something new", false},
	} {
		if got := pullIsPermanent(c.reason); got != c.permanent {
			t.Errorf("pullIsPermanent(%q) = %v", c.reason, got)
		}
		a := taskStop("pull000001", newTD, "TaskFailedToStart", c.reason, time.Minute)
		b := taskStop("pull000002", newTD, "TaskFailedToStart", c.reason, 2*time.Minute)
		w := watching(t, stopsOneAPoll(rolling(deployment("PRIMARY", newTD, 2, 0, 1)), a, b))
		w.Poll(ctx)
		first := w.Failing()
		w.Poll(ctx)
		switch {
		case c.permanent && first != "the rollout of service agents is failing: the agent image of agent:8 cannot be pulled: "+c.reason:
			t.Errorf("%q: at the first stop Failing = %q", c.reason, first)
		case !c.permanent && first != "":
			t.Errorf("transient %q failing at once: %q", c.reason, first)
		case !c.permanent && !strings.Contains(w.Failing(), "2 tasks of the new revision agent:8 stopped; the last: "+c.reason):
			t.Errorf("transient %q: after two Failing = %q", c.reason, w.Failing())
		}
	}
}

// TestCrashAfterRunning: agents that reach RUNNING and then exit (dockerd
// not starting in privileged mode, a wrong SERVER_URL) make the counts
// right for a moment, but ECS keeps the deployment IN_PROGRESS; it is not
// "rolled out", and their exits are failing.
func TestCrashAfterRunning(t *testing.T) {
	crash := func(id string, at time.Duration) awsclient.Task {
		return taskStop(id, newTD, "EssentialContainerExited", "Essential container in task exited", at, awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(1)})
	}
	a, b := crash("crash00001", time.Minute), crash("crash00002", 2*time.Minute)
	f := &fakeClient{
		services: [][]awsclient.Service{
			{service(inProgress(deployment("PRIMARY", newTD, 2, 2, 0)))},
			{service(inProgress(deployment("PRIMARY", newTD, 2, 1, 1)))},
			{service(inProgress(deployment("PRIMARY", newTD, 2, 2, 0)))},
		},
		stopped: [][]string{nil, {a.ARN}, {b.ARN, a.ARN}},
		tasks:   map[string]awsclient.Task{a.ARN: a, b.ARN: b},
	}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: new revision agent:8: 2 of 2 running, 0 pending")
	if w.Steady() {
		t.Fatal("rolled out on counts alone")
	}
	w.Poll(ctx)
	got := w.Poll(ctx)
	if count(got, Failing) != 1 || !strings.Contains(w.Failing(), "2 tasks of the new revision agent:8 stopped") {
		t.Errorf("poll 3: %q", texts(got))
	}
}

// TestCrashAfterCompleted: ECS is read on after the rollout completed, so
// a crash before CloudFormation's final status is seen.
func TestCrashAfterCompleted(t *testing.T) {
	a := taskStop("late000001", newTD, "EssentialContainerExited", "Essential container in task exited", time.Minute, awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(1)})
	f := &fakeClient{
		services: [][]awsclient.Service{{service(completed(deployment("PRIMARY", newTD, 2, 2, 0)))}},
		stopped:  [][]string{nil, nil, {a.ARN}},
		tasks:    map[string]awsclient.Task{a.ARN: a},
	}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: rolled out: 2 of 2 tasks run agent:8")
	sameLines(t, "poll 2", w.Poll(ctx))
	sameLines(t, "poll 3", w.Poll(ctx), "stopped: task late0000 (agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 1")
}

// TestSteadyStateEventWithoutRolloutState: a service behind a Classic
// Load Balancer has no rolloutState ("The rolloutState of a service is
// only returned for services that use the rolling update (ECS) deployment
// type that aren't behind a Classic Load Balancer", Deployment API
// reference): rolled out once ECS writes "has reached a steady state."
// with the counts held, not on counts alone.
func TestSteadyStateEventWithoutRolloutState(t *testing.T) {
	d := deployment("PRIMARY", newTD, 2, 2, 0)
	d.Created = t0.Add(10 * time.Second)
	held := service(d)
	steady := held
	steady.Events = []awsclient.ServiceEvent{{ID: "s1", Time: t0.Add(3 * time.Minute), Message: "(service agents) has reached a steady state."}}
	f := &fakeClient{services: [][]awsclient.Service{{held}, {held}, {steady}}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: new revision agent:8: 2 of 2 running, 0 pending")
	sameLines(t, "poll 2", w.Poll(ctx))
	sameLines(t, "poll 3", w.Poll(ctx), "event: (service agents) has reached a steady state.", "progress: rolled out: 2 of 2 tasks run agent:8")

	// A steady state from before the new deployment is the old one's.
	early := held
	early.Events = []awsclient.ServiceEvent{{ID: "s0", Time: t0.Add(5 * time.Second), Message: "(service agents) has reached a steady state."}}
	f = &fakeClient{services: [][]awsclient.Service{{early}}}
	w = watching(t, f)
	w.Poll(ctx)
	if w.Steady() {
		t.Error("rolled out on the old deployment's steady state")
	}
}

// TestBreakerIsCloudFormations: the circuit breaker's FAILED is failing,
// and marked as ECS's own, so that the front ends send no cancel:
// CloudFormation fails the service within moments ("Error occurred during
// operation 'ECS Deployment Circuit Breaker was triggered'.",
// https://github.com/aws-cloudformation/rain/issues/458,
// https://github.com/aws/copilot-cli/issues/5296) and rolls back itself.
func TestBreakerIsCloudFormations(t *testing.T) {
	d := deployment("PRIMARY", newTD, 2, 0, 0)
	d.RolloutState, d.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	w := watching(t, &fakeClient{services: [][]awsclient.Service{{rolling(d)}}})
	w.Poll(ctx)
	if !w.FailedByBreaker() {
		t.Error("the breaker's verdict not marked as such")
	}
	a := taskStop("x000000001", newTD, "EssentialContainerExited", "Essential container in task exited", time.Minute)
	b := taskStop("x000000002", newTD, "EssentialContainerExited", "Essential container in task exited", time.Minute)
	w = watching(t, stopsOneAPoll(rolling(deployment("PRIMARY", newTD, 2, 0, 1)), a, b))
	w.Poll(ctx)
	w.Poll(ctx)
	if w.Failing() == "" || w.FailedByBreaker() {
		t.Errorf("two exits: Failing %q, by breaker %v", w.Failing(), w.FailedByBreaker())
	}
}

// TestRollbackIsFollowed: once the update rolls back, ECS is read on:
// CloudFormation points the service at the previous revision and waits
// for it too; nothing is judged failing then.
func TestRollbackIsFollowed(t *testing.T) {
	a := taskStop("rb00000001", newTD, "EssentialContainerExited", "Essential container in task exited", time.Minute)
	b := taskStop("rb00000002", newTD, "EssentialContainerExited", "Essential container in task exited", time.Minute)
	back := deployment("PRIMARY", oldTD, 2, 1, 1)
	back.ID = "ecs-svc/rollback"
	done := completed(deployment("PRIMARY", oldTD, 2, 2, 0))
	done.ID = "ecs-svc/rollback"
	f := &fakeClient{
		services: [][]awsclient.Service{
			{rolling(deployment("PRIMARY", newTD, 2, 0, 2))},
			{service(back, deployment("ACTIVE", newTD, 0, 1, 0))},
			{service(done)},
		},
		stopped: [][]string{nil, {a.ARN}, {b.ARN, a.ARN}},
		tasks:   map[string]awsclient.Task{a.ARN: a, b.ARN: b},
	}
	w := watching(t, f)
	w.RollingBack()
	sameLines(t, "poll 1", w.Poll(ctx), "progress: rolling back: waiting for CloudFormation to point the service at the previous revision again (it runs agent:8)")
	sameLines(t, "poll 2", w.Poll(ctx),
		"progress: rolling back to agent:7: 1 of 2 running, 1 pending; agent:8: 1 running (draining)",
		"stopped: task rb000000 (agent:8) stopped: Essential container in task exited")
	sameLines(t, "poll 3", w.Poll(ctx),
		"progress: rolled back: 2 of 2 tasks run the previous revision agent:7",
		"stopped: task rb000000 (agent:8) stopped: Essential container in task exited")
	if w.Failing() != "" {
		t.Errorf("judged while rolling back: %q", w.Failing())
	}
}
