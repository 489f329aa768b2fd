package rollout

import (
	"context"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/ecsarn"
)

// After UPDATE_COMPLETE the agents' own health check says whether Docker
// answers in them: the complete recipe's HealthCheck runs docker info, and
// DescribeTasks reports each container's healthStatus — HEALTHY (the check
// passed), UNHEALTHY (it failed), UNKNOWN (being evaluated, or no check)
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).
// A service counts a task with an essential container's health check only
// once it is healthy ("the service scheduler will wait for both the task to
// reach a healthy status ...":
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html),
// but a check's start period (300 s in the recipe) can leave it UNKNOWN
// when CloudFormation is done, and a service with MinimumHealthyPercent 0
// (JetBrains' template) does not wait.

// taskLister lists a service's running tasks; *awsclient.Client is one.
// A client without it (an older fake) is not asked about health.
type taskLister interface {
	RunningTasks(ctx context.Context, cluster, service string) ([]string, error)
}

// dockerInfo is what the recipe's health check runs.
const dockerInfo = "docker info"

// hasDockerHealthCheck reports an agent container of td whose health check
// runs docker info.
func hasDockerHealthCheck(td *awsclient.TaskDefinition, agents []string) bool {
	if td == nil {
		return false
	}
	for _, c := range td.Containers {
		if len(agents) > 0 && !contains(agents, c.Name) {
			continue
		}
		if strings.Contains(strings.Join(c.HealthCheck, " "), dockerInfo) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// health is what the agents' health checks say for one service.
type health struct {
	healthy, total int
	unhealthy      []string // task ARNs
	unknown        int
}

// verifyHealth reads the health of each service's tasks on the new
// revision whose agent container has the docker info check, reading again
// (up to tries times) while some are still UNKNOWN and none is UNHEALTHY.
// It returns the verified lines, the notes, and what differs with the
// command that shows it.
func (w *Watch) verifyHealth(ctx context.Context, current map[string]string, registered map[string]*awsclient.TaskDefinition, tries int, delay time.Duration) (lines, notes []Line, diffs, checks []string) {
	lister, ok := w.Client.(taskLister)
	if !ok {
		return nil, nil, nil, nil
	}
	for _, s := range w.Services {
		want := current[s.TaskDefinition]
		if want == "" || !hasDockerHealthCheck(registered[s.TaskDefinition], w.names[s.TaskDefinition]) {
			continue
		}
		var h health
		var err error
		for try := 1; ; try++ {
			h, err = w.readHealth(ctx, lister, s, want)
			if err != nil || h.unknown == 0 || len(h.unhealthy) > 0 || try >= tries {
				break
			}
			if pause.For(ctx, delay) != nil {
				break
			}
		}
		check := "aws ecs list-tasks --cluster " + s.Cluster + " --service-name " + s.Name + w.Where
		switch {
		case err != nil:
			notes = append(notes, w.unverified(err, check))
		case len(h.unhealthy) > 0:
			for _, arn := range h.unhealthy {
				diffs = append(diffs, fmt.Sprintf("Docker does not answer in agent task %s of service %s (its docker info health check is UNHEALTHY)", taskID(arn), s.Name))
				checks = append(checks, "aws ecs describe-tasks --cluster "+s.Cluster+" --tasks "+arn+w.Where)
			}
		case h.total == 0:
			notes = append(notes, Line{Time: time.Now(), Service: s.LogicalID, Kind: Note,
				Text: fmt.Sprintf("Docker not verified: service %s runs no task of %s to read its health from; check with %s", s.Name, ecsarn.Revision(want), check)})
		case h.unknown > 0:
			notes = append(notes, Line{Time: time.Now(), Service: s.LogicalID, Kind: Note,
				Text: fmt.Sprintf("Docker not verified yet: the docker info health check of %d of %d agents of service %s is UNKNOWN (still within its start period); check with %s", h.unknown, h.total, s.Name, check)})
		default:
			lines = append(lines, Line{Time: time.Now(), Service: s.LogicalID, Kind: Verified,
				Text: fmt.Sprintf("Docker answers in %d of %d agents (health check)", h.healthy, h.total)})
		}
	}
	return lines, notes, diffs, checks
}

// readHealth reads the running tasks of service s on revision want, and
// the health of their agent containers: one ListTasks (every page) and one
// DescribeTasks per 100 tasks.
func (w *Watch) readHealth(ctx context.Context, lister taskLister, s *Service, want string) (health, error) {
	var h health
	arns, err := lister.RunningTasks(ctx, s.Cluster, s.Name)
	if err != nil {
		return h, err
	}
	agents := w.names[s.TaskDefinition]
	for i := 0; i < len(arns); i += 100 {
		tasks, err := w.Client.DescribeTasks(ctx, s.Cluster, arns[i:min(i+100, len(arns))])
		if err != nil {
			return h, err
		}
		for _, t := range tasks {
			if t.TaskDefinition != want {
				continue
			}
			h.total++
			switch agentHealth(t, agents) {
			case "HEALTHY":
				h.healthy++
			case "UNHEALTHY":
				h.unhealthy = append(h.unhealthy, t.ARN)
			default:
				h.unknown++
			}
		}
	}
	return h, nil
}

// agentHealth is the worst health of the task's agent containers; the
// task's own health where ECS names no container's.
func agentHealth(t awsclient.Task, agents []string) string {
	worst := ""
	for _, c := range t.Containers {
		if len(agents) > 0 && !contains(agents, c.Name) {
			continue
		}
		switch {
		case c.HealthStatus == "UNHEALTHY":
			return "UNHEALTHY"
		case c.HealthStatus == "HEALTHY" && worst == "":
			worst = "HEALTHY"
		case c.HealthStatus != "HEALTHY":
			worst = "UNKNOWN"
		}
	}
	if worst == "" {
		return t.HealthStatus
	}
	return worst
}

// taskID is the last part of a task ARN.
func taskID(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}
