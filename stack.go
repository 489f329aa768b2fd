package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
)

// stackRunHook, when set (by tests), adjusts a stack run before it starts:
// shorter polls and retries, a stand-in for a terminal.
var stackRunHook func(*batch.StackRun, *awsclient.Config)

// executeStack runs --stack: read an existing stack's template, then write,
// diff, check or --apply it. AWS configuration is loaded only here, and only
// after the flags were checked.
func executeStack(cmd *cobra.Command, o *options, opts dind.Options, action batch.Action, s batch.Streams) error {
	switch {
	case o.template != "":
		return exitcode.UsageError("--template and --stack exclude each other: pass one")
	case o.inPlace:
		return exitcode.UsageError("--in-place needs --template; with --stack pass --output PATH or --apply")
	case o.apply && (action.Output != "" || action.Diff || action.Check):
		return exitcode.UsageError("--apply excludes --output, --diff and --check: see the change with --diff first, then --apply")
	}
	if o.wantsStackWizard(s) {
		return runWizard(cmd, o, opts, s)
	}
	switch {
	case opts.Mode == "":
		return exitcode.UsageError("no mode: pass --mode socket, --mode privileged or --mode none")
	}
	cfg := awsclient.Config{Region: o.region, Profile: o.profile, EndpointURL: o.endpointURL}
	run := &batch.StackRun{
		Stack:       o.stack,
		Options:     opts,
		Action:      action,
		Apply:       o.apply,
		Yes:         o.yes,
		Interactive: !o.nonInteractive && canPrompt(s.In, s.Out),
		S3Bucket:    o.s3Bucket,
	}
	if stackRunHook != nil {
		stackRunHook(run, &cfg)
	}
	run.Client = func(ctx context.Context) (awsclient.CloudFormation, error) {
		return awsclient.New(ctx, cfg)
	}
	return run.Run(cmd.Context(), s)
}
