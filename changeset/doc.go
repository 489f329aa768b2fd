// Package changeset is the one workflow by which tcdind changes a stack:
// read, check, create, describe, execute, follow, clean up. The batch
// command and the wizard are front ends over it, so that its rules hold in
// both:
//
//   - what is executed is what the user reviewed: the stack is checked
//     against the snapshot the review was made from right before the
//     change set is created and again before it is executed, and a change
//     set that would touch resources tcdind did not edit is reported;
//   - every way out leaves no change set behind: a request whose outcome
//     AWS did not tell (a 5xx, a timeout, a lost connection, an
//     interruption) is resolved by looking, then deleting, then checking;
//   - nothing is reported that was not checked: "deleted", "unchanged" and
//     "goes on" each follow a read that says so, and what could not be
//     checked is said with the command that checks it (exit status 4).
package changeset
