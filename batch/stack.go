package batch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tcdind/tcdind/agenthosts"
	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
)

// StackClient is what a stack run asks of AWS.
type StackClient interface {
	changeset.Client
	NestedStacks(ctx context.Context, stack string) ([]awsclient.StackResource, error)
}

// StackRun is a non-interactive run on an existing CloudFormation stack.
// Without Apply it reads the deployed template and writes, diffs or checks
// it as TemplateRun does; with Apply it creates, shows and executes a change
// set and follows the stack's events to the end.
type StackRun struct {
	Stack   string // name or ARN
	Options dind.Options
	Action  Action // without Apply; InPlace is not allowed

	Apply bool
	// NoExecute with Apply creates and shows the change set and keeps it
	// for someone to execute (after review in the console, say): its ARN,
	// console link and the commands that execute it are printed.
	NoExecute bool
	// Execute is a change set tcdind made earlier (name or ARN) to
	// execute, after checking the stack has not moved since, then follow
	// and verify as Apply does.
	Execute string
	// Yes executes without asking.
	Yes bool
	// AllowOtherChanges executes with Yes a change set that also changes
	// resources tcdind did not edit.
	AllowOtherChanges bool
	// OnRolloutFailure is what to do when the agents' ECS rollout is
	// clearly failing while the update runs: RolloutWait (the default)
	// says so and goes on following; RolloutCancel cancels the update so
	// that CloudFormation rolls back now.
	OnRolloutFailure string
	// Interactive: a person can answer y/N on the terminal (standard input
	// and output are terminals and --non-interactive is absent). Without it
	// Apply needs Yes.
	Interactive bool
	// S3Bucket receives templates over changeset.MaxTemplateBody.
	S3Bucket string
	// Where is " --region R [--profile P]" for the commands tcdind prints.
	Where string
	// TeamCity is the run's TeamCity side (--teamcity-url); nil without.
	TeamCity *TeamCity

	client StackClient // what Client returned

	// Client returns the AWS client. It is called once, after the flags were
	// checked, so that a usage error never loads AWS configuration.
	Client func(context.Context) (StackClient, error)

	// Poll are the delays before each DescribeStackEvents call (default
	// changeset.DefaultPoll); Wait bounds waiting for the change set
	// (default awsclient.DefaultWait); Settle, Lookups and GiveUp bound
	// cleaning up and following (changeset's defaults). Tests shorten them.
	Poll []time.Duration
	Wait awsclient.Wait
	// PlacementGrace is how long the agents' new tasks may stay unplaced
	// once the old ones are gone (default rollout.DefaultPlacementGrace).
	PlacementGrace time.Duration
	Settle         time.Duration
	Lookups        []time.Duration
	GiveUp         time.Duration
	// Now and Random name the change set; default time.Now and
	// crypto/rand.
	Now    func() time.Time
	Random io.Reader
}

// What --on-rollout-failure takes.
const (
	RolloutWait   = "wait"
	RolloutCancel = "cancel"
)

