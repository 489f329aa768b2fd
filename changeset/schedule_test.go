package changeset

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// scheduled is a follower on f whose pauses are recorded on a fake clock,
// not waited.
func scheduled(f *fake) (*Follower, *[]time.Duration, *time.Time) {
	st := f.stack
	u := &Update{Stack: &st, Token: "tok", Started: time.Now()}
	var slept []time.Duration
	clock := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	fl := &Follower{Client: f, Update: u, GiveUp: time.Hour, Where: " --region eu-west-1",
		Now: func() time.Time { return clock },
		Sleep: func(_ context.Context, d time.Duration) error {
			slept = append(slept, d)
			clock = clock.Add(d)
			return nil
		}}
	return fl, &slept, &clock
}

// eventAt is the stack's n-th event of the update.
func eventAt(n int, st awsclient.Stack) awsclient.StackEvent {
	return awsclient.StackEvent{ID: fmt.Sprint(n), Time: time.Now(), LogicalID: "AgentService", PhysicalID: "svc", ResourceType: "AWS::ECS::Service", Status: "UPDATE_IN_PROGRESS", ClientRequestToken: "tok"}
}

// TestPollScheduleBacksOffAndComesBack: quick while events flow, backing
// off through a quiet wait to 30 s, and quick again once something
// happens: a stack event, or ECS news (Stir).
func TestPollScheduleBacksOffAndComesBack(t *testing.T) {
	f := newFake()
	f.stack.Status = "UPDATE_IN_PROGRESS"
	fl, slept, _ := scheduled(f)
	// Pages: an event on polls 1-3, quiet on 4-14, an event on 15, quiet
	// after.
	var events []awsclient.StackEvent
	var pages [][]awsclient.StackEvent
	for i := 1; i <= 20; i++ {
		if i <= 3 || i == 15 {
			events = append([]awsclient.StackEvent{eventAt(i, f.stack)}, events...)
		}
		pages = append(pages, append([]awsclient.StackEvent(nil), events...))
	}
	f.events = pages
	for i := 1; i <= 20; i++ {
		if _, err := fl.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
		if i == 18 {
			fl.Stir() // ECS showed something
		}
	}
	s := time.Second
	want := []time.Duration{
		0, 2 * s, 2 * s, // events flow: at once, then quick
		2 * s, 3 * s, 4 * s, 5 * s, 10 * s, 15 * s, 20 * s, 30 * s, 30 * s, 30 * s, 30 * s, // a quiet wait backs off to 30 s
		30 * s,              // poll 15 brings an event…
		2 * s, 3 * s, 4 * s, // …quick again, backing off
		2 * s, 3 * s, // ECS news after poll 18: quick again
	}
	if !reflect.DeepEqual(*slept, want) {
		t.Errorf("pauses\n got %v\nwant %v", *slept, want)
	}
}

// TestThreeHourQuietWait counts the calls of the longest wait
// CloudFormation makes for a service that never stabilises: three hours.
// The README and the closing note quote these numbers.
func TestThreeHourQuietWait(t *testing.T) {
	f := newFake()
	f.stack.Status = "UPDATE_IN_PROGRESS"
	fl, _, clock := scheduled(f)
	f.events = [][]awsclient.StackEvent{{eventAt(1, f.stack)}}
	start := *clock
	polls := 0
	for clock.Sub(start) < 3*time.Hour {
		if _, err := fl.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
		polls++
	}
	calls := map[string]int{}
	for _, c := range f.calls {
		calls[c]++
	}
	// After the first minute and a half the polls come every 30 s: 120 an
	// hour; each reads the events and, being quiet, the stack's status.
	perHour := float64(polls) / 3
	t.Logf("a three-hour quiet wait: %d polls (%.0f an hour): %v; with one ECS service followed add a DescribeServices and a ListTasks per poll: %.0f calls an hour in all",
		polls, perHour, calls, perHour*4)
	if polls < 360 || polls > 372 || calls["DescribeStackEvents"] != polls || calls["DescribeStacks"] != polls-1 {
		t.Errorf("%d polls, calls %v; want about 360 polls (one every 30 s), each one DescribeStackEvents and one DescribeStacks when quiet", polls, calls)
	}
}
