package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// --debug prints each AWS request and answer, and never the credentials,
// an Authorization header or a parameter value (the NoEcho one comes
// back in clear from moto's DescribeStacks, as a reason to redact every
// value rather than trust the endpoint to mask it).
func TestDebugPrintsNoSecrets(t *testing.T) {
	e := newStackEnv(t)
	const (
		keyID   = "AKIADEBUGKEYID7777"
		secret2 = "debug-secret-access-key-9999"
		token   = "debug-session-token-5555"
	)
	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret2)
	t.Setenv("AWS_SESSION_TOKEN", token)
	ctx := context.Background()
	p := awsproxy.New(t, e.moto.URL)
	e.createStack("tc-debug", nil, "")
	code, stdout, stderr := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-debug", "--mode", "socket", "--apply", "--yes", "--debug")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("--debug wrote to stdout: %.300s", stdout)
	}
	for _, want := range []string{"debug: Request", "debug: POST / HTTP/1.1", "Action=DescribeStacks", "Action=CreateChangeSet", "Action=ExecuteChangeSet", "debug: Response", "debug: HTTP/1.1 200", "debug: Authorization: [redacted]", "debug: X-Amz-Security-Token: [redacted]", "<ParameterValue>[redacted]</ParameterValue>"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--debug output lacks %q", want)
		}
	}
	for _, never := range []string{keyID, secret2, token, secret} {
		if strings.Contains(stderr, never) {
			i := strings.Index(stderr, never)
			t.Errorf("--debug printed a secret %q: …%s…", never, stderr[max(0, i-200):min(len(stderr), i+50)])
		}
	}
	if !strings.Contains(stderr, "UPDATE_COMPLETE") {
		t.Errorf("the run's own lines are gone:\n%.500s", stderr)
	}
}

// --quiet: errors and the result only.
func TestQuiet(t *testing.T) {
	out := t.TempDir() + "/t.yaml"
	code, stdout, stderr := runCLI(t, "--template", stackTemplate, "--mode", "socket", "--output", out, "--quiet")
	if code != 0 || stdout != "" || withoutWarnings(stderr) != "wrote "+out+"\n" {
		t.Errorf("--quiet --output: exit %d, stdout %q, stderr %q; want only the wrote line", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "--template", stackTemplate, "--mode", "socket", "--check", "-q")
	if code != 3 || strings.Count(withoutWarnings(stderr), "\n") != 1 || !strings.Contains(stderr, "not in socket mode") {
		t.Errorf("--quiet --check: exit %d, stderr %q; want exit 3 and one line", code, stderr)
	}
	code, _, stderr = runCLI(t, "--template", "testdata/templates/broken.yaml", "--mode", "socket", "--check", "-q")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "tcdind: ") {
		t.Errorf("--quiet on an error: exit %d, stderr %q; want the error line alone", code, stderr)
	}

	e := newStackEnv(t)
	p := awsproxy.New(t, e.moto.URL)
	e.createStack("tc-quiet", nil, "")
	code, _, stderr = withHook(fast).runStack(context.Background(), p.URL, "", "--stack", "tc-quiet", "--mode", "privileged", "--apply", "--yes", "--quiet")
	if code != 0 {
		t.Fatalf("--quiet --apply: exit %d\n%s", code, stderr)
	}
	// What the engine warns of the template it applied stays: the
	// outcome and those warnings, nothing else.
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(l, "tcdind: warning: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "tc-quiet") {
		t.Errorf("--quiet --apply said %d lines besides warnings, want the outcome alone:\n%s", len(lines), stderr)
	}
}

// withoutWarnings drops the engine's warning lines, which --quiet keeps.
func withoutWarnings(stderr string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(l, "tcdind: warning: ") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// --quiet keeps the engine's warnings about what it writes: an
// --agent-version that pins nothing is about the result, not chatter.
func TestQuietKeepsWarnings(t *testing.T) {
	out := t.TempDir() + "/t.yaml"
	code, _, stderr := runCLI(t, "--template", "wizard/testdata/one.yaml", "--mode", "privileged", "--sudo-image", "--agent-version", "2025.07", "--output", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "tcdind: warning: ") || !strings.Contains(stderr, "--agent-version 2025.07 was not used") || !strings.Contains(stderr, "wrote "+out) {
		t.Errorf("--quiet privileged with an unused --agent-version: exit %d, stderr %q; want the warning and the wrote line", code, stderr)
	}
	if strings.Contains(stderr, "security:") {
		t.Errorf("--quiet printed the security note, which is not a warning about the result:\n%s", stderr)
	}
}
