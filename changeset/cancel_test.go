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
