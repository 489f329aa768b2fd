// Command tcdind enables Docker-in-Docker on the TeamCity build agent of an
// AWS ECS CloudFormation template or stack.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/iostreams"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/report"
	"github.com/tcdind/tcdind/source"
)

// options are filled by flags; a question the wizard would ask is answered
// by the flag of the same name.
type options struct {
	template       string
	taskDefinition string
	container      string
	mode           string
	minimal        bool
	buildDirs      bool
	sudoImage      bool
	agentVersion   string // privileged: the version that pins a latest tag
	agentArch      string // the hosts' CPU architecture, for the -sudo tag
	healthCheck    bool   // complete recipe: the docker info health check
	output         string
	inPlace        bool
	diff           bool
	check          bool
	nonInteractive bool
	json           bool // one JSON result on standard output (report/)
	quiet          bool // errors and the result only
	debug          bool // each AWS request and answer on standard error
	accessible     bool // wizard: plain line prompts (also ACCESSIBLE=1, TERM=dumb)
	noColor        bool // wizard: no colour (also NO_COLOR)

	// Existing stacks (batch.StackRun).
	stack             string
	apply             bool
	noExecute         bool   // with --apply: keep the change set
	execute           string // a change set made by --apply --no-execute
	yes               bool
	allowOtherChanges bool
	onRolloutFailure  string
	s3Bucket          string
	region            string
	profile           string
	endpointURL       string

	// result is the JSON result of the run, once execute made it; runWith
	// finishes and writes it.
	result *report.Document

	status statusOptions // tcdind status

	teamcity teamcityOptions // --teamcity-url …: main_teamcity.go
}

// memoryLimit keeps the heap small: the largest template CloudFormation takes
// (1 MB) parses into about 20 MB of nodes, and without a limit the garbage
// collector lets the heap double before it runs. GOMEMLIMIT overrides it.
const memoryLimit = 32 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signalContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], iostreams.System()))
}

// signalContext is cancelled by SIGINT, SIGTERM or SIGHUP alike, with the
// signal as its cause: a CI job cancelled, a container stopped and an SSH
// session dropped all clean up as ctrl+c does. Further signals are taken
// (not fatal) while the run cleans up, which is bounded.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range ch {
			cancel(&exitcode.SignalError{Signal: sig})
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	return runWith(ctx, args, ios, runStackRun)
}

// runWith is run with the function a --stack run of the batch flow ends
// in (tests adjust the run there).
func runWith(ctx context.Context, args []string, ios *iostreams.IOStreams, runF stackRunF) int {
	cmd, o := newCommand(ios, runF)
	cmd.SetArgs(args)
	ran, err := cmd.ExecuteContextC(ctx)
	code, line := runExitCode(ctx, err, ios)
	var werr error
	switch {
	case ran == cmd && (o.json || jsonAsked(args)):
		werr = writeResult(o, code, line, ios)
	case ran != nil && ran.Name() == "status" && (o.status.json || jsonAsked(args)):
		werr = writeStatus(&o.status, code, line, ios)
	}
	if werr != nil && code == exitcode.OK {
		fmt.Fprintln(ios.ErrOut, render.ErrorLine(oneLine(werr)))
		code = exitcode.Failure
	}
	return code
}

