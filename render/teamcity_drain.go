package render

import (
	"fmt"
	"strings"
	"time"
)

// DrainRestoreComment is the enabledInfo comment of an agent tcdind
// enables again.
func DrainRestoreComment(stack, changeSet string) string {
	return "tcdind: enabled again after draining for stack " + stack + " (change set " + changeSet + ")"
}

// DrainChoice is the change set question's drain option.
func DrainChoice(agents int, timeout time.Duration) string {
	// Short: a wrapped option hides the next one in a short terminal.
	return "Drain first: disable " + Count(agents, "agent", "agents") + ", wait up to " + Duration(timeout)
}

// DrainDisabling says the agents are being disabled.
func DrainDisabling(agents int) string {
	return "Disabling " + Count(agents, "agent", "agents") + " in TeamCity …"
}

// DrainRestoring says the agents tcdind disabled are enabled again.
func DrainRestoring(agents int) string {
	if agents == 0 {
		return "Stopping the drain …"
	}
	return "Enabling again the " + Count(agents, "agent", "agents") + " tcdind disabled, and reading them back …"
}

// DrainWaiting is the drain screen's headline: builds running, time
// waited, the timeout.
func DrainWaiting(builds int, elapsed, timeout time.Duration) string {
	if builds == 0 {
		return "No build runs on the agents (" + shortDuration(elapsed) + " of " + shortDuration(timeout) + ")."
	}
	return Count(builds, "build runs", "builds run") + " on the agents · waiting " + shortDuration(elapsed) + " of " + shortDuration(timeout)
}

// DrainBuild is one running build: its configuration, number, agent and
// how long it has run.
func DrainBuild(project, buildType, number, agent string, running time.Duration) string {
	name := buildType
	if project != "" {
		name = project + " / " + buildType
	}
	if number != "" {
		name += " #" + number
	}
	return name + " on " + agent + ", running " + shortDuration(running)
}

// DrainTimedOutQuestion asks what to do when the timeout passed.
func DrainTimedOutQuestion(builds int, timeout time.Duration) string {
	return fmt.Sprintf("%s still after %s. What now?", Capitalize(Count(builds, "build runs", "builds run")), shortDuration(timeout))
}

// shortDuration is 45s, 4m 05s, 1h 30m.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Uncapitalize lowers a sentence's first letter, to follow "Warning: ".
func Uncapitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// NewAgentsWaiting says tcdind waits for TeamCity to see the new agents.
func NewAgentsWaiting(url string, bound time.Duration) string {
	return "Waiting up to " + shortDuration(bound) + " for TeamCity at " + url + " to see the new agents connected, authorized and reporting Docker …"
}

// NewAgentState is one new task's agent as TeamCity shows it.
func NewAgentState(agent, task string, connected, authorized bool, docker string) string {
	s := agent + " in task " + task + ": "
	switch {
	case !connected:
		return s + "not connected"
	case !authorized:
		return s + "connected, not authorized"
	case docker == "":
		return s + "connected, no Docker reported"
	}
	return s + "connected, Docker " + docker
}

// TeamCitySeesDocker is the last word: how many new agents TeamCity sees
// Docker on, and which versions.
func TeamCitySeesDocker(ready, total int, versions []string) string {
	s := fmt.Sprintf("TeamCity sees Docker on %d of %d new %s", ready, total, Plural(total, "agent", "agents"))
	if len(versions) > 0 {
		s += " (docker " + strings.Join(versions, ", ") + ")"
	}
	return s
}

// DrainWaitingPlain says, once, that tcdind waits for the builds.
func DrainWaitingPlain(timeout time.Duration) string {
	return "Waiting for the builds on the disabled agents to finish (up to " + shortDuration(timeout) + ") …"
}

// ReplacementDrainOffered is the review's replacement warning when the
// agents can be drained first.
func ReplacementDrainOffered(stack string) string {
	return "Updating stack " + stack + " replaces the TeamCity agent tasks: builds running on them are interrupted, unless you drain the agents first (offered with the change set)."
}
