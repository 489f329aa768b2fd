package report

import (
	"slices"

	"github.com/tcdind/tcdind/dind"
)

// SchemaVersion is the version of the result schema.
const SchemaVersion = 1

// Document is the result of one run of tcdind (not status, see Status).
type Document struct {
	SchemaVersion int    `json:"schema_version"`
	Tool          string `json:"tool"`
	Version       string `json:"version"`
	// Command is what the run did: check, diff, output, in-place, apply,
	// no-execute or execute.
	Command string `json:"command"`
	Input   Input  `json:"input"`
	Mode    string `json:"mode,omitempty"`
	// NeedsChange: the template or the stack's parameters must change for
	// the mode; absent when the run ended before it was known.
	NeedsChange        *bool             `json:"needs_change,omitempty"`
	TaskDefinitions    []TaskDefinition  `json:"task_definitions"`
	Changes            []Change          `json:"changes"`
	Warnings           []string          `json:"warnings"`
	ParameterOverrides map[string]string `json:"parameter_overrides,omitempty"`
	// Output is where the patched template was written, if anywhere.
	Output *Output `json:"output,omitempty"`
	// Diff is the unified diff (--diff); it is not printed besides.
	Diff *string `json:"diff,omitempty"`
	// Hosts are the agents' hosts a stack run read (not for mode none).
	Hosts     *Hosts     `json:"hosts,omitempty"`
	ChangeSet *ChangeSet `json:"change_set,omitempty"`
	Update    *Update    `json:"update,omitempty"`
	Rollout   *Rollout   `json:"rollout,omitempty"`
	TeamCity  *TeamCity  `json:"teamcity,omitempty"`
	Exit      Exit       `json:"exit"`
	// Error is the one line printed on standard error, without "tcdind: ".
	Error *string `json:"error"`
}

// Input is what the run read.
type Input struct {
	Template string `json:"template,omitempty"` // path, URL or "-"
	Stack    string `json:"stack,omitempty"`    // name as given
	StackID  string `json:"stack_id,omitempty"` // ARN, once read
	Region   string `json:"region,omitempty"`
	Account  string `json:"account,omitempty"`
	Profile  string `json:"profile,omitempty"`
}

// TaskDefinition is an agent task definition and its containers' modes.
type TaskDefinition struct {
	LogicalID  string      `json:"logical_id"`
	Target     bool        `json:"target"` // edited (or would be)
	Refusal    string      `json:"refusal,omitempty"`
	Containers []Container `json:"containers"`
}

// Container is one agent container: its mode before the run and after the
// edit (as read back from the patched template, not assumed).
type Container struct {
	Name       string `json:"name"`
	Image      string `json:"image,omitempty"`
	ModeBefore string `json:"mode_before"`
	ModeAfter  string `json:"mode_after"`
}

// Change is one edit.
type Change struct {
	TaskDefinition string `json:"task_definition"`
	Container      string `json:"container,omitempty"`
	Summary        string `json:"summary"`
}

// Output is a written template.
type Output struct {
	Path    string `json:"path"`
	Written bool   `json:"written"`
	Bytes   int    `json:"bytes"`
}

// Hosts are the container instances of the clusters that run the agents,
// read before anything was written or executed.
type Hosts struct {
	// Notes say what could not be read at all (the stack's resources).
	Notes    []string      `json:"notes"`
	Clusters []HostCluster `json:"clusters"`
}

// HostCluster is one cluster's hosts.
type HostCluster struct {
	Cluster string `json:"cluster"`
	// Read: its container instances were listed and described; Hosts is
	// then every ACTIVE one the agents' memberOf placement constraints
	// allow (none: an Auto Scaling group at zero, or none matching).
	Read bool `json:"read"`
	// Instances counts the cluster's ACTIVE container instances (nil
	// unless Read); MemberOf are the constraints that narrowed them to
	// Hosts.
	Instances *int     `json:"instances,omitempty"`
	MemberOf  []string `json:"member_of,omitempty"`
	// Summary is the line printed: "2 × Amazon Linux 2023, x86_64, Docker
	// 25.0.8, privileged allowed (cluster C)"; empty without hosts.
	Summary string `json:"summary,omitempty"`
	Hosts   []Host `json:"hosts"`
	// Warnings are what these hosts mean for the mode, and what could not
	// be read (the instances, the AMIs' names, the desired counts).
	Warnings []string `json:"warnings"`
}

// Host is one container instance.
type Host struct {
	OS         string `json:"os"`
	Arch       string `json:"arch,omitempty"`
	Docker     string `json:"docker,omitempty"`
	Privileged bool   `json:"privileged"`
	AMI        string `json:"ami,omitempty"`
}

