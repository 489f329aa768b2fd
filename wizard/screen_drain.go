package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/teamcity"
)

// drainPhase is where the drain screen is.
type drainPhase int

const (
	drDisabling drainPhase = iota // disabling the agents
	drWaiting                     // waiting for their builds
	drTimedOut                    // the timeout passed: wait, execute or give up?
	drRearming                    // disabling them again until past the update
	drRestoring                   // enabling the agents again, then leaving
)

// The timeout question's answers. Giving up is the default: enter twice
// never cuts a build off.
const (
	drainGiveUp  = "giveup"
	drainWait    = "wait"
	drainExecute = "execute"
)

// afterRestore is where enabling the agents again leads.
type afterRestore int

const (
	restoreToDone afterRestore = iota // gave up or failed: delete the change set, done
	restoreToQuit                     // ctrl+c: delete the change set, leave
)

// drainRun is the drain of the run: the agents tcdind disabled, and what
// enabling them again found (once).
type drainRun struct {
	d *drain.Drain
	// restore is the enabledInfo comment when tcdind enables them again.
	restore string

	once     sync.Once
	mu       sync.Mutex
	restored *drain.Restored
	// left says the agents another tcdind run on the stack disabled,
	// left as they are (drain.AdoptLeft); rearmed until when the agents
	// stay disabled once the update starts.
	left    []string
	rearmed string
}

// notes are the drain's lines beyond the agents disabled: the agents
// adopted from an earlier run, those left to another, and until when they
// stay disabled during the update — the words batch says.
func (r *drainRun) notes(stack string) []string {
	var out []string
	for _, a := range r.d.Adopted() {
		_, earlier, _ := drain.ParseComment(a.EnabledInfo.Comment)
		out = append(out, render.DrainAdoptedLine(a.Name, stack, earlier))
	}
	r.mu.Lock()
	out = append(out, r.left...)
	if r.rearmed != "" {
		out = append(out, render.Capitalize(r.rearmed)+".")
	}
	r.mu.Unlock()
	return out
}

// enableAgain enables again exactly the agents tcdind disabled and reads
// them back, once: a second call (the program ending while the first
// ran) waits for the first and returns its outcome. Safe from the
// commands' goroutines; views read outcome without waiting.
func (r *drainRun) enableAgain(ctx context.Context) drain.Restored {
	r.once.Do(func() {
		got := r.d.Restore(ctx, r.restore)
		r.mu.Lock()
		r.restored = &got
		r.mu.Unlock()
	})
	return *r.outcome()
}

// outcome is what enabling the agents again found, nil before.
func (r *drainRun) outcome() *drain.Restored {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.restored
}

// drainScreen disables the agents that run in the tasks being replaced,
// waits until their builds finish (with progress), then executes the
// change set. Every way out before executing enables exactly the agents
// tcdind disabled again, reads them back, and deletes the change set.
type drainScreen struct {
	seq    int
	phase  drainPhase
	status drain.Status
	cancel context.CancelFunc
	choice string
	after  afterRestore
	// failed is why the drain ended before executing.
	failed error
	// disabling: Disable is out; enabling again waits for it (both
	// touch the drain's record of what tcdind disabled).
	disabling bool
}

type drainDisabledMsg struct {
	seq int
	err error
}

type drainProgressMsg struct {
	seq int
	st  drain.Status
	ch  <-chan drain.Status
}

type drainWaitedMsg struct {
	seq int
	st  drain.Status
	err error
}

type drainRearmedMsg struct {
	seq        int
	switchBack time.Time
	meanwhile  []teamcity.Agent
	unseen     []drain.Running
	err        error
}

type drainRestoredMsg struct {
	seq int
	r   drain.Restored
}

func (drainDisabledMsg) route() step { return stepDrain }
func (drainProgressMsg) route() step { return stepDrain }
func (drainWaitedMsg) route() step   { return stepDrain }
func (drainRestoredMsg) route() step { return stepDrain }
func (drainRearmedMsg) route() step  { return stepDrain }

// drainTimeout is --drain-timeout, or the default.
func (m *Model) drainTimeout() time.Duration {
	if m.cfg.DrainTimeout > 0 {
		return m.cfg.DrainTimeout
	}
	return drain.DefaultTimeout
}

