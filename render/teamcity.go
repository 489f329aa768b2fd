package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/teamcity"
)

// The words about TeamCity (--teamcity-url), plain: both front ends use
// them.

// TeamCityServer introduces the matching in the review.
func TeamCityServer(url, version string, replaced int) string {
	return fmt.Sprintf("TeamCity %s at %s: the %s of the %s this update replaces:", version, url, Plural(replaced, "agent", "agents"), Count(replaced, "agent task", "agent tasks"))
}

// TeamCityAgentLine is one matched agent in the review.
func TeamCityAgentLine(p agentmatch.Pair, builds int) string {
	state := []string{}
	if p.Agent.Connected {
		state = append(state, "connected")
	} else {
		state = append(state, "disconnected")
	}
	if p.Agent.Enabled {
		state = append(state, "enabled")
	} else {
		state = append(state, "disabled")
	}
	if !p.Agent.Authorized {
		state = append(state, "unauthorized")
	}
	line := fmt.Sprintf("  agent %s (id %d) runs in task %s of service %s (matched by %s); %s",
		p.Agent.Name, p.Agent.ID, p.Task.ID(), p.Task.Service, matchedBy(p.By), strings.Join(state, ", "))
	if builds >= 0 {
		line += ", " + Count(builds, "build", "builds") + " running"
	}
	return line
}

func matchedBy(by string) string {
	switch by {
	case "hostname":
		return "its env.HOSTNAME, the task container's ID"
	case "name":
		return "its name, the task container's ID"
	case "ip":
		return "its address, the task's network interface's"
	}
	return by
}

// TeamCityUnmatched is a task whose agent tcdind cannot tell: never
// disabled.
func TeamCityUnmatchedLine(u agentmatch.Unmatched, drain bool) string {
	line := fmt.Sprintf("task %s of service %s: %s", u.Task.ID(), u.Task.Service, u.Why)
	if drain {
		line += "; its agent is not drained (builds on it are cut off by the update)"
	}
	return WarningLine(line)
}

// TeamCityNoDrain says what happens to running builds without --drain.
func TeamCityNoDrain(builds int) string {
	if builds == 0 {
		return NoteLine("no build runs on these agents now, but one may start before the update replaces them: pass --drain to disable them first")
	}
	return WarningLine(fmt.Sprintf("%s on these agents would be cut off by the update: pass --drain to disable the agents and let the builds finish first", Count(builds, "build runs", "builds run")))
}

// DrainPlan says what --drain will do, in the review; rule is what
// happens when the timeout passes ("" at a terminal: ask).
func DrainPlan(agents int, timeout time.Duration, rule string) string {
	if rule == "" {
		rule = "it asks whether to execute anyway"
	}
	return NoteLine(fmt.Sprintf("--drain: before executing, tcdind disables the %s, waits up to %s for the builds running on %s, and enables %s again at the end; if builds still run then, %s",
		Count(agents, "matched agent", "matched agents"), Duration(timeout), Plural(agents, "it", "them"), Plural(agents, "it", "them"), rule))
}

// DrainRule is --on-drain-timeout's rule in words.
func DrainRule(execute bool) string {
	if execute {
		return "it executes anyway (--on-drain-timeout=execute)"
	}
	return "it executes nothing, enables the agents again, deletes the change set and exits 1 (--on-drain-timeout=stop)"
}

// ReplacementDrained replaces the warning that builds are cut off when
// --drain lets them finish.
func ReplacementDrained(stack string) string {
	return NoteLine("updating stack " + stack + " replaces the TeamCity agent tasks: --drain lets the builds on the matched agents finish first")
}

// DrainDisabled says which agents tcdind disabled and which it left.
func DrainDisabledLines(disabled, before []teamcity.Agent, switchBack time.Time) []string {
	var lines []string
	if len(disabled) > 0 {
		lines = append(lines, fmt.Sprintf("disabled TeamCity %s %s so that %s no new build (TeamCity enables %s again by itself at %s should tcdind not)",
			Plural(len(disabled), "agent", "agents"), agentNames(disabled), Plural(len(disabled), "it takes", "they take"), Plural(len(disabled), "it", "them"), switchBack.UTC().Format("2006-01-02 15:04 UTC")))
	}
	if len(before) > 0 {
		lines = append(lines, fmt.Sprintf("TeamCity %s %s disabled already: left as %s", Plural(len(before), "agent", "agents"), agentNames(before)+" "+Plural(len(before), "was", "were"), Plural(len(before), "it is", "they are")))
	}
	return lines
}

