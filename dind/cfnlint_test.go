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

	// cfn-lint is CPU-bound and starts slowly: the templates are split into
	// two groups per CPU, each linted (inputs and outputs) in one
	// invocation, as many invocations at a time as there are CPUs.
	var jobs []lintJob
	dir := t.TempDir()
	for i, path := range files {
		base := strings.TrimSuffix(filepath.Base(path), ".yaml")
		src := readFile(t, path)
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		job := lintJob{base: base, input: filepath.Join(sub, "input.yaml"), names: map[string]string{}}
		if err := os.WriteFile(job.input, src, 0o644); err != nil {
			t.Fatal(err)
		}
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
			job.outputs = append(job.outputs, f)
			job.names[f] = o.name
		}
		jobs = append(jobs, job)
	}
	cpus := max(1, runtime.NumCPU())
	groups := make([][]lintJob, min(len(jobs), 2*cpus))
	for i, j := range jobs {
		groups[i%len(groups)] = append(groups[i%len(groups)], j)
	}
	sem := make(chan struct{}, cpus)
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			lintGroup(t, bin, g)
		}()
	}
	wg.Wait()
}

// lintJob is one corpus template: its input and the outputs to compare.
type lintJob struct {
	base    string
	input   string
	outputs []string
	names   map[string]string // output file -> recipe
}

func lintGroup(t *testing.T, bin string, jobs []lintJob) {
	// Runs in its own goroutine: report with Errorf, never Fatal.
	args := []string{"--format", "json", "--"}
	for _, j := range jobs {
		args = append(args, j.input)
		args = append(args, j.outputs...)
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var findings []cfnLintFinding
	if err := json.Unmarshal(stdout.Bytes(), &findings); err != nil {
		t.Errorf("cfn-lint %v: %v (report: %v)\nstderr: %s", args, runErr, err, stderr.Bytes())
		return
	}
	byFile := map[string][]cfnLintFinding{}
	for _, f := range findings {
		if strings.HasPrefix(f.Rule.Id, "E") {
			byFile[f.Filename] = append(byFile[f.Filename], f)
		}
	}
	for _, j := range jobs {
		had := map[string]bool{}
		for _, f := range byFile[j.input] {
			had[f.key()] = true
		}
		for _, out := range j.outputs {
			var added []string
			for _, f := range byFile[out] {
				if !had[f.key()] {
					added = append(added, f.String())
				}
			}
			sort.Strings(added)
			if len(added) > 0 {
				t.Errorf("%s %s: cfn-lint errors the input did not have:\n  %s", j.base, j.names[out], strings.Join(added, "\n  "))
			}
		}
	}
}
