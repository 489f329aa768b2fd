package rollout

import (
	"fmt"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

const failingPrefix = "failing: the rollout of service agents is failing: "

func rolling(d awsclient.Deployment) awsclient.Service {
	return service(d, deployment("ACTIVE", oldTD, 2, 2, 0))
}

func TestJudgeCircuitBreaker(t *testing.T) {
	for _, c := range []struct{ reason, want string }{
		{"ECS deployment circuit breaker: tasks failed to start.", "ECS's deployment circuit breaker failed the rollout of agent:8: ECS deployment circuit breaker: tasks failed to start."},
		{"", "ECS's deployment circuit breaker failed the rollout of agent:8: no reason given"},
	} {
		d := deployment("PRIMARY", newTD, 2, 0, 0)
		d.RolloutState, d.RolloutReason = "FAILED", c.reason
		f := &fakeClient{services: [][]awsclient.Service{{rolling(d)}}}
		w := watching(t, f)
		got := w.Poll(ctx)
		sameLines(t, "poll 1", got,
			"progress: new revision agent:8: 0 of 2 running, 0 pending; old revision agent:7: 2 running (draining)",
			failingPrefix+c.want)
		if l := got[len(got)-1]; l.Service != "AgentService" || l.Kind != Failing {
			t.Errorf("failing line of service %q kind %d", l.Service, l.Kind)
		}
		if w.Failing() != "the rollout of service agents is failing: "+c.want {
			t.Errorf("Failing() = %q", w.Failing())
		}
		// Said once; the watch goes on.
		sameLines(t, "poll 2", w.Poll(ctx))
		sameLines(t, "poll 3", w.Poll(ctx))
		if len(f.serviceCalls) != 3 {
			t.Errorf("%d DescribeServices, want 3", len(f.serviceCalls))
		}
	}
}

func TestJudgeFailedCount(t *testing.T) {
	one := deployment("PRIMARY", newTD, 2, 0, 2)
	one.Failed = 1
	two := deployment("PRIMARY", newTD, 2, 0, 2)
	two.Failed = 2
	f := &fakeClient{services: [][]awsclient.Service{{rolling(one)}, {rolling(two)}}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: new revision agent:8: 0 of 2 running, 2 pending, 1 failed; old revision agent:7: 2 running (draining)")
	if w.Failing() != "" {
		t.Fatalf("failing after one failed task: %q", w.Failing())
	}
	sameLines(t, "poll 2", w.Poll(ctx),
		"progress: new revision agent:8: 0 of 2 running, 2 pending, 2 failed; old revision agent:7: 2 running (draining)",
		failingPrefix+"2 tasks of the new revision agent:8 failed to start")
	sameLines(t, "poll 3", w.Poll(ctx))
}

func taskStop(id, td, code, reason string, at time.Duration, containers ...awsclient.TaskContainer) awsclient.Task {
	return awsclient.Task{ARN: region + "task/ci/" + id, TaskDefinition: td, StopCode: code, StoppedReason: reason, Stopped: t0.Add(at), Containers: containers}
}

func TestJudgeTwoFailingStops(t *testing.T) {
	a := taskStop("aaaaaaaa11", newTD, "EssentialContainerExited", "Essential container in task exited", time.Minute, awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(1)})
	b := taskStop("bbbbbbbb22", newTD, "EssentialContainerExited", "Essential container in task exited", 2*time.Minute, awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(3)})
	f := &fakeClient{
		services: [][]awsclient.Service{{rolling(deployment("PRIMARY", newTD, 2, 0, 2))}},
		stopped:  [][]string{{a.ARN}, {b.ARN, a.ARN}},
		tasks:    map[string]awsclient.Task{a.ARN: a, b.ARN: b},
	}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx),
		"progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 2 running (draining)",
		"stopped: task aaaaaaaa (agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 1")
	sameLines(t, "poll 2", w.Poll(ctx),
		"stopped: task bbbbbbbb (agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 3",
		failingPrefix+"2 tasks of the new revision agent:8 stopped; the last: Essential container in task exited; container teamcity-agent exited with code 3")
}

func TestJudgeCannotPullAtOnce(t *testing.T) {
	const pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): docker.io/jetbrains/teamcity-agent:2025.07-linux-sudo: not found"
	for _, task := range []awsclient.Task{
		taskStop("pull000001", newTD, "TaskFailedToStart", pull, time.Minute),
		taskStop("pull000002", newTD, "TaskFailedToStart", "Task failed to start", time.Minute, awsclient.TaskContainer{Name: "teamcity-agent", Reason: pull}),
	} {
		f := &fakeClient{
			services: [][]awsclient.Service{{rolling(deployment("PRIMARY", newTD, 2, 0, 2))}},
			stopped:  [][]string{{task.ARN}},
			tasks:    map[string]awsclient.Task{task.ARN: task},
		}
		w := watching(t, f)
		got := w.Poll(ctx)
		if len(got) != 3 || got[2].Text != "the rollout of service agents is failing: the agent image of agent:8 cannot be pulled: "+pull {
			t.Errorf("poll with one CannotPullContainerError:\n%q", texts(got))
		}
	}
}