// DrainAdoptedLine says an agent an earlier tcdind run left disabled is
// taken as this run's own.
func DrainAdoptedLine(agent, stack, earlier string) string {
	return NoteLine(fmt.Sprintf("TeamCity agent %s was left disabled by an earlier tcdind run on stack %s (change set %s, over): tcdind takes it as its own and enables it again at the end", agent, stack, earlier))
}

// DrainNotAdoptedLine says an agent disabled by another tcdind run on
// the stack is left as it is, why, and (del not "") the command that
// ends that run's change set so that the next run adopts the agent.
func DrainNotAdoptedLine(agent, earlier, why, del string) string {
	line := fmt.Sprintf("TeamCity agent %s is disabled by another tcdind run on this stack (change set %s), left as it is: %s", agent, earlier, why)
	if del != "" {
		line += "; if no tcdind runs for it any more, delete it (" + del + ") and run again, and tcdind enables the agent at the end"
	}
	return NoteLine(line)
}

// DrainRearmedLine says until when the drained agents stay disabled once
// the update starts.
func DrainRearmedLine(n int, switchBack time.Time) string {
	return fmt.Sprintf("the %s %s disabled while the update replaces %s: tcdind enables %s when it ends, TeamCity at %s at the latest",
		Plural(n, "drained agent", "drained agents"), Plural(n, "stays", "stay"), Plural(n, "its task", "their tasks"), Plural(n, "it", "them"), switchBack.UTC().Format("2006-01-02 15:04 UTC"))
}

// DrainEnabledMeanwhile is the error when an agent TeamCity enabled again
// while tcdind waited (its switch-back time passed) took a build.
func DrainEnabledMeanwhile(agents []teamcity.Agent, builds []drain.Running, now time.Time) string {
	return fmt.Sprintf("TeamCity enabled %s %s again while tcdind waited (the switch-back time passed) and %s running: %s; not executed, so that %s not cut off: run tcdind again once %s",
		Plural(len(agents), "agent", "agents"), agentNames(agents), Count(len(builds), "build is", "builds are"), Builds(builds, now), Plural(len(builds), "it is", "they are"), Plural(len(builds), "it ends", "they end"))
}

// DrainProgress is one look at the builds the drain waits for.
func DrainProgressLine(st drain.Status, timeout time.Duration, now time.Time) string {
	if len(st.Builds) == 0 {
		return fmt.Sprintf("drained: no build runs on the agents (waited %s)", Duration(st.Elapsed))
	}
	return fmt.Sprintf("draining: %s: %s; waited %s of %s", Count(len(st.Builds), "build running", "builds running"), Builds(st.Builds, now), Duration(st.Elapsed), Duration(timeout))
}

