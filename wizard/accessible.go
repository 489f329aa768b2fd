package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/source"
)

// lineReader hands out at most one line per Read. huh's accessible prompts
// read each answer with a new bufio.Scanner; a line at a time keeps one
// prompt from swallowing the next answers when input is not a terminal.
type lineReader struct {
	br  *bufio.Reader
	eof bool // the input ended
	n   int  // bytes handed out since reset
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{br: bufio.NewReader(r)} }

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
	out io.Writer
}

// ask runs one field. The input ending before an answer is ctrl+d: the
// user quit, and nothing is written. huh's accessible mode blocks on reading
// the answer and does not watch the context, so ctrl+c (which cancels it)
// is answered here: the reading goroutine is left behind, and the program
// ends right after.
func (p *prompter) ask(f huh.Field) error {
	p.in.n = 0
	done := make(chan error, 1)
	go func() {
		done <- huh.NewForm(huh.NewGroup(f)).
			WithAccessible(true).
			WithInput(p.in).
			WithOutput(p.out).
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
	if p.ctx.Err() != nil || (p.in.eof && p.in.n == 0) {
		return exitcode.ErrInterrupted
	}
	return nil
}

func (p *prompter) say(format string, args ...any) {
	fmt.Fprintf(p.out, format+"\n", args...)
}

// runAccessible asks the wizard's questions as plain line prompts, for
// screen readers: no colour, no cursor movement, one question at a time.
func runAccessible(ctx context.Context, cfg Config, s Streams) error {
	lipgloss.SetColorProfile(termenv.Ascii)
	p := &prompter{ctx: ctx, in: newLineReader(s.In), out: s.Out}
	a := newAnswers(cfg)
	plain := render.NewStyles(false)

	p.say("tcdind enables Docker-in-Docker on the TeamCity build agent of a CloudFormation template.")
	p.say("Answer each question and press enter; an empty answer takes the default. Nothing is written before the last question.")
	p.say("")

	askTemplate := cfg.Template == ""
	if askTemplate {
		for {
			if err := p.ask(huh.NewSelect[sourceKind]().
				Title("Where is the TeamCity stack's template?").
				Options(
					huh.NewOption("A template file or URL", sourceTemplate),
					huh.NewOption("An existing CloudFormation stack", sourceStack),
				).
				Value(&a.source)); err != nil {
				return err
			}
			if a.source == sourceTemplate {
				break
			}
			p.say("For a running stack, plain prompts come from: tcdind --stack NAME --mode MODE --apply (it shows the change set and asks before executing it). Or save the stack's template to a file and choose the first answer.")
			p.say("")
			a.source = sourceTemplate
		}
	}

	// The template: asked until one loads.
	for {
		if askTemplate {
			if err := p.ask(huh.NewInput().
				Title("Template file or https URL (empty: JetBrains' published template, " + source.JetBrainsTemplateURL + "):").
				Value(&a.templateArg)); err != nil {
				return err
			}
		}
		arg := a.templateArgOrDefault()
		if source.IsURL(arg) {
			p.say("Downloading %s …", arg)
		}
		src, err := cfg.load(ctx, arg)
		var t *dind.Template
		if err == nil {
			t, err = parse(src, cfg.Containers)
		}
		if err == nil {
			a.loaded(cfg, src, t)
			break
		}
		if ctx.Err() != nil {
			return exitcode.ErrInterrupted
		}
		e := errorFor(err, "Could not load the template", stepTemplate)
		if src == nil && source.IsURL(arg) {
			e.hint = "Offline? Give the path of a template file instead."
		}
		p.say("Error: %s: %s", e.title, e.detail)
		if src == nil && source.IsURL(arg) {
			p.say("%s", e.hint)
		}
		p.say("")
		askTemplate = true
	}
	// No agent by the rule: which container is it?
	for len(a.tmpl.Agents()) == 0 {
		var opts []huh.Option[string]
		for _, c := range containerChoices(a.parsed) {
			opts = append(opts, huh.NewOption(c[0], c[1]))
		}
		name := opts[0].Value
		if err := p.ask(huh.NewSelect[string]().Title(containerTitle).Options(opts...).Value(&name)); err != nil {
			return err
		}
		if err := a.nameAgent(cfg, name); err != nil {
			p.say("Error: %s", err)
			p.say("")
		}
	}
	agents := a.tmpl.Agents()

	askTaskDef := func() error {
		var opts []huh.Option[string]
		for _, td := range agents {
			opts = append(opts, huh.NewOption(taskDefLabel(td), td.LogicalID))
		}
		opts = append(opts, huh.NewOption(fmt.Sprintf("All %d of them", len(agents)), allTaskDefinitions))
		if a.taskDef == "" {
			a.taskDef = agents[0].LogicalID
		}
		a.taskDefs = nil
		return p.ask(huh.NewSelect[string]().
			Title(fmt.Sprintf("This template has %d agent task definitions. Which one?", len(agents))).
			Options(opts...).
			Value(&a.taskDef))
	}
	if len(agents) > 1 && len(cfg.TaskDefinitions) == 0 {
		if err := askTaskDef(); err != nil {
			return err
		}
	}

	if cfg.Mode == "" {
		p.say("Now: %s.", a.currentModes())
		p.say("")
		for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged} {
			p.say("About %s mode. %s", mode, render.SecurityNote(mode).Plain(0))
			p.say("")
		}
		var opts []huh.Option[dind.Mode]
		for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone} {
			opts = append(opts, huh.NewOption(modeSentence(mode), mode))
		}
		if a.mode == dind.ModeMixed {
			a.mode = dind.ModeSocket
		}
		if err := p.ask(huh.NewSelect[dind.Mode]().
			Title("Which Docker-in-Docker mode?").
			Options(opts...).
			Value(&a.mode)); err != nil {
			return err
		}
		if recipeApplies(a.mode) && !cfg.RecipeGiven {
			var ropts []huh.Option[recipe]
			for _, c := range recipeChoices(a.mode) {
				ropts = append(ropts, huh.NewOption(c.label+". "+c.about, c.recipe))
			}
			a.recipe = recipeComplete
			if err := p.ask(huh.NewSelect[recipe]().
				Title("Which recipe for " + string(a.mode) + " mode?").
				Options(ropts...).
				Value(&a.recipe)); err != nil {
				return err
			}
		}
	}

	res, err := a.apply()
	for err != nil {
		var sel *dind.SelectionError
		var refused *dind.RefusedError
		if len(agents) > 1 && (errors.As(err, &sel) || errors.As(err, &refused)) {
			p.say("Error: %s", err)
			if err := askTaskDef(); err != nil {
				return err
			}
			res, err = a.apply()
			continue
		}
		return err
	}

	p.say("")
	if !res.Changed {
		p.say("Nothing to change: %s is already in %s mode. Nothing written.", joinTargets(res), a.mode)
		return nil
	}
	p.say("Review: %d %s to %s, %s mode.", len(res.Changes), plural(len(res.Changes), "change", "changes"), joinTargets(res), a.mode)
	p.say("%s", plain.Changes(res, 0))
	for _, w := range res.Warnings {
		p.say("Warning: %s", w)
	}
	if note := render.SecurityNote(a.mode); note.Risky {
		p.say("")
		p.say("%s", note.Plain(0))
	}
	p.say("")
	showDiff := false
	if err := p.ask(huh.NewConfirm().Title("Read the whole diff?").Value(&showDiff)); err != nil {
		return err
	}
	if showDiff {
		p.say("%s", render.UnifiedDiff(displayName(a.src), a.src.Bytes, res.Output))
	}

	for {
		if a.explicitOut {
			write := true
			if err := p.ask(huh.NewConfirm().Title("Write " + a.output + "?").Value(&write)); err != nil {
				return err
			}
			if !write {
				p.say("Nothing written.")
				return exitcode.ErrInterrupted
			}
		} else {
			if err := p.ask(huh.NewInput().
				Title("Save the patched template as (empty: " + a.output + "):").
				Value(&a.output).
				Validate(func(s string) error {
					if s == "" {
						return nil
					}
					return checkOutput(s)
				})); err != nil {
				return err
			}
			if outputExists(a.output) {
				replace := false
				if err := p.ask(huh.NewConfirm().Title(a.output + " already exists. Replace it?").Value(&replace)); err != nil {
					return err
				}
				if !replace {
					continue
				}
			}
		}
		if err := save(a.output, res.Output); err != nil {
			p.say("Error: could not save: %s. Nothing was written.", err)
			a.explicitOut = false
			continue
		}
		break
	}
	p.say("Wrote %s.", a.output)
	p.say("Next: deploy it with aws cloudformation deploy --template-file %s --stack-name STACK --capabilities CAPABILITY_IAM", shellQuote(a.output))
	return nil
}

func joinTargets(res *dind.Result) string {
	s := ""
	for i, t := range res.Targets {
		if i > 0 {
			s += ", "
		}
		s += t
	}
	return s
}

// modeSentence is a mode as an answer read aloud.
func modeSentence(m dind.Mode) string {
	return string(m) + ": " + render.ModeSummary(m)
}
