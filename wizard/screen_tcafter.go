package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/render"
)

// tcAfterScreen follows the update in TeamCity: it enables again the
// agents a drain disabled, then, when the stack was updated, waits
// (bounded) until TeamCity shows the new tasks' agents connected,
// authorized and reporting Docker. TeamCity has the last word on Docker:
// it runs builds that need Docker only on agents that report it.
type tcAfterScreen struct {
	seq       int
	restoring bool
	checking  bool
	cancel    context.CancelFunc
	report    *newagents.Report
	// err is why TeamCity could not be asked about the new agents.
	err error
}

type agentsRestoredMsg struct {
	r drain.Restored
}

type newAgentsMsg struct {
	seq    int
	report newagents.Report
	ch     <-chan newagents.Report
	done   bool
	err    error
}

func (agentsRestoredMsg) route() step { return stepTCAfter }
func (newAgentsMsg) route() step      { return stepTCAfter }

// afterUpdate ends the update: through TeamCity when it is used, else to
// the done screen.
func (m *Model) afterUpdate() tea.Cmd {
	if !m.tc.look.ok() {
		return m.enter(stepDone)
	}
	return m.enter(stepTCAfter)
}

// restoreAgents enables again the agents a drain disabled, once, in the
// background: the outcome is kept on the model when it answers.
func (m *Model) restoreAgents() tea.Cmd {
	run := m.tc.drain
	if run == nil || run.outcome() != nil {
		return nil
	}
	ctx := context.WithoutCancel(m.sess.ctx)
	return m.sess.do(func() tea.Msg {
		return agentsRestoredMsg{r: run.enableAgain(ctx)}
	})
}

func (s *tcAfterScreen) enter(m *Model) tea.Cmd {
	s.seq++
	*s = tcAfterScreen{seq: s.seq}
	if cmd := m.restoreAgents(); cmd != nil {
		s.restoring = true
		return tea.Batch(cmd, m.tick())
	}
	return s.check(m)
}

// check waits for the new agents when the stack was updated.
func (s *tcAfterScreen) check(m *Model) tea.Cmd {
	if m.out.stack != outcomeUpdated || m.tc.client == nil {
		return m.enter(stepDone)
	}
	s.checking = true
	c := &newagents.Check{Client: m.tc.client, Tasks: m.newTasks(), Bound: m.cfg.TeamCityWait, Poll: m.cfg.tcPoll, Now: m.cfg.now}
	ctx, cancel := context.WithCancel(m.sess.ctx)
	s.cancel = cancel
	ch := make(chan newagents.Report, 64)
	seq := s.seq
	run := m.sess.do(func() tea.Msg {
		r, err := c.Run(ctx, func(r newagents.Report) {
			select {
			case ch <- r:
			default:
			}
		})
		close(ch)
		if ctx.Err() != nil {
			return nil
		}
		return newAgentsMsg{seq: seq, report: r, done: true, err: err}
	})
	return tea.Batch(run, listenAgents(seq, ch), m.tick())
}

func listenAgents(seq int, ch <-chan newagents.Report) tea.Cmd {
	return func() tea.Msg {
		r, ok := <-ch
		if !ok {
			return nil
		}
		return newAgentsMsg{seq: seq, report: r, ch: ch}
	}
}

func (s *tcAfterScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case agentsRestoredMsg:
		if m.step != stepTCAfter || !s.restoring {
			return nil, true
		}
		s.restoring = false
		if err := m.drainOutcome(); err != nil && m.out.err == nil {
			m.out.err = err
		}
		return s.check(m), true
	case newAgentsMsg:
		if msg.seq != s.seq || !s.checking {
			return nil, true
		}
		r := msg.report
		s.report = &r
		if !msg.done {
			return listenAgents(s.seq, msg.ch), true
		}
		s.checking, s.cancel = false, nil
		m.tc.after = &r
		switch {
		case msg.err != nil:
			s.err = msg.err
			m.tc.afterErr = fmt.Errorf("stack %s was updated, but TeamCity could not be asked about the new agents: %w", m.a.stackInfo.Name, msg.err)
		default:
			m.tc.afterErr = r.Err(strings.TrimRight(m.a.tc.url, "/"), m.teamCityWait())
		}
		if m.tc.afterErr != nil && m.out.err == nil {
			m.out.err = m.tc.afterErr
		}
		return m.enter(stepDone), true
	}
	return nil, true // only ctrl+c, which the model handles
}

// quit leaves while TeamCity is asked about the new agents: the update is
// done, TeamCity's word is missing (exit 128+n, as batch).
func (s *tcAfterScreen) quit(m *Model) tea.Cmd {
	if s.checking && m.out.err == nil {
		m.out.err = m.interruptedAfterUpdate("TeamCity saw the new agents")
	}
	return tea.Quit
}

func (s *tcAfterScreen) leave(*Model) {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

func (s *tcAfterScreen) spinning(*Model) bool { return s.restoring || s.checking }

func (s *tcAfterScreen) hints(*Model) []hint {
	return []hint{{"ctrl+c", "leave (TeamCity is not asked further)"}}
}

// teamCityWait is how long the new agents are waited for.
func (m *Model) teamCityWait() time.Duration {
	if m.cfg.TeamCityWait > 0 {
		return m.cfg.TeamCityWait
	}
	return newagents.DefaultBound
}

func (s *tcAfterScreen) view(m *Model, w, _ int) body {
	if s.restoring {
		return body{top: m.spinView() + render.Wrap(render.DrainRestoring(len(m.tc.drain.d.Disabled())), max(w-2, 10))}
	}
	top := m.spinView() + render.Wrap(render.NewAgentsWaiting(m.a.tc.url, m.teamCityWait()), max(w-2, 10))
	var lines []string
	if l := m.restoredLine(); l != "" {
		lines = append(lines, l)
	}
	if s.report != nil {
		lines = append(lines, m.newAgentLines(*s.report)...)
	}
	return body{top: top, scroll: wrapItems(lines, min(w, 90))}
}

// newAgentLines say each new task's agent as TeamCity shows it.
func (m *Model) newAgentLines(r newagents.Report) []string {
	var lines []string
	for _, a := range r.Agents {
		switch {
		case !a.Found:
			lines = append(lines, "  task "+a.Task.ID()+": no agent yet ("+a.Why+")")
		default:
			lines = append(lines, "  "+render.NewAgentState(a.Agent.Name, a.Task.ID(), a.Agent.Connected, a.Agent.Authorized, a.Docker()))
		}
	}
	return lines
}

// teamCityDone is the done screen's TeamCity lines: the agents enabled
// again, and each new agent as TeamCity shows it (the count is in the
// headline: seesDocker).
func (m *Model) teamCityDone() []string {
	var lines []string
	if l := m.restoredLine(); l != "" {
		lines = append(lines, l)
	}
	if r := m.tc.after; r != nil {
		lines = append(lines, m.newAgentLines(*r)...)
	}
	return lines
}

// seesDocker is the line that says what TeamCity sees on the new agents,
// and whether it sees Docker on every one; "" before it was asked.
func (m *Model) seesDocker() (string, bool) {
	r := m.tc.after
	if r == nil {
		return "", false
	}
	ready, total := r.Ready()
	if total == 0 {
		return "", false
	}
	return render.TeamCitySeesDocker(ready, total, r.Versions()), ready == total
}
