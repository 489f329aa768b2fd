package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// keep ends --apply --no-execute: the change set stays for review, and the
// commands that execute it are printed. Interrupted before it was said,
// it is deleted as any other.
func (r *StackRun) keep(ctx context.Context, s Streams, st *awsclient.Stack, set *changeset.Set) error {
	if ctx.Err() != nil {
		return set.Discard(ctx, nil)
	}
	arn := set.ID
	url := changeset.ConsoleURL(st.Partition(), regionOf(arn, st), st.ID, arn)
	awsCmd := "aws cloudformation execute-change-set --change-set-name " + arn + r.Where
	tcdindCmd := "tcdind --stack " + st.Name + r.Where + r.executeFlags() + " --execute " + set.Input.Name + " --yes"
	// Every printed command carries --region, --profile and --endpoint-url
	// (r.Where), the delete one too.
	deleteCmd := "aws cloudformation delete-change-set --change-set-name " + arn + r.Where
	fmt.Fprintln(s.say(), render.KeptChangeSet(set.Input.Name, arn, url, awsCmd, tcdindCmd, deleteCmd))
	if d := r.report(); d != nil && d.ChangeSet != nil {
		d.ChangeSet.Fate, d.ChangeSet.ConsoleURL, d.ChangeSet.ExecuteCommand = "kept", url, awsCmd
	}
	return nil
}

// regionOf is the region in an ARN (the change set's), else the stack's.
func regionOf(arn string, st *awsclient.Stack) string {
	if r := (&awsclient.Stack{ID: arn}).Region(); r != "" {
		return r
	}
	return st.Region()
}

// changeSetTemplater reads the template a change set would deploy.
type changeSetTemplater interface {
	ChangeSetTemplate(ctx context.Context, stack, changeSet string) ([]byte, error)
}

