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
