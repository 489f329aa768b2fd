package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/render"
)

// progress is the update's state: the events so far and each resource's
// latest status.
type progress struct {
	update    *batch.Update
	started   time.Time
	ended     time.Time
	events    []awsclient.StackEvent
	order     []string // resources in the order first seen
	status    map[string]awsclient.StackEvent
	polls     int
	executing bool // ExecuteChangeSet is out
	running   bool // the update goes on in AWS
	cancel    context.CancelFunc
}

type executedMsg struct{ err error }

type eventsMsg struct {
	events []awsclient.StackEvent
	err    error
}

// execute starts the update and follows it.
func (m *Model) execute() tea.Cmd {
	c, err := m.client(m.awsCtx, m.a.region)
	if err != nil {
		return m.fail(errorFor(err, "Could not reach AWS", stepReview))
	}
	st := m.a.stackInfo
	ctx, cancel := context.WithCancel(m.awsCtx)
	m.prog = progress{
		update: &batch.Update{
			Stack: st, Targets: strings.Join(m.result.Targets, ", "), Mode: m.a.mode,
			Token: m.cs.in.Name, Started: time.Now(),
		},
		started:   m.cfg.now(),
		status:    map[string]awsclient.StackEvent{},
		executing: true,
		cancel:    cancel,
	}
	m.step, m.form, m.err = stepProgress, nil, nil
	// From now on leaving does not delete it: it runs.
	m.setPending("", "")
	stack, id, token := st.Name, m.cs.made.ID, m.cs.in.Name
	exec := m.track(func() tea.Msg {
		return executedMsg{err: batch.ExecuteChangeSet(ctx, c, stack, id, token, m.warn)}
	})
	return tea.Batch(exec, m.tick())
}

// executed starts polling the events, or shows why the update did not start.
func (m *Model) executed(msg executedMsg) tea.Cmd {
	m.prog.executing = false
	if msg.err != nil {
		if m.leaving {
			return tea.Quit
		}
		m.cs.made = nil // deleted by ExecuteChangeSet
		e := errorFor(msg.err, "Could not execute the change set", stepReview)
		e.hint = "The change set was deleted and stack " + m.a.stackInfo.Name + " is unchanged. Press esc to go back to the review."
		return m.fail(e)
	}
	m.prog.running = true
	return m.poll()
}

// poll reads the stack's events after the next delay.
func (m *Model) poll() tea.Cmd {
	c, err := m.client(m.awsCtx, m.a.region)
	if err != nil {
		return nil
	}
	delay := batch.PollDelay(m.cfg.Poll, m.prog.polls)
	m.prog.polls++
	stack := m.a.stackInfo.Name
	ctx := m.awsCtx
	return m.track(func() tea.Msg {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		events, err := c.DescribeStackEvents(ctx, stack)
		if ctx.Err() != nil {
			return nil
		}
		return eventsMsg{events: events, err: err}
	})
}

// gotEvents takes a page of events and goes on until the update ends.
func (m *Model) gotEvents(msg eventsMsg) tea.Cmd {
	if m.step != stepProgress || !m.prog.running {
		return nil
	}
	if msg.err != nil {
		// A failed read does not end the update: try again.
		return m.poll()
	}
	u := m.prog.update
	for _, e := range u.Add(msg.events) {
		m.prog.events = append(m.prog.events, e)
		if u.IsStackEvent(e) {
			continue
		}
		if _, ok := m.prog.status[e.LogicalID]; !ok {
			m.prog.order = append(m.prog.order, e.LogicalID)
		}
		m.prog.status[e.LogicalID] = e
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
		m.exitErr = u.Err()
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
		what = "Executing change set " + m.cs.in.Name
	}
	b.WriteString(m.spinView() + m.st.Strong.Render(what) + m.st.Subtle.Render("  "+m.elapsed()) + "\n")
	b.WriteString(m.st.Subtle.Render(render.Wrap("ctrl+c leaves; the update goes on in AWS.", w)) + "\n\n")

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
