package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/tcdind/tcdind/internal/iostreams"
)

// runCLI runs the command line with args and returns its exit status,
// standard output and standard error.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, testIO(strings.NewReader(""), &out, &errOut))
	return code, out.String(), errOut.String()
}

func TestVersionFlag(t *testing.T) {
	code, out, errOut := runCLI(t, "--version")
	if code != 0 {
		t.Fatalf("--version: exit %d, stderr %q", code, errOut)
	}
	// "tcdind 1.2.3 (commit abc1234, built 2026-11-29)", "tcdind dev", ...
	re := regexp.MustCompile(`^tcdind (dev|\d+\.\d+\.\d+\S*)( \(.+\))?\n$`)
	if !re.MatchString(out) {
		t.Errorf("--version printed %q, want a line matching %s", out, re)
	}
	if errOut != "" {
		t.Errorf("--version wrote to stderr: %q", errOut)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			code, out, errOut := runCLI(t, "completion", shell)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if len(out) < 500 || !strings.Contains(out, "tcdind") {
				t.Errorf("completion %s printed %d bytes not naming tcdind:\n%.300s", shell, len(out), out)
			}
		})
	}
}

func TestFlagValueCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "__complete", "--mode", "")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, m := range []string{"socket", "privileged", "none"} {
		if !strings.Contains(out, m+"\n") {
			t.Errorf("completing --mode: %q lacks %s", out, m)
		}
	}
}

func TestManPage(t *testing.T) {
	code, out, errOut := runCLI(t, "man")
	if code != 0 {
		t.Fatalf("man: exit %d, stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, ".TH TCDIND 1 ") {
		t.Errorf("man output does not start with .TH TCDIND 1: %.80q", out)
	}
	for _, want := range []string{".SH OPTIONS", "non-interactive", ".SH EXIT STATUS"} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
}

func TestHelpListsFlags(t *testing.T) {
	code, out, errOut := runCLI(t, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"--non-interactive", "--template", "--mode", "completion"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %s", want)
		}
	}
}

func TestReflow(t *testing.T) {
	got := reflow("one\ntwo\n\n  indented a\n  indented b\n\nthree\nfour\n")
	want := "one two\n  indented a\n  indented b\nthree four"
	if got != want {
		t.Errorf("reflow = %q, want %q", got, want)
	}
}

// Flags that mean nothing with the others are usage errors, not ignored.
func TestFlagsThatDoNotApply(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--template", stackTemplate, "--mode", "socket", "--sudo-image", "--diff"}, "--sudo-image goes with --mode privileged"},
		{[]string{"--template", stackTemplate, "--mode", "none", "--sudo-image", "--diff"}, "--sudo-image goes with --mode privileged"},
		{[]string{"--template", stackTemplate, "--mode", "none", "--minimal", "--diff"}, "--minimal goes with --mode socket or privileged"},
		{[]string{"--template", stackTemplate, "--mode", "privileged", "--build-dirs=false", "--diff"}, "--build-dirs goes with --mode socket"},
		{[]string{"--template", stackTemplate, "--mode", "privileged", "--minimal", "--sudo-image", "--diff"}, "--minimal and --sudo-image exclude each other"},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--yes", "--diff"}, "--yes goes with --stack NAME --apply"},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--s3-bucket", "b", "--diff"}, "--s3-bucket goes with --stack NAME --apply"},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--allow-other-changes", "--diff"}, "--allow-other-changes goes with --stack NAME --apply"},
		{[]string{"--stack", "tc", "--mode", "socket", "--yes", "--diff"}, "--yes goes with --apply or --execute: without them nothing is executed"},
		{[]string{"--stack", "tc", "--mode", "socket", "--s3-bucket", "b", "--check"}, "--s3-bucket goes with --apply"},
		{[]string{"--stack", "tc", "--mode", "socket", "--allow-other-changes", "--diff"}, "--allow-other-changes goes with --apply"},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--on-rollout-failure", "cancel", "--diff"}, "--on-rollout-failure goes with --stack NAME --apply"},
		{[]string{"--stack", "tc", "--mode", "socket", "--on-rollout-failure", "cancel", "--diff"}, "--on-rollout-failure goes with --apply"},
		{[]string{"--stack", "tc", "--mode", "socket", "--on-rollout-failure", "abort", "--apply", "--yes"}, `--on-rollout-failure "abort": pass wait or cancel`},
		// --execute runs a kept change set: it goes with --stack, not with --apply.
		{[]string{"--template", stackTemplate, "--execute", "tcdind-socket-20261206-050000-1a2b3c4d"}, "--execute goes with --stack NAME: a template file is not deployed"},
	} {
		code, out, errOut := runCLI(t, c.args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "tcdind: "+c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	// The same flags where they apply are fine.
	if code, _, errOut := runCLI(t, "--template", stackTemplate, "--mode", "privileged", "--sudo-image", "--minimal=false", "--check"); code == 2 {
		t.Errorf("--sudo-image with privileged: %s", errOut)
	}
}

// testIO are streams that are no terminal.
func testIO(in io.Reader, out, errOut io.Writer) *iostreams.IOStreams {
	ios, _, _, _ := iostreams.Test()
	ios.In, ios.Out, ios.ErrOut = in, out, errOut
	return ios
}

// Every flag that takes a value completes: a fixed set where there is one
// (--agent-arch: x86_64 or arm64), no file names where a file makes no
// sense. Only --output (a path) is left to the shell's file completion.
func TestEveryValueFlagCompletes(t *testing.T) {
	root := newRootCommand(testIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), nil)
	root.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() == "bool" || f.Name == "output" {
			return
		}
		if _, ok := root.GetFlagCompletionFunc(f.Name); !ok {
			t.Errorf("--%s has no completion: its values, or none for a free value", f.Name)
		}
	})
	_, out, _ := runCLI(t, "__complete", "--agent-arch", "")
	for _, want := range []string{"x86_64\n", "arm64\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("completing --agent-arch: %q lacks %s", out, want)
		}
	}
}

// A flag error points at the --help of the command it was given to:
// status's flags are in tcdind status --help, not tcdind --help.
func TestFlagErrorNamesTheCommandsHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "tcdind: unknown flag: --bogus (see tcdind --help)\n"},
		{[]string{"status", "--bogus"}, "tcdind: unknown flag: --bogus (see tcdind status --help)\n"},
		{[]string{"status", "--concurrency"}, "tcdind: flag needs an argument: --concurrency (see tcdind status --help)\n"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 2 || errOut != c.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// A bare argument is most often a template path; a mode or "version"
// typed without its dashes gets the flag it means.
func TestUnexpectedArgumentSuggestsItsFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"t.yaml"}, `tcdind: unexpected argument "t.yaml": name the template with --template t.yaml` + "\n"},
		{[]string{"--template", "t.yaml", "socket"}, `tcdind: unexpected argument "socket": did you mean --mode socket?` + "\n"},
		{[]string{"privileged"}, `tcdind: unexpected argument "privileged": did you mean --mode privileged?` + "\n"},
		{[]string{"version"}, `tcdind: unexpected argument "version": did you mean --version?` + "\n"},
	} {
		code, out, errOut := runCLI(t, c.args...)
		if code != 2 || out != "" || errOut != c.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}
