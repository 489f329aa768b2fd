// Package rolloutsim plays an ECS rollout of the agents' service through
// the fault proxy, for what moto_server cannot do: its CloudFormation
// completes an update at once and its ECS runs no tasks. After the change
// set is executed, the simulation answers the stack's events and status and
// ECS's DescribeServices, ListTasks and DescribeTasks from a script, one
// frame per DescribeServices call; everything else (the stack's resources,
// DescribeTaskDefinition, …) is moto's.
package rolloutsim

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// End is what the stack does once the frames are played.
type End int

const (
	// Complete: the service stabilised; the update completes.
	Complete End = iota
	// RollBack: CloudFormation gave up waiting and rolled back.
	RollBack
	// Hold: only a cancel (or the circuit breaker) ends the update.
	Hold
)

// The stack's statuses the simulation plays, as CloudFormation names them.
const (
	updating    = "UPDATE_IN_PROGRESS"
	rollingBack = "UPDATE_ROLLBACK_IN_PROGRESS"
)

// breakerReason is how CloudFormation's ECS service handler fails a
// service whose deployment the circuit breaker failed
// (https://github.com/aws-cloudformation/rain/issues/458,
// https://github.com/aws/copilot-cli/issues/5296).
const breakerReason = `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'." (RequestToken: 5c1e3f9a-0b2d-4c6e-8f1a-2b3c4d5e6f70, HandlerErrorCode: GeneralServiceException)`

// notCancellable is CloudFormation's answer to CancelUpdateStack outside
// UPDATE_IN_PROGRESS (CancelUpdateStack API reference; the message
// copilot-cli keys on: https://github.com/aws/copilot-cli/pull/5046).
const notCancellable = "CancelUpdateStack cannot be called from current stack status"

// Frame is the service as one DescribeServices call finds it.
type Frame struct {
	// OnOld: CloudFormation has not updated the service yet; its primary
	// deployment still runs the old revision.
	OnOld                             bool
	NewRunning, NewPending, NewFailed int
	OldRunning                        int
	// RolloutState, RolloutReason are the new deployment's; "" is
	// IN_PROGRESS. FAILED is the circuit breaker's verdict: CloudFormation
	// fails the service at once and rolls back (RollbackFrames).
	RolloutState, RolloutReason string
	Events                      []string
	Stopped                     []Task
}

// Task is a task that stops in a frame.
type Task struct {
	Old             bool // of the old revision
	StopCode        string
	Reason          string
	ExitCode        *int
	ContainerReason string
	// Stopping is how many DescribeServices calls ECS takes to stop it:
	// meanwhile ListTasks STOPPED lists it with lastStatus RUNNING, no
	// exit code and no stoppedAt (its containers get SIGTERM and up to the
	// stop timeout before SIGKILL).
	Stopping int
}

// Sim is one scripted rollout.
type Sim struct {
	Stack, StackID   string
	TaskDefinitionID string // the edited task definition's logical ID
	ServiceID        string // the service's logical ID
	ServiceARN       string // arn:…:service/cluster/name
	Old, New         string // the task definition ARNs before and after
	Desired          int
	Frames           []Frame
	End              End
	// DenyECS answers every ECS call AccessDeniedException; the frames
	// then advance with each DescribeStackEvents call.
	DenyECS bool
	// Fault may answer the n-th call (1-based) of an ECS action instead
	// of the simulation: a throttle, a 5xx. It does not advance a frame.
	Fault func(action string, n int) *awsproxy.Reply

	// RollbackFrames are the service while CloudFormation rolls back
	// (OnOld: it points the service at the previous revision again), one
	// per DescribeServices call; the stack stays UPDATE_ROLLBACK_IN_PROGRESS
	// until they are played. RollbackFails ends the rollback in
	// UPDATE_ROLLBACK_FAILED (the previous revision does not stabilise).
	RollbackFrames []Frame
	RollbackFails  bool
	// CancelLoses: the circuit breaker fires while tcdind's cancel is on
	// its way: CloudFormation has begun rolling back when it arrives, and
	// answers it ValidationError (the DescribeStacks before it still said
	// UPDATE_IN_PROGRESS).
	CancelLoses bool
	// Controller is the service's deployment controller (ECS when empty).
	Controller string
	// NoRolloutState leaves rolloutState out of the deployments, as ECS
	// does for a service behind a Classic Load Balancer.
	NoRolloutState bool
	// Health are the new revision's running tasks after the update, one
	// healthStatus each (HEALTHY, UNHEALTHY, UNKNOWN), as the agent
	// container's health check reports it: ListTasks RUNNING lists them
	// (run-1, run-2, …) and DescribeTasks describes them. Empty: moto
	// answers ListTasks RUNNING (it runs no tasks).
	Health []string
	// OldRuntimeIDs are the Docker container IDs of the agent containers
	// of the tasks running before the change set is executed, one task
	// each (old-1, old-2, …): ListTasks RUNNING lists them and
	// DescribeTasks gives each container its runtimeId, as ECS does
	// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html).
	// NewRuntimeIDs are those of the new revision's running tasks after
	// it (run-1, …, beside Health's). Empty: moto answers.
	OldRuntimeIDs []string
	NewRuntimeIDs []string

	mu          sync.Mutex
	p           *awsproxy.Proxy
	served      int
	cancels     int
	cancelled   int // cancels CloudFormation took
	status      string
	rollbackBy  string // why the rollback began
	rbServed    int
	started     time.Time
	stopped     []stoppedTask
	events      []event
	serviceEv   []serviceEvent
	cancelTaken bool
}

