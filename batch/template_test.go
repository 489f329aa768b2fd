package batch

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
)

// TestCheckSaysAlreadyInMode: a template in socket mode that lacks only the
// complete recipe's extras is reported as in socket mode, with the changes
// the complete recipe adds, by --check and --diff alike.
func TestCheckSaysAlreadyInMode(t *testing.T) {
	blog, err := os.ReadFile("../testdata/templates/blog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	socket := dind.DefaultOptions(dind.ModeSocket)
	minimal := socket
	minimal.Minimal = true
	res, err := dind.Apply(blog, minimal)
	if err != nil {
		t.Fatal(err)
	}
	inSocket := res.Output
	for _, a := range []Action{{Check: true}, {Diff: true}} {
		res, err := Patch(inSocket, socket)
		if err != nil {
			t.Fatal(err)
		}
		var out, msgs bytes.Buffer
		err = Deliver(res, inSocket, "t.yaml", "", dind.ModeSocket, a, Streams{Out: &out, Err: &msgs})
		if a.Check && !errors.Is(err, exitcode.ErrNeedsChange) {
			t.Errorf("--check: err = %v, want ErrNeedsChange", err)
		}
		want := "AgentTaskDefinition is in socket mode, but the recipe asked for needs 13 more changes:\n" // the 13th: the service's distinctInstance
		if !strings.HasPrefix(msgs.String(), want) || strings.Contains(msgs.String(), "not in socket mode") {
			t.Errorf("%+v: messages\n%s\nwant them to start %q", a, msgs.String(), want)
		}
		if !strings.Contains(msgs.String(), "add User: root") {
			t.Errorf("%+v: the changes are not listed:\n%s", a, msgs.String())
		}
	}

	// Not in the mode at all: said so.
	res, err = Patch(blog, socket)
	if err != nil {
		t.Fatal(err)
	}
	var msgs bytes.Buffer
	_ = Deliver(res, blog, "t.yaml", "", dind.ModeSocket, Action{Check: true}, Streams{Out: &bytes.Buffer{}, Err: &msgs})
	if !strings.HasPrefix(msgs.String(), "AgentTaskDefinition is not in socket mode; ") {
		t.Errorf("pristine template: messages\n%s", msgs.String())
	}
}

// --diff at a terminal is coloured like the review; elsewhere it is the
// plain unified diff a pipeline reads.
func TestDiffColouredAtATerminal(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	blog, err := os.ReadFile("../testdata/templates/blog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Patch(blog, dind.DefaultOptions(dind.ModeSocket))
	if err != nil {
		t.Fatal(err)
	}
	for _, color := range []bool{false, true} {
		var out, msgs bytes.Buffer
		if err := Deliver(res, blog, "t.yaml", "", dind.ModeSocket, Action{Diff: true, Color: color}, Streams{Out: &out, Err: &msgs}); err != nil {
			t.Fatal(err)
		}
		coloured := strings.Contains(out.String(), "\x1b[")
		if coloured != color {
			t.Errorf("Color %v: escapes in the diff %v:\n%q", color, coloured, out.String())
		}
		if plain := ansi.Strip(out.String()); !strings.Contains(plain, "+++ t.yaml (dind)") {
			t.Errorf("Color %v: not a unified diff:\n%s", color, plain)
		}
	}
}

// TestCheckMinimalOnCompleteSays: --check --minimal on a template in the
// complete socket mode needs one change, the removal of tcdind's
// distinctInstance: the line neither calls it "the complete recipe" nor an
// addition, and the count agrees in number.
func TestCheckMinimalOnCompleteSays(t *testing.T) {
	blog, err := os.ReadFile("../testdata/templates/blog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	complete, err := dind.Apply(blog, dind.DefaultOptions(dind.ModeSocket))
	if err != nil {
		t.Fatal(err)
	}
	minimal := dind.DefaultOptions(dind.ModeSocket)
	minimal.Minimal = true
	res, err := Patch(complete.Output, minimal)
	if err != nil {
		t.Fatal(err)
	}
	var msgs bytes.Buffer
	err = Deliver(res, complete.Output, "t.yaml", "", dind.ModeSocket, Action{Check: true}, Streams{Out: &bytes.Buffer{}, Err: &msgs})
	if !errors.Is(err, exitcode.ErrNeedsChange) {
		t.Errorf("err = %v, want ErrNeedsChange", err)
	}
	want := "AgentTaskDefinition is in socket mode, but the recipe asked for needs 1 more change:\n"
	if !strings.Contains(msgs.String(), want) {
		t.Errorf("messages\n%s\nwant them to start %q", msgs.String(), want)
	}
}
