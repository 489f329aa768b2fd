package rollout

import (
	"context"
	"fmt"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

// stopped lists the service's stopped tasks and describes those not seen
// before, 100 a call. ListTasks with desiredStatus STOPPED also lists tasks
// ECS is still stopping (their containers get SIGTERM and up to the stop
// timeout, 30 s by default and 120 s at most, before SIGKILL), without an
// exit code or stoppedAt yet: such a task is described again each poll
// until it is STOPPED, and only then explained. An old-revision task still
// stopping holds its capacity (see placementStuck). On the first poll,
// tasks that stopped before the update began are history.
func (w *Watch) stopped(ctx context.Context, s *Service) ([]Line, error) {
	if s.seenTasks == nil {
		s.seenTasks = map[string]bool{}
		if s.base != nil {
			for a := range s.base.tasks {
				s.seenTasks[a] = true
			}
		}
	}
	arns, err := w.Client.StoppedTasks(ctx, s.Cluster, s.Name)
	if err != nil {
		return nil, &readError{action: "ecs:ListTasks", err: err}
	}
	var unseen []string
	listed := map[string]bool{}
	for _, a := range arns {
		listed[a] = true
		if !s.seenTasks[a] {
			unseen = append(unseen, a)
		}
	}
	for a := range s.oldStopping {
		if !listed[a] {
			delete(s.oldStopping, a) // ECS no longer lists it
		}
	}
	var lines []Line
	stopping := map[string]bool{}
	for i := 0; i < len(unseen); i += 100 {
		tasks, err := w.Client.DescribeTasks(ctx, s.Cluster, unseen[i:min(i+100, len(unseen))])
		if err != nil {
			return lines, &readError{action: "ecs:DescribeTasks", err: err}
		}
		for _, t := range tasks {
			if t.LastStatus != "" && t.LastStatus != "STOPPED" {
				stopping[t.ARN] = true
				if !w.newTaskDefinition(s, t.TaskDefinition) {
					if s.oldStopping == nil {
						s.oldStopping = map[string]bool{}
					}
					s.oldStopping[t.ARN] = true
				}
				continue
			}
			delete(s.oldStopping, t.ARN)
			s.seenTasks[t.ARN] = true
			if (s.base == nil || s.base.tasks == nil) && !t.Stopped.IsZero() && t.Stopped.Before(w.Started.Add(-skew)) {
				continue
			}
			lines = append(lines, w.stoppedLine(s, t))
		}
	}
	// Tasks ECS did not describe (gone already) are not asked again; those
	// still stopping are.
	for _, a := range unseen {
		if !stopping[a] {
			s.seenTasks[a] = true
			delete(s.oldStopping, a)
		}
	}
	return lines, nil
}

// readError is a failed read of ECS and the action it needed.
type readError struct {
	action string
	err    error
}

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// stoppedLine explains a stopped task: its reason, and the exit code and
// reason of each container that has one (the agent's first).
func (w *Watch) stoppedLine(s *Service, t awsclient.Task) Line {
	fresh := w.newTaskDefinition(s, t.TaskDefinition)
	what := fmt.Sprintf("task %s (%s) stopped", shortTask(t.ARN), ecsarn.Revision(t.TaskDefinition))
	if !fresh {
		what = fmt.Sprintf("task %s (%s, the old revision) stopped", shortTask(t.ARN), ecsarn.Revision(t.TaskDefinition))
	}
	var why []string // the task's reason, then its containers'
	if reason := t.StoppedReason; reason != "" {
		why = append(why, reason)
	} else if t.StopCode != "" {
		why = append(why, t.StopCode)
	}
	for _, c := range w.containersFirstAgent(s, t.Containers) {
		switch {
		case c.ExitCode != nil && c.Reason != "":
			why = append(why, fmt.Sprintf("container %s exited with code %d: %s", c.Name, *c.ExitCode, c.Reason))
		case c.ExitCode != nil:
			why = append(why, fmt.Sprintf("container %s exited with code %d", c.Name, *c.ExitCode))
		case c.Reason != "":
			why = append(why, fmt.Sprintf("container %s: %s", c.Name, c.Reason))
		}
	}
	explained := strings.Join(why, "; ")
	text := what
	if explained != "" {
		text += ": " + explained
	} else {
		explained = "no reason given"
	}
	if fresh && failure(t) && !w.rollingBack {
		// A missing tag or a denied pull does not mend itself; a rate
		// limit or a timeout may, so it needs a second failure as any
		// other stop does.
		s.failedStops++
		if pull := pullError(t); pull != "" && pullIsPermanent(pull) {
			w.fail(s, "the agent image of "+ecsarn.Revision(t.TaskDefinition)+" cannot be pulled: "+pull)
		} else if s.failedStops >= 2 {
			w.fail(s, fmt.Sprintf("%d tasks of the new revision %s stopped; the last: %s", s.failedStops, ecsarn.Revision(t.TaskDefinition), explained))
		}
	}
	return Line{Time: orNow(t.Stopped), Service: s.LogicalID, Kind: Stopped, Text: text}
}

// newTaskDefinition tells a task of the update's new revision: the one
// its event or its deployment named, else any but the old one.
func (w *Watch) newTaskDefinition(s *Service, arn string) bool {
	switch {
	case w.fresh[s.TaskDefinition] != "":
		return arn == w.fresh[s.TaskDefinition]
	case s.newRev != "":
		return arn == s.newRev
	}
	return arn != w.old[s.TaskDefinition]
}

// containersFirstAgent orders a task's containers with the agent ones
// first, those without anything to say left out.
func (w *Watch) containersFirstAgent(s *Service, cs []awsclient.TaskContainer) []awsclient.TaskContainer {
	agent := map[string]bool{}
	for _, n := range w.names[s.TaskDefinition] {
		agent[n] = true
	}
	var first, rest []awsclient.TaskContainer
	for _, c := range cs {
		if c.ExitCode == nil && c.Reason == "" {
			continue
		}
		if agent[c.Name] {
			first = append(first, c)
		} else {
			rest = append(rest, c)
		}
	}
	return append(first, rest...)
}

// shortTask is a task ARN's ID, cut to 8 characters as the console does.
func shortTask(arn string) string {
	id := arn[strings.LastIndex(arn, "/")+1:]
	if len(id) > 8 {
		id = id[:8]
	}
	return id
}
