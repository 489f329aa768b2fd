package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/ecsarn"
)

// Kind says what a Line reports.
type Kind int

const (
	Progress Kind = iota // a deployment's task counts
	Event                // a service event
	Stopped              // a stopped task
	Failing              // the rollout is clearly failing
	Note                 // about following itself: off, retrying
	Verified             // after the update: what ECS shows
)

// String is the kind's name, as --json reports it (docs/json.md).
func (k Kind) String() string {
	switch k {
	case Progress:
		return "progress"
	case Event:
		return "event"
	case Stopped:
		return "stopped"
	case Failing:
		return "failing"
	case Note:
		return "note"
	case Verified:
		return "verified"
	}
	return "other"
}

// Line is one thing to tell about the agents.
type Line struct {
	Time    time.Time
	Service string // the service's logical ID; empty for notes
	Kind    Kind
	Text    string
}

// DefaultPollTimeout bounds one Poll: ECS answers in well under a second;
// one that does not is tried again at the next poll.
const DefaultPollTimeout = 15 * time.Second

// skew is how much older than the update's start an event or a stopped
// task may be and still belong to it (clocks differ).
const skew = 5 * time.Second

// Watch follows the ECS services of one stack update.
type Watch struct {
	Client   Client
	Stack    string
	Mode     dind.Mode
	Where    string // " --region R [--profile P]" for printed commands
	Started  time.Time
	Services []*Service
	// PollTimeout bounds one Poll (default DefaultPollTimeout).
	PollTimeout time.Duration
	// Unrun are edited task definitions no service of the stack runs.
	Unrun []string
	// PlacementGrace is how long the new revision may stay short of its
	// tasks, with ECS saying it cannot place them and the old revision
	// holding nothing, before the rollout is failing (default
	// DefaultPlacementGrace).
	PlacementGrace time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	old   map[string]string   // edited task definition → ARN before the update
	fresh map[string]string   // edited task definition → ARN its UPDATE_COMPLETE event gave
	names map[string][]string // edited task definition → agent container names

	off         string // why ECS is not read; "-" when there is nothing to say
	offWhy      string // the same, short
	noTasks     string // the action denied that would read stopped tasks
	noTasksWhy  string
	noTasksSaid bool
	offSaid     bool
	polls       int
	lastErr     string
	failing     string
	failingSaid bool
	// breaker: ECS's deployment circuit breaker failed the rollout;
	// CloudFormation fails the service and rolls back by itself.
	breaker bool
	// rollingBack: the update rolls back; ECS is read on, nothing is
	// judged.
	rollingBack bool
}

// Saw takes the stack events the update's follower showed: an edited task
// definition's UPDATE_COMPLETE carries the new revision's ARN, which spares
// Verify listing the stack's resources again.
func (w *Watch) Saw(events []awsclient.StackEvent) {
	if w == nil {
		return
	}
	for _, e := range events {
		if _, edited := w.old[e.LogicalID]; edited && e.Status == "UPDATE_COMPLETE" && e.PhysicalID != "" {
			if w.fresh == nil {
				w.fresh = map[string]string{}
			}
			w.fresh[e.LogicalID] = e.PhysicalID
		}
	}
}

// News reports that lines tell something ECS did (not only a note about
// reading it): the polls come quickly again.
func News(lines []Line) bool {
	for _, l := range lines {
		if l.Kind != Note {
			return true
		}
	}
	return false
}

// Off reports that ECS is not read (missing permissions, no client).
func (w *Watch) Off() bool { return w == nil || w.off != "" }

// Failing is the reason the rollout is clearly failing, once it is.
func (w *Watch) Failing() string {
	if w == nil {
		return ""
	}
	return w.failing
}

// FailedByBreaker reports that the rollout is failing because ECS's
// deployment circuit breaker failed it: CloudFormation then fails the
// service itself ("Error occurred during operation 'ECS Deployment Circuit
// Breaker was triggered'.") and rolls back, so tcdind sends no cancel.
func (w *Watch) FailedByBreaker() bool { return w != nil && w.breaker }

// RollingBack tells the watch that the update rolls back: ECS is read on
// (the rollback waits for the service too), the lines say rolling back,
// and nothing more is judged failing.
func (w *Watch) RollingBack() {
	if w != nil {
		w.rollingBack = true
	}
}

func (w *Watch) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Steady reports that ECS called every service's rollout of the new
// revision complete.
func (w *Watch) Steady() bool {
	for _, s := range w.Services {
		if !s.steady {
			return false
		}
	}
	return true
}

