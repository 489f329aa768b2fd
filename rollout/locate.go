package rollout

import (
	"context"

	"github.com/tcdind/tcdind/dind"
)

// Located is an ECS service of the stack that runs an edited task
// definition, and the names of its agent containers.
type Located struct {
	LogicalID      string
	TaskDefinition string // the edited task definition's logical ID
	Name, Cluster  string
	Containers     []string
}

// Locate finds the services of tmpl that run the task definitions res
// edits, as deployed (one ListStackResources): the agents a drain looks
// for in TeamCity, before anything is executed. Services a Condition left
// out are not listed.
func Locate(ctx context.Context, c Client, stack string, tmpl *dind.Template, res *dind.Result, opts dind.Options) ([]Located, error) {
	found := tmpl.Services(res.Targets)
	if len(found) == 0 {
		return nil, nil
	}
	resources, err := c.StackResources(ctx, stack)
	if err != nil {
		return nil, err
	}
	physical := map[string]string{}
	for _, r := range resources {
		physical[r.LogicalID] = r.PhysicalID
	}
	names := agentNames(tmpl, res.Targets, opts.Containers)
	var out []Located
	for _, s := range found {
		arn := physical[s.LogicalID]
		if arn == "" {
			continue
		}
		svc := newService(s, arn, physical)
		out = append(out, Located{LogicalID: s.LogicalID, TaskDefinition: s.TaskDefinition, Name: svc.Name, Cluster: svc.Cluster, Containers: names[s.TaskDefinition]})
	}
	return out, nil
}
