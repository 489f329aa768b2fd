package rollout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/ecsarn"
)

// fakeClient answers as scripted and records every call. The n-th call of
// a kind gets the n-th answer; the last one repeats.
type fakeClient struct {
	resources    [][]awsclient.StackResource
	resourcesErr []error

	// services answers DescribeServices; servicesFn, when set, instead.
	services    [][]awsclient.Service
	servicesErr []error
	servicesFn  func(n int, cluster string, arns []string) ([]awsclient.Service, error)
	// hang makes the n-th DescribeServices wait for its context to end.
	hang func(n int) bool

	// before answers DescribeServices and ListTasks while Prepare reads
	// the services before the update (empty: ECS lists no such service
	// then, and times tell history); those calls count in beforeCalls.
	before        []awsclient.Service
	beforeStopped []string
	beforeErr     error
	preparing     bool
	beforeCalls   int

	stopped    [][]string
	stoppedErr []error

	tasks    map[string]awsclient.Task
	tasksErr []error

	taskDefs   map[string]*awsclient.TaskDefinition
	taskDefErr map[string]error

	resourceCalls int
	serviceCalls  []serviceCall
	stoppedCalls  []serviceCall
	taskCalls     [][]string
	taskDefCalls  []string
}

type serviceCall struct {
	cluster string
	names   []string
}

func nth[T any](list []T, n int) T {
	var zero T
	if len(list) == 0 {
		return zero
	}
	return list[min(n, len(list)-1)]
}

func (f *fakeClient) StackResources(ctx context.Context, stack string) ([]awsclient.StackResource, error) {
	n := f.resourceCalls
	f.resourceCalls++
	if err := nth(f.resourcesErr, n); err != nil {
		return nil, err
	}
	return nth(f.resources, n), nil
}

func (f *fakeClient) DescribeServices(ctx context.Context, cluster string, services []string) ([]awsclient.Service, error) {
	if f.preparing {
		f.beforeCalls++
		return f.before, f.beforeErr
	}
	n := len(f.serviceCalls)
	f.serviceCalls = append(f.serviceCalls, serviceCall{cluster, append([]string(nil), services...)})
	if len(services) > 10 {
		return nil, fmt.Errorf("DescribeServices with %d services, over ECS's 10", len(services))
	}
	if f.hang != nil && f.hang(n) {
		<-ctx.Done()
		return nil, fmt.Errorf("describe ECS services of cluster %s: %w", cluster, ctx.Err())
	}
	if f.servicesFn != nil {
		return f.servicesFn(n, cluster, services)
	}
	if err := nth(f.servicesErr, n); err != nil {
		return nil, err
	}
	return nth(f.services, n), nil
}

func (f *fakeClient) StoppedTasks(ctx context.Context, cluster, service string) ([]string, error) {
	if f.preparing {
		f.beforeCalls++
		return f.beforeStopped, nil
	}
	n := len(f.stoppedCalls)
	f.stoppedCalls = append(f.stoppedCalls, serviceCall{cluster, []string{service}})
	if err := nth(f.stoppedErr, n); err != nil {
		return nil, err
	}
	return nth(f.stopped, n), nil
}

func (f *fakeClient) DescribeTasks(ctx context.Context, cluster string, arns []string) ([]awsclient.Task, error) {
	n := len(f.taskCalls)
	f.taskCalls = append(f.taskCalls, append([]string(nil), arns...))
	if len(arns) > 100 {
		return nil, fmt.Errorf("DescribeTasks with %d tasks, over ECS's 100", len(arns))
	}
	if err := nth(f.tasksErr, n); err != nil {
		return nil, err
	}
	var out []awsclient.Task
	for _, a := range arns {
		if t, ok := f.tasks[a]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeClient) DescribeTaskDefinition(ctx context.Context, arn string) (*awsclient.TaskDefinition, error) {
	f.taskDefCalls = append(f.taskDefCalls, arn)
	if err := f.taskDefErr[arn]; err != nil {
		return nil, err
	}
	td, ok := f.taskDefs[arn]
	if !ok {
		return nil, apiError("ClientException", "DescribeTaskDefinition", "Unable to describe task definition.")
	}
	return td, nil
}

// apiError is an AWS error as awsclient returns it: an API error inside
// the SDK's operation error, behind awsclient's own words.
func apiError(code, op, msg string) error {
	return fmt.Errorf("%s: %w", op, &smithy.OperationError{ServiceID: "ECS", OperationName: op,
		Err: &smithy.GenericAPIError{Code: code, Message: msg}})
}

func TestAPIErrorHasCode(t *testing.T) {
	err := apiError("AccessDeniedException", "DescribeServices", "not allowed")
	if got := awsclient.ErrorCode(err); got != "AccessDeniedException" {
		t.Fatalf("ErrorCode = %q, want AccessDeniedException", got)
	}
	if !denied(err) {
		t.Error("denied(AccessDeniedException) = false")
	}
	for _, code := range []string{"AccessDenied", "UnauthorizedOperation", "ExpiredToken", "ExpiredTokenException"} {
		if !denied(apiError(code, "X", "m")) {
			t.Errorf("denied(%s) = false", code)
		}
	}
	for _, code := range []string{"ThrottlingException", "ServerException", ""} {
		if denied(apiError(code, "X", "m")) {
			t.Errorf("denied(%q) = true", code)
		}
	}
	if denied(fmt.Errorf("connection reset")) {
		t.Error("denied(plain error) = true")
	}
}

const (
	region   = "arn:aws:ecs:eu-west-1:123456789012:"
	oldTD    = region + "task-definition/agent:7"
	newTD    = region + "task-definition/agent:8"
	svcARN   = region + "service/ci/agents"
	oldStyle = region + "service/agents"
)

// agentTemplate has a cluster, one agent task definition and the services
// given (YAML resources, indented by 2).
func agentTemplate(services string) string {
	return `Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  Spare: !Equals [!Ref Env, prod]
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07
          Memory: 2048
` + services
}

const oneService = `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref AgentTaskDefinition
      DesiredCount: 2
`

// parsed is the template and the engine's result for mode.
func parsed(t *testing.T, src string, opts dind.Options) (*dind.Template, *dind.Result) {
	t.Helper()
	tmpl, err := dind.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tmpl.Apply(opts)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, res
}

// t0 is when the update started, in these tests.
var t0 = time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)

