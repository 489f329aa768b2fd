// Package dind enables Docker-in-Docker on the TeamCity build agent task
// definitions of a CloudFormation template.
//
// It is a pure engine: bytes in, bytes out. The template is parsed with
// positions and every edit is an insertion into (or a small removal from) the
// original bytes, so that everything the edit does not need stays identical.
// It performs no I/O.
package dind

import (
	"errors"
	"fmt"
	"strings"
)

// Mode is a Docker-in-Docker configuration of an agent container.
type Mode string

const (
	// ModeNone has neither the host's Docker socket nor privileged mode.
	ModeNone Mode = "none"
	// ModeSocket mounts the host's /var/run/docker.sock into the agent.
	ModeSocket Mode = "socket"
	// ModePrivileged runs the agent privileged with its own Docker daemon.
	ModePrivileged Mode = "privileged"
	// ModeMixed is detected only: a container that has both the socket and
	// privileged mode. Applying a mode resolves it.
	ModeMixed Mode = "mixed"
)

// ParseMode accepts the modes a user may ask for.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModeNone, ModeSocket, ModePrivileged:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q: use socket, privileged or none", s)
}

// AllTaskDefinitions selects every agent task definition.
const AllTaskDefinitions = "all"

// Options say what to write.
type Options struct {
	Mode Mode
	// Minimal writes only the edits of the original blog post.
	Minimal bool
	// BuildDirs mirrors /opt/buildagent/{work,temp,tools,plugins,system} as
	// host volumes in socket mode (complete recipe only).
	BuildDirs bool
	// HealthCheck gives the agent container a HealthCheck that runs
	// docker info (complete recipe only), so that ECS marks an agent whose
	// Docker does not answer unhealthy; false leaves it out and removes
	// tcdind's own. None mode always removes tcdind's own.
	HealthCheck bool
	// SudoImage switches the agent image to its -sudo tag in privileged mode
	// (complete recipe only): 2025.07 becomes 2025.07-linux-sudo,
	// 2025.07-linux-arm64 becomes 2025.07-linux-arm64-sudo. A literal tag is
	// rewritten in place; a tag held by a parameter changes the parameter's
	// Default on a template, and gives Result.ParameterOverrides on a stack
	// (ParameterValues set). A parameter that also sets something else (the
	// server's image in JetBrains' template) keeps its value: the agent's
	// Image gets the suffix after it instead (!Ref V becomes
	// !Sub '${V}-linux-sudo'). latest, no tag and digests are never guessed.
	SudoImage bool
	// ParameterValues are a stack's deployed values of the parameters
	// (*Template).ImageParameters names; nil for a template, whose Defaults
	// are used instead. With them the engine never edits a Default: it reads
	// the agent image from the deployed values and reports a parameter change
	// as Result.ParameterOverrides.
	ParameterValues map[string]string
	// AgentVersion pins a floating agent tag (latest, or none) with
	// SudoImage: the image gets <AgentVersion>-linux-sudo. Without it, the
	// version of a teamcity-server image the template pins is used, and
	// with neither, SudoImage on a floating tag is a VersionNeededError.
	AgentVersion string
	// Arch is the hosts' CPU architecture (ArchX86_64, ArchARM64; "" for
	// x86_64): on arm64 the -sudo tag is <version>-linux-arm64-sudo.
	Arch string
	// TaskDefinitions are logical IDs of agent task definitions to edit.
	// Empty means the only one found; {"all"} means every one.
	TaskDefinitions []string
	// Containers name the agent containers, overriding the agent rule:
	// exactly the containers with these Names are edited, in every task
	// definition that has one (narrowed by TaskDefinitions when given).
	Containers []string
}

// OneAgentAnInstance reports that the edit places at most one agent on an
// instance: the complete socket recipe with the build directories gives
// the agent's services ECS's distinctInstance placement constraint.
func (o Options) OneAgentAnInstance() bool {
	return o.Mode == ModeSocket && !o.Minimal && o.BuildDirs
}

// DefaultOptions is the complete recipe of mode.
func DefaultOptions(mode Mode) Options {
	return Options{Mode: mode, BuildDirs: true, HealthCheck: true}
}

// TaskDefinition is an AWS::ECS::TaskDefinition with at least one agent container.
type TaskDefinition struct {
	LogicalID  string
	Line       int // 1-based line of the logical ID
	Containers []Container
	// Refusal says why this task definition cannot get Docker-in-Docker
	// (Fargate, Windows); empty when it can.
	Refusal string
}

// Mode is the mode of the task definition's agent containers: the common mode
// when they agree, ModeMixed when they do not.
func (t TaskDefinition) Mode() Mode {
	var mode Mode
	for _, c := range t.Containers {
		switch {
		case mode == "":
			mode = c.Mode
		case mode != c.Mode:
			return ModeMixed
		}
	}
	if mode == "" {
		return ModeNone
	}
	return mode
}

// Container is an agent container of a task definition.
type Container struct {
	Name  string
	Image string // with parameter defaults substituted, as far as they resolve
	Line  int
	Mode  Mode
}

