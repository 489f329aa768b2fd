package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/iostreams"
	"github.com/tcdind/tcdind/source"
	"github.com/tcdind/tcdind/teamcity"
	"github.com/tcdind/tcdind/wizard"
)

// wantsWizard reports whether this run asks questions: a person is at a
// terminal, --non-interactive is absent, and the action writes a file (a
// diff, a check or a template on standard output is for pipelines).
func (o *options) wantsWizard(ios *iostreams.IOStreams) bool {
	return o.templateFlagsAllowWizard() && o.canAsk(ios)
}

// canAsk reports whether questions can be asked: at a terminal, or with
// --accessible, whose plain prompts read their answers a line at a time
// from standard input whatever it is (a pipe included). ACCESSIBLE=1 and
// TERM=dumb do not ask a pipe: they describe the terminal, not the run.
func (o *options) canAsk(ios *iostreams.IOStreams) bool {
	return ios.CanPrompt() || o.accessible
}

// templateFlagsAllowWizard reports whether the flags of a run without
// --stack leave room for questions (--container among them: the wizard
// takes it as the agent's name).
func (o *options) templateFlagsAllowWizard() bool {
	return !o.nonInteractive && o.stack == "" && !o.diff && !o.check &&
		o.output != source.Stdin && o.template != source.Stdin
}

// wantsStackWizard reports whether a --stack run asks questions: a person
// is at a terminal, and the flags ask neither for a pipeline (--diff,
// --check, --output -), nor a scripted apply (--apply --yes), nor
// --non-interactive. --accessible asks the wizard's questions as plain
// line prompts, the change set's included.
func (o *options) wantsStackWizard(ios *iostreams.IOStreams) bool {
	return o.stackFlagsAllowWizard() && o.canAsk(ios)
}

func (o *options) stackFlagsAllowWizard() bool {
	return !o.nonInteractive && !o.diff && !o.check && o.output != source.Stdin &&
		!(o.apply && o.yes)
}

func (o *options) accessibleAsked() bool {
	return o.accessible || envTrue("ACCESSIBLE") || os.Getenv("TERM") == "dumb"
}

// asksWizard reports whether this run is the wizard (a template run or a
// stack run that asks questions).
func (o *options) asksWizard(ios *iostreams.IOStreams) bool {
	if o.plainOnly() {
		return false
	}
	if o.stack == "" {
		return !o.apply && o.wantsWizard(ios)
	}
	return o.stackFlagsAllowWizard() && o.canAsk(ios) && !o.noExecute && o.execute == ""
}

// wizardTeamCity fills the wizard's TeamCity answers: --teamcity-url, the
// token from --teamcity-token-file or TEAMCITY_TOKEN (none: the wizard
// asks it, not shown), --drain and its timeout, --teamcity-wait.
func (o *options) wizardTeamCity(cfg *wizard.Config) error {
	tc := o.teamcity
	token, err := teamcity.Token(os.Getenv, tc.tokenFile)
	switch {
	case errors.Is(err, teamcity.ErrNoToken):
		token = ""
	case err != nil:
		return exitcode.WithCode(exitcode.Usage, err)
	}
	cfg.TeamCityURL, cfg.TeamCityToken = tc.url, token
	if token != "" {
		cfg.TeamCityTokenFrom = teamcity.TokenEnv
		if tc.tokenFile != "" {
			cfg.TeamCityTokenFrom = tc.tokenFile
		}
	}
	cfg.Drain, cfg.DrainTimeout, cfg.TeamCityWait = tc.drain, tc.drainTimeout, tc.wait
	return nil
}

// runWizard runs the interactive wizard with the flags' answers prefilled.
func runWizard(cmd *cobra.Command, o *options, opts dind.Options, ios *iostreams.IOStreams) error {
	if o.inPlace && (o.template == "" || source.IsURL(o.template)) {
		return exitcode.UsageError("--in-place needs --template to be a file")
	}
	f := cmd.Flags()
	cfg := wizard.Config{
		Template:         o.template,
		TaskDefinitions:  opts.TaskDefinitions,
		Containers:       opts.Containers,
		Mode:             opts.Mode,
		Minimal:          o.minimal,
		BuildDirs:        o.buildDirs,
		SudoImage:        opts.SudoImage,
		AgentVersion:     opts.AgentVersion,
		NoHealthCheck:    !opts.HealthCheck,
		Arch:             opts.Arch,
		RecipeGiven:      f.Changed("minimal") || f.Changed("build-dirs") || f.Changed("sudo-image") || f.Changed("agent-version"),
		Output:           o.output,
		InPlace:          o.inPlace,
		Region:           firstNonEmpty(o.region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION")),
		RegionGiven:      o.region != "",
		Stack:            o.stack,
		S3Bucket:         o.s3Bucket,
		OnRolloutFailure: o.onRolloutFailure,
		Accessible:       o.accessibleAsked(),
		Profile:          o.profile,
		EndpointURL:      o.endpointURL,
		NoColor:          o.noColor || os.Getenv("NO_COLOR") != "",
		// AWS configuration is loaded only once the source is a stack.
		Client: func(ctx context.Context, region string) (wizard.Client, error) {
			return awsclient.New(ctx, awsclient.Config{Region: region, Profile: o.profile, EndpointURL: o.endpointURL})
		},
		ProfileRegion: func(ctx context.Context) string {
			return awsclient.ResolveRegion(ctx, awsclient.Config{Profile: o.profile})
		},
	}
	if err := o.wizardTeamCity(&cfg); err != nil {
		return err
	}
	return wizard.Run(cmd.Context(), cfg, wizard.Streams{In: ios.In, Out: ios.Out, Err: ios.ErrOut})
}

// envTrue reports whether the variable is set to something other than a
// false value.
func envTrue(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
