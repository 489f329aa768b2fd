package changeset

import (
	"context"

	"github.com/tcdind/tcdind/awsclient"
)

// Client is what the workflow asks of AWS; *awsclient.Client is one.
type Client interface {
	Region() string
	DescribeStack(ctx context.Context, stack string) (*awsclient.Stack, error)
	GetTemplate(ctx context.Context, stack string) ([]byte, error)
	CreateChangeSet(ctx context.Context, in awsclient.ChangeSetInput) (string, error)
	WaitChangeSet(ctx context.Context, stack, changeSet string, w awsclient.Wait) (*awsclient.ChangeSet, error)
	DescribeChangeSet(ctx context.Context, stack, changeSet string) (*awsclient.ChangeSet, error)
	ExecuteChangeSet(ctx context.Context, stack, changeSet, token string) error
	DeleteChangeSet(ctx context.Context, stack, changeSet string) error
	DescribeStackEvents(ctx context.Context, stack string) ([]awsclient.StackEvent, error)
	UploadTemplate(ctx context.Context, u awsclient.Upload) (string, error)
}
