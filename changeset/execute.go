package changeset

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// Recheck makes sure, before executing, that the change set can still be
// executed and the stack is still the one reviewed: time passed while the
// user looked at the change set. On a problem the change set is deleted
// and the error says so.
func (s *Set) Recheck(ctx context.Context) error {
	cs, err := s.Client.DescribeChangeSet(ctx, s.Input.Stack, s.ID)
	if err != nil {
		if ctx.Err() != nil {
			err = nil
		}
		return s.abandon(ctx, err)
	}
	if cs.ExecutionStatus != "AVAILABLE" {
		return s.abandon(ctx, &ObsoleteError{Name: s.Input.Name, Status: cs.ExecutionStatus})
	}
	if err := s.Reviewed.Check(ctx, s.Client); err != nil {
		if ctx.Err() != nil {
			err = nil
		}
		return s.abandon(ctx, err)
	}
	return nil
}

// Execute starts the update. The request is not cancelled by ctx: an
// interruption waits for its answer, so that whether the update started
// is known. When the answer is lost the change set and the stack tell:
// started, Execute returns nil and the caller follows the update (or, when
// interrupted, says it goes on); not started, the change set is deleted
// and the error says what was checked.
func (s *Set) Execute(ctx context.Context) error {
	if ctx.Err() != nil {
		return s.abandon(ctx, nil)
	}
	err := s.Client.ExecuteChangeSet(context.WithoutCancel(ctx), s.Input.Stack, s.ID, s.Input.Name)
	if err == nil {
		return nil
	}
	// Even a refusal may follow a first try whose answer was lost (the
	// SDK retries): the change set and the stack tell what happened.
	if awsclient.ErrorCode(err) == "InvalidChangeSetStatus" {
		err = &ObsoleteError{Name: s.Input.Name, Status: awsclient.ErrorMessage(err)}
	}
	started, rerr := s.Started(ctx)
	switch {
	case rerr != nil:
		return pending(fmt.Sprintf("%s; whether the update of stack %s started could not be checked (%s): see aws cloudformation describe-stacks --stack-name %s%s, and delete the change set if it did not: aws cloudformation delete-change-set --stack-name %s --change-set-name %s%s",
			oneLine(err), s.Input.Stack, oneLine(rerr), s.Input.Stack, s.Where, s.Input.Stack, s.Input.Name, s.Where), err)
	case started:
		return nil
	}
	if ctx.Err() != nil {
		err = nil
	}
	return s.abandon(ctx, err)
}

// Started reads whether the change set was executed: its execution status,
// or, once CloudFormation removed it (as it does after executing), the
// stack's status and last update.
func (s *Set) Started(ctx context.Context) (bool, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.settle())
	defer cancel()
	cs, err := s.Client.DescribeChangeSet(cctx, s.Input.Stack, s.ID)
	switch {
	case err == nil:
		return strings.HasPrefix(cs.ExecutionStatus, "EXECUTE_"), nil
	case !errors.Is(err, awsclient.ErrChangeSetNotFound):
		return false, err
	}
	st, err := s.Client.DescribeStack(cctx, s.Reviewed.Stack.Name)
	if err != nil {
		return false, err
	}
	if !st.LastUpdated.Equal(s.Reviewed.Stack.LastUpdated) || st.Status != s.Reviewed.Stack.Status {
		return true, nil
	}
	if !st.LastUpdated.IsZero() {
		return false, nil
	}
	// No last update time to go by: the deployed template tells.
	body, err := s.Client.GetTemplate(cctx, s.Reviewed.Stack.Name)
	if err != nil {
		return false, err
	}
	return sha256.Sum256(body) != s.Reviewed.TemplateHash, nil
}

func (s *Set) settle() time.Duration {
	if s.Settle > 0 {
		return s.Settle
	}
	return DefaultSettle
}
