package wizard

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcdind/tcdind/exitcode"
)

// accessibleStack runs accessible mode on the fake's stacks with answers,
// one a line, and returns what it said and its outcome.
func accessibleStack(t *testing.T, f *fakeCFN, c *clock, answers ...string) (string, error) {
	t.Helper()
	cfg := stackConfig(f, c)
	cfg.Accessible = true
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), cfg, Streams{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out, Err: &out})
	}()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(20 * time.Second):
		t.Fatalf("accessible run still going:\n%s", out.String())
	}
	return "", nil
}

// A screen-reader user updates a stack: the same questions as the
// screens, the change set said in plain text, Execute chosen by its
// number (Discard is the default), the events as lines, then the outcome.
func TestAccessibleStackExecute(t *testing.T) {
	f := newFake(t)
	f.Events = pages(updated()...)
	c := &clock{t: t0}
	text, err := accessibleStack(t, f, c,
		"2", // an existing stack
		"",  // eu-west-1, the default
		"1", // teamcity, the first stack with an agent
		"2", // privileged
		"",  // the complete recipe
		"n", // no diff
		"",  // create the change set, the default
		"2", // execute
	)
	if err != nil {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	for _, s := range []string{
		"Where is the TeamCity stack's template?",
		"Which stack?",
		"Which Docker-in-Docker mode?",
		"Review: ",
		"Creating change set " + token + " on stack teamcity",
		"AgentTaskDefinition",
		"Execute change set " + token + "?",
		"1. Discard",
		"AgentService                  AWS::ECS::Service                   UPDATE_COMPLETE",
		"teamcity                      AWS::CloudFormation::Stack          UPDATE_COMPLETE\n",
		"Stack teamcity updated: UPDATE_COMPLETE",
		"--region eu-west-1",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the run lacks %q", s)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Error("accessible output has escape sequences")
	}
	created, executed, deleted := f.State()
	if len(created) != 1 || len(executed) != 1 || len(deleted) != 0 {
		t.Errorf("created %v, executed %v, deleted %v", created, executed, deleted)
	}
}

// Discard, the default answer, deletes the change set and checks it is
// gone; nothing is executed.
func TestAccessibleStackDiscard(t *testing.T) {
	f := newFake(t)
	text, err := accessibleStack(t, f, nil, "2", "", "1", "2", "", "n", "", "")
	_, executed, deleted := f.State()
	if len(executed) != 0 || len(deleted) != 1 {
		t.Fatalf("executed %v, deleted %v", executed, deleted)
	}
	if left := f.Left(); len(left) != 0 {
		t.Errorf("change sets left: %v", left)
	}
	if !strings.Contains(text, "Change set discarded") {
		t.Errorf("no discard said:\n%s", text)
	}
	if code := exitcode.Code(err); code != exitcode.Failure {
		t.Errorf("outcome %v (exit %d), want exit 1: not executed", err, code)
	}
}

// The input ending at the change set question (ctrl+d) is no answer: the
// change set is deleted and checked, named, and the run is interrupted.
func TestAccessibleStackInputEnds(t *testing.T) {
	f := newFake(t)
	text, err := accessibleStack(t, f, nil, "2", "", "1", "2", "", "n", "")
	_, executed, deleted := f.State()
	if len(executed) != 0 || len(deleted) != 1 || len(f.Left()) != 0 {
		t.Fatalf("executed %v, deleted %v, left %v\n%s", executed, deleted, f.Left(), text)
	}
	if code := exitcode.Code(err); code != exitcode.Interrupted || !strings.Contains(err.Error(), token) {
		t.Errorf("outcome %v (exit %d), want 130 naming the deleted change set", err, code)
	}
}

// The template flow and the stack flow are one walk of the flow table: a
// stack given by flag asks no source, region or stack question.
func TestAccessibleStackGiven(t *testing.T) {
	f := newFake(t)
	cfg := stackConfig(f, nil)
	cfg.Accessible, cfg.Stack, cfg.Mode = true, "teamcity", "privileged"
	var out bytes.Buffer
	err := Run(context.Background(), cfg, Streams{In: strings.NewReader("n\n\n\n"), Out: &out, Err: &out})
	text := out.String()
	for _, q := range []string{"Where is the TeamCity stack's template?", "Region name", "Which stack?", "Which Docker-in-Docker mode?"} {
		if strings.Contains(text, q) {
			t.Errorf("asked %q though flags answered it", q)
		}
	}
	if !strings.Contains(text, "Execute change set "+token+"?") || exitcode.Code(err) != exitcode.Failure {
		t.Errorf("outcome %v\n%s", err, text)
	}
}

// watchWriter keeps what was written and signals when it holds want.
type watchWriter struct {
	mu   sync.Mutex
	b    bytes.Buffer
	want string
	seen chan struct{}
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, _ := w.b.Write(p)
	if w.seen != nil && strings.Contains(w.b.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}
	return n, nil
}

// ctrl+c (the context cancelled) while the change set question waits: the
// line prompt is left, the change set deleted and checked, exit 130.
func TestAccessibleStackCtrlC(t *testing.T) {
	f := newFake(t)
	cfg := stackConfig(f, nil)
	cfg.Accessible, cfg.Stack, cfg.Mode = true, "teamcity", "privileged"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inR, inW := io.Pipe()
	defer inW.Close()
	out := &watchWriter{want: "Execute change set " + token + "?", seen: make(chan struct{})}
	seen := out.seen
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, Streams{In: inR, Out: out, Err: out}) }()
	io.WriteString(inW, "n\n\n")
	select {
	case <-seen:
	case <-time.After(10 * time.Second):
		t.Fatal("the change set question was not asked")
	}
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ctrl+c did not end the run")
	}
	if code := exitcode.Code(err); code != exitcode.Interrupted {
		t.Errorf("outcome %v (exit %d), want 130", err, code)
	}
	if _, executed, deleted := f.State(); len(executed) != 0 || len(deleted) != 1 || len(f.Left()) != 0 {
		t.Errorf("executed %v, deleted %v, left %v", executed, deleted, f.Left())
	}
}
