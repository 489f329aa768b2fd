package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// paste sends text to the terminal as a paste (bracketed, when the
// program asked for it), not as keys typed one by one.
func (term *terminal) paste(text string) {
	term.tmux("set-buffer", "-b", "p", text)
	term.tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", "t")
}

// cursorLine is the screen line the list's cursor is on.
func cursorLine(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, "┃ > ") {
			return line
		}
	}
	return ""
}

// A region pasted into the region filter narrows the list to it at once;
// back from the next screen the cursor is on the region chosen. No AWS:
// the listing fails fast against a closed port, and esc leads back.
func TestTUIRegionPasteAndBack(t *testing.T) {
	bin := tcdindBinary(t)
	env := "env -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_PROFILE AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent " +
		"AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 "
	term := newTerminal(t, t.TempDir(), 100, 40, env+bin)
	term.waitFor("Where is the TeamCity stack's template?")
	term.keys("Down", "Enter")
	term.waitFor("Which AWS region", "af-south-1")
	term.paste("eu-west-2")
	s := term.waitFor("filter: eu-west-2", "Europe (London)")
	if strings.Contains(s, "af-south-1") || strings.Contains(s, "eu-west-1 ") {
		t.Fatalf("the pasted filter did not narrow the list:\n%s", s)
	}
	term.keys("Enter")
	term.waitFor("Could not list the stacks in eu-west-2")
	term.keys("Escape")
	s = term.waitFor("Which AWS region")
	if line := cursorLine(s); !strings.Contains(line, "eu-west-2") {
		t.Errorf("back on the region list the cursor is on %q, want eu-west-2:\n%s", line, s)
	}
	term.keys("C-c")
	if rc := term.exitStatus(); rc != 130 {
		t.Errorf("exit %d after ctrl+c, want 130", rc)
	}
}

// testWizardStackFilter: in a real terminal against moto, a stack name
// pasted into the stack list's filter picks it; esc back from the mode
// question to the list keeps the cursor on that stack.
func testWizardStackFilter(t *testing.T, e *stackEnv) {
	p := awsproxy.New(t, e.moto.URL)
	for _, name := range []string{"tc-filter-alpha", "tc-filter-beta", "tc-filter-gamma"} {
		e.createStack(name, nil, "")
	}
	term := newTerminal(t, t.TempDir(), 120, 45, fmt.Sprintf("%s --endpoint-url %s --region us-east-1", tcdindBinary(t), p.URL))
	term.waitFor("Where is the TeamCity stack's template?")
	term.keys("Down", "Enter")
	term.waitFor("Which stack?", "tc-filter-gamma")
	term.paste("filter-beta")
	s := term.waitFor("filter: filter-beta", "tc-filter-beta")
	if strings.Contains(s, "tc-filter-alpha") || strings.Contains(s, "tc-filter-gamma") {
		t.Fatalf("the pasted filter did not narrow the list:\n%s", s)
	}
	term.keys("Enter")
	term.waitFor("Which Docker-in-Docker mode?", "tc-filter-beta")
	term.keys("Escape")
	s = term.waitFor("Which stack?")
	if line := cursorLine(s); !strings.Contains(line, "tc-filter-beta") {
		t.Errorf("back on the stack list the cursor is on %q, want tc-filter-beta:\n%s", line, s)
	}
	term.keys("C-c")
	if rc := term.exitStatus(); rc != 130 {
		t.Errorf("exit %d after ctrl+c, want 130", rc)
	}
	if p.Count("CreateChangeSet") != 0 {
		t.Error("a change set was created")
	}
}
