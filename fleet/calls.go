package fleet

import (
	"context"
	"sync"

	"github.com/tcdind/tcdind/awsclient"
)

// calls counts the AWS requests status makes, by action (the cost the
// closing line and the document report).
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(action string) {
	c.mu.Lock()
	c.n[action]++
	c.mu.Unlock()
}

func (c *calls) wrap(cl Client) Client {
	if cl == nil {
		return nil
	}
	if _, ok := cl.(counted); ok {
		return cl
	}
	return counted{cl, c}
}

// counted is a Client that counts its calls. A paginated list counts one
// call per page it asked for only approximately (one per list): the SDK
// pages inside the call.
type counted struct {
	Client
	c *calls
}

func (c counted) ListStacks(ctx context.Context) ([]awsclient.StackSummary, error) {
	c.c.add("cloudformation:ListStacks")
	return c.Client.ListStacks(ctx)
}

func (c counted) StackResources(ctx context.Context, stack string) ([]awsclient.StackResource, error) {
	c.c.add("cloudformation:ListStackResources")
	return c.Client.StackResources(ctx, stack)
}

func (c counted) GetTemplate(ctx context.Context, stack string) ([]byte, error) {
	c.c.add("cloudformation:GetTemplate")
	return c.Client.GetTemplate(ctx, stack)
}

func (c counted) DescribeStack(ctx context.Context, stack string) (*awsclient.Stack, error) {
	c.c.add("cloudformation:DescribeStacks")
	return c.Client.DescribeStack(ctx, stack)
}

func (c counted) DescribeServices(ctx context.Context, cluster string, services []string) ([]awsclient.Service, error) {
	c.c.add("ecs:DescribeServices")
	return c.Client.DescribeServices(ctx, cluster, services)
}

func (c counted) EnabledRegions(ctx context.Context) ([]string, error) {
	c.c.add("ec2:DescribeRegions")
	return c.Client.EnabledRegions(ctx)
}