// Run reads the stack and its template, patches it, and delivers or applies it.
func (r *StackRun) Run(ctx context.Context, s Streams) error {
	if r.Execute != "" && !r.Yes && !r.Interactive {
		return exitcode.UsageError("--execute without a terminal needs --yes to execute change set %s", r.Execute)
	}
	if r.Apply && !r.NoExecute && !r.Yes && !r.Interactive {
		return exitcode.UsageError("--apply without a terminal needs --yes to execute the change set (see the change first with --diff)")
	}
	if r.Action.InPlace {
		return exitcode.UsageError("--in-place needs --template; with --stack use --output PATH or --apply")
	}
	cfn, err := r.Client(ctx)
	if err != nil {
		return err
	}
	r.client = cfn
	st, err := cfn.DescribeStack(ctx, r.Stack)
	if err != nil {
		return err
	}
	r.recordStack(st, cfn.Region())
	if r.Apply && st.ParentID != "" {
		return &changeset.NestedError{Stack: st.Name, Parent: st.ParentID}
	}
	if err := changeset.Settled(st, r.Where); err != nil {
		return err
	}
	original, err := cfn.GetTemplate(ctx, st.Name)
	if err != nil {
		return err
	}
	if r.Execute != "" {
		return r.executeKept(ctx, s, cfn, st, original)
	}
	res, tmpl, err := r.patch(ctx, cfn, st, original)
	if err != nil {
		if errors.Is(err, dind.ErrNoAgent) {
			return noAgentInStack(ctx, cfn, st, err)
		}
		return fmt.Errorf("stack %s: %w", st.Name, err)
	}
	// What the agents' hosts allow, before anything is written or
	// executed: arm64 hosts need the -linux-arm64-sudo tag.
	hosts := r.readHosts(ctx, cfn, st, tmpl, res)
	printHosts(s.Err, hosts)
	r.recordHosts(hosts)
	if hosts.Refusal != nil {
		return fmt.Errorf("stack %s: %w", st.Name, hosts.Refusal)
	}
	if opts, ok := agenthosts.WithArch(r.Options, hosts.Arch); ok {
		r.Options = opts
		if res, tmpl, err = r.patch(ctx, cfn, st, original); err != nil {
			return fmt.Errorf("stack %s: %w", st.Name, err)
		}
	}
	r.report().SetResult(original, res, r.Options)
	if !r.Apply {
		if err := r.teamcityReview(ctx, s, cfn, st, tmpl, res); err != nil {
			return err
		}
		return Deliver(res, original, st.Name, "", r.Options.Mode, r.Action, s)
	}
	return r.apply(ctx, s, cfn, st, original, tmpl, res)
}

// readHosts reads and judges the container instances of the clusters
// whose services run the edited task definitions (agenthosts.Read says
// what it costs); with one agent an instance (socket, complete, build
// directories) it reads the services' desired counts too. Nothing is read
// for mode none.
func (r *StackRun) readHosts(ctx context.Context, cfn StackClient, st *awsclient.Stack, tmpl *dind.Template, res *dind.Result) agenthosts.Judgement {
	if r.Options.Mode == dind.ModeNone || len(res.Targets) == 0 {
		return agenthosts.Judgement{}
	}
	var distinct []string
	if r.Options.OneAgentAnInstance() {
		distinct = res.Services
	}
	reading := agenthosts.Read(ctx, cfn, st.Name, tmpl.Services(res.Targets), distinct, r.Where)
	return reading.Judge(r.Options, res.Targets, res.Services)
}

// patch runs the engine on the deployed template, with the deployed values
// of the parameters that make the agent image (its tag is judged on what
// runs, not on the template's Default).
func (r *StackRun) patch(_ context.Context, _ StackClient, st *awsclient.Stack, original []byte) (*dind.Result, *dind.Template, error) {
	t, err := dind.Parse(original)
	if err != nil {
		return nil, nil, EngineError(err)
	}
	opts := r.Options
	opts.ParameterValues = st.Values(t.ImageParameters(opts))
	res, err := t.Apply(opts)
	if err == nil {
		err = res.Refusal()
	}
	if err != nil {
		return nil, nil, EngineError(err)
	}
	return res, t, nil
}

// noAgentInStack adds to a stack without an agent the nested stacks that
// have one: the agent of a stack built from nested templates lives there.
func noAgentInStack(ctx context.Context, cfn StackClient, st *awsclient.Stack, err error) error {
	nested, lerr := cfn.NestedStacks(ctx, st.ID)
	if lerr != nil || len(nested) == 0 {
		return fmt.Errorf("stack %s: %w", st.Name, err)
	}
	var with, names []string
	for i, n := range nested {
		if i == 8 { // enough to point the way; each costs a GetTemplate
			break
		}
		body, gerr := cfn.GetTemplate(ctx, n.PhysicalID)
		if gerr != nil {
			continue
		}
		if t, perr := dind.Parse(body); perr == nil && len(t.Agents()) > 0 {
			with = append(with, changeset.StackName(n.PhysicalID)+" (resource "+n.LogicalID+")")
			names = append(names, changeset.StackName(n.PhysicalID))
		}
	}
	if len(with) == 0 {
		return fmt.Errorf("stack %s: %w; its nested stacks have none either", st.Name, err)
	}
	return fmt.Errorf("stack %s has no TeamCity agent itself; its nested stack %s has one: see the change with tcdind --stack %s --diff, and make it in the child template that stack %s deploys (its TemplateURL), then update %s", st.Name, strings.Join(with, ", "), names[0], st.Name, st.Name)
}

