package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tcdind/tcdind/agentmatch"
	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
	"github.com/tcdind/tcdind/teamcity"
)

// TeamCityClient is what a stack run asks of TeamCity; *teamcity.Client
// is one.
type TeamCityClient interface {
	Server(ctx context.Context) (teamcity.Server, error)
	Agents(ctx context.Context) ([]teamcity.Agent, error)
	drain.Client
	URL() string
}

// TeamCity is a stack run's TeamCity side (--teamcity-url). Without Drain
// it reads: the review shows which agents run in the tasks the update
// replaces, and after the rollout TeamCity's own view of the new agents
// confirms Docker. With Drain the matched agents are disabled and their
// builds waited for before executing.
type TeamCity struct {
	Client TeamCityClient
	Drain  bool
	// DrainTimeout bounds waiting for the builds (default
	// drain.DefaultTimeout); ExecuteOnTimeout is the rule with --yes
	// when it passes: false (the default) executes nothing, enables the
	// agents again, deletes the change set and exits 1.
	DrainTimeout     time.Duration
	ExecuteOnTimeout bool
	// Wait bounds waiting for the new agents (default
	// newagents.DefaultBound).
	Wait time.Duration
	// Flags are the TeamCity flags of this run as the commands tcdind
	// prints carry them (" --teamcity-url URL [--teamcity-token-file F]"):
	// the kept change set's --execute run is TeamCity-aware too.
	Flags string
	// Poll is the pause between reads while draining and waiting
	// (default drain.DefaultPoll).
	Poll time.Duration
	// ProgressEvery is how often an unchanged drain is said again
	// (default a minute).
	ProgressEvery time.Duration

	services []agentmatch.Service
	defs     agentmatch.Defs
	old      map[string]bool // the task ARNs before the update
	match    agentmatch.Result
	read     bool  // the tasks and agents were read
	readErr  error // why the tasks could not be read (no --drain)
	d        *drain.Drain
	builds   map[int]drain.Running // every build seen while draining
	timedOut bool
	anyway   bool
}

func (tc *TeamCity) drainTimeout() time.Duration {
	if tc.DrainTimeout > 0 {
		return tc.DrainTimeout
	}
	return drain.DefaultTimeout
}

func (tc *TeamCity) wait() time.Duration {
	if tc.Wait > 0 {
		return tc.Wait
	}
	return newagents.DefaultBound
}

// ecsTasks is what reading the agents' tasks asks of AWS.
type ecsTasks interface {
	rollout.Client
	agentmatch.Reader
}

