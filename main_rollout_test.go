package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tcdind/tcdind/internal/awsproxy"
	"github.com/tcdind/tcdind/internal/rolloutsim"
)

// serviceTemplate is the TeamCity fixture with the agents run by an ECS
// service, as in JetBrains' template.
const serviceTemplate = "testdata/stacks/teamcity-service.yaml"

// rolloutStack creates a stack whose agents an ECS service runs and returns
// the simulation of its rollout, installed on p. The new revision is one
// registered with moto's real ECS API (privileged, as the recipe writes it;
// moto's CloudFormation registers updates without their containers), so
// that verifying reads moto's real DescribeTaskDefinition.
func rolloutStack(t *testing.T, e *stackEnv, p *awsproxy.Proxy, name string, frames []rolloutsim.Frame, end rolloutsim.End) *rolloutsim.Sim {
	t.Helper()
	body, err := os.ReadFile(serviceTemplate)
	if err != nil {
		t.Fatal(err)
	}
	e.createStack(name, body, "")
	physical := map[string]string{}
	out, err := e.cfn.ListStackResources(context.Background(), &cloudformation.ListStackResourcesInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.StackResourceSummaries {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	sim := &rolloutsim.Sim{
		Stack: name, StackID: e.stackID(name), TaskDefinitionID: "AgentTaskDefinition", ServiceID: "AgentService",
		ServiceARN: physical["AgentService"], Old: physical["AgentTaskDefinition"], New: e.registerAgent(t, privilegedAgent()),
		Desired: 2, Frames: frames, End: end,
	}
	sim.Install(p)
	return sim
}

// privilegedAgent is the agent container as the privileged recipe writes it.
func privilegedAgent() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("teamcity-agent"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("teamcity-agent"), Image: aws.String("jetbrains/teamcity-agent:2023.11.1"),
			Privileged: aws.Bool(true), Memory: aws.Int32(2048),
			MountPoints: []ecstypes.MountPoint{{SourceVolume: aws.String("docker-data"), ContainerPath: aws.String("/var/lib/docker")}},
		}},
		Volumes: []ecstypes.Volume{{Name: aws.String("docker-data"), DockerVolumeConfiguration: &ecstypes.DockerVolumeConfiguration{Scope: ecstypes.ScopeTask}}},
	}
}

