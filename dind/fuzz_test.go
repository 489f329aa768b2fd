package dind_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tcdind/tcdind/dind"
)

// FuzzApply: whatever the input, Apply does not panic; when it returns a
// result, the output parses and applying the same options to it again is a
// byte-identical no-op.
func FuzzApply(f *testing.F) {
	var cases []dind.Options
	for _, m := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone} {
		o := dind.DefaultOptions(m)
		o.TaskDefinitions = []string{dind.AllTaskDefinitions}
		cases = append(cases, o, withMinimal(o))
	}
	sudo := dind.DefaultOptions(dind.ModePrivileged)
	sudo.SudoImage = true
	sudo.TaskDefinitions = []string{dind.AllTaskDefinitions}
	cases = append(cases, sudo)

	// Seeds: every fixture, two expected outputs, the newest corpus
	// template; each with every option set. The second argument selects the
	// options, so that one execution costs one Apply (plus the re-apply):
	// minimizing a 30 KB corpus input stays affordable.
	var seeds [][]byte
	ents, err := os.ReadDir(fixtureDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range ents {
		seeds = append(seeds, readFixture(f, e.Name()))
	}
	for _, name := range []string{"blog.socket-minimal.yaml", "json-2space.socket-minimal.json"} {
		seeds = append(seeds, readFile(f, filepath.Join("..", "testdata", "expected", name)))
	}
	dir := os.Getenv("TCDIND_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if src, err := os.ReadFile(filepath.Join(dir, "jetbrains", "teamcity-server@2021-01-12-b923207.yaml")); err == nil {
		seeds = append(seeds, src)
	} else if requireCI() {
		f.Fatalf("corpus template missing under CI: %v", err)
	}
	for _, s := range seeds {
		for i := range cases {
			f.Add(s, uint8(i))
		}
	}

	f.Fuzz(func(t *testing.T, src []byte, sel uint8) {
		opts := cases[int(sel)%len(cases)]
		orig := bytes.Clone(src)
		res, err := applyWithin(t, src, opts)
		if !bytes.Equal(src, orig) {
			t.Fatalf("%s: Apply modified its input", opts.Mode)
		}
		if err != nil {
			if res != nil {
				t.Errorf("%s: a result together with the error %v", opts.Mode, err)
			}
			return
		}
		if res.Changed != !bytes.Equal(res.Output, src) {
			t.Errorf("%s minimal=%v: Changed %v, output equal to input %v", opts.Mode, opts.Minimal, res.Changed, bytes.Equal(res.Output, src))
		}
		if _, err := parseNode(res.Output); err != nil {
			t.Fatalf("%s minimal=%v: output does not parse: %v\ninput:\n%q\noutput:\n%q", opts.Mode, opts.Minimal, err, src, res.Output)
		}
		again, err := applyWithin(t, res.Output, opts)
		if err != nil {
			// The output may grow past MaxTemplateSize; anything else is a bug.
			if len(res.Output) <= dind.MaxTemplateSize {
				t.Fatalf("%s minimal=%v: applying to the output fails: %v\ninput:\n%q\noutput:\n%q", opts.Mode, opts.Minimal, err, src, res.Output)
			}
			return
		}
		if again.Changed || !bytes.Equal(again.Output, res.Output) {
			t.Fatalf("%s minimal=%v: applying again is not a no-op\ninput:\n%q\n%s", opts.Mode, opts.Minimal, src, lineDiff(res.Output, again.Output))
		}
	})
}

// applyWithin fails the test when Apply does not return within a generous
// time (the fuzzer itself never reports a hang).
func applyWithin(t *testing.T, src []byte, opts dind.Options) (*dind.Result, error) {
	t.Helper()
	type result struct {
		res *dind.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := dind.Apply(src, opts)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(applyTimeout):
		t.Fatalf("%s minimal=%v: Apply did not return within %v on input\n%q", opts.Mode, opts.Minimal, applyTimeout, src)
		return nil, nil
	}
}

const applyTimeout = 10 * time.Second
