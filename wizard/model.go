package wizard

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/agenthosts"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
)

// peekMsg runs a function on the model inside the program's loop: tests
// read the screen with it without racing the program.
type peekMsg func(*Model)

// frame is how the screens are drawn: styles, keys, the spinner, the
// terminal's size.
type frame struct {
	st            render.Styles
	theme         *huh.Theme
	keys          keyMap
	spin          spinner.Model
	width, height int
}

// Model is the wizard's bubbletea model: the answers and the outcome every
// screen shares, and the screen shown, to which it delegates (flow.go
// lists the screens, screen.go is their interface). Use it through a
// pointer: the forms write their answers into its fields.
type Model struct {
	ctx  context.Context
	cfg  Config
	sess *session // AWS: owned by Run, closed there
	frame

	a      answers
	result *dind.Result // the review's engine result
	// hosts are what the agents' hosts mean for the review's answers.
	hosts agenthosts.Judgement
	stack stackRun // the change set and the update under way
	tc    tcRun    // TeamCity: the agents of the tasks being replaced
	out   outcome

	step    step
	screens map[step]screen
	skip    map[step]bool // the screens flags answered
	form    *huh.Form     // the shown screen's question
	list    *list         // the form's long select, filtered by typing
	ends    [2]any        // the first and last option of the select shown
	pane    pane          // the shown screen's part that gives way
	// choiceDefault is the last select's default, "1, Discard", which a
	// plain prompt says.
	choiceDefault string
	help          bool
	err           *screenError
	// plain: the accessible driver asks the screens' fields as line
	// prompts; forms are built (their fields bind the answers) but never
	// run.
	plain bool
}

// stackRun is the stack's change set and update, shared by the change set,
// progress and done screens and by Close.
type stackRun struct {
	set         *changeset.Set
	made        *changeset.Created
	s3Key       string
	update      *changeset.Update
	follow      *changeset.Follower
	watch       *rollout.Watch // the agents' ECS services; nil before the update
	started     time.Time
	ended       time.Time
	executing   bool // ExecuteChangeSet is out
	running     bool // the update goes on in AWS
	leaving     bool // ctrl+c: deleting the change set, then quit
	leftRunning bool // ctrl+c while the update runs
}

// outcome is how the run ended.
type outcome struct {
	written     string
	finished    bool
	interrupted bool
	err         error // the run's outcome when not plain success
	stack       stackOutcome
}

// stackOutcome is how a stack run ended.
type stackOutcome int

const (
	outcomeNone      stackOutcome = iota
	outcomeUpdated                // UPDATE_COMPLETE
	outcomeFailed                 // rolled back or failed
	outcomeNoChanges              // CloudFormation found nothing to change
	outcomeDiscarded              // the user discarded the change set
	outcomeUnknown                // following stopped; the update goes on
)

// New returns the wizard for cfg, with an AWS session of its own that
// Close ends. ctx bounds downloads and AWS calls.
func New(ctx context.Context, cfg Config) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	return newModel(ctx, cfg, newSession(ctx, cfg.Client))
}

func newModel(ctx context.Context, cfg Config, sess *session) *Model {
	m := &Model{
		ctx:  ctx,
		cfg:  cfg,
		sess: sess,
		frame: frame{
			st:     render.NewStyles(!cfg.NoColor),
			theme:  render.HuhTheme(!cfg.NoColor),
			keys:   newKeyMap(),
			spin:   spinner.New(spinner.WithSpinner(spinner.Dot)),
			width:  80,
			height: 24,
		},
		a:       newAnswers(cfg),
		screens: map[step]screen{},
		skip:    skipped(cfg),
	}
	if cfg.Stack != "" {
		m.a.source, m.a.stack = sourceStack, cfg.Stack
	}
	return m
}

// Written is the file saved, empty when nothing was.
func (m *Model) Written() string { return m.out.written }

// Interrupted reports whether the user quit before anything was written.
func (m *Model) Interrupted() bool { return m.out.interrupted }

// Init starts on the first question, or loads the template or stack a
// flag named.
func (m *Model) Init() tea.Cmd {
	if m.cfg.Template != "" {
		m.a.source = sourceTemplate
	}
	if m.cfg.Stack != "" || m.cfg.Template != "" {
		return m.enter(stepLoading)
	}
	return m.enter(stepSource)
}

// contentWidth is the width inside the screen's margins.
func (m *Model) contentWidth() int { return max(m.width-m.st.App.GetHorizontalFrameSize(), 20) }

// formWidth is the width of a question: the content width, at most 80.
func (m *Model) formWidth() int { return min(m.contentWidth(), 80) }

// enter shows step s: the screen shown before stops its work, and s's
// screen starts with the current answers.
func (m *Model) enter(s step) tea.Cmd {
	m.leaveScreen()
	m.step, m.err, m.help, m.form, m.list, m.ends = s, nil, false, nil, nil, [2]any{}
	m.pane = newPane()
	return m.screen(s).enter(m)
}

