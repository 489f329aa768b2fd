package batch

import (
	"slices"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/report"
)

// What a stack run with --teamcity-url records in its JSON result.

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
	for _, a := range tc.d.Adopted() {
		out.Adopted = append(out.Adopted, a.Name)
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
	for _, a := range append(append(res.Enabled, res.Found...), res.Gone...) {
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