// teamcityReview reads TeamCity (its version proves the URL and the
// token), the agent tasks of the services the update replaces, and the
// agents, and shows which agent runs in which task. Any TeamCity error
// ends the run here, before a change set exists. Without --drain a task
// list ECS denies is a note; with it, an error: tcdind drains only agents
// it can tell.
func (r *StackRun) teamcityReview(ctx context.Context, s Streams, cfn StackClient, st *awsclient.Stack, tmpl *dind.Template, res *dind.Result) error {
	tc := r.TeamCity
	if tc == nil {
		return nil
	}
	srv, err := tc.Client.Server(ctx)
	if err != nil {
		return err
	}
	r.recordTeamCityServer(tc.Client.URL(), srv.Version)
	tasks, err := r.readAgentTasks(ctx, cfn, st, tmpl, res)
	if err != nil {
		if tc.Drain {
			return fmt.Errorf("cannot tell which TeamCity agents run in stack %s's tasks, so nothing can be drained: %w (--drain needs ecs:ListTasks, ecs:DescribeTasks and ecs:DescribeTaskDefinition)", st.Name, err)
		}
		tc.readErr = err
		fmt.Fprintln(s.say(), render.WarningLine(fmt.Sprintf("the agents' tasks could not be read, so TeamCity's agents are not matched to them: %s", oneLine(err))))
		return nil
	}
	agents, err := tc.Client.Agents(ctx)
	if err != nil {
		return err
	}
	tc.match = agentmatch.Match(tasks, agents)
	tc.read = true
	fmt.Fprintln(s.Err, render.TeamCityServer(tc.Client.URL(), srv.Version, len(tasks)))
	total := 0
	counts := map[int]int{}
	for _, p := range tc.match.Pairs {
		builds, err := tc.Client.RunningBuilds(ctx, p.Agent.ID)
		if err != nil {
			return err
		}
		counts[p.Agent.ID] = len(builds)
		total += len(builds)
		fmt.Fprintln(s.Err, render.TeamCityAgentLine(p, len(builds)))
	}
	for _, u := range tc.match.Unmatched {
		fmt.Fprintln(s.say(), render.TeamCityUnmatchedLine(u, tc.Drain))
	}
	r.recordTeamCityMatch(tc.match, counts)
	switch {
	case !r.Apply && r.Execute == "", r.NoExecute:
		// Nothing is executed by this run (--drain goes with the
		// --execute run).
	case tc.Drain && len(tc.match.Pairs) > 0:
		rule := ""
		if r.Yes || !r.Interactive {
			rule = render.DrainRule(tc.ExecuteOnTimeout)
		}
		fmt.Fprintln(s.Err, render.DrainPlan(len(tc.match.Pairs), tc.drainTimeout(), rule))
	case !tc.Drain && len(tc.match.Pairs) > 0:
		fmt.Fprintln(s.say(), render.TeamCityNoDrain(total))
	}
	return nil
}

// readAgentTasks reads the running tasks of the services that run the
// edited task definitions, and keeps their ARNs: after the update, the
// tasks that are not among them are the new ones.
func (r *StackRun) readAgentTasks(ctx context.Context, cfn StackClient, st *awsclient.Stack, tmpl *dind.Template, res *dind.Result) ([]agentmatch.Task, error) {
	tc := r.TeamCity
	ecs, ok := cfn.(ecsTasks)
	if !ok {
		return nil, errors.New("this client cannot read ECS")
	}
	located, err := rollout.Locate(ctx, ecs, st.Name, tmpl, res, r.Options)
	if err != nil {
		return nil, err
	}
	tc.services = nil
	for _, l := range located {
		tc.services = append(tc.services, agentmatch.Service{Name: l.Name, Cluster: l.Cluster, Containers: l.Containers})
	}
	tc.defs = agentmatch.Defs{}
	tasks, err := agentmatch.ReadTasksWith(ctx, ecs, tc.services, tc.defs)
	if err != nil {
		return nil, err
	}
	tc.old = map[string]bool{}
	for _, t := range tasks {
		tc.old[t.ARN] = true
	}
	return tasks, nil
}

// drainTimedOutError is a drain whose timeout passed, under the rule
// that executes nothing (or a no at the question).
type drainTimedOutError struct{ text string }

func (e *drainTimedOutError) Error() string { return e.text }

