package changeset

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
)

type cancelRecorder struct {
	calls []string
	err   error
	// statuses answer DescribeStack in turn (the last repeats); none:
	// UPDATE_IN_PROGRESS.
	statuses []string
	reads    int
	readErr  error
}

func (c *cancelRecorder) DescribeStack(_ context.Context, stack string) (*awsclient.Stack, error) {
	c.reads++
	if c.readErr != nil {
		return nil, c.readErr
	}
	status := "UPDATE_IN_PROGRESS"
	if len(c.statuses) > 0 {
		status = c.statuses[min(c.reads-1, len(c.statuses)-1)]
	}
	return &awsclient.Stack{Name: stack, Status: status}, nil
}

func (c *cancelRecorder) CancelUpdateStack(_ context.Context, stack, token string) error {
	c.calls = append(c.calls, stack+" "+token)
	return c.err
}

func TestCancelSentOnce(t *testing.T) {
	u := &Update{Stack: &awsclient.Stack{Name: "tc"}, Token: "tcdind-socket-x"}
	c := &cancelRecorder{}
	for range 3 {
		if err := u.Cancel(context.Background(), c, "the agents' rollout was failing"); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.calls) != 1 || c.calls[0] != "tc tcdind-socket-x-cancel" {
		t.Errorf("CancelUpdateStack calls %q, want one with the update's token", c.calls)
	}
	u.Final = "UPDATE_ROLLBACK_COMPLETE"
	if err := u.Err(""); err == nil || !strings.Contains(err.Error(), "was cancelled by tcdind (the agents' rollout was failing) and rolled back") {
		t.Errorf("Err after a cancel: %v", err)
	}
}

func TestCancelRefusedIsNotReportedAsCancelled(t *testing.T) {
	u := &Update{Stack: &awsclient.Stack{Name: "tc"}, Token: "tok"}
	c := &cancelRecorder{err: errors.New("CancelUpdateStack cannot be called from current stack status")}
	if err := u.Cancel(context.Background(), c, "failing"); err == nil {
		t.Fatal("no error")
	}
	if err := u.Cancel(context.Background(), c, "failing"); err != nil || len(c.calls) != 1 {
		t.Errorf("a second Cancel: %v, %d calls; want nothing sent again", err, len(c.calls))
	}
	u.Final = "UPDATE_ROLLBACK_COMPLETE"
	if err := u.Err(""); err == nil || strings.Contains(err.Error(), "cancelled by tcdind") {
		t.Errorf("a refused cancel is reported as tcdind's: %v", err)
	}
}

// TestCancelReadsTheStackFirst: CloudFormation cancels only an update in
// UPDATE_IN_PROGRESS (CancelUpdateStack API reference); in any other
// status no cancel is sent, and what CloudFormation does is said as read
// back, never "it goes on".
func TestCancelReadsTheStackFirst(t *testing.T) {
	for status, want := range map[string]string{
		"UPDATE_ROLLBACK_IN_PROGRESS":         "no cancel sent: CloudFormation is already rolling back the update of stack tc (UPDATE_ROLLBACK_IN_PROGRESS, read back); its events follow",
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "no cancel sent: the update of stack tc has completed (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, read back)",
		"UPDATE_ROLLBACK_FAILED":              "no cancel sent: CloudFormation is already rolling back the update of stack tc (UPDATE_ROLLBACK_FAILED, read back); its events follow",
	} {
		u := &Update{Stack: &awsclient.Stack{Name: "tc"}, Token: "tok", Where: " --region eu-west-1"}
		c := &cancelRecorder{statuses: []string{status}}
		err := u.Cancel(context.Background(), c, "failing")
		var ce *CancelError
		if !errors.As(err, &ce) || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", status, err, want)
		}
		if len(c.calls) != 0 || u.Cancelled != "" {
			t.Errorf("%s: cancel sent %q", status, c.calls)
		}
	}
}

