package rollout

import (
	"strings"

	"github.com/tcdind/tcdind/awsclient"
)

// failure tells a task that stopped because something failed from one the
// scheduler or a person stopped for another reason. The stop codes are the
// Task API reference's (TaskFailedToStart, EssentialContainerExited,
// UserInitiated, ServiceSchedulerInitiated, SpotInterruption,
// TerminationNotice:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html).
// ServiceSchedulerInitiated covers both a deployment draining or scaling in
// ("Scaling activity initiated by (deployment ecs-svc/…)"), which is no
// failure, and the scheduler replacing an unhealthy task ("Task failed
// container health checks", "Task failed ELB health checks in (target-group
// …)"), which is one: the reason tells them apart.
func failure(t awsclient.Task) bool {
	if pullError(t) != "" {
		return true
	}
	switch t.StopCode {
	case "TaskFailedToStart", "EssentialContainerExited":
		return true
	case "ServiceSchedulerInitiated":
		return healthCheckKill(t.StoppedReason)
	case "UserInitiated", "SpotInterruption", "TerminationNotice":
		return false
	}
	if strings.Contains(t.StoppedReason, "Essential container in task exited") || healthCheckKill(t.StoppedReason) {
		return true
	}
	for _, c := range t.Containers {
		if c.ExitCode != nil && *c.ExitCode != 0 {
			return true
		}
	}
	return false
}

// healthCheckKill tells the scheduler's stop of a task that failed its
// container or load balancer health checks.
func healthCheckKill(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "failed container health checks") ||
		strings.Contains(r, "failed elb health checks") ||
		strings.Contains(r, "failed elastic load balancing health checks")
}

// pullError is the CannotPullContainerError of a task, if any.
func pullError(t awsclient.Task) string {
	if strings.Contains(t.StoppedReason, "CannotPullContainerError") {
		return t.StoppedReason
	}
	for _, c := range t.Containers {
		if strings.Contains(c.Reason, "CannotPullContainerError") {
			return c.Reason
		}
	}
	return ""
}

// pullTransient are the words of a pull error that may pass on the next
// try: a registry's rate limit (Docker Hub's "toomanyrequests: You have
// reached your pull rate limit", ECR's "Rate exceeded") or a network that
// timed out. The ECS agent retries within a pull; the scheduler starts a
// new task after it.
var pullTransient = []string{
	"toomanyrequests", "too many requests", "rate limit", "rate exceeded", "throttl",
	"timeout", "timed out", "deadline exceeded", "connection reset", "connection refused",
	"temporary failure", "no such host", "i/o timeout", "500 internal", "502 bad gateway", "503 service", "504 gateway",
}

// pullPermanent are the words of a pull error no retry mends: the tag or
// repository does not exist, or the pull is denied.
var pullPermanent = []string{
	"manifest unknown", "not found", "repository does not exist", "name unknown",
	"access denied", "accessdenied", "denied:", "unauthorized", "forbidden", "no basic auth credentials",
	"invalid reference format",
}

// pullIsPermanent tells a pull error that is failing at once (a missing
// tag, a denied pull) from one that needs a second failure like any other
// stop (a rate limit, a timeout, or words not known here).
func pullIsPermanent(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range pullTransient {
		if strings.Contains(m, w) {
			return false
		}
	}
	for _, w := range pullPermanent {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}