// Poll reads the services once: one DescribeServices per cluster (10
// services a call), one ListTasks for each service's stopped tasks and one
// DescribeTasks for those not seen before or still stopping. It goes on
// after the rollout completed and while the update rolls back, until the
// caller stops calling it at the stack's final status: agents that crash
// after RUNNING, and the rollback, are ECS's news too. It returns what
// changed since the last poll. Errors are lines; it never fails the update.
func (w *Watch) Poll(parent context.Context) []Line {
	if w.Off() {
		return w.offLine()
	}
	if len(w.Services) == 0 {
		return nil
	}
	lines := w.tasksNote() // denied while reading the baseline
	// A slow ECS must not hold up following the stack: a poll has its
	// own deadline, and what it could not read is tried next time.
	ctx, cancel := context.WithTimeout(parent, w.pollTimeout())
	defer cancel()
	w.polls++
	failed := false // a read failed: its note stays said until one works
	for _, group := range w.byCluster() {
		cluster, svcs := group.cluster, group.services
		got, err := w.describe(ctx, cluster, svcs)
		if parent.Err() != nil {
			return lines // interrupted: the caller says what goes on
		}
		if err != nil {
			return append(lines, w.readFailed(err, "ecs:DescribeServices")...)
		}
		for _, s := range svcs {
			svc, ok := got[s.ARN]
			if !ok {
				if l := w.missing(s); l != nil {
					lines = append(lines, *l)
				}
				continue
			}
			lines = append(lines, w.events(s, svc)...)
			lines = append(lines, w.progress(s, svc)...)
			if w.noTasks == "" {
				more, err := w.stopped(ctx, s)
				lines = append(lines, more...)
				if parent.Err() != nil {
					return lines
				}
				if err != nil {
					action := "ecs:ListTasks"
					if re := (*readError)(nil); errors.As(err, &re) {
						action = re.action
					}
					if denied(err) {
						// The services still tell the rollout; only why
						// tasks stop is lost.
						w.denyTasks(action, err)
						lines = append(lines, w.tasksNote()...)
					} else {
						// Judge on what the service said all the same.
						lines = append(lines, w.readFailed(err, action)...)
						failed = true
					}
				}
			}
			if l := w.judge(s, svc); l != nil {
				lines = append(lines, *l)
			}
		}
	}
	if !failed {
		w.lastErr = ""
	}
	return lines
}

type clusterGroup struct {
	cluster  string
	services []*Service
}

func (w *Watch) pollTimeout() time.Duration {
	if w.PollTimeout > 0 {
		return w.PollTimeout
	}
	return DefaultPollTimeout
}

// byCluster groups the services by cluster, in template order.
func (w *Watch) byCluster() []clusterGroup {
	var groups []clusterGroup
	at := map[string]int{}
	for _, s := range w.Services {
		i, ok := at[s.Cluster]
		if !ok {
			i = len(groups)
			at[s.Cluster] = i
			groups = append(groups, clusterGroup{cluster: s.Cluster})
		}
		groups[i].services = append(groups[i].services, s)
	}
	return groups
}

// describe reads the services of one cluster, 10 a call (ECS's limit), by
// ARN and by name (an old-format ARN answers with the long one).
func (w *Watch) describe(ctx context.Context, cluster string, svcs []*Service) (map[string]awsclient.Service, error) {
	got := map[string]awsclient.Service{}
	for i := 0; i < len(svcs); i += 10 {
		var arns []string
		for _, s := range svcs[i:min(i+10, len(svcs))] {
			arns = append(arns, s.ARN)
		}
		list, err := w.Client.DescribeServices(ctx, cluster, arns)
		if err != nil {
			return nil, err
		}
		for _, svc := range list {
			for _, s := range svcs {
				if svc.ARN == s.ARN || svc.Name == s.Name {
					got[s.ARN] = svc
				}
			}
		}
	}
	return got, nil
}

// missing is said once for a service ECS no longer knows (the update
// replaces it).
func (w *Watch) missing(s *Service) *Line {
	if s.missingSaid {
		return nil
	}
	s.missingSaid = true
	return &Line{Time: time.Now(), Service: s.LogicalID, Kind: Note, Text: fmt.Sprintf("ECS does not list service %s (the update may replace it)", s.Name)}
}

// events are the service's events not seen before, oldest first. On the
// service's first read, those older than the update are history, not news.
func (w *Watch) events(s *Service, svc awsclient.Service) []Line {
	// The first read of the service, whichever poll it is, holds history:
	// what the baseline held, or without one what is older than the update.
	first := s.seenEvents == nil
	if first {
		s.seenEvents = map[string]bool{}
		if s.base != nil {
			for k := range s.base.events {
				s.seenEvents[k] = true
			}
		}
	}
	var fresh []awsclient.ServiceEvent
	for _, e := range svc.Events { // newest first
		key := eventKey(e)
		if s.seenEvents[key] {
			continue
		}
		s.seenEvents[key] = true
		if first && s.base == nil && !e.Time.IsZero() && e.Time.Before(w.Started.Add(-skew)) {
			continue
		}
		fresh = append(fresh, e)
	}
	var lines []Line
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		if isPlacementFailure(e.Message) {
			s.placing = true
		}
		if isSteadyState(e.Message) {
			s.steadyAt = orNow(e.Time)
		}
		if strings.Contains(e.Message, "unable to consistently start tasks") && !w.rollingBack {
			w.fail(s, "ECS reports that service "+s.Name+" is unable to consistently start tasks")
		}
		lines = append(lines, Line{Time: orNow(e.Time), Service: s.LogicalID, Kind: Event, Text: e.Message})
	}
	return lines
}

