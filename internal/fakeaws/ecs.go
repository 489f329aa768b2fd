package fakeaws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
)

// ECS is a scripted ECS for following the agents' rollout: the stack's
// resources (which services run the edited task definitions), the frames
// DescribeServices answers one per call, the stopped tasks of each frame,
// and the task definitions read back after the update. A CFN without one
// answers ListStackResources with nothing, so that nothing is followed.
type ECS struct {
	// Resources are the pages ListStackResources returns: the first
	// before the change set is executed (however often it is read), then
	// one per call after it; the last repeats (a later one has the new
	// task definition's ARN).
	Resources [][]awsclient.StackResource
	// Frames are the rollout as ECS shows it, one per DescribeServices
	// call after the change set was executed; the last repeats.
	Frames []Frame
	// Before is what ECS shows before the change set is executed; by
	// default the first frame's services without deployments or events,
	// and no stopped task.
	Before *Frame
	// Running are the tasks ListTasks RUNNING lists after the change set
	// was executed, with their health (DescribeTasks describes them).
	Running []awsclient.Task
	// RunningBefore are the tasks ListTasks RUNNING lists before the
	// change set is executed (the tasks the update replaces).
	RunningBefore []awsclient.Task
	// TaskDefinitions answer DescribeTaskDefinition, by ARN.
	TaskDefinitions map[string]*awsclient.TaskDefinition
	// Hold, when set, holds DescribeTaskDefinition's answer until it is
	// closed or the call's context ends.
	Hold chan struct{}
	// Err is the answer of every ECS call (AccessDenied, say); ResourcesErr
	// ListStackResources's.
	Err, ResourcesErr error
	// Instances are the container instances of every cluster, as
	// DescribeContainerInstances answers; InstancesErr is
	// ListContainerInstances's answer. AMINames name their AMIs
	// (ec2:DescribeImages); nil: DescribeImages is denied.
	Instances    []awsclient.ContainerInstance
	InstancesErr error
	AMINames     map[string]string

	frame     int // the frame of the last DescribeServices
	polls     int // DescribeServices calls after the execution
	resources int // ListStackResources calls after the execution
}

// before is what ECS shows before the execution.
func (e *ECS) before() Frame {
	if e.Before != nil {
		return *e.Before
	}
	var b Frame
	for _, s := range e.Frames[0].Services {
		s.Deployments, s.Events = nil, nil
		b.Services = append(b.Services, s)
	}
	return b
}

// Frame is what ECS shows at one poll: the services, and the stopped tasks
// (ListTasks lists their ARNs, DescribeTasks describes them).
type Frame struct {
	Services []awsclient.Service
	Stopped  []awsclient.Task
}

// count notes one call of op.
func (f *CFN) count(op string) {
	if f.CallCount == nil {
		f.CallCount = map[string]int{}
	}
	f.CallCount[op]++
}

// CallsOf is how many times op (an API action's name) was called.
func (f *CFN) CallsOf(op string) int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.CallCount[op]
}

func (f *CFN) StackResources(_ context.Context, stack string) ([]awsclient.StackResource, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	n := 0
	if len(f.Executed) > 0 && f.ECS != nil {
		f.ECS.resources++
		n = f.ECS.resources
	}
	f.count("ListStackResources")
	if f.ECS == nil {
		return nil, nil
	}
	if f.ECS.ResourcesErr != nil {
		return nil, f.ECS.ResourcesErr
	}
	if len(f.ECS.Resources) == 0 {
		return nil, nil
	}
	return slices.Clone(f.ECS.Resources[min(n, len(f.ECS.Resources)-1)]), nil
}

