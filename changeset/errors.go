package changeset

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/exitcode"
)

// Interrupted is the error of a run the user interrupted, after msg, which
// says what was checked ("change set X deleted, stack S unchanged").
func Interrupted(msg string) error {
	return exitcode.WithCode(exitcode.Interrupted, errors.New("interrupted: "+msg))
}

// InterruptedAfterUpdate is the error of a run a signal ended once the
// update of stack was complete, before what had to follow it ("ECS was
// read"): 128+n as any signal, saying the update is done and how to look
// at the rest.
func InterruptedAfterUpdate(stack, before, where string) error {
	return exitcode.WithCode(exitcode.Interrupted, fmt.Errorf("interrupted before %s; the update of stack %s is complete; see what the agents run with tcdind status%s", before, stack, where))
}

// PendingError is an outcome tcdind could not check or that is not over:
// exit status 4, with the command that tells.
type PendingError struct {
	Msg string
	Err error // the cause, if any
}

func (e *PendingError) Error() string { return e.Msg }
func (e *PendingError) Unwrap() error { return e.Err }

// pending is a PendingError that ends the run with exit status 4.
func pending(msg string, cause error) error {
	return exitcode.WithCode(exitcode.Pending, &PendingError{Msg: msg, Err: cause})
}

// ObsoleteError is a change set CloudFormation will no longer execute.
type ObsoleteError struct {
	Name, Status string
}

func (e *ObsoleteError) Error() string {
	return fmt.Sprintf("change set %s can no longer be executed (%s): the stack changed after it was made; run tcdind again to review the change on the current stack", e.Name, e.Status)
}

// OtherChangesError is a change set that would change resources tcdind
// did not edit, refused without --allow-other-changes.
type OtherChangesError struct {
	Name    string
	Changes []awsclient.ResourceChange
}

func (e *OtherChangesError) Error() string {
	return fmt.Sprintf("change set %s would also change %s, which tcdind did not edit: not executed; review it with tcdind --stack ... --diff, or pass --allow-other-changes to execute it anyway", e.Name, DescribeChanges(e.Changes))
}

// DescribeChanges lists changes as "Add Role (AWS::IAM::Role), …".
func DescribeChanges(changes []awsclient.ResourceChange) string {
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", c.Action, c.LogicalID, c.ResourceType))
	}
	return strings.Join(parts, ", ")
}

// Cleanup is what deleting a change set found, checked by reading it
// back.
type Cleanup struct {
	Stack, Name string
	// Deleted: one or more change sets were found and deleted, and are
	// gone. Otherwise none was found.
	Deleted bool
	// Executed: the change set turned out to be executing or executed.
	Executed bool
	// Err is why the cleanup could not be checked; nil when it was.
	Err error
	// Where is " --region R [--profile P]" for the commands.
	Where string
}

// Checked reports whether the cleanup was confirmed by a read.
func (c Cleanup) Checked() bool { return c.Err == nil && !c.Executed }

// String says what was found, e.g. "change set X deleted (checked: it no
// longer exists)".
func (c Cleanup) String() string {
	switch {
	case c.Executed:
		return fmt.Sprintf("change set %s was executed after all: follow stack %s with aws cloudformation describe-stack-events --stack-name %s%s", c.Name, c.Stack, c.Stack, c.Where)
	case c.Err != nil:
		return fmt.Sprintf("change set %s may remain on stack %s (%s): check with aws cloudformation list-change-sets --stack-name %s%s and delete it with aws cloudformation delete-change-set --stack-name %s --change-set-name %s%s",
			c.Name, c.Stack, oneLine(c.Err), c.Stack, c.Where, c.Stack, c.Name, c.Where)
	case c.Deleted:
		return fmt.Sprintf("change set %s deleted (checked: it no longer exists), stack %s unchanged", c.Name, c.Stack)
	}
	return fmt.Sprintf("no change set was left (checked: none named %s exists), stack %s unchanged", c.Name, c.Stack)
}

// Outcome is the error a run ends with after cleanup c: cause (nil for an
// interruption or a "no") with what the cleanup checked.
func (c Cleanup) Outcome(ctx context.Context, cause error) error {
	switch {
	case !c.Checked():
		if cause != nil {
			return pending(oneLine(cause)+"; "+c.String(), cause)
		}
		return pending("interrupted: "+c.String(), nil)
	case ctx.Err() != nil:
		return Interrupted(c.String())
	case cause == nil:
		return nil
	}
	return &withCleanup{err: cause, cleanup: c}
}

// withCleanup is a failure with what its cleanup checked; the exit status
// is the failure's.
type withCleanup struct {
	err     error
	cleanup Cleanup
}

func (e *withCleanup) Error() string { return oneLine(e.err) + "; " + e.cleanup.String() }
func (e *withCleanup) Unwrap() error { return e.err }

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
