package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
)

// checkApplicable refuses flags that mean nothing with the others given: a
// flag that is silently ignored lets a script believe it did something.
func (o *options) checkApplicable(cmd *cobra.Command, mode dind.Mode) error {
	changed := cmd.Flags().Changed
	switch mode {
	case dind.ModeSocket, dind.ModeNone:
		if o.sudoImage {
			return exitcode.UsageError("--sudo-image goes with --mode privileged: the -sudo image tag is what lets the agent start its own Docker daemon")
		}
		if o.agentVersion != "" {
			return exitcode.UsageError("--agent-version goes with --mode privileged: it pins the agent's -sudo image tag, which only privileged mode needs")
		}
	}
	switch mode {
	case dind.ModePrivileged, dind.ModeNone:
		if changed("build-dirs") {
			return exitcode.UsageError("--build-dirs goes with --mode socket: only socket mode mirrors the build directories")
		}
	}
	if changed("health-check") && (mode == dind.ModeNone || o.minimal) {
		return exitcode.UsageError("--health-check goes with the complete recipe of --mode socket or privileged: none removes tcdind's health check, and minimal adds none")
	}
	if mode == dind.ModeNone && o.minimal {
		return exitcode.UsageError("--minimal goes with --mode socket or privileged: none removes what either mode added")
	}
	if err := exclusive("the -sudo tag is part of the complete recipe", flag{"minimal", o.minimal}, flag{"sudo-image", o.sudoImage}); err != nil {
		return err
	}
	if err := exclusive("the -sudo tag is part of the complete recipe", flag{"minimal", o.minimal}, flag{"agent-version", o.agentVersion != ""}); err != nil {
		return err
	}
	if o.stack == "" {
		for _, name := range []string{"yes", "s3-bucket", "allow-other-changes", "on-rollout-failure", "no-execute", "execute"} {
			if changed(name) {
				if name == "execute" { // it executes a kept change set: --apply makes one
					return exitcode.UsageError("--execute goes with --stack NAME: a template file is not deployed")
				}
				return exitcode.UsageError("--%s goes with --stack NAME --apply: a template file is not deployed", name)
			}
		}
		return nil
	}
	if changed("execute") && (o.execute == "" || strings.HasPrefix(o.execute, "-")) {
		// "--execute --yes" with the name left out takes --yes as the
		// name; "--execute=" gives none.
		given := "--execute " + o.execute
		if o.execute == "" {
			given = "--execute with no name"
		}
		return exitcode.UsageError("%s: give the change set's name or ARN after --execute (tcdind --stack %s --apply --no-execute prints it)", given, o.stack)
	}
	if o.onRolloutFailure != batch.RolloutWait && o.onRolloutFailure != batch.RolloutCancel {
		return exitcode.UsageError("--on-rollout-failure %q: pass wait or cancel", o.onRolloutFailure)
	}
	if o.yes && !o.apply && o.execute == "" {
		return exitcode.UsageError("--yes goes with --apply or --execute: without them nothing is executed")
	}
	if changed("s3-bucket") && (o.diff || o.check || o.output != "") {
		return exitcode.UsageError("--s3-bucket goes with --apply: --diff, --check and --output upload nothing")
	}
	return nil
}

// flag is a flag by name, and whether it was given.
type flag struct {
	name string
	set  bool
}

// exclusive refuses more than one of flags given: "--a, --b and --c
// exclude each other: advice". The flag-exclusion rules of the command
// line go through it and excludes.
func exclusive(advice string, flags ...flag) error {
	n := 0
	for _, f := range flags {
		if f.set {
			n++
		}
	}
	if n <= 1 {
		return nil
	}
	return exitcode.UsageError("%s exclude each other: %s", names(flags), advice)
}

// excludes refuses one given with any of others: "--a excludes --b and
// --c: advice".
func excludes(one flag, advice string, others ...flag) error {
	if !one.set {
		return nil
	}
	for _, f := range others {
		if f.set {
			return exitcode.UsageError("%s excludes %s: %s", names([]flag{one}), names(others), advice)
		}
	}
	return nil
}

// names lists flags as "--a, --b and --c".
func names(flags []flag) string {
	s := ""
	for i, f := range flags {
		switch {
		case i == 0:
		case i == len(flags)-1:
			s += " and "
		default:
			s += ", "
		}
		s += "--" + f.name
	}
	return s
}

// checkOutputPath refuses --output json, yaml or text: the aws CLI's
// --output names a format, and taken as a path it would write the template
// to a file named json. A path with a directory or an extension
// (./json, json.yaml) is a path.
func checkOutputPath(path string) error {
	switch strings.ToLower(path) {
	case "json", "yaml", "yml", "text", "table":
		return exitcode.UsageError("--output %s: did you mean --json? --output takes a file path (./%s to mean a file of that name) or - for standard output", path, path)
	}
	return nil
}
