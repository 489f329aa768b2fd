// Package rollout follows the agents, not only CloudFormation: while a
// stack update runs, it reads the ECS services that run the edited task
// definitions (deployments, service events, stopped tasks), tells when
// their rollout is clearly failing, and after UPDATE_COMPLETE verifies in
// ECS that the agents run the new revision in the requested mode.
//
// Both front ends drive it from the loop that follows the stack's events:
// one Poll per poll of the events, so ECS is read with the same back-off.
// Reading ECS is a bonus, never a reason to stop an update: errors are
// lines to show, and missing permissions turn it off with one note.
package rollout