// enter disables the agents behind a spinner.
func (s *drainScreen) enter(m *Model) tea.Cmd {
	s.seq++
	*s = drainScreen{seq: s.seq, phase: drDisabling, choice: drainGiveUp, disabling: true}
	in := m.stack.set.Input
	now := m.cfg.now()
	back := now.Add(m.drainTimeout() + drain.SwitchBackMargin)
	var agents []teamcity.Agent
	for _, p := range m.tc.look.match.Pairs {
		agents = append(agents, p.Agent)
	}
	d := &drain.Drain{
		Client:     m.tc.client,
		Agents:     agents,
		Comment:    drain.Comment(in.Stack, in.Name, back),
		SwitchBack: back,
		Timeout:    m.drainTimeout(),
		Poll:       m.cfg.drainPoll,
		Now:        m.cfg.now,
	}
	run := &drainRun{d: d, restore: render.DrainRestoreComment(in.Stack, in.Name)}
	where := m.whereFlags(m.a.region)
	d.Adopt = drain.AdoptLeft(in.Stack, in.Name, changeset.State(m.stack.set.Client, in.Stack), func(a teamcity.Agent, earlier string, readErr error) {
		line := render.DrainNotAdoptedLine(a.Name, earlier, "that change set can still be executed, so that run may still be draining",
			"aws cloudformation delete-change-set --stack-name "+in.Stack+" --change-set-name "+earlier+where)
		if readErr != nil {
			line = render.DrainNotAdoptedLine(a.Name, earlier, "its change set could not be read: "+oneLine(readErr), "")
		}
		run.mu.Lock()
		run.left = append(run.left, line)
		run.mu.Unlock()
	})
	m.tc.drain = run
	ctx, cancel := context.WithCancel(m.sess.ctx)
	s.cancel = cancel
	seq := s.seq
	return tea.Batch(m.sess.do(func() tea.Msg {
		return drainDisabledMsg{seq: seq, err: d.Disable(ctx)}
	}), m.tick())
}

func (s *drainScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case drainDisabledMsg:
		if msg.seq != s.seq {
			return nil, true
		}
		s.disabling = false
		if s.phase == drRestoring {
			// Stopped while disabling: enable again what was disabled.
			return s.giveUp(m, s.failed, s.after), true
		}
		if msg.err != nil {
			return s.giveUp(m, fmt.Errorf("could not disable the agents: %w", msg.err), restoreToDone), true
		}
		return s.wait(m), true
	case drainProgressMsg:
		if msg.seq != s.seq {
			return nil, true
		}
		if s.phase == drWaiting {
			s.status = msg.st
		}
		return listen(s.seq, msg.ch), true
	case drainWaitedMsg:
		return s.waited(m, msg), true
	case drainRestoredMsg:
		return s.restored(m, msg), true
	case drainRearmedMsg:
		return s.rearmed(m, msg), true
	case tea.KeyMsg:
		if s.phase == drTimedOut {
			return nil, false // the question's keys
		}
	}
	return nil, true // only ctrl+c, which the model handles
}

// wait waits for the builds on the agents, with progress.
func (s *drainScreen) wait(m *Model) tea.Cmd {
	s.phase = drWaiting
	d, seq := m.tc.drain.d, s.seq
	ctx, cancel := context.WithCancel(m.sess.ctx)
	s.cancel = cancel
	ch := make(chan drain.Status, 64)
	waiting := m.sess.do(func() tea.Msg {
		st, err := d.Wait(ctx, func(st drain.Status) {
			select {
			case ch <- st:
			default: // the screen is behind: the next poll says it
			}
		})
		close(ch)
		return drainWaitedMsg{seq: seq, st: st, err: err}
	})
	return tea.Batch(waiting, listen(seq, ch), m.tick())
}

// listen hands the drain's next poll to the screen.
func listen(seq int, ch <-chan drain.Status) tea.Cmd {
	return func() tea.Msg {
		st, ok := <-ch
		if !ok {
			return nil
		}
		return drainProgressMsg{seq: seq, st: st, ch: ch}
	}
}

