package changeset

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// Canceller cancels a running stack update; *awsclient.Client is one.
type Canceller interface {
	DescribeStack(ctx context.Context, stack string) (*awsclient.Stack, error)
	CancelUpdateStack(ctx context.Context, stack, token string) error
}

// CancelError is a cancel tcdind did not make, with what it read back:
// CloudFormation can cancel only an update in UPDATE_IN_PROGRESS
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CancelUpdateStack.html)
// and answers anything else with ValidationError "CancelUpdateStack cannot
// be called from current stack status" (see the error copilot-cli keys
// on: https://github.com/aws/copilot-cli/pull/5046). By then CloudFormation
// is most often rolling back by itself: a deployment circuit breaker that
// fired fails the service within moments.
type CancelError struct {
	Stack string
	// Status is the stack's status read back, "" if it could not be.
	Status string
	// Refused is CloudFormation's answer to the cancel, if one was sent.
	Refused error
	// ReadErr is why the status could not be read.
	ReadErr error
	Where   string
}

func (e *CancelError) Error() string {
	name := e.Stack
	sent := "no cancel sent"
	if e.Refused != nil {
		sent = "CloudFormation refused the cancel (" + oneLine(e.Refused) + ")"
	}
	switch {
	case e.Status == "":
		what := "its status could not be read"
		if e.ReadErr != nil {
			what += " (" + oneLine(e.ReadErr) + ")"
		}
		return fmt.Sprintf("%s: %s; check it with aws cloudformation describe-stacks --stack-name %s%s and cancel it with aws cloudformation cancel-update-stack --stack-name %s%s",
			sent, what, name, e.Where, name, e.Where)
	case e.Status == "UPDATE_IN_PROGRESS":
		return fmt.Sprintf("%s; the update of stack %s goes on (UPDATE_IN_PROGRESS, read back): cancel it with aws cloudformation cancel-update-stack --stack-name %s%s",
			sent, name, name, e.Where)
	case strings.HasPrefix(e.Status, "UPDATE_ROLLBACK"):
		return fmt.Sprintf("%s: CloudFormation is already rolling back the update of stack %s (%s, read back); its events follow", sent, name, e.Status)
	case strings.HasPrefix(e.Status, "UPDATE_COMPLETE"):
		return fmt.Sprintf("%s: the update of stack %s has completed (%s, read back)", sent, name, e.Status)
	}
	return fmt.Sprintf("%s: stack %s is %s (read back), not UPDATE_IN_PROGRESS", sent, name, e.Status)
}

// Cancel asks CloudFormation to cancel the update and roll the stack back
// now, instead of after it waited hours for services that will not
// stabilise. It reads the stack's status first and sends CancelUpdateStack
// only in UPDATE_IN_PROGRESS, once per update whatever comes later; a
// refused cancel is read back, so that what is said is what CloudFormation
// does. The rollback is then followed and reported as any other. The calls
// are not cut short by ctx (an interrupt would leave unknown whether the
// cancel was sent): they have their own deadline. A cancel not made is a
// *CancelError.
func (u *Update) Cancel(ctx context.Context, c Canceller, reason string) error {
	if u.cancelSent {
		return nil
	}
	u.cancelSent = true
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	name := u.Stack.Name
	st, err := c.DescribeStack(cctx, name)
	if err != nil {
		return &CancelError{Stack: name, ReadErr: err, Where: u.Where}
	}
	if st.Status != "UPDATE_IN_PROGRESS" {
		return &CancelError{Stack: name, Status: st.Status, Where: u.Where}
	}
	if err := c.CancelUpdateStack(cctx, name, u.Token+"-cancel"); err != nil {
		ce := &CancelError{Stack: name, Refused: err, Where: u.Where}
		if st, rerr := c.DescribeStack(cctx, name); rerr == nil {
			ce.Status = st.Status
		} else {
			ce.ReadErr = rerr
		}
		return ce
	}
	u.Cancelled = reason
	return nil
}

// BreakerTriggered reports that CloudFormation failed a service of this
// update because ECS's deployment circuit breaker fired: the rollback is
// CloudFormation's, whoever else asked for one.
func (u *Update) BreakerTriggered() bool {
	if strings.Contains(u.StackReason, breakerMessage) {
		return true
	}
	for _, e := range u.Failed {
		if strings.Contains(e.Reason, breakerMessage) {
			return true
		}
	}
	return false
}

// breakerMessage is how CloudFormation's ECS service handler fails a
// service whose deployment the circuit breaker failed: "Resource handler
// returned message: "Error occurred during operation 'ECS Deployment
// Circuit Breaker was triggered'." (…)"
// (https://github.com/aws-cloudformation/rain/issues/458,
// https://github.com/aws/copilot-cli/issues/5296).
const breakerMessage = "ECS Deployment Circuit Breaker was triggered"

// CancelledByTcdind reports that the rollback is tcdind's: CloudFormation
// took its cancel, and nothing else (the circuit breaker) failed the
// update first.
func (u *Update) CancelledByTcdind() bool {
	return u.Cancelled != "" && !u.BreakerTriggered()
}