// registerAgent registers a task definition with moto's ECS and returns
// its ARN.
func (e *stackEnv) registerAgent(t *testing.T, in *ecs.RegisterTaskDefinitionInput) string {
	t.Helper()
	c := ecs.NewFromConfig(e.awsConfig())
	out, err := c.RegisterTaskDefinition(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func exitCode(n int) *int { return &n }

// before reports whether want comes before then in s (both present).
func before(s, want, then string) bool {
	i, j := strings.Index(s, want), strings.Index(s, then)
	return i >= 0 && j >= 0 && i < j
}

// testRollout follows the agents' ECS rollout beside the stack's events:
// moto runs no tasks, so rolloutsim plays each rollout through the proxy.
func testRollout(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	t.Run("SucceedsAfterPolls", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-ok", []rolloutsim.Frame{
			{OnOld: true, OldRunning: 2},
			{NewPending: 2, OldRunning: 0},
			{NewRunning: 1, NewPending: 1},
			{NewRunning: 2, RolloutState: "COMPLETED"},
		}, rolloutsim.Complete)
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-ok", "privileged")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		old, fresh := revisionOf(sim.Old), revisionOf(sim.New)
		for _, want := range []string{
			"following the events of stack tc-rollout-ok and the ECS rollout of " + serviceName(sim.ServiceARN),
			"AgentService                  ECS deployment                      waiting for CloudFormation to update the service (it runs " + old + ")",
			"ECS deployment                      new revision " + fresh + ": 0 of 2 running, 2 pending",
			"new revision " + fresh + ": 1 of 2 running, 1 pending",
			"rolled out: 2 of 2 tasks run " + fresh,
			"stack tc-rollout-ok updated (UPDATE_COMPLETE): AgentTaskDefinition now in privileged mode",
			"verified in ECS: service " + serviceName(sim.ServiceARN) + " runs " + fresh + " on 2 of 2 desired tasks",
			"verified in ECS: container teamcity-agent of " + fresh + " is in privileged mode (read back from ECS)",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		// One outcome line, after everything it depends on.
		if !before(errOut, "verified in ECS: container teamcity-agent", "stack tc-rollout-ok updated (UPDATE_COMPLETE)") {
			t.Errorf("the outcome line comes before the verification it depends on:\n%s", errOut)
		}
		if !before(errOut, "rolled out: 2 of 2", "AWS::CloudFormation::Stack          UPDATE_COMPLETE\n") {
			t.Errorf("the rollout's end is not interleaved before the stack's:\n%s", errOut)
		}
		if sim.Cancels() != 0 {
			t.Errorf("CancelUpdateStack sent %d times", sim.Cancels())
		}
		counts := map[string]int{}
		for _, a := range p.Actions() {
			counts[a]++
		}
		t.Logf("a normal update with a 4-poll rollout made %d API calls: %v", len(p.Actions()), counts)
		// Before the change set: the deployment controller's check (the
		// stack's resources, the service). Before the update: the stack's
		// resources, the service and its stopped tasks (what is history).
		// Then one DescribeServices and one ListTasks per poll until the
		// stack's final status (4), one DescribeServices to verify; none
		// stopped: nothing to describe. The new revision's ARN comes with
		// its UPDATE_COMPLETE event: no second ListStackResources. Before
		// the review, the agents' hosts (issue 17): the stack's resources
		// and the cluster's container instances (moto has none: nothing
		// to describe).
		if counts["DescribeServices"] != 1+1+4+1 || counts["ListTasks"] != 1+4 || counts["DescribeTasks"] != 0 ||
			counts["ListStackResources"] != 1+1+1 || counts["DescribeTaskDefinition"] != 1 ||
			counts["ListContainerInstances"] != 1 || counts["DescribeContainerInstances"] != 0 {
			t.Errorf("ECS calls: %v", counts)
		}
	})

	t.Run("EssentialContainerExitCancel", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		exited := rolloutsim.Task{StopCode: "EssentialContainerExited", Reason: "Essential container in task exited", ExitCode: exitCode(1)}
		sim := rolloutStack(t, e, p, "tc-rollout-exit", []rolloutsim.Frame{
			{NewPending: 2},
			{NewPending: 2, Stopped: []rolloutsim.Task{{Old: true, StopCode: "ServiceSchedulerInitiated", Reason: "Scaling activity initiated by (deployment ecs-svc/2)", ExitCode: exitCode(143)}}},
			{NewPending: 2, Stopped: []rolloutsim.Task{exited}},
			{NewPending: 1, NewRunning: 0, Stopped: []rolloutsim.Task{exited}},
			{NewPending: 2},
		}, rolloutsim.Hold)
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-exit", "privileged"), "--on-rollout-failure", "cancel")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		fresh, old := revisionOf(sim.New), revisionOf(sim.Old)
		for _, want := range []string{
			"ECS task                            task ",
			"(" + old + ", the old revision) stopped: Scaling activity initiated by (deployment ecs-svc/2); container teamcity-agent exited with code 143",
			"(" + fresh + ") stopped: Essential container in task exited; container teamcity-agent exited with code 1",
			"tcdind: the rollout of service " + serviceName(sim.ServiceARN) + " is failing: 2 tasks of the new revision " + fresh + " stopped; the last: Essential container in task exited; container teamcity-agent exited with code 1",
			"cancelling the update of stack tc-rollout-exit (--on-rollout-failure=cancel) so that CloudFormation rolls it back now",
			"UPDATE_ROLLBACK_IN_PROGRESS  Resource update cancelled",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		oneErrorLine(t, errOut, "update of stack tc-rollout-exit was cancelled by tcdind (the agents' rollout was failing) and rolled back (UPDATE_ROLLBACK_COMPLETE)")
		if sim.Cancels() != 1 {
			t.Errorf("CancelUpdateStack sent %d times, want once", sim.Cancels())
		}
		if c, ok := p.Last("CancelUpdateStack"); !ok || !strings.HasSuffix(c.Form.Get("ClientRequestToken"), "-cancel") {
			t.Errorf("CancelUpdateStack without this update's token: %v", c.Form)
		}
		// Explained within two polls: the second stop is in the 4th
		// DescribeServices answer; the cancel follows it in the same poll.
		if n := describeServicesBefore(p, "CancelUpdateStack"); n > 4+1 {
			t.Errorf("cancelled after %d DescribeServices, want within two polls of the 4th", n)
		}
		if strings.Count(errOut, "is failing:") != 1 {
			t.Errorf("the failing rollout was said more than once:\n%s", errOut)
		}
	})

	t.Run("PlacementFailureWaits", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		placement := "(service tc-agents) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 5b4c2a1e) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
		sim := rolloutStack(t, e, p, "tc-rollout-place", []rolloutsim.Frame{
			{OldRunning: 2},
			{Events: []string{placement}},
			{},
			{Events: []string{placement}},
			{},
		}, rolloutsim.RollBack)
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-place", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		for _, want := range []string{
			"AgentService                  ECS event                           " + placement,
			"tcdind: the rollout of service " + serviceName(sim.ServiceARN) + " is failing: ECS cannot place the new agent tasks of " + revisionOf(sim.New),
			"CloudFormation waits for the agent service to stabilise (up to 3 hours) before it rolls back; roll back now with aws cloudformation cancel-update-stack --stack-name tc-rollout-place --region us-east-1 --endpoint-url " + p.URL + ", or run tcdind with --on-rollout-failure=cancel",
			"did not stabilize",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if sim.Cancels() != 0 {
			t.Errorf("cancelled without --on-rollout-failure=cancel")
		}
		oneErrorLine(t, errOut, "update of stack tc-rollout-place failed (UPDATE_ROLLBACK_COMPLETE) and was rolled back")
		// Failing two polls after the first event: nothing was placed.
		if !before(errOut, "is failing", placement+"\n"+strings.Repeat("x", 0)) && strings.Count(errOut, placement) != 2 {
			t.Errorf("placement events:\n%s", errOut)
		}
	})

	t.Run("CannotPullContainer", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		pull := "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref docker.io/jetbrains/teamcity-agent:2023.11.1-linux-sudo: docker.io/jetbrains/teamcity-agent:2023.11.1-linux-sudo: not found"
		sim := rolloutStack(t, e, p, "tc-rollout-pull", []rolloutsim.Frame{
			{NewPending: 2},
			{NewPending: 2, Stopped: []rolloutsim.Task{{StopCode: "TaskFailedToStart", Reason: pull}}},
			{NewPending: 2},
		}, rolloutsim.Hold)
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-pull", "privileged"), "--on-rollout-failure=cancel")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		for _, want := range []string{
			"(" + revisionOf(sim.New) + ") stopped: " + pull,
			"is failing: the agent image of " + revisionOf(sim.New) + " cannot be pulled: " + pull,
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if sim.Cancels() != 1 || describeServicesBefore(p, "CancelUpdateStack") > 2 {
			t.Errorf("cancels %d after %d DescribeServices, want 1 after 2", sim.Cancels(), describeServicesBefore(p, "CancelUpdateStack"))
		}
	})

	t.Run("CircuitBreakerFailed", func(t *testing.T) {
		// The breaker's FAILED makes CloudFormation fail the service
		// itself ("Error occurred during operation 'ECS Deployment
		// Circuit Breaker was triggered'.", aws-cloudformation/rain#458,
		// aws/copilot-cli#5296) and roll back: tcdind sends no cancel,
		// even with --on-rollout-failure=cancel, follows ECS through the
		// rollback, and credits CloudFormation.
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-breaker", []rolloutsim.Frame{
			{NewPending: 2},
			{NewPending: 0, NewFailed: 1},
			{RolloutState: "FAILED", RolloutReason: "ECS deployment circuit breaker: tasks failed to start.", NewFailed: 1},
		}, rolloutsim.Hold)
		sim.RollbackFrames = []rolloutsim.Frame{{OnOld: true, OldRunning: 1}, {OnOld: true, OldRunning: 2, RolloutState: "COMPLETED"}}
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-rollout-breaker", "privileged"), "--on-rollout-failure", "cancel")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		old := revisionOf(sim.Old)
		for _, want := range []string{
			"is failing: ECS's deployment circuit breaker failed the rollout of " + revisionOf(sim.New) + ": ECS deployment circuit breaker: tasks failed to start.",
			"\nECS's deployment circuit breaker ended the rollout: CloudFormation fails the service and rolls stack tc-rollout-breaker back by itself; tcdind sends no cancel",
			"Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.",
			"rolling back to " + old + ": 1 of 2 running, 0 pending",
			"rolled back: 2 of 2 tasks run the previous revision " + old,
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		for _, wrong := range []string{"goes on", "cancelled by tcdind", "cancelling the update"} {
			if strings.Contains(errOut, wrong) {
				t.Errorf("stderr says %q:\n%s", wrong, errOut)
			}
		}
		if sim.Cancels() != 0 {
			t.Errorf("CancelUpdateStack sent %d times", sim.Cancels())
		}
		oneErrorLine(t, errOut, "update of stack tc-rollout-breaker failed: ECS's deployment circuit breaker failed the agents' rollout, and CloudFormation rolled the update back (UPDATE_ROLLBACK_COMPLETE)")
	})

	t.Run("AccessDeniedOnECS", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-denied", []rolloutsim.Frame{{NewPending: 2}, {NewPending: 2}, {NewRunning: 2, RolloutState: "COMPLETED"}}, rolloutsim.Complete)
		sim.DenyECS = true
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-denied", "privileged")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		note := "tcdind: note: following CloudFormation only: ecs:DescribeServices was denied (AccessDeniedException); allow ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks and ecs:DescribeTaskDefinition (and cloudformation:ListStackResources) to see the agents roll out"
		if strings.Count(errOut, note) != 1 {
			t.Errorf("want the note once:\n%s", errOut)
		}
		if !strings.Contains(errOut, "stack tc-rollout-denied updated (UPDATE_COMPLETE)") || strings.Contains(errOut, "\nverified in ECS") ||
			!strings.Contains(errOut, "tcdind: note: the agents were not verified in ECS: ecs:DescribeServices was denied (AccessDeniedException)\n") {
			t.Errorf("want the update reported and nothing claimed verified:\n%s", errOut)
		}
		// The deployment controller's check (denied: no refusal), then the
		// read before the update, which turns following off.
		if n := p.Count("DescribeServices"); n != 2 {
			t.Errorf("DescribeServices called %d times, want 2", n)
		}
	})

	t.Run("ThrottledECSReadsRetried", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-throttle", []rolloutsim.Frame{
			{NewPending: 2}, {NewRunning: 1, NewPending: 1}, {NewRunning: 2, RolloutState: "COMPLETED"},
		}, rolloutsim.Complete)
		// The second poll's DescribeServices (the 3rd call: the
		// controller's check and the read before the update come first)
		// is throttled past the SDK's retries (3 attempts), and a
		// ListTasks answers 503 once.
		sim.Fault = func(action string, n int) *awsproxy.Reply {
			switch {
			case action == "DescribeServices" && n >= 3 && n <= 5:
				return awsproxy.JSONError(400, "ThrottlingException", "Rate exceeded")
			case action == "ListTasks" && n == 1:
				return awsproxy.JSONError(503, "ServerException", "Service Unavailable")
			}
			return nil
		}
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-throttle", "privileged")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if strings.Count(errOut, "tcdind: note: could not read the agents' ECS service (describe ECS services of cluster") != 1 ||
			!strings.Contains(errOut, "Rate exceeded") {
			t.Errorf("want one retry note for the throttled reads:\n%s", errOut)
		}
		if !strings.Contains(errOut, "rolled out: 2 of 2 tasks run "+revisionOf(sim.New)) ||
			!strings.Contains(errOut, "verified in ECS: service "+serviceName(sim.ServiceARN)) {
			t.Errorf("the rollout was not followed to its end after the faults:\n%s", errOut)
		}
	})

	t.Run("ModeMismatchReadBackFromMoto", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-notpriv", []rolloutsim.Frame{{NewRunning: 2, RolloutState: "COMPLETED"}}, rolloutsim.Complete)
		// The revision the service runs has the agent without
		// Privileged: moto's real DescribeTaskDefinition says so.
		plain := privilegedAgent()
		plain.ContainerDefinitions[0].Privileged = nil
		sim.New = e.registerAgent(t, plain)
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-notpriv", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		fresh := revisionOf(sim.New)
		if !strings.Contains(errOut, "verified in ECS: service "+serviceName(sim.ServiceARN)+" runs "+fresh+" on 2 of 2 desired tasks") {
			t.Errorf("the service's part was not verified:\n%s", errOut)
		}
		oneErrorLine(t, errOut, "stack tc-rollout-notpriv updated (UPDATE_COMPLETE), but ECS shows otherwise: container teamcity-agent of "+fresh+" is in none mode, not privileged; check with aws ecs describe-task-definition --task-definition "+sim.New+" --region us-east-1")
		if strings.Contains(errOut, "now in privileged mode") {
			t.Errorf("both outcomes said: updated as asked, and not as asked:\n%s", errOut)
		}
	})

	t.Run("Situations", func(t *testing.T) { testRolloutSituations(t, e) })
	t.Run("CodeDeployControllerRefused", func(t *testing.T) { testControllerRefused(t, e) })
	t.Run("SIGTERMWhileReadingECS", func(t *testing.T) { testRolloutSignal(t, e) })
	t.Run("WizardCancelsFailingRollout", func(t *testing.T) { testWizardRollout(t, e) })

	t.Run("MismatchAfterUpdate", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-rollout-mismatch", []rolloutsim.Frame{
			{OnOld: true, OldRunning: 2},
		}, rolloutsim.Complete)
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollout-mismatch", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, fmt.Sprintf("stack tc-rollout-mismatch updated (UPDATE_COMPLETE), but ECS shows otherwise: service %s runs %s, not the new revision %s; check with aws ecs describe-services --cluster %s --services %s --region us-east-1",
			serviceName(sim.ServiceARN), revisionOf(sim.Old), revisionOf(sim.New), clusterName(sim.ServiceARN), serviceName(sim.ServiceARN)))
	})
}

