package rollout

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

var ctx = context.Background()

func TestPollProgress(t *testing.T) {
	f := &fakeClient{services: [][]awsclient.Service{
		{service(deployment("PRIMARY", oldTD, 2, 2, 0))},
		{service(deployment("PRIMARY", oldTD, 2, 2, 0))},
		{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 2, 0))},
		{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 2, 0))},
		{service(deployment("PRIMARY", newTD, 2, 1, 1), deployment("ACTIVE", oldTD, 2, 1, 0))},
		// The counts are there, but ECS has not called it done: agents
		// that reach RUNNING and then exit keep it IN_PROGRESS.
		{service(inProgress(deployment("PRIMARY", newTD, 2, 2, 0)), deployment("ACTIVE", oldTD, 2, 0, 0))},
		{service(completed(deployment("PRIMARY", newTD, 2, 2, 0)))},
	}}
	w := watching(t, f)
	want := [][]string{
		{"progress: waiting for CloudFormation to update the service (it runs agent:7)"},
		nil,
		{"progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 2 running (draining)"},
		nil,
		{"progress: new revision agent:8: 1 of 2 running, 1 pending; old revision agent:7: 1 running (draining)"},
		{"progress: new revision agent:8: 2 of 2 running, 0 pending"},
		{"progress: rolled out: 2 of 2 tasks run agent:8"},
	}
	// Stopped tasks are read on every poll, also once rolled out: agents
	// that crash after RUNNING are news until the stack's final status.
	wantListTasks := []int{1, 2, 3, 4, 5, 6, 7}
	for i, lines := range want {
		got := w.Poll(ctx)
		sameLines(t, fmt.Sprintf("poll %d", i+1), got, lines...)
		for _, l := range got {
			if l.Service != "AgentService" || l.Time.IsZero() {
				t.Errorf("poll %d: line %q has service %q time %v", i+1, l.Text, l.Service, l.Time)
			}
		}
		if len(f.serviceCalls) != i+1 {
			t.Errorf("poll %d: %d DescribeServices in all, want %d", i+1, len(f.serviceCalls), i+1)
		}
		if len(f.stoppedCalls) != wantListTasks[i] {
			t.Errorf("poll %d: %d ListTasks in all, want %d", i+1, len(f.stoppedCalls), wantListTasks[i])
		}
	}
	if !w.Steady() {
		t.Fatal("not steady after the rollout")
	}
	for i := 0; i < 3; i++ {
		sameLines(t, "poll after steady", w.Poll(ctx))
	}
	if len(f.serviceCalls) != 10 || len(f.stoppedCalls) != 10 || len(f.taskCalls) != 0 {
		t.Errorf("calls after steady: %d DescribeServices, %d ListTasks, %d DescribeTasks", len(f.serviceCalls), len(f.stoppedCalls), len(f.taskCalls))
	}
	if c := f.serviceCalls[0]; c.cluster != "ci" || !reflect.DeepEqual(c.names, []string{svcARN}) {
		t.Errorf("DescribeServices(%q, %q)", c.cluster, c.names)
	}
	if c := f.stoppedCalls[0]; c.cluster != "ci" || !reflect.DeepEqual(c.names, []string{"agents"}) {
		t.Errorf("ListTasks(%q, %q)", c.cluster, c.names)
	}
	if w.Failing() != "" {
		t.Errorf("Failing = %q", w.Failing())
	}
}

