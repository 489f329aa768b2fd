package wizard

import (
	"fmt"
	"sync"
	"time"

	"github.com/aws/smithy-go"

	"github.com/tcdind/tcdind/internal/fakeaws"
)

// fakeCFN is the scripted CloudFormation the batch flow's tests use too.
type fakeCFN = fakeaws.CFN

var _ Client = (*fakeCFN)(nil)

// newGate holds a call of the fake until the test opens it.
var newGate = fakeaws.NewGate

func accessDenied(op string) error {
	return fmt.Errorf("list stacks in eu-west-1: %w", &smithy.OperationError{ServiceID: "CloudFormation", OperationName: op,
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:ListStacks"}})
}

// clock is a settable clock for elapsed times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