// goBack enters s as a step the user wants to answer again: it and the
// steps after it are asked from now on.
func (m *Model) goBack(s step) tea.Cmd {
	m.unskipFrom(s)
	return m.enter(s)
}

// leaveScreen stops the shown screen's work.
func (m *Model) leaveScreen() {
	if l, ok := m.screens[m.step].(leaver); ok {
		l.leave(m)
	}
}

// setForm shows f as the screen's question: theme, width, and the
// terminal's size.
func (m *Model) setForm(f *huh.Form) tea.Cmd {
	m.form = f
	return m.readyForm()
}

// readyForm readies m.form: theme, width, and the terminal's size.
func (m *Model) readyForm() tea.Cmd {
	if m.form == nil || m.plain {
		return nil
	}
	m.form = m.form.WithTheme(m.theme).WithShowHelp(false).WithShowErrors(true).WithWidth(m.formWidth())
	if m.list != nil {
		// Tall enough for every option: listView shows the rows that fit.
		m.form = m.form.WithHeight(len(m.list.shown) + 40)
	}
	cmd := m.form.Init()
	// A form sizes its fields on a WindowSizeMsg; a form made after the
	// program's first one would otherwise cut wrapped text.
	f, _ := m.form.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height})
	m.form = f.(*huh.Form)
	m.moveListCursor()
	return cmd
}

// updateForm hands msg to the form; completed, the screen moves on.
func (m *Model) updateForm(msg tea.Msg) tea.Cmd {
	if m.form == nil {
		return nil
	}
	f, cmd := m.form.Update(msg)
	m.form = f.(*huh.Form)
	switch m.form.State {
	case huh.StateCompleted:
		if s, ok := m.screen(m.step).(submitter); ok {
			return tea.Batch(cmd, s.submit(m))
		}
	case huh.StateAborted:
		return m.quit()
	}
	return cmd
}

// fail shows an error screen over the current one.
func (m *Model) fail(e screenError) tea.Cmd {
	m.leaveScreen()
	m.err, m.form, m.help = &e, nil, false
	m.pane = newPane()
	return nil
}

// quit leaves: the screen finishes what it must (a change set to delete),
// then the program ends.
func (m *Model) quit() tea.Cmd {
	m.leaveScreen()
	m.out.interrupted = m.out.written == "" && !m.out.finished
	if m.stack.leaving {
		// A second ctrl+c: leave now; Close deletes what is left.
		return tea.Quit
	}
	if q, ok := m.screen(m.step).(quitter); ok {
		return q.quit(m)
	}
	return tea.Quit
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if r, ok := m.screen(m.step).(interface{ resize(*Model) }); ok {
			r.resize(m)
		}
		if m.list != nil && m.form != nil {
			// A list's options are laid out for the width.
			m.refreshList()
			return m, nil
		}
		if m.form != nil {
			m.form = m.form.WithWidth(m.formWidth())
			return m, m.updateForm(msg)
		}
		return m, nil
	case routed:
		cmd, _ := m.screen(msg.route()).update(m, msg)
		return m, cmd
	case peekMsg:
		msg(m)
		return m, nil
	case spinner.TickMsg:
		if !m.spinning() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, m.updateForm(msg)
}

// key handles a key: the keys every screen shares first, then the screen's,
// then esc back and the form's.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Quit) {
		return m.quit()
	}
	if m.help {
		if key.Matches(msg, m.keys.Help, m.keys.Back, m.keys.Confirm) || msg.String() == "q" {
			m.help = false
			m.pane = newPane()
			return nil
		}
		m.pane.scrollKey(m, msg)
		return nil
	}
	if m.err != nil {
		if m.err.reload && key.Matches(msg, m.keys.Confirm) {
			m.err = nil
			return m.enter(stepLoading)
		}
		if key.Matches(msg, m.keys.Back, m.keys.Confirm) {
			return m.goBack(m.err.back)
		}
		m.pane.scrollKey(m, msg)
		return nil
	}
	if key.Matches(msg, m.keys.Help) && m.helpKeyFree(msg) {
		m.help = true
		m.pane = newPane()
		return nil
	}
	if cmd, handled := m.screen(m.step).update(m, msg); handled {
		return cmd
	}
	if !m.formFiltering() && m.pane.scrollKey(m, msg) {
		return nil
	}
	if key.Matches(msg, m.keys.Back) && !m.formFiltering() {
		if prev, ok := m.prevStep(m.step); ok {
			return m.goBack(prev)
		}
		return nil
	}
	if m.atListEnd(msg) {
		return nil
	}
	return m.updateForm(msg)
}

