package agentmatch

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tcdind/tcdind/teamcity"
)

// shortID is how many characters of the container ID Docker makes its
// hostname.
const shortID = 12

// Pair is a task and the agent that runs in it.
type Pair struct {
	Task  Task
	Agent teamcity.Agent
	// By says how they were told to be the same: "hostname", "name" or
	// "ip".
	By string
}

// Unmatched is a task with no agent, or with more than one, or an agent
// that fits more than one task: none of them is touched.
type Unmatched struct {
	Task   Task
	Agents []teamcity.Agent // the candidates, when more than one
	Why    string
}

// Result is what matching found.
type Result struct {
	Pairs     []Pair
	Unmatched []Unmatched
}

// Agents are the matched agents, in task order.
func (r Result) Agents() []teamcity.Agent {
	out := make([]teamcity.Agent, 0, len(r.Pairs))
	for _, p := range r.Pairs {
		out = append(out, p.Agent)
	}
	return out
}

// Match pairs each task with the one agent that runs in it (see the
// package's comment for how, and why).
func Match(tasks []Task, agents []teamcity.Agent) Result {
	var res Result
	type found struct {
		task  Task
		cands []teamcity.Agent
		by    string
	}
	var all []found
	uses := map[int]int{} // agent ID → tasks it fits
	for _, t := range tasks {
		cands, by, why := candidates(t, agents)
		if why != "" {
			res.Unmatched = append(res.Unmatched, Unmatched{Task: t, Why: why})
			continue
		}
		for _, a := range cands {
			uses[a.ID]++
		}
		all = append(all, found{t, cands, by})
	}
	for _, f := range all {
		switch {
		case len(f.cands) == 0:
			res.Unmatched = append(res.Unmatched, Unmatched{Task: f.task, Why: noAgent(f.task)})
		case len(f.cands) > 1:
			res.Unmatched = append(res.Unmatched, Unmatched{Task: f.task, Agents: f.cands,
				Why: fmt.Sprintf("%d agents fit it (%s): tcdind cannot tell which runs in it", len(f.cands), names(f.cands))})
		case uses[f.cands[0].ID] > 1:
			res.Unmatched = append(res.Unmatched, Unmatched{Task: f.task, Agents: f.cands,
				Why: fmt.Sprintf("agent %s fits %d tasks: tcdind cannot tell which it runs in", f.cands[0].Name, uses[f.cands[0].ID])})
		default:
			res.Pairs = append(res.Pairs, Pair{Task: f.task, Agent: f.cands[0], By: f.by})
		}
	}
	return res
}

// candidates are the agents that fit task t, how, or why none can.
func candidates(t Task, agents []teamcity.Agent) (cands []teamcity.Agent, by, why string) {
	switch t.NetworkMode {
	case "host":
		return nil, "", "its task runs in host network mode: the agent has the instance's hostname and address, which other agents on the instance share, so tcdind cannot tell it apart"
	case "awsvpc":
		if t.IP == "" {
			return nil, "", "ECS shows no address for its task yet (awsvpc)"
		}
		for _, a := range agents {
			if a.Connected && a.IP == t.IP {
				cands = append(cands, a)
			}
		}
		return cands, "ip", ""
	}
	// bridge: the hostname is the container's short ID, unless the task
	// definition names the host.
	host := t.Hostname
	if host == "" {
		if len(t.RuntimeID) < shortID {
			return nil, "", "ECS shows no Docker container ID for it yet"
		}
		host = t.RuntimeID[:shortID]
	}
	by = "hostname"
	for _, a := range agents {
		h, reported := a.Parameters[teamcity.ParamHostname]
		switch {
		case reported && strings.EqualFold(h, host):
			cands = append(cands, a)
		case !reported && strings.EqualFold(a.Name, host):
			cands = append(cands, a)
			by = "name"
		}
	}
	if t.Hostname != "" && len(cands) > 1 {
		// The same hostname in every task: only connected agents of it
		// can be running now, and even they may be several.
		var connected []teamcity.Agent
		for _, a := range cands {
			if a.Connected {
				connected = append(connected, a)
			}
		}
		cands = connected
	}
	return cands, by, ""
}

// noAgent says why a task has no agent.
func noAgent(t Task) string {
	switch {
	case t.NetworkMode == "awsvpc":
		return "no connected TeamCity agent has its address " + t.IP
	case t.Hostname != "":
		return "no TeamCity agent reports its hostname " + t.Hostname
	}
	return "no TeamCity agent reports its hostname " + t.RuntimeID[:shortID] + " (env.HOSTNAME, the first 12 characters of its Docker container ID)"
}

func names(agents []teamcity.Agent) string {
	var n []string
	for _, a := range agents {
		n = append(n, a.Name)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}
