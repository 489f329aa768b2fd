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
		out = append(out, s)
	}
	return out
}
