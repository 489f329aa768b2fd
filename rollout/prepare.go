package rollout

import (
	"context"
	"time"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/ecsarn"
)

// Service is an ECS service that runs an edited task definition.
type Service struct {
	LogicalID      string
	TaskDefinition string // logical ID of the edited task definition it runs
	ARN, Name      string
	Cluster        string // name or ARN

	seenEvents  map[string]bool
	seenTasks   map[string]bool
	progress    string // the last progress line shown
	waiting     bool   // "waiting for CloudFormation" was shown
	missingSaid bool   // "ECS does not list service" was shown
	steady      bool   // the new revision runs on every desired task
	newRev      string // the new revision's ARN, once a deployment runs it

	base *baseline // what it showed before the update; nil if unread

	failedStops int // tasks of the new revision that stopped failing

	// placing: ECS said it cannot place a task (once stands for as long
	// as the cause lasts: it drops repeated messages for up to six hours).
	placing bool
	// stuck counts the polls in a row the new revision stayed short of
	// its desired tasks with the old one holding nothing; since when, and
	// how many tasks were placed then.
	stuck       int
	stuckSince  time.Time
	stuckPlaced int
	// oldStopping are tasks of another revision ECS is still stopping:
	// they hold their instance's memory until STOPPED.
	oldStopping map[string]bool
	// steadyAt is when ECS last wrote "has reached a steady state." since
	// the update began (for a service without a rolloutState).
	steadyAt time.Time
	// rolledBack: the rollback's end was said.
	rolledBack bool
}

// Prepare reads the stack's resources (one ListStackResources) to find the
// services of tmpl that run the task definitions res edited, and the
// revisions they run before the update; then what the services show before
// it (one DescribeServices per cluster, one ListTasks per service), so that
// what comes later can be told from history without comparing clocks.
// Call it just before executing the change set. A nil client (a fake without ECS) or a failed read gives a
// Watch that is off, with a note to show once.
func Prepare(ctx context.Context, c Client, stack string, tmpl *dind.Template, res *dind.Result, opts dind.Options, where string) *Watch {
	w := &Watch{Client: c, Stack: stack, Mode: opts.Mode, Where: where, Started: time.Now(), old: map[string]string{}}
	if c == nil {
		w.off = "-" // nothing to say: this client cannot read ECS
		return w
	}
	w.names = agentNames(tmpl, res.Targets, opts.Containers)
	found := tmpl.Services(res.Targets)
	resources, err := c.StackResources(ctx, stack)
	if err != nil {
		w.turnOff(err, "cloudformation:ListStackResources")
		return w
	}
	physical := map[string]string{}
	for _, r := range resources {
		physical[r.LogicalID] = r.PhysicalID
	}
	runs := map[string]bool{}
	for _, s := range found {
		arn := physical[s.LogicalID]
		if arn == "" {
			continue // not deployed: a Condition left it out
		}
		w.Services = append(w.Services, newService(s, arn, physical))
		runs[s.TaskDefinition] = true
	}
	for _, id := range res.Targets {
		if physical[id] == "" {
			continue // not deployed: nothing to follow or verify
		}
		w.old[id] = physical[id]
		if !runs[id] {
			w.Unrun = append(w.Unrun, id)
		}
	}
	w.readBaseline(ctx)
	return w
}

// newService is the template's service s as deployed at arn; its cluster
// comes from the long ARN, else the cluster resource, the literal, or
// "default".
func newService(s dind.Service, arn string, physical map[string]string) *Service {
	svc := &Service{LogicalID: s.LogicalID, TaskDefinition: s.TaskDefinition, ARN: arn}
	svc.Name, svc.Cluster = ecsarn.Service(arn)
	if svc.Cluster == "" {
		switch {
		case s.ClusterID != "" && physical[s.ClusterID] != "":
			svc.Cluster = physical[s.ClusterID]
		case s.ClusterName != "":
			svc.Cluster = s.ClusterName
		default:
			svc.Cluster = "default"
		}
	}
	return svc
}

// agentNames are the names of the agent containers of each edited task
// definition: those --container named, or those the agent rule finds.
func agentNames(tmpl *dind.Template, targets, containers []string) map[string][]string {
	names := map[string][]string{}
	if len(containers) > 0 {
		for _, id := range targets {
			names[id] = containers
		}
		return names
	}
	want := map[string]bool{}
	for _, id := range targets {
		want[id] = true
	}
	for _, td := range tmpl.Agents() {
		if !want[td.LogicalID] {
			continue
		}
		for _, c := range td.Containers {
			if c.Name != "" {
				names[td.LogicalID] = append(names[td.LogicalID], c.Name)
			}
		}
	}
	return names
}
