package wizard

import "slices"

// step names a screen of the wizard.
type step string

const (
	stepSource    step = "source"    // a template, or a stack
	stepRegion    step = "region"    // the stack's region
	stepStacks    step = "stacks"    // the region's stacks
	stepTemplate  step = "template"  // the template's path or URL
	stepLoading   step = "loading"   // reading or downloading, behind a spinner
	stepContainer step = "container" // which container is the agent (only when the rule finds none)
	stepTaskDef   step = "taskdef"   // which agent task definition (only when several)
	stepMode      step = "mode"      // socket, privileged or none, with the note
	stepOptions   step = "options"   // the recipe
	stepVersion   step = "version"   // the version that pins a latest agent tag
	stepTeamCity  step = "teamcity"  // a stack: ask TeamCity about the agents?
	stepTCURL     step = "tcurl"     // the TeamCity server's URL, when another
	stepTCToken   step = "tctoken"   // the access token, when none was given
	stepReview    step = "review"    // diff, changes, note, warnings
	stepSave      step = "save"      // where to save
	stepOverwrite step = "overwrite" // the file exists: overwrite?
	stepBucket    step = "bucket"    // a stack: the S3 bucket for a large template
	stepChangeSet step = "changeset" // a stack: the change set, execute or discard?
	stepDrain     step = "drain"     // a stack: the agents disabled, their builds awaited
	stepProgress  step = "progress"  // a stack: the update's events, live
	stepTCAfter   step = "tcafter"   // a stack: TeamCity sees the new agents?
	stepDone      step = "done"      // what was written or applied, and the next step
)

// row is one screen of the flow: its header, its help, when it is asked,
// where esc goes from it, and the component that draws it.
type row struct {
	id    step
	title string // the header's name for the screen
	help  string // the help overlay's "This step"
	// asked reports whether the screen is asked on the way from the loaded
	// template to the review; nil: it is reached only by name (m.enter).
	// A screen asked this way goes back to the previous one asked.
	asked func(m *Model) bool
	// given reports whether a flag answered the question: going forward
	// skips it, going back asks it.
	given func(cfg Config) bool
	// back is where esc goes; nil: the previous screen asked (asked
	// screens), or nowhere.
	back func(m *Model) step
	// screen makes the component, once per run: it keeps its state (a
	// list's cursor, a listing) while other screens are shown.
	screen func() screen
}

func always(*Model) bool { return true }
func to(s step) func(*Model) step {
	return func(*Model) step { return s }
}

