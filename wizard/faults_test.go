package wizard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/fakeaws"
)

// The wizard's side of "existing stacks you can trust under faults": a
// colleague's update while the review or the question is open (and a
// deletion that then fails), ctrl+c or esc while the change set is
// created, ctrl+c while it is executed, an answer to ExecuteChangeSet that
// is lost or says no, and a hangup on the question or while creating.

// agentMemory is one.yaml deployed with the agent's memory set to mb, on a
// line next to what the privileged edit adds, so that the review's diff
// shows it.
func agentMemory(t *testing.T, mb int) []byte {
	t.Helper()
	base := string(fixture(t, "one.yaml"))
	const was = "          Memory: !Ref AgentMemory\n          Essential: true\n          Environment:\n            - Name: SERVER_URL\n              Value: http://teamcity.internal:8111\n"
	now := "          Essential: true\n          Environment:\n            - Name: SERVER_URL\n              Value: http://teamcity.internal:8111\n          Memory: " + strconv.Itoa(mb) + "\n"
	if !strings.Contains(base, was) {
		t.Fatal("one.yaml changed: agentMemory needs its agent container")
	}
	return []byte(strings.Replace(base, was, now, 1))
}

// inLoop runs f on the model inside the program's loop.
func (r *run) inLoop(f func(m *Model)) {
	r.t.Helper()
	done := make(chan struct{})
	r.tm.Send(peekMsg(func(m *Model) { f(m); close(done) }))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.t.Fatal("the program does not answer")
	}
}

// eventually waits until ok holds (what a command does in its goroutine).
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// reviewOn opens --stack teamcity --mode privileged on the review of a
// stack deployed with the agent's memory at 2048.
func reviewOn(t *testing.T, f *fakeCFN) *run {
	t.Helper()
	return reviewOnAt(t, f, nil)
}

func reviewOnAt(t *testing.T, f *fakeCFN, c *clock) *run {
	t.Helper()
	f.Templates["teamcity"] = agentMemory(t, 2048)
	cfg := stackConfig(f, c)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	return r
}

// assertReviewOf checks the review is made on template body: the diff
// shows the colleague's 4096 as context, the patched template keeps it.
func (r *run) assertReviewOf(body []byte) {
	r.t.Helper()
	r.waitFor("Press enter to create a change set")
	r.inLoop(func(m *Model) {
		if m.err != nil || m.step != stepReview {
			r.t.Errorf("step %s, error %+v", m.step, m.err)
			return
		}
		if !bytes.Equal(m.a.src.Bytes, body) {
			r.t.Errorf("the review is made on:\n%s", m.a.src.Bytes)
		}
		content := m.reviewContent(m.contentWidth())
		if !strings.Contains(content, "\n           Memory: 4096") || strings.Contains(content, "Memory: 2048") {
			r.t.Errorf("the review's diff is not on the current template:\n%s", content)
		}
		if !bytes.Contains(m.result.Output, []byte("Memory: 4096")) {
			r.t.Errorf("the patched template would undo the colleague's update:\n%s", m.result.Output)
		}
	})
	// The user sees it by scrolling down the diff.
	r.waitUntil(func(s string) bool {
		if strings.Contains(s, "Memory: 4096") {
			return true
		}
		r.key(tea.KeyPgDown)
		return false
	})
}

// plain is the screen's words without the error box's borders, on one line.
func plain(screen string) string {
	s := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if strings.ContainsRune("│╭╮╰╯─", r) {
			return ' '
		}
		return r
	}, screen)), " ")
	// A command wrapped with \ continuations reads as one line.
	return strings.ReplaceAll(s, " \\ ", " ")
}

func assertOps(t *testing.T, f *fakeCFN, want ...string) {
	t.Helper()
	if got := f.OpLog(); !slices.Equal(got, want) {
		t.Errorf("AWS saw %q, want %q", got, want)
	}
	if left := f.Left(); len(left) != 0 {
		t.Errorf("change sets left: %v", left)
	}
}

