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
	if err := Settled(st); err != nil {
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

// Settled refuses a stack that cannot take an update now, saying what to do.
func Settled(st *awsclient.Stack) error {
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

// ChangeSetInput is the change set that puts res on stack st: named
// tcdind-<mode>-<UTC time> (also its client token), every parameter kept
// with UsePreviousValue, the stack's capabilities, the template inline.
// PlaceTemplate moves a large template to S3.
func ChangeSetInput(st *awsclient.Stack, res *dind.Result, mode dind.Mode, now time.Time) awsclient.ChangeSetInput {
	name := fmt.Sprintf("tcdind-%s-%s", mode, now.UTC().Format("20060102-150405"))
	return awsclient.ChangeSetInput{
		Stack:              st.Name,
		Name:               name,
		ClientToken:        name,
		Description:        fmt.Sprintf("tcdind: %s Docker-in-Docker for %s", mode, strings.Join(res.Targets, ", ")),
		TemplateBody:       res.Output,
		PreviousParameters: st.ParameterKeys,
		Capabilities:       st.Capabilities,
	}
}

// PlaceTemplate uploads a template over MaxTemplateBody to bucket at
// tcdind/<stack>/<sha256>.<ext> and passes its URL instead of the body. It
// returns the key, or "" when the template goes inline.
func PlaceTemplate(ctx context.Context, cfn awsclient.CloudFormation, in *awsclient.ChangeSetInput, bucket string) (string, error) {
	body := in.TemplateBody
	if len(body) <= MaxTemplateBody {
		return "", nil
	}
	if bucket == "" {
		return "", fmt.Errorf("the patched template of stack %s is %d bytes, over CloudFormation's limit of %d bytes for a template sent inline: pass --s3-bucket BUCKET to upload it to S3 and pass its URL", in.Stack, len(body), MaxTemplateBody)
	}
	key := fmt.Sprintf("tcdind/%s/%x.%s", in.Stack, sha256.Sum256(body), templateExt(body))
	url, err := cfn.UploadTemplate(ctx, bucket, key, body)
	if err != nil {
		if ctx.Err() != nil {
			return "", interrupted("nothing was changed")
		}
		return "", err
	}
	in.TemplateURL, in.TemplateBody = url, nil
	return key, nil
}

// Created is a change set CreateChangeSet made.
type Created struct {
	// ChangeSet is ready to execute; nil when NoChanges.
	ChangeSet *awsclient.ChangeSet
	// ID names the change set in later calls.
	ID string
	// NoChanges: CloudFormation found nothing to change and no change set
	// is left; Deleted tells that one was made and deleted again.
	NoChanges, Deleted bool
}

// CreateChangeSet creates the change set and waits until it can be
// executed. Every way out but a ready change set leaves none behind: a
// refused, failed or interrupted one is deleted (by name when its ID never
// came back). An interruption (ctx done) is an exit status 130 error. warn
// gets a failure to delete that does not change the outcome.
func CreateChangeSet(ctx context.Context, cfn awsclient.CloudFormation, in awsclient.ChangeSetInput, w awsclient.Wait, warn func(error)) (*Created, error) {
	id, err := cfn.CreateChangeSet(ctx, in)
	if err != nil {
		if ctx.Err() == nil && awsclient.ErrorCode(err) == "ValidationError" && awsclient.IsNoChangesReason(awsclient.ErrorMessage(err)) {
			return &Created{NoChanges: true}, nil
		}
		if ctx.Err() == nil && awsclient.ErrorCode(err) != "" {
			return nil, err // CloudFormation refused it: there is no change set
		}
		// The answer was lost, or the run interrupted, perhaps after
		// CloudFormation made the change set: delete it by name.
		return nil, AbortChangeSet(ctx, cfn, in.Stack, in.Name, err, warn)
	}
	cs, err := cfn.WaitChangeSet(ctx, in.Stack, id, w)
	if err != nil {
		return nil, AbortChangeSet(ctx, cfn, in.Stack, id, err, warn)
	}
	if cs.Status == "FAILED" {
		if derr := DeleteChangeSet(ctx, cfn, in.Stack, id); derr != nil && warn != nil {
			warn(derr)
		}
		if cs.NoChanges() {
			return &Created{NoChanges: true, Deleted: true}, nil
		}
		return nil, fmt.Errorf("CloudFormation refused change set %s of stack %s: %s; nothing was changed", in.Name, in.Stack, cs.StatusReason)
	}
	return &Created{ChangeSet: cs, ID: id}, nil
}

// DeleteChangeSet deletes a change set that will not be executed, within
// cleanupTimeout, also when ctx is already done.
func DeleteChangeSet(ctx context.Context, cfn awsclient.CloudFormation, stack, ref string) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return cfn.DeleteChangeSet(cctx, stack, ref)
}

// AbortChangeSet deletes the change set ref after err ended the run before
// execution, and returns the error to report: an interruption when ctx is
// done (exit status 130), else err, with a failure to delete passed to warn.
func AbortChangeSet(ctx context.Context, cfn awsclient.CloudFormation, stack, ref string, err error, warn func(error)) error {
	derr := DeleteChangeSet(ctx, cfn, stack, ref)
	if ctx.Err() != nil {
		if derr != nil {
			return exitcode.WithCode(exitcode.Interrupted, fmt.Errorf("interrupted: %w", derr))
		}
		return interrupted(fmt.Sprintf("change set deleted, stack %s unchanged", stack))
	}
	if derr != nil && warn != nil {
		warn(derr)
	}
	return err
}

// ExecuteChangeSet starts the update. When it fails the change set is
// deleted (see AbortChangeSet); when ctx ends during the call the update
// may have started, which the error says.
func ExecuteChangeSet(ctx context.Context, cfn awsclient.CloudFormation, stack, id, token string, warn func(error)) error {
	if ctx.Err() != nil {
		return AbortChangeSet(ctx, cfn, stack, id, ctx.Err(), warn)
	}
	if err := cfn.ExecuteChangeSet(ctx, stack, id, token); err != nil {
		if ctx.Err() != nil {
			return interrupted(fmt.Sprintf("the update of stack %s may have started and goes on in AWS; follow it with: aws cloudformation describe-stack-events --stack-name %s", stack, stack))
		}
		return AbortChangeSet(ctx, cfn, stack, id, err, warn)
	}
	return nil
}

// GoesOn is the interruption of a run that leaves an update going on in AWS.
func GoesOn(stack string) error {
	return interrupted(fmt.Sprintf("the update of stack %s goes on in AWS; follow it with: aws cloudformation describe-stack-events --stack-name %s", stack, stack))
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

	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	in := ChangeSetInput(st, res, mode, now())
	key, err := PlaceTemplate(ctx, cfn, &in, r.S3Bucket)
	if err != nil {
		return err
	}
	if key != "" {
		fmt.Fprintf(s.Err, "uploaded the template (%d bytes) to s3://%s/%s\n", len(res.Output), r.S3Bucket, key)
	}
	fmt.Fprintf(s.Err, "creating change set %s on stack %s\n", in.Name, st.Name)

	// From here on a change set may exist: every way out before execution
	// deletes it.
	warn := func(derr error) { fmt.Fprintf(s.Err, "tcdind: warning: %s\n", oneLine(derr)) }
	made, err := CreateChangeSet(ctx, cfn, in, r.Wait, warn)
	if err != nil {
		return err
	}
	if made.NoChanges {
		left := "no change set left behind"
		if made.Deleted {
			left = "change set deleted"
		}
		fmt.Fprintf(s.Err, "CloudFormation found nothing to change in stack %s: it already runs this template; %s\n", st.Name, left)
		return nil
	}
	cs, id := made.ChangeSet, made.ID

	fmt.Fprintf(s.Err, "change set %s: %d resource change(s):\n", in.Name, len(cs.Changes))
	io.WriteString(s.Err, render.ChangeSetTablePlain(cs.Changes))
	fmt.Fprintln(s.Err, render.ReplacementWarning(st.Name))

	if !r.Yes {
		ok, err := confirm(ctx, s, fmt.Sprintf("Execute change set %s on stack %s? [y/N] ", in.Name, st.Name))
		if err != nil {
			return AbortChangeSet(ctx, cfn, st.Name, id, err, warn)
		}
		if !ok {
			if derr := DeleteChangeSet(ctx, cfn, st.Name, id); derr != nil {
				return derr
			}
			return interrupted(fmt.Sprintf("not executed: change set deleted, stack %s unchanged", st.Name))
		}
	}

	started := time.Now()
	if err := ExecuteChangeSet(ctx, cfn, st.Name, id, in.Name, warn); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "executing change set %s; following the events of stack %s:\n", in.Name, st.Name)
	return r.follow(ctx, s, cfn, st, targets, in.Name, started)
}

