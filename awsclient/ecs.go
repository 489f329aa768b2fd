package awsclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ECS is what tcdind reads of the agents' ECS services while a stack update
// rolls them out, and afterwards to verify what they run.
type ECS interface {
	// DescribeServices describes up to 10 services of one cluster in one
	// call; a service ECS does not know is left out of the answer.
	DescribeServices(ctx context.Context, cluster string, services []string) ([]Service, error)
	// StoppedTasks lists the ARNs of a service's stopped tasks (ECS keeps
	// them for about an hour), every page.
	StoppedTasks(ctx context.Context, cluster, service string) ([]string, error)
	// DescribeTasks describes up to 100 tasks of one cluster in one call.
	DescribeTasks(ctx context.Context, cluster string, tasks []string) ([]Task, error)
	// DescribeTaskDefinition reads a registered task definition back.
	DescribeTaskDefinition(ctx context.Context, arn string) (*TaskDefinition, error)
}

// Service is an ECS service as its rollout shows it.
type Service struct {
	ARN, Name, Cluster string
	Status             string // ACTIVE, DRAINING, INACTIVE
	TaskDefinition     string
	// LaunchType is EC2, FARGATE or EXTERNAL; with a capacity provider
	// strategy instead, its providers' names (FARGATE_SPOT, or an Auto
	// Scaling group's provider).
	LaunchType       string
	Desired, Running int
	Pending          int
	Deployments      []Deployment
	Events           []ServiceEvent // newest first, as ECS lists them
	// Controller is the deployment controller's type: ECS (rolling
	// update, also when ECS leaves it out), CODE_DEPLOY or EXTERNAL.
	Controller string
	// PlacementConstraints are the service's own (its task definition
	// has more).
	PlacementConstraints []PlacementConstraint
}

// PlacementConstraint is a task placement constraint: Type memberOf with a
// cluster query language Expression, or distinctInstance without one.
type PlacementConstraint struct {
	Type, Expression string
}

// Primary is the service's PRIMARY deployment, nil if it has none.
func (s *Service) Primary() *Deployment {
	for i := range s.Deployments {
		if s.Deployments[i].Status == "PRIMARY" {
			return &s.Deployments[i]
		}
	}
	return nil
}

// Deployment is one task definition revision a service runs or drains.
type Deployment struct {
	ID, Status     string // Status: PRIMARY, ACTIVE, INACTIVE
	TaskDefinition string
	Desired        int
	Running        int
	Pending        int
	Failed         int
	// RolloutState is COMPLETED, IN_PROGRESS or FAILED (the circuit
	// breaker's verdict); RolloutReason says why.
	RolloutState, RolloutReason string
	Created                     time.Time
}

// ServiceEvent is a message of the service's event log.
type ServiceEvent struct {
	ID      string
	Time    time.Time
	Message string
}

// Task is a task of a service, as far as its stop explains.
type Task struct {
	ARN            string
	TaskDefinition string
	LastStatus     string
	StopCode       string // TaskFailedToStart, EssentialContainerExited, …
	StoppedReason  string
	Created        time.Time
	Stopped        time.Time
	Containers     []TaskContainer
	// HealthStatus is the task's: HEALTHY, UNHEALTHY or UNKNOWN (no
	// essential container has a health check, or it is still starting).
	HealthStatus string
	// PrivateIPv4 is the private IPv4 address of the task's own elastic
	// network interface: only awsvpc tasks have one (its attachment of type
	// ElasticNetworkInterface carries privateIPv4Address:
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attachment.html,
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html).
	// Empty in bridge and host network mode.
	PrivateIPv4 string
}

// TaskContainer is a container of a task.
type TaskContainer struct {
	Name     string
	ExitCode *int
	Reason   string
	// HealthStatus is the container's health check's verdict: HEALTHY,
	// UNHEALTHY or UNKNOWN ("" when ECS leaves it out).
	HealthStatus string
	// RuntimeID is the ID of the Docker container ("The ID of the Docker
	// container": https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html);
	// empty until the container was created.
	RuntimeID string
}

