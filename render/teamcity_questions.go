package render

// TeamCityPermissions are what tcdind's token must be allowed, by the
// names TeamCity's role settings and 403 answers use.
const TeamCityPermissions = `"View agent details", "View project and all parent projects" and "Enable / disable agents"`

// TeamCityIntro is the text above the wizard's TeamCity question: what
// asking TeamCity brings, where the URL was read, where the token comes
// from.
func TeamCityIntro(found, from, tokenFrom string) string {
	s := "tcdind can ask TeamCity which of its agents run in the tasks this update replaces, " +
		"disable them and wait for their builds to finish before it executes the change set (a drain), " +
		"and after the update check that TeamCity sees Docker on the new agents."
	if found != "" {
		s += " The stack shows the server at " + found
		if from != "" {
			s += " (" + from + ")"
		}
		s += "."
	}
	switch tokenFrom {
	case "":
		s += " The access token is asked next; it is not shown."
	case "TEAMCITY_TOKEN":
		s += " The access token is TEAMCITY_TOKEN's."
	default:
		s += " The access token is read from " + tokenFrom + "."
	}
	return s
}

// TeamCityTokenIntro is the text above the token question.
func TeamCityTokenIntro(url string) string {
	return "An access token of a TeamCity user at " + url + " (Profile › Access Tokens) allowed " +
		TeamCityPermissions + ". It is not shown and not kept. " +
		"Set TEAMCITY_TOKEN or give --teamcity-token-file to skip this question."
}

// MatchedAgent is one matched agent as the wizard's review lists it.
type MatchedAgent struct {
	Name, Task string // the agent's name, the task's ID
	Enabled    bool
	Connected  bool
}

// UnmatchedTask is a task whose agent tcdind cannot tell.
type UnmatchedTask struct {
	Task, Why string
}

// TeamCityLooking says the lookup is out.
func TeamCityLooking(url string) string {
	return "Asking TeamCity at " + url + " which agents run in the tasks the update replaces …"
}

// TeamCityLookFailed says TeamCity (or ECS) did not answer the lookup, and
// what that means for the update.
func TeamCityLookFailed(err string) string {
	return Capitalize(err) + ". Without TeamCity there is no drain, and running builds on the agents are interrupted by the update."
}

// TeamCityFound is the review's TeamCity section: the server, the agents
// matched to the tasks being replaced, and the tasks that could not be
// matched (never disabled). One sentence or list item per line.
func TeamCityFound(version, url string, tasks int, agents []MatchedAgent, unmatched []UnmatchedTask) []string {
	server := "TeamCity"
	if version != "" {
		server += " " + version
	}
	server += " at " + url
	if tasks == 0 {
		return []string{server + ": no task of the agents' services runs now, so there is nothing to drain."}
	}
	lines := []string{server + ": " + Count(len(agents), "agent runs", "agents run") + " in the " + Count(tasks, "task", "tasks") + " the update replaces" + colonIf(len(agents) > 0)}
	for _, a := range agents {
		state := "enabled"
		if !a.Enabled {
			state = "disabled already (left alone)"
		}
		if !a.Connected {
			state += ", not connected"
		}
		lines = append(lines, "  "+a.Name+" in task "+a.Task+", "+state)
	}
	if len(unmatched) > 0 {
		lines = append(lines, "Not matched, so never disabled:")
		for _, u := range unmatched {
			lines = append(lines, "  task "+u.Task+": "+u.Why)
		}
	}
	return lines
}

func colonIf(b bool) string {
	if b {
		return ":"
	}
	return "."
}

// TeamCityTokenNotAsked says why accessible prompts on a pipe skip
// TeamCity: the token would be shown.
func TeamCityTokenNotAsked() string {
	return "The TeamCity token is not asked here: standard input is not a terminal, so it would be shown. Set TEAMCITY_TOKEN or pass --teamcity-token-file to use TeamCity; it is skipped."
}
