package batch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
)

// MaxTemplateBody is the largest template CloudFormation accepts inline
// (TemplateBody); larger ones must come from S3 (TemplateURL).
const MaxTemplateBody = 51200

// DefaultPoll are the delays before each DescribeStackEvents call while an
// update runs: at once, then about 2 s rising to 5 s; the last one repeats.
var DefaultPoll = []time.Duration{0, 2 * time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second}

// cleanupTimeout bounds deleting a change set after the run was interrupted.
const cleanupTimeout = 30 * time.Second

// StackRun is a non-interactive run on an existing CloudFormation stack.
// Without Apply it reads the deployed template and writes, diffs or checks
// it as TemplateRun does; with Apply it creates, shows and executes a change
// set and follows the stack's events to the end.
type StackRun struct {
	Stack   string // name or ARN
	Options dind.Options
	Action  Action // without Apply; InPlace is not allowed

	Apply bool
	// Yes executes without asking.
	Yes bool
	// Interactive: a person can answer y/N on the terminal (standard input
	// and output are terminals and --non-interactive is absent). Without it
	// Apply needs Yes.
	Interactive bool
	// S3Bucket receives templates over MaxTemplateBody.
	S3Bucket string

	// Client returns the AWS client. It is called once, after the flags were
	// checked, so that a usage error never loads AWS configuration.
	Client func(context.Context) (awsclient.CloudFormation, error)

	// Poll are the delays before each DescribeStackEvents call (default
	// DefaultPoll); Wait bounds waiting for the change set (default
	// awsclient.DefaultWait). Tests shorten both.
	Poll []time.Duration
	Wait awsclient.Wait
	// Now names the change set; default time.Now.
	Now func() time.Time
}

// Run reads the stack and its template, patches it, and delivers or applies it.
func (r StackRun) Run(ctx context.Context, s Streams) error {
	if r.Apply && !r.Yes && !r.Interactive {
		return exitcode.UsageError("--apply without a terminal needs --yes to execute the change set (see the change first with --diff)")
	}
	if r.Action.InPlace {
		return exitcode.UsageError("--in-place needs --template; with --stack use --output PATH or --apply")
	}
	cfn, err := r.Client(ctx)
	if err != nil {
		return err
	}
	st, err := cfn.DescribeStack(ctx, r.Stack)
	if err != nil {
		return err
	}
	if err := settled(st); err != nil {
		return err
	}
	original, err := cfn.GetTemplate(ctx, st.Name)
	if err != nil {
		return err
	}
	res, err := Patch(original, r.Options)
	if err != nil {
		return fmt.Errorf("stack %s: %w", st.Name, err)
	}
	if !r.Apply {
		return Deliver(res, original, st.Name, "", r.Options.Mode, r.Action, s)
	}
	return r.apply(ctx, s, cfn, st, res)
}

// settled refuses a stack that cannot take an update now, saying what to do.
func settled(st *awsclient.Stack) error {
	name, status := st.Name, st.Status
	switch {
	case status == "ROLLBACK_COMPLETE":
		return fmt.Errorf("stack %s is in ROLLBACK_COMPLETE: its creation failed, so it can only be deleted; delete it and create it again from a template patched with tcdind --template", name)
	case status == "REVIEW_IN_PROGRESS":
		return fmt.Errorf("stack %s is in REVIEW_IN_PROGRESS: it was created by a change set that was never executed, so nothing is deployed yet; execute or delete that change set first", name)
	case status == "DELETE_COMPLETE":
		return fmt.Errorf("stack %s was deleted (DELETE_COMPLETE): pass a live stack", name)
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return fmt.Errorf("stack %s is busy (%s): wait until the operation ends (aws cloudformation describe-stacks --stack-name %s) and run tcdind again", name, status, name)
	case status == "UPDATE_ROLLBACK_FAILED":
		return fmt.Errorf("stack %s is in UPDATE_ROLLBACK_FAILED: finish the rollback first (aws cloudformation continue-update-rollback --stack-name %s), then run tcdind again", name, name)
	case !strings.HasSuffix(status, "_COMPLETE"):
		reason := ""
		if st.StatusReason != "" {
			reason = " (" + st.StatusReason + ")"
		}
		return fmt.Errorf("stack %s is in %s%s, not in a settled *_COMPLETE state: repair it first, then run tcdind again", name, status, reason)
	}
	return nil
}

