package main

// After UPDATE_COMPLETE, the agents' docker info health check says whether
// Docker answers (issue 17, item 3). moto runs no tasks: rolloutsim answers
// ListTasks RUNNING and DescribeTasks with each task's healthStatus, as ECS
// reports it ("HEALTHY-The container health check has passed successfully.
// UNHEALTHY-The container health check has failed. UNKNOWN-The container
// health check is being evaluated":
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html);
// the new revision, with its health check, is registered with moto's real
// ECS API and read back with its real DescribeTaskDefinition.

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tcdind/tcdind/internal/awsproxy"
	"github.com/tcdind/tcdind/internal/rolloutsim"
)

// checkedRollout is rolloutStack whose new revision has the recipe's
// docker info health check, and whose running tasks report health.
func checkedRollout(t *testing.T, e *stackEnv, p *awsproxy.Proxy, name string, health ...string) *rolloutsim.Sim {
	t.Helper()
	sim := rolloutStack(t, e, p, name, []rolloutsim.Frame{
		{OnOld: true, OldRunning: 2},
		{NewPending: 2},
		{NewRunning: 2, RolloutState: "COMPLETED"},
	}, rolloutsim.Complete)
	in := privilegedAgent()
	in.ContainerDefinitions[0].HealthCheck = &ecstypes.HealthCheck{
		Command:  []string{"CMD-SHELL", "docker info > /dev/null || exit 1"},
		Interval: aws.Int32(30), Timeout: aws.Int32(10), Retries: aws.Int32(5), StartPeriod: aws.Int32(300),
	}
	sim.New = e.registerAgent(t, in)
	sim.Health = health
	return sim
}

func testHealth(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	t.Run("Healthy", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		checkedRollout(t, e, p, "tc-health-ok", "HEALTHY", "HEALTHY")
		code, _, errOut := withHook(fast).runStack(ctx, p.URL, "", applyYes("tc-health-ok", "privileged")...)
		if code != 0 || !strings.Contains(errOut, "verified in ECS: Docker answers in 2 of 2 agents (health check)") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})

	t.Run("Unhealthy", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		sim := checkedRollout(t, e, p, "tc-health-bad", "HEALTHY", "UNHEALTHY")
		code, _, errOut := withHook(fast).runStack(ctx, p.URL, "", applyYes("tc-health-bad", "privileged")...)
		if code != 1 {
			t.Fatalf("an agent whose Docker does not answer: exit %d, want 1\n%s", code, errOut)
		}
		task := strings.Replace(sim.ServiceARN[:strings.LastIndex(sim.ServiceARN, "/")], ":service/", ":task/", 1) + "/run-2"
		for _, want := range []string{"Docker does not answer in agent task run-2", "UNHEALTHY", "aws ecs describe-tasks --cluster ", "--tasks " + task} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(errOut, "Docker answers in") {
			t.Errorf("said Docker answers:\n%s", errOut)
		}
	})

	t.Run("Unknown", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		checkedRollout(t, e, p, "tc-health-unknown", "HEALTHY", "UNKNOWN")
		code, _, errOut := withHook(fast).runStack(ctx, p.URL, "", applyYes("tc-health-unknown", "privileged")...)
		if code != 0 || !strings.Contains(errOut, "Docker not verified yet: the docker info health check of 1 of 2 agents") || strings.Contains(errOut, "Docker answers in") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})
}