// apply creates the change set, shows it, executes it when allowed and
// follows the update to its end.
func (r *StackRun) apply(ctx context.Context, s Streams, cfn StackClient, st *awsclient.Stack, original []byte, tmpl *dind.Template, res *dind.Result) (err error) {
	defer func() { r.recordFate("", err) }()
	mode := r.Options.Mode
	for _, w := range res.Warnings {
		fmt.Fprintln(s.say(), render.WarningLine(w))
	}
	targets := strings.Join(res.Targets, ", ")
	if !res.NeedsChange() {
		fmt.Fprintf(s.say(), "%s already in %s mode in stack %s: nothing to change, no change set created\n", targets, mode, st.Name)
		return nil
	}
	// A CODE_DEPLOY or EXTERNAL service cannot take the new task
	// definition from CloudFormation: refused before any change set.
	readsECS, _ := cfn.(rollout.Client)
	if err := rollout.CheckControllers(ctx, readsECS, st.Name, tmpl, res); err != nil {
		return err
	}
	printChanges(s, res)
	if note := render.SecurityNotePlain(mode); note != "" {
		fmt.Fprintln(s.Err, note)
	}
	// TeamCity's agents of the tasks the update replaces: read before any
	// change set exists, so a refused token or URL leaves nothing behind.
	if err := r.teamcityReview(ctx, s, cfn, st, tmpl, res); err != nil {
		return err
	}

	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	set := &changeset.Set{
		Client:   cfn,
		Reviewed: changeset.Review(st, original),
		Input:    changeset.NewInput(st, res, mode, now(), r.Random),
		Wait:     r.Wait,
		Settle:   r.Settle,
		Lookups:  r.Lookups,
		Where:    r.Where,
	}
	if r.NoExecute {
		// Kept for another run: it carries what it was made from.
		set.Input.Description += " " + set.Reviewed.Stamp()
	}
	key, err := changeset.Place(ctx, cfn, st, &set.Input, r.S3Bucket)
	if err != nil {
		return err
	}
	if key != "" {
		fmt.Fprintf(s.Err, "uploaded the template (%d bytes) to s3://%s/%s\n", len(res.Output), r.S3Bucket, key)
	}
	fmt.Fprintf(s.Err, "creating change set %s on stack %s\n", set.Input.Name, st.Name)
	made, err := set.Create(ctx)
	if err != nil {
		if set.ID != "" || set.Described != nil {
			r.recordChangeSet(set.Input.Name, set.ID, set.Described, nil)
		}
		return err
	}
	if made.NoChanges {
		r.recordChangeSet(set.Input.Name, set.ID, set.Described, nil)
		r.recordFate("no-changes", nil)
		fmt.Fprintln(s.say(), render.NothingToChange(st.Name, made.Cleanup.String()))
		return nil
	}
	cs := made.ChangeSet
	fmt.Fprintf(s.Err, "change set %s: %s:\n", set.Input.Name, render.Count(len(cs.Changes), "resource change", "resource changes"))
	io.WriteString(s.Err, render.ChangeSetTablePlain(cs.Changes))
	r.replacementLine(s, st.Name)

	other := changeset.ScopeOf(tmpl, res).Unexpected(cs.Changes)
	r.recordChangeSet(set.Input.Name, set.ID, cs, other)
	if len(other) > 0 {
		fmt.Fprintln(s.Err, render.WarningLine("this change set also changes resources tcdind did not edit: "+changeset.DescribeChanges(other)))
		if r.Yes && !r.AllowOtherChanges && !r.NoExecute {
			return set.Discard(ctx, &changeset.OtherChangesError{Name: set.Input.Name, Changes: other})
		}
	}

	if r.NoExecute {
		return r.keep(ctx, s, st, set)
	}
	if !r.Yes {
		ok, err := confirm(ctx, s, r.executeQuestion(set.Input.Name, st.Name))
		if ctx.Err() != nil {
			return set.Discard(ctx, nil)
		}
		if err != nil {
			return set.Discard(ctx, fmt.Errorf("not executed: %w", err))
		}
		if !ok {
			return set.Discard(ctx, errors.New("not executed: you answered no"))
		}
		// Time passed at the prompt: the stack or the change set may have
		// moved on.
		if err := set.Recheck(ctx); err != nil {
			return err
		}
	}
	if r.TeamCity != nil && r.TeamCity.Drain {
		// Every way out before executing enables the agents again and
		// deletes the change set.
		if err := r.drainAgents(ctx, s, cfn, st.Name, set.Input.Name); err != nil {
			return r.abandonDrain(ctx, s, set, err)
		}
		// Time passed while draining.
		if err := set.Recheck(ctx); err != nil {
			return r.withRestore(ctx, s, "(nothing was executed)", err)
		}
	}
	err = r.executeAndFollow(ctx, s, cfn, st, set, tmpl, res)
	return r.afterExecute(ctx, s, err)
}

