package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/source"
)

// step is a screen of the wizard, in the order they are met. A step whose
// answer a flag gave is skipped going forward; esc goes back one step
// whether it was skipped or not, keeping the answers.
type step int

const (
	stepSource    step = iota // a template, or a stack
	stepRegion                // the stack's region
	stepStacks                // the region's stacks
	stepTemplate              // the template's path or URL
	stepLoading               // reading or downloading, behind a spinner
	stepTaskDef               // which agent task definition (only when several)
	stepMode                  // socket, privileged or none, with the note
	stepOptions               // the recipe
	stepReview                // diff, changes, note, warnings
	stepSave                  // where to save
	stepOverwrite             // the file exists: overwrite?
	stepChangeSet             // a stack: the change set, execute or discard?
	stepProgress              // a stack: the update's events, live
	stepDone                  // what was written or applied, and the next step
)

var stepNames = map[step]string{
	stepSource:    "Source",
	stepRegion:    "Region",
	stepStacks:    "Stack",
	stepTemplate:  "Template",
	stepLoading:   "Template",
	stepTaskDef:   "Task definition",
	stepMode:      "Mode",
	stepOptions:   "Recipe",
	stepReview:    "Review",
	stepSave:      "Save",
	stepOverwrite: "Save",
	stepChangeSet: "Change set",
	stepProgress:  "Update",
	stepDone:      "Done",
}

func (s step) String() string { return stepNames[s] }

// screenError is an error shown on screen; esc goes back to step back.
type screenError struct {
	title  string
	detail string
	hint   string
	back   step
	// reload: enter reads the stack again (it changed since the review).
	reload bool
}

// loadedMsg ends a load started by startLoad.
type loadedMsg struct {
	seq  int
	arg  string
	src  *source.Template
	tmpl *dind.Template
	err  error
	// A stack's: the stack and the region its client talks to.
	isStack bool
	stack   *awsclient.Stack
	region  string
}

// peekMsg runs a function on the model inside the program's loop: tests
// read the screen with it without racing the program.
type peekMsg func(*Model)

// Model is the wizard's bubbletea model. Use it through a pointer: the
// forms write their answers into its fields.
type Model struct {
	ctx   context.Context
	cfg   Config
	st    render.Styles
	theme *huh.Theme
	keys  keyMap
	a     answers

	width, height int

	step step
	form *huh.Form
	list *list // the form's long select, filtered by typing
	help bool
	err  *screenError
	// skip holds the steps flags answered; going back into one asks it.
	skip map[step]bool

	spin       spinner.Model
	loadSeq    int
	loadArg    string
	cancelLoad context.CancelFunc

	result *dind.Result
	vp     viewport.Model

	written     string
	finished    bool
	interrupted bool

	// AWS: every call runs in a command tracked by tasks, under awsCtx,
	// which Close cancels.
	awsCtx    context.Context
	awsCancel context.CancelFunc
	tasks     *tasks
	clientsMu sync.Mutex
	clients   map[string]awsclient.CloudFormation

	stacks stackList
	cs     changeSet
	prog   progress

	pendingMu     sync.Mutex
	pending       []*changeset.Set // created, neither executed nor deleted (checked)
	updateStarted bool             // ExecuteChangeSet started the update
	warnings      []string

	leaving      bool  // ctrl+c: deleting the change set, then quit
	leftRunning  bool  // ctrl+c while the update runs
	exitErr      error // the run's outcome when not plain success
	stackOutcome stackOutcome
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

// New returns the wizard for cfg. ctx bounds downloads.
func New(ctx context.Context, cfg Config) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	m := &Model{
		ctx:     ctx,
		cfg:     cfg,
		st:      render.NewStyles(!cfg.NoColor),
		theme:   render.HuhTheme(!cfg.NoColor),
		keys:    newKeyMap(),
		a:       newAnswers(cfg),
		width:   80,
		height:  24,
		skip:    map[step]bool{},
		spin:    spinner.New(spinner.WithSpinner(spinner.Dot)),
		tasks:   newTasks(),
		clients: map[string]awsclient.CloudFormation{},
	}
	m.awsCtx, m.awsCancel = context.WithCancel(ctx)
	if cfg.RegionGiven {
		m.skip[stepRegion] = true
	}
	if cfg.Stack != "" {
		m.a.source, m.a.stack = sourceStack, cfg.Stack
		m.skip[stepRegion] = true
	}
	if len(cfg.TaskDefinitions) > 0 {
		m.skip[stepTaskDef] = true
	}
	if cfg.Mode != "" {
		m.skip[stepMode] = true
		m.skip[stepOptions] = true
	}
	if cfg.RecipeGiven {
		m.skip[stepOptions] = true
	}
	return m
}

