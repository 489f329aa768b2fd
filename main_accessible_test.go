package main

import (
	"fmt"
	"testing"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// testWizardAccessible: a screen-reader user updates a stack in a real
// terminal: --accessible --stack runs the wizard's questions as plain
// line prompts (not the batch flow's y/N), Execute is chosen by its
// number, and the update is followed to its end.
func testWizardAccessible(t *testing.T, e *stackEnv) {
	p := awsproxy.New(t, e.moto.URL)
	stack := "tc-wizard-accessible"
	e.createStack(stack, nil, "")
	term := newTerminal(t, t.TempDir(), 120, 45, fmt.Sprintf("%s --accessible --endpoint-url %s --region us-east-1 --stack %s --mode privileged",
		tcdindBinary(t), p.URL, stack))
	term.waitFor("Read the whole diff? [y/N]")
	term.keys("Enter")
	term.waitFor("What now?", "1. Create the change set")
	term.keys("Enter")
	term.waitFor("Execute change set tcdind-privileged-", "1. Discard", "2. Execute")
	if p.Count("ExecuteChangeSet") != 0 {
		t.Fatal("executed before the answer")
	}
	term.keys("2", "Enter")
	s := term.waitFor("Stack " + stack + " updated: UPDATE_COMPLETE")
	if code := term.exitStatus(); code != 0 {
		t.Errorf("exit %d, want 0\n%s", code, s)
	}
	checkMode(t, e.deployed(stack), "privileged")
	e.noChangeSetLeft(t, stack)
}
