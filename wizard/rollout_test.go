package wizard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/fakeaws"
	"github.com/tcdind/tcdind/rollout"
)

var (
	_ rollout.Client      = (*fakeCFN)(nil)
	_ changeset.Canceller = (*fakeCFN)(nil)
)

// The agents' ECS service of testdata/one.yaml as the fake deploys it.
const (
	svcARN = "arn:aws:ecs:eu-west-1:123456789012:service/teamcity-cluster/teamcity-agents"
	oldTD  = "arn:aws:ecs:eu-west-1:123456789012:task-definition/teamcity-agent:7"
	newTD  = "arn:aws:ecs:eu-west-1:123456789012:task-definition/teamcity-agent:8"
)

// resources are the stack's resources while the agents run td.
func resources(td string) []awsclient.StackResource {
	return []awsclient.StackResource{
		{LogicalID: "ECSCluster", PhysicalID: "teamcity-cluster", Type: "AWS::ECS::Cluster"},
		{LogicalID: "AgentTaskDefinition", PhysicalID: td, Type: tdType},
		{LogicalID: "AgentService", PhysicalID: svcARN, Type: svcType},
	}
}

// deployment is one revision of the service: desired, running, pending
// and failed tasks.
func deployment(status, td string, desired, running, pending, failed int) awsclient.Deployment {
	return awsclient.Deployment{ID: "ecs-svc/" + td[len(td)-1:], Status: status, TaskDefinition: td,
		Desired: desired, Running: running, Pending: pending, Failed: failed, RolloutState: "IN_PROGRESS"}
}

// agents is the service with its deployments, the first the primary.
func agents(events []awsclient.ServiceEvent, ds ...awsclient.Deployment) awsclient.Service {
	s := awsclient.Service{ARN: svcARN, Name: "teamcity-agents", Cluster: "teamcity-cluster", Status: "ACTIVE",
		TaskDefinition: ds[0].TaskDefinition, Desired: ds[0].Desired, Deployments: ds, Events: events}
	for _, d := range ds {
		s.Running += d.Running
		s.Pending += d.Pending
	}
	return s
}

func ecsFrame(s awsclient.Service, stopped ...awsclient.Task) fakeaws.Frame {
	return fakeaws.Frame{Services: []awsclient.Service{s}, Stopped: stopped}
}

// before is the service before CloudFormation updates it.
var before = ecsFrame(agents(nil, deployment("PRIMARY", oldTD, 1, 1, 0, 0)))

// exited is a task of the new revision whose agent exited at start.
func exited(id string, n int) awsclient.Task {
	code := 1
	return awsclient.Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/teamcity-cluster/" + id, TaskDefinition: newTD,
		LastStatus: "STOPPED", StopCode: "EssentialContainerExited", StoppedReason: "Essential container in task exited",
		Stopped:    t0.Add(time.Duration(n) * 7 * time.Second),
		Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: &code}}}
}