// apply creates the change set, shows it, executes it when allowed and
// follows the update to its end.
func (r StackRun) apply(ctx context.Context, s Streams, cfn awsclient.CloudFormation, st *awsclient.Stack, res *dind.Result) error {
	mode := r.Options.Mode
	for _, w := range res.Warnings {
		fmt.Fprintf(s.Err, "tcdind: warning: %s\n", w)
	}
	targets := strings.Join(res.Targets, ", ")
	if !res.Changed {
		fmt.Fprintf(s.Err, "%s already in %s mode in stack %s: nothing to change, no change set created\n", targets, mode, st.Name)
		return nil
	}
	printChanges(s, res)
	if note := render.SecurityNotePlain(mode); note != "" {
		fmt.Fprintln(s.Err, note)
	}

	in := awsclient.ChangeSetInput{
		Stack:              st.Name,
		Description:        fmt.Sprintf("tcdind: %s Docker-in-Docker for %s", mode, targets),
		PreviousParameters: st.ParameterKeys,
		Capabilities:       st.Capabilities,
	}
	if len(res.Output) > MaxTemplateBody {
		if r.S3Bucket == "" {
			return fmt.Errorf("the patched template of stack %s is %d bytes, over CloudFormation's limit of %d bytes for a template sent inline: pass --s3-bucket BUCKET to upload it to S3 and pass its URL", st.Name, len(res.Output), MaxTemplateBody)
		}
		key := fmt.Sprintf("tcdind/%s/%x.%s", st.Name, sha256.Sum256(res.Output), templateExt(res.Output))
		url, err := cfn.UploadTemplate(ctx, r.S3Bucket, key, res.Output)
		if err != nil {
			if ctx.Err() != nil {
				return interrupted("nothing was changed")
			}
			return err
		}
		fmt.Fprintf(s.Err, "uploaded the template (%d bytes) to s3://%s/%s\n", len(res.Output), r.S3Bucket, key)
		in.TemplateURL = url
	} else {
		in.TemplateBody = res.Output
	}

	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	in.Name = fmt.Sprintf("tcdind-%s-%s", mode, now().UTC().Format("20060102-150405"))
	in.ClientToken = in.Name
	fmt.Fprintf(s.Err, "creating change set %s on stack %s\n", in.Name, st.Name)

	// From here on a change set may exist: every way out before execution
	// deletes it.
	csRef := in.Name
	cleanup := func() error {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		return cfn.DeleteChangeSet(cctx, st.Name, csRef)
	}
	abort := func(err error) error {
		if ctx.Err() != nil {
			if derr := cleanup(); derr != nil {
				return exitcode.WithCode(exitcode.Interrupted, fmt.Errorf("interrupted: %w", derr))
			}
			return interrupted(fmt.Sprintf("change set deleted, stack %s unchanged", st.Name))
		}
		if derr := cleanup(); derr != nil {
			fmt.Fprintf(s.Err, "tcdind: warning: %s\n", oneLine(derr))
		}
		return err
	}

	id, err := cfn.CreateChangeSet(ctx, in)
	if err != nil {
		if ctx.Err() == nil && awsclient.ErrorCode(err) == "ValidationError" && awsclient.IsNoChangesReason(awsclient.ErrorMessage(err)) {
			fmt.Fprintf(s.Err, "CloudFormation found nothing to change in stack %s: it already runs this template; no change set left behind\n", st.Name)
			return nil
		}
		if ctx.Err() == nil && awsclient.ErrorCode(err) != "" {
			return err // CloudFormation refused it: there is no change set
		}
		// The answer was lost, or the run interrupted, perhaps after
		// CloudFormation made the change set: abort deletes it by name.
		return abort(err)
	}
	csRef = id

	cs, err := cfn.WaitChangeSet(ctx, st.Name, id, r.Wait)
	if err != nil {
		return abort(err)
	}
	if cs.Status == "FAILED" {
		if derr := cleanup(); derr != nil {
			fmt.Fprintf(s.Err, "tcdind: warning: %s\n", oneLine(derr))
		}
		if cs.NoChanges() {
			fmt.Fprintf(s.Err, "CloudFormation found nothing to change in stack %s: it already runs this template; change set deleted\n", st.Name)
			return nil
		}
		return fmt.Errorf("CloudFormation refused change set %s of stack %s: %s; nothing was changed", in.Name, st.Name, cs.StatusReason)
	}

	fmt.Fprintf(s.Err, "change set %s: %d resource change(s):\n", in.Name, len(cs.Changes))
	io.WriteString(s.Err, render.ChangeSetTablePlain(cs.Changes))
	fmt.Fprintln(s.Err, render.ReplacementWarning(st.Name))

	if !r.Yes {
		ok, err := confirm(ctx, s, fmt.Sprintf("Execute change set %s on stack %s? [y/N] ", in.Name, st.Name))
		if err != nil {
			return abort(err)
		}
		if !ok {
			if derr := cleanup(); derr != nil {
				return derr
			}
			return interrupted(fmt.Sprintf("not executed: change set deleted, stack %s unchanged", st.Name))
		}
	}
	if ctx.Err() != nil {
		return abort(ctx.Err())
	}

	started := time.Now()
	if err := cfn.ExecuteChangeSet(ctx, st.Name, id, in.Name); err != nil {
		if ctx.Err() != nil {
			return interrupted(fmt.Sprintf("the update of stack %s may have started and goes on in AWS; follow it with: aws cloudformation describe-stack-events --stack-name %s", st.Name, st.Name))
		}
		return abort(err)
	}
	fmt.Fprintf(s.Err, "executing change set %s; following the events of stack %s:\n", in.Name, st.Name)
	return r.follow(ctx, s, cfn, st, targets, in.Name, started)
}

