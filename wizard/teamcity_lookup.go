package wizard

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
	"github.com/tcdind/tcdind/teamcity"
)

// tcRun is the run's TeamCity: the client, what it said about the agents
// of the tasks being replaced, and the drain.
type tcRun struct {
	client *teamcity.Client
	seq    int
	// looking: the lookup is out; look is its result.
	looking bool
	look    *tcLook
	// drain is the drain, once started; drainErr why it ended before
	// executing.
	drain    *drainRun
	drainErr error
	// staysDisabled: the update was left running, and the drained agents
	// with it (closeTeamCity).
	staysDisabled bool
	// after is what TeamCity showed of the new agents; afterErr the
	// run's failure from it (an agent without Docker, …).
	after    *newagents.Report
	afterErr error
}

// tcLook is what TeamCity and ECS said before the change set: the agents
// that run in the tasks the update replaces.
type tcLook struct {
	server   teamcity.Server
	services []agentmatch.Service
	tasks    []agentmatch.Task // the agent containers running now
	match    agentmatch.Result
	err      error
}

// ok reports whether the lookup answered.
func (l *tcLook) ok() bool { return l != nil && l.err == nil }

// canDrain reports whether a drain is offered: TeamCity answered and at
// least one agent was matched to a task being replaced.
func (m *Model) canDrain() bool {
	return m.tc.look.ok() && len(m.tc.look.match.Pairs) > 0
}

type tcLookedMsg struct {
	seq    int
	client *teamcity.Client
	look   *tcLook
}

func (tcLookedMsg) route() step { return stepReview }

// errNoECS: the AWS client cannot read ECS (only fakes).
var errNoECS = errors.New("this AWS client cannot read ECS: the agents' tasks are unknown")

// lookUpTeamCity asks TeamCity and ECS, behind the review, which agents run
// in the tasks the update replaces: the server's version (which proves the
// URL and the token), the services that run the edited task definitions
// (rollout.Locate), their running tasks (agentmatch.ReadTasks), every
// agent, and the match. Nil when TeamCity is not used.
func (m *Model) lookUpTeamCity() tea.Cmd {
	if !m.isStack() || !m.a.tc.use() || m.result == nil || !m.result.NeedsChange() {
		m.tc.look, m.tc.looking = nil, false
		return nil
	}
	m.tc.seq++
	m.tc.looking, m.tc.look = true, nil
	seq, url, token, region, sess, hc := m.tc.seq, m.a.tc.url, m.a.tc.token, m.a.region, m.sess, m.cfg.tcHTTP
	stack, tmpl, res, opts := m.a.stackInfo.Name, m.a.tmpl, m.result, m.a.options()
	return sess.do(func() tea.Msg {
		ctx := sess.ctx
		look := &tcLook{}
		client, err := teamcity.New(url, token)
		if err != nil {
			look.err = err
			return tcLookedMsg{seq: seq, look: look}
		}
		if hc != nil {
			client.HTTP = hc
		}
		look.err = func() error {
			srv, err := client.Server(ctx)
			if err != nil {
				return err
			}
			look.server = srv
			c, err := sess.client(ctx, region)
			if err != nil {
				return err
			}
			ecs, ok := c.(rollout.Client)
			reader, ok2 := c.(agentmatch.Reader)
			if !ok || !ok2 {
				return errNoECS
			}
			located, err := rollout.Locate(ctx, ecs, stack, tmpl, res, opts)
			if err != nil {
				return err
			}
			for _, l := range located {
				look.services = append(look.services, agentmatch.Service{Name: l.Name, Cluster: l.Cluster, Containers: l.Containers})
			}
			if look.tasks, err = agentmatch.ReadTasks(ctx, reader, look.services); err != nil {
				return err
			}
			agents, err := client.Agents(ctx)
			if err != nil {
				return err
			}
			look.match = agentmatch.Match(look.tasks, agents)
			return nil
		}()
		return tcLookedMsg{seq: seq, client: client, look: look}
	})
}

// tcLooked takes the lookup's answer.
func (m *Model) tcLooked(msg tcLookedMsg) {
	if msg.seq != m.tc.seq {
		return
	}
	m.tc.looking, m.tc.look, m.tc.client = false, msg.look, msg.client
}

// tasksNow reads the agent containers of the same services again: after
// the update, those not running before are the new tasks.
func (m *Model) newTasks() func(ctx context.Context) ([]agentmatch.Task, error) {
	look, region, sess := m.tc.look, m.a.region, m.sess
	before := map[string]bool{}
	for _, t := range look.tasks {
		before[t.ARN] = true
	}
	return func(ctx context.Context) ([]agentmatch.Task, error) {
		c, err := sess.client(ctx, region)
		if err != nil {
			return nil, err
		}
		reader, ok := c.(agentmatch.Reader)
		if !ok {
			return nil, errNoECS
		}
		all, err := agentmatch.ReadTasks(ctx, reader, look.services)
		if err != nil {
			return nil, err
		}
		var out []agentmatch.Task
		for _, t := range all {
			if !before[t.ARN] {
				out = append(out, t)
			}
		}
		return out, nil
	}
}

// teamCityLines are the review's TeamCity section, one sentence or list
// item a line; none when TeamCity is not used.
func (m *Model) teamCityLines() []string {
	switch {
	case !m.isStack() || !m.a.tc.use() || m.result == nil || !m.result.NeedsChange():
		return nil
	case m.tc.looking || m.tc.look == nil:
		return []string{render.TeamCityLooking(m.a.tc.url)}
	case m.tc.look.err != nil:
		return []string{render.TeamCityLookFailed(oneLine(m.tc.look.err))}
	}
	l := m.tc.look
	var agents []render.MatchedAgent
	for _, p := range l.match.Pairs {
		agents = append(agents, render.MatchedAgent{Name: p.Agent.Name, Task: p.Task.ID(), Enabled: p.Agent.Enabled, Connected: p.Agent.Connected})
	}
	var unmatched []render.UnmatchedTask
	for _, u := range l.match.Unmatched {
		unmatched = append(unmatched, render.UnmatchedTask{Task: u.Task.ID(), Why: u.Why})
	}
	return render.TeamCityFound(l.server.Version, m.a.tc.url, len(l.tasks), agents, unmatched)
}
