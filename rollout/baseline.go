package rollout

import (
	"context"

	"github.com/tcdind/tcdind/awsclient"
)

// baseline is what a service showed right before the update: its
// deployments (ID → rollout state), events and stopped tasks. What it
// holds is history, whatever the clocks say; what comes later is the
// update's. Without one (the read failed), times decide instead.
type baseline struct {
	deployments map[string]string
	events      map[string]bool
	tasks       map[string]bool // nil: stopped tasks were not listed
	// placing: the newest event before the update says ECS cannot place
	// a task. ECS does not write it again while the cause lasts, so it
	// still stands.
	placing bool
}

// readBaseline reads each service before the update: one DescribeServices
// per cluster and one ListTasks per service. Denied permissions turn
// following off (or stopped tasks, for ListTasks) as Poll would; other
// failures leave the service without a baseline.
func (w *Watch) readBaseline(ctx context.Context) {
	for _, group := range w.byCluster() {
		got, err := w.describe(ctx, group.cluster, group.services)
		if err != nil {
			if denied(err) {
				w.turnOff(err, "ecs:DescribeServices")
				return
			}
			continue
		}
		for _, s := range group.services {
			svc, ok := got[s.ARN]
			if !ok {
				continue
			}
			s.base = &baseline{deployments: map[string]string{}, events: map[string]bool{}}
			for _, d := range svc.Deployments {
				s.base.deployments[d.ID] = d.RolloutState
			}
			for _, e := range svc.Events {
				s.base.events[eventKey(e)] = true
			}
			if len(svc.Events) > 0 && isPlacementFailure(svc.Events[0].Message) {
				s.base.placing = true
			}
			if w.noTasks != "" {
				continue
			}
			arns, err := w.Client.StoppedTasks(ctx, s.Cluster, s.Name)
			switch {
			case denied(err):
				w.denyTasks("ecs:ListTasks", err)
			case err == nil:
				s.base.tasks = map[string]bool{}
				for _, a := range arns {
					s.base.tasks[a] = true
				}
			}
		}
	}
}

// eventKey identifies a service event (some endpoints give no ID).
func eventKey(e awsclient.ServiceEvent) string {
	if e.ID != "" {
		return e.ID
	}
	return e.Time.String() + e.Message
}