// registered is the new revision as ECS reads it back.
func registered(privileged bool) map[string]*awsclient.TaskDefinition {
	return map[string]*awsclient.TaskDefinition{newTD: {ARN: newTD, Family: "teamcity-agent", Revision: 8,
		Containers: []awsclient.ContainerDefinition{{Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2024.12-linux-sudo", Privileged: &privileged}}}}
}

// rolloutFake is the fake stack with ECS scripted: frames one per poll.
func rolloutFake(t *testing.T, frames ...fakeaws.Frame) *fakeCFN {
	f := newFake(t)
	f.ECS = &fakeaws.ECS{
		Resources:       [][]awsclient.StackResource{resources(oldTD), resources(newTD)},
		Frames:          frames,
		TaskDefinitions: registered(true),
	}
	return f
}

// ecsLines are the ECS lines of the progress screen of kind k.
func ecsLines(m *Model, k rollout.Kind) []string {
	var out []string
	for _, l := range m.progress().ecs {
		if l.Kind == k {
			out = append(out, l.Text)
		}
	}
	return out
}

// succeeding is a rollout that completes: CloudFormation waits while ECS
// starts the new revision beside the old one, then drains the old one.
func succeeding() []fakeaws.Frame {
	started := []awsclient.ServiceEvent{{ID: "e1", Time: t0.Add(20 * time.Second), Message: "(service teamcity-agents) has started 1 tasks: (task 5d2c8f31)."}}
	return []fakeaws.Frame{
		before,
		before,
		ecsFrame(agents(started, deployment("PRIMARY", newTD, 1, 0, 1, 0), deployment("ACTIVE", oldTD, 1, 1, 0, 0))),
		ecsFrame(agents(started, deployment("PRIMARY", newTD, 1, 1, 0, 0), deployment("ACTIVE", oldTD, 1, 1, 0, 0))),
		ecsFrame(agents(started, completed(deployment("PRIMARY", newTD, 1, 1, 0, 0)))),
	}
}

// completed is d once ECS called its rollout done: only then is it rolled
// out (rolloutState, Deployment API reference).
func completed(d awsclient.Deployment) awsclient.Deployment {
	d.RolloutState = "COMPLETED"
	return d
}

// A rollout that succeeds after a few polls: its progress as it goes,
// then the done screen says what ECS verified; no ECS call once the
// service is steady but the verification's.
func TestScreenStackVerified(t *testing.T) {
	f := rolloutFake(t, succeeding()...)
	f.Events = pages(updated()...)
	c := &clock{t: t0}
	r := toChangeSet(t, f, c)
	f.OnExecute = func() { c.set(t0.Add(95 * time.Second)) }
	r.execute()
	r.waitFor("updated: UPDATE_COMPLETE")
	m := r.snapshot()
	if err := m.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	progress := strings.Join(ecsLines(m, rollout.Progress), "\n")
	for _, s := range []string{
		"waiting for CloudFormation to update the service (it runs teamcity-agent:7)",
		"new revision teamcity-agent:8: 0 of 1 running, 1 pending; old revision teamcity-agent:7: 1 running (draining)",
		"rolled out: 1 of 1 tasks run teamcity-agent:8",
	} {
		if !strings.Contains(progress, s) {
			t.Errorf("no progress line %q in:\n%s", s, progress)
		}
	}
	if ev := ecsLines(m, rollout.Event); len(ev) != 1 || !strings.Contains(ev[0], "has started 1 tasks") {
		t.Errorf("service events %q", ev)
	}
	v := m.View()
	for _, s := range []string{
		"verified: service teamcity-agents runs teamcity-agent:8 on 1 of 1 desired tasks",
		"verified: container teamcity-agent of teamcity-agent:8 is in privileged mode",
	} {
		if !strings.Contains(v, s) {
			t.Errorf("the done screen lacks %q:\n%s", s, v)
		}
	}
	s := m.Summary()
	if !strings.Contains(s, "stack teamcity updated (UPDATE_COMPLETE)") ||
		!strings.Contains(s, "verified in ECS: service teamcity-agents runs teamcity-agent:8 on 1 of 1 desired tasks\n") ||
		!strings.Contains(s, "verified in ECS: container teamcity-agent of teamcity-agent:8 is in privileged mode (read back from ECS)\n") {
		t.Errorf("summary %q", s)
	}
	// With the stack: the agents' hosts (the stack's resources; the
	// cluster has no container instance, so no desired count is read).
	// Before the change set: the deployment controller's check (the
	// stack's resources, the service). Before the update: the stack's
	// resources, the service and its stopped tasks (history). Then one
	// read a poll until the stack's final status (seven polls: a crash
	// after the rollout completed is still seen), one to verify; the new
	// revision's ARN comes with its event; nothing cancelled.
	for op, want := range map[string]int{"ListStackResources": 1 + 1 + 1, "ListContainerInstances": 1, "DescribeServices": 1 + 1 + 7 + 1, "ListTasks": 1 + 7, "DescribeTasks": 0, "DescribeTaskDefinition": 1, "CancelUpdateStack": 0} {
		if got := f.CallsOf(op); got != want {
			t.Errorf("%s called %d times, want %d", op, got, want)
		}
	}
}

// failingFrames: the new revision's agent exits at start, twice.
func failingFrames() []fakeaws.Frame {
	rolling := agents(nil, deployment("PRIMARY", newTD, 1, 0, 1, 0), deployment("ACTIVE", oldTD, 1, 1, 0, 0))
	return []fakeaws.Frame{
		before,
		ecsFrame(rolling, exited("0a1b2c3d4e5f", 4)),
		ecsFrame(rolling, exited("0a1b2c3d4e5f", 4), exited("9f8e7d6c5b4a", 5)),
	}
}

// cancelledRollback are the events after CancelUpdateStack, each new.
func cancelledRollback() []awsclient.StackEvent {
	rb := []awsclient.StackEvent{
		ev(9, "AgentService", svcType, "UPDATE_FAILED", "Resource update cancelled"),
		ev(10, "teamcity", stackType, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AgentService]."),
		ev(11, "AgentService", svcType, "UPDATE_COMPLETE", ""),
		ev(12, "teamcity", stackType, "UPDATE_ROLLBACK_COMPLETE", ""),
	}
	for i := range rb {
		rb[i].ID += "-rollback"
	}
	return append(append([]awsclient.StackEvent{}, midway...), rb...)
}

// failingRun executes on a rollout whose agent exits at start; the events
// stop after midway until the update is cancelled, then the rollback's
// come.
func failingRun(t *testing.T, c *clock, onFailure string, setup ...func(*fakeCFN)) (*run, *fakeCFN) {
	f := rolloutFake(t, failingFrames()...)
	all := pages(cancelledRollback()...)
	f.Events = all[:len(midway)]
	f.Block = make(chan struct{})
	f.OnCancel = func() {
		f.Mu.Lock()
		f.Events = all
		f.Mu.Unlock()
		close(f.Block)
	}
	cfg := stackConfig(f, c)
	cfg.Stack, cfg.Mode, cfg.OnRolloutFailure = "teamcity", "privileged", onFailure
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	for _, f2 := range setup {
		f2(f)
	}
	r.execute()
	return r, f
}

const failingReason = "The rollout of service teamcity-agents is failing: 2 tasks"

// The progress screen while the rollout is failing: the service's
// progress, the stopped tasks, the reason and the c key.
func TestScreenRolloutFailing(t *testing.T) {
	c := &clock{t: t0}
	r, f := failingRun(t, c, "")
	r.waitUntil(func(s string) bool {
		return strings.Contains(s, "is failing") && strings.Contains(s, "10:00:21  AgentService")
	})
	c.set(t0.Add(83 * time.Second))
	v := r.screen()
	for _, s := range []string{"Agents (ECS)", "c cancel the update (CloudFormation rolls back now)", "Press c to cancel the update"} {
		if !strings.Contains(v, s) {
			t.Errorf("the screen lacks %q:\n%s", s, v)
		}
	}
	r.snapshot()
	if n := f.CallsOf("CancelUpdateStack"); n != 0 {
		t.Errorf("cancelled %d times without being asked", n)
	}
}

// c cancels the update once, however often it is pressed; the rollback
// is followed and reported as cancelled by tcdind.
func TestRolloutCancel(t *testing.T) {
	r, f := failingRun(t, nil, "")
	r.waitFor(failingReason)
	r.runes("c")
	r.runes("c")
	r.waitFor("tcdind cancelled the update of stack teamcity: UPDATE_ROLLBACK_COMPLETE")
	r.runes("c")
	m := r.final()
	if n := f.CallsOf("CancelUpdateStack"); n != 1 || len(f.Cancels) != 1 || f.Cancels[0] != "teamcity "+token+"-cancel" {
		t.Errorf("CancelUpdateStack called %d times: %v", n, f.Cancels)
	}
	err := m.Outcome()
	if exitcode.Code(err) != exitcode.Failure || !strings.Contains(err.Error(), "cancelled by tcdind (the agents' rollout was failing) and rolled back") {
		t.Errorf("outcome %v", err)
	}
	v := m.View()
	if !strings.Contains(v, "Agents (ECS)") || !strings.Contains(v, "is failing: 2 tasks of the new") || strings.Contains(v, "c cancel") {
		t.Errorf("the done screen:\n%s", v)
	}
	if stopped := ecsLines(m, rollout.Stopped); len(stopped) != 2 || !strings.Contains(stopped[0], "task 0a1b2c3d (teamcity-agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 1") {
		t.Errorf("stopped tasks %q", stopped)
	}
	if s := m.Summary(); !strings.Contains(s, "tcdind: the rollout of service teamcity-agents is failing: 2 tasks") ||
		!strings.Contains(s, "AgentService (AWS::ECS::Service): Resource update cancelled") {
		t.Errorf("summary %q", s)
	}
}

// Before the rollout fails c does nothing, and neither the footer nor
// the help offers it; once it fails both do.
func TestRolloutCancelOnlyWhenFailing(t *testing.T) {
	// Held after the second poll: one task stopped, not failing yet.
	first := make(chan struct{})
	var all [][]awsclient.StackEvent
	var later chan struct{}
	r, f := failingRun(t, nil, "", func(f *fakeCFN) {
		all, later = f.Events, f.Block
		f.Events, f.Block = all[:2], first
	})
	r.waitFor("task 0a1b2c3d (teamcity-agent:8) stopped")
	r.runes("c")
	if v := r.screen(); strings.Contains(v, "is failing") || strings.Contains(v, "c cancel") {
		t.Errorf("c offered before the rollout fails:\n%s", v)
	}
	r.runes("?")
	r.waitFor("Keys")
	if v := r.screen(); strings.Contains(v, "cancel the update") {
		t.Errorf("the help offers c before the rollout fails:\n%s", v)
	}
	r.key(tea.KeyEsc)
	if n := f.CallsOf("CancelUpdateStack"); n != 0 {
		t.Errorf("c before the failure cancelled (%d calls)", n)
	}
	f.Mu.Lock()
	f.Events, f.Block = all, later
	f.Mu.Unlock()
	close(first)
	r.waitFor(failingReason)
	r.runes("?")
	r.waitFor("Keys")
	if v := r.screen(); !strings.Contains(v, "cancel the update (CloudFormation rolls back now)") {
		t.Errorf("the help lacks c:\n%s", v)
	}
	r.key(tea.KeyEsc)
	r.runes("c")
	r.waitFor("tcdind cancelled the update of stack teamcity: UPDATE_ROLLBACK_COMPLETE")
	r.final()
	if n := f.CallsOf("CancelUpdateStack"); n != 1 {
		t.Errorf("CancelUpdateStack called %d times", n)
	}
}

// --on-rollout-failure=cancel cancels without a key, once.
func TestRolloutCancelByFlag(t *testing.T) {
	r, f := failingRun(t, nil, rolloutCancel)
	r.waitFor("tcdind cancelled the update of stack teamcity: UPDATE_ROLLBACK_COMPLETE")
	m := r.final()
	if n := f.CallsOf("CancelUpdateStack"); n != 1 {
		t.Errorf("CancelUpdateStack called %d times", n)
	}
	if err := m.Outcome(); err == nil || !strings.Contains(err.Error(), "cancelled by tcdind") {
		t.Errorf("outcome %v", err)
	}
}

// A CancelUpdateStack that fails is read back and shown as what
// CloudFormation does; the update is followed on.
func TestRolloutCancelFails(t *testing.T) {
	r, f := failingRun(t, nil, "")
	f.CancelErr = &smithy.GenericAPIError{Code: "ValidationError", Message: "CancelUpdateStack cannot be called from current stack status"}
	r.waitFor(failingReason)
	r.runes("c")
	r.waitUntil(func(v string) bool {
		v = strings.Join(strings.Fields(v), " ")
		return strings.Contains(v, "CloudFormation refused the cancel (") && strings.Contains(v, "(UPDATE_IN_PROGRESS, read back)") && !strings.Contains(v, "Could not cancel")
	})
	if v := r.screen(); strings.Contains(v, "c cancel") {
		t.Errorf("c still offered after the cancel failed:\n%s", v)
	}
	f.Mu.Lock()
	f.CancelErr = nil
	f.Mu.Unlock()
	f.OnCancel() // the rollback comes all the same (someone else cancelled)
	r.waitFor("failed: UPDATE_ROLLBACK_COMPLETE")
	r.final()
	if n := f.CallsOf("CancelUpdateStack"); n != 1 {
		t.Errorf("CancelUpdateStack called %d times", n)
	}
}

// ECS's deployment circuit breaker failing the rollout is said with its
// reason; CloudFormation's rollback is reported as ever.
func TestRolloutCircuitBreaker(t *testing.T) {
	failed := deployment("PRIMARY", newTD, 1, 0, 0, 1)
	failed.RolloutState, failed.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	f := rolloutFake(t, before, ecsFrame(agents(nil, failed, deployment("ACTIVE", oldTD, 1, 1, 0, 0))))
	f.Events = pages(rolledBack()...)
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("Failed resources")
	m := r.final()
	want := "the rollout of service teamcity-agents is failing: ECS's deployment circuit breaker failed the rollout of teamcity-agent:8: ECS deployment circuit breaker: tasks failed to start."
	if got := ecsLines(m, rollout.Failing); len(got) != 1 || got[0] != want {
		t.Errorf("failing lines %q", got)
	}
	if s := m.Summary(); !strings.Contains(s, "tcdind: "+want) {
		t.Errorf("summary %q", s)
	}
	if code := exitcode.Code(m.Outcome()); code != exitcode.Failure {
		t.Errorf("exit status %d", code)
	}
	if f.CallsOf("CancelUpdateStack") != 0 {
		t.Error("cancelled without being asked")
	}
}

// The circuit breaker's FAILED: CloudFormation fails the service itself
// ("Error occurred during operation 'ECS Deployment Circuit Breaker was
// triggered'.", aws-cloudformation/rain#458) and rolls back, so c is not
// offered, --on-rollout-failure=cancel sends nothing, and the done screen
// credits CloudFormation.
func TestRolloutBreakerRollbackIsCloudFormations(t *testing.T) {
	failed := deployment("PRIMARY", newTD, 1, 0, 0, 1)
	failed.RolloutState, failed.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	for _, flag := range []string{"", rolloutCancel} {
		f := rolloutFake(t, before, ecsFrame(agents(nil, failed, deployment("ACTIVE", oldTD, 1, 1, 0, 0))))
		all := pages(append(append([]awsclient.StackEvent{}, midway...),
			ev(9, "AgentService", svcType, "UPDATE_FAILED", `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'." (RequestToken: 5c1e3f9a-0b2d-4c6e-8f1a-2b3c4d5e6f70, HandlerErrorCode: GeneralServiceException)`),
			ev(10, "teamcity", stackType, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AgentService]."),
			ev(11, "AgentService", svcType, "UPDATE_COMPLETE", ""),
			ev(13, "teamcity", stackType, "UPDATE_ROLLBACK_COMPLETE", ""))...)
		// CloudFormation's events wait until the screen was looked at.
		f.Events = all[:len(midway)]
		f.Block = make(chan struct{})
		cfg := stackConfig(f, nil)
		cfg.Stack, cfg.Mode, cfg.OnRolloutFailure = "teamcity", "privileged", flag
		r := startStack(t, cfg)
		r.waitFor("Press enter to create a change set")
		r.key(tea.KeyEnter)
		r.waitFor("Execute change set")
		r.execute()
		r.waitUntil(func(v string) bool {
			return strings.Contains(strings.Join(strings.Fields(v), " "), "circuit breaker ended the rollout: CloudFormation fails the service and rolls stack teamcity back by itself; tcdind sends no cancel")
		})
		if screen := r.screen(); strings.Contains(screen, "c cancel") {
			t.Errorf("c offered for the breaker's rollback:\n%s", screen)
		}
		r.runes("c")
		f.Mu.Lock()
		f.Events = all
		f.Mu.Unlock()
		close(f.Block)
		r.waitFor("failed: UPDATE_ROLLBACK_COMPLETE")
		v := strings.Join(strings.Fields(r.screen()), " ")
		m := r.final()
		if n := f.CallsOf("CancelUpdateStack"); n != 0 {
			t.Errorf("flag %q: CancelUpdateStack called %d times", flag, n)
		}
		if !strings.Contains(v, "circuit breaker failed the agents' rollout, so CloudFormation failed the service") || strings.Contains(v, "tcdind cancelled") {
			t.Errorf("the done screen does not credit CloudFormation:\n%s", v)
		}
		if err := m.Outcome(); err == nil || !strings.Contains(err.Error(), "CloudFormation rolled the update back") {
			t.Errorf("outcome %v", err)
		}
	}
}

func ecsDenied() error {
	return &smithy.OperationError{ServiceID: "ECS", OperationName: "DescribeServices",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:DescribeServices"}}
}

// Without ECS permissions the update is followed in CloudFormation only,
// with one note that says which permission would show the agents.
func TestRolloutAccessDenied(t *testing.T) {
	f := rolloutFake(t, succeeding()...)
	f.ECS.Err = ecsDenied()
	f.Events = pages(updated()...)
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("updated: UPDATE_COMPLETE")
	m := r.final()
	if err := m.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	notes := ecsLines(m, rollout.Note)
	if len(notes) != 1 || !strings.Contains(notes[0], "following CloudFormation only: ecs:DescribeServices was denied (AccessDeniedException); allow ecs:DescribeServices") {
		t.Errorf("notes %q", notes)
	}
	// Denied to the deployment controller's check before the change set
	// (no refusal), then to the read before the update, which turns
	// following off: nothing more.
	if n := f.CallsOf("DescribeServices"); n != 2 {
		t.Errorf("DescribeServices called %d times, want 2 (the check, the read that turned it off)", n)
	}
	if v := m.View(); !strings.Contains(v, "note: the agents were not verified in ECS: ecs:DescribeServices was denied") {
		t.Errorf("the done screen:\n%s", v)
	}
	// ECS was not read: the outcome line gives the template's word as
	// such, never "now in privileged mode" (trust rule: never report what
	// was not verified).
	if s := m.Summary(); strings.Contains(s, "now in privileged mode") || !strings.Contains(s, "its template puts AgentTaskDefinition in privileged mode; ECS did not confirm it") {
		t.Errorf("the summary of an unverified update: %q", s)
	}
	if len(m.progress().events) != len(updated()) {
		t.Errorf("%d events followed, want %d", len(m.progress().events), len(updated()))
	}
}

// UPDATE_COMPLETE, but ECS runs the old revision and the new one is not
// privileged: exit status 1 with what differs.
func TestScreenStackMismatch(t *testing.T) {
	f := rolloutFake(t, before)
	f.ECS.TaskDefinitions = registered(false)
	f.Events = pages(updated()...)
	c := &clock{t: t0}
	r := toChangeSet(t, f, c)
	f.OnExecute = func() { c.set(t0.Add(95 * time.Second)) }
	r.execute()
	r.waitFor("ECS shows otherwise")
	m := r.snapshot()
	err := m.Outcome()
	var mismatch *rollout.MismatchError
	if !errors.As(err, &mismatch) || exitcode.Code(err) != exitcode.Failure {
		t.Fatalf("outcome %v (exit %d)", err, exitcode.Code(err))
	}
	for _, s := range []string{
		"service teamcity-agents runs teamcity-agent:7, not the new revision teamcity-agent:8",
		"container teamcity-agent of teamcity-agent:8 is in none mode, not privileged",
	} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error lacks %q: %v", s, err)
		}
	}
	// One outcome line: the error's "updated, but ECS shows otherwise",
	// never also "updated: now in privileged mode".
	if s := m.Summary(); strings.Contains(s, "now in privileged mode") {
		t.Errorf("the summary says the update did what ECS does not show: %q", s)
	}
}

// On a short terminal the Agents section stays within the screen: the
// events give way first, the reason and the c key stay.
func TestRolloutFailingShortTerminal(t *testing.T) {
	r, _ := failingRun(t, nil, "")
	r.waitFor(failingReason)
	r.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 22})
	r.waitUntil(func(s string) bool { return strings.Count(s, "\n") == 21 })
	v := r.screen()
	for _, s := range []string{"Agents (ECS)", "is failing: 2 tasks", "Press c to cancel the update", "c cancel the update"} {
		if !strings.Contains(v, s) {
			t.Errorf("a short screen lacks %q:\n%s", s, v)
		}
	}
	if !strings.Contains(v, "more above") || strings.Contains(v, "\n …") {
		t.Errorf("the events did not give way, or the body was cut:\n%s", v)
	}
	r.final()
}

// A service whose deployment controller is CODE_DEPLOY (ECS says so)
// cannot take the new task definition from CloudFormation (ECS answers
// "Unable to update task definition on services with a CODE_DEPLOY
// deployment controller. Use AWS CodeDeploy to trigger a new deployment.",
// cdklabs/cdk-ecs-codedeploy#121): refused before the change set, with
// what to do.
func TestScreenControllerRefused(t *testing.T) {
	svc := agents(nil, deployment("PRIMARY", oldTD, 1, 1, 0, 0))
	svc.Controller = "CODE_DEPLOY"
	f := rolloutFake(t, ecsFrame(svc))
	c := &clock{t: t0}
	r := startStack(t, func() Config {
		cfg := stackConfig(f, c)
		cfg.Stack, cfg.Mode = "teamcity", "privileged"
		return cfg
	}())
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("CloudFormation cannot roll this out to service AgentService")
	v := strings.Join(strings.Fields(r.screen()), " ")
	for _, s := range []string{
		"uses the CODE_DEPLOY deployment controller (ECS says so)",
		"No change set was created and stack teamcity is unchanged",
	} {
		if !strings.Contains(v, s) {
			t.Errorf("the screen lacks %q:\n%s", s, v)
		}
	}
	r.snapshot()
	if n := f.CallsOf("CreateChangeSet"); n != 0 {
		t.Errorf("CreateChangeSet called %d times", n)
	}
}

// The progress screen once the circuit breaker failed the rollout: the
// reason, CloudFormation's rollback to come, and no c.
func TestScreenRolloutBreaker(t *testing.T) {
	failed := deployment("PRIMARY", newTD, 1, 0, 0, 2)
	failed.RolloutState, failed.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	f := rolloutFake(t, before, ecsFrame(agents(nil, failed, deployment("ACTIVE", oldTD, 1, 1, 0, 0))))
	f.Events = pages(midway...)
	f.Block = make(chan struct{})
	defer close(f.Block)
	c := &clock{t: t0}
	cfg := stackConfig(f, c)
	cfg.Stack, cfg.Mode = "teamcity", "privileged"
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	r.execute()
	// Every event shown (the next read waits), and the breaker's line.
	r.waitUntil(func(v string) bool {
		return strings.Contains(strings.Join(strings.Fields(v), " "), "tcdind sends no cancel") && strings.Contains(v, "AgentService         UPDATE_IN_PROGRESS")
	})
	c.set(t0.Add(47 * time.Second))
	if v := r.screen(); strings.Contains(v, "c cancel") {
		t.Errorf("c offered:\n%s", v)
	}
	r.snapshot()
}

// placementMessage is ECS's, written once until the cause is gone (ECS
// developer guide, "Service event messages").
const placementMessage = "(service teamcity-agents) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 5b4c2a1e) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."

// oldStopping is the old revision's task the scheduler stops for the new
// deployment: listed by ListTasks STOPPED while it stops (lastStatus
// RUNNING), then STOPPED.
func oldStopping(status string) awsclient.Task {
	code := 143
	t := awsclient.Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/teamcity-cluster/7c6d5e4f3a2b", TaskDefinition: oldTD,
		LastStatus: status, StopCode: "ServiceSchedulerInitiated", StoppedReason: "Scaling activity initiated by (deployment ecs-svc/8)"}
	if status == "STOPPED" {
		t.Stopped = t0.Add(90 * time.Second)
		t.Containers = []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: &code}}
	}
	return t
}

