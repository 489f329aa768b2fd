package wizard

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/exitcode"
)

// accessibleTemplate runs the template path in accessible mode on a copy
// of testdata/one.yaml in a temporary directory, answering with lines
// (the first two choose the source and name the copy, "TEMPLATE" in an
// answer is the copy's path); it returns what it said, its outcome and
// the directory.
func accessibleTemplate(t *testing.T, lines ...string) (string, error, string) {
	t.Helper()
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "one.yaml")
	if err := os.WriteFile(tmpl, fixture(t, "one.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := strings.ReplaceAll(strings.Join(lines, "\n"), "TEMPLATE", tmpl)
	if len(lines) > 0 {
		in += "\n"
	}
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), Config{Accessible: true, Load: offlineLoad}, Streams{In: strings.NewReader(in), Out: &out, Err: &out})
	}()
	select {
	case err := <-done:
		return out.String(), err, dir
	case <-time.After(20 * time.Second):
		t.Fatalf("accessible run still going:\n%s", out.String())
	}
	return "", nil, ""
}

// The whole template path, every answer the default: each sentence said
// once, no symbol read aloud, the defaults said, and the empty answer to
// the save prompt keeps the proposed name as the prompt says.
func TestAccessibleSaidOncePlainly(t *testing.T) {
	text, err, dir := accessibleTemplate(t, "1", "TEMPLATE", "", "", "", "", "")
	if err != nil {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	if _, err := os.Stat(filepath.Join(dir, "one.dind.yaml")); err != nil {
		t.Errorf("the empty answer did not keep the proposed name: %v\n%s", err, text)
	}
	for _, symbol := range []string{"←", "→", "★", "✗", "✓", "×", "…", "›", "┃"} {
		if strings.Contains(text, symbol) {
			t.Errorf("%q is read aloud:\n%s", symbol, text)
		}
	}
	for _, once := range []string{
		"Socket mode hands builds the host's Docker daemon.",
		"Privileged mode gives the agent container all capabilities",
		"use the EC2 host's Docker daemon",
		"An empty answer keeps ",
	} {
		if n := strings.Count(text, once); n != 1 {
			t.Errorf("%q said %d times:\n%s", once, n, text)
		}
	}
	for _, said := range []string{
		"Enter a number between 1 and 2 (default 1, A template file or URL): ",
		"Enter a number between 1 and 3 (default 1, socket): ",
		"3. none        no Docker for builds: undo both (now)",
		"The security note on socket mode, said with the mode question, applies.",
		// The command whole, on one line, to be copied.
		"  aws cloudformation deploy --template-file " + filepath.Join(dir, "one.dind.yaml") + " --stack-name STACK --capabilities CAPABILITY_IAM\n",
	} {
		if !strings.Contains(text, said) {
			t.Errorf("the run did not say %q:\n%s", said, text)
		}
	}
	if strings.Contains(text, "give a file name") {
		t.Errorf("the empty answer was refused:\n%s", text)
	}
}

// The input ending at the save prompt saves nothing: exit 130, as at
// every prompt (the change set's included).
func TestAccessibleEndOfInputSavesNothing(t *testing.T) {
	for name, lines := range map[string][]string{
		"at the save prompt":               {"1", "TEMPLATE", "", "", "", ""},
		"after answers the prompt refused": {"1", "TEMPLATE", "", "", "", "", "/"},
	} {
		t.Run(name, func(t *testing.T) {
			text, err, dir := accessibleTemplate(t, lines...)
			if exitcode.Code(err) != exitcode.Interrupted {
				t.Fatalf("outcome %v (exit %d), want exit 130\n%s", err, exitcode.Code(err), text)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("something was written: %v", entries)
			}
		})
	}
}

// After a failed load the template prompt does not offer the name that
// failed: an empty answer is JetBrains' template, as the prompt says.
func TestAccessibleFailedLoadOffersNoDefault(t *testing.T) {
	text, _, _ := accessibleTemplate(t, "1", "nope.yaml")
	if !strings.Contains(text, "no such file") {
		t.Fatalf("the load did not fail:\n%s", text)
	}
	if strings.Contains(text, "keeps nope.yaml") {
		t.Errorf("the failed name is offered again:\n%s", text)
	}
}

// The stack path read aloud: no symbol, the stack list in words, the
// change set's default said, the outcome after the events.
func TestAccessibleStackPathPlainly(t *testing.T) {
	f := rolloutFake(t, succeeding()...)
	f.Events = pages(updated()...)
	text, err := accessibleRollout(t, f, "")
	if err != nil {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	for _, symbol := range []string{"←", "→", "★", "✗", "✓", "×", "…", "›", "┃"} {
		if strings.Contains(text, symbol) {
			t.Errorf("%q is read aloud:\n%s", symbol, text)
		}
	}
	assertSaid(t, text,
		"2 TeamCity agents, now mixed",
		"Enter a number between 1 and 2 (default 1, Discard): ",
	)
	if n := strings.Count(text, "Looking for a TeamCity agent in the stacks."); n != 1 {
		t.Errorf("the busy line said %d times:\n%s", n, text)
	}
	last := regexp.MustCompile(`AWS::CloudFormation::Stack\s+UPDATE_COMPLETE\n`).FindStringIndex(text)
	if j := strings.Index(text, "reading back in ECS"); last == nil || j < last[0] {
		t.Errorf("reading back in ECS is said before the update's last event:\n%s", text)
	}
}
