package rollout

import (
	"context"
	"fmt"

	"github.com/tcdind/tcdind/dind"
)

// ControllerError refuses --apply for a service whose deployment controller
// is not ECS's rolling update: CloudFormation cannot roll a new task
// definition out to it. ECS answers CloudFormation's UpdateService "Unable
// to update task definition on services with a CODE_DEPLOY deployment
// controller. Use AWS CodeDeploy to trigger a new deployment."
// (https://github.com/cdklabs/cdk-ecs-codedeploy/issues/121,
// https://github.com/aws/aws-cdk/issues/23564,
// https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1529),
// and an EXTERNAL controller's task definition is rolled out by the task
// sets another tool creates (UpdateService API reference). The update
// would only wait and fail, so no change set is made.
type ControllerError struct {
	Service    string // logical ID
	Name       string // the service's name, when read from ECS
	Controller string // CODE_DEPLOY or EXTERNAL
	Source     string // "the template" or "ECS"
}

func (e *ControllerError) Error() string {
	svc := e.Service
	if e.Name != "" {
		svc += " (" + e.Name + ")"
	}
	how := "roll the new task definition out with a CodeDeploy deployment (aws ecs deploy)"
	why := "CloudFormation cannot update its task definition; a CodeDeploy deployment does"
	if e.Controller == "EXTERNAL" {
		how = "roll the new task definition out with the tool that manages its task sets (aws ecs create-task-set)"
		why = "its task sets are deployed by another tool, not by CloudFormation"
	}
	return fmt.Sprintf("service %s uses the %s deployment controller (%s says so): %s; no change set created: save the template with --output and %s",
		svc, e.Controller, e.Source, why, how)
}

// unsupported are the deployment controllers CloudFormation cannot roll a
// task definition out through.
func unsupported(controller string) bool {
	return controller == "CODE_DEPLOY" || controller == "EXTERNAL"
}

// CheckControllers refuses, before any change set, an update of services
// whose deployment controller is CODE_DEPLOY or EXTERNAL: from the
// template's DeploymentController when it writes one out, else from ECS
// (one ListStackResources, one DescribeServices per cluster). What cannot
// be read is no refusal: following says it later.
func CheckControllers(ctx context.Context, c Client, stack string, tmpl *dind.Template, res *dind.Result) error {
	found := tmpl.Services(res.Targets)
	for _, s := range found {
		if unsupported(s.Controller) {
			return &ControllerError{Service: s.LogicalID, Controller: s.Controller, Source: "the template"}
		}
	}
	if c == nil || len(found) == 0 {
		return nil
	}
	resources, err := c.StackResources(ctx, stack)
	if err != nil {
		return nil
	}
	physical := map[string]string{}
	for _, r := range resources {
		physical[r.LogicalID] = r.PhysicalID
	}
	w := &Watch{Client: c}
	for _, s := range found {
		arn := physical[s.LogicalID]
		if arn == "" {
			continue
		}
		w.Services = append(w.Services, newService(s, arn, physical))
	}
	for _, group := range w.byCluster() {
		got, err := w.describe(ctx, group.cluster, group.services)
		if err != nil {
			continue
		}
		for _, s := range group.services {
			if svc, ok := got[s.ARN]; ok && unsupported(svc.Controller) {
				return &ControllerError{Service: s.LogicalID, Name: svc.Name, Controller: svc.Controller, Source: "ECS"}
			}
		}
	}
	return nil
}
