package main

import (
	"github.com/spf13/cobra"

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
	}
	switch mode {
	case dind.ModePrivileged, dind.ModeNone:
		if changed("build-dirs") {
			return exitcode.UsageError("--build-dirs goes with --mode socket: only socket mode mirrors the build directories")
		}
	}
	if mode == dind.ModeNone && o.minimal {
		return exitcode.UsageError("--minimal goes with --mode socket or privileged: none removes what either mode added")
	}
	if o.minimal && o.sudoImage {
		return exitcode.UsageError("--minimal and --sudo-image exclude each other: the -sudo tag is part of the complete recipe")
	}
	if o.stack == "" {
		for _, name := range []string{"yes", "s3-bucket", "allow-other-changes"} {
			if changed(name) {
				return exitcode.UsageError("--%s goes with --stack NAME --apply: a template file is not deployed", name)
			}
		}
		return nil
	}
	if o.yes && !o.apply {
		return exitcode.UsageError("--yes goes with --apply: without --apply nothing is executed")
	}
	if changed("s3-bucket") && (o.diff || o.check || o.output != "") {
		return exitcode.UsageError("--s3-bucket goes with --apply: --diff, --check and --output upload nothing")
	}
	return nil
}