// flow is the wizard's screens in the order they are met. Adding a screen
// is a file with its component and a row here.
var flow = []row{
	{id: stepSource, title: "Source", screen: func() screen { return &sourceScreen{} },
		help: "Choose where the TeamCity stack's template comes from. tcdind edits the template; it does not need AWS credentials for a file or URL."},
	{id: stepRegion, title: "Region", screen: func() screen { return &regionScreen{} }, back: to(stepSource),
		given: func(c Config) bool { return c.RegionGiven || c.Stack != "" },
		help:  "The region of the TeamCity stack. Type to filter the list; choose other to type a region that is not listed. Flag: --region (also AWS_REGION)."},
	{id: stepStacks, title: "Stack", screen: func() screen { return &stacksScreen{} }, back: to(stepRegion),
		help: "The region's stacks; those holding a TeamCity agent task definition are marked, with their current mode, and listed first. Type to filter. Flag: --stack."},
	{id: stepTemplate, title: "Template", screen: func() screen { return &templateScreen{} }, back: to(stepSource),
		help: "Give a template file (YAML or JSON) or an https URL; ~ and quotes (drag and drop) are understood. Empty downloads JetBrains' published template, a fresh start. A template over 1 MB is refused. Flag: --template."},
	{id: stepLoading, title: "Template", screen: func() screen { return &loadingScreen{} }, back: (*Model).sourceStep,
		help: "Give a template file (YAML or JSON) or an https URL. Empty downloads JetBrains' published template, a fresh start. A template over 1 MB is refused. Flag: --template."},
	{id: stepContainer, title: "Agent container", screen: func() screen { return &containerScreen{} }, back: (*Model).sourceStep,
		asked: func(m *Model) bool { return m.a.parsed != nil && len(m.a.parsed.Agents()) == 0 },
		given: func(c Config) bool { return len(c.Containers) > 0 },
		help:  "tcdind finds the TeamCity agent by its image (…/teamcity-agent[:tag]); no container here has it, so choose the container that runs the agent. Only that container gets Docker-in-Docker; sidecars stay as they are. Flag: --container."},
	{id: stepTaskDef, title: "Task definition", screen: func() screen { return &taskDefScreen{} },
		asked: func(m *Model) bool { return m.a.tmpl != nil && len(m.a.tmpl.Agents()) > 1 },
		given: func(c Config) bool { return len(c.TaskDefinitions) > 0 },
		help:  "Several task definitions run a TeamCity agent; choose one or more (x or space chooses). Flag: --task-definition."},
	{id: stepMode, title: "Mode", screen: func() screen { return &modeScreen{} }, asked: always,
		given: func(c Config) bool { return c.Mode != "" },
		help:  "socket mounts the host's /var/run/docker.sock; privileged runs the agent privileged with its own Docker daemon; none undoes both. On a stack, privileged reads \"not allowed on these hosts\" when none of the agents' container instances allows privileged containers. Flag: --mode."},
	{id: stepOptions, title: "Recipe", screen: func() screen { return &optionsScreen{} },
		asked: func(m *Model) bool { return recipeApplies(m.a.mode) },
		given: func(c Config) bool { return c.Mode != "" || c.RecipeGiven },
		help:  "The complete recipe follows JetBrains' documented docker run lines, so Docker really works in builds; minimal writes only the original blog post's edits."},
	{id: stepVersion, title: "Agent version", screen: func() screen { return &versionScreen{} },
		asked: (*Model).needsVersion,
		given: func(c Config) bool { return c.AgentVersion != "" },
		help:  "The agent image is tagged latest, which has no -sudo variant: the version given pins the agent's image to <version>-linux-sudo; the server keeps its tag. Flag: --agent-version."},
	{id: stepTeamCity, title: "TeamCity", screen: func() screen { return &teamCityScreen{} },
		asked: (*Model).offersTeamCity,
		given: func(c Config) bool { return c.TeamCityURL != "" },
		help:  "With TeamCity, tcdind finds the agents that run in the tasks the update replaces, can disable them and wait for their builds before executing (a drain), and checks after the update that TeamCity sees Docker on the new agents. Flags: --teamcity-url, --drain; the token from TEAMCITY_TOKEN or --teamcity-token-file."},
	{id: stepTCURL, title: "TeamCity", screen: func() screen { return &teamCityURLScreen{} },
		asked: func(m *Model) bool { return m.offersTeamCity() && m.a.tc.choice == tcOther },
		given: func(c Config) bool { return c.TeamCityURL != "" },
		help:  "The TeamCity server's URL, as you open it in a browser. Flag: --teamcity-url."},
	{id: stepTCToken, title: "TeamCity", screen: func() screen { return &teamCityTokenScreen{} },
		asked: func(m *Model) bool { return m.offersTeamCity() && m.a.tc.choice != tcSkip && m.cfg.TeamCityToken == "" },
		given: func(c Config) bool { return c.TeamCityToken != "" },
		help:  "A TeamCity access token; it is never shown, kept or put in a flag. Instead of typing it, set TEAMCITY_TOKEN or give --teamcity-token-file."},
	{id: stepReview, title: "Review", screen: func() screen { return &reviewScreen{} }, asked: always,
		help: "The diff shows every line that changes; everything else in the file stays byte for byte. Scroll with ↑/↓ and pgup/pgdn. Flag: --diff prints it without the wizard."},
	{id: stepSave, title: "Save", screen: func() screen { return &saveScreen{} }, back: to(stepReview),
		help: "The file is written atomically (a temporary file, then a rename) and keeps the mode of a file it replaces; ~ and quotes are understood. Flags: --output, --in-place."},
	{id: stepOverwrite, title: "Save", screen: func() screen { return &overwriteScreen{} }, back: to(stepSave),
		help: "The file is written atomically (a temporary file, then a rename) and keeps the mode of a file it replaces. Flags: --output, --in-place."},
	{id: stepBucket, title: "S3 bucket", screen: func() screen { return &bucketScreen{} }, back: to(stepReview),
		help: "A template over 51,200 bytes cannot be sent to CloudFormation inline: it is uploaded to tcdind/<stack>/<sha256> in this bucket, in the stack's account, and the change set reads it from there. Flag: --s3-bucket."},
	{id: stepChangeSet, title: "Change set", screen: func() screen { return &changeSetScreen{} },
		help: "CloudFormation's change set: what it will change if executed. Execute updates the stack and replaces the agent tasks (running builds are interrupted); Discard, the default, deletes the change set. Flag: --apply."},
	{id: stepDrain, title: "Drain", screen: func() screen { return &drainScreen{} },
		help: "tcdind disabled the TeamCity agents that run in the tasks the update replaces: they finish the build they run and take no new one. Once no build runs, the change set is executed. ctrl+c enables exactly the agents tcdind disabled again, checks them, and deletes the change set. Flags: --drain, --drain-timeout."},
	{id: stepProgress, title: "Update", screen: func() screen { return &progressScreen{} },
		help: "The update's events as CloudFormation reports them, and the agents' rollout as ECS reports it. When the rollout is clearly failing, c cancels the update so that CloudFormation rolls back now. ctrl+c leaves; the update goes on in AWS."},
	{id: stepTCAfter, title: "TeamCity", screen: func() screen { return &tcAfterScreen{} },
		help: "The agents a drain disabled are enabled again. Then tcdind waits, for a bounded time, until TeamCity shows the new tasks' agents connected, authorized and reporting Docker (docker.server.version): TeamCity runs builds that need Docker only on such agents. ctrl+c leaves; the stack stays updated."},
	{id: stepDone, title: "Done", screen: func() screen { return &doneScreen{} },
		help: "Press enter to leave."},
}