// executeAndFollow executes the change set and follows the update and the
// agents' rollout to the end, then verifies what ECS runs.
func (r *StackRun) executeAndFollow(ctx context.Context, s Streams, cfn StackClient, st *awsclient.Stack, set *changeset.Set, tmpl *dind.Template, res *dind.Result) error {
	mode := r.Options.Mode
	targets := strings.Join(res.Targets, ", ")
	// The services that run the edited task definitions, and the
	// revisions they run now: read before the update changes them.
	ecs, _ := cfn.(rollout.Client)
	agents := rollout.Prepare(ctx, ecs, st.Name, tmpl, res, r.Options, r.Where)
	agents.PlacementGrace = r.PlacementGrace
	r.recordRollout(agents)
	started := time.Now()
	if err := set.Execute(ctx); err != nil {
		return err
	}
	r.recordFate("executed", nil)
	u := &changeset.Update{Stack: st, Targets: targets, Mode: mode, Token: set.Input.Name, Started: started, Reviewed: set.Reviewed.TemplateHash, Where: r.Where}
	defer r.recordUpdate(u)
	if ctx.Err() != nil {
		if err := changeset.GoesOn(ctx, cfn, u, r.Where); err != nil {
			return err
		}
		return r.ended(ctx, s, u, nil)
	}
	fmt.Fprintf(s.Err, "executing change set %s; following the events of stack %s%s:\n", set.Input.Name, st.Name, agentsFollowed(agents))
	return r.follow(ctx, s, cfn, u, agents)
}

// agentsFollowed names the ECS services followed beside the stack.
func agentsFollowed(w *rollout.Watch) string {
	if w.Off() || len(w.Services) == 0 {
		return ""
	}
	var names []string
	for _, svc := range w.Services {
		names = append(names, svc.Name)
	}
	return " and the ECS rollout of " + strings.Join(names, ", ")
}

// follow prints the update's events as plain lines until the stack reaches
// a terminal status.
func (r *StackRun) follow(ctx context.Context, s Streams, cfn StackClient, u *changeset.Update, agents *rollout.Watch) error {
	f := &changeset.Follower{Client: cfn, Update: u, Poll: r.Poll, GiveUp: r.GiveUp, Where: r.Where}
	var lastErr string
	for !u.Done() {
		events, err := f.Next(ctx)
		for _, e := range events {
			fmt.Fprintln(s.Err, render.EventLinePlain(e))
		}
		agents.Saw(events)
		if err == nil && !u.Done() {
			// ECS is read on while the update rolls back: the rollback
			// waits for the service too.
			if u.RollingBack() {
				agents.RollingBack()
			}
			if rollout.News(r.pollAgents(ctx, s, cfn, u, agents)) {
				f.Stir() // ECS moves: the next poll comes quickly
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				if gerr := changeset.GoesOn(ctx, cfn, u, r.Where); gerr != nil {
					return gerr
				}
				break
			}
			return err
		}
		if f.LastErr != nil && f.LastErr.Error() != lastErr {
			lastErr = f.LastErr.Error()
			fmt.Fprintln(s.Err, render.WarningLine("could not read the stack's events ("+oneLine(f.LastErr)+"); trying again"))
		}
	}
	return r.ended(ctx, s, u, agents)
}