// isPlacementFailure tells ECS's "(service …) was unable to place a task
// because no container instance met all of its requirements" events from
// those of Availability Zone rebalancing ("(service …) is unable to place a
// task in Availability Zone …"), which are not a rollout failing: see
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html
// and .../service-rebalancing-event-messages-list.html.
func isPlacementFailure(msg string) bool {
	return strings.Contains(msg, "unable to place a task") && !strings.Contains(msg, "in Availability Zone")
}

// isSteadyState tells ECS's "(service …) has reached a steady state."
func isSteadyState(msg string) bool {
	return strings.Contains(msg, "has reached a steady state")
}

// progress is a line about the deployments when their counts changed.
func (w *Watch) progress(s *Service, svc awsclient.Service) []Line {
	if w.rollingBack {
		return w.rollbackProgress(s, svc)
	}
	var fresh, previous []awsclient.Deployment
	for _, d := range svc.Deployments {
		if w.isNew(s, d) {
			fresh = append(fresh, d)
		} else if d.Running+d.Pending > 0 || d.Status == "PRIMARY" {
			previous = append(previous, d)
		}
	}
	var text string
	if len(fresh) == 0 {
		if s.waiting {
			return nil
		}
		s.waiting = true
		text = "waiting for CloudFormation to update the service (it runs " + ecsarn.Revision(svc.TaskDefinition) + ")"
	} else {
		d := primaryOf(fresh)
		s.newRev = d.TaskDefinition
		text = fmt.Sprintf("new revision %s: %d of %d running, %d pending", ecsarn.Revision(d.TaskDefinition), d.Running, d.Desired, d.Pending)
		if d.Failed > 0 {
			text += fmt.Sprintf(", %d failed", d.Failed)
		}
		for _, p := range previous {
			text += fmt.Sprintf("; old revision %s: %d running (draining)", ecsarn.Revision(p.TaskDefinition), p.Running)
		}
		if d.Status == "PRIMARY" && (s.steady || rolledOut(s, d, previous)) {
			s.steady = true
			text = fmt.Sprintf("rolled out: %d of %d tasks run %s", d.Running, d.Desired, ecsarn.Revision(d.TaskDefinition))
		}
	}
	if text == s.progress {
		return nil
	}
	s.progress = text
	return []Line{{Time: time.Now(), Service: s.LogicalID, Kind: Progress, Text: text}}
}

// rolledOut is ECS's word that the deployment is done: its rolloutState
// COMPLETED, which ECS sets only once the service reached a steady state
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html).
// A service without a rolloutState (behind a Classic Load Balancer) has
// the steady-state event instead, written after the new deployment was
// seen, with the counts still holding. Counts alone are not enough: agents
// that reach RUNNING and then exit keep the deployment IN_PROGRESS.
func rolledOut(s *Service, d awsclient.Deployment, previous []awsclient.Deployment) bool {
	switch d.RolloutState {
	case "COMPLETED":
		return true
	case "":
		// The event is ECS's, as is the deployment's creation time.
		return !s.steadyAt.IsZero() && (d.Created.IsZero() || !s.steadyAt.Before(d.Created)) &&
			d.Running == d.Desired && d.Pending == 0 && len(previous) == 0
	}
	return false
}

// denyTasks stops reading stopped tasks: action was denied.
func (w *Watch) denyTasks(action string, err error) {
	w.noTasks = action
	w.noTasksWhy = fmt.Sprintf("stopped tasks are not shown: %s was denied (%s); allow ecs:ListTasks and ecs:DescribeTasks to see why the agents' tasks stop", action, awsclient.ErrorCode(err))
}

// tasksNote says once that stopped tasks are not shown.
func (w *Watch) tasksNote() []Line {
	if w.noTasksWhy == "" || w.noTasksSaid {
		return nil
	}
	w.noTasksSaid = true
	return []Line{{Time: time.Now(), Kind: Note, Text: w.noTasksWhy}}
}

// isNew tells the deployment of the update's new revision: the ARN its
// UPDATE_COMPLETE event gave, when seen; else another revision than the
// one before the update, deployed since it began (a service someone
// pointed at another revision earlier is not this update's rollout).
func (w *Watch) isNew(s *Service, d awsclient.Deployment) bool {
	if d.TaskDefinition == "" || d.Status != "PRIMARY" && d.Status != "ACTIVE" {
		return false
	}
	if arn, ok := w.fresh[s.TaskDefinition]; ok {
		return d.TaskDefinition == arn
	}
	if d.TaskDefinition == w.old[s.TaskDefinition] {
		return false
	}
	if s.base != nil {
		_, before := s.base.deployments[d.ID]
		return !before
	}
	return d.Created.IsZero() || !d.Created.Before(w.Started.Add(-skew))
}

// primaryOf is the PRIMARY deployment among ds, else the first.
func primaryOf(ds []awsclient.Deployment) awsclient.Deployment {
	for _, d := range ds {
		if d.Status == "PRIMARY" {
			return d
		}
	}
	return ds[0]
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