// follow prints the update's events as plain lines until the stack reaches
// a terminal status.
func (r StackRun) follow(ctx context.Context, s Streams, cfn awsclient.CloudFormation, st *awsclient.Stack, targets, token string, started time.Time) error {
	goesOn := func() error {
		return interrupted(fmt.Sprintf("the update of stack %s goes on in AWS; follow it with: aws cloudformation describe-stack-events --stack-name %s", st.Name, st.Name))
	}
	poll := r.Poll
	if len(poll) == 0 {
		poll = DefaultPoll
	}
	// ours tells this update's events from older ones: by the client request
	// token ExecuteChangeSet passed on, or, where an endpoint does not record
	// tokens, by time.
	ours := func(e awsclient.StackEvent) bool {
		if e.ClientRequestToken != "" {
			return e.ClientRequestToken == token
		}
		return !e.Time.Before(started)
	}
	seen := map[string]bool{}
	var failed []awsclient.StackEvent
	stackReason := ""
	for i := 0; ; i++ {
		if err := sleep(ctx, poll[min(i, len(poll)-1)]); err != nil {
			return goesOn()
		}
		events, err := cfn.DescribeStackEvents(ctx, st.Name)
		if err != nil {
			if ctx.Err() != nil {
				return goesOn()
			}
			return fmt.Errorf("%w; the update goes on in AWS: follow it with aws cloudformation describe-stack-events --stack-name %s", err, st.Name)
		}
		var fresh []awsclient.StackEvent
		for _, e := range events { // newest first
			if seen[e.ID] || !ours(e) {
				break
			}
			fresh = append(fresh, e)
		}
		for j := len(fresh) - 1; j >= 0; j-- {
			e := fresh[j]
			seen[e.ID] = true
			fmt.Fprintln(s.Err, render.EventLinePlain(e))
			isStack := e.IsStack() && (e.LogicalID == st.Name || e.PhysicalID == st.ID)
			if !isStack {
				if strings.HasSuffix(e.Status, "_FAILED") && e.Reason != "" {
					failed = append(failed, e)
				}
				continue
			}
			switch e.Status {
			case "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_FAILED":
				if e.Reason != "" {
					stackReason = e.Reason
				}
			}
			switch e.Status {
			case "UPDATE_COMPLETE":
				fmt.Fprintf(s.Err, "stack %s updated (UPDATE_COMPLETE): %s now in %s mode\n", st.Name, targets, r.Options.Mode)
				return nil
			case "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED":
				if len(failed) > 0 {
					fmt.Fprintln(s.Err, "failed resources:")
					for _, f := range failed {
						fmt.Fprintf(s.Err, "  %s (%s): %s\n", f.LogicalID, f.ResourceType, f.Reason)
					}
				}
				if stackReason != "" {
					fmt.Fprintf(s.Err, "stack status reason: %s\n", stackReason)
				}
				what := "was rolled back: it runs its previous template"
				switch e.Status {
				case "UPDATE_ROLLBACK_FAILED":
					what = fmt.Sprintf("could not be rolled back: continue the rollback with aws cloudformation continue-update-rollback --stack-name %s", st.Name)
				case "UPDATE_FAILED":
					what = "failed and was not rolled back"
				}
				return fmt.Errorf("update of stack %s failed (%s) and %s; fix the cause shown above and run tcdind again", st.Name, e.Status, what)
			}
		}
	}
}

// confirm asks a yes/no question on the terminal; only y or yes is yes.
func confirm(ctx context.Context, s Streams, question string) (bool, error) {
	fmt.Fprint(s.Err, question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.Err)
		return false, ctx.Err()
	case a := <-answer:
		a = strings.ToLower(strings.TrimSpace(a))
		return a == "y" || a == "yes", nil
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func interrupted(msg string) error {
	return exitcode.WithCode(exitcode.Interrupted, errors.New("interrupted: "+msg))
}

func templateExt(b []byte) string {
	if t := bytes.TrimLeft(b, "\ufeff \t\r\n"); len(t) > 0 && t[0] == '{' {
		return "json"
	}
	return "yaml"
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