// Written is the file saved, empty when nothing was.
func (m *Model) Written() string { return m.written }

// Interrupted reports whether the user quit before anything was written.
func (m *Model) Interrupted() bool { return m.interrupted }

// Init starts on the first question, or loads the template a flag named.
func (m *Model) Init() tea.Cmd {
	if m.cfg.Stack != "" {
		return m.startStackLoad()
	}
	if m.cfg.Template != "" {
		m.a.source = sourceTemplate
		return m.startLoad()
	}
	return m.enter(stepSource)
}

// contentWidth is the width inside the screen's margins.
func (m *Model) contentWidth() int { return max(m.width-m.st.App.GetHorizontalFrameSize(), 20) }

// formWidth is the width of a question: the content width, at most 80.
func (m *Model) formWidth() int { return min(m.contentWidth(), 80) }

// applies reports whether step s has a question for this template.
func (m *Model) applies(s step) bool {
	switch s {
	case stepTaskDef:
		return m.a.tmpl != nil && len(m.a.tmpl.Agents()) > 1
	case stepMode, stepReview:
		return true
	case stepOptions:
		return recipeApplies(m.a.mode)
	}
	return false
}

// nextStep is the first step after from that has a question flags did not
// answer, up to the review.
func (m *Model) nextStep(from step) step {
	for s := from + 1; s < stepReview; s++ {
		if m.applies(s) && !m.skip[s] {
			return s
		}
	}
	return stepReview
}

// prevStep is the step esc goes back to from s.
func (m *Model) prevStep(s step) (step, bool) {
	switch s {
	case stepRegion, stepTemplate:
		return stepSource, true
	case stepStacks:
		return stepRegion, true
	case stepLoading, stepTaskDef:
		return m.sourceStep(), true
	case stepMode:
		if m.applies(stepTaskDef) {
			return stepTaskDef, true
		}
		return m.sourceStep(), true
	case stepOptions:
		return stepMode, true
	case stepReview:
		if m.applies(stepOptions) {
			return stepOptions, true
		}
		return stepMode, true
	case stepSave:
		return stepReview, true
	case stepOverwrite:
		return stepSave, true
	}
	return s, false
}

// sourceStep is the question that names the template: its path, or the stack.
func (m *Model) sourceStep() step {
	if m.a.source == sourceStack {
		return stepStacks
	}
	return stepTemplate
}

// goBack enters s as a step the user wants to answer again: it and the
// steps after it are asked from now on.
func (m *Model) goBack(s step) tea.Cmd {
	for t := s; t <= stepDone; t++ {
		delete(m.skip, t)
	}
	return m.enter(s)
}

// enter shows step s with a fresh form holding the current answers.
func (m *Model) enter(s step) tea.Cmd {
	m.stopLoading()
	if s != stepStacks {
		m.stopStacks()
	}
	m.step, m.err, m.help, m.form, m.list = s, nil, false, nil, nil
	switch s {
	case stepSource:
		m.form = m.sourceForm()
	case stepRegion:
		m.form = m.regionForm()
	case stepStacks:
		return m.startStacks()
	case stepTemplate:
		m.form = m.templateForm()
	case stepTaskDef:
		m.form = m.taskDefForm()
	case stepMode:
		m.form = m.modeForm()
	case stepOptions:
		m.form = m.optionsForm()
	case stepReview:
		return m.enterReview()
	case stepSave:
		m.form = m.saveForm()
	case stepOverwrite:
		m.form = m.overwriteForm()
	}
	return m.enterForm()
}

