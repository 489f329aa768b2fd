package changeset

import (
	"context"
	"errors"

	"github.com/tcdind/tcdind/awsclient"
)

// Describer reads one change set of a stack; Client is one.
type Describer interface {
	DescribeChangeSet(ctx context.Context, stack, changeSet string) (*awsclient.ChangeSet, error)
}

// State reads whether stack's change set name can still be executed
// (CREATE_COMPLETE and AVAILABLE), or is gone: what drain.AdoptLeft asks
// of the change set an earlier run's comment names.
func State(c Describer, stack string) func(ctx context.Context, name string) (executable, gone bool, err error) {
	return func(ctx context.Context, name string) (bool, bool, error) {
		cs, err := c.DescribeChangeSet(ctx, stack, name)
		switch {
		case errors.Is(err, awsclient.ErrChangeSetNotFound):
			return false, true, nil
		case err != nil:
			return false, false, err
		}
		return cs.Status == "CREATE_COMPLETE" && cs.ExecutionStatus == "AVAILABLE", false, nil
	}
}