// helpKeyFree reports whether a help key opens the help rather than being
// typed: "?" types into a text answer that is not empty.
func (m *Model) helpKeyFree(msg tea.KeyMsg) bool {
	if msg.String() != "?" {
		return true
	}
	if m.formFiltering() {
		return false
	}
	if in, ok := m.focused().(*huh.Input); ok {
		v, _ := in.GetValue().(string)
		return v == ""
	}
	return true
}

func (m *Model) focused() huh.Field {
	if m.form == nil {
		return nil
	}
	return m.form.GetFocusedField()
}

// formFiltering reports whether a list is being filtered: esc ends the
// filter then, not the step.
func (m *Model) formFiltering() bool {
	f, ok := m.focused().(interface{ GetFiltering() bool })
	return ok && f.GetFiltering()
}

// View draws the screen: header, body, footer, never taller than the
// terminal.
func (m *Model) View() string {
	w := m.contentWidth()
	header := m.header(w)
	var footer, body string
	// A footer names the scroll keys once the body scrolls: when laying
	// the body out changes that, it is laid out again under the new footer.
	for range 2 {
		scrolled := m.pane.scrolls
		footer = m.footer(w, m.hints())
		h := m.bodyHeight(header, footer)
		body = fitHeight(m.layout(m.body(w, h), w, h), h)
		if m.pane.scrolls == scrolled {
			break
		}
	}
	return m.st.App.Render(header + "\n" + body + "\n" + footer)
}

// body is what the screen shown, the help or the error shows in w×h.
func (m *Model) body(w, h int) body {
	switch {
	case m.help:
		return m.helpView(w, h)
	case m.err != nil:
		return m.errorView(w)
	}
	return m.screen(m.step).view(m, w, h)
}

// bodyHeight is how many lines the body may take.
func (m *Model) bodyHeight(header, footer string) int {
	return max(m.height-lipgloss.Height(header)-lipgloss.Height(footer)-m.st.App.GetVerticalFrameSize(), 3)
}

// hints are the footer's keys for the screen shown.
func (m *Model) hints() []hint {
	switch {
	case m.help:
		return []hint{{"esc", "close help"}, {"ctrl+c", "quit"}}
	case m.err != nil && m.err.reload:
		return []hint{{"enter", "read the stack again"}, {"esc", "back to " + strings.ToLower(m.err.back.String())}, {"ctrl+c", "quit"}}
	case m.err != nil:
		return []hint{{"esc", "back to " + strings.ToLower(m.err.back.String())}, {"ctrl+c", "quit"}}
	}
	return m.screen(m.step).hints(m)
}

// formView is the body of a screen that is only its question, with the
// text above it, which gives way.
func (m *Model) formView(intro string) body {
	return body{scroll: intro, bottom: m.formBody()}
}

// formBody is the form as the part of a body that stays; a long list
// shows the window of its options that fits (listView).
func (m *Model) formBody() string {
	if m.form == nil {
		return ""
	}
	v := strings.TrimRight(m.form.View(), "\n ")
	if m.list != nil {
		v = m.listView(v)
	}
	return v
}

// formHints are the keys of a question.
func (m *Model) formHints() []hint {
	hs := []hint{{"enter", "confirm"}}
	if m.list != nil {
		hs = append(hs, hint{"↑/↓", "move"}, hint{"type", "filter"})
	} else if _, ok := m.focused().(interface{ GetFiltering() bool }); ok {
		hs = append(hs, hint{"↑/↓", "move"})
	}
	if _, ok := m.focused().(*huh.MultiSelect[string]); ok {
		hs = append(hs, hint{"x/space", "choose"})
	}
	if _, ok := m.prevStep(m.step); ok {
		hs = append(hs, hint{"esc", "back"})
	}
	if _, ok := m.focused().(*huh.Input); ok {
		return append(hs, hint{"f1", "help"}, hint{"ctrl+c", "quit"})
	}
	return append(hs, hint{"?", "help"}, hint{"ctrl+c", "quit"})
}

// header is the top line: where the user is, and what the answers so far
// name.
func (m *Model) header(w int) string {
	name := m.step.String()
	switch {
	case m.help:
		name = "Help"
	case m.err != nil:
		name = "Problem"
	}
	line := m.st.Title.Render("tcdind") + m.st.Step.Render(" › "+name)
	if c := m.where(); c != "" {
		line += m.st.Subtle.Render("  " + c)
	}
	return ansi.Truncate(line, w, "…") + "\n"
}

// where is the header's context: the stack and region, or the template,
// as far as the answers go on the screen shown.
func (m *Model) where() string {
	switch m.step {
	case stepSource, stepTemplate:
		return ""
	case stepRegion:
		return ""
	case stepStacks:
		return m.a.region
	case stepLoading:
		if m.a.source == sourceStack {
			return render.StackWhere(m.a.stack, m.a.region)
		}
		return ""
	}
	switch {
	case m.a.stackInfo != nil:
		return render.StackWhere(m.a.stackInfo.Name, m.a.region)
	case m.a.src != nil:
		return displayName(m.a.src)
	}
	return ""
}