// enterForm readies m.form: theme, width, and the terminal's size.
func (m *Model) enterForm() tea.Cmd {
	if m.form == nil {
		return nil
	}
	m.form = m.form.WithTheme(m.theme).WithShowHelp(false).WithShowErrors(true).WithWidth(m.formWidth())
	cmd := m.form.Init()
	// A form sizes its fields on a WindowSizeMsg; a form made after the
	// program's first one would otherwise cut wrapped text.
	f, _ := m.form.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height})
	m.form = f.(*huh.Form)
	m.moveListCursor()
	return cmd
}

// submit takes the answer of the current step's completed form and moves on.
func (m *Model) submit() tea.Cmd {
	switch m.step {
	case stepSource:
		if m.a.source == sourceStack {
			if m.skip[stepRegion] {
				return m.enter(stepStacks)
			}
			return m.enter(stepRegion)
		}
		return m.enter(stepTemplate)
	case stepRegion:
		return m.enter(stepStacks)
	case stepStacks:
		return m.startStackLoad()
	case stepChangeSet:
		return m.changeSetSubmitted()
	case stepTemplate:
		return m.startLoad()
	case stepTaskDef:
		m.a.taskDefs = nil
		return m.enter(m.nextStep(stepTaskDef))
	case stepMode:
		return m.enter(m.nextStep(stepMode))
	case stepOptions:
		return m.enter(stepReview)
	case stepSave:
		m.a.output = strings.TrimSpace(m.a.output)
		if outputExists(m.a.output) {
			m.a.overwrite = false
			return m.enter(stepOverwrite)
		}
		return m.write()
	case stepOverwrite:
		if m.a.overwrite {
			return m.write()
		}
		return m.enter(stepSave)
	}
	return nil
}

// fail shows an error screen.
func (m *Model) fail(e screenError) tea.Cmd {
	m.stopLoading()
	m.err, m.form, m.help = &e, nil, false
	return nil
}