func TestJudgeSchedulerStopIsNotFailure(t *testing.T) {
	var arns []string
	tasks := map[string]awsclient.Task{}
	for i := 0; i < 3; i++ {
		task := taskStop(fmt.Sprintf("sched%05d", i), newTD, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)", time.Minute,
			awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(0)})
		arns = append(arns, task.ARN)
		tasks[task.ARN] = task
	}
	// Killed by the scheduler with SIGKILL: still not a failure.
	killed := taskStop("killed0001", newTD, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)", time.Minute,
		awsclient.TaskContainer{Name: "teamcity-agent", ExitCode: exit(137)})
	arns = append(arns, killed.ARN)
	tasks[killed.ARN] = killed
	user := taskStop("user000001", newTD, "UserInitiated", "Task stopped by user", time.Minute)
	arns = append(arns, user.ARN)
	tasks[user.ARN] = user
	f := &fakeClient{
		services: [][]awsclient.Service{{rolling(deployment("PRIMARY", newTD, 2, 1, 1))}},
		stopped:  [][]string{arns},
		tasks:    tasks,
	}
	w := watching(t, f)
	got := w.Poll(ctx)
	if len(got) != 6 {
		t.Errorf("lines %q, want progress and 5 stops", texts(got))
	}
	for _, l := range got {
		if l.Kind == Failing {
			t.Errorf("failing on a scheduler's stop: %q", l.Text)
		}
	}
	if w.Failing() != "" || w.Services[0].failedStops != 0 {
		t.Errorf("Failing %q, %d failed stops", w.Failing(), w.Services[0].failedStops)
	}
}

func TestFailure(t *testing.T) {
	for _, c := range []struct {
		task awsclient.Task
		want bool
	}{
		{awsclient.Task{StopCode: "TaskFailedToStart"}, true},
		{awsclient.Task{StopCode: "EssentialContainerExited"}, true},
		{awsclient.Task{StopCode: "ServiceSchedulerInitiated", Containers: []awsclient.TaskContainer{{ExitCode: exit(1)}}}, false},
		{awsclient.Task{StopCode: "ServiceSchedulerInitiated", StoppedReason: "CannotPullContainerError: x"}, true},
		{awsclient.Task{StopCode: "SpotInterruption"}, false},
		{awsclient.Task{StopCode: "TerminationNotice"}, false},
		{awsclient.Task{StoppedReason: "Essential container in task exited"}, true},
		{awsclient.Task{Containers: []awsclient.TaskContainer{{ExitCode: exit(0)}, {ExitCode: exit(2)}}}, true},
		{awsclient.Task{Containers: []awsclient.TaskContainer{{ExitCode: exit(0)}}}, false},
		{awsclient.Task{Containers: []awsclient.TaskContainer{{Reason: "CannotPullContainerError: y"}}}, true},
	} {
		if got := failure(c.task); got != c.want {
			t.Errorf("failure(%+v) = %v, want %v", c.task, got, c.want)
		}
	}
}

const placementMsg = "(service agents) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 0123) has insufficient memory available."

func placementEvent(id string, at time.Duration) awsclient.ServiceEvent {
	return awsclient.ServiceEvent{ID: id, Time: t0.Add(at), Message: placementMsg}
}

func withEvents(s awsclient.Service, events ...awsclient.ServiceEvent) awsclient.Service {
	s.Events = events
	return s
}

func TestJudgePlacementOnceThenPlaced(t *testing.T) {
	p1 := placementEvent("p1", time.Minute)
	f := &fakeClient{services: [][]awsclient.Service{
		{withEvents(rolling(deployment("PRIMARY", newTD, 2, 0, 0)), p1)},
		{withEvents(rolling(deployment("PRIMARY", newTD, 2, 0, 1)), p1)},
	}}
	w := watching(t, f)
	for i := 0; i < 4; i++ {
		for _, l := range w.Poll(ctx) {
			if l.Kind == Failing {
				t.Errorf("poll %d: %q although a task was placed", i+1, l.Text)
			}
		}
	}
	if w.Failing() != "" {
		t.Errorf("Failing = %q", w.Failing())
	}
}

func TestJudgeUnableToConsistentlyStart(t *testing.T) {
	const msg = "(service agents) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
	f := &fakeClient{services: [][]awsclient.Service{{withEvents(rolling(deployment("PRIMARY", newTD, 2, 1, 1)), awsclient.ServiceEvent{ID: "u", Time: t0.Add(time.Minute), Message: msg})}}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx),
		"event: "+msg,
		"progress: new revision agent:8: 1 of 2 running, 1 pending; old revision agent:7: 2 running (draining)",
		failingPrefix+"ECS reports that service agents is unable to consistently start tasks")
	sameLines(t, "poll 2", w.Poll(ctx))
}

func TestJudgeFirstReasonKept(t *testing.T) {
	d := deployment("PRIMARY", newTD, 2, 0, 0)
	d.Failed = 3
	broken := d
	broken.RolloutState = "FAILED"
	f := &fakeClient{services: [][]awsclient.Service{{rolling(d)}, {rolling(broken)}}}
	w := watching(t, f)
	got := w.Poll(ctx)
	if n := count(got, Failing); n != 1 {
		t.Fatalf("%d failing lines on poll 1", n)
	}
	first := w.Failing()
	if n := count(w.Poll(ctx), Failing); n != 0 {
		t.Errorf("%d failing lines after the first", n)
	}
	if w.Failing() != first {
		t.Errorf("Failing changed from %q to %q", first, w.Failing())
	}
}

func count(lines []Line, k Kind) int {
	n := 0
	for _, l := range lines {
		if l.Kind == k {
			n++
		}
	}
	return n
}
