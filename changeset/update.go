package changeset

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// Update follows the events of one stack update: it tells this update's
// events from older ones and notes failures until the stack reaches a
// terminal status, whoever brought it there (a rollback someone else
// started has another client request token).
type Update struct {
	Stack   *awsclient.Stack // as reviewed
	Targets string           // the task definitions changed, for the closing line
	Mode    dind.Mode        // the mode they are put in
	// Token is the client request token ExecuteChangeSet passed on;
	// Started the time just before it, for events that carry no token or
	// another one.
	Token   string
	Started time.Time
	// Where is " --region R [--profile P]" for the commands printed.
	Where string
	// Reviewed is the hash of the template the stack had when it was
	// read; a different one deployed later says the update happened.
	Reviewed [sha256.Size]byte

	// Failed are this update's failed resource events with a reason.
	Failed []awsclient.StackEvent
	// StackReason is the stack's status reason on failure.
	StackReason string
	// Final is the stack's terminal status, once reached.
	Final string
	// Cancelled is why tcdind cancelled the update, once CloudFormation
	// took the cancel.
	Cancelled  string
	cancelSent bool

	seen        map[string]bool
	ourSeen     bool // an event of this update was seen: it has begun
	rollingBack bool
}

// terminal are the statuses an update ends in.
var terminal = map[string]bool{
	"UPDATE_COMPLETE": true, "UPDATE_ROLLBACK_COMPLETE": true,
	"UPDATE_ROLLBACK_FAILED": true, "UPDATE_FAILED": true,
}

// Add takes a page of DescribeStackEvents (newest first) and returns this
// update's events not seen before, oldest first, up to the one that ends
// the update.
func (u *Update) Add(events []awsclient.StackEvent) []awsclient.StackEvent {
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	if u.Final != "" {
		return nil
	}
	var fresh []awsclient.StackEvent
	for _, e := range events { // newest first
		if u.seen[e.ID] {
			break
		}
		if e.ClientRequestToken != u.Token && e.Time.Before(u.Started) {
			break
		}
		fresh = append(fresh, e)
	}
	var out []awsclient.StackEvent
	for j := len(fresh) - 1; j >= 0; j-- {
		e := fresh[j]
		u.seen[e.ID] = true
		u.ourSeen = true
		out = append(out, e)
		if !u.IsStackEvent(e) {
			if strings.HasSuffix(e.Status, "_FAILED") && e.Reason != "" {
				u.Failed = append(u.Failed, e)
			}
			continue
		}
		switch e.Status {
		case "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_FAILED":
			u.rollingBack = true
			if e.Reason != "" {
				u.StackReason = e.Reason
			}
		}
		if terminal[e.Status] {
			u.Final = e.Status
			return out
		}
	}
	return out
}

// Settle takes the stack's status, read when the events said nothing new:
// a terminal status ends the update once it has begun (an event of it was
// seen, or the stack's last update is newer than the reviewed one).
func (u *Update) Settle(st *awsclient.Stack) {
	if u.Final != "" || !terminal[st.Status] {
		return
	}
	if !u.ourSeen && !st.LastUpdated.After(u.Stack.LastUpdated) {
		return
	}
	u.Final = st.Status
	if st.Status != "UPDATE_COMPLETE" && u.StackReason == "" {
		u.StackReason = st.StatusReason
	}
}

// IsStackEvent reports whether e is about the stack itself.
func (u *Update) IsStackEvent(e awsclient.StackEvent) bool {
	return e.IsStack() && (e.LogicalID == u.Stack.Name || e.PhysicalID == u.Stack.ID)
}

// RollingBack reports that the update failed and is being rolled back (or
// has ended): its new revision's rollout no longer matters.
func (u *Update) RollingBack() bool { return u.rollingBack || u.Final != "" }

// Done reports whether the update reached a terminal status.
func (u *Update) Done() bool { return u.Final != "" }

// Err is nil for UPDATE_COMPLETE, and the failure to report otherwise.
func (u *Update) Err(where string) error {
	name := u.Stack.Name
	what := "was rolled back: it runs its previous template"
	switch u.Final {
	case "UPDATE_COMPLETE", "":
		return nil
	case "UPDATE_ROLLBACK_FAILED":
		// CloudFormation cannot finish the rollback by itself: the command
		// comes last, as what to do.
		by := ""
		if u.BreakerTriggered() {
			by = " (ECS's deployment circuit breaker failed the agents' rollout)"
		}
		return fmt.Errorf("update of stack %s failed%s and could not be rolled back (UPDATE_ROLLBACK_FAILED): fix the cause shown above, then continue the rollback with aws cloudformation continue-update-rollback --stack-name %s%s", name, by, name, where)
	case "UPDATE_FAILED":
		what = "failed and was not rolled back"
	}
	if u.Final == "UPDATE_ROLLBACK_COMPLETE" && u.BreakerTriggered() {
		return fmt.Errorf("update of stack %s failed: ECS's deployment circuit breaker failed the agents' rollout, and CloudFormation rolled the update back (UPDATE_ROLLBACK_COMPLETE): it runs its previous template; fix the cause shown above and run tcdind again", name)
	}
	if u.CancelledByTcdind() && u.Final == "UPDATE_ROLLBACK_COMPLETE" {
		return fmt.Errorf("update of stack %s was cancelled by tcdind (%s) and rolled back (UPDATE_ROLLBACK_COMPLETE): it runs its previous template; fix the cause shown above and run tcdind again", name, u.Cancelled)
	}
	return fmt.Errorf("update of stack %s failed (%s) and %s; fix the cause shown above and run tcdind again", name, u.Final, what)
}

// Success is the closing line of an update that completed.
func (u *Update) Success() string {
	return fmt.Sprintf("stack %s updated (UPDATE_COMPLETE): %s now in %s mode", u.Stack.Name, u.Targets, u.Mode)
}

// Unconfirmed is the outcome line of an update that completed when ECS
// did not show the mode (it could not be read, or was not read because
// the run was interrupted): what the template asks, not what runs.
func (u *Update) Unconfirmed() string {
	return fmt.Sprintf("stack %s updated (UPDATE_COMPLETE): its template puts %s in %s mode; ECS did not confirm it", u.Stack.Name, u.Targets, u.Mode)
}
