package render

import (
	"fmt"

	"github.com/tcdind/tcdind/rollout"
)

// rolloutSource is the second column of an ECS line, where a stack event
// has its resource type: what in ECS said it.
func rolloutSource(k rollout.Kind) string {
	switch k {
	case rollout.Progress:
		return "ECS deployment"
	case rollout.Stopped:
		return "ECS task"
	}
	return "ECS event"
}

// RolloutLinePlain is one line about the agents' ECS rollout, interleaved
// with the stack's events and aligned with them: a progress, event or
// stopped-task line has their columns; a failing rollout, a note and a
// verification are sentences of their own.
func RolloutLinePlain(l rollout.Line) string {
	switch l.Kind {
	case rollout.Failing:
		return ErrorLine(l.Text)
	case rollout.Note:
		return NoteLine(l.Text)
	case rollout.Verified:
		return "verified in ECS: " + l.Text
	}
	return row(l.Time, l.Service, rolloutSource(l.Kind), l.Text)
}

// RolloutWaitAdvice follows a failing rollout when tcdind does not cancel
// the update: what CloudFormation will do, and how to roll back now.
func RolloutWaitAdvice(stack, where string) string {
	return fmt.Sprintf("CloudFormation waits for the agent service to stabilise (up to 3 hours) before it rolls back; roll back now with aws cloudformation cancel-update-stack --stack-name %s%s, or run tcdind with --on-rollout-failure=cancel", stack, where)
}

// RolloutCancelling says that tcdind cancels the update.
func RolloutCancelling(stack string) string {
	return fmt.Sprintf("cancelling the update of stack %s (--on-rollout-failure=cancel) so that CloudFormation rolls it back now", stack)
}

// RolloutBreaker follows a rollout ECS's deployment circuit breaker
// failed: CloudFormation fails the service and rolls back by itself, so
// tcdind neither cancels nor advises to.
func RolloutBreaker(stack string) string {
	return fmt.Sprintf("ECS's deployment circuit breaker ended the rollout: CloudFormation fails the service and rolls stack %s back by itself; tcdind sends no cancel", stack)
}