// ChangeSet is the change set a stack run made or executed.
type ChangeSet struct {
	Name    string           `json:"name"`
	ARN     string           `json:"arn,omitempty"`
	Status  string           `json:"status,omitempty"`
	Changes []ResourceChange `json:"changes"`
	// Scope: "expected" when it changes only what tcdind edited, "other"
	// when it also changes other resources (listed in Other).
	Scope string   `json:"scope,omitempty"`
	Other []string `json:"other,omitempty"`
	// Fate: executed, kept (--no-execute), deleted, no-changes (deleted:
	// nothing to change), or may-remain (could not be checked).
	Fate       string `json:"fate,omitempty"`
	ConsoleURL string `json:"console_url,omitempty"`
	// ExecuteCommand executes a kept change set.
	ExecuteCommand string `json:"execute_command,omitempty"`
}

// ResourceChange is one line of a change set.
type ResourceChange struct {
	Action       string `json:"action"`
	LogicalID    string `json:"logical_id"`
	ResourceType string `json:"resource_type"`
	Replacement  string `json:"replacement,omitempty"`
}

// Update is the stack update's outcome.
type Update struct {
	// Status is the stack's terminal status; empty while not known (the
	// update goes on).
	Status          string           `json:"status"`
	Reason          string           `json:"reason,omitempty"`
	Cancelled       string           `json:"cancelled,omitempty"`
	FailedResources []FailedResource `json:"failed_resources"`
}

// FailedResource is a resource event of the update that failed.
type FailedResource struct {
	LogicalID    string `json:"logical_id"`
	ResourceType string `json:"resource_type"`
	Status       string `json:"status"`
	Reason       string `json:"reason"`
}

// Rollout is what tcdind saw of the agents in ECS and what it verified.
type Rollout struct {
	Services []string `json:"services"`
	Lines    []Line   `json:"lines"`
	// Verified: after UPDATE_COMPLETE, ECS shows the services run the new
	// revision in the mode; false when it shows otherwise or could not be
	// read (see Lines).
	Verified bool `json:"verified"`
}

// Line is one rollout line.
type Line struct {
	Service string `json:"service,omitempty"`
	Kind    string `json:"kind"` // progress, event, stopped, failing, note, verified
	Text    string `json:"text"`
}

// Exit is the run's exit status and what it means.
type Exit struct {
	Code    int    `json:"code"`
	Meaning string `json:"meaning"`
}

// New is an empty document of command, with the lists empty (not null).
func New(command, version string) *Document {
	return &Document{
		SchemaVersion:   SchemaVersion,
		Tool:            "tcdind",
		Version:         version,
		Command:         command,
		TaskDefinitions: []TaskDefinition{},
		Changes:         []Change{},
		Warnings:        []string{},
	}
}

// SetResult records the engine's result: the agents before (from the
// original template) and after (from the patched one), the changes and
// warnings. opts names the agent containers, as for the run.
func (d *Document) SetResult(original []byte, res *dind.Result, opts dind.Options) {
	if d == nil || res == nil {
		return
	}
	need := res.NeedsChange()
	d.NeedsChange = &need
	d.Mode = string(opts.Mode)
	d.Changes = []Change{}
	for _, c := range res.Changes {
		d.Changes = append(d.Changes, Change{TaskDefinition: c.TaskDefinition, Container: c.Container, Summary: c.Summary})
	}
	d.Warnings = append([]string{}, res.Warnings...)
	if len(res.ParameterOverrides) > 0 {
		d.ParameterOverrides = res.ParameterOverrides
	}
	before := agents(original, opts.Containers)
	after := agents(res.Output, opts.Containers)
	d.TaskDefinitions = []TaskDefinition{}
	for _, td := range before {
		out := TaskDefinition{LogicalID: td.LogicalID, Target: slices.Contains(res.Targets, td.LogicalID), Refusal: td.Refusal, Containers: []Container{}}
		for _, c := range td.Containers {
			ac := Container{Name: c.Name, Image: c.Image, ModeBefore: string(c.Mode), ModeAfter: string(c.Mode)}
			if a, ok := find(after, td.LogicalID, c.Name); ok {
				ac.ModeAfter = string(a.Mode)
				ac.Image = a.Image
			}
			out.Containers = append(out.Containers, ac)
		}
		d.TaskDefinitions = append(d.TaskDefinitions, out)
	}
}

// agents are the agent task definitions of a template; none when it does
// not parse (the engine said why).
func agents(src []byte, names []string) []dind.TaskDefinition {
	t, err := dind.Parse(src)
	if err != nil {
		return nil
	}
	if len(names) > 0 {
		if t, err = t.WithContainers(names); err != nil {
			return nil
		}
	}
	return t.Agents()
}

func find(tds []dind.TaskDefinition, id, name string) (dind.Container, bool) {
	for _, td := range tds {
		if td.LogicalID != id {
			continue
		}
		for _, c := range td.Containers {
			if c.Name == name {
				return c, true
			}
		}
	}
	return dind.Container{}, false
}