// assertGone asks the fake AWS for the change set, by name and by ARN.
func assertGone(t *testing.T, f *fakeCFN, name string) {
	t.Helper()
	for _, id := range []string{name, "arn:cs/" + name} {
		if cs, err := f.DescribeChangeSet(context.Background(), "teamcity", id); !errors.Is(err, awsclient.ErrChangeSetNotFound) {
			t.Errorf("change set %s: %+v, %v; want not found", id, cs, err)
		}
	}
}

// 1. Lost update, before the change set: the stack changed while the
// review was open. Enter creates nothing, says so and offers to read the
// stack again; enter reviews the change on the current template.
func TestFaultStackChangedBeforeCreate(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time // the stack's last update as the colleague left it
	}{
		{"template", time.Time{}},          // a stack that tells no time: its template tells
		{"last update", t0.Add(time.Hour)}, // a newer LastUpdated
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if !tc.at.IsZero() {
				f.Described = map[string]*awsclient.Stack{"teamcity": {
					ID: "arn:stack/teamcity", Name: "teamcity", Status: "UPDATE_COMPLETE", LastUpdated: t0,
					ParameterKeys: []string{"DatabasePassword"}, Capabilities: []string{"CAPABILITY_IAM"},
				}}
			}
			r := reviewOn(t, f)
			newer := agentMemory(t, 4096)
			f.Colleague("teamcity", newer, tc.at, true)
			r.key(tea.KeyEnter)
			r.waitFor("Stack teamcity changed since it was read")
			s := r.screen()
			for _, want := range []string{"No change set was created", "Press enter to read the stack again"} {
				if !strings.Contains(s, want) {
					t.Errorf("the screen lacks %q:\n%s", want, s)
				}
			}
			assertOps(t, f)

			r.key(tea.KeyEnter)
			r.assertReviewOf(newer)

			// The change is now made on the current stack.
			r.key(tea.KeyEnter)
			r.waitFor("Execute change set")
			m := r.final()
			if created, executed, _ := f.State(); len(created) != 1 || len(executed) != 0 {
				t.Errorf("created %v, executed %v", created, executed)
			}
			if m.getPending() == nil {
				t.Error("the change set shown is not marked for deletion on the way out")
			}
		})
	}
}

// 1. Lost update, with the question open: execute must not execute. The
// change set is deleted, checked, and the same screen offers to read the
// stack again. CloudFormation makes the change set OBSOLETE (Recheck sees
// it), or not yet (the stack's check sees the update), or only between the
// recheck and ExecuteChangeSet (which refuses it).
func TestFaultStackChangedBeforeExecute(t *testing.T) {
	for _, tc := range []struct {
		name     string
		obsolete bool
		racing   bool // the update lands while ExecuteChangeSet is sent
	}{
		{"stack moved", false, false},
		{"change set obsolete", true, false},
		{"during execute", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			r := reviewOn(t, f)
			r.key(tea.KeyEnter)
			r.waitFor("Execute change set")
			newer := agentMemory(t, 4096)
			var g *fakeaws.Gate
			if tc.racing {
				g = newGate(t)
				f.Mu.Lock()
				f.ExecuteGate = g
				f.Mu.Unlock()
			} else {
				f.Colleague("teamcity", newer, time.Time{}, tc.obsolete)
			}
			r.execute()
			if tc.racing {
				g.Arrived(t)
				f.Colleague("teamcity", newer, time.Time{}, tc.obsolete)
				g.Open()
			}
			r.waitFor("Stack teamcity changed since it was read")
			s := plain(r.screen())
			for _, want := range []string{
				"The change set was deleted, not executed",
				"Press enter to read the stack again",
				token + " deleted (checked: it no longer exists)",
			} {
				if !strings.Contains(s, want) {
					t.Errorf("the screen lacks %q:\n%s", want, s)
				}
			}
			assertOps(t, f, "create "+token, "delete "+token)
			assertGone(t, f, token)
			r.inLoop(func(m *Model) {
				if set := m.getPending(); set != nil {
					t.Errorf("change set %s still pending", set.Input.Name)
				}
			})

			r.key(tea.KeyEnter)
			r.assertReviewOf(newer)
			r.key(tea.KeyCtrlC)
			m := r.finished()
			_ = m.Close()
			if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
				t.Errorf("exit status %d (%v), want 130", code, m.Outcome())
			}
			assertOps(t, f, "create "+token, "delete "+token)
		})
	}
}

