package changeset

import (
	"context"
	"time"
)

// Canceller cancels a running stack update; *awsclient.Client is one.
type Canceller interface {
	CancelUpdateStack(ctx context.Context, stack, token string) error
}

// Cancel asks CloudFormation to cancel the update and roll the stack back
// now, instead of after it waited hours for services that will not
// stabilise. It sends CancelUpdateStack once per update, whatever comes
// later; the rollback is then followed and reported as any other. The
// call is not cut short by ctx (an interrupt would leave unknown whether
// it was sent): it has its own deadline.
func (u *Update) Cancel(ctx context.Context, c Canceller, reason string) error {
	if u.cancelSent {
		return nil
	}
	u.cancelSent = true
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.CancelUpdateStack(cctx, u.Stack.Name, u.Token+"-cancel"); err != nil {
		return err
	}
	u.Cancelled = reason
	return nil
}
