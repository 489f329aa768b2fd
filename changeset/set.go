package changeset

import (
	"context"
	"errors"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// DefaultSettle bounds resolving an outcome AWS did not tell: looking a
// change set up, deleting it and checking it is gone, after the run was
// interrupted or a request failed.
const DefaultSettle = 60 * time.Second

// DefaultLookups are the pauses before each look for a change set whose
// creation answer was lost: a request AWS accepted may land a moment later.
var DefaultLookups = []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second}

// Set is one change set of tcdind's, from its creation to its execution
// or deletion.
type Set struct {
	Client   Client
	Reviewed Reviewed
	Input    awsclient.ChangeSetInput
	// Wait bounds waiting for the change set to be created.
	Wait awsclient.Wait
	// Settle bounds cleaning up after an interruption or an unknown
	// outcome (default DefaultSettle); Lookups are the pauses between
	// looks for a change set whose creation answer was lost (default
	// DefaultLookups). Tests shorten both.
	Settle  time.Duration
	Lookups []time.Duration
	// Where is " --region R [--profile P]" for the commands tcdind prints.
	Where string

	// ID is the change set's ARN once CreateChangeSet answered.
	ID string
	// Described is the change set once created.
	Described *awsclient.ChangeSet
}

// Created is the outcome of Create.
type Created struct {
	// ChangeSet is ready to execute; nil when NoChanges.
	ChangeSet *awsclient.ChangeSet
	// NoChanges: CloudFormation found nothing to change; Cleanup says what
	// was left, checked.
	NoChanges bool
	Cleanup   Cleanup
}

// Create checks that the stack is still the one reviewed, creates the
// change set and waits until it can be executed. Every way out but a ready
// change set leaves none behind, checked: see Cleanup.
//
// CreateChangeSet itself is not cancelled by ctx: an interruption waits for
// its answer (bounded by the client's request timeout), so that what AWS
// made is known and deleted rather than guessed at.
func (s *Set) Create(ctx context.Context) (*Created, error) {
	if err := s.Reviewed.Check(ctx, s.Client); err != nil {
		if ctx.Err() != nil {
			return nil, Interrupted("no change set was created, stack " + s.Input.Stack + " unchanged")
		}
		return nil, err
	}
	id, err := s.Client.CreateChangeSet(context.WithoutCancel(ctx), s.Input)
	switch {
	case err == nil:
		s.ID = id
	case awsclient.ErrorCode(err) == "ValidationError" && awsclient.IsNoChangesReason(awsclient.ErrorMessage(err)):
		if ctx.Err() != nil {
			return nil, Interrupted("no change set was created, stack " + s.Input.Stack + " unchanged")
		}
		return &Created{NoChanges: true, Cleanup: s.cleanupNone()}, nil
	case awsclient.Refused(err):
		// AWS said no: nothing was created.
		var caps *awsclient.CapabilitiesError
		if errors.As(err, &caps) {
			caps.Parameters, caps.Have, caps.Where = s.Reviewed.Stack.ParameterKeys, s.Reviewed.Stack.Capabilities, s.Where
		}
		if ctx.Err() != nil {
			return nil, Interrupted("no change set was created, stack " + s.Input.Stack + " unchanged")
		}
		return nil, err
	default:
		// A 5xx, a timeout, a lost connection: it may exist.
		return nil, s.abandon(ctx, err)
	}
	if ctx.Err() != nil {
		return nil, s.abandon(ctx, nil)
	}
	cs, err := s.Client.WaitChangeSet(ctx, s.Input.Stack, s.ID, s.Wait)
	if err != nil {
		if ctx.Err() != nil {
			err = nil
		}
		return nil, s.abandon(ctx, err)
	}
	s.Described = cs
	if ctx.Err() != nil {
		// Ready just as the run was interrupted: it will not be executed.
		return nil, s.abandon(ctx, nil)
	}
	if cs.Status == "FAILED" {
		c := s.Cleanup(ctx)
		if cs.NoChanges() && c.Checked() {
			return &Created{NoChanges: true, Cleanup: c}, nil
		}
		return nil, c.Outcome(ctx, fmt.Errorf("CloudFormation refused change set %s of stack %s: %s", s.Input.Name, s.Input.Stack, cs.StatusReason))
	}
	return &Created{ChangeSet: cs}, nil
}

func (s *Set) cleanupNone() Cleanup {
	return Cleanup{Stack: s.Input.Stack, Name: s.Input.Name, Where: s.Where}
}

// Discard deletes the change set that will not be executed and checks it
// is gone; cause (nil for a "no" or an interruption) is reported with what
// was checked.
func (s *Set) Discard(ctx context.Context, cause error) error {
	return s.abandon(ctx, cause)
}

func (s *Set) abandon(ctx context.Context, cause error) error {
	return s.Cleanup(ctx).Outcome(ctx, cause)
}

// Cleanup deletes the change set, by ID when CreateChangeSet answered and
// by name when it did not, and reads it back until none is left. It runs
// under its own deadline (Settle), also when ctx is done.
func (s *Set) Cleanup(ctx context.Context) Cleanup {
	c := s.cleanupNone()
	settle := s.settle()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settle)
	defer cancel()
	lookups := s.Lookups
	if lookups == nil {
		lookups = DefaultLookups
	}
	ref, misses := s.ID, 0
	if ref == "" {
		ref = s.Input.Name
	}
	for {
		byName := ref == s.Input.Name
		cs, err := s.Client.DescribeChangeSet(cctx, s.Input.Stack, ref)
		switch {
		case errors.Is(err, awsclient.ErrChangeSetNotFound):
			// By ID, or after a deletion, one miss is proof. By name, a
			// create whose answer was lost may still land: look again.
			if !byName || c.Deleted || misses+1 >= len(lookups) {
				return c
			}
			misses++
			if err := pause.For(cctx, lookups[misses]); err != nil {
				c.Err = fmt.Errorf("gave up looking after %s", settle)
				return c
			}
			continue
		case err != nil:
			c.Err = err
			return c
		}
		switch {
		case strings.HasPrefix(cs.ExecutionStatus, "EXECUTE_"):
			c.Executed = true
			return c
		case cs.Status == "DELETE_COMPLETE":
			if !byName || cs.ID == "" {
				return c
			}
			// A name may still list a deleted one: its ID tells.
			ref = cs.ID
			continue
		case cs.Status == "DELETE_FAILED":
			c.Err = fmt.Errorf("CloudFormation could not delete it: %s", cs.StatusReason)
			return c
		case strings.HasPrefix(cs.Status, "DELETE_"):
			if err := pause.For(cctx, time.Second); err != nil {
				c.Err = fmt.Errorf("still %s after %s", cs.Status, settle)
				return c
			}
			continue
		}
		id := cs.ID
		if id == "" {
			id = ref
		}
		if err := s.Client.DeleteChangeSet(cctx, s.Input.Stack, id); err != nil {
			c.Err = err
			return c
		}
		c.Deleted = true
		if s.ID == "" {
			// Made without an answer: look for another of the same name
			// (an endpoint that made one per retried request).
			ref = s.Input.Name
			continue
		}
		ref = id
	}
}