// createHeld opens the review and presses enter with CreateChangeSet held.
func createHeld(t *testing.T, f *fakeCFN) (*run, *fakeaws.Gate) {
	t.Helper()
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	g := newGate(t)
	f.Mu.Lock()
	f.CreateGate = g
	f.Mu.Unlock()
	r.key(tea.KeyEnter)
	g.Arrived(t)
	r.waitFor("Creating change set " + token)
	return r, g
}

// 2. ctrl+c while CreateChangeSet is out: its answer is waited for, and
// the change set it made is deleted after it was made, checked; exit 130.
func TestFaultCtrlCWhileCreating(t *testing.T) {
	f := newFake(t)
	r, g := createHeld(t, f)
	r.key(tea.KeyCtrlC)
	r.waitFor("Deleting the change set before leaving")
	if ops := f.OpLog(); len(ops) != 0 {
		t.Fatalf("AWS saw %q before the creation answered", ops)
	}
	g.Open()
	m := r.finished()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	assertOps(t, f, "create "+token, "delete "+token)
	assertGone(t, f, token)
	err := m.Outcome()
	if exitcode.Code(err) != exitcode.Interrupted || !strings.Contains(err.Error(), "deleted (checked") {
		t.Errorf("outcome %v (exit %d), want 130 saying it was deleted, checked", err, exitcode.Code(err))
	}
}

// 2. esc while CreateChangeSet is out: back on the review at once; the
// change set, made afterwards, is deleted and checked, with no warning.
func TestFaultEscWhileCreating(t *testing.T) {
	f := newFake(t)
	r, g := createHeld(t, f)
	r.key(tea.KeyEsc)
	r.waitFor("Press enter to create a change set")
	g.Open()
	eventually(t, "the change set made after esc is deleted", func() bool { return len(f.OpLog()) == 2 })
	assertOps(t, f, "create "+token, "delete "+token)
	assertGone(t, f, token)
	r.inLoop(func(m *Model) {
		if m.step != stepReview || m.err != nil {
			t.Errorf("step %s, error %+v; want the review", m.step, m.err)
		}
		if len(m.sess.Warnings()) != 0 || m.getPending() != nil {
			t.Errorf("warnings %q, pending %v", m.sess.Warnings(), m.getPending())
		}
	})
	r.final()
}

// 3a. ctrl+c while ExecuteChangeSet is out, and it started the update: the
// run says the update goes on (exit 4) and how to follow it; or, when the
// stack says it already ended, how it ended. Never "deleted"/"unchanged".
func TestFaultCtrlCWhileExecuting(t *testing.T) {
	for _, tc := range []struct {
		name, endedAs string
		code          int
		want          string
	}{
		{"goes on", "", exitcode.Pending, "aws cloudformation describe-stack-events --stack-name teamcity --region eu-west-1"},
		{"ended", "UPDATE_COMPLETE", exitcode.OK, ""},
		{"rolled back", "UPDATE_ROLLBACK_COMPLETE", exitcode.Failure, "update of stack teamcity failed (UPDATE_ROLLBACK_COMPLETE) and was rolled back"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.EndedAs = tc.endedAs
			r := toChangeSet(t, f, nil)
			g := newGate(t)
			f.Mu.Lock()
			f.ExecuteGate = g
			f.Mu.Unlock()
			r.execute()
			g.Arrived(t)
			r.waitFor("Executing change set " + token)
			r.key(tea.KeyCtrlC)
			r.screen() // the key is taken
			g.Open()
			m := r.finished()
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			err := m.Outcome()
			if code := exitcode.Code(err); code != tc.code {
				t.Errorf("exit status %d (%v), want %d", code, err, tc.code)
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("outcome %q lacks %q", msg, tc.want)
			}
			if tc.endedAs == "" && !strings.Contains(msg, "goes on in AWS") {
				t.Errorf("outcome %q does not say the update goes on", msg)
			}
			if tc.endedAs == "UPDATE_COMPLETE" && !strings.Contains(m.Summary(), "stack teamcity updated (UPDATE_COMPLETE)") {
				t.Errorf("summary %q", m.Summary())
			}
			for _, never := range []string{"deleted", "unchanged"} {
				if strings.Contains(msg+m.Summary(), never) {
					t.Errorf("the outcome says %q of an update that started: %q %q", never, msg, m.Summary())
				}
			}
			if _, executed, deleted := f.State(); len(executed) != 1 || len(deleted) != 0 {
				t.Errorf("executed %v, deleted %v", executed, deleted)
			}
		})
	}
}