// TaskDefinition is a registered task definition, as far as its mode shows.
type TaskDefinition struct {
	ARN        string
	Family     string
	Revision   int
	Containers []ContainerDefinition
	Volumes    []Volume
	// PlacementConstraints are the task definition's memberOf
	// constraints, as registered.
	PlacementConstraints []PlacementConstraint
	// NetworkMode is bridge, host, awsvpc or none; "" when the task
	// definition leaves it out (bridge on EC2:
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode).
	NetworkMode string
}

// ContainerDefinition is a container of a registered task definition.
type ContainerDefinition struct {
	Name, Image string
	// Environment is the container's environment variables as registered,
	// values resolved (a !GetAtt in the template is the address here).
	Environment map[string]string
	Privileged  *bool
	MountPoints []MountPoint
	VolumesFrom []string // source containers
	// HealthCheck is the container's health check command (CMD-SHELL and
	// its command line), nil without one.
	HealthCheck []string
	// Hostname is the container's hostname when the task definition sets
	// one; without it Docker names the container's host after its ID.
	Hostname string
}

// MountPoint mounts a task volume into a container.
type MountPoint struct {
	SourceVolume, ContainerPath string
}

// Volume is a task volume; HostPath is empty for one Docker manages.
type Volume struct {
	Name, HostPath string
}

// DescribeServices describes services of one cluster.
func (c *Client) DescribeServices(ctx context.Context, cluster string, services []string) ([]Service, error) {
	out, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: services})
	if err != nil {
		return nil, fmt.Errorf("describe ECS services of cluster %s: %w", cluster, short(err))
	}
	list := make([]Service, 0, len(out.Services))
	for _, s := range out.Services {
		list = append(list, serviceFrom(s))
	}
	return list, nil
}

func serviceFrom(s ecstypes.Service) Service {
	svc := Service{
		ARN: aws.ToString(s.ServiceArn), Name: aws.ToString(s.ServiceName), Cluster: aws.ToString(s.ClusterArn),
		Status: aws.ToString(s.Status), TaskDefinition: aws.ToString(s.TaskDefinition),
		Desired: int(s.DesiredCount), Running: int(s.RunningCount), Pending: int(s.PendingCount),
		LaunchType: string(s.LaunchType),
	}
	for _, c := range s.PlacementConstraints {
		svc.PlacementConstraints = append(svc.PlacementConstraints, PlacementConstraint{Type: string(c.Type), Expression: aws.ToString(c.Expression)})
	}
	if svc.LaunchType == "" {
		var providers []string
		for _, p := range s.CapacityProviderStrategy {
			providers = append(providers, aws.ToString(p.CapacityProvider))
		}
		svc.LaunchType = strings.Join(providers, "+")
	}
	if s.DeploymentController != nil {
		svc.Controller = string(s.DeploymentController.Type)
	}
	for _, d := range s.Deployments {
		svc.Deployments = append(svc.Deployments, Deployment{
			ID: aws.ToString(d.Id), Status: aws.ToString(d.Status), TaskDefinition: aws.ToString(d.TaskDefinition),
			Desired: int(d.DesiredCount), Running: int(d.RunningCount), Pending: int(d.PendingCount), Failed: int(d.FailedTasks),
			RolloutState: string(d.RolloutState), RolloutReason: aws.ToString(d.RolloutStateReason),
			Created: aws.ToTime(d.CreatedAt),
		})
	}
	for _, e := range s.Events {
		svc.Events = append(svc.Events, ServiceEvent{ID: aws.ToString(e.Id), Time: aws.ToTime(e.CreatedAt), Message: aws.ToString(e.Message)})
	}
	return svc
}

// StoppedTasks lists a service's stopped tasks.
func (c *Client) StoppedTasks(ctx context.Context, cluster, service string) ([]string, error) {
	var arns []string
	p := ecs.NewListTasksPaginator(c.ecs, &ecs.ListTasksInput{
		Cluster: aws.String(cluster), ServiceName: aws.String(service), DesiredStatus: ecstypes.DesiredStatusStopped,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list stopped tasks of ECS service %s: %w", service, short(err))
		}
		arns = append(arns, out.TaskArns...)
	}
	return arns, nil
}

// RunningTasks lists the ARNs of a service's running tasks, every page:
// the agents whose health the verification reads.
func (c *Client) RunningTasks(ctx context.Context, cluster, service string) ([]string, error) {
	var arns []string
	p := ecs.NewListTasksPaginator(c.ecs, &ecs.ListTasksInput{
		Cluster: aws.String(cluster), ServiceName: aws.String(service), DesiredStatus: ecstypes.DesiredStatusRunning,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list running tasks of ECS service %s: %w", service, short(err))
		}
		arns = append(arns, out.TaskArns...)
	}
	return arns, nil
}

