package rollout

import (
	"context"

	"github.com/tcdind/tcdind/awsclient"
)

// Client is what following the agents asks of AWS; *awsclient.Client is
// one.
type Client interface {
	awsclient.ECS
	StackResources(ctx context.Context, stack string) ([]awsclient.StackResource, error)
}
