package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

// judge decides, after a poll of s, whether its rollout is clearly
// failing, and returns the line that says so the first time. A rollout is
// clearly failing when ECS's deployment circuit breaker says FAILED, when
// tasks of the new revision keep stopping for a failure (two of them, or
// ECS counts two failed tasks), when the image cannot be pulled for good
// (a missing tag, a denied pull), when ECS says it is unable to
// consistently start tasks, or when placing the new tasks lastingly fails
// (placementStuck). Nothing is judged once the update rolls back.
func (w *Watch) judge(s *Service, svc awsclient.Service) *Line {
	if w.rollingBack {
		return nil
	}
	if w.failing == "" && s.newRev != "" {
		for _, d := range svc.Deployments {
			if d.TaskDefinition != s.newRev {
				continue
			}
			switch {
			case d.RolloutState == "FAILED":
				w.failBreaker(s, d)
			case d.Failed >= 2:
				w.fail(s, fmt.Sprintf("%d tasks of the new revision %s failed to start", d.Failed, ecsarn.Revision(d.TaskDefinition)))
			}
		}
	}
	if w.failing == "" && s.base != nil {
		// A deployment that failed since the update began, whichever
		// revision it runs (a circuit breaker that rolled back has made
		// the old one primary again).
		for _, d := range svc.Deployments {
			if d.RolloutState == "FAILED" && s.base.deployments[d.ID] != "FAILED" {
				w.failBreaker(s, d)
				break
			}
		}
	}
	if stuck := w.placementStuck(s, svc); w.failing == "" && stuck != "" {
		w.fail(s, stuck)
	}
	if w.failing == "" || w.failingSaid {
		return nil
	}
	w.failingSaid = true
	return &Line{Time: w.now(), Service: s.LogicalID, Kind: Failing, Text: w.failing}
}

// failBreaker records the circuit breaker's verdict on d.
func (w *Watch) failBreaker(s *Service, d awsclient.Deployment) {
	if w.failing != "" {
		return
	}
	reason := d.RolloutReason
	if reason == "" {
		reason = "no reason given"
	}
	w.fail(s, "ECS's deployment circuit breaker failed the rollout of "+ecsarn.Revision(d.TaskDefinition)+": "+reason)
	w.breaker = true
}

// fail records the first reason the rollout is failing.
func (w *Watch) fail(s *Service, reason string) {
	if w.failing == "" {
		w.failing = "the rollout of service " + s.Name + " is failing: " + reason
	}
}

// readFailed is the line for a failed read of ECS: a note that turns
// following off when permissions are missing, else a retry note, once per
// distinct error.
func (w *Watch) readFailed(err error, actions string) []Line {
	if denied(err) {
		w.turnOff(err, actions)
		return w.offLine()
	}
	msg := oneLine(err)
	if msg == w.lastErr {
		return nil
	}
	w.lastErr = msg
	if errors.Is(err, context.DeadlineExceeded) {
		return []Line{{Time: time.Now(), Kind: Note, Text: fmt.Sprintf("ECS did not answer within %v; trying again", w.pollTimeout())}}
	}
	return []Line{{Time: time.Now(), Kind: Note, Text: "could not read the agents' ECS service (" + msg + "); trying again"}}
}

// turnOff stops reading ECS for missing permissions or a failed setup.
func (w *Watch) turnOff(err error, actions string) {
	if denied(err) {
		w.offWhy = fmt.Sprintf("%s was denied (%s)", actions, awsclient.ErrorCode(err))
		w.off = fmt.Sprintf("following CloudFormation only: %s was denied (%s); allow ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks and ecs:DescribeTaskDefinition (and cloudformation:ListStackResources) to see the agents roll out", actions, awsclient.ErrorCode(err))
		return
	}
	w.offWhy = "could not find the agents' ECS services (" + oneLine(err) + ")"
	w.off = "following CloudFormation only: " + w.offWhy
}

// offLine says once why ECS is not read.
func (w *Watch) offLine() []Line {
	if w == nil || w.offSaid || w.off == "-" {
		return nil
	}
	w.offSaid = true
	return []Line{{Time: time.Now(), Kind: Note, Text: w.off}}
}

// denied are the errors of missing permissions or credentials, which a
// retry does not mend.
func denied(err error) bool {
	k := awsclient.Classify(err)
	return k == awsclient.KindAccess || k == awsclient.KindCredentials
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