// waited goes on once no build runs (execute), the timeout passed (ask),
// or reading failed (give up).
func (s *drainScreen) waited(m *Model, msg drainWaitedMsg) tea.Cmd {
	if msg.seq != s.seq || s.phase != drWaiting {
		return nil
	}
	s.cancel, s.status = nil, msg.st
	switch {
	case msg.err != nil:
		return s.giveUp(m, fmt.Errorf("could not follow the builds on the agents: %w", msg.err), restoreToDone)
	case msg.st.TimedOut:
		s.phase, s.choice = drTimedOut, drainGiveUp
		return m.setForm(huh.NewForm(huh.NewGroup(s.field(m))))
	}
	return s.rearm(m)
}

// rearm, just before executing, disables the agents again until past the
// update (drain.BeforeExecute), as batch does.
func (s *drainScreen) rearm(m *Model) tea.Cmd {
	s.phase, s.disabling = drRearming, true
	in := m.stack.set.Input
	d, seq, now := m.tc.drain.d, s.seq, m.cfg.now()
	// Not cancelled by ctrl+c: giving up waits for it (disabling).
	ctx := m.sess.ctx
	return tea.Batch(m.sess.do(func() tea.Msg {
		back, meanwhile, unseen, err := d.BeforeExecute(ctx, in.Stack, in.Name, now)
		return drainRearmedMsg{seq: seq, switchBack: back, meanwhile: meanwhile, unseen: unseen, err: err}
	}), m.tick())
}

// rearmed executes, unless an agent TeamCity enabled meanwhile took a
// build the drain never saw (executing would cut it off: exit 1).
func (s *drainScreen) rearmed(m *Model, msg drainRearmedMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil
	}
	s.disabling = false
	switch {
	case s.phase == drRestoring:
		return s.giveUp(m, s.failed, s.after)
	case msg.err != nil:
		return s.giveUp(m, fmt.Errorf("could not disable the agents until after the update: %w", msg.err), restoreToDone)
	case len(msg.unseen) > 0:
		return s.giveUp(m, errors.New(render.DrainEnabledMeanwhile(msg.meanwhile, msg.unseen, m.cfg.now())), restoreToDone)
	}
	if !msg.switchBack.IsZero() {
		run := m.tc.drain
		run.mu.Lock()
		run.rearmed = render.DrainRearmedLine(len(run.d.Disabled()), msg.switchBack)
		run.mu.Unlock()
	}
	return m.enter(stepProgress)
}

// field asks what to do once the timeout passed.
func (s *drainScreen) field(m *Model) huh.Field {
	n := len(s.status.Builds)
	return selectOf(m, render.DrainTimedOutQuestion(n, m.drainTimeout()), []huh.Option[string]{
		huh.NewOption("Give up: enable the agents again, delete the change set", drainGiveUp),
		huh.NewOption("Wait another "+formatDuration(m.drainTimeout()), drainWait),
		huh.NewOption("Execute now: "+render.Count(n, "running build is", "running builds are")+" cut off", drainExecute),
	}, &s.choice)
}

func (s *drainScreen) submit(m *Model) tea.Cmd {
	m.form = nil
	switch s.choice {
	case drainWait:
		// The switch-back time stays: it is the safety net if tcdind is
		// killed, and every other way out enables the agents at once.
		m.tc.drain.d.Timeout += m.drainTimeout()
		return s.wait(m)
	case drainExecute:
		return s.rearm(m)
	}
	return s.giveUp(m, nil, restoreToDone)
}

// giveUp stops draining: the agents tcdind disabled are enabled again and
// read back, then the change set is deleted. why is the failure that
// ended it, nil when the user gave up.
func (s *drainScreen) giveUp(m *Model, why error, after afterRestore) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.phase, s.after, s.failed, m.form = drRestoring, after, why, nil
	if s.disabling {
		return m.tick() // drainDisabledMsg goes on
	}
	run, seq := m.tc.drain, s.seq
	if r := run.outcome(); r != nil {
		return s.restored(m, drainRestoredMsg{seq: seq, r: *r})
	}
	ctx := context.WithoutCancel(m.sess.ctx)
	return tea.Batch(m.sess.do(func() tea.Msg {
		return drainRestoredMsg{seq: seq, r: run.enableAgain(ctx)}
	}), m.tick())
}