func (f *CFN) DescribeServices(_ context.Context, cluster string, services []string) ([]awsclient.Service, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("DescribeServices")
	if f.ECS == nil || len(f.ECS.Frames) == 0 {
		return nil, f.ecsErr()
	}
	if err := f.ecsErr(); err != nil {
		return nil, err
	}
	frame := f.ECS.before()
	if len(f.Executed) > 0 {
		n := f.ECS.polls
		f.ECS.polls++
		f.ECS.frame = min(n, len(f.ECS.Frames)-1)
		frame = f.ECS.Frames[f.ECS.frame]
	}
	var out []awsclient.Service
	for _, s := range frame.Services {
		if slices.Contains(services, s.ARN) || slices.Contains(services, s.Name) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *CFN) ecsErr() error {
	if f.ECS == nil {
		return nil
	}
	return f.ECS.Err
}

// StoppedTasks lists the stopped tasks of the frame DescribeServices
// answered last.
func (f *CFN) StoppedTasks(_ context.Context, cluster, service string) ([]string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("ListTasks")
	if err := f.ecsErr(); err != nil {
		return nil, err
	}
	if f.ECS == nil || len(f.ECS.Frames) == 0 {
		return nil, nil
	}
	frame := f.ECS.before()
	if len(f.Executed) > 0 {
		frame = f.ECS.Frames[f.ECS.frame]
	}
	var arns []string
	for _, t := range frame.Stopped {
		arns = append(arns, t.ARN)
	}
	return arns, nil
}

// RunningTasks lists the running tasks: RunningBefore until the change set
// is executed, Running after.
func (f *CFN) RunningTasks(_ context.Context, cluster, service string) ([]string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("ListTasks")
	if err := f.ecsErr(); err != nil {
		return nil, err
	}
	if f.ECS == nil {
		return nil, nil
	}
	running := f.ECS.Running
	if len(f.Executed) == 0 {
		running = f.ECS.RunningBefore
	}
	var arns []string
	for _, t := range running {
		arns = append(arns, t.ARN)
	}
	return arns, nil
}

// DescribeTasks describes the tasks as the frame DescribeServices answered
// last shows them (a task still stopping there, STOPPED later), else as
// the first frame that has them.
func (f *CFN) DescribeTasks(_ context.Context, cluster string, tasks []string) ([]awsclient.Task, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("DescribeTasks")
	if err := f.ecsErr(); err != nil {
		return nil, err
	}
	var out []awsclient.Task
	if f.ECS == nil {
		return nil, nil
	}
	frames := f.ECS.Frames
	if len(f.Executed) > 0 && len(frames) > 0 {
		frames = append([]Frame{frames[f.ECS.frame]}, frames...)
	}
	for _, arn := range tasks {
		for _, t := range append(slices.Clone(f.ECS.Running), f.ECS.RunningBefore...) {
			if t.ARN == arn {
				out = append(out, t)
			}
		}
	frames:
		for _, fr := range frames {
			for _, t := range fr.Stopped {
				if t.ARN == arn {
					out = append(out, t)
					break frames
				}
			}
		}
	}
	return out, nil
}

func (f *CFN) DescribeTaskDefinition(ctx context.Context, arn string) (*awsclient.TaskDefinition, error) {
	if f.ECS != nil && f.ECS.Hold != nil {
		// A test holds the answer: what a run does while it waits.
		select {
		case <-f.ECS.Hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("DescribeTaskDefinition")
	if err := f.ecsErr(); err != nil {
		return nil, err
	}
	if f.ECS != nil {
		if td, ok := f.ECS.TaskDefinitions[arn]; ok {
			return td, nil
		}
	}
	return nil, &awsclient.NotFoundError{Stack: arn, Region: f.RegionName}
}

// CancelUpdateStack records the cancel; OnCancel runs then (a test lets
// the rollback's events come).
func (f *CFN) CancelUpdateStack(_ context.Context, stack, token string) error {
	f.Mu.Lock()
	f.count("CancelUpdateStack")
	err, on := f.CancelErr, f.OnCancel
	if err == nil {
		f.Cancels = append(f.Cancels, stack+" "+token)
	}
	f.Mu.Unlock()
	if err == nil && on != nil {
		on()
	}
	return err
}

// ContainerInstances lists the ARNs of the scripted container instances.
func (f *CFN) ContainerInstances(_ context.Context, cluster string) ([]string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("ListContainerInstances")
	if f.ECS == nil {
		return nil, nil
	}
	if f.ECS.InstancesErr != nil {
		return nil, f.ECS.InstancesErr
	}
	var arns []string
	for _, ci := range f.ECS.Instances {
		arns = append(arns, ci.ARN)
	}
	return arns, nil
}

// DescribeContainerInstances describes the scripted container instances.
func (f *CFN) DescribeContainerInstances(_ context.Context, cluster string, arns []string) ([]awsclient.ContainerInstance, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("DescribeContainerInstances")
	var out []awsclient.ContainerInstance
	for _, ci := range f.ECS.Instances {
		if slices.Contains(arns, ci.ARN) {
			out = append(out, ci)
		}
	}
	return out, nil
}

// ImageNames names the AMIs of AMINames; without them it is denied, as
// ec2:DescribeImages is for a role without it.
func (f *CFN) ImageNames(_ context.Context, ids []string) (map[string]string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.count("DescribeImages")
	if f.ECS == nil || f.ECS.AMINames == nil {
		return nil, fmt.Errorf("describe images %s: UnauthorizedOperation: You are not authorized to perform this operation", strings.Join(ids, ", "))
	}
	out := map[string]string{}
	for _, id := range ids {
		if n, ok := f.ECS.AMINames[id]; ok {
			out[id] = n
		}
	}
	return out, nil
}