// executeKept is --execute NAME|ARN: execute a change set tcdind made
// earlier (--apply --no-execute) once it is sure the stack has not moved
// since it was made, then follow and verify as --apply does.
func (r *StackRun) executeKept(ctx context.Context, s Streams, cfn StackClient, st *awsclient.Stack, original []byte) (err error) {
	executing := false
	defer func() {
		if executing {
			r.recordFate("", err)
		} else {
			r.recordFate("kept", nil) // refused or not confirmed: untouched
		}
	}()
	cs, err := cfn.DescribeChangeSet(ctx, st.Name, r.Execute)
	if errors.Is(err, awsclient.ErrChangeSetNotFound) {
		return fmt.Errorf("stack %s has no change set %s: list them with aws cloudformation list-change-sets --stack-name %s%s", st.Name, r.Execute, st.Name, r.Where)
	}
	if err != nil {
		return err
	}
	r.recordChangeSet(cs.Name, cs.ID, cs, nil)
	mode := changeset.ModeOfName(cs.Name)
	if mode == "" {
		return fmt.Errorf("change set %s was not made by tcdind: tcdind executes only what it made and showed (tcdind --stack %s%s --apply --no-execute); review that one in the console", cs.Name, st.Name, r.Where)
	}
	if r.Options.Mode != "" && string(r.Options.Mode) != mode {
		return fmt.Errorf("change set %s puts the agents in %s mode, not %s: pass --mode %s or make a new one with --apply --no-execute", cs.Name, mode, r.Options.Mode, mode)
	}
	if cs.Status != "CREATE_COMPLETE" || cs.ExecutionStatus != "AVAILABLE" {
		return fmt.Errorf("change set %s cannot be executed: it is %s/%s (%s); nothing was executed: make a new one with tcdind --stack %s%s --apply --no-execute", cs.Name, cs.Status, cs.ExecutionStatus, notExecutable(cs.Status, cs.ExecutionStatus), st.Name, r.Where)
	}
	// The optimistic check of changeset.Reviewed, against the stack as it
	// was when the change set was made (its description carries it), and
	// its creation time: an update of the stack since would be undone by
	// executing it.
	moved := func(what string) error {
		return fmt.Errorf("stack %s %s after change set %s was made: executing it would undo that, so nothing was executed; make a new one with tcdind --stack %s%s --apply --no-execute", st.Name, what, cs.Name, st.Name, r.Where)
	}
	if !cs.Created.IsZero() && st.LastUpdated.After(cs.Created) {
		return moved("was updated at " + st.LastUpdated.UTC().Format("2006-01-02 15:04:05") + " UTC")
	}
	made, ok := changeset.FromStamp(st.Name, cs.Description)
	if !ok {
		return fmt.Errorf("change set %s does not say what stack %s was when it was made (made by an older tcdind?): nothing was executed; make a new one with tcdind --stack %s%s --apply --no-execute", cs.Name, st.Name, st.Name, r.Where)
	}
	if err := made.Check(ctx, cfn); err != nil {
		var me *changeset.MovedError
		if errors.As(err, &me) {
			return moved(me.What)
		}
		return err
	}
	tr, ok := cfn.(changeSetTemplater)
	if !ok {
		return errors.New("this client cannot read a change set's template")
	}
	body, err := tr.ChangeSetTemplate(ctx, st.Name, cs.ID)
	if err != nil {
		return err
	}
	tmpl, err := dind.Parse(body)
	if err != nil {
		return fmt.Errorf("change set %s: %w", cs.Name, err)
	}
	res := &dind.Result{Output: body, Changed: true}
	for _, td := range tmpl.Agents() {
		if slices.ContainsFunc(cs.Changes, func(c awsclient.ResourceChange) bool { return c.LogicalID == td.LogicalID }) {
			res.Targets = append(res.Targets, td.LogicalID)
		}
	}
	r.Options.Mode = dind.Mode(mode)
	r.report().SetResult(original, res, r.Options)
	fmt.Fprintf(s.Err, "change set %s (made %s): %s:\n", cs.Name, cs.Created.UTC().Format("2006-01-02 15:04:05 UTC"), render.Count(len(cs.Changes), "resource change", "resource changes"))
	io.WriteString(s.Err, render.ChangeSetTablePlain(cs.Changes))
	if err := r.teamcityReview(ctx, s, cfn, st, tmpl, res); err != nil {
		return err
	}
	r.replacementLine(s, st.Name)

	set := &changeset.Set{
		Client:   cfn,
		Reviewed: changeset.Review(st, original),
		Input:    awsclient.ChangeSetInput{Stack: st.Name, Name: cs.Name},
		Wait:     r.Wait,
		Settle:   r.Settle,
		Lookups:  r.Lookups,
		Where:    r.Where,
		ID:       cs.ID,
	}
	if !r.Yes {
		ok, err := confirm(ctx, s, r.executeQuestion(cs.Name, st.Name))
		if ctx.Err() != nil {
			return keptNotExecuted(ctx.Err())
		}
		if err != nil || !ok {
			if err == nil {
				err = errors.New("you answered no")
			}
			return fmt.Errorf("not executed: %w; change set %s is kept", err, cs.Name)
		}
		// Time passed at the prompt: the stack may have moved on.
		if err := set.Reviewed.Check(ctx, cfn); err != nil {
			return fmt.Errorf("%w; change set %s is kept", err, cs.Name)
		}
	}
	if r.TeamCity != nil && r.TeamCity.Drain {
		// A way out of the drain enables the agents again; the change
		// set tcdind was asked to execute is kept as it was.
		if err := r.drainAgents(ctx, s, cfn, st.Name, cs.Name); err != nil {
			return r.withRestore(ctx, s, "(nothing was executed)", keptNotExecuted(err))
		}
		if err := set.Reviewed.Check(ctx, cfn); err != nil {
			return r.withRestore(ctx, s, "(nothing was executed)", fmt.Errorf("%w; change set %s is kept", err, cs.Name))
		}
	}
	executing = true
	err = r.executeAndFollow(ctx, s, cfn, st, set, tmpl, res)
	return r.afterExecute(ctx, s, err)
}

func keptNotExecuted(err error) error {
	return fmt.Errorf("not executed (%w); the change set tcdind was asked to execute is kept as it was", err)
}

// notExecutable says why a change set cannot be executed, from its status
// and execution status (CloudFormation's DescribeChangeSet:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html);
// it was always "OBSOLETE: the stack was updated", also for one executed
// already.
func notExecutable(status, execution string) string {
	switch {
	case execution == "EXECUTE_COMPLETE":
		return "it was executed already"
	case execution == "EXECUTE_IN_PROGRESS":
		return "it is being executed"
	case execution == "EXECUTE_FAILED":
		return "its execution failed"
	case execution == "OBSOLETE":
		return "OBSOLETE: the stack was updated since it was made"
	case status == "FAILED":
		return "CloudFormation could not create it"
	case status != "CREATE_COMPLETE":
		return "it is not ready to execute"
	}
	return "CloudFormation cannot execute it"
}
