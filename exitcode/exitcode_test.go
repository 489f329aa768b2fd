package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, OK},
		{errors.New("boom"), Failure},
		{UsageError("bad %s", "flag"), Usage},
		{fmt.Errorf("run: %w", ErrNeedsChange), NeedsChange},
		{fmt.Errorf("wrapped twice: %w", fmt.Errorf("once: %w", ErrInterrupted)), Interrupted},
		{WithCode(Usage, errors.New("x")), Usage},
	} {
		if got := Code(tc.err); got != tc.want {
			t.Errorf("Code(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if WithCode(Usage, nil) != nil {
		t.Error("WithCode(code, nil) is not nil")
	}
}

func TestMeaning(t *testing.T) {
	for code, want := range map[int]string{0: "done", 1: "failure", 2: "usage", 3: "change needed", 4: "not known yet", 130: "interrupted by signal interrupt", 143: "interrupted by signal terminated", 129: "interrupted by signal hangup"} {
		if got := Meaning(code); got != want {
			t.Errorf("Meaning(%d) = %q, want %q", code, got, want)
		}
	}
}
