package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The man page lists the exit statuses --help lists: every status number
// of --help's "Exit status" paragraph is in the page's EXIT STATUS.
func TestManExitStatusMatchesHelp(t *testing.T) {
	_, help, _ := runCLI(t, "--help")
	i := strings.Index(help, "Exit status:")
	if i < 0 {
		t.Fatalf("--help has no Exit status:\n%s", help)
	}
	para := help[i:]
	if j := strings.Index(para, "\n\n"); j > 0 {
		para = para[:j]
	}
	_, page, _ := runCLI(t, "man")
	a, b := strings.Index(page, ".SH EXIT STATUS\n"), strings.Index(page, ".SH ENVIRONMENT\n")
	if a < 0 || b < a {
		t.Fatalf("no EXIT STATUS section:\n%s", page)
	}
	section := page[a:b]
	codes := regexp.MustCompile(`\b(\d{1,3})\b`).FindAllString(para, -1)
	if len(codes) < 8 {
		t.Fatalf("found only %v in --help's exit status:\n%s", codes, para)
	}
	for _, c := range codes {
		if !regexp.MustCompile(`\b` + c + `\b`).MatchString(section) {
			t.Errorf("exit status %s of --help is not in the man page:\n%s", c, section)
		}
	}
}

// The examples of the rendered page are lines that copy and run: each
// --help example appears whole, with ASCII hyphen-minus, unbroken.
func TestManExamplesCopy(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Fatal("groff is needed to render the man page (apt-get install groff)")
	}
	_, page, _ := runCLI(t, "man")
	cmd := exec.Command(groff, "-man", "-Tutf8", "-rLL=60n")
	cmd.Stdin = strings.NewReader(page)
	cmd.Env = append(os.Environ(), "GROFF_NO_SGR=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("groff: %v", err)
	}
	rendered := regexp.MustCompile(`.\x08`).ReplaceAllString(string(out), "") // overstrike bold/underline
	root := newRootCommand(testIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), nil)
	for _, ex := range strings.Split(strings.TrimSpace(root.Example), "\n") {
		if ex = strings.TrimSpace(ex); !strings.Contains(rendered, ex) {
			t.Errorf("the rendered page lacks the example line\n%s\n(no-fill block and \\- escapes?)", ex)
		}
	}
	if strings.Contains(rendered, "‐") {
		t.Errorf("the rendered page has a typographic hyphen (U+2010), which a shell does not take")
	}
}

// The README's Homebrew line installs what the release publishes: a cask
// (homebrew_casks) needs --cask, a formula (brews) must not have it.
func TestReadmeInstallMatchesRelease(t *testing.T) {
	raw, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rel map[string]any
	if err := yaml.Unmarshal(raw, &rel); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^brew install .*$`).FindString(string(readme))
	_, cask := rel["homebrew_casks"]
	_, formula := rel["brews"]
	switch {
	case cask == formula:
		t.Fatalf(".goreleaser.yaml publishes cask=%v formula=%v", cask, formula)
	case cask && !strings.Contains(line, "--cask"):
		t.Errorf("the release publishes a cask; README says %q", line)
	case formula && strings.Contains(line, "--cask"):
		t.Errorf("the release publishes a formula; README says %q", line)
	}
}

// Usage errors exit 2 everywhere: an unknown shell, a man argument, an
// unknown profile, a format word given to --output.
func TestUsageErrorsExit2(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"completion", "tcsh"}, `completion "tcsh"`},
		{[]string{"completion"}, "completion needs a shell"},
		{[]string{"man", "extra"}, "man takes no argument"},
		{[]string{"--stack", "tc", "--region", "us-east-1", "--profile", "nosuch", "--mode", "socket", "--check"}, `AWS profile "nosuch" not found`},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--output", "json"}, "did you mean --json?"},
		{[]string{"status", "--region", "us-east-1", "--profile", "nosuch"}, `AWS profile "nosuch" not found`},
		{[]string{"status", "--want", "sideways"}, "--want"},
		{[]string{"status", "extra"}, "status takes no argument"},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--output", "YAML"}, "did you mean --json?"},
		{[]string{"--template", stackTemplate, "--mode", "socket", "--output", "text"}, "did you mean --json?"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.HasPrefix(errOut, "tcdind: ") || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

// A path with a directory or an extension is a path, even named json.
func TestOutputPathNamedLikeAFormat(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{filepath.Join(dir, "json"), filepath.Join(dir, "out.json"), filepath.Join(dir, "text.yaml")} {
		code, _, errOut := runCLI(t, "--template", stackTemplate, "--mode", "socket", "--output", p)
		if code != 0 {
			t.Errorf("--output %s: exit %d\n%s", p, code, errOut)
			continue
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("--output %s wrote nothing: %v", p, err)
		}
	}
}

// Counts said to people go through render.Count ("1 change", "12
// changes"), as CHANGELOG promises: no "change(s)" in any message.
func TestNoParenthesisedPluralInMessages(t *testing.T) {
	plural := regexp.MustCompile(`\w\(s\)`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (path == "internal" || path == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && plural.MatchString(v) {
					t.Errorf("%s: %q: count it with render.Count", path, v)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