// DescribeTasks describes tasks of one cluster.
func (c *Client) DescribeTasks(ctx context.Context, cluster string, tasks []string) ([]Task, error) {
	out, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: tasks})
	if err != nil {
		return nil, fmt.Errorf("describe ECS tasks of cluster %s: %w", cluster, short(err))
	}
	list := make([]Task, 0, len(out.Tasks))
	for _, t := range out.Tasks {
		task := Task{
			ARN: aws.ToString(t.TaskArn), TaskDefinition: aws.ToString(t.TaskDefinitionArn), LastStatus: aws.ToString(t.LastStatus),
			StopCode: string(t.StopCode), StoppedReason: aws.ToString(t.StoppedReason),
			Created: aws.ToTime(t.CreatedAt), Stopped: aws.ToTime(t.StoppedAt),
			HealthStatus: string(t.HealthStatus),
		}
		for _, ct := range t.Containers {
			tc := TaskContainer{Name: aws.ToString(ct.Name), Reason: aws.ToString(ct.Reason), HealthStatus: string(ct.HealthStatus), RuntimeID: aws.ToString(ct.RuntimeId)}
			if ct.ExitCode != nil {
				code := int(*ct.ExitCode)
				tc.ExitCode = &code
			}
			task.Containers = append(task.Containers, tc)
		}
		task.PrivateIPv4 = eniAddress(t.Attachments)
		list = append(list, task)
	}
	return list, nil
}

// eniAddress is the private IPv4 address of a task's elastic network
// interface attachment; "" when it has none (bridge or host network mode).
func eniAddress(attachments []ecstypes.Attachment) string {
	for _, a := range attachments {
		if aws.ToString(a.Type) != "ElasticNetworkInterface" {
			continue
		}
		for _, kv := range a.Details {
			if aws.ToString(kv.Name) == "privateIPv4Address" {
				return aws.ToString(kv.Value)
			}
		}
	}
	return ""
}

// DescribeTaskDefinition reads a registered task definition.
func (c *Client) DescribeTaskDefinition(ctx context.Context, arn string) (*TaskDefinition, error) {
	out, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describe ECS task definition %s: %w", arn, short(err))
	}
	td := out.TaskDefinition
	if td == nil {
		return nil, fmt.Errorf("describe ECS task definition %s: the answer has no task definition", arn)
	}
	def := &TaskDefinition{ARN: aws.ToString(td.TaskDefinitionArn), Family: aws.ToString(td.Family), Revision: int(td.Revision), NetworkMode: string(td.NetworkMode)}
	for _, c := range td.PlacementConstraints {
		def.PlacementConstraints = append(def.PlacementConstraints, PlacementConstraint{Type: string(c.Type), Expression: aws.ToString(c.Expression)})
	}
	for _, cd := range td.ContainerDefinitions {
		c := ContainerDefinition{Name: aws.ToString(cd.Name), Image: aws.ToString(cd.Image), Privileged: cd.Privileged, Hostname: aws.ToString(cd.Hostname)}
		if cd.HealthCheck != nil {
			c.HealthCheck = cd.HealthCheck.Command
		}
		for _, kv := range cd.Environment {
			if c.Environment == nil {
				c.Environment = map[string]string{}
			}
			c.Environment[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
		}
		for _, m := range cd.MountPoints {
			c.MountPoints = append(c.MountPoints, MountPoint{SourceVolume: aws.ToString(m.SourceVolume), ContainerPath: aws.ToString(m.ContainerPath)})
		}
		for _, v := range cd.VolumesFrom {
			c.VolumesFrom = append(c.VolumesFrom, aws.ToString(v.SourceContainer))
		}
		def.Containers = append(def.Containers, c)
	}
	for _, v := range td.Volumes {
		vol := Volume{Name: aws.ToString(v.Name)}
		if v.Host != nil {
			vol.HostPath = aws.ToString(v.Host.SourcePath)
		}
		def.Volumes = append(def.Volumes, vol)
	}
	return def, nil
}
