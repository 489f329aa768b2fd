package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The template half of the command line contract (cli.md): exit codes,
// where output goes, and what is written.

const fixture = "testdata/templates/blog.yaml"

func copyFixture(t *testing.T, name string, mode os.FileMode) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(name))
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTemplateToStdoutByDefault(t *testing.T) {
	code, out, errOut := runCLI(t, "--template", fixture, "--mode", "privileged", "--minimal")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Privileged: true") {
		t.Errorf("stdout has no patched template:\n%s", out)
	}
	if strings.Contains(errOut, "Resources:") || !strings.Contains(errOut, "add Privileged: true") {
		t.Errorf("stderr should list the change, not hold the template:\n%s", errOut)
	}
	if !strings.Contains(errOut, "security:") {
		t.Errorf("no security note on stderr:\n%s", errOut)
	}
}

func TestTemplateStdinToStdout(t *testing.T) {
	src, _ := os.ReadFile(fixture)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--template", "-", "--mode", "socket", "--output", "-"},
		testIO(bytes.NewReader(src), &out, &errOut))
	if code != 0 || !strings.Contains(out.String(), "/var/run/docker.sock") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

func TestTemplateCheck(t *testing.T) {
	code, out, _ := runCLI(t, "--template", fixture, "--mode", "socket", "--check")
	if code != 3 || out != "" {
		t.Fatalf("--check on a template without DinD: exit %d (want 3), stdout %q", code, out)
	}
	patched := filepath.Join(t.TempDir(), "p.yaml")
	if code, _, errOut := runCLI(t, "--template", fixture, "--mode", "socket", "--output", patched); code != 0 {
		t.Fatalf("--output: exit %d: %s", code, errOut)
	}
	code, _, errOut := runCLI(t, "--template", patched, "--mode", "socket", "--check")
	if code != 0 || !strings.Contains(errOut, "nothing to change") {
		t.Fatalf("--check on a patched template: exit %d (want 0): %s", code, errOut)
	}
}

func TestTemplateDiffWritesNothing(t *testing.T) {
	path := copyFixture(t, fixture, 0o644)
	before, _ := os.ReadFile(path)
	code, out, _ := runCLI(t, "--template", path, "--mode", "privileged", "--sudo-image", "--diff")
	if code != 0 || !strings.Contains(out, "+            Privileged: true") || !strings.HasPrefix(out, "--- ") {
		t.Fatalf("--diff: exit %d:\n%s", code, out)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("--diff changed the template")
	}
}

func TestTemplateInPlaceKeepsMode(t *testing.T) {
	path := copyFixture(t, fixture, 0o640)
	if code, _, errOut := runCLI(t, "--template", path, "--mode", "socket", "--in-place"); code != 0 {
		t.Fatalf("--in-place: exit %d: %s", code, errOut)
	}
	got, _ := os.ReadFile(path)
	if !strings.Contains(string(got), "/var/run/docker.sock") {
		t.Error("--in-place did not write the patched template")
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", info.Mode().Perm())
	}
	// Again: already in the mode, nothing changes, exit 0.
	code, _, errOut := runCLI(t, "--template", path, "--mode", "socket", "--in-place")
	if again, _ := os.ReadFile(path); code != 0 || !bytes.Equal(got, again) || !strings.Contains(errOut, "nothing to change") {
		t.Errorf("second --in-place: exit %d, changed %v: %s", code, !bytes.Equal(got, again), errOut)
	}
}

func TestTemplateExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no template", []string{"--mode", "socket", "--non-interactive"}, 2, "no template"},
		{"no mode", []string{"--template", fixture, "--non-interactive"}, 2, "no mode"},
		{"bad mode", []string{"--template", fixture, "--mode", "docker"}, 2, "use socket, privileged or none"},
		{"unknown flag", []string{"--template", fixture, "--mode", "socket", "--colour"}, 2, "unknown flag"},
		{"argument", []string{fixture}, 2, "--template " + fixture},
		{"two actions", []string{"--template", fixture, "--mode", "socket", "--diff", "--check"}, 2, "exclude each other"},
		{"in-place stdin", []string{"--template", "-", "--mode", "socket", "--in-place"}, 2, "--in-place"},
		{"ambiguous", []string{"--template", "testdata/templates/two-agents.yaml", "--mode", "socket"}, 2, "--task-definition"},
		{"unknown task definition", []string{"--template", "testdata/templates/two-agents.yaml", "--mode", "socket", "--task-definition", "Nope"}, 2, "Nope"},
		{"missing file", []string{"--template", "testdata/none.yaml", "--mode", "socket"}, 1, "no such file"},
		{"fargate", []string{"--template", "testdata/templates/fargate.yaml", "--mode", "socket"}, 1, "Fargate"},
		{"windows", []string{"--template", "testdata/templates/windows.yaml", "--mode", "privileged"}, 1, "Windows"},
		{"no agent", []string{"--template", "testdata/templates/no-agent.yaml", "--mode", "socket"}, 1, "no TeamCity agent"},
		{"broken", []string{"--template", "testdata/templates/broken.yaml", "--mode", "socket"}, 1, "line 10"},
		{"empty", []string{"--template", "testdata/templates/empty.yaml", "--mode", "socket"}, 1, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if out != "" {
				t.Errorf("wrote to stdout on failure: %q", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "tcdind: ") || !strings.Contains(last, tc.msg) {
				t.Errorf("error line %q, want one line starting tcdind: and naming %q", last, tc.msg)
			}
		})
	}
}

// --template - with a terminal on standard input waits for what is typed
// or pasted: a note says so and how to end it, rather than a silent wait.
// From a pipe there is nothing to say.
func TestStdinTemplateAtATerminalSaysItWaits(t *testing.T) {
	blog, err := os.ReadFile("testdata/templates/blog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tty := range []bool{true, false} {
		var out, errOut bytes.Buffer
		ios := testIO(bytes.NewReader(blog), &out, &errOut)
		ios.SetStdinTTY(tty)
		if code := runWith(t.Context(), []string{"--template", "-", "--mode", "socket", "--output", "-"}, ios, nil); code != 0 {
			t.Fatalf("tty %v: exit %d: %s", tty, code, errOut.String())
		}
		const note = "tcdind: note: reading the template from standard input: paste it, then ctrl+d (ctrl+c quits)\n"
		if got := strings.HasPrefix(errOut.String(), note); got != tty {
			t.Errorf("tty %v: the note is said: %v\n%s", tty, got, errOut.String())
		}
	}
}

// Privileged mode on an agent image that cannot start Docker (no -sudo
// tag: since 2020.2 JetBrains' run-docker.sh starts dockerd with sudo, and
// only the -sudo tags install it; root does not help) is refused: exit 2,
// nothing written, one line with the flag that makes the same command
// work (issue 17: never exit 0 while saying Docker cannot start). The same
// command with that flag works.
func TestPrivilegedWithoutSudoRefused(t *testing.T) {
	for _, tc := range []struct {
		template, flag string
		fixed          []string
	}{
		{"wizard/testdata/one.yaml", "pass --sudo-image", []string{"--sudo-image"}},
		{"wizard/testdata/latest.yaml", "pass --agent-version VERSION", []string{"--sudo-image", "--agent-version", "2025.07"}},
	} {
		out := filepath.Join(t.TempDir(), "out.yaml")
		code, stdout, stderr := runCLI(t, "--template", tc.template, "--mode", "privileged", "--output", out)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "cannot start Docker in privileged mode") || !strings.Contains(stderr, tc.flag) ||
			strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %q", tc.template, code, stdout, stderr, tc.flag)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: written though Docker cannot start", tc.template)
		}
		code, stdout, _ = runCLI(t, "--template", tc.template, "--mode", "privileged", "--json", "--output", out)
		if code != 2 || !strings.Contains(stdout, `"error": "`) || !strings.Contains(stdout, "cannot start Docker in privileged mode") {
			t.Errorf("%s --json: exit %d, stdout %s", tc.template, code, stdout)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s --json: written though Docker cannot start", tc.template)
		}
		args := append([]string{"--template", tc.template, "--mode", "privileged", "--output", out}, tc.fixed...)
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Errorf("%s with %v: exit %d: %s", tc.template, tc.fixed, code, stderr)
		}
	}
	// A -sudo image needs no flag.
	if code, _, stderr := runCLI(t, "--template", "wizard/testdata/sudo.yaml", "--mode", "privileged", "--diff"); code != 0 {
		t.Errorf("sudo.yaml: exit %d: %s", code, stderr)
	}
}