// restored records what enabling the agents found, then deletes the
// change set.
func (s *drainScreen) restored(m *Model, msg drainRestoredMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil
	}
	cs := m.screen(stepChangeSet).(*changeSetScreen)
	if s.after == restoreToQuit || m.stack.leaving {
		return cs.delete(m, toQuit)
	}
	m.tc.drainErr = s.failed
	return cs.delete(m, toDone)
}

// quit enables the agents again and deletes the change set before leaving.
func (s *drainScreen) quit(m *Model) tea.Cmd {
	m.stack.leaving = true
	if s.phase == drRestoring {
		s.after = restoreToQuit
		return nil
	}
	return s.giveUp(m, nil, restoreToQuit)
}

func (s *drainScreen) spinning(*Model) bool { return true }

func (s *drainScreen) hints(m *Model) []hint {
	switch s.phase {
	case drTimedOut:
		return []hint{{"↑/↓", "choose"}, {"enter", "confirm"}, {"ctrl+c", "quit (re-enables agents)"}}
	case drRestoring, drRearming:
		return []hint{{"ctrl+c", "quit"}}
	}
	return []hint{{"ctrl+c", "stop: re-enable agents, delete change set"}}
}

func (s *drainScreen) view(m *Model, w, _ int) body {
	in := m.stack.set.Input
	d := m.tc.drain.d
	tw := min(w, 90)
	switch s.phase {
	case drDisabling:
		return body{top: m.spinView() + render.Wrap(render.DrainDisabling(len(d.Agents)), max(w-2, 10))}
	case drRestoring:
		return body{top: m.spinView() + render.Wrap(render.DrainRestoring(len(d.Disabled())), max(w-2, 10))}
	case drRearming:
		return body{top: m.spinView() + render.Wrap(render.DrainRearming(len(d.Disabled())), max(w-2, 10))}
	}
	top := m.st.Section.Render(render.Wrap("Draining before change set "+in.Name, tw)) + "\n" +
		render.Wrap(drainedSentence(d), tw)
	for _, l := range m.tc.drain.notes(in.Stack) {
		top += "\n" + render.Wrap(l, tw)
	}
	head := render.DrainWaiting(len(s.status.Builds), s.status.Elapsed, d.Timeout)
	if s.phase == drWaiting {
		head = m.spinView() + head
	}
	var b strings.Builder
	b.WriteString(m.st.Strong.Render(head) + "\n")
	now := m.cfg.now()
	for _, r := range s.status.Builds {
		b.WriteString(wrapItems([]string{"  " + render.DrainBuild(r.Project, r.BuildType, r.Number, r.Agent, now.Sub(r.Started))}, tw) + "\n")
	}
	return body{top: top, scroll: strings.TrimRight(b.String(), "\n"), bottom: m.formBody()}
}

// intro is the drain as plain text, for plain prompts.
func (s *drainScreen) intro(m *Model) string {
	d := m.tc.drain.d
	lines := append([]string{drainedSentence(d)}, m.tc.drain.notes(m.stack.set.Input.Stack)...)
	lines = append(lines, render.DrainWaiting(len(s.status.Builds), s.status.Elapsed, d.Timeout))
	now := m.cfg.now()
	for _, r := range s.status.Builds {
		lines = append(lines, "  "+render.DrainBuild(r.Project, r.BuildType, r.Number, r.Agent, now.Sub(r.Started)))
	}
	return strings.Join(lines, "\n")
}

func names(agents []teamcity.Agent) []string {
	out := make([]string, 0, len(agents))
	for _, a := range agents {
		out = append(out, a.Name)
	}
	return out
}

// drainedSentence says which agents tcdind disabled, which it left, and
// when TeamCity enables them by itself: the words batch says.
func drainedSentence(d *drain.Drain) string {
	adopted := d.Adopted()
	fresh := slices.DeleteFunc(slices.Clone(d.Disabled()), func(a teamcity.Agent) bool {
		return slices.ContainsFunc(adopted, func(b teamcity.Agent) bool { return a.ID == b.ID })
	})
	lines := render.DrainDisabledLines(fresh, d.Before(), d.SwitchBack)
	if len(lines) == 0 && len(adopted) == 0 {
		return "tcdind disabled no agent."
	}
	for i, l := range lines {
		lines[i] = render.Capitalize(l) + "."
	}
	return strings.Join(lines, " ")
}