type stoppedTask struct {
	arn, td string
	t       Task
	at      time.Time
	left    int // DescribeServices calls until it is STOPPED
}

type event struct {
	logical, physical, typ, status, reason string
}

type serviceEvent struct {
	id, msg string
	at      time.Time
}

// Install puts the simulation on p.
func (s *Sim) Install(p *awsproxy.Proxy) {
	s.p = p
	p.Intercept("DescribeStackEvents", func(int, url.Values) *awsproxy.Reply { return s.stackEvents() })
	p.Rewrite("DescribeStacks", func(_ int, _ url.Values, body []byte) []byte { return s.stackStatus(body) })
	p.Rewrite("ListStackResources", func(_ int, _ url.Values, body []byte) []byte { return s.resources(body) })
	p.Intercept("CancelUpdateStack", func(int, url.Values) *awsproxy.Reply { return s.cancel() })
	p.Intercept("DescribeServices", func(n int, _ url.Values) *awsproxy.Reply {
		return s.fault("DescribeServices", n, s.describeServices)
	})
	p.Intercept("ListTasks", func(n int, f url.Values) *awsproxy.Reply {
		return s.fault("ListTasks", n, func() *awsproxy.Reply { return s.listTasks(f) })
	})
	p.Intercept("DescribeTasks", func(n int, f url.Values) *awsproxy.Reply {
		return s.fault("DescribeTasks", n, func() *awsproxy.Reply { return s.describeTasks(f) })
	})
}

func (s *Sim) fault(action string, n int, answer func() *awsproxy.Reply) *awsproxy.Reply {
	if s.Fault != nil {
		if r := s.Fault(action, n); r != nil {
			return r
		}
	}
	return answer()
}

// Cancels is the number of CancelUpdateStack calls.
func (s *Sim) Cancels() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancels
}

// Taken is the number of cancels CloudFormation took (answered 200).
func (s *Sim) Taken() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelled
}

// Status is the stack's status now.
func (s *Sim) Status() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state()
}

// executed reports that the change set was executed: the simulation is on.
func (s *Sim) executed() bool {
	if s.p.Count("ExecuteChangeSet") == 0 {
		return false
	}
	if s.started.IsZero() {
		s.started = time.Now()
		s.status = updating
		s.add(event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated"},
			event{s.TaskDefinitionID, s.Old, "AWS::ECS::TaskDefinition", "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one."},
			event{s.TaskDefinitionID, s.New, "AWS::ECS::TaskDefinition", "UPDATE_COMPLETE", ""},
			event{s.ServiceID, s.ServiceARN, "AWS::ECS::Service", "UPDATE_IN_PROGRESS", ""})
	}
	return true
}

func (s *Sim) add(events ...event) { s.events = append(s.events, events...) }

// state is where the update is: UPDATE_IN_PROGRESS, rolling back, or its
// final stack status. An update whose frames are played ends as End says.
func (s *Sim) state() string {
	if s.status == updating && s.served >= len(s.Frames) {
		switch s.End {
		case Complete:
			s.add(event{s.ServiceID, s.ServiceARN, "AWS::ECS::Service", "UPDATE_COMPLETE", ""},
				event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""},
				event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", ""})
			s.status = "UPDATE_COMPLETE"
		case RollBack:
			s.rollBack("Resource handler returned message: \"Service "+s.ServiceARN+" did not stabilize.\"", "The following resource(s) failed to update: ["+s.ServiceID+"]. ")
		}
	}
	if s.status == rollingBack && s.rbServed >= len(s.RollbackFrames) {
		s.endRollback()
	}
	return s.status
}