// footer is the key hints.
func (m *Model) footer(w int, hints []hint) string {
	parts := make([]string, len(hints))
	for i, h := range hints {
		parts[i] = m.st.Key.Render(h.key) + " " + m.st.Footer.Render(h.action)
	}
	var lines []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case lipgloss.Width(line)+3+lipgloss.Width(p) <= w:
			line += m.st.Footer.Render(" · ") + p
		default:
			lines = append(lines, line)
			line = p
		}
	}
	lines = append(lines, line)
	return "\n" + strings.Join(lines, "\n")
}

// fitHeight pads or cuts s to exactly h lines.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = append(lines[:h-1], "…")
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// spinning reports whether a spinner is on screen.
func (m *Model) spinning() bool {
	if m.err != nil {
		return false
	}
	b, ok := m.screen(m.step).(busy)
	return ok && b.spinning(m)
}

// tick turns the spinner; still (tests) keeps it on its first frame.
func (m *Model) tick() tea.Cmd {
	if m.cfg.still {
		return nil
	}
	return m.spin.Tick
}

func (m *Model) spinView() string { return m.spin.View() }

// getPending is the latest change set leaving must delete, or nil.
func (m *Model) getPending() *changeset.Set {
	held := m.sess.held()
	if len(held) == 0 {
		return nil
	}
	return held[len(held)-1]
}

// Close ends what the wizard started: it cancels the AWS calls, waits for
// their commands, deletes a change set that was created and not executed
// (and checks it is gone), and reads whether an update left running goes
// on. Run calls it once the program ended; it is safe to call twice.
func (m *Model) Close() error {
	m.leaveScreen()
	m.sess.stop()
	// Every agent a drain disabled is enabled again (and read back), once
	// the outcome below is known; one left disabled is the outcome.
	defer m.closeTeamCity()
	// Every change set not executed is deleted and checked; one that
	// could not be is the outcome that counts.
	left := m.sess.discardHeld()
	if err := m.sess.lastExecErr(); err != nil && m.stack.executing && m.out.err == nil {
		// Left while ExecuteChangeSet was out: its answer (deleted and
		// checked, or what may remain) came after the program ended; it
		// is the outcome, not "nothing was written".
		m.out.err = err
	}
	if !m.sess.isExecuted() || m.out.stack != outcomeNone || m.stack.update == nil {
		if left != nil && (m.out.stack == outcomeNone || pending(left)) {
			m.out.err = left
		}
		return nil
	}
	// An update was left running: whether it goes on is the outcome, with
	// an older change set that may remain (one deleted is no news).
	var older error
	if pending(left) {
		older = left
	}
	m.out.err = joinOlder(nil, older)
	c, err := m.sess.client(context.WithoutCancel(m.ctx), m.a.region)
	if err != nil {
		m.out.err = joinOlder(err, older)
		return nil
	}
	u := m.stack.update
	if err := changeset.GoesOn(m.sess.ctx, c, u, m.stack.follow.Where); err != nil {
		m.out.err = joinOlder(err, older)
		return nil
	}
	// It ended while we left: report it as if followed to the end.
	m.out.finished = true
	if u.Final == "UPDATE_COMPLETE" {
		m.out.stack = outcomeUpdated
	} else {
		m.out.stack, m.out.err = outcomeFailed, joinOlder(u.Err(m.stack.follow.Where), older)
	}
	return nil
}

// Outcome is the run's result for the exit status: nil when something was
// saved or applied, or nothing needed changing; an interruption when the
// user quit; the failure of an update that rolled back.
func (m *Model) Outcome() error {
	switch {
	case m.out.err != nil:
		return m.out.err
	case m.out.written != "" || m.out.finished:
		return nil
	}
	return exitcode.ErrInterrupted
}

// isStack reports whether the template is a deployed stack's.
func (m *Model) isStack() bool { return m.a.stackInfo != nil }

// whereFlags is " --region R [--profile P]" for the commands the wizard
// prints.
func (m *Model) whereFlags(region string) string {
	return whereFlags(region, m.cfg.Profile, m.cfg.EndpointURL)
}

// interruptedAfterUpdate is the outcome of leaving after UPDATE_COMPLETE,
// before what must follow it (ECS read back, TeamCity asked): the exit
// status is 128+n, as for any signal, and the line says the update is done
// and how to look at the rest.
func (m *Model) interruptedAfterUpdate(before string) error {
	return changeset.InterruptedAfterUpdate(m.a.stackInfo.Name, before, m.whereFlags(m.a.region))
}