// describeServicesBefore counts the DescribeServices calls after the
// change set was executed (the polls) and before the first call of action
// (all of them when there is none).
func describeServicesBefore(p *awsproxy.Proxy, action string) int {
	n, executed := 0, false
	for _, a := range p.Actions() {
		if a == action {
			break
		}
		executed = executed || a == "ExecuteChangeSet"
		if a == "DescribeServices" && executed {
			n++
		}
	}
	return n
}

func revisionOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func serviceName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func clusterName(arn string) string {
	parts := strings.Split(arn, "/")
	return parts[len(parts)-2]
}

// testRolloutSignal interrupts the real binary while a read of ECS is in
// flight: it must not hang, must not cancel the update, and must say that
// the update goes on (exit 4).
func testRolloutSignal(t *testing.T, e *stackEnv) {
	p := awsproxy.New(t, e.moto.URL)
	sim := rolloutStack(t, e, p, "tc-rollout-sigterm", []rolloutsim.Frame{{NewPending: 2}, {NewPending: 2}}, rolloutsim.Hold)
	// The 1st DescribeServices is the deployment controller's check, the
	// 2nd the read before the update, the 3rd the first poll.
	gate := p.Hold("DescribeServices", func(n int) bool { return n == 3 })
	defer gate.Release()
	code, errOut := signalWhenHeld(t, gate, syscall.SIGTERM, "--endpoint-url", p.URL, "--region", "us-east-1",
		"--stack", "tc-rollout-sigterm", "--mode", "privileged", "--apply", "--yes", "--non-interactive", "--on-rollout-failure", "cancel")
	if code != 4 {
		t.Errorf("exit %d, want 4\n%s", code, errOut)
	}
	oneErrorLine(t, errOut, "interrupted: the update of stack tc-rollout-sigterm goes on in AWS (UPDATE_IN_PROGRESS): follow it with aws cloudformation describe-stack-events --stack-name tc-rollout-sigterm --region us-east-1")
	if strings.Contains(errOut, "trying again") {
		t.Errorf("the interrupted read was reported as a failure:\n%s", errOut)
	}
	if sim.Cancels() != 0 {
		t.Errorf("an interrupt cancelled the update")
	}
}