// TestCancelValidationErrorIsReadBack: the cancel loses the race with
// CloudFormation's own rollback (a circuit breaker fired): ValidationError
// "CancelUpdateStack cannot be called from current stack status"
// (https://github.com/aws/copilot-cli/pull/5046), read back as rolling
// back.
func TestCancelValidationErrorIsReadBack(t *testing.T) {
	u := &Update{Stack: &awsclient.Stack{Name: "tc"}, Token: "tok", Where: " --region eu-west-1"}
	c := &cancelRecorder{err: errors.New("api error ValidationError: CancelUpdateStack cannot be called from current stack status"),
		statuses: []string{"UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS"}}
	err := u.Cancel(context.Background(), c, "failing")
	want := "CloudFormation refused the cancel (api error ValidationError: CancelUpdateStack cannot be called from current stack status): CloudFormation is already rolling back the update of stack tc (UPDATE_ROLLBACK_IN_PROGRESS, read back); its events follow"
	if err == nil || err.Error() != want || strings.Contains(err.Error(), "goes on") {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if len(c.calls) != 1 || c.reads != 2 || u.Cancelled != "" {
		t.Errorf("%d cancels, %d reads, Cancelled %q", len(c.calls), c.reads, u.Cancelled)
	}
	// A refused cancel and a stack still updating: it goes on, read back.
	u = &Update{Stack: &awsclient.Stack{Name: "tc"}, Token: "tok", Where: " --region eu-west-1"}
	c = &cancelRecorder{err: errors.New("connection reset")}
	if err := u.Cancel(context.Background(), c, "failing"); err == nil ||
		err.Error() != "CloudFormation refused the cancel (connection reset); the update of stack tc goes on (UPDATE_IN_PROGRESS, read back): cancel it with aws cloudformation cancel-update-stack --stack-name tc --region eu-west-1" {
		t.Errorf("got %v", err)
	}
	// The status cannot be read: nothing is sent, nothing claimed.
	u = &Update{Stack: &awsclient.Stack{Name: "tc"}, Token: "tok", Where: " --region eu-west-1"}
	c = &cancelRecorder{readErr: errors.New("Throttling: Rate exceeded")}
	if err := u.Cancel(context.Background(), c, "failing"); err == nil || len(c.calls) != 0 ||
		err.Error() != "no cancel sent: its status could not be read (Throttling: Rate exceeded); check it with aws cloudformation describe-stacks --stack-name tc --region eu-west-1 and cancel it with aws cloudformation cancel-update-stack --stack-name tc --region eu-west-1" {
		t.Errorf("got %v, %d calls", err, len(c.calls))
	}
}

// TestBreakerRollbackIsCloudFormations: CloudFormation failed the service
// for the circuit breaker ("Error occurred during operation 'ECS
// Deployment Circuit Breaker was triggered'."): the rollback is credited
// to it, even when tcdind's cancel was taken too.
func TestBreakerRollbackIsCloudFormations(t *testing.T) {
	breaker := awsclient.StackEvent{LogicalID: "AgentService", Status: "UPDATE_FAILED",
		Reason: `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'." (RequestToken: 5c1e3f9a-0b2d-4c6e-8f1a-2b3c4d5e6f70, HandlerErrorCode: GeneralServiceException)`}
	for _, cancelled := range []string{"", "the agents' rollout was failing"} {
		u := &Update{Stack: &awsclient.Stack{Name: "tc"}, Final: "UPDATE_ROLLBACK_COMPLETE", Failed: []awsclient.StackEvent{breaker}, Cancelled: cancelled}
		err := u.Err(" --region eu-west-1")
		if err == nil || !strings.Contains(err.Error(), "ECS's deployment circuit breaker failed the agents' rollout, and CloudFormation rolled the update back (UPDATE_ROLLBACK_COMPLETE)") ||
			strings.Contains(err.Error(), "cancelled by tcdind") || u.CancelledByTcdind() {
			t.Errorf("cancelled %q: %v", cancelled, err)
		}
	}
	u := &Update{Stack: &awsclient.Stack{Name: "tc"}, Final: "UPDATE_ROLLBACK_FAILED", Failed: []awsclient.StackEvent{breaker}}
	err := u.Err(" --region eu-west-1")
	if err == nil || !strings.HasSuffix(err.Error(), "then continue the rollback with aws cloudformation continue-update-rollback --stack-name tc --region eu-west-1") {
		t.Errorf("rollback failed: %v", err)
	}
}
