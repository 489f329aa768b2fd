package dind_test

// cfn-lint must find no error in an output that it did not find in the
// input. The corpus templates are old and have errors of their own (a
// deprecated Lambda runtime, an old MySQL version): compare, don't require
// zero.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcdind/tcdind/dind"
)

// cfnLintFinding is the part of cfn-lint's JSON output the test uses.
type cfnLintFinding struct {
	Filename string
	Level    string
	Message  string
	Rule     struct{ Id string }
	Location struct {
		Start struct{ LineNumber, ColumnNumber int }
		Path  []any
	}
}

// key identifies an error independently of line numbers: rule and path.
func (f cfnLintFinding) key() string {
	parts := make([]string, len(f.Location.Path))
	for i, p := range f.Location.Path {
		parts[i] = fmt.Sprint(p)
	}
	return f.Rule.Id + " " + strings.Join(parts, "/")
}

func (f cfnLintFinding) String() string {
	return fmt.Sprintf("%s line %d: %s", f.key(), f.Location.Start.LineNumber, f.Message)
}

func cfnLintPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("cfn-lint")
	if err != nil {
		if requireCI() {
			t.Fatalf("cfn-lint is not installed (CI needs it): %v", err)
		}
		t.Skipf("cfn-lint not installed: %v", err)
	}
	return path
}

func TestCfnLintAddsNoErrors(t *testing.T) {
	bin := cfnLintPath(t)
	files := corpusFiles(t)
	start := time.Now()
	defer func() { t.Logf("cfn-lint over %d templates took %v", len(files), time.Since(start)) }()

	// cfn-lint costs ~3.5 s of CPU to start and ~1.7 s per template: lint
	// the complete recipes (each a superset of its minimal one) and a mode
	// switch (removals next to additions), 4 files per corpus template.
	outputs := []struct {
		name  string
		steps []dind.Options
	}{
		{"socket", []dind.Options{dind.DefaultOptions(dind.ModeSocket)}},
		{"privileged", []dind.Options{dind.DefaultOptions(dind.ModePrivileged)}},
		{"socket-then-privileged", []dind.Options{dind.DefaultOptions(dind.ModeSocket), dind.DefaultOptions(dind.ModePrivileged)}},
	}

	// cfn-lint is CPU-bound and starts slowly (~3 s): one invocation per
	// corpus template (its input and all its outputs), as many at a time as
	// there are CPUs.
	sem := make(chan struct{}, max(1, runtime.NumCPU()))
	var wg sync.WaitGroup
	dir := t.TempDir()
	for i, path := range files {
		base := strings.TrimSuffix(filepath.Base(path), ".yaml")
		src := readFile(t, path)
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		input := filepath.Join(sub, "input.yaml")
		if err := os.WriteFile(input, src, 0o644); err != nil {
			t.Fatal(err)
		}
		batch := []string{input}
		names := map[string]string{}
		for _, o := range outputs {
			cur := src
			for _, step := range o.steps {
				res, err := dind.Apply(cur, step)
				if err != nil {
					t.Errorf("%s %s: Apply: %v", base, o.name, err)
					cur = nil
					break
				}
				cur = res.Output
			}
			if cur == nil {
				continue
			}
			f := filepath.Join(sub, o.name+".yaml")
			if err := os.WriteFile(f, cur, 0o644); err != nil {
				t.Fatal(err)
			}
			batch = append(batch, f)
			names[f] = o.name
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			lintOne(t, bin, base, input, batch, names)
		}()
	}
	wg.Wait()
}

func lintOne(t *testing.T, bin, base, input string, batch []string, names map[string]string) {
	// t.Fatal must not be called from this goroutine: report with Errorf.
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", base, r)
		}
	}()
	cmd := exec.Command(bin, append([]string{"--format", "json", "--"}, batch...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var findings []cfnLintFinding
	if err := json.Unmarshal(stdout.Bytes(), &findings); err != nil {
		t.Errorf("%s: cfn-lint: %v (report: %v)\nstderr: %s", base, runErr, err, stderr.Bytes())
		return
	}
	byFile := map[string][]cfnLintFinding{}
	for _, f := range findings {
		if strings.HasPrefix(f.Rule.Id, "E") {
			byFile[f.Filename] = append(byFile[f.Filename], f)
		}
	}
	had := map[string]bool{}
	for _, f := range byFile[input] {
		had[f.key()] = true
	}
	for _, out := range batch[1:] {
		var added []string
		for _, f := range byFile[out] {
			if !had[f.key()] {
				added = append(added, f.String())
			}
		}
		sort.Strings(added)
		if len(added) > 0 {
			t.Errorf("%s %s: cfn-lint errors the input did not have:\n  %s", base, names[out], strings.Join(added, "\n  "))
		}
	}
}
