package wizard

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
)

// progressScreen executes the change set and follows the update: each
// resource's latest status, the agents' ECS rollout and the events so far.
type progressScreen struct {
	events []awsclient.StackEvent
	order  []string // resources in the order first seen
	status map[string]awsclient.StackEvent
	// retrying is the last failed read while it is tried again.
	retrying error

	// The agents' ECS services followed (logical ID, name), each one's
	// latest progress, and every ECS line so far in order.
	followed []followedService
	progress map[string]string
	ecs      []rollout.Line
	// failing is why the rollout is clearly failing, once it is; breaker:
	// ECS's circuit breaker said so, and CloudFormation rolls back by
	// itself (no cancel is offered).
	failing string
	breaker bool
	// rollingBack: CloudFormation rolls the update back; c has nothing
	// left to cancel.
	rollingBack bool
	// canceller cancels the update; nil: this client cannot. readsECS:
	// the client can read ECS, and verify after the update.
	canceller changeset.Canceller
	readsECS  bool
	cancel    cancelState
	cancelErr error
	// ended: the update ended while CancelUpdateStack was out; it is
	// reported once the call answered.
	ended bool
	// verifying: after UPDATE_COMPLETE, ECS is read back before the done
	// screen; verified is what it showed.
	verifying bool
	verified  []rollout.Line
}

// followedService is an ECS service that runs an edited task definition.
type followedService struct{ logicalID, name string }

// cancelState is where cancelling the update stands.
type cancelState int

const (
	cancelNone    cancelState = iota
	cancelSending             // CancelUpdateStack is out
	cancelSent                // CloudFormation rolls back
	cancelFailed              // the call failed: the update goes on
)

// rolloutCancel is the --on-rollout-failure value that cancels without
// asking (batch.RolloutCancel).
const rolloutCancel = "cancel"

// cancelReason is why tcdind cancelled, in the update's failure.
const cancelReason = "the agents' rollout was failing"

type executedMsg struct {
	err   error
	watch *rollout.Watch
}

type eventsMsg struct {
	events []awsclient.StackEvent
	err    error
	// retrying is a failed read that will be tried again.
	retrying error
	// agents is what ECS said since the last poll; failing why the
	// rollout is clearly failing, once it is.
	agents  []rollout.Line
	failing string
	breaker bool
	// rollingBack is the update's, read where the events were.
	rollingBack bool
}

// cancelledMsg is CancelUpdateStack's answer.
type cancelledMsg struct{ err error }

// verifiedMsg is what ECS shows after UPDATE_COMPLETE.
type verifiedMsg struct {
	lines []rollout.Line
	err   error
}

func (executedMsg) route() step  { return stepProgress }
func (eventsMsg) route() step    { return stepProgress }
func (cancelledMsg) route() step { return stepProgress }
func (verifiedMsg) route() step  { return stepProgress }

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
		Token: set.Input.Name, Started: time.Now(), Reviewed: set.Reviewed.TemplateHash, Where: set.Where,
	}
	*p = progressScreen{status: map[string]awsclient.StackEvent{}, progress: map[string]string{}}
	p.canceller, _ = c.(changeset.Canceller)
	m.stack.update = u
	m.stack.watch = nil
	m.stack.follow = &changeset.Follower{Client: c, Update: u, Poll: m.cfg.Poll, GiveUp: m.cfg.GiveUp, Where: set.Where}
	m.stack.started = m.cfg.now()
	m.stack.executing = true
	ctx := sess.ctx
	ecs, _ := c.(rollout.Client)
	p.readsECS = ecs != nil
	tmpl, res, opts, now, grace := m.a.tmpl, m.result, m.a.options(), m.cfg.now, m.cfg.PlacementGrace
	exec := sess.do(func() tea.Msg {
		if err := set.Recheck(ctx); err != nil {
			if !pending(err) {
				// Deleted and checked; otherwise leaving tries again.
				sess.release(set)
			}
			sess.setExecErr(err)
			return executedMsg{err: err}
		}
		// The services that run the edited task definitions, and the
		// revisions they run now: read before the update changes them.
		w := rollout.Prepare(ctx, ecs, st.Name, tmpl, res, opts, set.Where)
		// The wizard's clock: ECS news older than the update is history.
		w.Started = now()
		w.PlacementGrace = grace
		err := set.Execute(ctx)
		if !pending(err) {
			// Executed, or deleted and checked: nothing left to delete.
			sess.release(set)
		}
		if err == nil {
			sess.setExecuted()
		} else {
			sess.setExecErr(err)
		}
		return executedMsg{err: err, watch: w}
	})
	return tea.Batch(exec, m.tick())
}