// A normal update of JetBrains' template (MaximumPercent 100,
// MinimumHealthyPercent 0, one agent an instance): one "insufficient
// memory" message until the old task stopped and freed the host. Never
// failing, c never offered, even with the shortest placement grace.
func TestRolloutJetBrainsShapedIsHealthy(t *testing.T) {
	placed := []awsclient.ServiceEvent{{ID: "p1", Time: t0.Add(20 * time.Second), Message: placementMessage}}
	waiting := func(oldRunning int) awsclient.Service {
		return agents(placed, deployment("PRIMARY", newTD, 1, 0, 0, 0), deployment("ACTIVE", oldTD, 1, oldRunning, 0, 0))
	}
	f := rolloutFake(t,
		before,
		ecsFrame(waiting(1)),
		ecsFrame(waiting(0), oldStopping("RUNNING")),
		ecsFrame(waiting(0), oldStopping("RUNNING")),
		ecsFrame(waiting(0), oldStopping("STOPPED")),
		ecsFrame(agents(placed, deployment("PRIMARY", newTD, 1, 0, 1, 0)), oldStopping("STOPPED")),
		ecsFrame(agents(placed, completed(deployment("PRIMARY", newTD, 1, 1, 0, 0))), oldStopping("STOPPED")),
	)
	f.Events = pages(append(append([]awsclient.StackEvent{}, midway...),
		ev(5, "AgentService", svcType, "UPDATE_IN_PROGRESS", "Eventual consistency check initiated"),
		ev(6, "AgentService", svcType, "UPDATE_IN_PROGRESS", "Eventual consistency check initiated"),
		ev(7, "AgentService", svcType, "UPDATE_IN_PROGRESS", "Eventual consistency check initiated"),
		ev(9, "AgentService", svcType, "UPDATE_COMPLETE", ""),
		ev(12, "teamcity", stackType, "UPDATE_COMPLETE", ""))...)
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.OnRolloutFailure, cfg.PlacementGrace = "teamcity", "privileged", rolloutCancel, time.Nanosecond
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	r.execute()
	r.waitFor("updated: UPDATE_COMPLETE")
	m := r.final()
	if err := m.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	if got := ecsLines(m, rollout.Failing); len(got) != 0 {
		t.Errorf("a healthy update called failing: %q", got)
	}
	if n := f.CallsOf("CancelUpdateStack"); n != 0 {
		t.Errorf("CancelUpdateStack called %d times", n)
	}
	stops := ecsLines(m, rollout.Stopped)
	if len(stops) != 1 || !strings.Contains(stops[0], "(teamcity-agent:7, the old revision) stopped: Scaling activity initiated by (deployment ecs-svc/8); container teamcity-agent exited with code 143") {
		t.Errorf("the old task is not explained once, once stopped: %q", stops)
	}
}

