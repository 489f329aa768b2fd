package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// The placement failure as ECS writes it, once, until the cause is gone
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html:
// "service (service-name) was unable to place a task because no container
// instance met all of its requirements. The closest matching container-instance
// container-instance-id has insufficient memory available."), and the
// Availability Zone rebalancing one, which is not this rollout's
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing-event-messages-list.html).
const (
	insufficientMemory = "(service agents) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 5b4c2a1e) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
	azRebalancing      = "(service agents) is unable to place a task in Availability Zone eu-west-1a because no container instance met all of its requirements."
)

// clocked sets w's clock to one the test moves on: each poll adds step.
type clocked struct {
	now  time.Time
	step time.Duration
}

func (c *clocked) tick() time.Time { c.now = c.now.Add(c.step); return c.now }

func withClock(w *Watch, step time.Duration) *clocked {
	c := &clocked{now: t0, step: step}
	w.Now = func() time.Time { return c.now }
	return c
}

// pollAll polls n times, the clock a step further each time, and returns
// every line.
func pollAll(w *Watch, c *clocked, n int) [][]Line {
	var all [][]Line
	for i := 0; i < n; i++ {
		c.tick()
		all = append(all, w.Poll(ctx))
	}
	return all
}

func failingIn(all [][]Line) (int, string) {
	for i, lines := range all {
		for _, l := range lines {
			if l.Kind == Failing {
				return i + 1, l.Text
			}
		}
	}
	return 0, ""
}

// stoppingTask is an old-revision task the scheduler stops for the new
// deployment: ListTasks STOPPED lists it at once, with lastStatus RUNNING
// until its container exited (SIGTERM, then the stop timeout).
func stoppingTask(status string) awsclient.Task {
	t := taskStop("old0000001", oldTD, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/agent:8)", time.Minute)
	t.LastStatus = status
	if status != "STOPPED" {
		t.Stopped = time.Time{}
	} else {
		t.Containers = []awsclient.TaskContainer{{Name: "teamcity-agent", ExitCode: exit(143)}}
	}
	return t
}

// TestPlacementJetBrainsUpdateIsNotFailing plays a normal update of
// JetBrains' template: MaximumPercent 100, MinimumHealthyPercent 0, one
// agent an instance. ECS writes once that it cannot place the new task
// (insufficient memory), stops the old one (stop timeout up to 120 s), and
// places the new task once the old one has freed the host. Whatever the
// pace of the polls, it is never failing.
func TestPlacementJetBrainsUpdateIsNotFailing(t *testing.T) {
	for _, step := range []time.Duration{2 * time.Second, 5 * time.Second, 30 * time.Second} {
		t.Run(step.String(), func(t *testing.T) {
			old := stoppingTask("RUNNING")
			one := func(newRunning, newPending, oldRunning int, state string) awsclient.Service {
				d := deployment("PRIMARY", newTD, 1, newRunning, newPending)
				d.RolloutState = state
				s := service(d, deployment("ACTIVE", oldTD, 0, oldRunning, 0))
				s.Desired = 1
				s.Events = []awsclient.ServiceEvent{{ID: "p1", Time: t0.Add(time.Second), Message: insufficientMemory}}
				return s
			}
			// Frames by time: the old task stops for 120 s (its
			// deployment no longer counts it after the first 10 s), the
			// scheduler places the new one 20 s after it stopped.
			f := &fakeClient{tasks: map[string]awsclient.Task{old.ARN: old}}
			f.stopped = [][]string{{old.ARN}}
			w := watching(t, f)
			c := withClock(w, step)
			f.servicesFn = func(n int, _ string, _ []string) ([]awsclient.Service, error) {
				at := c.now.Sub(t0)
				if at >= 130*time.Second {
					f.tasks[old.ARN] = stoppingTask("STOPPED")
				}
				switch {
				case at < 10*time.Second:
					return []awsclient.Service{one(0, 0, 1, "IN_PROGRESS")}, nil
				case at < 130*time.Second:
					return []awsclient.Service{one(0, 0, 0, "IN_PROGRESS")}, nil
				case at < 150*time.Second:
					return []awsclient.Service{one(0, 0, 0, "IN_PROGRESS")}, nil
				case at < 170*time.Second:
					return []awsclient.Service{one(0, 1, 0, "IN_PROGRESS")}, nil
				}
				return []awsclient.Service{one(1, 0, 0, "COMPLETED")}, nil
			}
			all := pollAll(w, c, int(400*time.Second/step))
			if n, text := failingIn(all); n != 0 {
				t.Fatalf("poll %d: %q", n, text)
			}
			if !w.Steady() {
				t.Error("not rolled out")
			}
			// The old task was explained once it had stopped, not before.
			var stops []string
			for _, lines := range all {
				for _, l := range lines {
					if l.Kind == Stopped {
						stops = append(stops, l.Text)
					}
				}
			}
			if len(stops) != 1 || !strings.Contains(stops[0], "(agent:7, the old revision) stopped: Scaling activity initiated by (deployment ecs-svc/agent:8); container teamcity-agent exited with code 143") {
				t.Errorf("stopped lines %q", stops)
			}
		})
	}
}

