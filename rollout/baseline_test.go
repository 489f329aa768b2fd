package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// With what the service showed before the update, history is what it
// held, whatever the clocks say: here the local clock is an hour ahead of
// ECS's, so every time of the update looks older than its start.
func TestBaselineNotClocks(t *testing.T) {
	skewed := t0.Add(-time.Hour)
	old := deployment("PRIMARY", oldTD, 2, 2, 0)
	before := service(old)
	before.Events = []awsclient.ServiceEvent{{ID: "e-old", Time: skewed.Add(-time.Minute), Message: "(service agents) has reached a steady state."}}
	fresh := deployment("PRIMARY", newTD, 2, 0, 2)
	fresh.Created = skewed // created after the update began, by ECS's clock
	old.Status = "ACTIVE"
	during := service(fresh, old)
	during.Events = append([]awsclient.ServiceEvent{{ID: "e-new", Time: skewed.Add(time.Minute), Message: "(service agents) has started 2 tasks: (task aaaa) (task bbbb)."}}, before.Events...)
	crashed := awsclient.Task{ARN: region + "task/ci/bbbbbbbb", TaskDefinition: newTD, StopCode: "EssentialContainerExited",
		StoppedReason: "Essential container in task exited", Stopped: skewed.Add(2 * time.Minute),
		Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: exit(1)}}}
	f := &fakeClient{
		before: []awsclient.Service{before}, beforeStopped: []string{region + "task/ci/00000000"},
		services: [][]awsclient.Service{{during}},
		stopped:  [][]string{{crashed.ARN, region + "task/ci/00000000"}},
		tasks:    map[string]awsclient.Task{crashed.ARN: crashed},
	}
	w := watching(t, f)
	if f.beforeCalls != 2 {
		t.Errorf("%d calls before the update, want DescribeServices and ListTasks", f.beforeCalls)
	}
	sameLines(t, "poll", w.Poll(ctx),
		"event: (service agents) has started 2 tasks: (task aaaa) (task bbbb).",
		"progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 2 running (draining)",
		"stopped: task bbbbbbbb (agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 1")
	if len(f.taskCalls) != 1 || len(f.taskCalls[0]) != 1 {
		t.Errorf("DescribeTasks %v: the task stopped before the update was described", f.taskCalls)
	}
}

// A deployment whose rollout failed since the update began is failing,
// whichever revision it runs (here the one before, as an emulator that
// leaves the service alone shows it).
func TestBaselineFailedDeployment(t *testing.T) {
	old := deployment("PRIMARY", oldTD, 2, 2, 0)
	old.RolloutState = "COMPLETED"
	failed := old
	failed.RolloutState, failed.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	f := &fakeClient{before: []awsclient.Service{service(old)}, services: [][]awsclient.Service{{service(old)}, {service(failed)}}}
	w := watching(t, f)
	w.Poll(ctx)
	lines := w.Poll(ctx)
	if len(lines) == 0 || lines[len(lines)-1].Kind != Failing ||
		!strings.Contains(lines[len(lines)-1].Text, "ECS's deployment circuit breaker failed the rollout of agent:7: ECS deployment circuit breaker: tasks failed to start.") {
		t.Errorf("poll 2: %q", texts(lines))
	}
	// One that had failed before the update is history.
	f2 := &fakeClient{before: []awsclient.Service{service(failed)}, services: [][]awsclient.Service{{service(failed)}}}
	w2 := watching(t, f2)
	for range 3 {
		for _, l := range w2.Poll(ctx) {
			if l.Kind == Failing {
				t.Errorf("a failure from before the update: %q", l.Text)
			}
		}
	}
}

// Permissions denied while reading the baseline are said as Poll would.
func TestBaselineDenied(t *testing.T) {
	f := &fakeClient{before: nil, beforeErr: apiError("AccessDeniedException", "DescribeServices", "not authorized"),
		resources: [][]awsclient.StackResource{{{LogicalID: "Cluster", PhysicalID: "ci"}, {LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}, {LogicalID: "AgentService", PhysicalID: svcARN}}}}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	tmpl, res := parsed(t, agentTemplate(oneService), opts)
	w := f.prepare(ctx, "ci-stack", tmpl, res, opts, "")
	if !w.Off() {
		t.Fatal("on after DescribeServices was denied")
	}
	lines := w.Poll(ctx)
	if len(lines) != 1 || !strings.Contains(lines[0].Text, "following CloudFormation only: ecs:DescribeServices was denied") || len(f.serviceCalls) != 0 {
		t.Errorf("poll: %q, %d DescribeServices", texts(lines), len(f.serviceCalls))
	}
}