// prepare is Prepare on f, its reads before the update answered by before.
func (f *fakeClient) prepare(ctx context.Context, stack string, tmpl *dind.Template, res *dind.Result, opts dind.Options, where string) *Watch {
	f.preparing = true
	defer func() { f.preparing = false }()
	return Prepare(ctx, f, stack, tmpl, res, opts, where)
}

// watching is a Watch prepared on the one-service template, with the
// service in cluster ci running agent:7 before the update.
func watching(t *testing.T, f *fakeClient) *Watch {
	t.Helper()
	if f.resources == nil {
		f.resources = [][]awsclient.StackResource{
			{{LogicalID: "Cluster", PhysicalID: "ci"}, {LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}, {LogicalID: "AgentService", PhysicalID: svcARN}},
			{{LogicalID: "Cluster", PhysicalID: "ci"}, {LogicalID: "AgentTaskDefinition", PhysicalID: newTD}, {LogicalID: "AgentService", PhysicalID: svcARN}},
		}
	}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	tmpl, res := parsed(t, agentTemplate(oneService), opts)
	w := f.prepare(context.Background(), "ci-stack", tmpl, res, opts, " --region eu-west-1")
	if w.Off() || len(w.Services) != 1 {
		t.Fatalf("Prepare: off %q, %d services", w.off, len(w.Services))
	}
	w.Started = t0
	return w
}

// texts are the lines' kinds and texts, one string each.
func texts(lines []Line) []string {
	out := []string{}
	for _, l := range lines {
		out = append(out, kindName[l.Kind]+": "+l.Text)
	}
	return out
}

var kindName = map[Kind]string{Progress: "progress", Event: "event", Stopped: "stopped", Failing: "failing", Note: "note", Verified: "verified"}

func sameLines(t *testing.T, what string, got []Line, want ...string) {
	t.Helper()
	g := texts(got)
	if want == nil {
		want = []string{}
	}
	if fmt.Sprintf("%q", g) != fmt.Sprintf("%q", want) {
		t.Errorf("%s:\n got %q\nwant %q", what, g, want)
	}
}

func deployment(status, td string, desired, running, pending int) awsclient.Deployment {
	return awsclient.Deployment{ID: "ecs-svc/" + ecsarn.Revision(td), Status: status, TaskDefinition: td, Desired: desired, Running: running, Pending: pending}
}

// service is the agents service as ECS describes it.
func service(deps ...awsclient.Deployment) awsclient.Service {
	s := awsclient.Service{ARN: svcARN, Name: "agents", Cluster: region + "cluster/ci", Status: "ACTIVE", Desired: 2, Deployments: deps}
	if len(deps) > 0 {
		s.TaskDefinition = deps[0].TaskDefinition
	}
	for _, d := range deps {
		s.Running += d.Running
		s.Pending += d.Pending
	}
	return s
}

func exit(code int) *int { return &code }

// completed is d as ECS shows it once it called the rollout done.
func completed(d awsclient.Deployment) awsclient.Deployment {
	d.RolloutState = "COMPLETED"
	return d
}

// inProgress is d while ECS rolls it out.
func inProgress(d awsclient.Deployment) awsclient.Deployment {
	d.RolloutState = "IN_PROGRESS"
	return d
}
