package rollout

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// An ECS that does not answer holds up a poll for PollTimeout at most; the
// next poll reads it again, and an interrupt ends a poll silently.
func TestPollTimeout(t *testing.T) {
	f := &fakeClient{
		services: [][]awsclient.Service{{service(deployment("PRIMARY", newTD, 2, 0, 2), deployment("ACTIVE", oldTD, 2, 2, 0))}},
		hang:     func(n int) bool { return n == 0 },
	}
	w := watching(t, f)
	w.PollTimeout = 50 * time.Millisecond
	start := time.Now()
	lines := w.Poll(ctx)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("a hanging DescribeServices held the poll %v", took)
	}
	if len(lines) != 1 || lines[0].Kind != Note || !strings.Contains(lines[0].Text, "ECS did not answer within 50ms; trying again") {
		t.Errorf("poll 1: %+v", lines)
	}
	if lines := w.Poll(ctx); len(lines) == 0 || lines[0].Kind != Progress {
		t.Errorf("poll 2 did not read the service again: %+v", lines)
	}

	f.hang = func(int) bool { return true }
	w.PollTimeout = time.Minute
	cctx, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if lines := w.Poll(cctx); len(lines) != 0 {
		t.Errorf("an interrupted poll said %+v", lines)
	}
}

// A failed read of stopped tasks does not hold back what the service
// itself said in the same poll: a circuit breaker's FAILED is judged now.
func TestStoppedReadFailsJudgedAnyway(t *testing.T) {
	failed := deployment("PRIMARY", newTD, 2, 0, 0)
	failed.RolloutState, failed.RolloutReason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
	f := &fakeClient{
		services:   [][]awsclient.Service{{service(failed, deployment("ACTIVE", oldTD, 2, 2, 0))}},
		stoppedErr: []error{apiError("ServerException", "ListTasks", "Service Unavailable")},
	}
	w := watching(t, f)
	lines := w.Poll(ctx)
	var note, failing bool
	for _, l := range lines {
		note = note || l.Kind == Note && strings.Contains(l.Text, "Service Unavailable")
		failing = failing || l.Kind == Failing
	}
	if !note || !failing {
		t.Errorf("poll 1: %q; want the retry note and the failing line", texts(lines))
	}
	// The note is not said again while the same read keeps failing.
	for _, l := range w.Poll(ctx) {
		if l.Kind == Note {
			t.Errorf("poll 2 said again: %q", l.Text)
		}
	}
}
