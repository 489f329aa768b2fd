package rollout

import (
	"context"
	"errors"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"sort"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

// MismatchError is an update CloudFormation completed whose result ECS
// does not show: exit status 1, with what differs.
type MismatchError struct {
	Stack string
	Diffs []string
	Check string // the command that shows it
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("stack %s updated (UPDATE_COMPLETE), but ECS shows otherwise: %s; check with %s", e.Stack, strings.Join(e.Diffs, "; "), e.Check)
}

// Verify reads back, after UPDATE_COMPLETE, what the agents run: one
// ListStackResources for the new revisions (none when their events named
// them: see Saw), one DescribeServices per
// cluster (again, up to tries times, while only the task counts differ)
// and one DescribeTaskDefinition per edited task definition. It returns a
// Verified line for each thing it saw as asked and a Note for each it could
// not read; what differs is a *MismatchError. delay is the pause between
// tries.
func (w *Watch) Verify(ctx context.Context, tries int, delay time.Duration) ([]Line, error) {
	if w == nil || w.off == "-" {
		return nil, nil
	}
	if w.off != "" {
		return []Line{{Time: time.Now(), Kind: Note, Text: "the agents were not verified in ECS: " + w.offWhy}}, nil
	}
	if len(w.old) == 0 && len(w.Services) == 0 {
		// The stack listed none of the edited task definitions before the
		// update: there is nothing to read back, and saying nothing would
		// let the outcome line read as verified.
		return []Line{{Time: time.Now(), Kind: Note, Text: "the agents were not verified in ECS: stack " + w.Stack + " listed none of the edited task definitions as deployed; check with aws cloudformation list-stack-resources --stack-name " + w.Stack + w.Where}}, nil
	}
	current, err := w.revisions(ctx)
	if err != nil {
		return []Line{w.unverified(err, "aws cloudformation list-stack-resources --stack-name "+w.Stack+w.Where)}, nil
	}
	var lines []Line
	var diffs []string
	var checks []string

	services, serviceDiffs, notes, differ := w.verifyServices(ctx, current, max(tries, 1), delay)
	lines = append(lines, services...)
	lines = append(lines, notes...)
	diffs = append(diffs, serviceDiffs...)
	for _, s := range differ {
		checks = append(checks, "aws ecs describe-services --cluster "+s.Cluster+" --services "+s.Name+w.Where)
	}

	registered := map[string]*awsclient.TaskDefinition{}
	ids := make([]string, 0, len(w.old))
	for id := range w.old {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		arn := current[id]
		if arn == "" {
			continue
		}
		check := "aws ecs describe-task-definition --task-definition " + arn + w.Where
		td, err := w.Client.DescribeTaskDefinition(ctx, arn)
		if err != nil {
			lines = append(lines, w.unverified(err, check))
			continue
		}
		registered[id] = td
		modes, err := containerModes(td, w.names[id])
		if errors.Is(err, errNoNames) {
			lines = append(lines, Line{Time: time.Now(), Kind: Note, Text: fmt.Sprintf("not verified in ECS: DescribeTaskDefinition answered %s without container names; check with %s", ecsarn.Revision(arn), check)})
			continue
		}
		if err != nil || len(modes) == 0 {
			diffs = append(diffs, fmt.Sprintf("%s has no agent container", ecsarn.Revision(arn)))
			checks = append(checks, check)
			continue
		}
		names := make([]string, 0, len(modes))
		for n := range modes {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if modes[n] != w.Mode {
				diffs = append(diffs, fmt.Sprintf("container %s of %s is in %s mode, not %s", n, ecsarn.Revision(arn), modes[n], w.Mode))
				checks = append(checks, check)
				continue
			}
			lines = append(lines, Line{Time: time.Now(), Kind: Verified, Text: fmt.Sprintf("container %s of %s is in %s mode (read back from ECS)", n, ecsarn.Revision(arn), w.Mode)})
		}
	}
	// Docker answers: health.go.
	healthLines, healthNotes, healthDiffs, healthChecks := w.verifyHealth(ctx, current, registered, max(tries, 1), delay)
	lines = append(append(lines, healthLines...), healthNotes...)
	diffs = append(diffs, healthDiffs...)
	checks = append(checks, healthChecks...)
	if len(diffs) > 0 {
		return lines, &MismatchError{Stack: w.Stack, Diffs: diffs, Check: strings.Join(dedupe(checks), " and ")}
	}
	return lines, nil
}

// revisions are the edited task definitions' ARNs now: from their
// UPDATE_COMPLETE events when every one was seen, else from the stack's
// resources.
func (w *Watch) revisions(ctx context.Context) (map[string]string, error) {
	if len(w.fresh) == len(w.old) {
		return w.fresh, nil
	}
	resources, err := w.Client.StackResources(ctx, w.Stack)
	if err != nil {
		return nil, err
	}
	current := map[string]string{}
	for _, r := range resources {
		current[r.LogicalID] = r.PhysicalID
	}
	return current, nil
}

// verifyServices checks that each service's primary deployment runs the
// new revision on all its desired tasks, reading again while only the
// counts differ.
func (w *Watch) verifyServices(ctx context.Context, current map[string]string, tries int, delay time.Duration) (lines []Line, diffs []string, notes []Line, differ []*Service) {
	for try := 1; ; try++ {
		lines, diffs, notes, differ = nil, nil, nil, nil
		countsOnly := true
		for _, group := range w.byCluster() {
			got, err := w.describe(ctx, group.cluster, group.services)
			if err != nil {
				notes = append(notes, w.unverified(err, "aws ecs describe-services --cluster "+group.cluster+" --services "+names(group.services)+w.Where))
				continue
			}
			for _, s := range group.services {
				want := current[s.TaskDefinition]
				svc, ok := got[s.ARN]
				before := len(diffs)
				if !ok {
					diffs = append(diffs, fmt.Sprintf("service %s is not found in cluster %s", s.Name, group.cluster))
					differ = append(differ, s)
					countsOnly = false
					continue
				}
				p := svc.Primary()
				switch {
				case len(svc.Deployments) == 0:
					// An EXTERNAL or CODE_DEPLOY controller deploys task
					// sets, which this does not read.
					notes = append(notes, Line{Time: time.Now(), Service: s.LogicalID, Kind: Note,
						Text: fmt.Sprintf("not verified in ECS: service %s lists no deployments (task sets?); check with aws ecs describe-services --cluster %s --services %s%s", s.Name, group.cluster, s.Name, w.Where)})
				case p == nil:
					diffs = append(diffs, fmt.Sprintf("service %s has no primary deployment", s.Name))
					countsOnly = false
				case p.TaskDefinition != want:
					diffs = append(diffs, fmt.Sprintf("service %s runs %s, not the new revision %s", s.Name, ecsarn.Revision(p.TaskDefinition), ecsarn.Revision(want)))
					countsOnly = false
				case svc.Running != svc.Desired || p.Running != p.Desired:
					diffs = append(diffs, fmt.Sprintf("service %s runs %s on %d of %d desired tasks", s.Name, ecsarn.Revision(want), p.Running, svc.Desired))
				default:
					lines = append(lines, Line{Time: time.Now(), Service: s.LogicalID, Kind: Verified,
						Text: fmt.Sprintf("service %s runs %s on %d of %d desired tasks", s.Name, ecsarn.Revision(want), p.Running, svc.Desired)})
				}
				if len(diffs) > before {
					differ = append(differ, s)
				}
			}
		}
		if len(diffs) == 0 || !countsOnly || try >= tries {
			return lines, diffs, notes, differ
		}
		if err := pause.For(ctx, delay); err != nil {
			return lines, diffs, notes, differ
		}
	}
}

// unverified is the note for a read that failed: what was not verified and
// the command that shows it.
func (w *Watch) unverified(err error, check string) Line {
	why := oneLine(err)
	if errors.Is(err, context.Canceled) {
		// ctrl+c, SIGTERM or SIGHUP while ECS was read: say that, not the
		// SDK's "https response error StatusCode: 0, … context canceled".
		why = "interrupted"
	}
	return Line{Time: time.Now(), Kind: Note, Text: fmt.Sprintf("not verified in ECS (%s); check with %s", why, check)}
}

func names(svcs []*Service) string {
	var list []string
	for _, s := range svcs {
		list = append(list, s.Name)
	}
	return strings.Join(list, " ")
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Confirmed says whether Verify's answer shows the agents in the mode asked:
// no error, at least one line ECS read back, and no line that says
// something was not read. Only then may a run say the agents are "now in"
// the mode; otherwise that is the template's word, not ECS's.
func Confirmed(lines []Line, err error) bool {
	if err != nil {
		return false
	}
	seen := false
	for _, l := range lines {
		switch l.Kind {
		case Verified:
			seen = true
		case Note:
			return false
		}
	}
	return seen
}
