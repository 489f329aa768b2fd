package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The man page's synopsis names the ways tcdind is run, and no argument:
// it refuses them. Its examples and --help show the stack runs.
func TestManSynopsisAndStackExamples(t *testing.T) {
	_, page, _ := runCLI(t, "man")
	i, j := strings.Index(page, ".SH SYNOPSIS\n"), strings.Index(page, ".SH DESCRIPTION\n")
	if i < 0 || j < i {
		t.Fatalf("no synopsis:\n%.400s", page)
	}
	synopsis := page[i:j]
	if strings.Contains(synopsis, "argument") {
		t.Errorf("the synopsis offers arguments:\n%s", synopsis)
	}
	for _, want := range []string{`\fB--template\fP`, `\fB--stack\fP \fINAME\fP`, `\fB--apply\fP`, `\fBtcdind completion\fP`} {
		if !strings.Contains(synopsis, want) {
			t.Errorf("the synopsis lacks %q:\n%s", want, synopsis)
		}
	}
	_, help, _ := runCLI(t, "--help")
	for _, text := range []string{page, help} {
		for _, want := range []string{"--stack teamcity --accessible", "--stack teamcity --mode privileged --apply --yes", "--s3-bucket my-bucket"} {
			if !strings.Contains(strings.ReplaceAll(strings.ReplaceAll(text, `\&`, ""), `\-`, "-"), want) {
				t.Errorf("no example %q in:\n%.200s…", want, text)
			}
		}
	}
}

func TestRegionCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "__complete", "--region", "eu-w")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "eu-west-1\tEurope (Ireland)\n") || strings.Contains(out, "us-east-1") {
		t.Errorf("completing --region eu-w: %q", out)
	}
}

// --profile completes from the shared config and credentials files, read
// as text; sso-session and services sections are no profiles.
func TestProfileCompletion(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(config, []byte("[default]\nregion = eu-west-1\n[profile ci]\nregion = us-east-1\n[sso-session corp]\nsso_region = eu-west-1\n[ profile  staging ]\n"), 0o600)
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = x\n[legacy]\naws_access_key_id = y\n"), 0o600)
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	_, out, _ := runCLI(t, "__complete", "--profile", "")
	got := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"ci", "default", "legacy", "staging", ":4"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("completing --profile: %q, want %q", got, want)
	}
	_, out, _ = runCLI(t, "__complete", "--profile", "st")
	if !strings.HasPrefix(out, "staging\n:4") {
		t.Errorf("completing --profile st: %q", out)
	}
}

// man renders the examples in no-fill mode at its indent (7 columns) plus
// the section's .RS 2: an example line longer than 71 characters runs past
// an 80-column terminal (MANWIDTH=80), where it cannot be copied whole.
func TestManExamplesFit80Columns(t *testing.T) {
	_, page, _ := runCLI(t, "man")
	i := strings.Index(page, ".SH EXAMPLES\n")
	if i < 0 {
		t.Fatalf("no EXAMPLES section")
	}
	body := page[i+len(".SH EXAMPLES\n"):]
	if j := strings.Index(body, "\n.SH "); j >= 0 {
		body = body[:j]
	}
	lines := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, ".") {
			continue
		}
		text := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(line, `\-`, "-"), `\e`, `\`), `\&`, "")
		lines++
		if 9+len(text) > 80 {
			t.Errorf("example line of %d characters runs past 80 columns: %q", len(text), text)
		}
	}
	if lines < 10 {
		t.Errorf("only %d example lines:\n%s", lines, body)
	}
}
