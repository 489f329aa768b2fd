package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/batch"
)

// Without a terminal the wizard never runs, whatever the flags.
func TestWizardNeedsATerminal(t *testing.T) {
	s := batch.Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	for _, o := range []options{{}, {template: "t.yaml"}, {accessible: true}} {
		if o.wantsWizard(s) {
			t.Errorf("%+v: the wizard would run without a terminal", o)
		}
	}
}

func TestEnvTrue(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "no": false, "1": true, "yes": true, "true": true} {
		t.Setenv("TCDIND_TEST_ENV", v)
		if got := envTrue("TCDIND_TEST_ENV"); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}