func TestPollFailedCountAndWaitingOnce(t *testing.T) {
	d := deployment("PRIMARY", newTD, 2, 0, 1)
	d.Failed = 1
	f := &fakeClient{services: [][]awsclient.Service{
		{service(deployment("PRIMARY", oldTD, 2, 2, 0))},
		{service(deployment("PRIMARY", oldTD, 2, 1, 1))}, // counts change: still waiting, said once
		{service(d)},
	}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: waiting for CloudFormation to update the service (it runs agent:7)")
	sameLines(t, "poll 2", w.Poll(ctx))
	sameLines(t, "poll 3", w.Poll(ctx), "progress: new revision agent:8: 0 of 2 running, 1 pending, 1 failed")
	if w.Steady() {
		t.Error("steady with a pending task")
	}
}

func TestPollEvents(t *testing.T) {
	ev := func(id string, at time.Duration, msg string) awsclient.ServiceEvent {
		return awsclient.ServiceEvent{ID: id, Time: t0.Add(at), Message: msg}
	}
	e1 := ev("e1", -time.Hour, "(service agents) has reached a steady state.")
	e2 := ev("e2", -3*time.Second, "(service agents) updated computedDesiredCount for taskSet ecs-svc/1 to 2.")
	e3 := ev("e3", 10*time.Second, "(service agents) has started 2 tasks: (task aaaa) (task bbbb).")
	e4 := ev("e4", 20*time.Second, "(service agents) has stopped 1 running tasks: (task cccc).")
	noID := awsclient.ServiceEvent{Time: t0.Add(30 * time.Second), Message: "(service agents) registered 1 targets"}
	with := func(events ...awsclient.ServiceEvent) awsclient.Service {
		s := service(deployment("PRIMARY", oldTD, 2, 2, 0))
		s.Events = events
		return s
	}
	f := &fakeClient{services: [][]awsclient.Service{
		{with(e3, e2, e1)},
		{with(e4, e3, e2, e1)},
		{with(e4, e3, e2, e1)},
		{with(noID, e4, e3, e2, e1)},
		{with(noID, e4, e3, e2, e1)},
	}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx),
		"event: "+e2.Message, "event: "+e3.Message,
		"progress: waiting for CloudFormation to update the service (it runs agent:7)")
	sameLines(t, "poll 2", w.Poll(ctx), "event: "+e4.Message)
	sameLines(t, "poll 3", w.Poll(ctx))
	got := w.Poll(ctx)
	sameLines(t, "poll 4", got, "event: "+noID.Message)
	if len(got) == 1 && !got[0].Time.Equal(noID.Time) {
		t.Errorf("event line time %v, want the event's %v", got[0].Time, noID.Time)
	}
	sameLines(t, "poll 5", w.Poll(ctx))
}

