package main

import (
	"bytes"
	"strings"
	"testing"
)

// Without a terminal the wizard never runs, whatever the flags, but for
// --accessible: its plain prompts read their answers from a pipe (the
// environment's ACCESSIBLE=1 does not make a piped run ask).
func TestWizardNeedsATerminal(t *testing.T) {
	t.Setenv("ACCESSIBLE", "1")
	s := testIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	for _, o := range []options{{}, {template: "t.yaml"}} {
		if o.wantsWizard(s) {
			t.Errorf("%+v: the wizard would run without a terminal", o)
		}
	}
	for _, o := range []options{{accessible: true}, {accessible: true, stack: "tc"}} {
		if !o.wantsWizard(s) && !o.wantsStackWizard(s) {
			t.Errorf("%+v: --accessible is ignored without a terminal", o)
		}
	}
	if o := (options{accessible: true, nonInteractive: true}); o.wantsWizard(s) {
		t.Error("--accessible --non-interactive asks questions")
	}
	for _, o := range []options{{stack: "tc"}, {stack: "tc", mode: "socket", apply: true}} {
		if o.wantsStackWizard(s) {
			t.Errorf("%+v: the stack wizard would run without a terminal", o)
		}
	}
}

// In a terminal --stack runs the wizard unless the flags ask for a
// pipeline, a scripted apply or no questions; --accessible asks its
// questions as plain prompts.
func TestStackWizardFlags(t *testing.T) {
	t.Setenv("ACCESSIBLE", "")
	t.Setenv("TERM", "xterm")
	for _, c := range []struct {
		o    options
		want bool
	}{
		{options{stack: "tc"}, true},
		{options{stack: "tc", mode: "socket"}, true},
		{options{stack: "tc", mode: "socket", apply: true}, true},
		{options{stack: "tc", output: "tc.dind.yaml"}, true},
		{options{stack: "tc", mode: "socket", apply: true, yes: true}, false},
		{options{stack: "tc", mode: "socket", diff: true}, false},
		{options{stack: "tc", mode: "socket", check: true}, false},
		{options{stack: "tc", mode: "socket", output: "-"}, false},
		{options{stack: "tc", nonInteractive: true}, false},
		{options{stack: "tc", accessible: true}, true},
		{options{stack: "tc", accessible: true, apply: true, yes: true}, false},
	} {
		if got := c.o.stackFlagsAllowWizard(); got != c.want {
			t.Errorf("%+v: wizard %v, want %v", c.o, got, c.want)
		}
	}
}

// --container no longer keeps the wizard away: it names the agent there.
// (canPrompt needs a real terminal; the flags' half is tested.)
func TestContainerFlagAllowsWizard(t *testing.T) {
	for _, o := range []options{{container: "agent"}, {template: "t.yaml", container: "agent,sidecar"}} {
		if !o.templateFlagsAllowWizard() {
			t.Errorf("%+v: --container keeps the wizard away", o)
		}
	}
	if o := (options{stack: "tc", container: "agent"}); !o.stackFlagsAllowWizard() {
		t.Errorf("%+v: --container keeps the stack wizard away", o)
	}
	for _, o := range []options{{container: "agent", diff: true}, {container: "agent", nonInteractive: true}, {container: "agent", stack: "tc"}} {
		if o.templateFlagsAllowWizard() {
			t.Errorf("%+v: the template wizard would run", o)
		}
	}
}

func TestEnvTrue(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "no": false, "1": true, "yes": true, "true": true} {
		t.Setenv("TCDIND_TEST_ENV", v)
		if got := envTrue("TCDIND_TEST_ENV"); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}

// At a terminal (set on the test streams: no real one is needed) the
// wizard runs, the stack wizard too, also for --accessible.
func TestWizardAtATerminal(t *testing.T) {
	t.Setenv("ACCESSIBLE", "")
	t.Setenv("TERM", "xterm")
	s := testIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	s.SetStdinTTY(true)
	s.SetStdoutTTY(true)
	if !(&options{}).wantsWizard(s) || !(&options{accessible: true}).wantsWizard(s) {
		t.Error("no wizard at a terminal")
	}
	if !(&options{stack: "tc"}).wantsStackWizard(s) || !(&options{stack: "tc", accessible: true}).wantsStackWizard(s) {
		t.Error("no stack wizard at a terminal")
	}
	s.SetStdoutTTY(false) // piped into a file
	if (&options{}).wantsWizard(s) {
		t.Error("the wizard would draw into a pipe")
	}
}