// internalFailure is a 500 from CloudFormation.
func internalFailure() error {
	return &smithy.GenericAPIError{Code: "InternalFailure", Message: "We encountered an internal error. Please try again.", Fault: smithy.FaultServer}
}

// 3b. ExecuteChangeSet's answer is lost (a 500) but AWS executed it: the
// wizard finds out it started, follows it and shows how it ended, whether
// the change set still tells (EXECUTE_*) or CloudFormation removed it.
func TestFaultExecuteAnswerLost(t *testing.T) {
	for _, gone := range []bool{false, true} {
		t.Run("gone="+strconv.FormatBool(gone), func(t *testing.T) {
			f := newFake(t)
			f.ExecuteErr, f.ExecuteLost, f.GoneAfterExecute = internalFailure(), true, gone
			f.Events = pages(updated()...)
			r := toChangeSet(t, f, nil)
			r.execute()
			r.waitFor("updated: UPDATE_COMPLETE")
			m := r.final()
			if err := m.Outcome(); err != nil {
				t.Errorf("outcome %v", err)
			}
			v := m.View()
			for _, never := range []string{"deleted", "unchanged", "Could not execute"} {
				if strings.Contains(v, never) || strings.Contains(m.Summary(), never) {
					t.Errorf("it says %q:\n%s\n%s", never, v, m.Summary())
				}
			}
			assertOps(t, f, "create "+token, "execute "+token)
		})
	}
}

// 3c. ExecuteChangeSet fails (a 500) and did not execute: the change set
// is deleted, checked, and the screen says so.
func TestFaultExecuteFailed(t *testing.T) {
	f := newFake(t)
	f.ExecuteErr = internalFailure()
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("Could not execute the change set")
	s := plain(r.screen())
	for _, want := range []string{"InternalFailure", token + " deleted (checked: it no longer exists), stack teamcity unchanged"} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
	assertOps(t, f, "create "+token, "delete "+token)
	assertGone(t, f, token)
	r.key(tea.KeyEsc)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyCtrlC)
	m := r.finished()
	_ = m.Close()
	if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
		t.Errorf("exit status %d (%v), want 130", code, m.Outcome())
	}
	assertOps(t, f, "create "+token, "delete "+token)
}

// syncBuffer is a screen written by the program and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) has(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Contains(s.b.String(), text)
}

// A hangup (SIGHUP, the run's context cancelled) while the question is
// open: Run's Close deletes the change set, checked, and says so.
func TestFaultHangupWhileAsked(t *testing.T) {
	f := newFake(t)
	p := toQuestionPiped(t, f)
	err := p.signal(syscall.SIGHUP)
	if exitcode.Code(err) != exitcode.Interrupted || !strings.Contains(err.Error(), token+" deleted (checked") {
		t.Errorf("Run: %v (exit %d), want an interruption saying the change set was deleted, checked", err, exitcode.Code(err))
	}
	assertOps(t, f, "create "+token, "delete "+token)
	assertGone(t, f, token)
}