// Update follows the events of one stack update: it tells this update's
// events from older ones and notes failures until the stack reaches a
// terminal status.
type Update struct {
	Stack   *awsclient.Stack
	Targets string    // the task definitions changed, for the closing line
	Mode    dind.Mode // the mode they are put in
	// Token is the client request token ExecuteChangeSet passed on;
	// Started the time just before it, for endpoints that record no token.
	Token   string
	Started time.Time

	// Failed are this update's failed resource events with a reason.
	Failed []awsclient.StackEvent
	// StackReason is the stack's status reason on failure.
	StackReason string
	// Final is the stack's terminal status, once reached.
	Final string

	seen map[string]bool
}

// Add takes a page of DescribeStackEvents (newest first) and returns this
// update's events not seen before, oldest first, up to the one that ends
// the update.
func (u *Update) Add(events []awsclient.StackEvent) []awsclient.StackEvent {
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	if u.Final != "" {
		return nil
	}
	ours := func(e awsclient.StackEvent) bool {
		if e.ClientRequestToken != "" {
			return e.ClientRequestToken == u.Token
		}
		return !e.Time.Before(u.Started)
	}
	var fresh []awsclient.StackEvent
	for _, e := range events { // newest first
		if u.seen[e.ID] || !ours(e) {
			break
		}
		fresh = append(fresh, e)
	}
	var out []awsclient.StackEvent
	for j := len(fresh) - 1; j >= 0; j-- {
		e := fresh[j]
		u.seen[e.ID] = true
		out = append(out, e)
		if !u.IsStackEvent(e) {
			if strings.HasSuffix(e.Status, "_FAILED") && e.Reason != "" {
				u.Failed = append(u.Failed, e)
			}
			continue
		}
		switch e.Status {
		case "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_FAILED":
			if e.Reason != "" {
				u.StackReason = e.Reason
			}
		}
		switch e.Status {
		case "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED":
			u.Final = e.Status
			return out
		}
	}
	return out
}

