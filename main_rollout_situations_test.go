package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/internal/awsproxy"
	"github.com/tcdind/tcdind/internal/rolloutsim"
)

// ECS's and CloudFormation's own words, as their documentation and real
// reports give them (cited beside each situation).
const (
	// ECS developer guide, "Service event messages": written once, then
	// dropped while the cause lasts (up to six hours).
	simInsufficientMemory = "(service tc-agents) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 5b4c2a1e) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
	// Task API reference: stopCode ServiceSchedulerInitiated for the
	// scheduler's stops; the reason tells a deployment's from a failed
	// health check's (https://github.com/aws/containers-roadmap/issues/1369).
	simDeploymentStop  = "Scaling activity initiated by (deployment ecs-svc/2)"
	simHealthCheckKill = "Task failed container health checks"
	// Docker Hub's pull rate limit (https://github.com/aws/copilot-cli/issues/5647).
	simRateLimited = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/jetbrains/teamcity-agent:2023.11.1: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit."
)

// testRolloutSituations plays, through the proxy in front of moto, the
// situations tcdind used to misjudge: a healthy JetBrains-shaped update is
// never called failing or cancelled, every crash and health-check kill is
// explained, and a rollback CloudFormation started is reported as its own.
func testRolloutSituations(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	t.Run("JetBrainsShapedUpdateIsHealthy", func(t *testing.T) {
		// MaximumPercent 100, MinimumHealthyPercent 0, one agent an
		// instance: ECS writes once that it cannot place the new task,
		// stops the old ones (listed by ListTasks STOPPED while they
		// stop), and places the new ones once the hosts are free.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		old := rolloutsim.Task{Old: true, StopCode: "ServiceSchedulerInitiated", Reason: simDeploymentStop, ExitCode: exitCode(143), Stopping: 3}
		sim := rolloutStack(t, e, p, "tc-rollout-jb", []rolloutsim.Frame{
			{OnOld: true, OldRunning: 2},
			{OldRunning: 2, Events: []string{simInsufficientMemory}},
			{OldRunning: 0, Stopped: []rolloutsim.Task{old, old}},
			{},
			{},
			{},
			{NewPending: 2},
			{NewRunning: 2},
			{NewRunning: 2, RolloutState: "COMPLETED"},
		}, rolloutsim.Complete)
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-jb", "privileged"), "--on-rollout-failure=cancel")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if strings.Contains(errOut, "is failing") || sim.Cancels() != 0 {
			t.Errorf("a healthy update called failing (%d cancels):\n%s", sim.Cancels(), errOut)
		}
		if strings.Count(errOut, ", the old revision) stopped: "+simDeploymentStop+"; container teamcity-agent exited with code 143") != 2 {
			t.Errorf("the old tasks are not explained once each, once stopped:\n%s", errOut)
		}
		if !before(errOut, "new revision "+revisionOf(sim.New)+": 2 of 2 running, 0 pending\n", "rolled out: 2 of 2 tasks run "+revisionOf(sim.New)) {
			t.Errorf("rolled out before ECS said COMPLETED:\n%s", errOut)
		}
	})

	t.Run("LastingPlacementFailure", func(t *testing.T) {
		// The old tasks are gone and the new ones cannot be placed: one
		// message, nothing placed; failing within two polls of ECS
		// showing it (the old tasks STOPPED), with the advice and no
		// cancel under wait.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		old := rolloutsim.Task{Old: true, StopCode: "ServiceSchedulerInitiated", Reason: simDeploymentStop, ExitCode: exitCode(143), Stopping: 1}
		sim := rolloutStack(t, e, p, "tc-rollout-noroom", []rolloutsim.Frame{
			{OldRunning: 2, Events: []string{simInsufficientMemory}},
			{Stopped: []rolloutsim.Task{old, old}},
			{}, {}, {}, {}, {},
		}, rolloutsim.Hold)
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-noroom", "privileged"), "--on-rollout-failure=cancel")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "is failing: ECS cannot place the new agent tasks of "+revisionOf(sim.New)+" on the cluster's instances: 0 of 2 placed") {
			t.Errorf("no lasting placement failure:\n%s", errOut)
		}
		// The old tasks are STOPPED in the 3rd DescribeServices answer:
		// failing, and cancelled, by the 5th.
		if n := describeServicesBefore(p, "CancelUpdateStack"); sim.Cancels() != 1 || n > 5 {
			t.Errorf("cancels %d after %d DescribeServices, want 1 by the 5th", sim.Cancels(), n)
		}
	})

	t.Run("CrashAfterRunning", func(t *testing.T) {
		// Agents reach RUNNING and exit (dockerd failing to start): the
		// counts are right for a moment, ECS keeps the deployment
		// IN_PROGRESS; no "rolled out", and the exits are failing.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		exited := rolloutsim.Task{StopCode: "EssentialContainerExited", Reason: "Essential container in task exited", ExitCode: exitCode(1)}
		sim := rolloutStack(t, e, p, "tc-rollout-crash", []rolloutsim.Frame{
			{NewPending: 2},
			{NewRunning: 2},
			{NewRunning: 1, NewPending: 1, Stopped: []rolloutsim.Task{exited}},
			{NewRunning: 2},
			{NewRunning: 1, NewPending: 1, Stopped: []rolloutsim.Task{exited}},
			{NewRunning: 2},
		}, rolloutsim.Hold)
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-crash", "privileged"), "--on-rollout-failure=cancel")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if strings.Contains(errOut, "rolled out") {
			t.Errorf("rolled out on counts alone:\n%s", errOut)
		}
		if !strings.Contains(errOut, "is failing: 2 tasks of the new revision "+revisionOf(sim.New)+" stopped; the last: Essential container in task exited") || sim.Cancels() != 1 {
			t.Errorf("the crashes are not failing (%d cancels):\n%s", sim.Cancels(), errOut)
		}
		if n := describeServicesBefore(p, "CancelUpdateStack"); n != 5 {
			t.Errorf("cancelled after %d DescribeServices, want in the poll of the second exit (5)", n)
		}
		oneErrorLine(t, errOut, "update of stack tc-rollout-crash was cancelled by tcdind (the agents' rollout was failing) and rolled back (UPDATE_ROLLBACK_COMPLETE)")
	})

	t.Run("HealthCheckKillsWait", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		killed := rolloutsim.Task{StopCode: "ServiceSchedulerInitiated", Reason: simHealthCheckKill, ExitCode: exitCode(137)}
		sim := rolloutStack(t, e, p, "tc-rollout-health", []rolloutsim.Frame{
			{NewRunning: 2},
			{NewRunning: 1, NewPending: 1, Stopped: []rolloutsim.Task{killed}},
			{NewRunning: 1, NewPending: 1, Stopped: []rolloutsim.Task{killed}},
			{NewRunning: 2},
		}, rolloutsim.RollBack)
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-health", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		for _, want := range []string{
			"(" + revisionOf(sim.New) + ") stopped: " + simHealthCheckKill + "; container teamcity-agent exited with code 137",
			"is failing: 2 tasks of the new revision " + revisionOf(sim.New) + " stopped; the last: " + simHealthCheckKill,
			"roll back now with aws cloudformation cancel-update-stack --stack-name tc-rollout-health --region us-east-1",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if sim.Cancels() != 0 {
			t.Errorf("cancelled under wait")
		}
	})

	t.Run("TransientPullErrorIsNotFailing", func(t *testing.T) {
		// One toomanyrequests, then the next task pulls: an update that
		// succeeds is not cancelled.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-ratelimit", []rolloutsim.Frame{
			{NewPending: 2},
			{NewPending: 2, Stopped: []rolloutsim.Task{{StopCode: "TaskFailedToStart", Reason: simRateLimited}}},
			{NewRunning: 1, NewPending: 1},
			{NewRunning: 2, RolloutState: "COMPLETED"},
		}, rolloutsim.Complete)
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-ratelimit", "privileged"), "--on-rollout-failure=cancel")...)
		if code != 0 || sim.Cancels() != 0 || strings.Contains(errOut, "is failing") {
			t.Fatalf("exit %d, %d cancels\n%s", code, sim.Cancels(), errOut)
		}
		if !strings.Contains(errOut, "stopped: "+simRateLimited) {
			t.Errorf("the pull error is not shown:\n%s", errOut)
		}
	})

	t.Run("CancelLosesToTheBreaker", func(t *testing.T) {
		// tcdind's cancel arrives as the circuit breaker fires:
		// CloudFormation answers ValidationError; tcdind reads the stack
		// back and says it is rolling back, never "goes on", and credits
		// the breaker.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		exited := rolloutsim.Task{StopCode: "EssentialContainerExited", Reason: "Essential container in task exited", ExitCode: exitCode(1)}
		sim := rolloutStack(t, e, p, "tc-rollout-race", []rolloutsim.Frame{
			{NewPending: 2, Stopped: []rolloutsim.Task{exited}},
			{NewPending: 2, Stopped: []rolloutsim.Task{exited}},
			{NewPending: 2},
		}, rolloutsim.Hold)
		sim.CancelLoses = true
		sim.RollbackFrames = []rolloutsim.Frame{{OnOld: true, OldRunning: 2, RolloutState: "COMPLETED"}}
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-race", "privileged"), "--on-rollout-failure=cancel")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		want := "tcdind: CloudFormation refused the cancel (cancel the update of stack tc-rollout-race: ValidationError: CancelUpdateStack cannot be called from current stack status): CloudFormation is already rolling back the update of stack tc-rollout-race (UPDATE_ROLLBACK_IN_PROGRESS, read back); its events follow"
		if !strings.Contains(errOut, "CloudFormation refused the cancel (") || !strings.Contains(errOut, "CloudFormation is already rolling back the update of stack tc-rollout-race (UPDATE_ROLLBACK_IN_PROGRESS, read back)") {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
		if strings.Contains(errOut, "goes on") || strings.Contains(errOut, "cancelled by tcdind") || sim.Taken() != 0 || sim.Cancels() != 1 {
			t.Errorf("a refused cancel claimed (%d sent, %d taken):\n%s", sim.Cancels(), sim.Taken(), errOut)
		}
		oneErrorLine(t, errOut, "ECS's deployment circuit breaker failed the agents' rollout, and CloudFormation rolled the update back (UPDATE_ROLLBACK_COMPLETE)")
	})

	t.Run("RollbackFailsToo", func(t *testing.T) {
		// CloudFormation's own rollback waits for ECS too, and can fail:
		// ECS is read on, and the run ends with the command to continue.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		exited := rolloutsim.Task{StopCode: "EssentialContainerExited", Reason: "Essential container in task exited", ExitCode: exitCode(1)}
		sim := rolloutStack(t, e, p, "tc-rollout-rbfail", []rolloutsim.Frame{{NewPending: 2}, {NewPending: 1}}, rolloutsim.RollBack)
		sim.RollbackFrames = []rolloutsim.Frame{
			{OnOld: true, OldRunning: 0},
			{OnOld: true, OldRunning: 0, Stopped: []rolloutsim.Task{{Old: true, StopCode: "EssentialContainerExited", Reason: "Essential container in task exited", ExitCode: exitCode(1)}}},
			{OnOld: true, OldRunning: 0, Stopped: []rolloutsim.Task{exited}},
		}
		sim.RollbackFails = true
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-rbfail", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "rolling back to "+revisionOf(sim.Old)+": 0 of 2 running") ||
			!strings.Contains(errOut, "("+revisionOf(sim.Old)+", the old revision) stopped: Essential container in task exited") {
			t.Errorf("ECS was not read during the rollback:\n%s", errOut)
		}
		if strings.Contains(errOut, "is failing") {
			t.Errorf("judged failing while rolling back:\n%s", errOut)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if last := lines[len(lines)-1]; !strings.HasSuffix(last, "continue the rollback with aws cloudformation continue-update-rollback --stack-name tc-rollout-rbfail --region us-east-1 --endpoint-url "+p.URL) {
			t.Errorf("last line %q", last)
		}
	})

	t.Run("ClassicLoadBalancerSteadyState", func(t *testing.T) {
		// No rolloutState (a Classic Load Balancer): rolled out on ECS's
		// steady-state event with the counts held.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-clb", []rolloutsim.Frame{
			{NewPending: 2},
			{NewRunning: 2},
			{NewRunning: 2, Events: []string{"(service tc-agents) has reached a steady state."}},
		}, rolloutsim.Complete)
		sim.NoRolloutState = true
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-clb", "privileged")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if !before(errOut, "has reached a steady state.", "rolled out: 2 of 2 tasks run "+revisionOf(sim.New)) {
			t.Errorf("rolled out not on the steady-state event:\n%s", errOut)
		}
	})
}