func (m *Model) quit() (tea.Model, tea.Cmd) {
	m.stopLoading()
	m.stopStacks()
	m.interrupted = m.written == "" && !m.finished
	if m.leaving {
		// A second ctrl+c: leave now; Close deletes what is left.
		return m, tea.Quit
	}
	switch {
	case m.step == stepProgress && m.prog.executing:
		// ExecuteChangeSet is out: its answer tells whether the update
		// started (executed quits).
		m.leaving = true
		return m, m.tick()
	case m.step == stepProgress && m.prog.running:
		// Close reads whether it goes on.
		m.leftRunning = true
		return m, tea.Quit
	case m.step == stepChangeSet && m.cs.phase == csCreating && m.cs.cancel != nil:
		// The creation, cancelled, deletes what it made; created quits.
		m.leaving = true
		m.cs.cancel()
		return m, m.tick()
	case m.step == stepChangeSet && m.cs.made != nil && m.cs.made.ChangeSet != nil:
		m.leaving = true
		return m, m.deleteChangeSet(toQuit)
	case m.step == stepChangeSet && m.cs.phase == csDeleting:
		m.leaving = true
		return m, nil
	}
	return m, tea.Quit
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.step == stepReview && m.result != nil {
			m.layoutReview()
		}
		if m.form != nil {
			m.form = m.form.WithWidth(m.formWidth())
			f, cmd := m.form.Update(msg)
			m.form = f.(*huh.Form)
			return m, cmd
		}
		return m, nil
	case loadedMsg:
		return m, m.loaded(msg)
	case stacksMsg:
		return m, m.listed(msg)
	case probeMsg:
		return m, m.probed(msg)
	case createdMsg:
		return m, m.created(msg)
	case deletedMsg:
		return m, m.deleted(msg)
	case executedMsg:
		return m, m.executed(msg)
	case eventsMsg:
		return m, m.gotEvents(msg)
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
		if key.Matches(msg, m.keys.Quit) {
			return m.quit()
		}
		if m.help {
			if key.Matches(msg, m.keys.Help, m.keys.Back, m.keys.Confirm) || msg.String() == "q" {
				m.help = false
			}
			return m, nil
		}
		if m.err != nil {
			if m.err.reload && key.Matches(msg, m.keys.Confirm) {
				m.err = nil
				return m, m.startStackLoad()
			}
			if key.Matches(msg, m.keys.Back, m.keys.Confirm) {
				return m, m.goBack(m.err.back)
			}
			return m, nil
		}
		if key.Matches(msg, m.keys.Help) && m.helpKeyFree(msg) {
			m.help = true
			return m, nil
		}
		switch m.step {
		case stepChangeSet:
			if key.Matches(msg, m.keys.Back) {
				return m, m.updateChangeSet(msg)
			}
			if m.cs.phase != csReady {
				return m, nil
			}
		case stepProgress:
			return m, nil
		case stepRegion, stepStacks:
			if m.filterUpdate(msg) {
				return m, nil
			}
			if m.step == stepStacks && (msg.Type == tea.KeyUp || msg.Type == tea.KeyDown || msg.Type == tea.KeyPgUp || msg.Type == tea.KeyPgDown) {
				m.stacks.touched = true
			}
		}
		if key.Matches(msg, m.keys.Back) && !m.formFiltering() {
			if m.step == stepDone {
				return m, tea.Quit
			}
			if prev, ok := m.prevStep(m.step); ok {
				return m, m.goBack(prev)
			}
			return m, nil
		}
		switch m.step {
		case stepReview:
			return m, m.updateReview(msg)
		case stepDone:
			if key.Matches(msg, m.keys.Confirm) || msg.String() == "q" {
				return m, tea.Quit
			}
			return m, nil
		case stepLoading:
			return m, nil
		case stepStacks:
			if m.form == nil {
				return m, nil
			}
		}
	}
	if m.form == nil {
		return m, nil
	}
	f, cmd := m.form.Update(msg)
	m.form = f.(*huh.Form)
	switch m.form.State {
	case huh.StateCompleted:
		return m, tea.Batch(cmd, m.submit())
	case huh.StateAborted:
		return m.quit()
	}
	return m, cmd
}

// helpKeyFree reports whether a help key opens the help rather than being
// typed: "?" types into a template path or URL that is not empty.
func (m *Model) helpKeyFree(msg tea.KeyMsg) bool {
	if msg.String() != "?" {
		return true
	}
	if m.formFiltering() {
		return false
	}
	return !(m.step == stepTemplate && m.a.templateArg != "")
}

// formFiltering reports whether a list is being filtered: esc ends the
// filter then, not the step.
func (m *Model) formFiltering() bool {
	if m.form == nil {
		return false
	}
	f, ok := m.form.GetFocusedField().(interface{ GetFiltering() bool })
	return ok && f.GetFiltering()
}

// View draws the screen: header, body, footer, never taller than the
// terminal.
func (m *Model) View() string {
	w := m.contentWidth()
	header := m.header(w)
	footer := m.footer(w, m.hints())
	h := m.bodyHeight(header, footer)
	var body string
	switch {
	case m.help:
		body = m.helpView(w, h)
	case m.err != nil:
		body = m.errorView(w)
	default:
		body = m.body(w, h)
	}
	return m.st.App.Render(header + "\n" + fitHeight(body, h) + "\n" + footer)
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
	switch m.step {
	case stepLoading:
		return []hint{{"esc", "cancel"}, {"ctrl+c", "quit"}}
	case stepStacks:
		if m.form == nil {
			return []hint{{"esc", "back"}, {"ctrl+c", "quit"}}
		}
		return m.formHints()
	case stepChangeSet:
		return m.changeSetHints()
	case stepProgress:
		return []hint{{"ctrl+c", "leave (the update goes on in AWS)"}}
	case stepReview:
		return m.reviewHints()
	case stepDone:
		return []hint{{"enter", "quit"}}
	}
	return m.formHints()
}

