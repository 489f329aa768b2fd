package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/buildinfo"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/fleet"
	"github.com/tcdind/tcdind/internal/iostreams"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/report"
)

// statusOptions are the flags of tcdind status.
type statusOptions struct {
	regions     []string
	allRegions  bool
	profiles    []string
	want        string
	json        bool
	endpointURL string
	noColor     bool
	concurrency int

	// result is the document of --json, once read.
	result *fleet.Status
	root   *options // --quiet, --debug
}

// newStatusCommand is tcdind status: read-only, every stack with a
// TeamCity agent across regions and profiles.
func newStatusCommand(ios *iostreams.IOStreams, so *statusOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Audit the stacks with a TeamCity agent, across regions (read-only)",
		Long: `Read every CloudFormation stack with a TeamCity agent in the regions and AWS
profiles given, and show per agent container its mode, image and tag, launch
type, and the task definition revision CloudFormation holds against the one the
ECS service runs (drift); nested stacks, and stacks tcdind cannot edit and why.
It changes nothing.

A region or account that refuses is a note, not the end of the run.
Exit status: 0 read; 3 --want MODE and an agent is not in MODE; 4 --want MODE
and a region or stack could not be read (the gate cannot tell); 1 nothing could
be read; 2 usage.

Calls: per profile ec2:DescribeRegions (--all-regions); per region
cloudformation:ListStacks; per stack cloudformation:ListStackResources; per
stack with an ECS task definition cloudformation:GetTemplate; per stack with an
agent cloudformation:DescribeStacks and ecs:DescribeServices (one per cluster).`,
		Example: `  tcdind status --region eu-west-1
  tcdind status --region eu-west-1,us-east-1 --profile prod --profile staging
  # CI gate: exit 3 when an agent is not in socket mode
  tcdind status --all-regions --want socket --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.UsageError("status takes no argument: pass regions with --region and accounts with --profile")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), so, ios)
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringSliceVar(&so.regions, "region", nil, "regions to read; several comma-separated or repeated (default: AWS_REGION or the profile's region)")
	f.BoolVar(&so.allRegions, "all-regions", false, "read every region the account has enabled (ec2:DescribeRegions)")
	f.StringSliceVar(&so.profiles, "profile", nil, "AWS shared config profiles (accounts) to read; several comma-separated or repeated (default: AWS_PROFILE or the default chain)")
	f.StringVar(&so.want, "want", "", "socket, privileged or none: exit 3 when an agent is not in this mode (a CI gate)")
	f.BoolVar(&so.json, "json", false, "write one JSON document on standard output (schema: docs/json.md)")
	f.StringVar(&so.endpointURL, "endpoint-url", "", "AWS endpoint URL for every service, e.g. an emulator (default: AWS_ENDPOINT_URL)")
	f.IntVar(&so.concurrency, "concurrency", fleet.DefaultConcurrency, "stacks read at once")
	f.BoolVar(&so.noColor, "no-color", false, "no colour in the table (also NO_COLOR)")
	_ = cmd.RegisterFlagCompletionFunc("region", completeRegions)
	_ = cmd.RegisterFlagCompletionFunc("profile", completeProfiles)
	_ = cmd.RegisterFlagCompletionFunc("want", cobra.FixedCompletions([]string{"socket", "privileged", "none"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runStatus(ctx context.Context, so *statusOptions, ios *iostreams.IOStreams) error {
	if so.want != "" {
		if _, err := dind.ParseMode(so.want); err != nil {
			return exitcode.WithCode(exitcode.Usage, fmt.Errorf("--want: %w", err))
		}
	}
	for _, r := range so.regions {
		if !awsclient.ValidRegion(r) {
			return exitcode.UsageError("--region %q is not an AWS region name: pass one such as us-east-1 or eu-west-2", r)
		}
	}
	if so.concurrency < 1 {
		return exitcode.UsageError("--concurrency %d: pass 1 or more", so.concurrency)
	}
	for _, p := range so.profiles {
		// An unknown profile is a usage error before any call, as for
		// --stack: loading its configuration tells.
		if _, err := awsclient.New(ctx, awsclient.Config{Profile: p, Region: "us-east-1"}); err != nil {
			var pe *awsclient.ProfileError
			if errors.As(err, &pe) {
				return exitcode.WithCode(exitcode.Usage, err)
			}
		}
	}
	if len(so.regions) == 0 && !so.allRegions {
		// No region to read, as for --stack: a usage error before any
		// call, not a table of nothing.
		profiles := so.profiles
		if len(profiles) == 0 {
			profiles = []string{""}
		}
		for _, p := range profiles {
			if _, err := awsclient.New(ctx, awsclient.Config{Profile: p}); errors.Is(err, awsclient.ErrNoRegion) {
				return exitcode.UsageError("no AWS region%s: pass --region (several comma-separated), --all-regions, or set AWS_REGION", profileSuffix(p))
			}
		}
	}
	r := &fleet.Reader{
		NewClient: func(ctx context.Context, profile, region string) (fleet.Client, error) {
			return newAWSClient(ctx, awsclient.Config{Region: region, Profile: profile, EndpointURL: so.endpointURL, Debug: so.root.debugOut(ios)})
		},
		Profiles:    so.profiles,
		Regions:     so.regions,
		AllRegions:  so.allRegions,
		Concurrency: so.concurrency,
		Version:     buildinfo.Version(),
	}
	if ios.IsStderrTTY() && !so.json && !so.root.quiet && !so.root.debug {
		r.Progress = func(done, total int) {
			fmt.Fprintf(ios.ErrOut, "\r\033[Kreading stacks: %d of %d", done, total)
		}
	}
	st := r.Read(ctx)
	if r.Progress != nil {
		fmt.Fprint(ios.ErrOut, "\r\033[K")
	}
	st.Want = so.want
	so.result = st
	if ctx.Err() != nil {
		return exitcode.ErrInterrupted
	}
	if !so.json {
		color := ios.IsStdoutTTY() && !so.noColor && os.Getenv("NO_COLOR") == ""
		fmt.Fprint(ios.Out, render.NewStyles(color).StatusTable(st, so.want))
	}
	return statusOutcome(st, so.want)
}

// statusOutcome is status's exit: 3 when an agent is not in the mode
// wanted, 4 when the gate cannot tell (something not read), 1 when
// nothing could be read at all.
func statusOutcome(st *fleet.Status, want string) error {
	if len(st.Stacks) == 0 && st.Scanned == 0 && len(st.Notes) > 0 {
		return fmt.Errorf("nothing could be read: %s", st.Notes[0].Text)
	}
	if want == "" {
		return nil
	}
	if off := st.NotIn(want); len(off) > 0 {
		return exitcode.WithCode(exitcode.NeedsChange, fmt.Errorf("%s not in %s mode: %s", render.Count(len(off), "agent container", "agent containers"), want, strings.Join(off, ", ")))
	}
	if len(st.Notes) > 0 {
		return exitcode.WithCode(exitcode.Pending, fmt.Errorf("every agent read is in %s mode, but %s could not be read (see the notes): the gate cannot tell", want, render.Count(len(st.Notes), "region or stack", "regions or stacks")))
	}
	return nil
}

// writeStatus finishes and writes the document of status --json.
func writeStatus(so *statusOptions, code int, errLine string, ios *iostreams.IOStreams) error {
	if so.result == nil {
		so.result = fleet.Empty(buildinfo.Version())
		so.result.Want = so.want
	}
	so.result.Finish(code, exitcode.Meaning(code), errLine)
	return report.Write(ios.Out, so.result)
}

// profileSuffix names the profile in a message, when one was given.
func profileSuffix(profile string) string {
	if profile == "" {
		return ""
	}
	return " for profile " + profile
}