// CloudFormation's own rollback is followed in ECS too: the service back
// on the previous revision, nothing judged, no c.
func TestRolloutRollbackFollowed(t *testing.T) {
	stuck := agents(nil, deployment("PRIMARY", newTD, 1, 0, 1, 0), deployment("ACTIVE", oldTD, 1, 1, 0, 0))
	back := func(running int, done bool) awsclient.Service {
		d := deployment("PRIMARY", oldTD, 1, running, 1-running, 0)
		if done {
			d = completed(d)
		}
		return agents(nil, d)
	}
	f := rolloutFake(t, before, ecsFrame(stuck), ecsFrame(stuck), ecsFrame(stuck), ecsFrame(stuck),
		ecsFrame(back(0, false)), ecsFrame(back(0, false)), ecsFrame(back(1, true)))
	f.Events = pages(append(append([]awsclient.StackEvent{}, midway...),
		ev(9, "AgentService", svcType, "UPDATE_FAILED", "Resource handler returned message: \"Service arn:aws:ecs:eu-west-1:123456789012:service/teamcity-cluster/teamcity-agents did not stabilize.\""),
		ev(10, "teamcity", stackType, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AgentService]."),
		ev(11, "AgentService", svcType, "UPDATE_IN_PROGRESS", ""),
		ev(12, "AgentTaskDefinition", tdType, "UPDATE_COMPLETE", ""),
		ev(13, "AgentService", svcType, "UPDATE_COMPLETE", ""),
		ev(14, "teamcity", stackType, "UPDATE_ROLLBACK_COMPLETE", ""))...)
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("failed: UPDATE_ROLLBACK_COMPLETE")
	m := r.final()
	progress := strings.Join(ecsLines(m, rollout.Progress), "\n")
	for _, s := range []string{"rolling back to teamcity-agent:7: 0 of 1 running, 1 pending", "rolled back: 1 of 1 tasks run the previous revision teamcity-agent:7"} {
		if !strings.Contains(progress, s) {
			t.Errorf("no progress line %q in:\n%s", s, progress)
		}
	}
	if got := ecsLines(m, rollout.Failing); len(got) != 0 {
		t.Errorf("judged while rolling back: %q", got)
	}
}

// Leaving while ECS is read back after UPDATE_COMPLETE ends as a signal
// does (128+n), with a line that says the update is complete and how to
// look, as the command line does; the summary gives the template's word,
// not "now in privileged mode".
func TestLeaveWhileVerifying(t *testing.T) {
	f := rolloutFake(t, succeeding()...)
	f.ECS.Hold = make(chan struct{})
	f.Events = pages(updated()...)
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("reading back in ECS what the agents run")
	r.key(tea.KeyCtrlC)
	m := r.final()
	err := m.Outcome()
	if exitcode.Code(err) != exitcode.Interrupted || !strings.Contains(err.Error(), "interrupted before ECS was read; the update of stack teamcity is complete; see what the agents run with tcdind status --region eu-west-1") {
		t.Fatalf("outcome %v (exit %d)", err, exitcode.Code(err))
	}
	if s := m.Summary(); strings.Contains(s, "now in privileged mode") || !strings.Contains(s, "ECS did not confirm it") {
		t.Errorf("summary %q", s)
	}
}