// rollBack begins CloudFormation's rollback: the service's failure, then
// the stack's.
func (s *Sim) rollBack(failed, reason string) {
	if s.status != updating {
		return
	}
	s.rollbackBy = reason
	s.add(event{s.ServiceID, s.ServiceARN, "AWS::ECS::Service", "UPDATE_FAILED", failed},
		event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS", reason})
	s.status = rollingBack
}

// endRollback ends the rollback once its frames are played.
func (s *Sim) endRollback() {
	if s.RollbackFails {
		s.add(event{s.ServiceID, s.ServiceARN, "AWS::ECS::Service", "UPDATE_FAILED", "Resource handler returned message: \"Service " + s.ServiceARN + " did not stabilize.\""},
			event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: [" + s.ServiceID + "]. "})
		s.status = "UPDATE_ROLLBACK_FAILED"
		return
	}
	s.add(event{s.ServiceID, s.ServiceARN, "AWS::ECS::Service", "UPDATE_COMPLETE", ""},
		event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", ""},
		event{s.Stack, s.StackID, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", ""})
	s.status = "UPDATE_ROLLBACK_COMPLETE"
}

func (s *Sim) stackEvents() *awsproxy.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.executed() {
		return nil
	}
	if s.DenyECS {
		s.frame()
	}
	s.state()
	exec, _ := s.p.Last("ExecuteChangeSet")
	token := exec.Form.Get("ClientRequestToken")
	list := make([]awsproxy.Event, 0, len(s.events))
	for i := len(s.events) - 1; i >= 0; i-- { // newest first
		e := s.events[i]
		list = append(list, awsproxy.Event{LogicalID: e.logical, PhysicalID: e.physical, ResourceType: e.typ, Status: e.status, Reason: e.reason,
			Time: s.started.Add(time.Duration(i) * time.Millisecond), Token: token})
	}
	return awsproxy.EventsReply(s.Stack, s.StackID, list)
}

func (s *Sim) stackStatus(body []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.executed() {
		return body
	}
	return awsproxy.SetStackStatus(body, s.state())
}

// resources shows the new revision as the task definition's physical ID
// once the update ran (moto's own is registered without its containers).
func (s *Sim) resources(body []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.executed() {
		return body
	}
	re := regexp.MustCompile(`(<LogicalResourceId>` + regexp.QuoteMeta(s.TaskDefinitionID) + `</LogicalResourceId><PhysicalResourceId>)[^<]*`)
	return re.ReplaceAll(body, []byte("${1}"+s.New))
}

func (s *Sim) cancel() *awsproxy.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancels++
	if s.CancelLoses && s.status == updating {
		s.rollBack(breakerReason, "The following resource(s) failed to update: ["+s.ServiceID+"]. ")
	}
	if s.state() != updating {
		return awsproxy.ErrorReply(400, "ValidationError", notCancellable)
	}
	s.cancelled++
	s.rollBack("Resource update cancelled", "Resource update cancelled")
	return &awsproxy.Reply{Status: 200, Body: `<CancelUpdateStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ResponseMetadata><RequestId>rolloutsim</RequestId></ResponseMetadata></CancelUpdateStackResponse>`}
}

// frame serves the next frame (the last one repeats) and reveals its
// events and stopped tasks; while rolling back, the next rollback frame.
// A frame whose rollout FAILED is the circuit breaker's: CloudFormation
// fails the service at once and rolls back.
func (s *Sim) frame() Frame {
	s.state()
	for i := range s.stopped {
		if s.stopped[i].left > 0 {
			s.stopped[i].left--
			if s.stopped[i].left == 0 {
				s.stopped[i].at = time.Now()
			}
		}
	}
	frames, served := s.Frames, &s.served
	if s.status == rollingBack && len(s.RollbackFrames) > 0 {
		frames, served = s.RollbackFrames, &s.rbServed
	}
	i := min(*served, len(frames)-1)
	f := frames[i]
	if *served < len(frames) {
		now := time.Now()
		for _, msg := range f.Events {
			s.serviceEv = append(s.serviceEv, serviceEvent{id: fmt.Sprintf("ev-%d", len(s.serviceEv)+1), msg: msg, at: now})
		}
		for _, t := range f.Stopped {
			td := s.New
			if t.Old {
				td = s.Old
			}
			arn := fmt.Sprintf("%s/%08x9f3e4d2c1b0a49e8b7c6d5e4", strings.Replace(s.clusterTaskPrefix(), ":service/", ":task/", 1), len(s.stopped)+0xa1b2c3d4)
			s.stopped = append(s.stopped, stoppedTask{arn: arn, td: td, t: t, at: now, left: t.Stopping})
		}
	}
	*served++
	if f.RolloutState == "FAILED" && s.status == updating && served == &s.served {
		s.rollBack(breakerReason, "The following resource(s) failed to update: ["+s.ServiceID+"]. ")
	}
	return f
}

// clusterTaskPrefix is arn:…:task/cluster for the service's tasks.
func (s *Sim) clusterTaskPrefix() string {
	i := strings.LastIndex(s.ServiceARN, "/")
	return s.ServiceARN[:i]
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// denied is ECS's answer to a caller without the permission.
func denied(action string) *awsproxy.Reply {
	return awsproxy.JSONError(400, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:"+action+" on resource: *")
}

func (s *Sim) describeServices() *awsproxy.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.DenyECS {
		return denied("DescribeServices")
	}
	if !s.executed() {
		if s.Controller == "" {
			return nil // moto's own answer
		}
		// Before the update: the service as it runs, with its controller.
		return s.serviceReply(Frame{OnOld: true, OldRunning: s.Desired})
	}
	return s.serviceReply(s.frame())
}

// serviceReply is DescribeServices's answer showing f.
func (s *Sim) serviceReply(f Frame) *awsproxy.Reply {
	cluster := strings.Replace(s.clusterTaskPrefix(), ":service/", ":cluster/", 1)
	name := s.ServiceARN[strings.LastIndex(s.ServiceARN, "/")+1:]
	state := f.RolloutState
	if state == "" {
		state = "IN_PROGRESS"
	}
	var deployments []map[string]any
	primaryTD := s.New
	switch {
	case f.OnOld && s.status != updating:
		// CloudFormation pointed the service at the previous revision
		// again: a new deployment of it, the new revision's draining.
		primaryTD = s.Old
		deployments = append(deployments, map[string]any{"id": "ecs-svc/3", "status": "PRIMARY", "taskDefinition": s.Old,
			"desiredCount": s.Desired, "runningCount": f.OldRunning, "pendingCount": 0, "failedTasks": 0,
			"rolloutState": state, "rolloutStateReason": f.RolloutReason, "createdAt": epoch(time.Now())})
		if f.NewRunning > 0 {
			deployments = append(deployments, map[string]any{"id": "ecs-svc/2", "status": "ACTIVE", "taskDefinition": s.New,
				"desiredCount": 0, "runningCount": f.NewRunning, "pendingCount": 0, "failedTasks": f.NewFailed, "rolloutState": "FAILED", "createdAt": epoch(s.started)})
		}
	case f.OnOld:
		primaryTD = s.Old
		deployments = append(deployments, map[string]any{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": s.Old,
			"desiredCount": s.Desired, "runningCount": f.OldRunning, "pendingCount": 0, "failedTasks": 0, "rolloutState": "COMPLETED", "createdAt": epoch(s.started.Add(-time.Hour))})
	default:
		deployments = append(deployments, map[string]any{"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": s.New,
			"desiredCount": s.Desired, "runningCount": f.NewRunning, "pendingCount": f.NewPending, "failedTasks": f.NewFailed,
			"rolloutState": state, "rolloutStateReason": f.RolloutReason, "createdAt": epoch(s.started)})
		if f.OldRunning > 0 {
			deployments = append(deployments, map[string]any{"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": s.Old,
				"desiredCount": 0, "runningCount": f.OldRunning, "pendingCount": 0, "failedTasks": 0, "rolloutState": "COMPLETED", "createdAt": epoch(s.started.Add(-time.Hour))})
		}
	}
	if s.NoRolloutState {
		for _, d := range deployments {
			delete(d, "rolloutState")
			delete(d, "rolloutStateReason")
		}
	}
	var events []map[string]any
	for i := len(s.serviceEv) - 1; i >= 0; i-- {
		e := s.serviceEv[i]
		events = append(events, map[string]any{"id": e.id, "createdAt": epoch(e.at), "message": e.msg})
	}
	svc := map[string]any{
		"serviceArn": s.ServiceARN, "serviceName": name, "clusterArn": cluster, "status": "ACTIVE",
		"desiredCount": s.Desired, "runningCount": f.NewRunning + f.OldRunning, "pendingCount": f.NewPending,
		"taskDefinition": primaryTD, "deployments": deployments, "events": events, "launchType": "EC2",
	}
	if s.Controller != "" {
		svc["deploymentController"] = map[string]any{"type": s.Controller}
	}
	if f.OnOld {
		svc["runningCount"] = f.OldRunning
	}
	return awsproxy.JSONReply(map[string]any{"services": []any{svc}, "failures": []any{}})
}

func (s *Sim) listTasks(form url.Values) *awsproxy.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.DenyECS {
		return denied("ListTasks")
	}
	if s.executed() && form.Get("desiredStatus") == "RUNNING" && s.running() > 0 {
		arns := []string{}
		for i := range s.running() {
			arns = append(arns, s.runningARN(i))
		}
		return awsproxy.JSONReply(map[string]any{"taskArns": arns})
	}
	if !s.executed() && form.Get("desiredStatus") == "RUNNING" && len(s.OldRuntimeIDs) > 0 {
		arns := []string{}
		for i := range s.OldRuntimeIDs {
			arns = append(arns, s.oldARN(i))
		}
		return awsproxy.JSONReply(map[string]any{"taskArns": arns})
	}
	if !s.executed() || form.Get("desiredStatus") != "STOPPED" {
		return nil
	}
	arns := []string{}
	for _, t := range s.stopped {
		arns = append(arns, t.arn)
	}
	return awsproxy.JSONReply(map[string]any{"taskArns": arns})
}

func (s *Sim) describeTasks(form url.Values) *awsproxy.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	for _, a := range form["tasks"] {
		want[a] = true
	}
	tasks := []any{}
	for i := range s.running() {
		if arn := s.runningARN(i); want[arn] {
			// A running agent: the task's healthStatus follows its
			// essential container's health check.
			h := ""
			if i < len(s.Health) {
				h = s.Health[i]
			}
			c := map[string]any{"name": "teamcity-agent", "lastStatus": "RUNNING"}
			task := map[string]any{"taskArn": arn, "taskDefinitionArn": s.New, "lastStatus": "RUNNING", "desiredStatus": "RUNNING",
				"createdAt": epoch(s.started), "containers": []any{c}}
			if h != "" {
				task["healthStatus"], c["healthStatus"] = h, h
			}
			if i < len(s.NewRuntimeIDs) {
				c["runtimeId"] = s.NewRuntimeIDs[i]
			}
			tasks = append(tasks, task)
		}
	}
	for i, id := range s.OldRuntimeIDs {
		if arn := s.oldARN(i); want[arn] {
			tasks = append(tasks, map[string]any{"taskArn": arn, "taskDefinitionArn": s.Old, "lastStatus": "RUNNING", "desiredStatus": "RUNNING",
				"createdAt":  epoch(time.Now().Add(-time.Hour)),
				"containers": []any{map[string]any{"name": "teamcity-agent", "lastStatus": "RUNNING", "runtimeId": id}}})
		}
	}
	for _, t := range s.stopped {
		if !want[t.arn] {
			continue
		}
		if t.left > 0 {
			// Still stopping: desired STOPPED, last RUNNING, no exit code
			// or stoppedAt yet.
			tasks = append(tasks, map[string]any{"taskArn": t.arn, "taskDefinitionArn": t.td, "lastStatus": "RUNNING", "desiredStatus": "STOPPED",
				"stoppedReason": t.t.Reason, "stopCode": t.t.StopCode, "createdAt": epoch(t.at.Add(-10 * time.Second)),
				"containers": []any{map[string]any{"name": "teamcity-agent", "lastStatus": "RUNNING"}}})
			continue
		}
		c := map[string]any{"name": "teamcity-agent", "lastStatus": "STOPPED"}
		if t.t.ExitCode != nil {
			c["exitCode"] = *t.t.ExitCode
		}
		if t.t.ContainerReason != "" {
			c["reason"] = t.t.ContainerReason
		}
		task := map[string]any{"taskArn": t.arn, "taskDefinitionArn": t.td, "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
			"stoppedReason": t.t.Reason, "createdAt": epoch(t.at.Add(-10 * time.Second)), "stoppedAt": epoch(t.at),
			"containers": []any{c}}
		if t.t.StopCode != "" {
			task["stopCode"] = t.t.StopCode
		}
		tasks = append(tasks, task)
	}
	return awsproxy.JSONReply(map[string]any{"tasks": tasks, "failures": []any{}})
}

// running is how many tasks of the new revision run after the update.
func (s *Sim) running() int { return max(len(s.Health), len(s.NewRuntimeIDs)) }

// oldARN is the ARN of the i-th task running before the update.
func (s *Sim) oldARN(i int) string {
	return fmt.Sprintf("%s/old-%d", strings.Replace(s.clusterTaskPrefix(), ":service/", ":task/", 1), i+1)
}

// runningARN is the ARN of the i-th running task of the new revision.
func (s *Sim) runningARN(i int) string {
	return fmt.Sprintf("%s/run-%d", strings.Replace(s.clusterTaskPrefix(), ":service/", ":task/", 1), i+1)
}