// Result is what applying a mode produced.
type Result struct {
	// Output is the whole patched template; identical to the input when
	// nothing changed.
	Output []byte
	// Changed reports whether Output differs from the input.
	Changed bool
	// Targets are the logical IDs of the task definitions edited (or that
	// would have been, when already in the mode).
	Targets []string
	// Changes describe each edit for people, in template order.
	Changes []Change
	// Warnings are things the user should know or do that tcdind did not do.
	Warnings []string
	// ParameterOverrides are parameter values a stack update must set (only
	// with Options.ParameterValues): the agent image's -sudo tag, say
	// {"TeamCityVersion": "2025.07-linux-sudo"}. They are listed in Changes
	// too, but are not in Output: a stack needs a change when Changed is true
	// or ParameterOverrides is not empty (NeedsChange).
	ParameterOverrides map[string]string
	// ChangedDefaults are the parameters whose Default Output changes, with
	// the new Default: the agent image's tag parameter with --sudo-image on
	// a template. Outside the edited task definitions, nothing else changes.
	ChangedDefaults map[string]string
	// SudoTag reports that the agent image tag was switched to its -sudo
	// variant, in Output or through ParameterOverrides.
	SudoTag bool
	// Before is the mode each target was in before the edit, by logical ID.
	Before map[string]Mode
	// NoDocker are the agents that privileged mode leaves with an image
	// that, as written, cannot start Docker (why, and what to do). The
	// engine plans the edit all the same; a front end refuses to write or
	// apply it (Refusal): it would deploy privileged agents whose builds
	// find no Docker, and end with exit 0.
	NoDocker []*SudoNeededError
	// Services are the logical IDs of the AWS::ECS::Service resources whose
	// PlacementConstraints the edit changes (tcdind's distinctInstance, added
	// by the complete socket recipe with the build directories, removed by
	// the other recipes); nothing else of them changes. Their changes are
	// listed under the task definition they run.
	Services []string
}

// Refusal is the reason a front end must not write or apply the result:
// the first agent whose image cannot start Docker (a *SudoNeededError,
// which unwraps to a *RefusedError); nil otherwise.
func (r *Result) Refusal() error {
	if len(r.NoDocker) == 0 {
		return nil
	}
	return r.NoDocker[0]
}

// NeedsChange reports whether the template or a stack's parameters must
// change for the mode.
func (r *Result) NeedsChange() bool { return r.Changed || len(r.ParameterOverrides) > 0 }

// AlreadyInMode reports that every target was in the mode asked for before
// the edit: a change is then only the rest of the recipe (User: root, the
// build directory mounts, the -sudo tag, …).
func (r *Result) AlreadyInMode(mode Mode) bool {
	if len(r.Targets) == 0 {
		return false
	}
	for _, id := range r.Targets {
		if r.Before[id] != mode {
			return false
		}
	}
	return true
}

// Change is one edit, described for people.
type Change struct {
	TaskDefinition string
	Container      string // empty for a task-level edit such as a volume
	Summary        string // "add Privileged: true"
}

func (c Change) String() string {
	if c.Container == "" {
		return c.TaskDefinition + ": " + c.Summary
	}
	return c.TaskDefinition + "/" + c.Container + ": " + c.Summary
}

// MaxTemplateSize is CloudFormation's own limit for a template in S3.
const MaxTemplateSize = 1 << 20

// ErrNoAgent is returned when no task definition runs a TeamCity agent. The
// error returned may wrap it with the container names found; test with
// errors.Is.
var ErrNoAgent = errors.New("no TeamCity agent container found: looked for a container whose image is …/teamcity-agent[:tag] or, where the image is not known before deploy, whose name is teamcity-agent; if your agent uses another image, name its container with --container NAME")

// noAgentError is ErrNoAgent with the containers the template has.
type noAgentError struct{ found []string }

func (e *noAgentError) Error() string {
	if len(e.found) == 0 {
		return ErrNoAgent.Error() + " (the template has no ECS container definitions)"
	}
	return ErrNoAgent.Error() + " (containers found: " + strings.Join(e.found, ", ") + ")" + unnamedAdvice(e.found)
}

func (e *noAgentError) Unwrap() error { return ErrNoAgent }

// ContainerError is an Options.Containers name that no task definition has.
type ContainerError struct {
	Name  string
	Found []string // the names of every container of every task definition
}

func (e *ContainerError) Error() string {
	if len(e.Found) == 0 {
		return fmt.Sprintf("--container %s: the template has no ECS container definitions", e.Name)
	}
	return fmt.Sprintf("--container %s: no task definition has a container of that name; name one of: %s%s", e.Name, strings.Join(e.Found, ", "), unnamedAdvice(e.Found))
}

// ParseError is input that is neither YAML nor JSON.
type ParseError struct {
	Line, Column int // 1-based; Column is 0 when the parser does not know it
	Msg          string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("template is not valid YAML or JSON: line %d, column %d: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("template is not valid YAML or JSON: line %d: %s", e.Line, e.Msg)
	}
	return "template is not valid YAML or JSON: " + e.Msg
}

// RefusedError is a template tcdind will not edit; nothing was written.
type RefusedError struct {
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// SelectionError is a --task-definition problem the user must resolve:
// several agent task definitions and none chosen, or an unknown ID.
type SelectionError struct {
	Msg   string
	Found []string // logical IDs of every agent task definition
}

func (e *SelectionError) Error() string {
	return fmt.Sprintf("%s (agent task definitions: %s)", e.Msg, strings.Join(e.Found, ", "))
}
