// Package newagents confirms, after the rollout, what TeamCity itself sees
// on the agents of the new tasks: that they connect, are authorized, and
// report Docker. TeamCity's Docker integration sets docker.server.version
// and docker.server.osType on an agent where docker answers, and runs
// builds that need Docker only on such agents
// (https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html),
// so these parameters are TeamCity's own word that Docker works there.
//
// A new agent that connects unauthorized is said with how to authorize it;
// tcdind does not authorize agents itself: authorizing lets an agent run
// the server's builds, a decision TeamCity leaves to a person (or to a
// cloud profile), and the token would need the "Authorize agents"
// permission for nothing else.
package newagents

import (
	"context"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"sort"
	"strings"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/teamcity"
)

// Defaults.
const (
	// DefaultBound is --teamcity-wait's default: a new agent downloads
	// its plugins from the server and may restart to upgrade before it
	// reports its parameters; a few minutes is usual.
	DefaultBound = 10 * time.Minute
	// DefaultPoll is the pause between reads.
	DefaultPoll = 10 * time.Second
)

// Client lists the agents; *teamcity.Client is one.
type Client interface {
	Agents(ctx context.Context) ([]teamcity.Agent, error)
}

// Check waits for the new tasks' agents.
type Check struct {
	Client Client
	// Tasks reads the new tasks' agent containers (the tasks running now
	// that did not run before the update).
	Tasks func(ctx context.Context) ([]agentmatch.Task, error)
	Bound time.Duration // default DefaultBound
	Poll  time.Duration // default DefaultPoll
	Now   func() time.Time
}

// Seen is one new task's agent as TeamCity shows it.
type Seen struct {
	Task  agentmatch.Task
	Agent teamcity.Agent
	Found bool // an agent was matched to the task
	// Why no agent was matched (not yet connected, ambiguous, …).
	Why string
}

// Docker is the engine's version the agent reports, "" for none.
func (s Seen) Docker() string { return s.Agent.Parameters[teamcity.ParamDockerServerVersion] }

// OSType is the engine's OS (linux, windows).
func (s Seen) OSType() string { return s.Agent.Parameters[teamcity.ParamDockerOSType] }

// Ready: connected, authorized, Docker reported.
func (s Seen) Ready() bool {
	return s.Found && s.Agent.Connected && s.Agent.Authorized && s.Docker() != ""
}

// Report is one look at the new agents.
type Report struct {
	Agents  []Seen
	Elapsed time.Duration
	// TimedOut: the bound passed before every agent was ready.
	TimedOut bool
}

// Ready counts the agents with Docker reported; Total the new tasks.
func (r Report) Ready() (ready, total int) {
	for _, s := range r.Agents {
		if s.Ready() {
			ready++
		}
	}
	return ready, len(r.Agents)
}

// Versions are the Docker versions reported, sorted, once each.
func (r Report) Versions() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range r.Agents {
		if v := s.Docker(); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Run looks until every new agent is ready, the bound passes or ctx ends;
// progress gets each look. Reading ECS or TeamCity failing ends it with
// the error.
func (c *Check) Run(ctx context.Context, progress func(Report)) (Report, error) {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	bound, poll := c.Bound, c.Poll
	if bound <= 0 {
		bound = DefaultBound
	}
	if poll <= 0 {
		poll = DefaultPoll
	}
	start := now()
	for {
		r, err := c.look(ctx)
		if err != nil {
			return r, err
		}
		r.Elapsed = now().Sub(start)
		ready, total := r.Ready()
		if ready < total && r.Elapsed >= bound {
			r.TimedOut = true
		}
		if progress != nil {
			progress(r)
		}
		if ready == total || r.TimedOut {
			return r, nil
		}
		if err := pause.For(ctx, min(poll, bound-r.Elapsed)); err != nil {
			return r, err
		}
	}
}

func (c *Check) look(ctx context.Context) (Report, error) {
	var r Report
	tasks, err := c.Tasks(ctx)
	if err != nil {
		return r, err
	}
	agents, err := c.Client.Agents(ctx)
	if err != nil {
		return r, err
	}
	m := agentmatch.Match(tasks, agents)
	for _, p := range m.Pairs {
		r.Agents = append(r.Agents, Seen{Task: p.Task, Agent: p.Agent, Found: true})
	}
	for _, u := range m.Unmatched {
		r.Agents = append(r.Agents, Seen{Task: u.Task, Why: u.Why})
	}
	sort.SliceStable(r.Agents, func(i, j int) bool { return r.Agents[i].Task.ARN < r.Agents[j].Task.ARN })
	return r, nil
}

// NotConfirmedError is a new agent TeamCity does not show ready: exit
// status 1, with each agent's problem and what to check.
type NotConfirmedError struct {
	Problems []string
}

func (e *NotConfirmedError) Error() string {
	return "TeamCity does not confirm Docker on every new agent: " + strings.Join(e.Problems, "; ")
}

// Err is nil when every new agent is ready, else what is not and what to
// check. server is TeamCity's URL, for the links.
func (r Report) Err(server string, bound time.Duration) error {
	var problems []string
	for _, s := range r.Agents {
		switch {
		case s.Ready():
		case !s.Found:
			problems = append(problems, fmt.Sprintf("no TeamCity agent connected from new task %s within %s (%s): check the task's container log and that the agent reaches the server at its SERVER_URL", s.Task.ID(), bound, s.Why))
		case !s.Agent.Connected:
			problems = append(problems, fmt.Sprintf("agent %s of new task %s is not connected: check the task's container log and %s/agentDetails.html?id=%d", s.Agent.Name, s.Task.ID(), server, s.Agent.ID))
		case !s.Agent.Authorized:
			problems = append(problems, fmt.Sprintf("agent %s of new task %s is connected but not authorized, so it runs no build: authorize it in TeamCity under Agents | Unauthorized, or PUT {\"status\":true} to %s%s (needs the permission %q)",
				s.Agent.Name, s.Task.ID(), server, authorizedPath(s.Agent.ID), teamcity.PermAuthorize))
		default:
			problems = append(problems, fmt.Sprintf("agent %s of new task %s is connected but TeamCity sees no Docker on it (no %s parameter): check that docker info answers in the container, the agent's log (teamcity-agent.log) about Docker, and %s/agentDetails.html?id=%d&tab=agentParameters",
				s.Agent.Name, s.Task.ID(), teamcity.ParamDockerServerVersion, server, s.Agent.ID))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &NotConfirmedError{Problems: problems}
}

func authorizedPath(id int) string { return fmt.Sprintf("/app/rest/agents/id:%d/authorizedInfo", id) }
