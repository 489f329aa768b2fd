package main

import (
	"slices"
	"strings"

	"github.com/tcdind/tcdind/buildinfo"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/iostreams"
	"github.com/tcdind/tcdind/report"
	"github.com/tcdind/tcdind/source"
)

// startResult makes the run's JSON result from the flags.
func (o *options) startResult() {
	o.result = report.New(o.command(), buildinfo.Version())
	o.result.Input = report.Input{Template: o.template, Stack: o.stack, Region: o.region, Profile: o.profile}
}

// command names what the run does, for the JSON result.
func (o *options) command() string {
	switch {
	case o.check:
		return "check"
	case o.diff:
		return "diff"
	case o.inPlace:
		return "in-place"
	case o.execute != "":
		return "execute"
	case o.apply && o.noExecute:
		return "no-execute"
	case o.apply:
		return "apply"
	case o.output != "":
		return "output"
	}
	return "none"
}

// checkJSON refuses what would mix the JSON result with a template on
// standard output, or leave the patched template nowhere unasked.
func (o *options) checkJSON() error {
	if !o.json {
		return nil
	}
	if o.output == source.Stdin {
		return exitcode.UsageError("--json takes standard output for the result: pass --output PATH for the template")
	}
	if !o.check && !o.diff && !o.inPlace && !o.apply && o.execute == "" && o.output == "" {
		return exitcode.UsageError("--json takes standard output for the result: say what to do with the template: --output PATH, --in-place, --diff, --check or --apply")
	}
	return nil
}

// jsonAsked reports --json among args when the flags did not parse (a
// usage error): the script that asked for JSON still gets a document.
func jsonAsked(args []string) bool {
	end := slices.Index(args, "--")
	if end < 0 {
		end = len(args)
	}
	for _, a := range args[:end] {
		if a == "--json" || a == "--json=true" || strings.HasPrefix(a, "--json=t") || a == "--json=1" {
			return true
		}
	}
	return false
}

// writeResult finishes the JSON result with how the run ended and writes
// it on standard output.
func writeResult(o *options, code int, errLine string, ios *iostreams.IOStreams) error {
	if o.result == nil {
		o.startResult()
	}
	o.result.Finish(code, exitcode.Meaning(code), errLine)
	return report.Write(ios.Out, o.result)
}