// TestPlacementLasting: the old revision holds nothing, ECS said once it
// cannot place, and nothing is placed: failing on the third poll that
// shows it (within two polls), once the grace has passed.
func TestPlacementLasting(t *testing.T) {
	for _, c := range []struct {
		name    string
		step    time.Duration
		placed  int
		wantAt  int
		wantMsg string
	}{
		{"quiet polls", 60 * time.Second, 0, 3, "ECS cannot place the new agent tasks of agent:8 on the cluster's instances: 0 of 2 placed, 2m0s after the old revision's tasks stopped (see its events above)"},
		{"one of two placed", 60 * time.Second, 1, 3, "ECS cannot place the new agent tasks of agent:8 on the cluster's instances: 1 of 2 placed, 2m0s after the old revision's tasks stopped (see its events above)"},
		// Quick polls: the grace decides, not the count.
		{"quick polls", 5 * time.Second, 0, 25, "0 of 2 placed, 2m0s after"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := service(deployment("PRIMARY", newTD, 2, c.placed, 0), deployment("ACTIVE", oldTD, 0, 0, 0))
			s.Events = []awsclient.ServiceEvent{{ID: "p1", Time: t0.Add(time.Second), Message: insufficientMemory}}
			f := &fakeClient{services: [][]awsclient.Service{{s}}}
			w := watching(t, f)
			clock := withClock(w, c.step)
			all := pollAll(w, clock, 40)
			n, text := failingIn(all)
			if n != c.wantAt || !strings.Contains(text, c.wantMsg) {
				t.Errorf("failing at poll %d: %q; want poll %d with %q", n, text, c.wantAt, c.wantMsg)
			}
		})
	}
}

// TestPlacementNotFailing are placements that are not this rollout
// failing: the old revision still runs (it holds the capacity), only
// Availability Zone rebalancing could not place, or tasks keep being
// placed.
func TestPlacementNotFailing(t *testing.T) {
	withEv := func(s awsclient.Service, msg string) awsclient.Service {
		s.Events = []awsclient.ServiceEvent{{ID: "p1", Time: t0.Add(time.Second), Message: msg}}
		return s
	}
	for name, frames := range map[string][]awsclient.Service{
		"old revision still runs": {withEv(service(deployment("PRIMARY", newTD, 2, 0, 0), deployment("ACTIVE", oldTD, 2, 2, 0)), insufficientMemory)},
		"AZ rebalancing":          {withEv(service(deployment("PRIMARY", newTD, 2, 0, 0)), azRebalancing)},
		"placed one by one": {
			// A task placed within each grace: progress, not stuck.
			withEv(service(deployment("PRIMARY", newTD, 3, 0, 0)), insufficientMemory),
			withEv(service(deployment("PRIMARY", newTD, 3, 0, 1)), insufficientMemory),
			withEv(service(deployment("PRIMARY", newTD, 3, 1, 0)), insufficientMemory),
			withEv(service(deployment("PRIMARY", newTD, 3, 1, 1)), insufficientMemory),
			withEv(service(deployment("PRIMARY", newTD, 3, 2, 0)), insufficientMemory),
			withEv(service(deployment("PRIMARY", newTD, 3, 2, 1)), insufficientMemory),
			withEv(service(completed(deployment("PRIMARY", newTD, 3, 3, 0))), insufficientMemory),
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeClient{services: [][]awsclient.Service{}}
			for _, fr := range frames {
				f.services = append(f.services, []awsclient.Service{fr})
			}
			w := watching(t, f)
			c := withClock(w, 61*time.Second)
			if n, text := failingIn(pollAll(w, c, 12)); n != 0 {
				t.Errorf("poll %d: %q", n, text)
			}
		})
	}
}

// TestPlacementMessageBeforeUpdateStands: ECS drops a repeated message
// for up to six hours, so the placement failure written before the update
// (the newest event then) still stands.
func TestPlacementMessageBeforeUpdateStands(t *testing.T) {
	ev := awsclient.ServiceEvent{ID: "p0", Time: t0.Add(-10 * time.Minute), Message: insufficientMemory}
	before := service(deployment("PRIMARY", oldTD, 2, 0, 0))
	before.Events = []awsclient.ServiceEvent{ev}
	now := service(deployment("PRIMARY", newTD, 2, 0, 0))
	now.Events = []awsclient.ServiceEvent{ev}
	f := &fakeClient{before: []awsclient.Service{before}, services: [][]awsclient.Service{{now}}}
	w := watching(t, f)
	c := withClock(w, time.Minute)
	all := pollAll(w, c, 4)
	if n, text := failingIn(all); n != 3 || !strings.Contains(text, "ECS cannot place the new agent tasks of agent:8") {
		t.Errorf("failing at poll %d: %q", n, text)
	}
	for i, lines := range all {
		for _, l := range lines {
			if l.Kind == Event {
				t.Errorf("poll %d: history shown as news: %q", i+1, l.Text)
			}
		}
	}
}

func TestIsPlacementFailure(t *testing.T) {
	for msg, want := range map[string]bool{
		insufficientMemory: true,
		azRebalancing:      false,
		"(service agents) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.": true,
		"(service agents) has reached a steady state.": false,
	} {
		if got := isPlacementFailure(msg); got != want {
			t.Errorf("isPlacementFailure(%q) = %v", msg, got)
		}
	}
}
