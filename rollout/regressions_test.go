package rollout

import (
	"errors"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// Two bugs found by these tests, now fixed: events older than the update
// were shown as news when the service's first read was not on the first
// poll; the mismatch's command named the first service, not the one that
// differs.

func TestOldEventsAfterFailedFirstPoll(t *testing.T) {
	s := service(deployment("PRIMARY", oldTD, 2, 2, 0))
	s.Events = []awsclient.ServiceEvent{{ID: "old", Time: t0.Add(-time.Hour), Message: "(service agents) has reached a steady state."}}
	f := &fakeClient{
		servicesErr: []error{apiError("ThrottlingException", "DescribeServices", "Rate exceeded"), nil},
		services:    [][]awsclient.Service{nil, {s}},
	}
	w := watching(t, f)
	w.Poll(ctx)
	sameLines(t, "poll 2", w.Poll(ctx), "progress: waiting for CloudFormation to update the service (it runs agent:7)")
}

func TestCheckNamesTheServiceThatDiffers(t *testing.T) {
	a := region + "service/ci/agents"
	b := region + "service/other/spare"
	f := &fakeClient{
		resources: [][]awsclient.StackResource{{{LogicalID: "AgentTaskDefinition", PhysicalID: newTD}}},
		servicesFn: func(_ int, cluster string, arns []string) ([]awsclient.Service, error) {
			if cluster == "ci" {
				return []awsclient.Service{{ARN: a, Name: "agents", Desired: 1, Running: 1, Deployments: []awsclient.Deployment{deployment("PRIMARY", newTD, 1, 1, 0)}}}, nil
			}
			return []awsclient.Service{{ARN: b, Name: "spare", Desired: 1, Running: 1, Deployments: []awsclient.Deployment{deployment("PRIMARY", oldTD, 1, 1, 0)}}}, nil
		},
		taskDefs: map[string]*awsclient.TaskDefinition{newTD: privilegedTD(newTD)},
	}
	w := &Watch{Client: f, Stack: "s", Mode: "privileged", Started: t0, old: map[string]string{"AgentTaskDefinition": oldTD},
		names: map[string][]string{"AgentTaskDefinition": {"teamcity-agent"}},
		Services: []*Service{
			{LogicalID: "A", TaskDefinition: "AgentTaskDefinition", ARN: a, Name: "agents", Cluster: "ci"},
			{LogicalID: "B", TaskDefinition: "AgentTaskDefinition", ARN: b, Name: "spare", Cluster: "other"},
		}}
	_, err := w.Verify(ctx, 1, 0)
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Fatal(err)
	}
	if m.Check != "aws ecs describe-services --cluster other --services spare" {
		t.Errorf("Check = %q", m.Check)
	}
}
