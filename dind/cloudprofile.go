package dind

// cloudProfileNote says, for a task definition that nothing in the template
// runs (no service, task set or scheduled task), how the agents it defines
// are started: most likely by a TeamCity Amazon ECS cloud profile, which
// names the task definition itself. CloudFormation replaces an
// AWS::ECS::TaskDefinition on any change of its containers (a new
// revision) and deregisters the old one
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-taskdefinition.html:
// ContainerDefinitions "Update requires: Replacement"), so a profile that
// names a revision keeps starting the old mode — or, once that revision is
// INACTIVE, stops starting agents. A family name always starts the latest
// ACTIVE revision (RunTask's taskDefinition: "family:revision ... If a
// revision isn't specified, the latest ACTIVE revision is used",
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
func (r *recipe) cloudProfileNote() {
	changed := false
	for _, c := range r.res.Changes {
		changed = changed || c.TaskDefinition == r.td.id
	}
	if !changed {
		// Nothing is registered: the profile goes on as it is.
		return
	}
	if r.t.runners == nil {
		r.t.runners = r.t.findRunners()
	}
	if len(r.t.runners[r.td.id]) > 0 {
		return
	}
	family := "the family CloudFormation gives it (" + r.td.id + " has no Family: <stack>-" + r.td.id + "-<suffix>; aws ecs list-task-definition-families shows it)"
	if f := scalarValue(mapGet(r.td.props, "Family")); f != "" {
		family = f
	}
	r.warn("%s: no service in this template runs it: if a TeamCity Amazon ECS cloud profile starts these agents, make the profile name the task definition by its family, %s, not by a revision: this update registers a new revision and CloudFormation deregisters the old one, so a profile that names a revision keeps the old mode or stops starting agents", r.td.id, family)
}
