package batch

import (
	"slices"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/newagents"
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
	verified := err == nil
	seen := false
	for _, l := range lines {
		switch l.Kind {
		case rollout.Verified:
			seen = true
		case rollout.Note:
			verified = false // not read: not verified
		}
	}
	d.Rollout.Verified = verified && seen
}

// recordTeamCityServer records the TeamCity server read.
func (r *StackRun) recordTeamCityServer(url, version string) {
	if d := r.report(); d != nil {
		d.TeamCity = &report.TeamCity{URL: url, Version: version, Agents: []report.TeamCityAgent{}, Unmatched: []report.TeamCityUnmatched{}}
	}
}

// recordTeamCityMatch records which agent runs in which task; builds
// counts the builds running on each (by agent ID).
func (r *StackRun) recordTeamCityMatch(m agentmatch.Result, builds map[int]int) {
	d := r.report()
	if d == nil || d.TeamCity == nil {
		return
	}
	for _, p := range m.Pairs {
		d.TeamCity.Agents = append(d.TeamCity.Agents, report.TeamCityAgent{ID: p.Agent.ID, Name: p.Agent.Name, Task: p.Task.ID(), Service: p.Task.Service,
			MatchedBy: p.By, Connected: p.Agent.Connected, Enabled: p.Agent.Enabled, RunningBuilds: builds[p.Agent.ID]})
	}
	for _, u := range m.Unmatched {
		out := report.TeamCityUnmatched{Task: u.Task.ID(), Service: u.Task.Service, Reason: u.Why}
		for _, a := range u.Agents {
			out.Agents = append(out.Agents, a.Name)
		}
		d.TeamCity.Unmatched = append(d.TeamCity.Unmatched, out)
	}
}

func (r *StackRun) drainReport() *report.Drain {
	d := r.report()
	if d == nil || d.TeamCity == nil {
		return nil
	}
	if d.TeamCity.Drain == nil {
		d.TeamCity.Drain = &report.Drain{Disabled: []string{}, AlreadyDisabled: []string{}, Builds: []report.DrainBuild{}, Reenabled: []string{}, NotReenabled: []string{}, Kept: []string{}}
	}
	return d.TeamCity.Drain
}

// recordDrain records the agents disabled, and those left alone.
func (r *StackRun) recordDrain() {
	out, tc := r.drainReport(), r.TeamCity
	if out == nil || tc.d == nil {
		return
	}
	out.Disabled, out.AlreadyDisabled = []string{}, []string{}
	for _, a := range tc.d.Disabled() {
		out.Disabled = append(out.Disabled, a.Name)
	}
	for _, a := range tc.d.Before() {
		out.AlreadyDisabled = append(out.AlreadyDisabled, a.Name)
	}
}

// recordDrainWait records the builds waited for and how the wait ended.
func (r *StackRun) recordDrainWait(st drain.Status) {
	out, tc := r.drainReport(), r.TeamCity
	if out == nil {
		return
	}
	out.Builds = []report.DrainBuild{}
	ids := make([]int, 0, len(tc.builds))
	for id := range tc.builds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		b := tc.builds[id]
		out.Builds = append(out.Builds, report.DrainBuild{ID: b.ID, Number: b.Number, BuildType: b.BuildType, Project: b.Project, Agent: b.Agent})
	}
	out.WaitedSeconds = int(st.Elapsed / time.Second)
	out.TimedOut, out.ExecutedAnyway = tc.timedOut, tc.anyway
}

// recordRestored records what enabling the agents again found.
func (r *StackRun) recordRestored(res drain.Restored) {
	out := r.drainReport()
	if out == nil {
		return
	}
	for _, a := range append(res.Enabled, res.Gone...) {
		out.Reenabled = append(out.Reenabled, a.Name)
	}
	for _, a := range res.Kept {
		out.Kept = append(out.Kept, a.Name)
	}
	for _, f := range res.Failed {
		out.NotReenabled = append(out.NotReenabled, f.Agent.Name)
	}
}

// recordNewAgents records TeamCity's view of the new agents.
func (r *StackRun) recordNewAgents(rep newagents.Report) {
	d := r.report()
	if d == nil || d.TeamCity == nil {
		return
	}
	ready, total := rep.Ready()
	out := &report.NewAgents{Agents: []report.NewAgent{}, Ready: ready, Total: total, Docker: append([]string{}, rep.Versions()...)}
	out.Confirmed = total > 0 && ready == total
	for _, s := range rep.Agents {
		a := report.NewAgent{Task: s.Task.ID(), Reason: s.Why}
		if s.Found {
			a.Name, a.Connected, a.Authorized = s.Agent.Name, s.Agent.Connected, s.Agent.Authorized
			a.DockerVersion, a.DockerOSType = s.Docker(), s.OSType()
		}
		out.Agents = append(out.Agents, a)
	}
	d.TeamCity.NewAgents = out
}
