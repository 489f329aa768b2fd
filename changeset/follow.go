package changeset

import (
	"context"
	"crypto/sha256"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// DefaultPoll is the polling schedule while an update runs, indexed by the
// polls since something last happened: the first call at once; 2 s after
// news (a stack event, an ECS line), rising through 3, 4 and 5 s while
// events flow, then backing off as a quiet wait goes on (10, 15, 20 s) to
// 30 s, which repeats. A service that never stabilises keeps CloudFormation
// waiting up to three hours; 30 s is the aws CLI waiters' delay for stack
// updates (stack-update-complete polls DescribeStacks every 30 s), and the
// account's API rate is shared with every other pipeline in it. A quiet
// hour costs 120 polls: 120 DescribeStackEvents and 120 DescribeStacks,
// and with an ECS service followed 120 DescribeServices and 120 ListTasks.
var DefaultPoll = []time.Duration{0, 2 * time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second,
	10 * time.Second, 15 * time.Second, 20 * time.Second, 30 * time.Second}

// quick is the index of DefaultPoll's quick delays: a poll with news
// starts the schedule again there.
const quick = 1

// SettleDelay is the pause between reads that wait for counts to settle
// after the update (5 s by default): the quick end of poll.
func SettleDelay(poll []time.Duration) time.Duration {
	return PollDelay(poll, 4)
}

// DefaultGiveUp bounds how long reading the stack may keep failing while
// following an update before tcdind stops and says how to follow it.
const DefaultGiveUp = 5 * time.Minute

// maxBackoff caps the pause after failed reads.
const maxBackoff = 30 * time.Second

// PollDelay is the delay before the i-th DescribeStackEvents call.
func PollDelay(poll []time.Duration, i int) time.Duration {
	if len(poll) == 0 {
		poll = DefaultPoll
	}
	return poll[min(i, len(poll)-1)]
}

// Follower reads an update's events until it ends, one poll per Next, in
// both front ends alike: failed reads (throttling, 5xx, a lost connection)
// are retried with growing pauses for up to GiveUp, and a quiet poll reads
// the stack's status, so that an update ended by someone else ends the
// following too.
type Follower struct {
	Client Client
	Update *Update
	Poll   []time.Duration // default DefaultPoll
	GiveUp time.Duration   // default DefaultGiveUp
	Where  string          // " --region R [--profile P]"
	Now    func() time.Time
	// Sleep waits d or until ctx ends (default: a timer); tests inject
	// one that records the schedule instead of waiting.
	Sleep func(ctx context.Context, d time.Duration) error

	// step indexes Poll: 0 before the first call, quick after news, one
	// more for each quiet poll.
	step, failures int
	polls          int
	failingSince   time.Time
	// LastErr is the last failed read while it is retried; nil after a
	// good one.
	LastErr error
}

// Next waits for the next poll and returns this update's new events.
// After the last one Update.Done reports true. A read that failed and will
// be retried returns no events and no error (LastErr tells); reading that
// kept failing for GiveUp, or an error AWS will not change its mind about
// (access denied), ends with exit status 4 and the command to follow the
// update. ctx ending returns ctx's error: see GoesOn.
func (f *Follower) Next(ctx context.Context) ([]awsclient.StackEvent, error) {
	delay := PollDelay(f.Poll, f.step)
	if f.failures > 0 {
		delay = min(max(delay, time.Second)<<min(f.failures-1, 5), maxBackoff)
		if len(f.Poll) > 0 && f.Poll[len(f.Poll)-1] < time.Second {
			delay = f.Poll[len(f.Poll)-1] // tests: no real pauses
		}
	}
	f.polls++
	f.step++ // quiet until news says otherwise
	wait := f.Sleep
	if wait == nil {
		wait = pause.For
	}
	if err := wait(ctx, delay); err != nil {
		return nil, err
	}
	name := f.Update.Stack.Name
	events, err := f.Client.DescribeStackEvents(ctx, name)
	var fresh []awsclient.StackEvent
	if err == nil {
		fresh = f.Update.Add(events)
		if !f.Update.Done() && len(fresh) == 0 {
			var st *awsclient.Stack
			if st, err = f.Client.DescribeStack(ctx, f.Update.Stack.Name); err == nil {
				f.Update.Settle(st)
			}
		}
	}
	if err == nil {
		f.failures, f.failingSince, f.LastErr = 0, time.Time{}, nil
		if len(fresh) > 0 {
			f.Stir()
		}
		return fresh, nil
	}
	if ctx.Err() != nil {
		return fresh, ctx.Err()
	}
	now := f.now()
	if f.failures == 0 {
		f.failingSince = now
	}
	f.failures++
	f.LastErr = err
	giveUp := f.GiveUp
	if giveUp <= 0 {
		giveUp = DefaultGiveUp
	}
	if permanent(err) || now.Sub(f.failingSince) >= giveUp {
		return fresh, pending(fmt.Sprintf("stopped following stack %s: %s; the update goes on in AWS: follow it with aws cloudformation describe-stack-events --stack-name %s%s",
			name, oneLine(err), name, f.Where), err)
	}
	return fresh, nil
}

// Stir says something happened (a stack event, an ECS line): the next
// poll comes quickly, and the back-off starts again from there.
func (f *Follower) Stir() {
	if f.step > quick {
		f.step = quick
	}
}

// Delay is the pause before the next poll, as the schedule stands.
func (f *Follower) Delay() time.Duration { return PollDelay(f.Poll, f.step) }

func (f *Follower) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// permanent are errors a retry will not mend.
func permanent(err error) bool {
	switch awsclient.ErrorCode(err) {
	case "AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException":
		return true
	}
	return false
}

// GoesOn is the outcome of a run interrupted while its update ran: the
// stack's status, read under a short deadline of its own, says whether the
// update goes on (exit status 4, with the command to follow it) or has
// ended (then nil, and the caller reports it as if it had followed it to
// the end: u.Final is set).
func GoesOn(ctx context.Context, c Client, u *Update, where string) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	name := u.Stack.Name
	st, err := c.DescribeStack(cctx, u.Stack.Name)
	if err != nil {
		return pending(fmt.Sprintf("interrupted: the update of stack %s may go on in AWS (its status could not be read: %s): follow it with aws cloudformation describe-stack-events --stack-name %s%s", name, oneLine(err), name, where), err)
	}
	u.Settle(st)
	if !u.Done() && terminal[st.Status] {
		// Ended, or not begun? The events tell (an endpoint may not give
		// a last update time to compare).
		if events, err := c.DescribeStackEvents(cctx, name); err == nil {
			u.Add(events)
			u.Settle(st)
		}
	}
	if !u.Done() && terminal[st.Status] && u.Reviewed != [sha256.Size]byte{} {
		// Or the deployed template: another one than reviewed, and the
		// stack at rest, is the update done.
		if body, err := c.GetTemplate(cctx, name); err == nil && sha256.Sum256(body) != u.Reviewed {
			u.ourSeen = true
			u.Settle(st)
		}
	}
	if u.Done() {
		return nil
	}
	return pending(fmt.Sprintf("interrupted: the update of stack %s goes on in AWS (%s): follow it with aws cloudformation describe-stack-events --stack-name %s%s", name, st.Status, name, where), nil)
}