func (m *Model) body(w, h int) string {
	switch m.step {
	case stepLoading:
		return m.loadingView(w)
	case stepStacks:
		return m.stacksView(w)
	case stepChangeSet:
		return m.changeSetView(w)
	case stepProgress:
		return m.progressView(w, h)
	case stepMode:
		return m.modeView(w, h)
	case stepOptions:
		return m.optionsView(w, h)
	case stepReview:
		return m.reviewView(w)
	case stepDone:
		return m.doneView(w)
	}
	var b strings.Builder
	if intro := m.intro(w); intro != "" {
		b.WriteString(intro + "\n\n")
	}
	if m.form != nil {
		b.WriteString(strings.TrimRight(m.form.View(), "\n "))
	}
	return b.String()
}

func (m *Model) formHints() []hint {
	hs := []hint{{"enter", "confirm"}}
	if m.step == stepRegion || m.step == stepStacks {
		hs = append(hs, hint{"type", "filter"})
	}
	if _, ok := m.prevStep(m.step); ok {
		hs = append(hs, hint{"esc", "back"})
	}
	if m.step == stepTemplate {
		return append(hs, hint{"f1", "help"}, hint{"ctrl+c", "quit"})
	}
	return append(hs, hint{"?", "help"}, hint{"ctrl+c", "quit"})
}

// header is the top line: where the user is.
func (m *Model) header(w int) string {
	name := m.step.String()
	switch {
	case m.help:
		name = "Help"
	case m.err != nil:
		name = "Problem"
	}
	line := m.st.Title.Render("tcdind") + m.st.Step.Render(" › "+name)
	switch {
	case m.a.stackInfo != nil && m.a.src != nil:
		line += m.st.Subtle.Render("  stack " + m.a.stackInfo.Name + " · " + m.a.region)
	case m.a.src != nil:
		line += m.st.Subtle.Render("  " + displayName(m.a.src))
	case m.step == stepStacks && m.a.region != "":
		line += m.st.Subtle.Render("  " + m.a.region)
	}
	return ansi.Truncate(line, w, "…") + "\n"
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

func displayName(src *source.Template) string {
	if src.Path != "" {
		return src.Path
	}
	return src.Name
}

// errorView is the error screen.
func (m *Model) errorView(w int) string {
	e := m.err
	inner := max(min(w, 80)-m.st.Error.GetHorizontalFrameSize(), 16)
	text := m.st.ErrTitle.Render(render.Wrap(e.title, inner)) + "\n\n" + render.Wrap(e.detail, inner)
	box := m.st.Error.Width(inner + m.st.Error.GetHorizontalPadding()).Render(text)
	if e.hint != "" {
		box += "\n\n" + render.Wrap(e.hint, w)
	}
	return box
}

// errorFor turns an error into a screen that says what to do.
func errorFor(err error, title string, back step) screenError {
	e := screenError{title: title, detail: err.Error(), back: back}
	var refused *dind.RefusedError
	var parseErr *dind.ParseError
	var sel *dind.SelectionError
	switch {
	case errors.Is(err, dind.ErrNoAgent):
		e.title = "No TeamCity build agent in this template"
		e.hint = "Press esc and give a template with the agent's ECS task definition."
	case errors.As(err, &parseErr):
		e.title = "This template does not parse"
		e.hint = "Press esc and give another file, or fix the line named above."
	case errors.As(err, &refused):
		e.title = "tcdind will not edit this"
		e.hint = "Nothing was written. Press esc to choose differently."
	case errors.As(err, &sel):
		e.title = "Choose the agent task definition again"
		e.hint = "Press esc to choose."
	default:
		e.hint = "Press esc to go back."
	}
	return e
}

// filterKey reports whether a key types into a list's filter: a letter,
// a digit, - or _ (names of stacks and regions).
func filterKey(msg tea.KeyMsg) bool {
	if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 || msg.Alt {
		return false
	}
	r := msg.Runes[0]
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// spinning reports whether a spinner is on screen.
func (m *Model) spinning() bool {
	if m.err != nil {
		return false
	}
	switch m.step {
	case stepLoading:
		return true
	case stepStacks:
		return m.stacks.loading || m.probing()
	case stepChangeSet:
		return m.cs.phase != csReady || m.leaving
	case stepProgress:
		return m.prog.running || m.prog.executing
	}
	return false
}

// tick turns the spinner; still (tests) keeps it on its first frame.
func (m *Model) tick() tea.Cmd {
	if m.cfg.still {
		return nil
	}
	return m.spin.Tick
}

func (m *Model) spinView() string { return m.spin.View() }

// tasks counts the commands that call AWS, so that Close can wait for them:
// none outlives the program.
type tasks struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   *sync.Cond
}

func newTasks() *tasks {
	t := &tasks{}
	t.idle = sync.NewCond(&t.mu)
	return t
}

// track wraps a command that calls AWS: once Close began, it does nothing.
func (m *Model) track(f func() tea.Msg) tea.Cmd {
	t := m.tasks
	return func() tea.Msg {
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			return nil
		}
		t.n++
		t.mu.Unlock()
		defer func() {
			t.mu.Lock()
			t.n--
			if t.n == 0 {
				t.idle.Broadcast()
			}
			t.mu.Unlock()
		}()
		return f()
	}
}