func TestPollStoppedTasks(t *testing.T) {
	task := func(id string) string { return region + "task/ci/" + id + "0123456789abcdef" }
	history := awsclient.Task{ARN: task("00000000"), TaskDefinition: oldTD, StopCode: "EssentialContainerExited",
		StoppedReason: "Essential container in task exited", Stopped: t0.Add(-time.Hour),
		Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: exit(1)}}}
	drained := awsclient.Task{ARN: task("aaaaaaaa"), TaskDefinition: oldTD, StopCode: "ServiceSchedulerInitiated",
		StoppedReason: "Scaling activity initiated by (deployment ecs-svc/123)", Stopped: t0.Add(30 * time.Second),
		Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: exit(0)}}}
	crashed := awsclient.Task{ARN: task("bbbbbbbb"), TaskDefinition: newTD, StopCode: "EssentialContainerExited",
		StoppedReason: "Essential container in task exited", Stopped: t0.Add(40 * time.Second),
		Containers: []awsclient.TaskContainer{
			{Name: "log-router", ExitCode: exit(1)},
			{Name: "quiet"},
			{Name: "teamcity-agent", ExitCode: exit(137), Reason: "OutOfMemoryError: Container killed due to memory usage"},
		}}
	noReason := awsclient.Task{ARN: task("cccccccc"), TaskDefinition: newTD, StopCode: "TaskFailedToStart", Stopped: t0.Add(50 * time.Second),
		Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", Reason: "ResourceInitializationError: unable to create volume"}}}
	f := &fakeClient{
		services: [][]awsclient.Service{
			{service(deployment("PRIMARY", oldTD, 2, 2, 0))},
			{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 1, 0))},
		},
		stopped: [][]string{
			{history.ARN, drained.ARN, crashed.ARN, task("gone0000")},
			{noReason.ARN, history.ARN, drained.ARN, crashed.ARN, task("gone0000")},
			{noReason.ARN, history.ARN, drained.ARN, crashed.ARN, task("gone0000")},
		},
		tasks: map[string]awsclient.Task{history.ARN: history, drained.ARN: drained, crashed.ARN: crashed, noReason.ARN: noReason},
	}
	w := watching(t, f)
	got := w.Poll(ctx)
	sameLines(t, "poll 1", got,
		"progress: waiting for CloudFormation to update the service (it runs agent:7)",
		"stopped: task aaaaaaaa (agent:7, the old revision) stopped: Scaling activity initiated by (deployment ecs-svc/123); container teamcity-agent exited with code 0",
		"stopped: task bbbbbbbb (agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 137: OutOfMemoryError: Container killed due to memory usage; container log-router exited with code 1",
	)
	if len(got) == 3 && !got[1].Time.Equal(drained.Stopped) {
		t.Errorf("stopped line time %v, want the task's %v", got[1].Time, drained.Stopped)
	}
	if !reflect.DeepEqual(f.taskCalls, [][]string{{history.ARN, drained.ARN, crashed.ARN, task("gone0000")}}) {
		t.Errorf("DescribeTasks calls %q", f.taskCalls)
	}
	sameLines(t, "poll 2", w.Poll(ctx),
		"progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 1 running (draining)",
		"stopped: task cccccccc (agent:8) stopped: TaskFailedToStart; container teamcity-agent: ResourceInitializationError: unable to create volume",
		"failing: the rollout of service agents is failing: 2 tasks of the new revision agent:8 stopped; the last: TaskFailedToStart; container teamcity-agent: ResourceInitializationError: unable to create volume",
	)
	if !reflect.DeepEqual(f.taskCalls[1:], [][]string{{noReason.ARN}}) {
		t.Errorf("DescribeTasks calls after the first %q, want only the new task", f.taskCalls[1:])
	}
	sameLines(t, "poll 3", w.Poll(ctx))
	if len(f.taskCalls) != 2 || len(f.stoppedCalls) != 3 {
		t.Errorf("%d DescribeTasks, %d ListTasks; want 2 and 3", len(f.taskCalls), len(f.stoppedCalls))
	}
}

func TestPollDescribesTasksByHundreds(t *testing.T) {
	var arns []string
	tasks := map[string]awsclient.Task{}
	for i := 0; i < 150; i++ {
		a := fmt.Sprintf("%stask/ci/%032d", region, i)
		arns = append(arns, a)
		tasks[a] = awsclient.Task{ARN: a, TaskDefinition: oldTD, StopCode: "ServiceSchedulerInitiated", Stopped: t0.Add(-time.Hour)}
	}
	f := &fakeClient{
		services: [][]awsclient.Service{{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 2, 0))}},
		stopped:  [][]string{arns},
		tasks:    tasks,
	}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 2 running (draining)")
	if len(f.taskCalls) != 2 || len(f.taskCalls[0]) != 100 || len(f.taskCalls[1]) != 50 {
		t.Errorf("DescribeTasks calls of %d tasks; want 100 then 50", lens(f.taskCalls))
	}
	w.Poll(ctx)
	if len(f.taskCalls) != 2 {
		t.Errorf("%d DescribeTasks after a second poll, want 2", len(f.taskCalls))
	}
}

func lens(calls [][]string) []int {
	var n []int
	for _, c := range calls {
		n = append(n, len(c))
	}
	return n
}

// manyWatch follows n services of cluster "ci", and one of cluster
// "other" when other is set, all running agent:7 before the update.
func manyWatch(f *fakeClient, n int, other bool) *Watch {
	w := &Watch{Client: f, Stack: "s", Started: t0, old: map[string]string{"AgentTaskDefinition": oldTD}}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("agents-%d", i)
		w.Services = append(w.Services, &Service{LogicalID: fmt.Sprintf("Agents%d", i), TaskDefinition: "AgentTaskDefinition", ARN: region + "service/ci/" + name, Name: name, Cluster: "ci"})
	}
	if other {
		w.Services = append(w.Services, &Service{LogicalID: "Other", TaskDefinition: "AgentTaskDefinition", ARN: region + "service/other/o", Name: "o", Cluster: "other"})
	}
	f.servicesFn = func(_ int, cluster string, arns []string) ([]awsclient.Service, error) {
		var out []awsclient.Service
		for _, a := range arns {
			name, _ := ecsarn.Service(a)
			out = append(out, awsclient.Service{ARN: a, Name: name, Desired: 1, TaskDefinition: oldTD,
				Deployments: []awsclient.Deployment{deployment("PRIMARY", oldTD, 1, 1, 0)}})
		}
		return out, nil
	}
	return w
}

