package drain

import (
	"context"
	"regexp"

	"github.com/tcdind/tcdind/teamcity"
)

// commentRE reads Comment's text back: the stack and change set it names.
// TeamCity keeps the text as sent and adds the time and the user beside
// it ("This timestamp and the user data are automatically generated and
// cannot be changed": https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html),
// so a later run reads what an earlier one wrote. CloudFormation's stack
// and change set names have no spaces.
var commentRE = regexp.MustCompile(`^tcdind: disabled to let running builds finish before stack (\S+) is updated \(change set (\S+)\);`)

// ParseComment reads an enabledInfo comment tcdind wrote (Comment): the
// stack and the change set it names. ok is false for any other comment —
// an agent someone else disabled.
func ParseComment(text string) (stack, changeSet string, ok bool) {
	m := commentRE.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Adopted are the agents that were disabled by an earlier tcdind run that
// ended without enabling them again (killed), which this drain took as
// its own (Drain.Adopt): disabled with its comment, enabled at its end.
// Each keeps the enabledInfo it was found with.
func (d *Drain) Adopted() []teamcity.Agent { return d.adopted }

// ChangeSetState reads what CloudFormation says of a change set of the
// stack: gone (deleted, or removed when another was executed), or
// whether it can still be executed.
type ChangeSetState func(ctx context.Context, changeSet string) (executable, gone bool, err error)

// AdoptLeft is the Drain.Adopt of a drain of stack's agents before
// executing changeSet, shared by both front ends: an agent found disabled
// is tcdind's own — enabled again at the end — when its comment is the
// one tcdind writes (Comment) for this stack and the run that wrote it is
// over: its change set is this one (an --execute run again), or gone
// (deleted, or executed: CloudFormation removes a stack's other change
// sets once one is executed, and keeps them until the stack is updated:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-execute.html,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-delete.html),
// or no longer executable. A change set that can still be executed may
// belong to a tcdind draining right now: its agent is left alone and left
// is called with readErr nil; one that could not be read, with readErr.
// Any other comment is someone else's: never touched, nothing said.
func AdoptLeft(stack, changeSet string, state ChangeSetState, left func(a teamcity.Agent, earlier string, readErr error)) func(context.Context, teamcity.Agent, teamcity.EnabledInfo) bool {
	return func(ctx context.Context, a teamcity.Agent, info teamcity.EnabledInfo) bool {
		onStack, earlier, ok := ParseComment(info.Comment)
		if !ok || onStack != stack {
			return false
		}
		if earlier == changeSet {
			return true
		}
		executable, gone, err := state(ctx, earlier)
		switch {
		case err != nil:
			left(a, earlier, err)
			return false
		case gone || !executable:
			return true
		}
		left(a, earlier, nil)
		return false
	}
}
