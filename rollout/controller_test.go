package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// A CODE_DEPLOY or EXTERNAL service cannot take a task definition update
// through CloudFormation (ECS: "Unable to update task definition on
// services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to
// trigger a new deployment.", cdklabs/cdk-ecs-codedeploy#121): refused
// before any change set, from the template or from ECS.
func TestCheckControllers(t *testing.T) {
	opts := dind.DefaultOptions(dind.ModePrivileged)
	withController := func(typ string) string {
		return oneService + "      DeploymentController:\n        Type: " + typ + "\n"
	}
	resources := [][]awsclient.StackResource{{{LogicalID: "Cluster", PhysicalID: "ci"}, {LogicalID: "AgentTaskDefinition", PhysicalID: oldTD}, {LogicalID: "AgentService", PhysicalID: svcARN}}}
	ecsSays := func(typ string) [][]awsclient.Service {
		s := service(deployment("PRIMARY", oldTD, 2, 2, 0))
		s.Controller = typ
		return [][]awsclient.Service{{s}}
	}
	for _, c := range []struct {
		name, services string
		ecs            [][]awsclient.Service
		want           string // "" accepted
		calls          int    // DescribeServices
	}{
		{"template CODE_DEPLOY", withController("CODE_DEPLOY"), nil,
			"service AgentService uses the CODE_DEPLOY deployment controller (the template says so): CloudFormation cannot update its task definition; a CodeDeploy deployment does; no change set created: save the template with --output and roll the new task definition out with a CodeDeploy deployment (aws ecs deploy)", 0},
		{"template EXTERNAL", withController("EXTERNAL"), nil,
			"service AgentService uses the EXTERNAL deployment controller (the template says so): its task sets are deployed by another tool, not by CloudFormation; no change set created: save the template with --output and roll the new task definition out with the tool that manages its task sets (aws ecs create-task-set)", 0},
		{"ECS says CODE_DEPLOY", oneService, ecsSays("CODE_DEPLOY"),
			"service AgentService (agents) uses the CODE_DEPLOY deployment controller (ECS says so)", 1},
		{"ECS rolling update", oneService, ecsSays("ECS"), "", 1},
		{"template ECS", withController("ECS"), ecsSays(""), "", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmpl, res := parsed(t, agentTemplate(c.services), opts)
			f := &fakeClient{resources: resources, services: c.ecs}
			err := CheckControllers(context.Background(), f, "ci-stack", tmpl, res)
			var ce *ControllerError
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (!errors.As(err, &ce) || !strings.HasPrefix(err.Error(), c.want)):
				t.Errorf("got %v\nwant %s", err, c.want)
			}
			if len(f.serviceCalls) != c.calls {
				t.Errorf("%d DescribeServices, want %d", len(f.serviceCalls), c.calls)
			}
		})
	}
	// What cannot be read is no refusal.
	tmpl, res := parsed(t, agentTemplate(oneService), opts)
	f := &fakeClient{resources: resources, servicesErr: []error{apiError("AccessDeniedException", "DescribeServices", "no")}}
	if err := CheckControllers(context.Background(), f, "ci-stack", tmpl, res); err != nil {
		t.Errorf("a denied read refused the update: %v", err)
	}
}
