package wizard

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/source"
)

// Snapshots are plain text: no colour, a fixed terminal size, no timers.
// Regenerate them with: go test ./wizard/ -update
func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

const (
	termW = 90
	termH = 36
)

// offlineLoad is a loader for the tests: files as usual, and every URL
// fails the way a download does without a network.
func offlineLoad(ctx context.Context, arg string) (*source.Template, error) {
	if source.IsURL(arg) {
		return nil, &source.DownloadError{URL: arg, Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "s3.amazonaws.com"}}}
	}
	return source.Load(ctx, arg, strings.NewReader(""))
}

// jetbrainsLoad serves testdata/one.yaml as JetBrains' published template.
func jetbrainsLoad(ctx context.Context, arg string) (*source.Template, error) {
	if arg == source.JetBrainsTemplateURL {
		data, err := os.ReadFile("testdata/one.yaml")
		return &source.Template{Bytes: data, Name: arg}, err
	}
	return offlineLoad(ctx, arg)
}

type run struct {
	t  *testing.T
	tm *teatest.TestModel
}

func start(t *testing.T, cfg Config, w, h int) *run {
	t.Helper()
	if cfg.Load == nil {
		cfg.Load = offlineLoad
	}
	m := New(context.Background(), cfg)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	// Last: no command the wizard started outlives the test.
	t.Cleanup(func() { _ = m.Close() })
	t.Cleanup(func() { _ = tm.Quit() })
	return &run{t: t, tm: tm}
}

// screen is what the model shows now, read inside the program's loop:
// every message sent before has been handled.
func (r *run) screen() string {
	ch := make(chan string, 1)
	r.tm.Send(peekMsg(func(m *Model) { ch <- m.View() }))
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		r.t.Fatal("the program does not answer")
		return ""
	}
}

// waitUntil waits until the screen satisfies ok; a load or a download
// finishes in its own time.
func (r *run) waitUntil(ok func(screen string) bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.screen()
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the screen never got there; it shows:\n%s", s)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitFor waits until the screen shows text.
func (r *run) waitFor(text string) {
	r.t.Helper()
	r.waitUntil(func(s string) bool { return strings.Contains(s, text) })
}

func (r *run) key(k tea.KeyType) { r.tm.Send(tea.KeyMsg{Type: k}) }

func (r *run) keys(ks ...tea.KeyType) {
	for _, k := range ks {
		r.key(k)
	}
}

func (r *run) runes(s string) { r.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

// typeText types s one key at a time, as a person would.
func (r *run) typeText(s string) {
	for _, c := range s {
		r.runes(string(c))
	}
}

// final quits and returns the model as it was on screen.
func (r *run) final() *Model {
	r.t.Helper()
	if err := r.tm.Quit(); err != nil {
		r.t.Fatal(err)
	}
	return r.tm.FinalModel(r.t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
}

// goldenSizes are the terminal sizes every screen's golden shows: a split
// pane or a laptop terminal, the classic terminal, a large window.
var goldenSizes = [][2]int{{60, 20}, {80, 24}, {120, 40}}

// snapshot compares the screen, laid out at each golden size, with
// testdata/<TestName>.golden; at each size the screen must keep its
// question and its keys in view (the layout rule).
func (r *run) snapshot() *Model {
	r.t.Helper()
	m := r.final()
	w0, h0 := m.width, m.height
	var out strings.Builder
	for _, size := range goldenSizes {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		view := m.View()
		assertLaidOut(r.t, m, view, size[0], size[1])
		fmt.Fprintf(&out, "──── %d×%d ────\n%s\n", size[0], size[1], view)
	}
	teatest.RequireEqualOutput(r.t, []byte(out.String()))
	m.Update(tea.WindowSizeMsg{Width: w0, Height: h0})
	return m
}

// assertLaidOut checks the layout rule on a screen drawn in w×h: no taller
// or wider than the terminal, every key hint in view, and the question
// (the form) shown whole.
func assertLaidOut(t *testing.T, m *Model, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%d×%d: the screen is %d lines tall", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%d×%d: line %d is %d wide: %q", w, h, i, lw, l)
		}
	}
	flat := strings.Join(strings.Fields(view), " ")
	for _, hn := range m.hints() {
		if !strings.Contains(flat, strings.Join(strings.Fields(hn.key+" "+hn.action), " ")) {
			t.Errorf("%d×%d: the key hint %q %q is not in view:\n%s", w, h, hn.key, hn.action, view)
		}
	}
	if m.form != nil && !m.help && m.err == nil {
		for _, l := range strings.Split(m.formBody(), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.Contains(view, l) {
				t.Errorf("%d×%d: the question's line %q is not in view:\n%s", w, h, l, view)
			}
		}
	}
}

