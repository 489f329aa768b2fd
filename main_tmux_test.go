package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The wizard driven the way a person drives it: the real binary in a real
// terminal (tmux), keys sent, the screen read back.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// tcdindBinary builds the command once for every test that runs it.
func tcdindBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tcdind-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "tcdind")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// terminal is one tmux session on a server of its own.
type terminal struct {
	t      *testing.T
	socket string
	dir    string
}

// newTerminal runs command (in dir) in a width×height tmux window. The
// exit status of command is written to dir/rc when it ends.
func newTerminal(t *testing.T, dir string, width, height int, command string) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed")
		}
		t.Skip("tmux is not installed")
	}
	term := &terminal{t: t, socket: fmt.Sprintf("tcdind-test-%d-%d", os.Getpid(), time.Now().UnixNano()), dir: dir}
	// The shell survives ctrl+c (a trap, which its children do not inherit)
	// to record the command's exit status.
	script := fmt.Sprintf("trap true INT; cd %q && %s; echo $? > rc; sleep 30", dir, command)
	term.tmux("new-session", "-d", "-s", "t", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "env TERM=xterm-256color sh -c '"+strings.ReplaceAll(script, "'", `'\''`)+"'")
	t.Cleanup(func() { exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (term *terminal) screen() string { return term.tmux("capture-pane", "-p", "-t", "t") }

func (term *terminal) keys(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", "t"}, keys...)...)
}

// waitFor waits until the screen shows every one of texts.
func (term *terminal) waitFor(texts ...string) string {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := term.screen()
		missing := ""
		for _, text := range texts {
			if !strings.Contains(s, text) {
				missing = text
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the screen never showed %q:\n%s", missing, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exitStatus waits for the command to end and returns its exit status.
func (term *terminal) exitStatus() int {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(term.dir, "rc")); err == nil && len(bytes.TrimSpace(b)) > 0 {
			rc, _ := strconv.Atoi(string(bytes.TrimSpace(b)))
			return rc
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the command did not end:\n%s", term.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tuiTemplate(t *testing.T) string {
	dir := t.TempDir()
	copyTo(t, fixture, filepath.Join(dir, "teamcity-server.yaml"))
	return dir
}

func copyTo(t *testing.T, from, to string) {
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTUIReviewThenSave(t *testing.T) {
	bin := tcdindBinary(t)
	dir := tuiTemplate(t)
	term := newTerminal(t, dir, 120, 45, bin+" --template teamcity-server.yaml --mode privileged --sudo-image --output out.yaml")
	term.waitFor("Review", "add Privileged: true", "root on the EC2 host")
	if _, err := os.Stat(filepath.Join(dir, "out.yaml")); err == nil {
		t.Fatal("out.yaml was written before enter on the review")
	}
	term.keys("Enter")
	term.waitFor("Saved out.yaml")
	term.keys("Enter")
	if rc := term.exitStatus(); rc != 0 {
		t.Fatalf("exit %d:\n%s", rc, term.screen())
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out.yaml"))
	code, want, errOut := runCLI(t, "--template", filepath.Join(dir, "teamcity-server.yaml"), "--mode", "privileged", "--sudo-image")
	if code != 0 || string(got) != want {
		t.Errorf("the wizard wrote other bytes than the batch run (exit %d, %s)", code, errOut)
	}
}

func TestTUICtrlCWritesNothing(t *testing.T) {
	bin := tcdindBinary(t)
	dir := tuiTemplate(t)
	term := newTerminal(t, dir, 120, 45, bin+" --template teamcity-server.yaml --mode socket --output out.yaml")
	term.waitFor("Review", "docker.sock")
	term.keys("C-c")
	if rc := term.exitStatus(); rc != 130 {
		t.Errorf("exit %d after ctrl+c, want 130", rc)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.yaml")); err == nil {
		t.Error("ctrl+c wrote out.yaml")
	}
	term.waitFor("nothing was written")
}

func TestTUIAsksFirstQuestionAndResizes(t *testing.T) {
	bin := tcdindBinary(t)
	dir := tuiTemplate(t)
	term := newTerminal(t, dir, 120, 45, bin)
	term.waitFor("Where is the TeamCity stack's template?", "A template file or URL")
	term.keys("Enter")
	term.waitFor("Template file or https URL")
	term.keys("teamcity-server.yaml", "Enter")
	term.waitFor("Which Docker-in-Docker mode?", "gets root on")
	term.tmux("resize-window", "-t", "t", "-x", "70", "-y", "20")
	s := term.waitFor("Which Docker-in-Docker mode?")
	for _, line := range strings.Split(s, "\n") {
		if w := len([]rune(strings.TrimRight(line, " "))); w > 70 {
			t.Errorf("a line is %d columns wide at 70:\n%s", w, line)
		}
	}
	term.keys("Escape")
	term.waitFor("Template file or https URL")
	term.keys("C-c")
	if rc := term.exitStatus(); rc != 130 {
		t.Errorf("exit %d after ctrl+c, want 130", rc)
	}
}

func TestTUIAccessibleAsksInPlainText(t *testing.T) {
	bin := tcdindBinary(t)
	dir := tuiTemplate(t)
	term := newTerminal(t, dir, 100, 40, bin+" --accessible --template teamcity-server.yaml")
	s := term.waitFor("Which Docker-in-Docker mode?", "1. socket", "2. privileged", "3. none")
	if strings.Contains(s, "┃") || strings.Contains(s, "╭") {
		t.Errorf("accessible mode drew boxes:\n%s", s)
	}
	term.keys("C-c")
	if rc := term.exitStatus(); rc != 130 {
		t.Errorf("exit %d after ctrl+c in accessible mode, want 130", rc)
	}
}

// TestTUISIGTERMEnds: SIGTERM to the wizard ends it, every time, with 143
// and nothing written. Both tcdind's own handler (it cancels the run's
// context) and bubbletea's took SIGTERM: when the context won, bubbletea's
// handler blocked for ever sending its quit message to an event loop that
// had ended, and the program waited for that handler (review2 saw the
// wizard hang on "Executing change set …" after a SIGTERM). Repeated,
// because it was a race.
func TestTUISIGTERMEnds(t *testing.T) {
	bin := tcdindBinary(t)
	for i := range 4 {
		dir := tuiTemplate(t)
		term := newTerminal(t, dir, 80, 24, bin+" --template teamcity-server.yaml --mode socket --output out.yaml")
		term.waitFor("Review", "docker.sock")
		pid := term.childPID()
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if rc := term.exitStatus(); rc != 143 {
			t.Fatalf("run %d: exit %d after SIGTERM, want 143:\n%s", i, rc, term.screen())
		}
		if _, err := os.Stat(filepath.Join(dir, "out.yaml")); err == nil {
			t.Fatalf("run %d: SIGTERM wrote out.yaml", i)
		}
	}
}

// childPID is the process id of the command the terminal's shell runs.
func (term *terminal) childPID() int {
	term.t.Helper()
	shell := strings.TrimSpace(term.tmux("display-message", "-p", "-t", "t", "#{pane_pid}"))
	b, err := os.ReadFile("/proc/" + shell + "/task/" + shell + "/children")
	if err != nil {
		term.t.Fatalf("the shell's children: %v", err)
	}
	fields := strings.Fields(string(b))
	if len(fields) != 1 {
		term.t.Fatalf("the shell runs %q, want one command", fields)
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		term.t.Fatal(err)
	}
	return pid
}
