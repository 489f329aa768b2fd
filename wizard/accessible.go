package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-isatty"
	"github.com/muesli/termenv"

	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
	"github.com/tcdind/tcdind/source"
)

// lineReader hands out at most one line per Read. huh's accessible prompts
// read each answer with a new bufio.Scanner; a line at a time keeps one
// prompt from swallowing the next answers when input is not a terminal.
type lineReader struct {
	br  *bufio.Reader
	eof bool // the input ended
	n   int  // bytes handed out since reset
	// open: the last byte handed out was not a newline, a line the end
	// of input completes (an answer without its newline).
	open bool
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{br: bufio.NewReader(r)} }

// ttyReader is a line reader on a terminal: huh reads a password from its
// descriptor with the echo off (a terminal hands over a line at a time, so
// nothing is left in the buffer for the password to skip).
type ttyReader struct {
	*lineReader
	fd uintptr
}

func (t ttyReader) Fd() uintptr { return t.fd }

// input is the prompts' reader: a terminal keeps its descriptor, for the
// token question; anything else cannot hide an answer.
func input(r io.Reader) (*lineReader, io.Reader) {
	l := newLineReader(r)
	if f, ok := r.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return l, ttyReader{l, f.Fd()}
	}
	return l, l
}

func (l *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := l.br.ReadByte()
		if err != nil {
			if n > 0 {
				break
			}
			l.eof = true
			return 0, err
		}
		p[n] = c
		n++
		l.open = c != '\n'
		if c == '\n' {
			break
		}
	}
	l.n += n
	return n, nil
}

// prompter asks one question at a time in huh's accessible mode.
type prompter struct {
	ctx context.Context
	in  *lineReader
	// reader is in, with the terminal's descriptor when it is one.
	reader io.Reader
	out    io.Writer
	// def is the default of the select asked, "1, Discard": said in its
	// prompt.
	def string
}

// defaultSaid is huh's numbered prompt with the default said in it:
// "Enter a number between 1 and 2 (default 1, Discard): ".
type defaultSaid struct {
	w   io.Writer
	def *string
}

func (d defaultSaid) Write(b []byte) (int, error) {
	s := string(b)
	if *d.def != "" && strings.HasPrefix(s, "Enter a number between") && strings.HasSuffix(s, ": ") {
		if _, err := io.WriteString(d.w, strings.TrimSuffix(s, ": ")+" (default "+*d.def+"): "); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return d.w.Write(b)
}

// ask runs one field. The input ending before an answer is ctrl+d: the
// user quit, and nothing is written. huh's accessible mode blocks on reading
// the answer and does not watch the context, so ctrl+c (which cancels it)
// is answered here: the reading goroutine is left behind, and the program
// ends right after.
func (p *prompter) ask(f huh.Field) error {
	p.in.n = 0
	defer func() { p.def = "" }()
	done := make(chan error, 1)
	go func() {
		// huh v1.0.0's accessible select indexes its options with the
		// answer read, and panics (index -1) when the input ends first: an
		// ended input is no answer, never a crash.
		defer func() {
			if r := recover(); r != nil {
				done <- exitcode.ErrInterrupted
			}
		}()
		done <- huh.NewForm(huh.NewGroup(f)).
			WithAccessible(true).
			WithInput(p.reader).
			WithOutput(defaultSaid{w: p.out, def: &p.def}).
			WithTheme(render.HuhTheme(false)).
			RunWithContext(p.ctx)
	}()
	var err error
	select {
	case err = <-done:
	case <-p.ctx.Done():
		fmt.Fprintln(p.out)
		return exitcode.ErrInterrupted
	}
	if err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return exitcode.ErrInterrupted
		}
		return err
	}
	// The input ended before an answer was complete: huh's prompts take
	// the default then, and a default must never save or execute. Only a
	// last line without its newline is an answer.
	if p.ctx.Err() != nil || (p.in.eof && (p.in.n == 0 || !p.in.open)) {
		return exitcode.ErrInterrupted
	}
	return nil
}

func (p *prompter) say(format string, args ...any) {
	// An arrow is read aloud as a symbol: the engine's "(2024.12 →
	// 2024.12-linux-sudo)" is said with "to".
	fmt.Fprint(p.out, strings.ReplaceAll(fmt.Sprintf(format, args...), " → ", " to ")+"\n")
}

