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
