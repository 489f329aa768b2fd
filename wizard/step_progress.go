package wizard

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
)

// progress is the update's state: the events so far and each resource's
// latest status.
type progress struct {
	update    *changeset.Update
	follow    *changeset.Follower
	started   time.Time
	ended     time.Time
	events    []awsclient.StackEvent
	order     []string // resources in the order first seen
	status    map[string]awsclient.StackEvent
	polls     int
	executing bool // ExecuteChangeSet is out
	running   bool // the update goes on in AWS
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

// execute starts the update and follows it. Time passed while the user
// looked at the change set: the stack and the change set are read again
// first.
func (m *Model) execute() tea.Cmd {
	c, err := m.client(m.awsCtx, m.a.region)
	if err != nil {
		return m.fail(errorFor(err, "Could not reach AWS", stepReview))
	}
	st := m.a.stackInfo
	set := m.cs.set
	u := &changeset.Update{
		Stack: st, Targets: strings.Join(m.result.Targets, ", "), Mode: m.a.mode,
		Token: set.Input.Name, Started: time.Now(), Reviewed: set.Reviewed.TemplateHash,
	}
	m.prog = progress{
		update:    u,
		follow:    &changeset.Follower{Client: c, Update: u, Poll: m.cfg.Poll, GiveUp: m.cfg.GiveUp, Where: set.Where},
		started:   m.cfg.now(),
		status:    map[string]awsclient.StackEvent{},
		executing: true,
	}
	m.step, m.form, m.err = stepProgress, nil, nil
	ctx := m.awsCtx
	exec := m.track(func() tea.Msg {
		if err := set.Recheck(ctx); err != nil {
			if exitcode.Code(err) != exitcode.Pending {
				// Deleted and checked; otherwise leaving tries again.
				m.unsetPending(set)
			}
			return executedMsg{err: err}
		}
		err := set.Execute(ctx)
		if exitcode.Code(err) != exitcode.Pending {
			// Executed, or deleted and checked: nothing left to delete.
			m.unsetPending(set)
		}
		if err == nil {
			m.setExecuted()
		}
		return executedMsg{err: err}
	})
	return tea.Batch(exec, m.tick())
}

// executed starts polling the events, or shows why the update did not start.
func (m *Model) executed(msg executedMsg) tea.Cmd {
	m.prog.executing = false
	if msg.err != nil {
		m.cs.made = nil
		if m.leaving {
			m.exitErr = msg.err
			return tea.Quit
		}
		var moved *changeset.MovedError
		var obsolete *changeset.ObsoleteError
		e := errorFor(msg.err, "Could not execute the change set", stepReview)
		switch {
		case errors.As(msg.err, &moved), errors.As(msg.err, &obsolete):
			// Someone updated the stack: CloudFormation made the change
			// set OBSOLETE, or the stack's check saw it first.
			e.title = "Stack " + m.a.stackInfo.Name + " changed since it was read"
			e.hint = "The change set was deleted, not executed. Press enter to read the stack again and review the change on it."
			if exitcode.Code(msg.err) == exitcode.Pending {
				// Its deletion could not be checked: say only that.
				e.hint = "What is left is said above. Press enter to read the stack again and review the change on it."
			}
			e.reload = true
		case exitcode.Code(msg.err) == exitcode.Pending:
			// Whether the update started could not be told.
			e.title = "The update of stack " + m.a.stackInfo.Name + " may have started"
			e.hint = "Check it with the command above before you run tcdind again. Press esc to go back to the review."
		default:
			e.hint = "Press esc to go back to the review."
		}
		return m.fail(e)
	}
	m.prog.running = true
	if m.leaving {
		// ctrl+c while it was sent: it started, and goes on.
		m.leftRunning = true
		return tea.Quit
	}
	return m.poll()
}

// poll reads the stack's events after the next delay.
func (m *Model) poll() tea.Cmd {
	f := m.prog.follow
	ctx := m.awsCtx
	return m.track(func() tea.Msg {
		events, err := f.Next(ctx)
		if ctx.Err() != nil {
			return nil
		}
		return eventsMsg{events: events, err: err, retrying: f.LastErr}
	})
}

// gotEvents takes a page of events and goes on until the update ends.
func (m *Model) gotEvents(msg eventsMsg) tea.Cmd {
	if m.step != stepProgress || !m.prog.running {
		return nil
	}
	u := m.prog.update
	for _, e := range msg.events {
		m.prog.events = append(m.prog.events, e)
		if u.IsStackEvent(e) {
			continue
		}
		if _, ok := m.prog.status[e.LogicalID]; !ok {
			m.prog.order = append(m.prog.order, e.LogicalID)
		}
		m.prog.status[e.LogicalID] = e
	}
	m.prog.retrying = msg.retrying
	if msg.err != nil {
		// Reading kept failing: stop following, say how to follow it.
		m.prog.running = false
		m.prog.ended = m.cfg.now()
		m.finished = true
		m.stackOutcome = outcomeUnknown
		m.exitErr = msg.err
		m.step, m.form = stepDone, nil
		return nil
	}
	if !u.Done() {
		return m.poll()
	}
	m.prog.running = false
	m.prog.ended = m.cfg.now()
	m.finished = true
	if u.Final == "UPDATE_COMPLETE" {
		m.stackOutcome = outcomeUpdated
	} else {
		m.stackOutcome = outcomeFailed
		m.exitErr = u.Err(m.prog.follow.Where)
	}
	m.step, m.form = stepDone, nil
	return nil
}

// elapsed is the time since the update started, as "1m 05s".
func (m *Model) elapsed() string {
	end := m.prog.ended
	if end.IsZero() {
		end = m.cfg.now()
	}
	return formatDuration(end.Sub(m.prog.started))
}

func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// progressView is the spinner and elapsed time, each resource's status,
// and the latest events that fit.
func (m *Model) progressView(w, h int) string {
	st := m.a.stackInfo
	var b strings.Builder
	what := "Updating stack " + st.Name
	if m.prog.executing {
		what = "Executing change set " + m.cs.set.Input.Name
	}
	b.WriteString(m.spinView() + m.st.Strong.Render(what) + m.st.Subtle.Render("  "+m.elapsed()) + "\n")
	b.WriteString(m.st.Subtle.Render(render.Wrap("ctrl+c leaves; the update goes on in AWS.", w)) + "\n")
	if m.prog.retrying != nil {
		b.WriteString(m.st.Subtle.Render(render.Wrap("Could not read the stack's events ("+m.prog.retrying.Error()+"); trying again.", w)) + "\n")
	}
	b.WriteString("\n")

	b.WriteString(m.st.Section.Render("Resources") + "\n")
	if len(m.prog.order) == 0 {
		b.WriteString(m.st.Subtle.Render("  waiting for CloudFormation …") + "\n")
	}
	idW := 0
	for _, id := range m.prog.order {
		idW = max(idW, len(id))
	}
	for _, id := range m.prog.order {
		e := m.prog.status[id]
		line := "  " + padRight(id, idW) + "  " + padRight(e.ResourceType, 28) + "  " + m.statusStyle(e.Status)
		b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	}
	head := b.String()
	left := h - strings.Count(head, "\n") - 2
	if left < 2 || len(m.prog.events) == 0 {
		return strings.TrimRight(head, "\n")
	}
	b.WriteString("\n" + m.st.Section.Render("Events") + "\n")
	events := m.prog.events
	if len(events) > left-1 {
		events = events[len(events)-(left-1):]
	}
	idW = 0
	for _, e := range m.prog.events {
		idW = max(idW, len(e.LogicalID))
	}
	idW = min(idW, 32)
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
