package rollout

import (
	"fmt"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

// rollbackProgress is the progress line while the update rolls back:
// CloudFormation points the service at the previous revision again and
// waits for it to stabilise, which can fail too (UPDATE_ROLLBACK_FAILED).
// The rollback's deployment is the primary one on the previous revision;
// it is done when ECS calls it COMPLETED (or, without a rolloutState, when
// its counts hold).
func (w *Watch) rollbackProgress(s *Service, svc awsclient.Service) []Line {
	p := svc.Primary()
	old := w.old[s.TaskDefinition]
	if p == nil {
		return nil
	}
	var text string
	switch {
	case old == "" || p.TaskDefinition != old:
		text = "rolling back: waiting for CloudFormation to point the service at the previous revision again (it runs " + ecsarn.Revision(p.TaskDefinition) + ")"
	default:
		var draining []awsclient.Deployment
		for _, d := range svc.Deployments {
			if d.Status != "PRIMARY" && d.Running+d.Pending > 0 {
				draining = append(draining, d)
			}
		}
		done := p.RolloutState == "COMPLETED" || p.RolloutState == "" && p.Running == p.Desired && p.Pending == 0 && len(draining) == 0
		if done {
			if s.rolledBack {
				return nil
			}
			s.rolledBack = true
			text = fmt.Sprintf("rolled back: %d of %d tasks run the previous revision %s", p.Running, p.Desired, ecsarn.Revision(p.TaskDefinition))
			break
		}
		text = fmt.Sprintf("rolling back to %s: %d of %d running, %d pending", ecsarn.Revision(p.TaskDefinition), p.Running, p.Desired, p.Pending)
		if p.Failed > 0 {
			text += fmt.Sprintf(", %d failed", p.Failed)
		}
		for _, d := range draining {
			text += fmt.Sprintf("; %s: %d running (draining)", ecsarn.Revision(d.TaskDefinition), d.Running)
		}
	}
	if text == s.progress {
		return nil
	}
	s.progress = text
	return []Line{{Time: w.now(), Service: s.LogicalID, Kind: Progress, Text: text}}
}