// runExitCode is the exit status of a run that ended with err and the one
// line it printed for it ("" for none).
func runExitCode(ctx context.Context, err error, ios *iostreams.IOStreams) (int, string) {
	if err == nil {
		return exitcode.OK, ""
	}
	code := exitcode.Code(err)
	if ctx.Err() != nil && !errors.Is(err, exitcode.ErrNeedsChange) && code != exitcode.Interrupted && code != exitcode.Pending {
		err, code = exitcode.ErrInterrupted, exitcode.Interrupted
	}
	if code == exitcode.Interrupted {
		code = exitcode.InterruptedCode(ctx)
	}
	if errors.Is(err, exitcode.ErrNeedsChange) {
		return code, ""
	}
	line := oneLine(err)
	fmt.Fprintln(ios.ErrOut, render.ErrorLine(line))
	return code, line
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func newRootCommand(ios *iostreams.IOStreams, runF stackRunF) *cobra.Command {
	cmd, _ := newCommand(ios, runF)
	return cmd
}

// newCommand is the root command and the options its flags fill.
func newCommand(ios *iostreams.IOStreams, runF stackRunF) (*cobra.Command, *options) {
	if runF == nil {
		runF = runStackRun
	}
	o := &options{}
	cmd := &cobra.Command{
		Use:   "tcdind",
		Short: "Enable Docker-in-Docker on a TeamCity build agent in an AWS ECS CloudFormation template",
		Long: `tcdind enables Docker-in-Docker on the TeamCity build agent's ECS task
definition, so that builds can run docker and docker compose. Two modes:

  socket      mount the EC2 host's /var/run/docker.sock into the agent
  privileged  run the agent privileged with its own Docker daemon
  none        undo what the two modes add

Both give every build on the agent root-level control of the EC2 instance.
The edit adds only the lines Docker-in-Docker needs and changes nothing else.

With --apply, tcdind follows the agents' ECS rollout beside the stack's
events (polling every 2 s while things happen, backing off to 30 s during a
quiet wait) and, after UPDATE_COMPLETE, verifies in ECS that they run the
new revision in the mode asked for. A service with a CODE_DEPLOY or EXTERNAL
deployment controller is refused before any change set: CloudFormation
cannot roll a task definition out to it.

Exit status: 0 done or nothing to change; 1 failure (also when ECS shows
otherwise after UPDATE_COMPLETE); 2 usage; 3 --check found a change needed;
4 not known yet (the update goes on in AWS, or a change set may remain: the
message names the command that tells); 130, 143, 129 interrupted by SIGINT,
SIGTERM, SIGHUP (nothing written, no change set left: checked).`,
		Example: `  # A template file: save, look, check (exit 3 when a change is needed)
  tcdind --template teamcity-server.yaml --mode socket \
      --output teamcity-server.dind.yaml
  tcdind --template teamcity-server.yaml --mode privileged --diff
  tcdind --template teamcity-server.yaml --mode socket --check
  curl -s https://example.com/t.yaml |
      tcdind --template - --mode socket > t.dind.yaml

  # A deployed stack: the wizard (review, change set, execute), the same
  # as plain prompts, then the same without questions
  tcdind --region eu-west-1 --stack teamcity
  tcdind --region eu-west-1 --stack teamcity --accessible
  tcdind --region eu-west-1 --stack teamcity --mode privileged --diff
  tcdind --region eu-west-1 --stack teamcity --mode privileged \
      --output teamcity.dind.yaml
  tcdind --region eu-west-1 --stack teamcity --mode privileged \
      --apply --yes
  tcdind --stack teamcity --mode privileged --apply --yes \
      --s3-bucket my-bucket
  tcdind --stack teamcity --mode privileged --apply --yes \
      --on-rollout-failure=cancel

  # TeamCity (token in TEAMCITY_TOKEN): drain the agents first, and let
  # TeamCity confirm Docker on the new ones
  tcdind --region eu-west-1 --stack teamcity --mode privileged --apply \
      --yes --teamcity-url https://teamcity.example.com --drain

  # A change set kept for an approver, executed later by its name
  tcdind --region eu-west-1 --stack teamcity --mode privileged --apply \
      --no-execute
  tcdind --region eu-west-1 --stack teamcity --yes \
      --execute tcdind-privileged-20261206-050000-1a2b3c4d

  # One JSON result (docs/json.md)
  tcdind --region eu-west-1 --stack teamcity --mode socket \
      --check --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				switch args[0] {
				case string(dind.ModeSocket), string(dind.ModePrivileged), string(dind.ModeNone):
					return exitcode.UsageError("unexpected argument %q: did you mean --mode %s?", args[0], args[0])
				case "version":
					return exitcode.UsageError("unexpected argument %q: did you mean --version?", args[0])
				}
				return exitcode.UsageError("unexpected argument %q: name the template with --template %s", args[0], args[0])
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return execute(cmd, o, ios, runF)
		},
	}
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.WithCode(exitcode.Usage, fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
	})

	f := cmd.Flags()
	f.SortFlags = false
	f.StringVar(&o.template, "template", "", "template file (YAML or JSON), https URL, or - for standard input")
	f.StringVar(&o.taskDefinition, "task-definition", "", `logical ID of the agent task definition; several comma-separated, or "all" (default: the only one found)`)
	f.StringVar(&o.container, "container", "", "name of the agent container when its image is not teamcity-agent; several comma-separated (default: containers whose image is teamcity-agent)")
	f.StringVar(&o.mode, "mode", "", "socket, privileged or none")
	f.BoolVar(&o.minimal, "minimal", false, "write only the blog post's edits, not the complete recipe")
	f.BoolVar(&o.buildDirs, "build-dirs", true, "socket mode: mirror the /opt/buildagent directories as host volumes, and run one agent an instance (distinctInstance on the agent's service)")
	f.BoolVar(&o.sudoImage, "sudo-image", false, "privileged mode: switch the agent image tag (literal, or the parameter that holds it) to its -sudo variant, e.g. 2025.07-linux-sudo; without it privileged mode on a plain JetBrains tag is refused")
	f.BoolVar(&o.healthCheck, "health-check", true, "complete recipe: give the agent container a health check that runs docker info, so ECS marks an agent whose Docker does not answer unhealthy (false leaves it out)")
	f.StringVar(&o.agentVersion, "agent-version", "", "privileged mode: the TeamCity version (e.g. 2025.07) that pins an agent image tagged latest to VERSION-linux-sudo; implies --sudo-image")
	f.StringVar(&o.agentArch, "agent-arch", "", "the CPU architecture of the agents' hosts, x86_64 or arm64: on arm64 the -sudo tag is VERSION-linux-arm64-sudo (a stack's hosts are read from ECS)")
	f.StringVar(&o.output, "output", "", "write the patched template to PATH, or - for standard output (the default without a terminal or with --non-interactive)")
	f.BoolVar(&o.inPlace, "in-place", false, "overwrite the --template file (atomically)")
	f.BoolVar(&o.diff, "diff", false, "print a unified diff of the change and exit; write nothing (coloured at a terminal; no pager: pipe to less -R)")
	f.BoolVar(&o.check, "check", false, "write nothing; exit 0 if already in the mode, 3 if a change is needed")
	f.StringVar(&o.stack, "stack", "", "an existing CloudFormation stack (name or ARN) instead of --template")
	f.BoolVar(&o.apply, "apply", false, "with --stack: create, show and execute a change set")
	f.BoolVar(&o.noExecute, "no-execute", false, "with --apply: create and show the change set, keep it, and print its ARN, console link and the commands that execute it")
	f.StringVar(&o.execute, "execute", "", "with --stack: execute change set NAME|ARN made earlier by --apply --no-execute, if the stack has not moved since; then follow and verify as --apply does")
	f.BoolVar(&o.yes, "yes", false, "do not ask before executing (required for --apply without a terminal)")
	f.BoolVar(&o.allowOtherChanges, "allow-other-changes", false, "with --apply --yes: execute a change set that also changes resources tcdind did not edit")
	f.StringVar(&o.onRolloutFailure, "on-rollout-failure", "wait", "with --apply: when the agents' ECS rollout is clearly failing, wait (CloudFormation rolls back after its own timeout) or cancel the update so it rolls back now")
	addTeamCityFlags(cmd, &o.teamcity)
	f.StringVar(&o.s3Bucket, "s3-bucket", "", "upload templates over 51,200 bytes to this S3 bucket and pass a TemplateURL")
	f.StringVar(&o.region, "region", "", "AWS region (default: AWS_REGION or the profile's region)")
	f.StringVar(&o.profile, "profile", "", "AWS shared config profile (default: AWS_PROFILE)")
	f.StringVar(&o.endpointURL, "endpoint-url", "", "AWS endpoint URL for every service (CloudFormation, S3, ECS), e.g. an emulator (default: AWS_ENDPOINT_URL)")
	f.BoolVar(&o.nonInteractive, "non-interactive", false, "never prompt; fail on anything missing")
	f.BoolVar(&o.accessible, "accessible", false, "ask the wizard's questions as plain line prompts, for screen readers (also ACCESSIBLE=1)")
	f.BoolVar(&o.noColor, "no-color", false, "no colour in the wizard and in --diff (also NO_COLOR)")
	f.BoolVar(&o.json, "json", false, "write one JSON result on standard output (schema: docs/json.md); implies --non-interactive")
	pf := cmd.PersistentFlags()
	pf.BoolVarP(&o.quiet, "quiet", "q", false, "print errors, warnings and the result only (what was written, the outcome), no progress or notes")
	pf.BoolVar(&o.debug, "debug", false, "print each AWS request and answer on standard error (credentials, Authorization headers and parameter values are never printed)")
	o.status.root = o
	cmd.AddCommand(newStatusCommand(ios, &o.status))
	addMetaCommands(cmd) // --version, completion, man: meta.go
	groupFlagHelp(cmd)   // help.go
	return cmd, o
}

func execute(cmd *cobra.Command, o *options, ios *iostreams.IOStreams, runF stackRunF) error {
	if o.json {
		o.startResult()
		o.nonInteractive = true // a script reads the result: no wizard
	}
	opts, err := o.engineOptions()
	if err != nil {
		return err
	}
	action, err := o.action()
	if err != nil {
		return err
	}
	// A diff read in a terminal is coloured like the review's.
	action.Color = o.diff && !o.json && ios.IsStdoutTTY() && !o.noColor && os.Getenv("NO_COLOR") == ""
	if err := o.checkJSON(); err != nil {
		return err
	}
	action.Report = o.result
	if err := o.checkApplicable(cmd, opts.Mode); err != nil {
		return err
	}
	if err := o.checkTeamCity(cmd, o.asksWizard(ios)); err != nil {
		return err
	}
	if o.stack != "" {
		return executeStack(cmd, o, opts, action, ios, runF)
	}
	if o.apply {
		return exitcode.UsageError("--apply needs --stack NAME: a template file is not deployed; pass --output PATH to save it")
	}
	if !o.plainOnly() && o.wantsWizard(ios) {
		return runWizard(cmd, o, opts, ios)
	}
	if o.template == "" {
		return exitcode.UsageError("no template: pass --template PATH, an https URL, or - for standard input; or --stack NAME for a deployed stack")
	}
	if opts.Mode == "" {
		return exitcode.UsageError("no mode: pass --mode socket, --mode privileged or --mode none")
	}
	s := o.streams(ios)
	if o.template == source.Stdin && ios.IsStdinTTY() {
		// A terminal gives no end of input by itself: say what it waits for.
		fmt.Fprintln(s.Err, render.NoteLine("reading the template from standard input: paste it, then ctrl+d (ctrl+c quits)"))
	}
	run := batch.TemplateRun{Template: o.template, Options: opts, Action: action}
	return run.Run(cmd.Context(), s)
}

func (o *options) engineOptions() (dind.Options, error) {
	opts := dind.Options{Minimal: o.minimal, BuildDirs: o.buildDirs, HealthCheck: o.healthCheck, SudoImage: o.sudoImage || o.agentVersion != ""}
	if o.agentVersion != "" {
		if err := dind.CheckAgentVersion(o.agentVersion); err != nil {
			return opts, exitcode.WithCode(exitcode.Usage, err)
		}
		opts.AgentVersion = o.agentVersion
	}
	if o.agentArch != "" {
		arch, err := dind.ParseArch(o.agentArch)
		if err != nil {
			return opts, exitcode.WithCode(exitcode.Usage, fmt.Errorf("--agent-arch: %w", err))
		}
		opts.Arch = arch
	}
	if o.mode != "" {
		m, err := dind.ParseMode(o.mode)
		if err != nil {
			return opts, exitcode.WithCode(exitcode.Usage, fmt.Errorf("--mode: %w", err))
		}
		opts.Mode = m
	}
	if o.taskDefinition != "" {
		for _, id := range strings.Split(o.taskDefinition, ",") {
			if id = strings.TrimSpace(id); id != "" {
				opts.TaskDefinitions = append(opts.TaskDefinitions, id)
			}
		}
	}
	opts.Containers = splitList(o.container)
	return opts, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (o *options) action() (batch.Action, error) {
	if err := checkOutputPath(o.output); err != nil {
		return batch.Action{}, err
	}
	a := batch.Action{Output: o.output, InPlace: o.inPlace, Diff: o.diff, Check: o.check}
	return a, exclusive("pass one",
		flag{"output", o.output != ""}, flag{"in-place", o.inPlace}, flag{"diff", o.diff}, flag{"check", o.check})
}

// streams are ios for the batch front end.
func streams(ios *iostreams.IOStreams) batch.Streams {
	return batch.Streams{In: ios.In, Out: ios.Out, Err: ios.ErrOut}
}