// runAccessible walks the wizard's flow (flow.go) as plain line prompts,
// for screen readers: no colour, no cursor movement, one question at a
// time. It drives the same model as the screens: each question screen's
// huh field is asked with huh's accessible mode and submitted as the form
// would be, the work the screens start (loading, listing, the change set,
// the update) runs to its end, and what a screen shows is said as plain
// text. The run owns the AWS session and closes it here, as Run does.
func runAccessible(ctx context.Context, cfg Config, s Streams) error {
	lipgloss.SetColorProfile(termenv.Ascii)
	cfg.NoColor, cfg.still = true, true
	sess := newSession(ctx, cfg.Client)
	m := newModel(ctx, cfg, sess)
	m.plain = true
	in, reader := input(s.In)
	d := &driver{ctx: ctx, m: m, p: &prompter{ctx: ctx, in: in, reader: reader, out: s.Out}, saidBusy: map[string]bool{}}

	d.p.say("tcdind enables Docker-in-Docker on the TeamCity build agent of a CloudFormation template or stack.")
	d.p.say("Answer each question and press enter; an empty answer takes the default. Nothing is written or changed before you confirm it.")
	d.p.say("")
	err := d.run()
	if err != nil && errors.Is(err, exitcode.ErrInterrupted) {
		// ctrl+c, or the input ended: leave as the screens do (a change
		// set shown is deleted and named), whatever the context says.
		d.draining = true
		_, _ = d.exec(m.quit())
	}
	// Nothing the wizard started goes on after it.
	closeErr := m.Close()
	for _, w := range sess.Warnings() {
		d.p.say("Warning: %s", w)
	}
	switch {
	case closeErr != nil:
		return closeErr
	case m.out.err != nil:
		return m.out.err
	case err != nil:
		return err
	}
	return m.Outcome()
}

// driver runs the model without a terminal program: commands are run one
// after the other and their messages handed to the model, and when no
// work is left the screen shown is asked or said.
type driver struct {
	ctx context.Context
	m   *Model
	p   *prompter
	// saidBusy are the busy lines said since the last question (each is
	// said once); events the events said so far, ecs and verified the
	// ECS lines, cancelSaid the cancel's answer.
	saidBusy   map[string]bool
	events     int
	ecs        int
	verified   int
	cancelSaid bool
	// notesSaid: the mode question said the security notes; the review
	// refers to them instead of saying them again.
	notesSaid bool
	// draining: leaving after an interruption, the context no longer
	// stops the commands (the change set must be deleted).
	draining bool
}

// run drives the model from its first screen until it quits.
func (d *driver) run() error {
	cmd := d.m.Init()
	for {
		quit, err := d.exec(cmd)
		if err != nil || quit {
			return err
		}
		if cmd, err = d.turn(); err != nil {
			return err
		}
	}
}

// exec runs cmd and every command its messages lead to, until none is
// left or the model quits.
func (d *driver) exec(cmd tea.Cmd) (quit bool, err error) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		if !d.draining && d.ctx.Err() != nil {
			return false, exitcode.ErrInterrupted
		}
		d.announce()
		switch msg := c().(type) {
		case nil:
		case tea.QuitMsg:
			return true, nil
		case tea.BatchMsg:
			queue = append(append([]tea.Cmd{}, msg...), queue...)
		default:
			_, next := d.m.Update(msg)
			d.sayEvents()
			queue = append([]tea.Cmd{next}, queue...)
		}
	}
	if !d.draining && d.ctx.Err() != nil {
		return false, exitcode.ErrInterrupted
	}
	return false, nil
}

// turn asks or says the screen shown once its work is done, and returns
// what the answer leads to.
func (d *driver) turn() (tea.Cmd, error) {
	m := d.m
	d.saidBusy = map[string]bool{}
	if m.err != nil {
		return d.problem()
	}
	switch m.step {
	case stepReview:
		return d.review()
	case stepDone:
		d.done()
		return tea.Quit, nil
	}
	if _, tty := d.p.reader.(ttyReader); m.step == stepTCToken && !tty {
		// A token typed here would be shown: not asked.
		d.p.say("%s", render.TeamCityTokenNotAsked())
		m.a.tc.choice = tcSkip
		return m.enter(m.nextStep(stepTCToken)), nil
	}
	a, ok := m.screen(m.step).(asker)
	if !ok {
		return nil, fmt.Errorf("wizard: the %s screen has no question to ask", m.step)
	}
	if in, ok := a.(introducer); ok {
		if text := in.intro(m); text != "" {
			d.p.say("%s", text)
			d.p.say("")
			d.notesSaid = d.notesSaid || m.step == stepMode
		}
	}
	m.choiceDefault = ""
	f := a.field(m)
	d.p.def = m.choiceDefault
	if in, ok := f.(*huh.Input); ok {
		// huh's accessible input keeps its value on an empty answer
		// without saying it.
		if v, _ := in.GetValue().(string); v != "" {
			d.p.say("An empty answer keeps %s.", v)
		}
	}
	if err := d.p.ask(f); err != nil {
		return nil, err
	}
	return a.submit(m), nil
}

