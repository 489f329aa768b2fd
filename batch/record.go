package batch

import (
	"github.com/tcdind/tcdind/agenthosts"
	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/report"
	"github.com/tcdind/tcdind/rollout"
)

// What a stack run records in its JSON result (Action.Report), beside the
// sentences it prints. Every method does nothing without a report.

func (r *StackRun) report() *report.Document { return r.Action.Report }

// recordStack records the stack read and where it lives.
func (r *StackRun) recordStack(st *awsclient.Stack, region string) {
	if d := r.report(); d != nil {
		d.Input.StackID, d.Input.Region, d.Input.Account = st.ID, region, st.Account()
	}
}

// recordHosts records the agents' hosts and what they mean; nothing when
// none was read.
func (r *StackRun) recordHosts(j agenthosts.Judgement) {
	d := r.report()
	if d == nil || j.Empty() {
		return
	}
	out := &report.Hosts{Notes: append([]string{}, j.Notes...), Clusters: []report.HostCluster{}}
	for _, c := range j.Clusters {
		hc := report.HostCluster{Cluster: c.Name, Read: c.Hosts != nil, Summary: c.Line, Hosts: []report.Host{}, Warnings: append([]string{}, c.Warnings...)}
		if c.Hosts != nil {
			total := c.Hosts.Total
			hc.Instances, hc.MemberOf = &total, c.Hosts.MemberOf
			for _, h := range c.Hosts.List {
				hc.Hosts = append(hc.Hosts, report.Host{OS: h.OS, Arch: h.Arch, Docker: h.Docker, Privileged: h.Privileged, AMI: h.AMI})
			}
		}
		out.Clusters = append(out.Clusters, hc)
	}
	d.Hosts = out
}

// recordChangeSet records a change set created (or failed) and the
// verdict on its scope: other lists the changes to resources tcdind did
// not edit.
func (r *StackRun) recordChangeSet(name, id string, cs *awsclient.ChangeSet, other []awsclient.ResourceChange) {
	d := r.report()
	if d == nil {
		return
	}
	out := &report.ChangeSet{Name: name, ARN: id, Changes: []report.ResourceChange{}}
	if cs != nil {
		out.Status = cs.Status
		if cs.ID != "" {
			out.ARN = cs.ID
		}
		for _, c := range cs.Changes {
			out.Changes = append(out.Changes, report.ResourceChange{Action: c.Action, LogicalID: c.LogicalID, ResourceType: c.ResourceType, Replacement: c.Replacement})
		}
		out.Scope = "expected"
		if len(other) > 0 {
			out.Scope = "other"
			for _, c := range other {
				out.Other = append(out.Other, c.LogicalID)
			}
		}
	}
	d.ChangeSet = out
}

// recordFate says what became of the change set: fate when the run knows
// it, else from how the run ended: exit 4 says one may remain; every other
// way out deleted it and checked (changeset.Set's contract).
func (r *StackRun) recordFate(fate string, err error) {
	d := r.report()
	if d == nil || d.ChangeSet == nil || d.ChangeSet.Fate != "" {
		return
	}
	switch {
	case fate != "":
		d.ChangeSet.Fate = fate
	case exitcode.Code(err) == exitcode.Pending:
		d.ChangeSet.Fate = "may-remain"
	case err != nil:
		d.ChangeSet.Fate = "deleted"
	}
}

// recordUpdate records the update's outcome; an empty Final is an update
// not known to have ended.
func (r *StackRun) recordUpdate(u *changeset.Update) {
	d := r.report()
	if d == nil || u == nil {
		return
	}
	// A rollback the circuit breaker made CloudFormation start is not
	// tcdind's, even if its cancel was taken too.
	cancelled := ""
	if u.CancelledByTcdind() {
		cancelled = u.Cancelled
	}
	out := &report.Update{Status: u.Final, Reason: u.StackReason, Cancelled: cancelled, FailedResources: []report.FailedResource{}}
	for _, e := range u.Failed {
		out.FailedResources = append(out.FailedResources, report.FailedResource{LogicalID: e.LogicalID, ResourceType: e.ResourceType, Status: e.Status, Reason: e.Reason})
	}
	d.Update = out
}

// recordRollout records the services followed.
func (r *StackRun) recordRollout(w *rollout.Watch) {
	d := r.report()
	if d == nil || w == nil {
		return
	}
	out := &report.Rollout{Services: []string{}, Lines: []report.Line{}}
	for _, s := range w.Services {
		out.Services = append(out.Services, s.Name)
	}
	d.Rollout = out
}

// recordLine records one line about the agents.
func (r *StackRun) recordLine(l rollout.Line) {
	d := r.report()
	if d == nil {
		return
	}
	if d.Rollout == nil {
		d.Rollout = &report.Rollout{Services: []string{}, Lines: []report.Line{}}
	}
	d.Rollout.Lines = append(d.Rollout.Lines, report.Line{Service: l.Service, Kind: l.Kind.String(), Text: l.Text})
}

// recordVerified records the verification after UPDATE_COMPLETE: ECS
// showed the mode on every edited revision (at least one line of it) and
// nothing otherwise.
func (r *StackRun) recordVerified(lines []rollout.Line, err error) {
	d := r.report()
	if d == nil || d.Rollout == nil {
		return
	}
	d.Rollout.Verified = rollout.Confirmed(lines, err)
}
