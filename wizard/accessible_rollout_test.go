package wizard

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/exitcode"
)

// accessibleRollout updates the fake's stack teamcity in privileged mode
// in accessible mode, and returns what it said and its outcome.
func accessibleRollout(t *testing.T, f *fakeCFN, onFailure string) (string, error) {
	t.Helper()
	cfg := stackConfig(f, nil)
	cfg.Accessible, cfg.OnRolloutFailure = true, onFailure
	answers := []string{"2", "", "1", "2", "", "n", "", "2"} // as TestAccessibleStackExecute
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), cfg, Streams{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out, Err: &out})
	}()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(20 * time.Second):
		t.Fatalf("accessible run still going:\n%s", out.String())
	}
	return "", nil
}

func assertSaid(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("the run did not say %q:\n%s", s, text)
		}
	}
}

// The rollout's progress and the verification are said as plain lines,
// as batch prints them.
func TestAccessibleRolloutVerified(t *testing.T) {
	f := rolloutFake(t, succeeding()...)
	f.Events = pages(updated()...)
	text, err := accessibleRollout(t, f, "")
	if err != nil {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	assertSaid(t, text,
		"AgentService                  ECS deployment                      new revision teamcity-agent:8: 0 of 1 running, 1 pending",
		"10:00:20  AgentService                  ECS event                           (service teamcity-agents) has started 1 tasks",
		"Stack teamcity updated; reading back in ECS what the agents run.\n",
		"verified in ECS: service teamcity-agents runs teamcity-agent:8 on 1 of 1 desired tasks\n",
		"verified in ECS: container teamcity-agent of teamcity-agent:8 is in privileged mode (read back from ECS)\n",
		"Stack teamcity updated: UPDATE_COMPLETE",
	)
	t.Log(text)
	if n := strings.Count(text, "verified in ECS: service"); n != 1 {
		t.Errorf("the verification said %d times", n)
	}
}

// A failing rollout is said with how to cancel; without
// --on-rollout-failure=cancel nothing is cancelled.
func TestAccessibleRolloutFailingWaits(t *testing.T) {
	f := rolloutFake(t, failingFrames()...)
	f.Events = pages(rolledBack()...)
	text, err := accessibleRollout(t, f, "")
	if exitcode.Code(err) != exitcode.Failure {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	assertSaid(t, text,
		"ECS task                            task 0a1b2c3d (teamcity-agent:8) stopped: Essential container in task exited; container teamcity-agent exited with code 1",
		"tcdind: the rollout of service teamcity-agents is failing: 2 tasks of the new revision teamcity-agent:8 stopped",
		"roll back now with aws cloudformation cancel-update-stack --stack-name teamcity --region eu-west-1, or run tcdind with --on-rollout-failure=cancel",
	)
	if n := f.CallsOf("CancelUpdateStack"); n != 0 {
		t.Errorf("cancelled %d times without the flag", n)
	}
}

// With --on-rollout-failure=cancel the update is cancelled once and the
// rollback followed to its end.
func TestAccessibleRolloutCancel(t *testing.T) {
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
	text, err := accessibleRollout(t, f, rolloutCancel)
	if err == nil || !strings.Contains(err.Error(), "cancelled by tcdind") {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	assertSaid(t, text,
		"cancelling the update of stack teamcity (--on-rollout-failure=cancel) so that CloudFormation rolls it back now",
		"UPDATE_ROLLBACK_COMPLETE",
	)
	if n := f.CallsOf("CancelUpdateStack"); n != 1 {
		t.Errorf("CancelUpdateStack called %d times", n)
	}
}

// The circuit breaker's rollback in accessible mode: said as
// CloudFormation's, no cancel even with --on-rollout-failure=cancel, and
// no advice to cancel.
func TestAccessibleRolloutBreaker(t *testing.T) {
	failed := deployment("PRIMARY", newTD, 1, 0, 0, 2)
	failed.RolloutState, failed.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	f := rolloutFake(t, before, ecsFrame(agents(nil, failed, deployment("ACTIVE", oldTD, 1, 1, 0, 0))))
	f.Events = pages(append(append([]awsclient.StackEvent{}, midway...),
		ev(9, "AgentService", svcType, "UPDATE_FAILED", `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'." (RequestToken: 5c1e3f9a-0b2d-4c6e-8f1a-2b3c4d5e6f70, HandlerErrorCode: GeneralServiceException)`),
		ev(10, "teamcity", stackType, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AgentService]."),
		ev(11, "AgentService", svcType, "UPDATE_COMPLETE", ""),
		ev(13, "teamcity", stackType, "UPDATE_ROLLBACK_COMPLETE", ""))...)
	text, err := accessibleRollout(t, f, rolloutCancel)
	if exitcode.Code(err) != exitcode.Failure || !strings.Contains(err.Error(), "CloudFormation rolled the update back") {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	assertSaid(t, text,
		"tcdind: the rollout of service teamcity-agents is failing: ECS's deployment circuit breaker failed the rollout of teamcity-agent:8",
		"ECS's deployment circuit breaker ended the rollout: CloudFormation fails the service and rolls stack teamcity back by itself; tcdind sends no cancel",
	)
	for _, wrong := range []string{"cancelling the update", "roll back now with", "could not cancel", "; it goes on"} {
		if strings.Contains(text, wrong) {
			t.Errorf("said %q:\n%s", wrong, text)
		}
	}
	if n := f.CallsOf("CancelUpdateStack"); n != 0 {
		t.Errorf("CancelUpdateStack called %d times", n)
	}
}