func TestPollOneDescribeServicesPerCluster(t *testing.T) {
	for _, c := range []struct {
		n      int
		other  bool
		calls  []int
		groups []string
	}{
		{2, false, []int{2}, []string{"ci"}},
		{10, false, []int{10}, []string{"ci"}},
		{11, false, []int{10, 1}, []string{"ci", "ci"}},
		{2, true, []int{2, 1}, []string{"ci", "other"}},
	} {
		f := &fakeClient{}
		w := manyWatch(f, c.n, c.other)
		lines := w.Poll(ctx)
		var sizes []int
		var clusters []string
		for _, call := range f.serviceCalls {
			sizes = append(sizes, len(call.names))
			clusters = append(clusters, call.cluster)
		}
		if !reflect.DeepEqual(sizes, c.calls) || !reflect.DeepEqual(clusters, c.groups) {
			t.Errorf("%d services (other cluster %v): DescribeServices of %v in %q; want %v in %q", c.n, c.other, sizes, clusters, c.calls, c.groups)
		}
		want := c.n
		if c.other {
			want++
		}
		if len(lines) != want {
			t.Errorf("%d services: %d lines %q, want one waiting line each", want, len(lines), texts(lines))
		}
		for _, l := range lines {
			if l.Kind != Progress {
				t.Errorf("line %q is not progress", l.Text)
			}
		}
	}
}

func TestPollOldFormatARN(t *testing.T) {
	// ECS answers an old-format ARN with the long one: the name matches.
	f := &fakeClient{services: [][]awsclient.Service{{service(completed(deployment("PRIMARY", newTD, 2, 2, 0)))}}}
	w := &Watch{Client: f, Stack: "s", Started: t0, old: map[string]string{"AgentTaskDefinition": oldTD},
		Services: []*Service{{LogicalID: "AgentService", TaskDefinition: "AgentTaskDefinition", ARN: oldStyle, Name: "agents", Cluster: "ci"}}}
	sameLines(t, "poll", w.Poll(ctx), "progress: rolled out: 2 of 2 tasks run agent:8")
	if !w.Steady() {
		t.Error("not steady")
	}
}

func TestPollMissingService(t *testing.T) {
	f := &fakeClient{services: [][]awsclient.Service{nil, nil, {service(completed(deployment("PRIMARY", newTD, 2, 2, 0)))}}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "note: ECS does not list service agents (the update may replace it)")
	sameLines(t, "poll 2", w.Poll(ctx))
	sameLines(t, "poll 3", w.Poll(ctx), "progress: rolled out: 2 of 2 tasks run agent:8")
}

func TestPollRetryNotes(t *testing.T) {
	throttled := apiError("ThrottlingException", "DescribeServices", "Rate exceeded")
	broken := apiError("ServerException", "DescribeServices", "Service Unavailable")
	f := &fakeClient{
		servicesErr: []error{throttled, throttled, broken, broken, throttled, nil, throttled},
		services:    [][]awsclient.Service{nil, nil, nil, nil, nil, {service(deployment("PRIMARY", oldTD, 2, 2, 0))}},
	}
	w := watching(t, f)
	const tNote = "note: could not read the agents' ECS service (DescribeServices: operation error ECS: DescribeServices, api error ThrottlingException: Rate exceeded); trying again"
	const bNote = "note: could not read the agents' ECS service (DescribeServices: operation error ECS: DescribeServices, api error ServerException: Service Unavailable); trying again"
	want := [][]string{{tNote}, nil, {bNote}, nil, {tNote},
		{"progress: waiting for CloudFormation to update the service (it runs agent:7)"}, {tNote}}
	for i, lines := range want {
		sameLines(t, fmt.Sprintf("poll %d", i+1), w.Poll(ctx), lines...)
	}
	if w.Off() {
		t.Error("off after retryable errors")
	}
	for _, l := range w.readFailed(throttled, "x") {
		t.Errorf("readFailed said %q twice", l.Text)
	}
}

