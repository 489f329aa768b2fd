package main

import (
	"context"
	"errors"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/iostreams"
)

// stackRunF runs a --stack run of the batch flow once the flags made it:
// the run, and the AWS configuration its client is made from. The command
// takes it as cli/cli's commands take their runF: tests pass one that
// adjusts the run (shorter polls and retries, a stand-in for a terminal)
// and then calls runStackRun.
type stackRunF func(ctx context.Context, r *batch.StackRun, cfg awsclient.Config, s batch.Streams) error

// runStackRun is the stackRunF of a real run: it makes the client from cfg
// when the run needs one, and runs.
func runStackRun(ctx context.Context, r *batch.StackRun, cfg awsclient.Config, s batch.Streams) error {
	r.Client = func(ctx context.Context) (batch.StackClient, error) {
		c, err := newAWSClient(ctx, cfg)
		if err != nil {
			return nil, err
		}
		r.Where = awsclient.CLIFlags(c.Region(), cfg.Profile, cfg.EndpointURL)
		return c, nil
	}
	return r.Run(ctx, s)
}

// executeStack runs --stack: read an existing stack's template, then write,
// diff, check or --apply it. AWS configuration is loaded only here, and only
// after the flags were checked.
func executeStack(cmd *cobra.Command, o *options, opts dind.Options, action batch.Action, ios *iostreams.IOStreams, runF stackRunF) error {
	if err := exclusive("pass one", flag{"template", o.template != ""}, flag{"stack", true}); err != nil {
		return err
	}
	switch {
	case o.inPlace:
		return exitcode.UsageError("--in-place needs --template; with --stack pass --output PATH or --apply")
	case o.allowOtherChanges && !o.apply:
		return exitcode.UsageError("--allow-other-changes goes with --apply")
	case cmd.Flags().Changed("on-rollout-failure") && !o.apply && o.execute == "":
		return exitcode.UsageError("--on-rollout-failure goes with --apply or --execute")
	case o.noExecute && !o.apply:
		return exitcode.UsageError("--no-execute goes with --apply: --apply --no-execute creates the change set and keeps it")
	case o.noExecute && o.yes:
		return exitcode.UsageError("--no-execute excludes --yes: nothing is executed")
	}
	if err := excludes(flag{"execute", o.execute != ""}, "--execute runs a change set made earlier with --apply --no-execute",
		flag{"apply", o.apply}, flag{"output", action.Output != ""}, flag{"diff", action.Diff}, flag{"check", action.Check}, flag{"s3-bucket", o.s3Bucket != ""}); err != nil {
		return err
	}
	if err := excludes(flag{"apply", o.apply}, "see the change with --diff first, then --apply",
		flag{"output", action.Output != ""}, flag{"diff", action.Diff}, flag{"check", action.Check}); err != nil {
		return err
	}
	if err := o.checkAWSFlags(); err != nil {
		return err
	}
	if !o.plainOnly() && o.wantsStackWizard(ios) && !o.noExecute && o.execute == "" {
		return runWizard(cmd, o, opts, ios)
	}
	switch {
	case opts.Mode == "" && o.execute == "":
		return exitcode.UsageError("no mode: pass --mode socket, --mode privileged or --mode none")
	}
	tc, err := o.teamcityRun(ios)
	if err != nil {
		return err
	}
	cfg := awsclient.Config{Region: o.region, Profile: o.profile, EndpointURL: o.endpointURL, Debug: o.debugOut(ios)}
	run := &batch.StackRun{
		Stack:             o.stack,
		Options:           opts,
		Action:            action,
		Apply:             o.apply,
		NoExecute:         o.noExecute,
		Execute:           o.execute,
		Yes:               o.yes,
		AllowOtherChanges: o.allowOtherChanges,
		OnRolloutFailure:  o.onRolloutFailure,
		Interactive:       !o.nonInteractive && ios.CanPrompt(),
		S3Bucket:          o.s3Bucket,
		TeamCity:          tc,
	}
	return runF(cmd.Context(), run, cfg, o.streams(ios))
}

// newAWSClient loads the AWS configuration; a missing region or an unknown
// profile is a usage error.
func newAWSClient(ctx context.Context, cfg awsclient.Config) (*awsclient.Client, error) {
	c, err := awsclient.New(ctx, cfg)
	var pe *awsclient.ProfileError
	if errors.Is(err, awsclient.ErrNoRegion) || errors.As(err, &pe) {
		return nil, exitcode.WithCode(exitcode.Usage, err)
	}
	return c, err
}

// checkAWSFlags refuses a region or endpoint that cannot be right before
// any AWS configuration is loaded: the SDK would only say so after its
// retries, in its own words.
func (o *options) checkAWSFlags() error {
	if o.region != "" && !awsclient.ValidRegion(o.region) {
		return exitcode.UsageError("--region %q is not an AWS region name: pass one such as us-east-1 or eu-west-2", o.region)
	}
	if o.endpointURL != "" {
		u, err := url.Parse(o.endpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return exitcode.UsageError("--endpoint-url %q is not an http or https URL: pass one such as https://cloudformation.us-east-1.amazonaws.com", o.endpointURL)
		}
	}
	return nil
}