// finished waits for the program to end by itself.
func (r *run) finished() *Model {
	r.t.Helper()
	return r.tm.FinalModel(r.t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// want is what batch mode would write for the same answers.
func want(t *testing.T, name string, opts dind.Options) []byte {
	t.Helper()
	res, err := dind.Apply(fixture(t, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed {
		t.Fatalf("%s: %s changes nothing", name, opts.Mode)
	}
	return res.Output
}

func assertFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("nothing written: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the engine's output:\n%s", path, got)
	}
}

// --- Screens ---------------------------------------------------------------

func TestScreenSource(t *testing.T) {
	r := start(t, Config{Region: "eu-west-1"}, termW, termH)
	r.waitFor("A template file or URL")
	r.snapshot()
}

func TestScreenHelp(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.runes("?")
	r.waitFor("this help")
	m := r.snapshot()
	if !m.help {
		t.Fatal("? did not open the help")
	}
}

func TestScreenTemplate(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.snapshot()
}

func TestScreenErrorMissingFile(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.typeText("testdata/missing.yaml")
	r.key(tea.KeyEnter)
	r.waitFor("no such file")
	r.snapshot()
}

func TestScreenErrorDownload(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.key(tea.KeyEnter) // empty: JetBrains' template, and the tests are offline
	r.waitFor("Offline?")
	r.snapshot()
}

func TestScreenErrorNoAgent(t *testing.T) {
	r := start(t, Config{Template: "testdata/notemplate.yaml"}, termW, termH)
	r.waitFor("No TeamCity build agent")
	m := r.final()
	if m.err == nil || m.err.back != stepTemplate {
		t.Fatalf("want an error screen leading back to the template, got %+v", m.err)
	}
}

func TestScreenTaskDefinition(t *testing.T) {
	r := start(t, Config{Template: "testdata/two.yaml"}, termW, termH)
	r.waitFor("Which agent task definition?")
	r.snapshot()
}

func TestScreenModeSocket(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	m := r.snapshot()
	if m.a.mode != dind.ModeSocket {
		t.Fatalf("highlighted %s, want socket", m.a.mode)
	}
}

func TestScreenModePrivileged(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown)
	r.waitFor("Privileged mode gives")
	r.snapshot()
}

func TestScreenModeNone(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.keys(tea.KeyDown, tea.KeyDown)
	r.waitFor("No Docker for builds")
	r.snapshot()
}

// Wide terminals put the note beside the question.
func TestScreenModeWide(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, 130, 30)
	r.waitFor("Which Docker-in-Docker mode?")
	r.snapshot()
}

// Narrow and short terminals shorten the note rather than cut the question.
func TestScreenModeNarrow(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, 70, 20)
	r.waitFor("Which Docker-in-Docker mode?")
	m := r.snapshot()
	if h := lipgloss.Height(m.View()); h > 20 {
		t.Fatalf("the screen is %d lines on a 20-line terminal", h)
	}
}

func TestScreenOptions(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml"}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for socket mode?")
	r.snapshot()
}

func TestScreenReview(t *testing.T) {
	out := "testdata/review.dind.yaml"
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModePrivileged, SudoImage: true, Output: out}, termW, termH)
	r.waitFor("Press enter to write")
	m := r.snapshot()
	if m.step != stepReview {
		t.Fatalf("with every answer given the wizard opens on %s, want the review", m.step)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("written before enter on the review")
	}
}

func TestScreenReviewScrolled(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModeSocket, Output: "unused.yaml"}, termW, termH)
	r.waitFor("Press enter to write")
	r.key(tea.KeyPgDown)
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "scroll (0%)") })
	r.snapshot()
}

func TestScreenSave(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModeSocket}, termW, termH)
	r.waitFor("Press enter to choose where to save")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	m := r.snapshot()
	if m.a.output != "testdata/one.dind.yaml" {
		t.Fatalf("proposed %q, want testdata/one.dind.yaml", m.a.output)
	}
}

func TestScreenOverwrite(t *testing.T) {
	out := takenFile(t, 0o644)
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModeSocket}, termW, termH)
	r.waitFor("Press enter to choose where to save")
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	// A relative name keeps the temporary directory out of the snapshot.
	back := chdir(t, filepath.Dir(out))
	r.key(tea.KeyCtrlU)
	r.typeText("taken.yaml")
	r.key(tea.KeyEnter)
	r.waitFor("Replace it?")
	back()
	r.snapshot()
	if got, _ := os.ReadFile(out); string(got) != "old\n" {
		t.Fatal("the file was replaced before the answer")
	}
}

