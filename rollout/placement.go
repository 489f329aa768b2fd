package rollout

import (
	"fmt"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

// DefaultPlacementGrace is how long the new revision may stay short of its
// tasks once the old revision holds nothing, before "ECS cannot place" is
// said. A task ECS stops gets SIGTERM and up to its stop timeout (30 s by
// default, 120 s at most) before SIGKILL; its deployment may stop counting
// it as running before then, and the scheduler places the new task only at
// its next attempt after the instance freed the memory. Two minutes covers
// the longest stop timeout when the stopping task cannot be seen (ListTasks
// denied), and is nothing beside the three hours CloudFormation waits.
const DefaultPlacementGrace = 2 * time.Minute

// stuckPolls is how many polls in a row the placement must be stuck: the
// one that first sees it and two more, so it is said within two polls of
// ECS showing it (when the grace has passed by then).
const stuckPolls = 3

// placementStuck is why placing the new tasks lastingly fails, or "". ECS
// says once that it "was unable to place a task because no container
// instance met all of its requirements" and not again while the cause
// lasts (repeated messages are dropped for up to six hours:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html),
// so one message stands for as long as nothing changes. Yet it is also
// what a normal update of JetBrains' template writes: with MaximumPercent
// 100, MinimumHealthyPercent 0 and one agent an instance, the new task has
// no room until the old one has stopped. So it counts only once the old
// revision holds nothing (no task running, pending or still stopping),
// the new revision has fewer tasks placed (running or pending) than it
// wants, and that held on stuckPolls polls in a row for the grace, with no
// task placed meanwhile.
func (w *Watch) placementStuck(s *Service, svc awsclient.Service) string {
	placing := s.placing || s.base != nil && s.base.placing
	if s.newRev == "" || !placing || w.rollingBack {
		s.stuck = 0
		return ""
	}
	placed, desired, oldHolds := 0, 0, len(s.oldStopping) > 0
	for _, d := range svc.Deployments {
		if d.TaskDefinition == s.newRev {
			placed += d.Running + d.Pending
			desired = max(desired, d.Desired)
		} else if d.Running+d.Pending > 0 {
			oldHolds = true
		}
	}
	if desired == 0 {
		desired = svc.Desired
	}
	if oldHolds || placed >= desired || s.stuck > 0 && placed != s.stuckPlaced {
		s.stuck = 0
		if oldHolds || placed >= desired {
			return ""
		}
	}
	now := w.now()
	if s.stuck == 0 {
		s.stuckSince, s.stuckPlaced = now, placed
	}
	s.stuck++
	grace := w.PlacementGrace
	if grace <= 0 {
		grace = DefaultPlacementGrace
	}
	waited := now.Sub(s.stuckSince)
	if s.stuck < stuckPolls || waited < grace {
		return ""
	}
	return fmt.Sprintf("ECS cannot place the new agent tasks of %s on the cluster's instances: %d of %d placed, %s after the old revision's tasks stopped (see its events above)",
		ecsarn.Revision(s.newRev), placed, desired, roundWait(waited))
}

// roundWait is a wait as "2m10s", to the second.
func roundWait(d time.Duration) string {
	return d.Round(time.Second).String()
}
