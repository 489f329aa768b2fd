package report

// TeamCity is what tcdind saw and did in TeamCity (--teamcity-url).
type TeamCity struct {
	URL     string `json:"url"`
	Version string `json:"version,omitempty"`
	// Agents are the agents matched to the tasks the update replaces.
	Agents []TeamCityAgent `json:"agents"`
	// Unmatched are tasks whose agent tcdind cannot tell: never drained.
	Unmatched []TeamCityUnmatched `json:"unmatched"`
	Drain     *Drain              `json:"drain,omitempty"`
	NewAgents *NewAgents          `json:"new_agents,omitempty"`
}

// TeamCityAgent is a matched agent and its task.
type TeamCityAgent struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	Task      string `json:"task"`
	Service   string `json:"service"`
	MatchedBy string `json:"matched_by"` // hostname, name, ip
	Connected bool   `json:"connected"`
	Enabled   bool   `json:"enabled"`
	// RunningBuilds when the review read them.
	RunningBuilds int `json:"running_builds"`
}

// TeamCityUnmatched is a task with no agent tcdind can tell.
type TeamCityUnmatched struct {
	Task    string   `json:"task"`
	Service string   `json:"service"`
	Reason  string   `json:"reason"`
	Agents  []string `json:"agents,omitempty"` // the candidates, when several
}

// Drain is what --drain did.
type Drain struct {
	// Disabled are the agents tcdind disabled; AlreadyDisabled those it
	// left alone.
	Disabled        []string `json:"disabled"`
	AlreadyDisabled []string `json:"already_disabled"`
	// Adopted (among Disabled) were left disabled by an earlier tcdind
	// run on the stack that is over: taken as this run's own.
	Adopted []string `json:"adopted,omitempty"`
	// Builds are every build the drain saw running on the agents.
	Builds         []DrainBuild `json:"builds"`
	WaitedSeconds  int          `json:"waited_seconds"`
	TimedOut       bool         `json:"timed_out"`
	ExecutedAnyway bool         `json:"executed_anyway"`
	// Reenabled were enabled again and read back; NotReenabled may still
	// be disabled (the error says how to enable them); Kept were disabled
	// again by someone else meanwhile.
	Reenabled    []string `json:"reenabled"`
	NotReenabled []string `json:"not_reenabled"`
	Kept         []string `json:"kept"`
}

// DrainBuild is a build the drain waited for.
type DrainBuild struct {
	ID        int    `json:"id"`
	Number    string `json:"number"`
	BuildType string `json:"build_type"`
	Project   string `json:"project,omitempty"`
	Agent     string `json:"agent"`
}

// NewAgents is TeamCity's view of the new tasks' agents after the rollout.
type NewAgents struct {
	Agents []NewAgent `json:"agents"`
	Ready  int        `json:"ready"`
	Total  int        `json:"total"`
	// Docker are the engine versions the agents report.
	Docker []string `json:"docker"`
	// Confirmed: every new agent is connected, authorized and reports
	// Docker.
	Confirmed bool `json:"confirmed"`
}

// NewAgent is one new task's agent.
type NewAgent struct {
	Task          string `json:"task"`
	Name          string `json:"name,omitempty"`
	Connected     bool   `json:"connected"`
	Authorized    bool   `json:"authorized"`
	DockerVersion string `json:"docker_version,omitempty"`
	DockerOSType  string `json:"docker_os_type,omitempty"`
	Reason        string `json:"reason,omitempty"` // why no agent was matched
}