func (p *progressScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case executedMsg:
		return p.executed(m, msg), true
	case eventsMsg:
		return p.gotEvents(m, msg), true
	case cancelledMsg:
		return p.cancelled(m, msg), true
	case verifiedMsg:
		return p.gotVerified(m, msg), true
	case tea.KeyMsg:
		if msg.String() == "c" && p.cancelOffered(m) {
			return p.startCancel(m), true
		}
	}
	return nil, true // other keys: only ctrl+c, which the model handles
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
		// Not executed: the agents a drain disabled are enabled again.
		return tea.Batch(m.fail(e), m.restoreAgents())
	}
	m.stack.running = true
	m.stack.watch = msg.watch
	if w := msg.watch; w != nil && !w.Off() {
		for _, svc := range w.Services {
			p.followed = append(p.followed, followedService{svc.LogicalID, svc.Name})
		}
	}
	if m.stack.leaving {
		// ctrl+c while it was sent: it started, and goes on.
		m.stack.leftRunning = true
		return tea.Quit
	}
	return p.poll(m)
}

// poll reads the stack's events after the next delay, then the agents'
// ECS services while the update runs: one read of ECS per poll.
func (p *progressScreen) poll(m *Model) tea.Cmd {
	f, w, u := m.stack.follow, m.stack.watch, m.stack.update
	ctx := m.sess.ctx
	return m.sess.do(func() tea.Msg {
		events, err := f.Next(ctx)
		if ctx.Err() != nil {
			return nil
		}
		msg := eventsMsg{events: events, err: err, retrying: f.LastErr, rollingBack: u.RollingBack()}
		w.Saw(events)
		// ECS is read on while the update rolls back (the rollback
		// waits for the service too); nothing is judged then.
		if err == nil && !u.Done() && w != nil {
			if u.RollingBack() {
				w.RollingBack()
			}
			msg.agents = w.Poll(ctx)
			if rollout.News(msg.agents) {
				f.Stir() // ECS moves: the next poll comes quickly
			}
			msg.failing = w.Failing()
			msg.breaker = w.FailedByBreaker()
		}
		return msg
	})
}

// gotEvents takes a page of events and what ECS said, and goes on until
// the update ends.
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
	p.rollingBack = msg.rollingBack
	for _, l := range msg.agents {
		p.ecs = append(p.ecs, l)
		if l.Kind == rollout.Progress {
			p.progress[l.Service] = l.Text
		}
	}
	var cancel tea.Cmd
	if msg.failing != "" && p.failing == "" {
		p.failing, p.breaker = msg.failing, msg.breaker
		if m.cfg.OnRolloutFailure == rolloutCancel {
			cancel = p.startCancel(m)
		}
	}
	if msg.err != nil {
		// Reading kept failing: stop following, say how to follow it.
		m.stack.running = false
		m.stack.ended = m.cfg.now()
		m.out.finished = true
		m.out.stack = outcomeUnknown
		m.out.err = msg.err
		return m.afterUpdate()
	}
	if !u.Done() {
		// The cancel first: the accessible driver runs them in turn.
		return tea.Batch(cancel, p.poll(m))
	}
	m.stack.running = false
	m.stack.ended = m.cfg.now()
	if p.cancel == cancelSending {
		// The update's failure says whether tcdind cancelled it: wait
		// for CancelUpdateStack's answer.
		p.ended = true
		return nil
	}
	return p.finish(m)
}

// finish reports the update that ended: a failure at once, a success once
// ECS was read back.
func (p *progressScreen) finish(m *Model) tea.Cmd {
	u := m.stack.update
	m.out.finished = true
	if u.Final != "UPDATE_COMPLETE" {
		m.out.stack = outcomeFailed
		m.out.err = u.Err(m.stack.follow.Where)
		return m.afterUpdate()
	}
	// Updated, whatever ECS shows: leaving now reports it so.
	m.out.stack = outcomeUpdated
	if !p.readsECS {
		return m.afterUpdate()
	}
	p.verifying = true
	w, ctx := m.stack.watch, m.sess.ctx
	delay := changeset.SettleDelay(m.cfg.Poll)
	// The spinner turns on: running and verifying are one stretch.
	return m.sess.do(func() tea.Msg {
		lines, err := w.Verify(ctx, verifyTries, delay)
		if ctx.Err() != nil {
			return nil
		}
		return verifiedMsg{lines: lines, err: err}
	})
}

