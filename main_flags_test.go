package main

import (
	"strings"
	"testing"
)

// The flag-exclusion messages come from one helper, and say the same as
// before.
func TestExclusiveFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--template", "t.yaml", "--mode", "socket", "--diff", "--check"}, "tcdind: --output, --in-place, --diff and --check exclude each other: pass one\n"},
		{[]string{"--template", "t.yaml", "--stack", "tc", "--mode", "socket"}, "tcdind: --template and --stack exclude each other: pass one\n"},
		{[]string{"--stack", "tc", "--mode", "socket", "--apply", "--diff"}, "tcdind: --apply excludes --output, --diff and --check: see the change with --diff first, then --apply\n"},
		{[]string{"--template", "t.yaml", "--mode", "privileged", "--minimal", "--sudo-image"}, "tcdind: --minimal and --sudo-image exclude each other: the -sudo tag is part of the complete recipe\n"},
		// "--execute=" gives no name (TestExecuteNameLeftOut: "--execute --yes").
		{[]string{"--stack", "tc", "--region", "eu-west-1", "--execute="}, "tcdind: --execute with no name: give the change set's name or ARN after --execute (tcdind --stack tc --apply --no-execute prints it)\n"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 2 || errOut != c.want {
			t.Errorf("%s: exit %d, %q; want 2, %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
	if err := exclusive("x", flag{"a", true}, flag{"b", false}, flag{"c", false}); err != nil {
		t.Errorf("one flag of three refused: %v", err)
	}
	if got := names([]flag{{name: "a"}, {name: "b"}, {name: "c"}}); got != "--a, --b and --c" {
		t.Errorf("names %q", got)
	}
}

// TestExecuteNameLeftOut: "--execute --yes" (the name left out) takes --yes
// as the name; it is a usage error that says to give the name, before any
// AWS call, and --execute without --yes names --execute, not --apply
// (review2).
func TestExecuteNameLeftOut(t *testing.T) {
	code, _, errOut := runCLI(t, "--stack", "tc", "--region", "eu-west-1", "--execute", "--yes")
	if want := "tcdind: --execute --yes: give the change set's name or ARN after --execute (tcdind --stack tc --apply --no-execute prints it)\n"; code != 2 || errOut != want {
		t.Errorf("exit %d, %q; want 2, %q", code, errOut, want)
	}
	code, _, errOut = runCLI(t, "--stack", "tc", "--region", "eu-west-1", "--execute", "tcdind-socket-20261206-050000-1a2b3c4d")
	if want := "tcdind: --execute without a terminal needs --yes to execute change set tcdind-socket-20261206-050000-1a2b3c4d\n"; code != 2 || errOut != want {
		t.Errorf("exit %d, %q; want 2, %q", code, errOut, want)
	}
}
