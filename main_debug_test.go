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
	if code != 0 || stdout != "" || stderr != "wrote "+out+"\n" {
		t.Errorf("--quiet --output: exit %d, stdout %q, stderr %q; want only the wrote line", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "--template", stackTemplate, "--mode", "socket", "--check", "-q")
	if code != 3 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "not in socket mode") {
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
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "tc-quiet") {
		t.Errorf("--quiet --apply said %d lines, want the outcome alone:\n%s", len(lines), stderr)
	}
}