// 1. Lost update, and the change set's deletion fails: the screen must not
// say it was deleted; leaving tries again, and a change set made after it
// does not make the wizard forget it.
func TestFaultStackChangedDeleteFails(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DeleteChangeSet"}
	for _, tc := range []struct {
		name  string
		again bool // the user reads the stack again and makes a new change set
	}{
		{"leaves", false},
		{"makes another", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c := &clock{t: t0}
			r := reviewOnAt(t, f, c)
			r.key(tea.KeyEnter)
			r.waitFor("Execute change set")
			f.Colleague("teamcity", agentMemory(t, 4096), time.Time{}, false)
			f.Mu.Lock()
			f.DeleteErr = denied
			f.Mu.Unlock()
			r.execute()
			r.waitFor("Stack teamcity changed since it was read")
			s := plain(r.screen())
			for _, never := range []string{"was deleted", "deleted (checked"} {
				if strings.Contains(s, never) {
					t.Errorf("the screen says %q of a change set it could not delete:\n%s", never, s)
				}
			}
			if want := "aws cloudformation delete-change-set --stack-name teamcity --change-set-name " + token + " --region eu-west-1"; !strings.Contains(s, want) {
				t.Errorf("the screen lacks %q:\n%s", want, s)
			}
			if _, executed, _ := f.State(); len(executed) != 0 {
				t.Errorf("executed %v", executed)
			}
			if !tc.again {
				r.key(tea.KeyCtrlC)
				m := r.finished()
				_ = m.Close()
				err := m.Outcome()
				if exitcode.Code(err) != exitcode.Pending || !strings.Contains(err.Error(), token+" may remain") {
					t.Errorf("outcome %v (exit %d), want 4 saying the change set may remain", err, exitcode.Code(err))
				}
				return
			}
			f.Mu.Lock()
			f.DeleteErr = nil
			f.Mu.Unlock()
			r.key(tea.KeyEnter)
			r.waitFor("Press enter to create a change set")
			c.set(t0.Add(time.Second))
			r.key(tea.KeyEnter)
			r.waitFor("Execute change set tcdind-privileged-20260302-100001-00000000")
			r.key(tea.KeyCtrlC)
			m := r.finished()
			_ = m.Close()
			if left := f.Left(); len(left) != 0 {
				t.Errorf("change sets left: %v", left)
			}
			if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
				t.Errorf("exit status %d (%v), want 130", code, m.Outcome())
			}
		})
	}
}

// esc while the change set is made, made all the same (its wait answered
// as esc was pressed): it is deleted quietly. A change set made meanwhile
// must stay the one leaving deletes, whichever deletion ends first.
func TestFaultQuietDeleteKeepsNewer(t *testing.T) {
	f := newFake(t)
	c := &clock{t: t0}
	cfg := stackConfig(f, c)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	wait, del := newGate(t), newGate(t)
	f.Mu.Lock()
	f.WaitGate = wait
	f.Mu.Unlock()
	r.key(tea.KeyEnter)
	wait.Arrived(t)
	r.key(tea.KeyEsc)
	r.waitFor("Press enter to create a change set")
	f.Mu.Lock()
	f.DeleteGate = del
	f.Mu.Unlock()
	wait.Open() // made: deleted quietly, held
	del.Arrived(t)
	c.set(t0.Add(time.Second))
	r.key(tea.KeyEnter)
	newer := "tcdind-privileged-20260302-100001-00000000"
	r.waitFor("Execute change set " + newer)
	var m *Model
	r.inLoop(func(mm *Model) { m = mm })
	del.Open()
	eventually(t, "the quiet deletion ends", func() bool {
		return m.sess.idle()
	})
	if set := m.getPending(); set == nil || set.Input.Name != newer {
		t.Errorf("pending %v, want %s", set, newer)
	}
	// A hangup: the program ends without ctrl+c; Close deletes the rest.
	r.final()
	_ = m.Close()
	if left := f.Left(); len(left) != 0 {
		t.Errorf("change sets left: %v", left)
	}
	if err := m.Outcome(); exitcode.Code(err) != exitcode.Interrupted || !strings.Contains(err.Error(), newer+" deleted (checked") {
		t.Errorf("outcome %v", err)
	}
}