// pollAgents reads the agents' ECS services once, prints what changed,
// and when their rollout is clearly failing says so once, then cancels
// the update (--on-rollout-failure=cancel) or says how to.
func (r *StackRun) pollAgents(ctx context.Context, s Streams, cfn StackClient, u *changeset.Update, agents *rollout.Watch) []rollout.Line {
	lines := agents.Poll(ctx)
	for _, l := range lines {
		fmt.Fprintln(s.Err, render.RolloutLinePlain(l))
		r.recordLine(l)
		if l.Kind != rollout.Failing {
			continue
		}
		if agents.FailedByBreaker() {
			// CloudFormation fails the service and rolls back by itself.
			fmt.Fprintln(s.Err, render.RolloutBreaker(u.Stack.Name))
			continue
		}
		c, ok := cfn.(changeset.Canceller)
		if r.OnRolloutFailure != RolloutCancel || !ok {
			fmt.Fprintln(s.Err, render.RolloutWaitAdvice(u.Stack.Name, r.Where))
			continue
		}
		fmt.Fprintln(s.Err, render.RolloutCancelling(u.Stack.Name))
		if err := u.Cancel(ctx, c, "the agents' rollout was failing"); err != nil {
			// What CloudFormation does, read back: most often it is
			// rolling back by itself already.
			fmt.Fprintln(s.Err, render.ErrorLine(oneLine(err)))
		}
	}
	return lines
}

// ended reports an update that reached its terminal status and, after
// UPDATE_COMPLETE, what ECS shows the agents run.
func (r *StackRun) ended(ctx context.Context, s Streams, u *changeset.Update, agents *rollout.Watch) error {
	if u.Final == "UPDATE_COMPLETE" {
		if ctx.Err() != nil {
			// Interrupted once CloudFormation said UPDATE_COMPLETE: the
			// update is done, ECS was not read. A signal ends a run with
			// 128+n wherever it comes after the update (here, or while
			// TeamCity is asked about the new agents); the line says what
			// is done and how to look at the rest.
			note := rollout.Line{Time: time.Now(), Kind: rollout.Note, Text: "not verified in ECS (interrupted); check with tcdind status" + r.Where}
			r.recordLine(note)
			fmt.Fprintln(s.say(), u.Unconfirmed())
			return changeset.InterruptedAfterUpdate(u.Stack.Name, "ECS was read", r.Where)
		}
		lines, err := agents.Verify(ctx, verifyTries, changeset.SettleDelay(r.Poll))
		for _, l := range lines {
			fmt.Fprintln(s.Err, render.RolloutLinePlain(l))
			r.recordLine(l)
		}
		r.recordVerified(lines, err)
		// One outcome line, after what it depends on: updated as asked,
		// or (the error) updated but not as asked; never both.
		var mismatch *rollout.MismatchError
		switch {
		case errors.As(err, &mismatch):
		case rollout.Confirmed(lines, err):
			fmt.Fprintln(s.say(), u.Success())
		default:
			fmt.Fprintln(s.say(), u.Unconfirmed())
		}
		if err == nil && r.TeamCity != nil {
			// TeamCity's own word comes last.
			return r.confirmNewAgents(ctx, s, r.client)
		}
		return err
	}
	fmt.Fprint(s.Err, render.FailedResources(u.Failed, u.StackReason))
	return u.Err(r.Where)
}

// verifyTries bounds reading the services again after UPDATE_COMPLETE
// while only their task counts differ from the desired ones.
const verifyTries = 3

// errNoAnswer is standard input closing before an answer came.
var errNoAnswer = errors.New("no answer came (standard input closed)")

// confirm asks a yes/no question on the terminal; only y or yes is yes.
func confirm(ctx context.Context, s Streams, question string) (bool, error) {
	fmt.Fprint(s.say(), question)
	type reply struct {
		line string
		err  error
	}
	answer := make(chan reply, 1)
	go func() {
		line, err := bufio.NewReader(s.In).ReadString('\n')
		answer <- reply{line, err}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.say())
		return false, ctx.Err()
	case a := <-answer:
		if a.err != nil && strings.TrimSpace(a.line) == "" {
			fmt.Fprintln(s.say())
			return false, errNoAnswer
		}
		line := strings.ToLower(strings.TrimSpace(a.line))
		return line == "y" || line == "yes", nil
	}
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