// drainAgents disables the matched agents and waits for their builds.
// An error means: do not execute (the caller enables the agents again).
func (r *StackRun) drainAgents(ctx context.Context, s Streams, cfn StackClient, stack, changeSet string) error {
	tc := r.TeamCity
	if tc == nil || !tc.Drain || len(tc.match.Pairs) == 0 {
		return nil
	}
	// TeamCity's clock, not the run's (r.Now names the change set).
	switchBack := time.Now().Add(tc.drainTimeout() + drain.SwitchBackMargin).UTC().Truncate(time.Second)
	tc.d = &drain.Drain{
		Client: tc.Client, Agents: tc.match.Agents(),
		Comment:    drain.Comment(stack, changeSet, switchBack),
		SwitchBack: switchBack, Timeout: tc.drainTimeout(), Poll: tc.Poll,
		Adopt: r.adoptLeftDisabled(s, cfn, stack, changeSet),
	}
	err := tc.d.Disable(ctx)
	r.recordDrain()
	if err != nil {
		return err
	}
	adopted := tc.d.Adopted()
	fresh := slices.DeleteFunc(slices.Clone(tc.d.Disabled()), func(a teamcity.Agent) bool {
		return slices.ContainsFunc(adopted, func(b teamcity.Agent) bool { return a.ID == b.ID })
	})
	for _, l := range render.DrainDisabledLines(fresh, tc.d.Before(), switchBack) {
		fmt.Fprintln(s.Err, l)
	}
	for _, a := range adopted {
		_, earlier, _ := drain.ParseComment(a.EnabledInfo.Comment)
		fmt.Fprintln(s.say(), render.DrainAdoptedLine(a.Name, stack, earlier))
	}
	every := tc.ProgressEvery
	if every <= 0 {
		every = time.Minute
	}
	tc.builds = map[int]drain.Running{}
	var said string
	var saidAt time.Time
	st, err := tc.d.Wait(ctx, func(st drain.Status) {
		ids := ""
		for _, b := range st.Builds {
			tc.builds[b.ID] = b
			ids += fmt.Sprintf("%d,", b.ID)
		}
		if ids != said || time.Since(saidAt) >= every || len(st.Builds) == 0 || st.TimedOut {
			said, saidAt = ids, time.Now()
			fmt.Fprintln(s.Err, render.DrainProgressLine(st, tc.drainTimeout(), time.Now()))
		}
	})
	r.recordDrainWait(st)
	if err != nil {
		return err
	}
	if !st.TimedOut {
		return r.rearmAgents(ctx, s, stack, changeSet)
	}
	tc.timedOut = true
	r.recordDrainWait(st)
	if r.Interactive && !r.Yes {
		ok, qerr := confirm(ctx, s, render.DrainTimeoutQuestion(st, time.Now()))
		if qerr != nil {
			return qerr
		}
		if !ok {
			return &drainTimedOutError{render.DrainTimedOut(st, time.Now())}
		}
	} else if !tc.ExecuteOnTimeout {
		return &drainTimedOutError{render.DrainTimedOut(st, time.Now())}
	}
	if err := r.rearmAgents(ctx, s, stack, changeSet); err != nil {
		return err
	}
	tc.anyway = true
	r.recordDrainWait(st)
	fmt.Fprintln(s.say(), render.DrainExecutingAnyway(st, time.Now()))
	return nil
}

// rearmAgents, just before executing, moves the drained agents'
// switch-back time past the update (drain.UpdateMargin). An agent found
// enabled again (the question waited past the first switch-back time)
// that took a build meanwhile stops the run: executing would cut that
// build off, which the user was never asked about.
func (r *StackRun) rearmAgents(ctx context.Context, s Streams, stack, changeSet string) error {
	tc := r.TeamCity
	if len(tc.d.Disabled()) == 0 {
		return nil
	}
	switchBack, meanwhile, builds, err := tc.d.BeforeExecute(ctx, stack, changeSet, time.Now())
	if err != nil {
		return err
	}
	if len(builds) > 0 {
		return &drainTimedOutError{render.DrainEnabledMeanwhile(meanwhile, builds, time.Now())}
	}
	fmt.Fprintln(s.Err, render.DrainRearmedLine(len(tc.d.Disabled()), switchBack))
	return nil
}

// adoptLeftDisabled is the drain's Adopt (drain.AdoptLeft): an agent an
// earlier tcdind run on the stack left disabled is taken as this run's
// when that run is over; one left alone is said, with the command that
// deletes a change set that can still be executed.
func (r *StackRun) adoptLeftDisabled(s Streams, cfn StackClient, stack, changeSet string) func(context.Context, teamcity.Agent, teamcity.EnabledInfo) bool {
	return drain.AdoptLeft(stack, changeSet, changeset.State(cfn, stack), func(a teamcity.Agent, earlier string, readErr error) {
		if readErr != nil {
			fmt.Fprintln(s.say(), render.DrainNotAdoptedLine(a.Name, earlier, "its change set could not be read: "+oneLine(readErr), ""))
			return
		}
		del := "aws cloudformation delete-change-set --stack-name " + stack + " --change-set-name " + earlier + r.Where
		fmt.Fprintln(s.say(), render.DrainNotAdoptedLine(a.Name, earlier, "that change set can still be executed, so that run may still be draining", del))
	})
}