// verifyTries bounds reading the services again after UPDATE_COMPLETE
// while only their task counts differ from the desired ones (as batch).
const verifyTries = 3

// gotVerified shows the done screen with what ECS showed; a mismatch is
// the run's failure.
func (p *progressScreen) gotVerified(m *Model, msg verifiedMsg) tea.Cmd {
	if m.step != stepProgress || !p.verifying {
		return nil
	}
	p.verifying = false
	p.verified = msg.lines
	if msg.err != nil {
		m.out.err = msg.err
	}
	return m.afterUpdate()
}

// cancelOffered reports whether c cancels the update: the rollout is
// clearly failing, the update runs, and it was not cancelled yet.
func (p *progressScreen) cancelOffered(m *Model) bool {
	return p.failing != "" && !p.breaker && !p.rollingBack && m.stack.running && p.canceller != nil && p.cancel == cancelNone
}

// startCancel sends CancelUpdateStack, once: CloudFormation rolls back
// now, and the rollback's events follow as any others.
func (p *progressScreen) startCancel(m *Model) tea.Cmd {
	if !p.cancelOffered(m) {
		return nil
	}
	p.cancel = cancelSending
	u, c, ctx := m.stack.update, p.canceller, m.sess.ctx
	return m.sess.do(func() tea.Msg {
		return cancelledMsg{err: u.Cancel(ctx, c, cancelReason)}
	})
}

// cancelled takes CancelUpdateStack's answer: a failure is shown, and the
// update is followed on either way.
func (p *progressScreen) cancelled(m *Model, msg cancelledMsg) tea.Cmd {
	if p.cancel != cancelSending {
		return nil
	}
	p.cancel, p.cancelErr = cancelSent, msg.err
	if msg.err != nil {
		p.cancel = cancelFailed
	}
	if p.ended && m.step == stepProgress {
		p.ended = false
		return p.finish(m)
	}
	return nil
}

// quit leaves the update running: ExecuteChangeSet's answer tells whether
// it started; Close reads whether it goes on.
func (p *progressScreen) quit(m *Model) tea.Cmd {
	switch {
	case p.verifying:
		m.out.err = m.interruptedAfterUpdate("ECS was read")
	case m.stack.executing:
		m.stack.leaving = true
		return m.tick()
	case m.stack.running:
		m.stack.leftRunning = true
	}
	return tea.Quit
}

func (p *progressScreen) spinning(m *Model) bool {
	return m.stack.running || m.stack.executing || p.verifying || p.ended
}

func (p *progressScreen) hints(m *Model) []hint {
	if p.cancelOffered(m) {
		return []hint{{"c", cancelAction}, {"ctrl+c", "leave (the update goes on in AWS)"}}
	}
	return []hint{{"ctrl+c", "leave (the update goes on in AWS)"}}
}

// cancelAction is what c does once the rollout is clearly failing.
const cancelAction = "cancel the update (CloudFormation rolls back now)"

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

// view is the spinner and elapsed time, then what gives way and follows
// the latest: each resource's status, the agents' ECS rollout and the
// events; a failing rollout and what c does about it stay under them.
func (p *progressScreen) view(m *Model, w, _ int) body {
	st := m.a.stackInfo
	var top strings.Builder
	what := "Updating stack " + st.Name
	switch {
	case m.stack.executing:
		what = "Executing change set " + m.stack.set.Input.Name
	case p.verifying:
		what = "Stack " + st.Name + " updated; reading back in ECS what the agents run"
	}
	top.WriteString(m.spinView() + render.Wrap(m.st.Strong.Render(what)+m.st.Subtle.Render("  "+m.elapsed()), max(w-2, 10)) + "\n")
	top.WriteString(m.st.Subtle.Render(render.Wrap("ctrl+c leaves; the update goes on in AWS.", w)))
	if p.retrying != nil {
		top.WriteString("\n" + m.st.Subtle.Render(render.Wrap("Could not read the stack's events ("+p.retrying.Error()+"); trying again.", w)))
	}

	var b strings.Builder
	b.WriteString(m.st.Section.Render("Resources") + "\n")
	if len(p.order) == 0 {
		b.WriteString(m.st.Subtle.Render("  waiting for CloudFormation …") + "\n")
	}
	idW := 0
	for _, id := range p.order {
		idW = max(idW, len(id))
	}
	// The type column goes first when a status would not fit beside it.
	withType := 2+idW+2+28+2+len("UPDATE_ROLLBACK_IN_PROGRESS") <= w
	for _, id := range p.order {
		e := p.status[id]
		line := "  " + padRight(id, idW) + "  "
		if withType {
			line += padRight(e.ResourceType, 28) + "  "
		}
		line += m.statusStyle(e.Status)
		b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	}
	// The agents' rollout comes last, the latest news: the window follows
	// the end, so the events give way first.
	if len(p.events) > 0 {
		b.WriteString("\n" + m.st.Section.Render("Events") + "\n")
		b.WriteString(p.eventLines(m, p.events, w) + "\n")
	}
	services, news, tail := p.agentsLines(m, w)
	if services != nil || news != nil {
		b.WriteString("\n" + m.st.Section.Render("Agents (ECS)") + "\n")
		for _, l := range slices.Concat(services, news) {
			b.WriteString(l + "\n")
		}
	}
	return body{top: top.String(), scroll: b.String(), bottom: strings.Join(tail, "\n"), follow: true}
}

