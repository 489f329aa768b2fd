package changeset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// Reviewed is the stack as it was read for the review: the change set may
// only be made from, and executed on, that stack.
type Reviewed struct {
	Stack *awsclient.Stack
	// TemplateHash is the SHA-256 of the deployed template the edit was
	// made on.
	TemplateHash [sha256.Size]byte
}

// Review records what the review was made from.
func Review(st *awsclient.Stack, template []byte) Reviewed {
	return Reviewed{Stack: st, TemplateHash: sha256.Sum256(template)}
}

// MovedError is a stack that changed after the review was made: executing
// the change now would undo someone else's update.
type MovedError struct {
	Stack string
	What  string // "was updated at 10:42:03 UTC", "is UPDATE_IN_PROGRESS"
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("stack %s %s since tcdind read it: the reviewed change would undo that; run tcdind again to review the change on the current stack", e.Stack, e.What)
}

// Check makes sure the stack is still the one reviewed, with one
// DescribeStacks: the same last update, and settled. When the stack says
// nothing of its last update (never updated, or an emulator that does not
// tell), the deployed template is read and compared as well.
func (r Reviewed) Check(ctx context.Context, c Client) error {
	now, err := c.DescribeStack(ctx, r.Stack.Name)
	if err != nil {
		return err
	}
	if !now.LastUpdated.Equal(r.Stack.LastUpdated) {
		return &MovedError{Stack: r.Stack.Name, What: "was updated at " + now.LastUpdated.UTC().Format(time.DateTime) + " UTC"}
	}
	if now.Status != r.Stack.Status {
		what := "was updated (" + now.Status + ")"
		if strings.HasSuffix(now.Status, "_IN_PROGRESS") {
			what = "is being changed (" + now.Status + ")"
		}
		return &MovedError{Stack: r.Stack.Name, What: what}
	}
	if !now.LastUpdated.IsZero() {
		return nil
	}
	body, err := c.GetTemplate(ctx, r.Stack.Name)
	if err != nil {
		return err
	}
	if sha256.Sum256(body) != r.TemplateHash {
		return &MovedError{Stack: r.Stack.Name, What: "has a different template"}
	}
	return nil
}

// Settled refuses a stack that cannot take an update now, saying what to
// do. where is " --region R" (and " --profile P") for the commands it
// names.
func Settled(st *awsclient.Stack, where string) error {
	name, status := st.Name, st.Status
	switch {
	case status == "ROLLBACK_COMPLETE":
		return fmt.Errorf("stack %s is in ROLLBACK_COMPLETE: its creation failed, so it can only be deleted; delete it and create it again from a template patched with tcdind --template", name)
	case status == "REVIEW_IN_PROGRESS":
		return fmt.Errorf("stack %s is in REVIEW_IN_PROGRESS: it was created by a change set that was never executed, so nothing is deployed yet; execute or delete that change set first", name)
	case status == "DELETE_COMPLETE":
		return fmt.Errorf("stack %s was deleted (DELETE_COMPLETE): pass a live stack", name)
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return &BusyError{Stack: name, Status: status, Where: where}
	case status == "UPDATE_ROLLBACK_FAILED":
		return fmt.Errorf("stack %s is in UPDATE_ROLLBACK_FAILED: finish the rollback first (aws cloudformation continue-update-rollback --stack-name %s%s), then run tcdind again", name, name, where)
	case !strings.HasSuffix(status, "_COMPLETE"):
		reason := ""
		if st.StatusReason != "" {
			reason = " (" + st.StatusReason + ")"
		}
		return fmt.Errorf("stack %s is in %s%s, not in a settled *_COMPLETE state: repair it first, then run tcdind again", name, status, reason)
	}
	return nil
}

// BusyError is a stack in the middle of an operation.
type BusyError struct {
	Stack, Status, Where string
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("stack %s is busy (%s): wait until the operation ends (aws cloudformation describe-stacks --stack-name %s%s) and run tcdind again", e.Stack, e.Status, e.Stack, e.Where)
}

// NestedError is an --apply on a nested stack: the next update of its root
// stack would deploy the root's copy of the child template again.
type NestedError struct {
	Stack, Parent string
}

func (e *NestedError) Error() string {
	return fmt.Sprintf("stack %s is nested in stack %s: an update of it alone is undone by the next update of %s; patch the child template where %s gets it (tcdind --stack %s --output child.yaml writes it) and update the root stack", e.Stack, StackName(e.Parent), StackName(e.Parent), StackName(e.Parent), e.Stack)
}

// StackName is the name in a stack ARN (arn:...:stack/NAME/ID), or s.
func StackName(s string) string {
	if i := strings.Index(s, ":stack/"); i >= 0 {
		rest := s[i+len(":stack/"):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	return s
}

// templateExt names a template's format for its S3 key.
func templateExt(b []byte) string {
	if t := bytes.TrimLeft(b, "\ufeff \t\r\n"); len(t) > 0 && t[0] == '{' {
		return "json"
	}
	return "yaml"
}