// testWizardRollout drives the wizard in a real terminal through a rollout
// that fails: the Agents section explains each stopped task, the failing
// line offers c, c (pressed twice) cancels once, and the rollback is
// reported (exit 1).
func testWizardRollout(t *testing.T, e *stackEnv) {
	p := awsproxy.New(t, e.moto.URL)
	exited := rolloutsim.Task{StopCode: "EssentialContainerExited", Reason: "Essential container in task exited", ExitCode: exitCode(1)}
	sim := rolloutStack(t, e, p, "tc-wizard-rollout", []rolloutsim.Frame{
		{NewPending: 2},
		{NewPending: 2, Stopped: []rolloutsim.Task{exited}},
		{NewPending: 2, Stopped: []rolloutsim.Task{exited}},
		{NewPending: 2},
	}, rolloutsim.Hold)
	term := newTerminal(t, t.TempDir(), 120, 45, fmt.Sprintf("%s --endpoint-url %s --region us-east-1 --stack tc-wizard-rollout --mode privileged",
		tcdindBinary(t), p.URL))
	term.waitFor("Ask TeamCity about the agents?") // the fixture's SERVER_URL
	term.keys("Down", "Down", "Enter")             // skip
	term.waitFor("Press enter to create a change set")
	term.keys("Enter")
	term.waitFor("Execute change set tcdind-privileged-")
	term.keys("x")
	term.waitFor("Agents (ECS)", "new revision "+revisionOf(sim.New))
	screen := term.waitFor("is failing: 2 tasks of the new revision", "c cancel the update")
	if !strings.Contains(screen, "stopped: Essential container in task exited") {
		t.Errorf("the stopped tasks are not explained:\n%s", screen)
	}
	term.keys("c")
	term.keys("c")
	done := term.waitFor("UPDATE_ROLLBACK_COMPLETE")
	t.Logf("after the cancel:\n%s", done)
	if !strings.Contains(done, "tcdind cancelled the update of stack tc-wizard-rollout: UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("the outcome does not say the cancel was tcdind's:\n%s", done)
	}
	if sim.Cancels() != 1 {
		t.Errorf("CancelUpdateStack sent %d times, want once", sim.Cancels())
	}
	term.keys("Enter")
	if code := term.exitStatus(); code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, term.screen())
	}
}
