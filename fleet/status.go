package fleet

// SchemaVersion is the version of the status document (docs/status.schema.json).
const SchemaVersion = 1

// Status is what status found: the document of --json and the rows of the
// table.
type Status struct {
	SchemaVersion int      `json:"schema_version"`
	Tool          string   `json:"tool"`
	Version       string   `json:"version"`
	Command       string   `json:"command"` // "status"
	Want          string   `json:"want,omitempty"`
	Profiles      []string `json:"profiles"`
	Regions       []string `json:"regions"`
	Stacks        []Stack  `json:"stacks"`
	// Notes are the regions or accounts that could not be read (denied,
	// unreachable): what they hold is not known.
	Notes []Note `json:"notes"`
	// Scanned counts the stacks listed; with agents, those in Stacks.
	Scanned int `json:"scanned"`
	// Calls counts the AWS requests made, by action.
	Calls map[string]int `json:"calls"`
	Exit  Exit           `json:"exit"`
	Error *string        `json:"error"`
}

// Exit is the exit status and its meaning.
type Exit struct {
	Code    int    `json:"code"`
	Meaning string `json:"meaning"`
}

// Stack is a stack with at least one agent task definition.
type Stack struct {
	Profile string `json:"profile,omitempty"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
	ID      string `json:"id"`
	Status  string `json:"status"`
	// Parent is the name of the stack this one is nested in.
	Parent string `json:"parent,omitempty"`
	// Editable: tcdind can --apply to it now; NotEditable says why not.
	Editable    bool     `json:"editable"`
	NotEditable []string `json:"not_editable,omitempty"`
	Agents      []Agent  `json:"agents"`
}

// Agent is one agent container of a task definition.
type Agent struct {
	TaskDefinition string `json:"task_definition"` // logical ID
	Container      string `json:"container"`
	Mode           string `json:"mode"`
	Image          string `json:"image"`
	Tag            string `json:"tag,omitempty"`
	Sudo           bool   `json:"sudo"`
	LaunchType     string `json:"launch_type,omitempty"`
	// Revision is the task definition revision CloudFormation holds
	// (family:revision).
	Revision string    `json:"revision,omitempty"`
	Services []Service `json:"services"`
	// Drift: a service runs another revision than CloudFormation holds.
	Drift bool `json:"drift"`
	// Refusal says why tcdind cannot give this task definition
	// Docker-in-Docker (Fargate, Windows).
	Refusal string `json:"refusal,omitempty"`
}

// Service is an ECS service that runs an agent task definition.
type Service struct {
	Name    string `json:"name"`
	Cluster string `json:"cluster"`
	// Runs is the revision of the service's primary deployment; empty when
	// ECS does not list the service.
	Runs    string `json:"runs"`
	Desired int    `json:"desired"`
	Running int    `json:"running"`
}

// Note is a region or account that could not be read, or something else
// the table must say.
type Note struct {
	Profile string `json:"profile,omitempty"`
	Region  string `json:"region,omitempty"`
	Stack   string `json:"stack,omitempty"`
	Text    string `json:"text"`
}

// NotIn are the agents not in mode, as "stack/task-definition/container".
func (s *Status) NotIn(mode string) []string {
	var out []string
	for _, st := range s.Stacks {
		for _, a := range st.Agents {
			if a.Mode != mode {
				out = append(out, st.Name+"/"+a.TaskDefinition+"/"+a.Container)
			}
		}
	}
	return out
}

// Drifted counts the agents whose services run another revision.
func (s *Status) Drifted() int {
	n := 0
	for _, st := range s.Stacks {
		for _, a := range st.Agents {
			if a.Drift {
				n++
			}
		}
	}
	return n
}

// Empty is a document of a status run that read nothing (a usage error).
func Empty(version string) *Status {
	return &Status{SchemaVersion: SchemaVersion, Tool: "tcdind", Version: version, Command: "status",
		Profiles: []string{}, Regions: []string{}, Stacks: []Stack{}, Notes: []Note{}, Calls: map[string]int{}}
}

// Finish records how the run ended.
func (s *Status) Finish(code int, meaning, errLine string) {
	s.Exit = Exit{Code: code, Meaning: meaning}
	if errLine != "" {
		s.Error = &errLine
	}
}