func TestPollDescribeServicesDenied(t *testing.T) {
	f := &fakeClient{servicesErr: []error{apiError("AccessDeniedException", "DescribeServices", "not authorized")}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "note: following CloudFormation only: ecs:DescribeServices was denied (AccessDeniedException); allow ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks and ecs:DescribeTaskDefinition (and cloudformation:ListStackResources) to see the agents roll out")
	if !w.Off() {
		t.Fatal("on after AccessDenied")
	}
	for i := 0; i < 3; i++ {
		sameLines(t, "later poll", w.Poll(ctx))
	}
	if len(f.serviceCalls) != 1 {
		t.Errorf("%d DescribeServices, want 1", len(f.serviceCalls))
	}
}

func TestPollListTasksDenied(t *testing.T) {
	f := &fakeClient{
		services:   [][]awsclient.Service{{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 2, 0))}},
		stoppedErr: []error{apiError("AccessDeniedException", "ListTasks", "not authorized")},
	}
	w := watching(t, f)
	// The services go on telling the rollout; stopped tasks are no
	// longer listed.
	sameLines(t, "poll 1", w.Poll(ctx),
		"progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 2 running (draining)",
		"note: stopped tasks are not shown: ecs:ListTasks was denied (AccessDeniedException); allow ecs:ListTasks and ecs:DescribeTasks to see why the agents' tasks stop")
	sameLines(t, "poll 2", w.Poll(ctx))
	if len(f.serviceCalls) != 2 || len(f.stoppedCalls) != 1 {
		t.Errorf("%d DescribeServices, %d ListTasks; want 2 and 1", len(f.serviceCalls), len(f.stoppedCalls))
	}
	if w.Off() {
		t.Error("off after ListTasks was denied: the services can still be read")
	}
}

func TestPollDescribeTasksThrottledRetries(t *testing.T) {
	a := region + "task/ci/dddddddd0000"
	f := &fakeClient{
		services: [][]awsclient.Service{{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 2, 0))}},
		stopped:  [][]string{{a}},
		tasksErr: []error{apiError("ThrottlingException", "DescribeTasks", "Rate exceeded"), nil},
		tasks: map[string]awsclient.Task{a: {ARN: a, TaskDefinition: newTD, StopCode: "EssentialContainerExited", StoppedReason: "Essential container in task exited",
			Stopped: t0.Add(time.Minute), Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: exit(2)}}}},
	}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx),
		"progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:7: 2 running (draining)",
		"note: could not read the agents' ECS service (DescribeTasks: operation error ECS: DescribeTasks, api error ThrottlingException: Rate exceeded); trying again")
	sameLines(t, "poll 2", w.Poll(ctx),
		"stopped: task dddddddd (agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 2")
	if !reflect.DeepEqual(f.taskCalls, [][]string{{a}, {a}}) {
		t.Errorf("DescribeTasks calls %q: the task is asked again after a failed read", f.taskCalls)
	}
}

func TestPollInterrupted(t *testing.T) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	f := &fakeClient{servicesErr: []error{c.Err(), nil}, services: [][]awsclient.Service{nil, {service(deployment("PRIMARY", oldTD, 2, 2, 0))}}}
	w := watching(t, f)
	sameLines(t, "interrupted poll", w.Poll(c))
	if w.Off() {
		t.Error("off after an interrupted read")
	}
	sameLines(t, "next poll", w.Poll(ctx), "progress: waiting for CloudFormation to update the service (it runs agent:7)")
}
