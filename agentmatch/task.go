package agentmatch

import (
	"context"
	"fmt"
	"slices"

	"github.com/tcdind/tcdind/awsclient"
)

// Service is an ECS service that runs agents, and the names of its agent
// containers (empty: every container is one).
type Service struct {
	Name, Cluster string
	Containers    []string
}

// Task is one agent container of a running ECS task.
type Task struct {
	ARN            string
	Service        string
	Cluster        string
	TaskDefinition string // ARN
	Container      string
	// RuntimeID is the container's Docker ID ("" before it was created).
	RuntimeID string
	// IP is the task's own private IPv4 address (awsvpc).
	IP string
	// NetworkMode is the task definition's: bridge, host, awsvpc, none
	// ("" read as bridge, ECS's default on EC2).
	NetworkMode string
	// Hostname is the hostname the task definition gives the container
	// ("" for none: Docker's, from the container ID).
	Hostname string
}

// ID is the last part of the task's ARN.
func (t Task) ID() string {
	for i := len(t.ARN) - 1; i >= 0; i-- {
		if t.ARN[i] == '/' {
			return t.ARN[i+1:]
		}
	}
	return t.ARN
}

// Reader reads the running tasks of a service; *awsclient.Client is one.
type Reader interface {
	RunningTasks(ctx context.Context, cluster, service string) ([]string, error)
	DescribeTasks(ctx context.Context, cluster string, tasks []string) ([]awsclient.Task, error)
	DescribeTaskDefinition(ctx context.Context, arn string) (*awsclient.TaskDefinition, error)
}

// Defs are task definitions read, by ARN: a registered revision never
// changes, so one read serves every later look.
type Defs map[string]*awsclient.TaskDefinition

// ReadTasks reads the running tasks of services and returns one Task per
// agent container: one ListTasks (every page) per service, one
// DescribeTasks per 100 tasks, one DescribeTaskDefinition per revision
// they run (its network mode and the container's hostname).
func ReadTasks(ctx context.Context, c Reader, services []Service) ([]Task, error) {
	return ReadTasksWith(ctx, c, services, nil)
}

// ReadTasksWith is ReadTasks that reads only the revisions not in defs
// yet, and adds them: for a caller that looks again and again.
func ReadTasksWith(ctx context.Context, c Reader, services []Service, defs Defs) ([]Task, error) {
	if defs == nil {
		defs = Defs{}
	}
	var out []Task
	for _, s := range services {
		arns, err := c.RunningTasks(ctx, s.Cluster, s.Name)
		if err != nil {
			return nil, fmt.Errorf("list the tasks of ECS service %s: %w", s.Name, err)
		}
		for i := 0; i < len(arns); i += 100 {
			tasks, err := c.DescribeTasks(ctx, s.Cluster, arns[i:min(i+100, len(arns))])
			if err != nil {
				return nil, err
			}
			for _, t := range tasks {
				if t.LastStatus == "STOPPED" {
					continue
				}
				td, ok := defs[t.TaskDefinition]
				if !ok && t.TaskDefinition != "" {
					if td, err = c.DescribeTaskDefinition(ctx, t.TaskDefinition); err != nil {
						return nil, err
					}
					defs[t.TaskDefinition] = td
				}
				out = append(out, agentContainers(s, t, td)...)
			}
		}
	}
	return out, nil
}

// agentContainers are the agent containers of task t.
func agentContainers(s Service, t awsclient.Task, td *awsclient.TaskDefinition) []Task {
	var out []Task
	for _, c := range t.Containers {
		if len(s.Containers) > 0 && !slices.Contains(s.Containers, c.Name) {
			continue
		}
		task := Task{ARN: t.ARN, Service: s.Name, Cluster: s.Cluster, TaskDefinition: t.TaskDefinition, Container: c.Name, RuntimeID: c.RuntimeID, IP: t.PrivateIPv4}
		if td != nil {
			task.NetworkMode = td.NetworkMode
			for _, cd := range td.Containers {
				if cd.Name == c.Name {
					task.Hostname = cd.Hostname
				}
			}
		}
		out = append(out, task)
	}
	return out
}