// restoreAgents enables again the agents the drain disabled, reads them
// back and says what it found; it is done once, whatever the way out.
// The error names each agent left disabled, with how to enable it.
func (r *StackRun) restoreAgents(ctx context.Context, s Streams, why string) error {
	tc := r.TeamCity
	if tc == nil || tc.d == nil || len(tc.d.Disabled()) == 0 {
		return nil
	}
	restored := tc.d.Restore(ctx, "tcdind: enabled again "+why)
	tc.d = nil
	r.recordRestored(restored)
	lines, errs := render.RestoredLines(restored, tc.Client.URL())
	for _, l := range lines {
		fmt.Fprintln(s.say(), l)
	}
	if len(errs) == 0 {
		return nil
	}
	for _, e := range errs[:len(errs)-1] {
		fmt.Fprintln(s.say(), render.ErrorLine(e))
	}
	return errors.New(errs[len(errs)-1])
}

// withRestore ends a way out: the agents are enabled again, and a failure
// to is the run's error when it has none (else it is printed beside it).
func (r *StackRun) withRestore(ctx context.Context, s Streams, why string, err error) error {
	rerr := r.restoreAgents(ctx, s, why)
	if rerr == nil {
		return err
	}
	if err == nil {
		return rerr
	}
	fmt.Fprintln(s.say(), render.ErrorLine(oneLine(rerr)))
	return err
}

// afterExecute ends a run that executed the change set: the drained
// agents are enabled again (their tasks are replaced, or back after a
// rollback) — except while the update goes on in AWS (tcdind was
// interrupted): their tasks are still being replaced, and an enabled agent
// would take a build the update then cuts off. They stay disabled until
// TeamCity's switch-back time, which is said with the command that enables
// them sooner.
func (r *StackRun) afterExecute(ctx context.Context, s Streams, err error) error {
	tc := r.TeamCity
	if tc != nil && tc.d != nil && len(tc.d.Disabled()) > 0 && exitcode.Code(err) == exitcode.Pending {
		fmt.Fprintln(s.say(), render.DrainStaysDisabled(tc.d.Disabled(), tc.d.SwitchBack, tc.Client.URL()))
		out := r.drainReport()
		for _, a := range tc.d.Disabled() {
			if out != nil {
				out.NotReenabled = append(out.NotReenabled, a.Name)
			}
		}
		tc.d = nil
		return err
	}
	return r.withRestore(ctx, s, "after the update", err)
}

// replacementLine says that the update replaces the agent tasks: a
// warning that builds are cut off, or with --drain a note that they are
// let finish first.
func (r *StackRun) replacementLine(s Streams, stack string) {
	if tc := r.TeamCity; tc != nil && tc.Drain && len(tc.match.Pairs) > 0 {
		fmt.Fprintln(s.Err, render.ReplacementDrained(stack))
		return
	}
	fmt.Fprintln(s.Err, render.ReplacementWarning(stack))
}

// executeFlags are the TeamCity flags of the printed command that
// executes a kept change set: with matched agents, --drain too (that run
// replaces their tasks; without it their builds are cut off).
func (r *StackRun) executeFlags() string {
	tc := r.TeamCity
	if tc == nil {
		return ""
	}
	if tc.read && len(tc.match.Pairs) > 0 {
		return tc.Flags + " --drain"
	}
	return tc.Flags
}

