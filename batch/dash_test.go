package batch

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/report"
	"github.com/tcdind/tcdind/source"
)

// "-" is standard output in every combination, never a file of that name:
// one was written at the root of the repository (a template delivered
// with --json and --output -, then committed by mistake). With a JSON
// result standard output is the result's, so the template goes nowhere;
// without one it goes to standard output, --quiet (Err discarded) too.
func TestOutputDashIsNeverAFile(t *testing.T) {
	blog, err := os.ReadFile(filepath.Join("..", "testdata", "templates", "blog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for _, c := range []struct {
		name    string
		action  Action
		stdout  bool // the template is on standard output
		discard bool // --quiet: messages go nowhere
	}{
		{"--output -", Action{Output: source.Stdin}, true, false},
		{"--output - --quiet", Action{Output: source.Stdin}, true, true},
		{"--output - --json", Action{Output: source.Stdin, Report: report.New("output", "test")}, false, false},
		{"--output - --json --quiet", Action{Output: source.Stdin, Report: report.New("output", "test")}, false, true},
	} {
		res, err := Patch(blog, dind.DefaultOptions(dind.ModeSocket))
		if err != nil {
			t.Fatal(err)
		}
		var out, msgs bytes.Buffer
		s := Streams{Out: &out, Err: &msgs}
		if c.discard {
			s.Err, s.Say = &bytes.Buffer{}, &msgs
		}
		if err := Deliver(res, blog, "blog.yaml", "", dind.ModeSocket, c.action, s); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := os.Lstat(filepath.Join(dir, "-")); err == nil {
			t.Fatalf("%s wrote a file named -", c.name)
		}
		if got := bytes.Equal(out.Bytes(), res.Output); got != c.stdout {
			t.Errorf("%s: template on standard output = %v, want %v", c.name, got, c.stdout)
		}
		if c.action.Report != nil && c.action.Report.Output != nil {
			t.Errorf("%s: the JSON result says a template was written: %+v", c.name, c.action.Report.Output)
		}
	}
}
