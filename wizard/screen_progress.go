package wizard

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/render"
)

// progressScreen executes the change set and follows the update: each
// resource's latest status and the events so far.
type progressScreen struct {
	events []awsclient.StackEvent
	order  []string // resources in the order first seen
	status map[string]awsclient.StackEvent
	// retrying is the last failed read while it is tried again.
	retrying error
}

type executedMsg struct{ err error }

type eventsMsg struct {
	events []awsclient.StackEvent
	err    error
	// retrying is a failed read that will be tried again.
	retrying error
}

func (executedMsg) route() step { return stepProgress }
func (eventsMsg) route() step   { return stepProgress }

// enter starts the update and follows it. Time passed while the user
// looked at the change set: the stack and the change set are read again
// first.
func (p *progressScreen) enter(m *Model) tea.Cmd {
	sess := m.sess
	c, err := sess.client(sess.ctx, m.a.region)
	if err != nil {
		return m.fail(errorFor(err, "Could not reach AWS", stepReview))
	}
	st := m.a.stackInfo
	set := m.stack.set
	u := &changeset.Update{
		Stack: st, Targets: strings.Join(m.result.Targets, ", "), Mode: m.a.mode,
		Token: set.Input.Name, Started: time.Now(), Reviewed: set.Reviewed.TemplateHash,
	}
	*p = progressScreen{status: map[string]awsclient.StackEvent{}}
	m.stack.update = u
	m.stack.follow = &changeset.Follower{Client: c, Update: u, Poll: m.cfg.Poll, GiveUp: m.cfg.GiveUp, Where: set.Where}
	m.stack.started = m.cfg.now()
	m.stack.executing = true
	ctx := sess.ctx
	exec := sess.do(func() tea.Msg {
		if err := set.Recheck(ctx); err != nil {
			if !pending(err) {
				// Deleted and checked; otherwise leaving tries again.
				sess.release(set)
			}
			return executedMsg{err: err}
		}
		err := set.Execute(ctx)
		if !pending(err) {
			// Executed, or deleted and checked: nothing left to delete.
			sess.release(set)
		}
		if err == nil {
			sess.setExecuted()
		}
		return executedMsg{err: err}
	})
	return tea.Batch(exec, m.tick())
}

func (p *progressScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case executedMsg:
		return p.executed(m, msg), true
	case eventsMsg:
		return p.gotEvents(m, msg), true
	}
	return nil, true // keys: only ctrl+c, which the model handles
}

// executed starts polling the events, or shows why the update did not start.
func (p *progressScreen) executed(m *Model, msg executedMsg) tea.Cmd {
	m.stack.executing = false
	if msg.err != nil {
		m.stack.made = nil
		if m.stack.leaving {
			m.out.err = msg.err
			return tea.Quit
		}
		e := errorFor(msg.err, "Could not execute the change set", stepReview)
		switch problemOf(msg.err) {
		case problemMoved:
			// Someone updated the stack: CloudFormation made the change
			// set OBSOLETE, or the stack's check saw it first.
			e.title = "Stack " + m.a.stackInfo.Name + " changed since it was read"
			e.hint = "The change set was deleted, not executed. Press enter to read the stack again and review the change on it."
			if pending(msg.err) {
				// Its deletion could not be checked: say only that.
				e.hint = "What is left is said above. Press enter to read the stack again and review the change on it."
			}
			e.reload = true
		case problemPending:
			// Whether the update started could not be told.
			e.title = "The update of stack " + m.a.stackInfo.Name + " may have started"
			e.hint = "Check it with the command above before you run tcdind again. Press esc to go back to the review."
		default:
			e.hint = "Press esc to go back to the review."
		}
		return m.fail(e)
	}
	m.stack.running = true
	if m.stack.leaving {
		// ctrl+c while it was sent: it started, and goes on.
		m.stack.leftRunning = true
		return tea.Quit
	}
	return p.poll(m)
}

// poll reads the stack's events after the next delay.
func (p *progressScreen) poll(m *Model) tea.Cmd {
	f := m.stack.follow
	ctx := m.sess.ctx
	return m.sess.do(func() tea.Msg {
		events, err := f.Next(ctx)
		if ctx.Err() != nil {
			return nil
		}
		return eventsMsg{events: events, err: err, retrying: f.LastErr}
	})
}