// problem says an error screen and goes where its esc would.
func (d *driver) problem() (tea.Cmd, error) {
	m := d.m
	e := m.err
	d.p.say("Problem: %s.", e.title)
	if e.detail != "" {
		d.p.say("%s", render.Capitalize(e.detail))
	}
	d.p.say("")
	if e.reload {
		again := true
		if err := d.p.ask(huh.NewConfirm().Title("Read the stack again?").Value(&again)); err != nil {
			return nil, err
		}
		if again {
			m.err = nil
			return m.enter(stepLoading), nil
		}
	}
	return m.goBack(e.back), nil
}

// Review answers: what enter, s and esc do on the review screen.
const (
	reviewGo   = "go"
	reviewSave = "save"
	reviewBack = "back"
)

// review says what changes and asks what to do with it.
func (d *driver) review() (tea.Cmd, error) {
	m := d.m
	d.p.say("%s", reviewPlain(m, d.notesSaid))
	d.p.say("")
	if !m.result.NeedsChange() {
		return m.reviewed(), nil
	}
	showDiff := false
	if err := d.p.ask(huh.NewConfirm().Title("Read the whole diff?").Value(&showDiff)); err != nil {
		return nil, err
	}
	if showDiff {
		d.p.say("%s", render.UnifiedDiff(m.diffName(), m.a.src.Bytes, m.result.Output))
	}
	var opts []huh.Option[string]
	switch {
	case m.isStack() && !m.a.explicitOut:
		opts = append(opts,
			huh.NewOption("Create the change set: nothing changes before you execute it", reviewGo),
			huh.NewOption("Save the patched template to a file instead", reviewSave))
	case m.a.explicitOut:
		opts = append(opts, huh.NewOption("Write "+m.a.output, reviewGo))
	default:
		opts = append(opts, huh.NewOption("Choose where to save it", reviewGo))
	}
	prev, canBack := m.prevStep(stepReview)
	if canBack {
		opts = append(opts, huh.NewOption("Go back to the "+strings.ToLower(prev.String())+" question", reviewBack))
	}
	choice := reviewGo
	d.p.def = defaultOf(opts, choice)
	if err := d.p.ask(huh.NewSelect[string]().Title("What now?").Options(opts...).Value(&choice)); err != nil {
		return nil, err
	}
	switch choice {
	case reviewSave:
		return m.enter(stepSave), nil
	case reviewBack:
		return m.goBack(prev), nil
	}
	return m.reviewed(), nil
}

// reviewPlain is the review screen as plain text: what changes, the
// warnings and the security note (the diff is asked for).
func reviewPlain(m *Model, notesSaid bool) string {
	res := m.result
	targets := strings.Join(res.Targets, ", ")
	var b strings.Builder
	if !res.NeedsChange() {
		b.WriteString(targets + " is already in " + string(m.a.mode) + " mode: nothing to change.")
	} else {
		what := fmt.Sprintf("Review: %d %s to %s, %s mode", len(res.Changes), render.Plural(len(res.Changes), "change", "changes"), targets, m.a.mode)
		if r := recipeLabel(m.a.recipe, m.a.mode, res); r != "" {
			what += ", " + r
		}
		b.WriteString(what + ".\n")
		b.WriteString(strings.TrimRight(m.st.Changes(res, 0), "\n"))
		for _, l := range m.teamCityLines() {
			b.WriteString("\n" + l)
		}
	}
	for _, l := range m.hostsSaid() {
		b.WriteString("\nHosts: " + l + ".")
	}
	for _, w := range m.reviewWarnings() {
		b.WriteString("\nWarning: " + w)
	}
	if n := render.SecurityNote(m.a.mode); n.Risky && res.NeedsChange() {
		if notesSaid {
			b.WriteString("\nThe security note on " + string(m.a.mode) + " mode, said with the mode question, applies.")
		} else {
			b.WriteString("\n\n" + n.Plain(0))
		}
	}
	return b.String()
}

// done says how the run ended, as the done screen does.
func (d *driver) done() {
	d.p.say("")
	d.p.say("%s", strings.TrimRight(d.m.doneView(0, 0), "\n"))
}