// Close ends what the wizard started: it cancels the AWS calls, waits for
// their commands, deletes a change set that was created and not executed
// (and checks it is gone), and reads whether an update left running goes
// on. Run calls it once the program ended; it is safe to call twice.
func (m *Model) Close() error {
	m.stopLoading()
	m.stopStacks()
	m.awsCancel()
	t := m.tasks
	t.mu.Lock()
	t.closed = true
	for t.n > 0 {
		t.idle.Wait()
	}
	t.mu.Unlock()
	// Every change set not executed is deleted and checked; one that
	// could not be is the outcome that counts.
	var left error
	for _, set := range m.allPending() {
		err := set.Discard(m.awsCtx, nil)
		if exitcode.Code(err) != exitcode.Pending {
			m.unsetPending(set)
		}
		if left == nil || exitcode.Code(left) != exitcode.Pending {
			left = err
		}
	}
	if !m.isExecuted() || m.stackOutcome != outcomeNone || m.prog.update == nil {
		if left != nil && (m.stackOutcome == outcomeNone || exitcode.Code(left) == exitcode.Pending) {
			m.exitErr = left
		}
		return nil
	}
	// An update was left running: whether it goes on is the outcome, with
	// an older change set that may remain (one deleted is no news).
	var older error
	if exitcode.Code(left) == exitcode.Pending {
		older = left
	}
	with := func(err error) error {
		if older == nil {
			return err
		}
		if err == nil {
			return older
		}
		return fmt.Errorf("%w; %w", err, older)
	}
	m.exitErr = with(nil)
	c, err := m.client(context.WithoutCancel(m.ctx), m.a.region)
	if err != nil {
		m.exitErr = with(err)
		return nil
	}
	u := m.prog.update
	if err := changeset.GoesOn(m.awsCtx, c, u, m.prog.follow.Where); err != nil {
		m.exitErr = with(err)
		return nil
	}
	// It ended while we left: report it as if followed to the end.
	m.finished = true
	if u.Final == "UPDATE_COMPLETE" {
		m.stackOutcome = outcomeUpdated
	} else {
		m.stackOutcome, m.exitErr = outcomeFailed, with(u.Err(m.prog.follow.Where))
	}
	return nil
}

func (m *Model) setExecuted() {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	m.updateStarted = true
}

func (m *Model) isExecuted() bool {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	return m.updateStarted
}

// Outcome is the run's result for the exit status: nil when something was
// saved or applied, or nothing needed changing; an interruption when the
// user quit; the failure of an update that rolled back.
func (m *Model) Outcome() error {
	switch {
	case m.exitErr != nil:
		return m.exitErr
	case m.written != "" || m.finished:
		return nil
	}
	return exitcode.ErrInterrupted
}