// A hangup while CreateChangeSet is out: the program is gone when the
// creation answers, so Close must delete what it made and report what it
// checked; a deletion that keeps failing is exit 4, not "nothing was
// written".
func TestFaultHangupWhileCreating(t *testing.T) {
	for _, failing := range []bool{false, true} {
		t.Run("delete fails="+strconv.FormatBool(failing), func(t *testing.T) {
			f := newFake(t)
			if failing {
				f.DeleteErr = &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: cloudformation:DeleteChangeSet"}
			}
			r, g := createHeld(t, f)
			m := r.final() // the program ends without a ctrl+c
			go func() {
				time.Sleep(20 * time.Millisecond) // Close cancelled the creation
				g.Open()
			}()
			_ = m.Close()
			err := m.Outcome()
			if failing {
				if exitcode.Code(err) != exitcode.Pending || !strings.Contains(err.Error(), token+" may remain") {
					t.Errorf("outcome %v (exit %d), want 4 saying the change set may remain", err, exitcode.Code(err))
				}
				return
			}
			if exitcode.Code(err) != exitcode.Interrupted {
				t.Errorf("outcome %v (exit %d), want 130", err, exitcode.Code(err))
			}
			assertOps(t, f, "create "+token, "delete "+token)
		})
	}
}

// A signal while ExecuteChangeSet is out, and CloudFormation refuses it:
// the program ends before the answer's message arrives, so leaving must
// take the answer from the session — the change set deleted (checked) —
// never "interrupted: nothing was written" (review2).
func TestFaultSignalWhileExecuteRefused(t *testing.T) {
	f := newFake(t)
	f.ExecuteErr = &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack:arn:aws:cloudformation:eu-west-1:1:stack/teamcity is in UPDATE_IN_PROGRESS state and can not be updated."}
	g := newGate(t)
	f.Mu.Lock()
	f.ExecuteGate = g
	f.Mu.Unlock()
	p := toQuestionPiped(t, f)
	p.keys("\x1b[B\r") // down to Execute, enter
	g.Arrived(t)
	p.cancel(&exitcode.SignalError{Signal: syscall.SIGTERM})
	g.Open()
	err := p.ended("SIGTERM")
	if err == nil || strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Run: %v, want what became of change set %s", err, token)
	}
	if !strings.Contains(err.Error(), token) {
		t.Errorf("Run: %v (exit %d) does not name the change set", err, exitcode.Code(err))
	}
	t.Logf("outcome: %v (exit %d)", err, exitcode.Code(err))
}

// piped is Run on pipes, as a person at plain prompts (or a signal) drives it.
type piped struct {
	t      *testing.T
	in     *io.PipeWriter
	out    *syncBuffer
	cancel context.CancelCauseFunc
	done   chan error
}

// toQuestionPiped runs --stack teamcity --mode privileged on pipes up to
// the change set's question.
func toQuestionPiped(t *testing.T, f *fakeCFN) *piped {
	t.Helper()
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.NoColor, cfg.Load = "teamcity", dind.ModePrivileged, true, offlineLoad
	ctx, cancel := context.WithCancelCause(context.Background())
	t.Cleanup(func() { cancel(nil) })
	in, keys := io.Pipe()
	t.Cleanup(func() { keys.Close() })
	p := &piped{t: t, in: keys, out: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { p.done <- Run(ctx, cfg, Streams{In: in, Out: p.out, Err: &syncBuffer{}}) }()
	eventually(t, "the review", func() bool { return p.out.has("Press enter to create a change set") })
	p.keys("\r")
	eventually(t, "the question", func() bool { return p.out.has("Execute change set") })
	return p
}

func (p *piped) keys(s string) {
	p.t.Helper()
	if _, err := p.in.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// signal cancels the run as the signal does and returns how Run ended.
func (p *piped) signal(sig syscall.Signal) error {
	p.t.Helper()
	p.cancel(&exitcode.SignalError{Signal: sig})
	return p.ended(sig.String())
}

// ended is how Run ended, after what (a signal) that should end it.
func (p *piped) ended(after string) error {
	p.t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(10 * time.Second):
		p.t.Fatalf("Run does not end after %s", after)
		return nil
	}
}