// announce says the work under way when it changes: reading, listing,
// creating or deleting the change set, executing it.
func (d *driver) announce() {
	m := d.m
	line := ""
	if m.err == nil {
		line = busyLine(m)
	}
	if line != "" && !d.saidBusy[line] {
		d.saidBusy[line] = true
		// The ellipsis of a line about work under way is read aloud.
		line = strings.TrimSuffix(line, " …")
		if !strings.HasSuffix(line, ".") {
			line += "."
		}
		d.p.say("%s", line)
	}
}

// busyLine is what the screen shown is busy with, "" when nothing.
func busyLine(m *Model) string {
	switch sc := m.screens[m.step].(type) {
	case *loadingScreen:
		if source.IsURL(sc.arg) {
			return "Downloading " + sc.arg + " …"
		}
		return "Reading " + sc.arg + " …"
	case *stacksScreen:
		if sc.loading {
			return "Listing the stacks in " + sc.region + " …"
		}
		if sc.probing() {
			return "Looking for a TeamCity agent in the stacks …"
		}
	case *changeSetScreen:
		in := m.stack.set.Input
		switch sc.phase {
		case csCreating:
			return "Creating change set " + in.Name + " on stack " + in.Stack + " …"
		case csDeleting:
			return "Deleting change set " + in.Name + " …"
		}
	case *drainScreen:
		switch sc.phase {
		case drDisabling:
			return render.DrainDisabling(len(m.tc.drain.d.Agents))
		case drWaiting:
			return render.DrainWaitingPlain(m.drainTimeout())
		case drRestoring:
			return render.DrainRestoring(len(m.tc.drain.d.Disabled()))
		case drRearming:
			return render.DrainRearming(len(m.tc.drain.d.Disabled()))
		}
	case *tcAfterScreen:
		switch {
		case sc.restoring:
			return render.DrainRestoring(len(m.tc.drain.d.Disabled()))
		case sc.checking:
			return render.NewAgentsWaiting(m.a.tc.url, m.teamCityWait())
		}
	case *progressScreen:
		if m.stack.executing {
			return "Executing change set " + m.stack.set.Input.Name + " …"
		}
		if m.stack.running {
			return "Updating stack " + m.a.stackInfo.Name + "; the events follow. ctrl+c leaves; the update goes on in AWS."
		}
		if sc.verifying {
			return "Stack " + m.a.stackInfo.Name + " updated; reading back in ECS what the agents run …"
		}
	}
	return ""
}

// sayEvents says the update's events not said yet, one line each.
func (d *driver) sayEvents() {
	p, ok := d.m.screens[stepProgress].(*progressScreen)
	if !ok {
		return
	}
	// The events first: "updated; reading back in ECS" follows the
	// events of the update, never comes before them.
	for _, e := range p.events[min(d.events, len(p.events)):] {
		d.p.say("%s", render.EventLinePlain(e))
	}
	d.events = len(p.events)
	if d.m.step == stepProgress {
		d.announce()
	}
	d.sayAgents(p)
}

// sayAgents says the agents' ECS lines not said yet, as batch prints them:
// a failing rollout with what tcdind does about it (no key to press here:
// it cancels only with --on-rollout-failure=cancel), and after the update
// what ECS showed.
func (d *driver) sayAgents(p *progressScreen) {
	m := d.m
	name := m.a.stackInfo.Name
	for _, l := range p.ecs[min(d.ecs, len(p.ecs)):] {
		d.p.say("%s", render.RolloutLinePlain(l))
		if l.Kind != rollout.Failing {
			continue
		}
		if p.breaker {
			d.p.say("%s", render.RolloutBreaker(name))
		} else if m.cfg.OnRolloutFailure == rolloutCancel && p.canceller != nil {
			d.p.say("%s", render.RolloutCancelling(name))
		} else {
			d.p.say("%s", render.RolloutWaitAdvice(name, m.stack.follow.Where))
		}
	}
	d.ecs = len(p.ecs)
	if p.cancel == cancelFailed && !d.cancelSaid {
		d.cancelSaid = true
		d.p.say("%s", render.Capitalize(oneLine(p.cancelErr)))
	}
	for _, l := range p.verified[min(d.verified, len(p.verified)):] {
		d.p.say("%s", render.RolloutLinePlain(l))
	}
	d.verified = len(p.verified)
}

// introducer is a question screen with text to say before its question
// in accessible mode, where huh says only the title and the options: what
// the screen shows around its form.
type introducer interface {
	intro(m *Model) string
}