// IsStackEvent reports whether e is about the stack itself.
func (u *Update) IsStackEvent(e awsclient.StackEvent) bool {
	return e.IsStack() && (e.LogicalID == u.Stack.Name || e.PhysicalID == u.Stack.ID)
}

// Done reports whether the update reached a terminal status.
func (u *Update) Done() bool { return u.Final != "" }

// Err is nil for UPDATE_COMPLETE, and the failure to report otherwise.
func (u *Update) Err() error {
	name := u.Stack.Name
	what := "was rolled back: it runs its previous template"
	switch u.Final {
	case "UPDATE_COMPLETE", "":
		return nil
	case "UPDATE_ROLLBACK_FAILED":
		what = fmt.Sprintf("could not be rolled back: continue the rollback with aws cloudformation continue-update-rollback --stack-name %s", name)
	case "UPDATE_FAILED":
		what = "failed and was not rolled back"
	}
	return fmt.Errorf("update of stack %s failed (%s) and %s; fix the cause shown above and run tcdind again", name, u.Final, what)
}

// Success is the closing line of an update that completed.
func (u *Update) Success() string {
	return fmt.Sprintf("stack %s updated (UPDATE_COMPLETE): %s now in %s mode", u.Stack.Name, u.Targets, u.Mode)
}

// PollDelay is the delay before the i-th DescribeStackEvents call.
func PollDelay(poll []time.Duration, i int) time.Duration {
	if len(poll) == 0 {
		poll = DefaultPoll
	}
	return poll[min(i, len(poll)-1)]
}

// follow prints the update's events as plain lines until the stack reaches
// a terminal status.
func (r StackRun) follow(ctx context.Context, s Streams, cfn awsclient.CloudFormation, st *awsclient.Stack, targets, token string, started time.Time) error {
	u := &Update{Stack: st, Targets: targets, Mode: r.Options.Mode, Token: token, Started: started}
	for i := 0; ; i++ {
		if err := sleep(ctx, PollDelay(r.Poll, i)); err != nil {
			return GoesOn(st.Name)
		}
		events, err := cfn.DescribeStackEvents(ctx, st.Name)
		if err != nil {
			if ctx.Err() != nil {
				return GoesOn(st.Name)
			}
			return fmt.Errorf("%w; the update goes on in AWS: follow it with aws cloudformation describe-stack-events --stack-name %s", err, st.Name)
		}
		for _, e := range u.Add(events) {
			fmt.Fprintln(s.Err, render.EventLinePlain(e))
		}
		if !u.Done() {
			continue
		}
		if u.Final == "UPDATE_COMPLETE" {
			fmt.Fprintln(s.Err, u.Success())
			return nil
		}
		if len(u.Failed) > 0 {
			fmt.Fprintln(s.Err, "failed resources:")
			for _, f := range u.Failed {
				fmt.Fprintf(s.Err, "  %s (%s): %s\n", f.LogicalID, f.ResourceType, f.Reason)
			}
		}
		if u.StackReason != "" {
			fmt.Fprintf(s.Err, "stack status reason: %s\n", u.StackReason)
		}
		return u.Err()
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