// gotEvents takes a page of events and goes on until the update ends.
func (p *progressScreen) gotEvents(m *Model, msg eventsMsg) tea.Cmd {
	if m.step != stepProgress || !m.stack.running {
		return nil
	}
	u := m.stack.update
	for _, e := range msg.events {
		p.events = append(p.events, e)
		if u.IsStackEvent(e) {
			continue
		}
		if _, ok := p.status[e.LogicalID]; !ok {
			p.order = append(p.order, e.LogicalID)
		}
		p.status[e.LogicalID] = e
	}
	p.retrying = msg.retrying
	if msg.err != nil {
		// Reading kept failing: stop following, say how to follow it.
		m.stack.running = false
		m.stack.ended = m.cfg.now()
		m.out.finished = true
		m.out.stack = outcomeUnknown
		m.out.err = msg.err
		return m.enter(stepDone)
	}
	if !u.Done() {
		return p.poll(m)
	}
	m.stack.running = false
	m.stack.ended = m.cfg.now()
	m.out.finished = true
	if u.Final == "UPDATE_COMPLETE" {
		m.out.stack = outcomeUpdated
	} else {
		m.out.stack = outcomeFailed
		m.out.err = u.Err(m.stack.follow.Where)
	}
	return m.enter(stepDone)
}

// quit leaves the update running: ExecuteChangeSet's answer tells whether
// it started; Close reads whether it goes on.
func (p *progressScreen) quit(m *Model) tea.Cmd {
	switch {
	case m.stack.executing:
		m.stack.leaving = true
		return m.tick()
	case m.stack.running:
		m.stack.leftRunning = true
	}
	return tea.Quit
}

func (p *progressScreen) spinning(m *Model) bool { return m.stack.running || m.stack.executing }

func (p *progressScreen) hints(*Model) []hint {
	return []hint{{"ctrl+c", "leave (the update goes on in AWS)"}}
}

// elapsed is the time since the update started, as "1m 05s".
func (m *Model) elapsed() string {
	end := m.stack.ended
	if end.IsZero() {
		end = m.cfg.now()
	}
	return formatDuration(end.Sub(m.stack.started))
}

func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// view is the spinner and elapsed time, each resource's status, and the
// latest events that fit.
func (p *progressScreen) view(m *Model, w, h int) string {
	st := m.a.stackInfo
	var b strings.Builder
	what := "Updating stack " + st.Name
	if m.stack.executing {
		what = "Executing change set " + m.stack.set.Input.Name
	}
	b.WriteString(m.spinView() + m.st.Strong.Render(what) + m.st.Subtle.Render("  "+m.elapsed()) + "\n")
	b.WriteString(m.st.Subtle.Render(render.Wrap("ctrl+c leaves; the update goes on in AWS.", w)) + "\n")
	if p.retrying != nil {
		b.WriteString(m.st.Subtle.Render(render.Wrap("Could not read the stack's events ("+p.retrying.Error()+"); trying again.", w)) + "\n")
	}
	b.WriteString("\n")

	b.WriteString(m.st.Section.Render("Resources") + "\n")
	if len(p.order) == 0 {
		b.WriteString(m.st.Subtle.Render("  waiting for CloudFormation …") + "\n")
	}
	idW := 0
	for _, id := range p.order {
		idW = max(idW, len(id))
	}
	for _, id := range p.order {
		e := p.status[id]
		line := "  " + padRight(id, idW) + "  " + padRight(e.ResourceType, 28) + "  " + m.statusStyle(e.Status)
		b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	}
	head := b.String()
	left := h - strings.Count(head, "\n") - 2
	if left < 2 || len(p.events) == 0 {
		return strings.TrimRight(head, "\n")
	}
	b.WriteString("\n" + m.st.Section.Render("Events") + "\n")
	events := p.events
	if len(events) > left-1 {
		events = events[len(events)-(left-1):]
	}
	b.WriteString(p.eventLines(m, events, w))
	return strings.TrimRight(b.String(), "\n")
}

// eventLines are events one a line, cut to w, the IDs in a column as wide
// as the longest of the update's.
func (p *progressScreen) eventLines(m *Model, events []awsclient.StackEvent, w int) string {
	idW := 0
	for _, e := range p.events {
		idW = max(idW, len(e.LogicalID))
	}
	idW = min(idW, 32)
	var b strings.Builder
	for _, e := range events {
		line := e.Time.UTC().Format("15:04:05") + "  " + padRight(e.LogicalID, idW) + "  " + m.statusStyle(e.Status)
		if e.Reason != "" {
			line += "  " + m.st.Subtle.Render(e.Reason)
		}
		b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// statusStyle colours a resource status as the event lines do.
func (m *Model) statusStyle(status string) string {
	switch {
	case strings.HasSuffix(status, "_FAILED") || strings.Contains(status, "ROLLBACK"):
		return m.st.ChangeRemove.Render(status)
	case strings.HasSuffix(status, "_COMPLETE"):
		return m.st.ChangeAdd.Render(status)
	}
	return status
}
