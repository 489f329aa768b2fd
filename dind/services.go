package dind

import "go.yaml.in/yaml/v3"

// Service is an AWS::ECS::Service of the template that runs one of the task
// definitions asked about: what to follow in ECS while a stack update rolls
// the agents out.
type Service struct {
	LogicalID string
	// TaskDefinition is the logical ID of the task definition it runs.
	TaskDefinition string
	// ClusterID is the logical ID of the AWS::ECS::Cluster its Cluster
	// property refers to; ClusterName the literal name or ARN when it is
	// written out. Both are empty for the account's default cluster, or
	// when the cluster comes from a parameter or an import.
	ClusterID, ClusterName string
	// Controller is the DeploymentController's Type when the template
	// writes it out (ECS, CODE_DEPLOY, EXTERNAL); empty otherwise.
	Controller string
	// PlacementConstraints says the service, and TaskPlacementConstraints
	// that its task definition, writes placement constraints (memberOf,
	// or an intrinsic that gives them): where ECS may place the agents is
	// then narrower than the cluster, and what ECS registered says how.
	PlacementConstraints, TaskPlacementConstraints bool
}

// Services lists, in template order, the AWS::ECS::Service resources whose
// TaskDefinition refers to one of taskDefs (logical IDs).
func (t *Template) Services(taskDefs []string) []Service {
	want := map[string]bool{}
	for _, id := range taskDefs {
		want[id] = true
	}
	var out []Service
	resources := mapGet(t.root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalarValue(mapGet(res, "Type")) != "AWS::ECS::Service" {
			continue
		}
		props := mapGet(res, "Properties")
		td := ""
		for _, ref := range referencedIDs(mapGet(props, "TaskDefinition")) {
			if want[ref] {
				td = ref
				break
			}
		}
		if td == "" {
			continue
		}
		s := Service{LogicalID: id, TaskDefinition: td}
		cluster := mapGet(props, "Cluster")
		for _, ref := range referencedIDs(cluster) {
			if r := mapGet(resources, ref); r != nil && scalarValue(mapGet(r, "Type")) == "AWS::ECS::Cluster" {
				s.ClusterID = ref
				break
			}
		}
		if s.ClusterID == "" {
			s.ClusterName = scalarValue(cluster)
		}
		s.Controller = scalarValue(mapGet(mapGet(props, "DeploymentController"), "Type"))
		s.PlacementConstraints = writesMemberOf(mapGet(props, "PlacementConstraints"))
		s.TaskPlacementConstraints = writesMemberOf(mapGet(mapGet(mapGet(resources, td), "Properties"), "PlacementConstraints"))
		out = append(out, s)
	}
	return out
}

// writesMemberOf reports a PlacementConstraints value that may hold a
// memberOf constraint: anything but an absent or empty list, or a list of
// literal distinctInstance ones.
func writesMemberOf(n *yaml.Node) bool {
	if n == nil || n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		return false
	}
	if n.Kind != yaml.SequenceNode {
		return true
	}
	for _, c := range n.Content {
		if scalarValue(mapGet(c, "Type")) != "distinctInstance" {
			return true
		}
	}
	return false
}
