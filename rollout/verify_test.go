package rollout

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

func yes() *bool { b := true; return &b }

func privilegedTD(arn string) *awsclient.TaskDefinition {
	return &awsclient.TaskDefinition{ARN: arn, Family: "agent", Revision: 8, Containers: []awsclient.ContainerDefinition{
		{Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2025.07", Privileged: yes()},
		{Name: "log-router", Image: "amazon/aws-for-fluent-bit:2"},
	}}
}

func socketTD(arn, hostPath string) *awsclient.TaskDefinition {
	return &awsclient.TaskDefinition{ARN: arn, Containers: []awsclient.ContainerDefinition{
		{Name: "teamcity-agent", Image: "jetbrains/teamcity-agent:2025.07",
			MountPoints: []awsclient.MountPoint{{SourceVolume: "docker-sock", ContainerPath: "/var/run/docker.sock"}}},
	}, Volumes: []awsclient.Volume{{Name: "docker-sock", HostPath: hostPath}}}
}

const verifiedService = "verified: service agents runs agent:8 on 2 of 2 desired tasks"

func steadyService() awsclient.Service {
	s := service(deployment("PRIMARY", newTD, 2, 2, 0))
	s.Running = 2
	return s
}

func TestVerifyPrivileged(t *testing.T) {
	f := &fakeClient{
		services: [][]awsclient.Service{{steadyService()}},
		taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)},
	}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "Verify", lines, verifiedService,
		"verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)")
	if lines[0].Service != "AgentService" {
		t.Errorf("service line of %q", lines[0].Service)
	}
	if f.resourceCalls != 2 || len(f.serviceCalls) != 1 || !reflect.DeepEqual(f.taskDefCalls, []string{newTD}) {
		t.Errorf("calls: %d ListStackResources, %d DescribeServices, DescribeTaskDefinition %q", f.resourceCalls, len(f.serviceCalls), f.taskDefCalls)
	}
}

func TestVerifySocket(t *testing.T) {
	for _, host := range []string{"/var/run/docker.sock", "/run/docker.sock"} {
		f := &fakeClient{
			services: [][]awsclient.Service{{steadyService()}},
			taskDefs: map[string]*awsclient.TaskDefinition{newTD: socketTD(newTD, host)},
		}
		opts := dind.DefaultOptions(dind.ModeSocket)
		tmpl, res := parsed(t, agentTemplate(oneService), opts)
		f.resources = [][]awsclient.StackResource{
			{{LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}, {LogicalID: "AgentService", PhysicalID: svcARN}},
			{{LogicalID: "AgentTaskDefinition", PhysicalID: newTD}, {LogicalID: "AgentService", PhysicalID: svcARN}},
		}
		w := f.prepare(ctx, "ci-stack", tmpl, res, opts, "")
		lines, err := w.Verify(ctx, 1, 0)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		sameLines(t, "Verify "+host, lines, verifiedService,
			"verified: container teamcity-agent of agent:8 is in socket mode (read back from ECS)")
	}
}

func TestVerifyOldRevision(t *testing.T) {
	s := service(deployment("PRIMARY", oldTD, 2, 2, 0))
	s.Running = 2
	f := &fakeClient{
		services: [][]awsclient.Service{{s}},
		taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)},
	}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 3, 0)
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Fatalf("Verify error %v, want a *MismatchError", err)
	}
	const want = "stack ci-stack updated (UPDATE_COMPLETE), but ECS shows otherwise: service agents runs agent:7, not the new revision agent:8; check with aws ecs describe-services --cluster ci --services agents --region eu-west-1"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	if len(f.serviceCalls) != 1 {
		t.Errorf("%d DescribeServices: a wrong revision is not read again", len(f.serviceCalls))
	}
	sameLines(t, "Verify", lines, "verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)")
}