// rowOf is step s's row.
func rowOf(s step) row {
	for _, r := range flow {
		if r.id == s {
			return r
		}
	}
	return row{id: s, title: string(s)}
}

func indexOf(s step) int {
	return slices.IndexFunc(flow, func(r row) bool { return r.id == s })
}

func (s step) String() string { return rowOf(s).title }

// asks reports whether screen s is asked on the way to the review.
func (m *Model) asks(s step) bool {
	r := rowOf(s)
	return r.asked != nil && r.asked(m)
}

// nextStep is the first screen after from that is asked and that flags did
// not answer; the review at the latest.
func (m *Model) nextStep(from step) step {
	for _, r := range flow[indexOf(from)+1:] {
		if r.id == stepReview {
			break
		}
		if m.asks(r.id) && !m.skip[r.id] {
			return r.id
		}
	}
	return stepReview
}

// prevStep is the step esc goes back to from s.
func (m *Model) prevStep(s step) (step, bool) {
	r := rowOf(s)
	if r.back != nil {
		return r.back(m), true
	}
	if r.asked == nil {
		return s, false
	}
	i := indexOf(s)
	for j := i - 1; j >= 0 && flow[j].id != stepLoading; j-- {
		if m.asks(flow[j].id) {
			return flow[j].id, true
		}
	}
	return m.sourceStep(), true
}

// sourceStep is the question that names the template: its path, or the stack.
func (m *Model) sourceStep() step {
	if m.a.source == sourceStack {
		return stepStacks
	}
	return stepTemplate
}

// skipped are the screens flags answered.
func skipped(cfg Config) map[step]bool {
	skip := map[step]bool{}
	for _, r := range flow {
		if r.given != nil && r.given(cfg) {
			skip[r.id] = true
		}
	}
	return skip
}

// unskipFrom asks s and every screen after it from now on: the user went
// back to answer again.
func (m *Model) unskipFrom(s step) {
	for _, r := range flow[max(indexOf(s), 0):] {
		delete(m.skip, r.id)
	}
}