// testControllerRefused: a service whose deployment controller is
// CODE_DEPLOY (ECS says so) cannot take a task definition update through
// CloudFormation ("Unable to update task definition on services with a
// CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new
// deployment.", cdklabs/cdk-ecs-codedeploy#121): --apply is refused in one
// line before any change set.
func testControllerRefused(t *testing.T, e *stackEnv) {
	cli := withHook(fast)
	p := awsproxy.New(t, e.moto.URL)
	sim := rolloutStack(t, e, p, "tc-rollout-codedeploy", []rolloutsim.Frame{{NewRunning: 2, RolloutState: "COMPLETED"}}, rolloutsim.Complete)
	sim.Controller = "CODE_DEPLOY"
	code, _, errOut := cli.runStack(context.Background(), p.URL, "", applyYes("tc-rollout-codedeploy", "privileged")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	oneErrorLine(t, errOut, "tcdind: service AgentService ("+serviceName(sim.ServiceARN)+") uses the CODE_DEPLOY deployment controller (ECS says so): CloudFormation cannot update its task definition; a CodeDeploy deployment does; no change set created: save the template with --output and roll the new task definition out with a CodeDeploy deployment (aws ecs deploy)")
	for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if !strings.HasPrefix(l, "tcdind: ") {
			t.Errorf("more than the refusal (and the engine's warnings): %q", l)
		}
	}
	if n := p.Count("CreateChangeSet"); n != 0 {
		t.Errorf("CreateChangeSet called %d times", n)
	}
}