// maxAgentNews bounds the ECS lines shown above the events.
const maxAgentNews = 6

// agentsLines are the "Agents (ECS)" section's lines in w: one per
// service followed with its latest progress; the ECS events, stopped
// tasks and notes so far, oldest first; the failing rollout and what c
// does about it. All nil: nothing to show (ECS is not read, and said
// nothing).
func (p *progressScreen) agentsLines(m *Model, w int) (services, news, tail []string) {
	idW := 0
	for _, s := range p.followed {
		idW = max(idW, len(s.logicalID))
	}
	for _, l := range p.ecs {
		if l.Kind == rollout.Event || l.Kind == rollout.Stopped {
			idW = max(idW, len(l.Service))
		}
	}
	idW = min(idW, 32)
	for _, s := range p.followed {
		text, ok := p.progress[s.logicalID]
		if !ok {
			text = m.st.Subtle.Render("following service " + s.name + " …")
		}
		services = append(services, ansi.Truncate("  "+padRight(s.logicalID, idW)+"  "+text, w, "…"))
	}
	for _, l := range p.ecs {
		switch l.Kind {
		case rollout.Event, rollout.Stopped:
			line := "  " + l.Time.UTC().Format("15:04:05") + "  " + padRight(l.Service, idW) + "  " + l.Text
			news = append(news, ansi.Truncate(line, w, "…"))
		case rollout.Note:
			news = append(news, strings.Split(m.prose(m.st.Subtle, "note: "+l.Text, w, "  "), "\n")...)
		}
	}
	if p.failing != "" {
		tail = append(tail, strings.Split(m.prose(m.st.ErrTitle, "✗ "+sentence(p.failing), w, "  "), "\n")...)
		tail = append(tail, strings.Split(m.prose(p.cancelStyle(m), p.cancelText(m), w, "  "), "\n")...)
	}
	return services, news, tail
}

// sentence is text capitalised and ended with a full stop, unless it ends
// with one already (ECS's reasons often do).
func sentence(text string) string {
	text = render.Capitalize(text)
	if strings.HasSuffix(text, ".") {
		return text
	}
	return text + "."
}

// cancelText says what cancelling the update does or did.
func (p *progressScreen) cancelText(m *Model) string {
	st := m.a.stackInfo.Name
	if p.breaker {
		return sentence(render.RolloutBreaker(st))
	}
	if p.rollingBack && p.cancel == cancelNone {
		return "CloudFormation rolls the update of stack " + st + " back; its events and the agents' rollback follow."
	}
	switch p.cancel {
	case cancelSending:
		return "Cancelling the update of stack " + st + " …"
	case cancelSent:
		return "Update cancelled: CloudFormation rolls stack " + st + " back now; its events follow."
	case cancelFailed:
		// What CloudFormation does, read back.
		return sentence(oneLine(p.cancelErr))
	}
	if p.canceller == nil {
		return render.RolloutWaitAdvice(st, m.stack.follow.Where)
	}
	return "CloudFormation waits for the service to stabilise (up to 3 hours) before it rolls back. Press c to cancel the update: CloudFormation rolls back now."
}

func (p *progressScreen) cancelStyle(m *Model) lipgloss.Style {
	if p.cancel == cancelFailed {
		return m.st.ErrTitle
	}
	return m.st.Strong
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

// oneLine is an error's message on one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
