package main

import (
	"bytes"
	"strings"
	"testing"
)

// --help fits 80 columns (no line wraps mid-word in a classic terminal)
// and lists the flags in groups, the template's and the stack's apart.
func TestHelpFits80ColumnsInGroups(t *testing.T) {
	var out bytes.Buffer
	ios := testIO(strings.NewReader(""), &out, &bytes.Buffer{})
	if code := runWith(t.Context(), []string{"--help"}, ios, nil); code != 0 {
		t.Fatalf("exit %d", code)
	}
	help := out.String()
	for i, l := range strings.Split(help, "\n") {
		if n := len([]rune(l)); n > helpWidth {
			t.Errorf("line %d is %d wide: %q", i+1, n, l)
		}
	}
	section := func(title string) string {
		i := strings.Index(help, "\n"+title+":\n")
		if i < 0 {
			t.Fatalf("no section %q:\n%s", title, help)
		}
		rest := help[i+len(title)+3:]
		if j := strings.Index(rest, "\n\n"); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	tmpl, stack := section("Flags for a template file"), section("Flags for a deployed stack")
	for _, f := range []string{"--template", "--output", "--in-place"} {
		if !strings.Contains(tmpl, f) || strings.Contains(stack, f+" ") {
			t.Errorf("%s is not with the template's flags", f)
		}
	}
	for _, f := range []string{"--stack", "--apply", "--yes", "--s3-bucket"} {
		if !strings.Contains(stack, f) {
			t.Errorf("%s is not with the stack's flags", f)
		}
	}
	// Every flag is listed once: one added later lands in Other flags.
	if n := strings.Count(help, "--mode string"); n != 1 {
		t.Errorf("--mode listed %d times", n)
	}
}

// Every subcommand's --help fits 80 columns too, its global flags
// (--debug, --quiet, inherited from the root) included.
func TestSubcommandHelpFits80Columns(t *testing.T) {
	for _, sub := range []string{"status", "man", "completion"} {
		var out bytes.Buffer
		ios := testIO(strings.NewReader(""), &out, &bytes.Buffer{})
		if code := runWith(t.Context(), []string{sub, "--help"}, ios, nil); code != 0 {
			t.Fatalf("%s --help: exit %d", sub, code)
		}
		if !strings.Contains(out.String(), "--debug") {
			t.Errorf("%s --help lists no --debug:\n%s", sub, out.String())
		}
		for i, l := range strings.Split(out.String(), "\n") {
			if n := len([]rune(l)); n > helpWidth {
				t.Errorf("%s --help: line %d is %d wide: %q", sub, i+1, n, l)
			}
		}
	}
}

// --endpoint-url is the SDK's base endpoint: it reaches ECS (the rollout
// and the verification) as well as CloudFormation and S3, and --help says
// so as status --help does.
func TestEndpointURLHelpNamesEveryService(t *testing.T) {
	root := newRootCommand(testIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), nil)
	usage := root.Flags().Lookup("endpoint-url").Usage
	for _, want := range []string{"every service", "ECS"} {
		if !strings.Contains(usage, want) {
			t.Errorf("--endpoint-url: %q does not say %q", usage, want)
		}
	}
}

// With --non-interactive at a terminal and no --output, the template goes
// to standard output (design/cli.md: "non-interactive default: - =
// stdout"), and --output's help says so, as the README does.
func TestOutputDefaultIsSaidForNonInteractive(t *testing.T) {
	var out bytes.Buffer
	ios := testIO(strings.NewReader(""), &out, &bytes.Buffer{})
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	if code := runWith(t.Context(), []string{"--non-interactive", "--template", "testdata/templates/blog.yaml", "--mode", "socket"}, ios, nil); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "docker.sock") {
		t.Errorf("the template is not on standard output:\n%.200s", out.String())
	}
	root := newRootCommand(testIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), nil)
	if usage := root.Flags().Lookup("output").Usage; !strings.Contains(usage, "--non-interactive") {
		t.Errorf("--output: %q does not say it is the default with --non-interactive", usage)
	}
}