// executeQuestion asks before executing; with --drain it says the agents
// are drained first.
func (r *StackRun) executeQuestion(changeSet, stack string) string {
	if tc := r.TeamCity; tc != nil && tc.Drain && len(tc.match.Pairs) > 0 {
		return fmt.Sprintf("Drain the %s, then execute change set %s on stack %s? [y/N] ", render.Count(len(tc.match.Pairs), "matched TeamCity agent", "matched TeamCity agents"), changeSet, stack)
	}
	return fmt.Sprintf("Execute change set %s on stack %s? [y/N] ", changeSet, stack)
}

// abandonDrain is a way out of the drain before executing: the agents
// are enabled again first, then the change set is deleted (checked).
func (r *StackRun) abandonDrain(ctx context.Context, s Streams, set *changeset.Set, cause error) error {
	rerr := r.restoreAgents(ctx, s, "(nothing was executed)")
	var err error
	var timedOut *drainTimedOutError
	switch {
	case ctx.Err() != nil:
		err = set.Discard(ctx, nil)
	case errors.As(cause, &timedOut):
		err = set.Discard(ctx, cause)
	default:
		err = set.Discard(ctx, fmt.Errorf("not executed: %w", cause))
	}
	if rerr != nil {
		fmt.Fprintln(s.say(), render.ErrorLine(oneLine(rerr)))
		if err == nil {
			err = rerr
		}
	}
	return err
}

// confirmNewAgents, after UPDATE_COMPLETE and ECS's verification, enables
// the drained agents again, then waits (bounded) until TeamCity shows the
// new tasks' agents connected, authorized and reporting Docker; the last
// line says what TeamCity sees.
func (r *StackRun) confirmNewAgents(ctx context.Context, s Streams, cfn StackClient) error {
	tc := r.TeamCity
	if err := r.restoreAgents(ctx, s, "after the update"); err != nil {
		return err
	}
	if !tc.read {
		fmt.Fprintln(s.say(), render.NoteLine("TeamCity was not asked about the new agents: their tasks could not be read ("+oneLine(tc.readErr)+")"))
		return nil
	}
	ecs, _ := cfn.(ecsTasks)
	check := &newagents.Check{
		Client: tc.Client,
		Tasks: func(ctx context.Context) ([]agentmatch.Task, error) {
			all, err := agentmatch.ReadTasksWith(ctx, ecs, tc.services, tc.defs)
			return slices.DeleteFunc(all, func(t agentmatch.Task) bool { return tc.old[t.ARN] }), err
		},
		Bound: tc.wait(), Poll: tc.Poll,
	}
	var said string
	rep, err := check.Run(ctx, func(rep newagents.Report) {
		still := rep
		still.Elapsed = 0
		if key := render.NewAgentsProgress(still, 0); key != said {
			said = key
			fmt.Fprintln(s.Err, render.NewAgentsProgress(rep, tc.wait()))
		}
	})
	r.recordNewAgents(rep)
	if err != nil && ctx.Err() != nil {
		// The update is complete and the drained agents are enabled
		// again: only TeamCity's word on the new agents is missing. Not
		// "nothing was written".
		return exitcode.WithCode(exitcode.Interrupted, fmt.Errorf("interrupted while waiting for TeamCity to see the new agents; the update is complete; see them at %s/agents.html", tc.Client.URL()))
	}
	if err != nil {
		return fmt.Errorf("TeamCity's view of the new agents: %w", err)
	}
	if _, total := rep.Ready(); total == 0 {
		fmt.Fprintln(s.say(), render.NoteLine("no new agent task runs (desired count 0?): TeamCity has no new agent to confirm"))
		return nil
	}
	if err := rep.Err(tc.Client.URL(), tc.wait()); err != nil {
		return err
	}
	for _, a := range rep.Agents {
		fmt.Fprintln(s.Err, render.NewAgentLine(a))
	}
	fmt.Fprintln(s.say(), render.TeamCitySees(rep))
	return nil
}