func TestScreenDone(t *testing.T) {
	dir := t.TempDir()
	wantOut := want(t, "one.yaml", dind.DefaultOptions(dind.ModeSocket))
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModeSocket, Output: "done.dind.yaml"}, termW, termH)
	r.waitFor("Press enter to write")
	// Save to a fixed relative name for the snapshot, in a temporary directory.
	back := chdir(t, dir)
	r.key(tea.KeyEnter)
	r.waitFor("Saved done.dind.yaml")
	back()
	r.snapshot()
	assertFile(t, filepath.Join(dir, "done.dind.yaml"), wantOut)
}

// chdir changes the working directory until the returned function (or the
// end of the test) changes it back; snapshots are read relative to it.
func chdir(t *testing.T, dir string) (back func()) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	back = func() { _ = os.Chdir(wd) }
	t.Cleanup(back)
	return back
}

// Resizing re-lays out the screen: the review at 70x20.
func TestScreenReviewResized(t *testing.T) {
	r := start(t, Config{Template: "testdata/one.yaml", Mode: dind.ModeSocket, Output: "unused.yaml"}, termW, termH)
	r.waitFor("Press enter to write")
	r.tm.Send(tea.WindowSizeMsg{Width: 70, Height: 20})
	r.waitUntil(func(s string) bool { return lipgloss.Width(s) <= 70 })
	m := r.snapshot()
	if h, w := lipgloss.Height(m.View()), lipgloss.Width(m.View()); h > 20 || w > 70 {
		t.Fatalf("the screen is %dx%d on a 70x20 terminal", w, h)
	}
}

// A template already in the mode: nothing to write, and enter finishes.
func TestScreenNothingToChange(t *testing.T) {
	r := start(t, Config{
		Template: "testdata/two.yaml", TaskDefinitions: []string{"BigAgentTaskDefinition"},
		Mode: dind.ModePrivileged, Minimal: true, RecipeGiven: true,
	}, termW, termH)
	r.waitFor("nothing to change")
	r.snapshot()
}

// Nothing to change: one enter leaves, and the summary says so.
func TestNothingToChangeOneEnter(t *testing.T) {
	r := start(t, Config{
		Template: "testdata/two.yaml", TaskDefinitions: []string{"BigAgentTaskDefinition"},
		Mode: dind.ModePrivileged, Minimal: true, RecipeGiven: true,
	}, termW, termH)
	r.waitFor("nothing to change")
	r.key(tea.KeyEnter)
	m := r.finished()
	if m.Written() != "" || m.Interrupted() || !m.out.finished || m.Outcome() != nil {
		t.Fatalf("written %q, interrupted %v, finished %v, outcome %v", m.Written(), m.Interrupted(), m.out.finished, m.Outcome())
	}
	if s := m.Summary(); !strings.Contains(s, "nothing written: BigAgentTaskDefinition is already in privileged mode.") {
		t.Errorf("summary %q", s)
	}
}

// Several agent task definitions: a choice of several, x or space
// choosing; the second alone is answered as such.
func TestTaskDefinitionsChooseSeveral(t *testing.T) {
	r := start(t, Config{Template: "testdata/two.yaml"}, termW, termH)
	r.waitFor("Choose one or more")
	r.key(tea.KeyDown)
	r.runes("x") // Big too
	r.key(tea.KeyUp)
	r.runes("x") // not Linux
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	m := r.final()
	if ids := m.a.taskDefIDs(); len(ids) != 1 || ids[0] != "BigAgentTaskDefinition" {
		t.Errorf("chosen %v, want BigAgentTaskDefinition", ids)
	}
}

// A template tcdind refuses (Fargate) is an error screen right after
// loading, before any question.
func TestScreenErrorRefused(t *testing.T) {
	r := start(t, Config{Template: "testdata/fargate.yaml"}, termW, termH)
	r.waitFor("will not edit")
	m := r.snapshot()
	if m.err == nil || m.err.back != stepTemplate {
		t.Fatalf("want an error leading back to the template, got %+v", m.err)
	}
}

// The recipe's help names the flags of the mode's own recipe: no
// --sudo-image in socket mode, no --build-dirs in privileged mode.
func TestRecipeHelpFlagsOfTheMode(t *testing.T) {
	for downs, c := range []struct{ has, lacks string }{
		{"--build-dirs", "--sudo-image"}, // socket
		{"--sudo-image", "--build-dirs"}, // privileged
	} {
		mode := []string{"socket", "privileged"}[downs]
		r := start(t, Config{Template: "testdata/one.yaml"}, 120, 40)
		r.waitFor("Which Docker-in-Docker mode?")
		for range downs {
			r.key(tea.KeyDown)
		}
		r.key(tea.KeyEnter)
		r.waitFor("Which recipe")
		r.runes("?")
		r.waitFor("This step")
		s := r.screen()
		if !strings.Contains(s, c.has) || strings.Contains(s, c.lacks) {
			t.Errorf("%s: the help lacks %s or names %s:\n%s", mode, c.has, c.lacks, s)
		}
		r.final()
	}
}