// Builds names running builds: project / configuration #number on agent
// (running for).
func Builds(bs []drain.Running, now time.Time) string {
	var parts []string
	for _, b := range bs {
		name := b.BuildType
		if b.Project != "" {
			name = b.Project + " / " + name
		}
		part := fmt.Sprintf("%s #%s on %s", name, b.Number, b.Agent)
		if !b.Started.IsZero() {
			part += " (running " + Duration(now.Sub(b.Started)) + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// DrainTimeoutQuestion asks whether to execute though builds run.
func DrainTimeoutQuestion(st drain.Status, now time.Time) string {
	return fmt.Sprintf("%s after %s: %s. Execute anyway, cutting %s off? [y/N] ",
		Count(len(st.Builds), "build still runs", "builds still run"), Duration(st.Elapsed), Builds(st.Builds, now), Plural(len(st.Builds), "it", "them"))
}

// DrainTimedOut is the error of a drain that timed out under the safe
// rule (or a no at the question).
func DrainTimedOut(st drain.Status, now time.Time) string {
	return fmt.Sprintf("not executed: the drain timed out after %s with %s (%s); wait for the builds and run tcdind again, raise --drain-timeout, or pass --on-drain-timeout=execute to execute anyway",
		Duration(st.Elapsed), Count(len(st.Builds), "build still running", "builds still running"), Builds(st.Builds, now))
}

// DrainExecutingAnyway is said before executing with builds running.
func DrainExecutingAnyway(st drain.Status, now time.Time) string {
	return WarningLine(fmt.Sprintf("executing with %s (%s): the update cuts %s off", Count(len(st.Builds), "build still running", "builds still running"), Builds(st.Builds, now), Plural(len(st.Builds), "it", "them")))
}

// RestoredLines say what re-enabling found; failures are errors with the
// URL and the command that enable each agent.
func RestoredLines(r drain.Restored, server string) (lines, errs []string) {
	if len(r.Enabled) > 0 {
		lines = append(lines, fmt.Sprintf("enabled TeamCity %s %s again (read back: enabled)", Plural(len(r.Enabled), "agent", "agents"), agentNames(r.Enabled)))
	}
	if len(r.Found) > 0 {
		lines = append(lines, fmt.Sprintf("TeamCity %s %s enabled already (read back)", Plural(len(r.Found), "agent", "agents"), agentNames(r.Found)+" "+Plural(len(r.Found), "is", "are")))
	}
	if len(r.Gone) > 0 {
		lines = append(lines, fmt.Sprintf("TeamCity no longer knows %s %s: nothing to enable", Plural(len(r.Gone), "agent", "agents"), agentNames(r.Gone)))
	}
	for _, a := range r.Kept {
		lines = append(lines, WarningLine(fmt.Sprintf("TeamCity agent %s was disabled again by someone else meanwhile (comment: %q): left as they set it", a.Name, a.EnabledInfo.Comment)))
	}
	for _, f := range r.Failed {
		errs = append(errs, fmt.Sprintf("TeamCity agent %s (id %d) may still be disabled by tcdind (%s): enable it at %s/agentDetails.html?id=%d, or run: %s",
			f.Agent.Name, f.Agent.ID, oneLine(f.Err.Error()), server, f.Agent.ID, EnableCommand(server, f.Agent.ID)))
	}
	return lines, errs
}

// DrainLeftDisabled says which agents stay disabled while an update goes
// on without tcdind, until when, and how to enable them sooner.
func DrainStaysDisabled(agents []teamcity.Agent, switchBack time.Time, server string) string {
	var cmds []string
	for _, a := range agents {
		cmds = append(cmds, EnableCommand(server, a.ID))
	}
	return NoteLine(fmt.Sprintf("TeamCity %s %s %s disabled while the update goes on (%s being replaced); TeamCity enables %s again by itself at %s, the next tcdind --drain run on this stack at its end; to do it sooner, once the update ended: %s",
		Plural(len(agents), "agent", "agents"), agentNames(agents), Plural(len(agents), "stays", "stay"), Plural(len(agents), "its task is", "their tasks are"),
		Plural(len(agents), "it", "them"), switchBack.UTC().Format("2006-01-02 15:04 UTC"), strings.Join(cmds, "; ")))
}

// EnableCommand is the curl command that enables an agent again.
func EnableCommand(server string, id int) string {
	return fmt.Sprintf(`curl -X PUT -H "Authorization: Bearer $TEAMCITY_TOKEN" -H "Content-Type: application/json" -d '{"status":true}' %s%s`, server, teamcity.EnabledPath(id))
}

// NewAgentsProgress is one look at the new agents while waiting.
func NewAgentsProgress(r newagents.Report, bound time.Duration) string {
	ready, total := r.Ready()
	var waiting []string
	for _, s := range r.Agents {
		switch {
		case s.Ready():
		case !s.Found:
			waiting = append(waiting, "task "+s.Task.ID()+": no agent yet")
		case !s.Agent.Connected:
			waiting = append(waiting, s.Agent.Name+": not connected")
		case !s.Agent.Authorized:
			waiting = append(waiting, s.Agent.Name+": not authorized")
		default:
			waiting = append(waiting, s.Agent.Name+": no Docker reported yet")
		}
	}
	line := fmt.Sprintf("TeamCity: %d of %d new agents connected with Docker", ready, total)
	if len(waiting) > 0 {
		line += " (" + strings.Join(waiting, ", ") + ")"
	}
	return line + fmt.Sprintf("; waited %s of %s", Duration(r.Elapsed), Duration(bound))
}

// NewAgentLine is one new agent as TeamCity sees it, once confirmed.
func NewAgentLine(s newagents.Seen) string {
	os := s.OSType()
	if os == "" {
		os = "?"
	}
	return fmt.Sprintf("TeamCity agent %s of new task %s: connected, authorized, Docker %s (%s)", s.Agent.Name, s.Task.ID(), s.Docker(), os)
}

// TeamCitySees is the last line of a confirmed update.
func TeamCitySees(r newagents.Report) string {
	ready, total := r.Ready()
	return fmt.Sprintf("TeamCity sees Docker on %d of %d new agents (docker %s)", ready, total, strings.Join(r.Versions(), ", "))
}

// Duration is a duration for people: 45s, 12m, 1h05m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func agentNames(agents []teamcity.Agent) string {
	var n []string
	for _, a := range agents {
		n = append(n, a.Name)
	}
	return strings.Join(n, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// DrainRearming is the spinner's line while the drained agents are
// disabled again until past the update, just before executing.
func DrainRearming(n int) string {
	return fmt.Sprintf("Disabling the %s again until after the update …", Plural(n, "drained agent", "drained agents"))
}
