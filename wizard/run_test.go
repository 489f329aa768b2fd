package wizard

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/source"
)

// A whole run by keys, from the first question to the saved file.
func TestRunFromScratchSocket(t *testing.T) {
	out := filepath.Join(t.TempDir(), "patched.yaml")
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.typeText("testdata/one.yaml")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEnter) // socket
	r.waitFor("Which recipe for socket mode?")
	r.key(tea.KeyEnter) // complete
	r.waitFor("Press enter to choose where to save")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	r.key(tea.KeyCtrlU)
	r.typeText(out)
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	r.key(tea.KeyEnter)
	m := r.finished()
	if m.Written() != out || m.Interrupted() {
		t.Fatalf("written %q, interrupted %v", m.Written(), m.Interrupted())
	}
	assertFile(t, out, want(t, "one.yaml", dind.DefaultOptions(dind.ModeSocket)))
}

// JetBrains' template is the default; two task definitions, "all", the
// privileged minimal recipe, and esc on the way keeps the answers.
func TestRunJetBrainsDefaultAllPrivilegedMinimal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "all.yaml")
	r := start(t, Config{Template: "testdata/two.yaml"}, termW, termH)
	r.waitFor("Which agent task definition?")
	r.key(tea.KeyDown)
	r.runes("x") // the second too: both
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown) // privileged
	r.waitFor("Privileged mode gives")
	r.key(tea.KeyEsc) // back to the task definition: the answer is kept
	r.waitFor("Which agent task definition?")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEnter) // privileged is still highlighted
	r.waitFor("Which recipe for privileged mode?")
	r.keys(tea.KeyDown, tea.KeyDown) // minimal
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to choose where to save")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	r.key(tea.KeyCtrlU)
	r.typeText(out)
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	m := r.final()
	if m.Written() != out {
		t.Fatalf("written %q", m.Written())
	}
	assertFile(t, out, want(t, "two.yaml", dind.Options{
		Mode: dind.ModePrivileged, Minimal: true, BuildDirs: true,
		TaskDefinitions: []string{dind.AllTaskDefinitions},
	}))
}

// The empty template answer downloads JetBrains' template.
func TestRunJetBrainsTemplate(t *testing.T) {
	r := start(t, Config{Load: jetbrainsLoad, Mode: dind.ModeSocket}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to choose where to save")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	m := r.final()
	if m.a.src.Name != source.JetBrainsTemplateURL {
		t.Fatalf("loaded %q", m.a.src.Name)
	}
	if m.a.output != "teamcity-server.dind.yaml" {
		t.Fatalf("proposed %q, want teamcity-server.dind.yaml", m.a.output)
	}
}

// Answering "yes" to the overwrite question replaces the file.
func TestRunOverwrite(t *testing.T) {
	out := takenFile(t, 0o600)
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModePrivileged, Minimal: true, RecipeGiven: true}, termW, termH)
	r.waitFor("Press enter to choose where to save")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	r.key(tea.KeyCtrlU)
	r.typeText(out)
	r.key(tea.KeyEnter)
	r.waitFor("Replace it?")
	r.key(tea.KeyEnter) // no: back to the name
	r.waitFor("Save the patched template as")
	r.key(tea.KeyEnter)
	r.waitFor("Replace it?")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	r.final()
	assertFile(t, out, want(t, "one.yaml", dind.Options{Mode: dind.ModePrivileged, Minimal: true}))
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the replaced file's mode is not kept: %v %v", info.Mode(), err)
	}
}

// From an error screen, esc goes back with the answer kept.
func TestRunErrorBack(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.typeText("testdata/missing.yaml")
	r.key(tea.KeyEnter)
	r.waitFor("no such file")
	r.key(tea.KeyEsc)
	r.waitFor("Template file or https URL")
	r.key(tea.KeyCtrlU)
	r.typeText("testdata/one.yaml")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	m := r.final()
	if m.err != nil || m.step != stepMode {
		t.Fatalf("step %s, error %+v", m.step, m.err)
	}
}

// ctrl+c on the review writes nothing and is an interruption.
func TestRunCtrlCWritesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.yaml")
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModeSocket, Output: out}, termW, termH)
	r.waitFor("Press enter to write")
	r.key(tea.KeyCtrlC)
	m := r.finished()
	if !m.Interrupted() || m.Written() != "" {
		t.Fatalf("interrupted %v, written %q", m.Interrupted(), m.Written())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists after ctrl+c", out)
	}
}

// Run maps ctrl+c to exit status 130, and writes nothing.
func TestRunExitStatusOnCtrlC(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.yaml")
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), Config{
		Template: "testdata/one.yaml", Mode: dind.ModeSocket, Output: out, Load: offlineLoad, NoColor: true,
	}, Streams{In: strings.NewReader("\x03"), Out: &stdout, Err: &stderr})
	if code := exitcode.Code(err); code != exitcode.Interrupted {
		t.Fatalf("exit status %d (%v), want 130", code, err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists after ctrl+c", out)
	}
}

// Accessible mode asks the same questions as plain line prompts.
func TestAccessible(t *testing.T) {
	out := filepath.Join(t.TempDir(), "acc.yaml")
	answers := strings.Join([]string{
		"1",                 // a template file or URL
		"testdata/two.yaml", // the template
		"3",                 // all task definitions
		"2",                 // privileged
		"",                  // the default: the complete recipe with the -sudo image (recommended: the 2024.12 tag cannot start Docker)
		"n",                 // no diff
		"",                  // choose where to save, the default
		out,                 // save as
	}, "\n") + "\n"
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), Config{Accessible: true, Load: offlineLoad},
		Streams{In: strings.NewReader(answers), Out: &stdout, Err: &stderr})
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	text := stdout.String()
	for _, s := range []string{
		"Where is the TeamCity stack's template?",
		"Which agent task definition?",
		"Which Docker-in-Docker mode?",
		"Which recipe for privileged mode?",
		"gets root on the EC2 host",
		"Save the patched template as",
		"Saved " + out,
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the prompts lack %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Error("accessible output has escape sequences")
	}
	assertFile(t, out, want(t, "two.yaml", dind.Options{
		Mode: dind.ModePrivileged, BuildDirs: true, HealthCheck: true, SudoImage: true, TaskDefinitions: []string{dind.AllTaskDefinitions},
	}))
}

// Input ending before the last answer writes nothing and is an interruption.
func TestAccessibleInputEnds(t *testing.T) {
	out := filepath.Join(t.TempDir(), "acc.yaml")
	var stdout bytes.Buffer
	err := Run(context.Background(), Config{Accessible: true, Load: offlineLoad, Template: "testdata/one.yaml", Output: out},
		Streams{In: strings.NewReader("1\n"), Out: &stdout, Err: &stdout})
	if exitcode.Code(err) != exitcode.Interrupted {
		t.Fatalf("err %v, want an interruption", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("written without the last answer")
	}
}

// takenFile is an existing output file the wizard must ask before replacing.
func takenFile(t *testing.T, mode os.FileMode) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "taken.yaml")
	if err := os.WriteFile(out, []byte("old\n"), mode); err != nil {
		t.Fatal(err)
	}
	return out
}
