package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tcdind/tcdind/atomicfile"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/report"
	"github.com/tcdind/tcdind/source"
)

// Action is what to do with the patched template.
type Action struct {
	Output  string // path or "-"; empty: standard output
	InPlace bool   // overwrite the template file
	Diff    bool   // print a unified diff, write nothing
	Check   bool   // write nothing; exitcode.ErrNeedsChange when a change is needed
	// Color colours the diff (standard output is a terminal and colour
	// is not turned off). No pager: a task definition's diff is short, and
	// less -R is one pipe away.
	Color bool
	// Report, when not nil, is the JSON result (--json): the run records
	// what it found and did in it, and the diff goes there rather than to
	// Out.
	Report *report.Document
}

// TemplateRun is a non-interactive run on a template file, URL or stdin.
type TemplateRun struct {
	Template string // path, https URL or "-"
	Options  dind.Options
	Action   Action
}

// Run loads, patches and writes the template.
func (r TemplateRun) Run(ctx context.Context, s Streams) error {
	src, err := source.Load(ctx, r.Template, s.In)
	if err != nil {
		return err
	}
	if r.Action.InPlace && src.Path == "" {
		return exitcode.UsageError("--in-place needs --template to be a file, not %s", r.Template)
	}
	res, err := Patch(src.Bytes, r.Options)
	if err != nil {
		return err
	}
	r.Action.Report.SetResult(src.Bytes, res, r.Options)
	return Deliver(res, src.Bytes, src.Name, src.Path, r.Options.Mode, r.Action, s)
}

// Patch applies opts to a template and maps the engine's refusals to exit codes.
func Patch(template []byte, opts dind.Options) (*dind.Result, error) {
	res, err := dind.Apply(template, opts)
	if err == nil {
		err = res.Refusal()
	}
	if err != nil {
		return nil, EngineError(err)
	}
	return res, nil
}

// EngineError gives an engine error its exit status: a task-definition
// selection problem is a usage error (2), everything else a failure (1).
func EngineError(err error) error {
	var sel *dind.SelectionError
	var ce *dind.ContainerError
	var vn *dind.VersionNeededError
	var sn *dind.SudoNeededError
	if errors.As(err, &vn) || errors.As(err, &sn) && sn.Flag {
		// A flag is missing: the same command with --agent-version (or
		// --sudo-image) works.
		return exitcode.WithCode(exitcode.Usage, err)
	}
	if errors.As(err, &ce) {
		return exitcode.WithCode(exitcode.Usage, err)
	}
	if errors.As(err, &sel) {
		return exitcode.WithCode(exitcode.Usage, fmt.Errorf("%w; choose with --task-definition ID[,ID] or --task-definition all", err))
	}
	return err
}

// Deliver reports the changes on s.Err and writes, diffs or checks as the
// action says. name labels the diff; path is the local file, if any.
func Deliver(res *dind.Result, original []byte, name, path string, mode dind.Mode, a Action, s Streams) error {
	for _, w := range res.Warnings {
		fmt.Fprintln(s.say(), render.WarningLine(w))
	}
	if a.Check {
		if res.NeedsChange() {
			fmt.Fprintln(s.say(), NeedsChangeLine(res, mode))
			printChanges(s, res)
			return exitcode.ErrNeedsChange
		}
		fmt.Fprintf(s.say(), "%s already in %s mode: nothing to change\n", strings.Join(res.Targets, ", "), mode)
		return nil
	}
	if a.Diff {
		if !res.NeedsChange() {
			fmt.Fprintf(s.say(), "%s already in %s mode: nothing to change\n", strings.Join(res.Targets, ", "), mode)
			return nil
		}
		fmt.Fprintln(s.say(), NeedsChangeLine(res, mode))
		printChanges(s, res)
		if !res.Changed {
			fmt.Fprintf(s.Err, "the template itself does not change: only the stack's parameters (%s)\n", overridesList(res.ParameterOverrides, " to "))
			return nil
		}
		diff := render.UnifiedDiff(name, original, res.Output)
		if a.Report != nil {
			a.Report.Diff = &diff
			return nil
		}
		if a.Color {
			diff = render.NewStyles(true).Diff(diff) + "\n"
		}
		_, err := io.WriteString(s.Out, diff)
		return err
	}
	if !res.Changed {
		fmt.Fprintf(s.say(), "%s already in %s mode: nothing to change\n", strings.Join(res.Targets, ", "), mode)
		// Still honour an explicit --output so pipelines get their template.
		if a.InPlace {
			return nil
		}
	} else {
		printChanges(s, res)
		if note := render.SecurityNotePlain(mode); note != "" {
			fmt.Fprintln(s.Err, note)
		}
	}
	if len(res.ParameterOverrides) > 0 {
		// A stack's parameter is not in the file: whoever deploys it must
		// set it, or the agents keep the tag they have.
		fmt.Fprintln(s.Err, render.NoteLine(fmt.Sprintf("the change also sets %s on the stack; the saved template does not: deploy it with --parameter-overrides %s",
			overridesList(res.ParameterOverrides, " to "), overridesList(res.ParameterOverrides, "="))))
	}
	switch {
	case a.InPlace:
		if err := atomicfile.Write(path, res.Output); err != nil {
			return err
		}
		fmt.Fprintf(s.say(), "wrote %s\n", path)
		a.record(path, res.Output)
	case a.Report != nil && (a.Output == "" || a.Output == source.Stdin):
		// Standard output carries the JSON result: the template goes only
		// where --output says (the command refuses --output - with --json).
	case a.Output == "" || a.Output == source.Stdin:
		if _, err := s.Out.Write(res.Output); err != nil {
			return fmt.Errorf("write template to standard output: %w", err)
		}
	default:
		if err := atomicfile.Write(a.Output, res.Output); err != nil {
			return err
		}
		fmt.Fprintf(s.say(), "wrote %s\n", a.Output)
		a.record(a.Output, res.Output)
	}
	return nil
}

// record notes a written template in the JSON result.
func (a Action) record(path string, body []byte) {
	if a.Report != nil {
		a.Report.Output = &report.Output{Path: path, Written: true, Bytes: len(body)}
	}
}

// overridesList writes parameter overrides as "K<sep>V" in key order.
func overridesList(m map[string]string, sep string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + sep + m[k]
	}
	return strings.Join(keys, " ")
}

// NeedsChangeLine says why a change is needed: the targets are not in the
// mode yet, or they are and the recipe asked for needs more (the complete
// recipe's User: root and build directory mounts, the -sudo tag, the minimal
// recipe's removal of tcdind's distinctInstance, …).
func NeedsChangeLine(res *dind.Result, mode dind.Mode) string {
	targets := strings.Join(res.Targets, ", ")
	verb := "is"
	if len(res.Targets) > 1 {
		verb = "are"
	}
	if res.AlreadyInMode(mode) {
		// Not "the complete recipe adds": the recipe asked for may be the
		// minimal one, and its changes may be removals (tcdind's
		// distinctInstance).
		return fmt.Sprintf("%s %s in %s mode, but the recipe asked for needs %s:", targets, verb, mode, render.Count(len(res.Changes), "more change", "more changes"))
	}
	return fmt.Sprintf("%s %s not in %s mode; %s needed:", targets, verb, mode, render.Count(len(res.Changes), "change", "changes"))
}

func printChanges(s Streams, res *dind.Result) {
	if text := render.NewStyles(false).Changes(res, 0); text != "" {
		fmt.Fprintln(s.Err, text)
	}
}