func TestVerifyCountsReadAgain(t *testing.T) {
	short := service(deployment("PRIMARY", newTD, 2, 1, 1))
	short.Running = 1
	f := &fakeClient{
		services: [][]awsclient.Service{{short}, {short}, {steadyService()}},
		taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)},
	}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.serviceCalls) != 3 {
		t.Errorf("%d DescribeServices, want 3", len(f.serviceCalls))
	}
	sameLines(t, "Verify", lines, verifiedService, "verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)")

	for _, tries := range []int{0, 1, 2} {
		f := &fakeClient{services: [][]awsclient.Service{{short}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
		w := watching(t, f)
		_, err := w.Verify(ctx, tries, 0)
		const want = "stack ci-stack updated (UPDATE_COMPLETE), but ECS shows otherwise: service agents runs agent:8 on 1 of 2 desired tasks; check with aws ecs describe-services --cluster ci --services agents --region eu-west-1"
		if err == nil || err.Error() != want {
			t.Errorf("tries %d: error %v", tries, err)
		}
		if n := len(f.serviceCalls); n != max(tries, 1) {
			t.Errorf("tries %d: %d DescribeServices", tries, n)
		}
	}
}

func TestVerifyDelayAndCancel(t *testing.T) {
	short := service(deployment("PRIMARY", newTD, 2, 1, 1))
	short.Running = 1
	f := &fakeClient{services: [][]awsclient.Service{{short}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w := watching(t, f)
	c, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	_, err := w.Verify(c, 5, time.Hour)
	if time.Since(start) > 10*time.Second {
		t.Fatal("Verify waited though the context was done")
	}
	var m *MismatchError
	if !errors.As(err, &m) || len(f.serviceCalls) != 1 {
		t.Errorf("cancelled Verify: %v after %d DescribeServices", err, len(f.serviceCalls))
	}

	f = &fakeClient{services: [][]awsclient.Service{{short}, {steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w = watching(t, f)
	start = time.Now()
	if _, err := w.Verify(ctx, 2, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("Verify read again after %v, not the delay", d)
	}
}

func TestVerifyNoContainerNames(t *testing.T) {
	for _, td := range []*awsclient.TaskDefinition{
		{ARN: newTD, Containers: []awsclient.ContainerDefinition{{Image: "jetbrains/teamcity-agent:2025.07", Privileged: yes()}}},
		{ARN: newTD},
	} {
		f := &fakeClient{services: [][]awsclient.Service{{steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: td}}
		w := watching(t, f)
		lines, err := w.Verify(ctx, 1, 0)
		if err != nil {
			t.Errorf("error %v", err)
		}
		sameLines(t, "Verify", lines, verifiedService,
			"note: not verified in ECS: DescribeTaskDefinition answered agent:8 without container names; check with aws ecs describe-task-definition --task-definition "+newTD+" --region eu-west-1")
	}
}

func TestVerifyTaskDefinitionDenied(t *testing.T) {
	f := &fakeClient{
		services:   [][]awsclient.Service{{steadyService()}},
		taskDefErr: map[string]error{newTD: apiError("AccessDeniedException", "DescribeTaskDefinition", "not authorized")},
	}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 1, 0)
	if err != nil {
		t.Errorf("error %v", err)
	}
	sameLines(t, "Verify", lines, verifiedService,
		"note: not verified in ECS (DescribeTaskDefinition: operation error ECS: DescribeTaskDefinition, api error AccessDeniedException: not authorized); check with aws ecs describe-task-definition --task-definition "+newTD+" --region eu-west-1")
}

func TestVerifyModeMismatch(t *testing.T) {
	td := privilegedTD(newTD)
	td.Containers[0].Privileged = nil
	f := &fakeClient{services: [][]awsclient.Service{{steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: td}}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 1, 0)
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Fatalf("error %v, want a *MismatchError", err)
	}
	want := "stack ci-stack updated (UPDATE_COMPLETE), but ECS shows otherwise: container teamcity-agent of agent:8 is in none mode, not privileged; check with aws ecs describe-task-definition --task-definition " + newTD + " --region eu-west-1"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	if m.Stack != "ci-stack" || len(m.Diffs) != 1 {
		t.Errorf("mismatch %+v", m)
	}
	sameLines(t, "Verify", lines, verifiedService)

	// Both the socket and privileged: mixed, not the mode asked.
	td = socketTD(newTD, "/var/run/docker.sock")
	td.Containers[0].Privileged = yes()
	f = &fakeClient{services: [][]awsclient.Service{{steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: td}}
	w = watching(t, f)
	if _, err := w.Verify(ctx, 1, 0); err == nil || !strings.Contains(err.Error(), "container teamcity-agent of agent:8 is in mixed mode, not privileged") {
		t.Errorf("mixed: %v", err)
	}
}

func TestVerifyNoAgentAndBothDiffer(t *testing.T) {
	s := service(deployment("PRIMARY", oldTD, 2, 2, 0))
	s.Running = 2
	td := &awsclient.TaskDefinition{ARN: newTD, Containers: []awsclient.ContainerDefinition{{Name: "nginx", Image: "nginx:1"}}}
	f := &fakeClient{services: [][]awsclient.Service{{s}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: td}}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 1, 0)
	want := "stack ci-stack updated (UPDATE_COMPLETE), but ECS shows otherwise: service agents runs agent:7, not the new revision agent:8; agent:8 has no agent container; check with aws ecs describe-services --cluster ci --services agents --region eu-west-1 and aws ecs describe-task-definition --task-definition " + newTD + " --region eu-west-1"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
	sameLines(t, "Verify", lines)
}

func TestVerifyServiceProblems(t *testing.T) {
	noPrimary := service(deployment("ACTIVE", newTD, 2, 2, 0))
	for _, c := range []struct {
		answer []awsclient.Service
		diff   string
	}{
		{nil, "service agents is not found in cluster ci"},
		{[]awsclient.Service{noPrimary}, "service agents has no primary deployment"},
	} {
		f := &fakeClient{services: [][]awsclient.Service{c.answer}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
		w := watching(t, f)
		_, err := w.Verify(ctx, 3, 0)
		var m *MismatchError
		if !errors.As(err, &m) || !reflect.DeepEqual(m.Diffs, []string{c.diff}) {
			t.Errorf("error %v, want the diff %q", err, c.diff)
		}
		if len(f.serviceCalls) != 1 {
			t.Errorf("%q: %d DescribeServices, want 1", c.diff, len(f.serviceCalls))
		}
	}
}

func TestVerifyReadsFail(t *testing.T) {
	f := &fakeClient{services: [][]awsclient.Service{{steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w := watching(t, f)
	f.resourcesErr = []error{nil, apiError("ThrottlingException", "ListStackResources", "Rate exceeded")}
	lines, err := w.Verify(ctx, 1, 0)
	if err != nil {
		t.Error(err)
	}
	sameLines(t, "Verify", lines, "note: not verified in ECS (ListStackResources: operation error ECS: ListStackResources, api error ThrottlingException: Rate exceeded); check with aws cloudformation list-stack-resources --stack-name ci-stack --region eu-west-1")
	if len(f.serviceCalls) != 0 || len(f.taskDefCalls) != 0 {
		t.Error("ECS read without the new revisions")
	}

	f = &fakeClient{servicesErr: []error{apiError("AccessDeniedException", "DescribeServices", "no")}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w = watching(t, f)
	lines, err = w.Verify(ctx, 3, 0)
	if err != nil {
		t.Error(err)
	}
	sameLines(t, "Verify", lines,
		"note: not verified in ECS (DescribeServices: operation error ECS: DescribeServices, api error AccessDeniedException: no); check with aws ecs describe-services --cluster ci --services agents --region eu-west-1",
		"verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)")
	if len(f.serviceCalls) != 1 {
		t.Errorf("%d DescribeServices after a failed one, want 1", len(f.serviceCalls))
	}
}

func TestSawSparesListStackResources(t *testing.T) {
	f := &fakeClient{services: [][]awsclient.Service{{steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w := watching(t, f)
	w.Saw([]awsclient.StackEvent{
		{LogicalID: "AgentTaskDefinition", Status: "UPDATE_IN_PROGRESS", PhysicalID: oldTD},
		{LogicalID: "AgentService", Status: "UPDATE_COMPLETE", PhysicalID: svcARN},
		{LogicalID: "AgentTaskDefinition", Status: "UPDATE_COMPLETE", PhysicalID: newTD},
	})
	lines, err := w.Verify(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "Verify", lines, verifiedService, "verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)")
	if f.resourceCalls != 1 {
		t.Errorf("%d ListStackResources, want only Prepare's", f.resourceCalls)
	}
	var nilWatch *Watch
	nilWatch.Saw([]awsclient.StackEvent{{LogicalID: "X"}})
}

func TestSawNamesTheNewRevision(t *testing.T) {
	// A deployment of another revision than the one CloudFormation
	// registered is not this update's rollout.
	other := region + "task-definition/agent:9"
	f := &fakeClient{services: [][]awsclient.Service{
		{service(deployment("PRIMARY", other, 2, 2, 0))},
		{service(deployment("PRIMARY", newTD, 2, 1, 1), deployment("ACTIVE", other, 2, 1, 0))},
	}}
	w := watching(t, f)
	w.Saw([]awsclient.StackEvent{{LogicalID: "AgentTaskDefinition", Status: "UPDATE_COMPLETE", PhysicalID: newTD}})
	sameLines(t, "poll 1", w.Poll(ctx), "progress: waiting for CloudFormation to update the service (it runs agent:9)")
	sameLines(t, "poll 2", w.Poll(ctx), "progress: new revision agent:8: 1 of 2 running, 1 pending; old revision agent:9: 1 running (draining)")
}

func TestOlderDeploymentIsNotNew(t *testing.T) {
	// Someone pointed the service at agent:6 before the update began.
	older := deployment("PRIMARY", region+"task-definition/agent:6", 2, 2, 0)
	older.Created = t0.Add(-time.Hour)
	fresh := deployment("PRIMARY", newTD, 2, 0, 2)
	fresh.Created = t0.Add(time.Minute)
	older2 := older
	older2.Status = "ACTIVE"
	f := &fakeClient{services: [][]awsclient.Service{{service(older)}, {service(fresh, older2)}}}
	w := watching(t, f)
	sameLines(t, "poll 1", w.Poll(ctx), "progress: waiting for CloudFormation to update the service (it runs agent:6)")
	sameLines(t, "poll 2", w.Poll(ctx), "progress: new revision agent:8: 0 of 2 running, 2 pending; old revision agent:6: 2 running (draining)")
}

func TestVerifyNamedContainers(t *testing.T) {
	src := `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: builder
          Image: example.com/ci/builder:1
          Memory: 2048
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref AgentTaskDefinition
`
	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.Containers = []string{"builder"}
	tmpl, res := parsed(t, src, opts)
	f := &fakeClient{
		resources: [][]awsclient.StackResource{
			{{LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}, {LogicalID: "AgentService", PhysicalID: svcARN}},
			{{LogicalID: "AgentTaskDefinition", PhysicalID: newTD}, {LogicalID: "AgentService", PhysicalID: svcARN}},
		},
		services: [][]awsclient.Service{{steadyService()}},
		taskDefs: map[string]*awsclient.TaskDefinition{newTD: {ARN: newTD, Containers: []awsclient.ContainerDefinition{{Name: "builder", Image: "example.com/ci/builder:1", Privileged: yes()}}}},
	}
	w := f.prepare(ctx, "ci-stack", tmpl, res, opts, "")
	lines, err := w.Verify(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "Verify", lines, verifiedService, "verified: container builder of agent:8 is in privileged mode (read back from ECS)")
}

// A service deployed by task sets (EXTERNAL or CODE_DEPLOY controller)
// lists no deployments: not verified, said with the command, no error.
func TestVerifyTaskSetService(t *testing.T) {
	s := service()
	s.Running = 2
	f := &fakeClient{services: [][]awsclient.Service{{s}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w := watching(t, f)
	lines, err := w.Verify(ctx, 3, 0)
	if err != nil {
		t.Fatalf("error %v", err)
	}
	sameLines(t, "Verify", lines,
		"note: not verified in ECS: service agents lists no deployments (task sets?); check with aws ecs describe-services --cluster ci --services agents --region eu-west-1",
		"verified: container teamcity-agent of agent:8 is in privileged mode (read back from ECS)")
	if len(f.serviceCalls) != 1 {
		t.Errorf("%d DescribeServices, want 1 (nothing to wait for)", len(f.serviceCalls))
	}
}

// TestVerifyInterrupted: a read cut off by ctrl+c or SIGTERM is said as
// "interrupted", not as the SDK's "https response error StatusCode: 0, …,
// context canceled" (seen by review2 with SIGINT during the verification).
func TestVerifyInterrupted(t *testing.T) {
	f := &fakeClient{services: [][]awsclient.Service{{steadyService()}}, taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)}}
	w := watching(t, f)
	f.resourcesErr = []error{nil, fmt.Errorf("list resources of stack ci-stack: https response error StatusCode: 0, RequestID: , canceled, %w", context.Canceled)}
	lines, err := w.Verify(ctx, 1, 0)
	if err != nil {
		t.Error(err)
	}
	sameLines(t, "Verify", lines, "note: not verified in ECS (interrupted); check with aws cloudformation list-stack-resources --stack-name ci-stack --region eu-west-1")
}
