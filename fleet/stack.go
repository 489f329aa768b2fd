package fleet

import (
	"context"
	"slices"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/ecsarn"
)

// readStack reads one stack: nil without an agent (most stacks, at the
// cost of one ListStackResources); a note when it could not be read.
func readStack(ctx context.Context, pl place, sum awsclient.StackSummary, parents *nesting) (*Stack, *Note) {
	note := func(err error) *Note {
		return &Note{Profile: pl.profile, Region: pl.region, Stack: sum.Name, Text: "not read: " + oneLine(err)}
	}
	if sum.Status == "REVIEW_IN_PROGRESS" {
		return nil, nil // nothing deployed yet
	}
	resources, err := pl.client.StackResources(ctx, sum.ID)
	if err != nil {
		return nil, note(err)
	}
	physical := map[string]string{}
	hasTaskDef := false
	for _, r := range resources {
		physical[r.LogicalID] = r.PhysicalID
		hasTaskDef = hasTaskDef || r.Type == "AWS::ECS::TaskDefinition"
		if r.Type == "AWS::CloudFormation::Stack" && r.PhysicalID != "" {
			parents.add(pl, r.PhysicalID, sum.Name)
		}
	}
	if !hasTaskDef {
		return nil, nil
	}
	body, err := pl.client.GetTemplate(ctx, sum.ID)
	if err != nil {
		return nil, note(err)
	}
	tmpl, err := dind.Parse(body)
	if err != nil {
		// A template tcdind cannot read may still run an agent: say so
		// only when it names the agent image.
		if strings.Contains(string(body), "teamcity-agent") {
			return &Stack{Profile: pl.profile, Account: accountOf(sum.ID), Region: pl.region, Name: sum.Name, ID: sum.ID, Status: sum.Status,
				Parent: changeset.StackName(sum.ParentID), NotEditable: []string{"tcdind cannot read its template: " + oneLine(err)}, Agents: []Agent{}}, nil
		}
		return nil, nil
	}
	agents := tmpl.Agents()
	if len(agents) == 0 {
		return nil, nil
	}
	details, err := pl.client.DescribeStack(ctx, sum.ID)
	if err != nil {
		return nil, note(err)
	}
	tmpl = tmpl.WithParameterValues(details.Values(tmpl.ImageParameters(dind.Options{})))
	agents = tmpl.Agents()

	s := &Stack{Profile: pl.profile, Account: details.Account(), Region: pl.region, Name: details.Name, ID: details.ID, Status: details.Status,
		Parent: changeset.StackName(details.ParentID), Agents: []Agent{}}
	if s.Parent != "" {
		s.NotEditable = append(s.NotEditable, nestedWhy(s.Parent))
	}
	if err := changeset.Settled(details, " --region "+pl.region); err != nil {
		s.NotEditable = append(s.NotEditable, oneLine(err))
	}

	ids := make([]string, 0, len(agents))
	for _, td := range agents {
		ids = append(ids, td.LogicalID)
	}
	running := readServices(ctx, pl, tmpl.Services(ids), physical)
	for _, td := range agents {
		if td.Refusal != "" {
			s.NotEditable = append(s.NotEditable, td.LogicalID+": "+td.Refusal)
		}
		rev := ecsarn.Revision(physical[td.LogicalID])
		svcs := running[td.LogicalID]
		launch := launchType(td, svcs)
		for _, c := range td.Containers {
			a := Agent{TaskDefinition: td.LogicalID, Container: c.Name, Mode: string(c.Mode), Image: c.Image, LaunchType: launch,
				Revision: rev, Refusal: td.Refusal, Services: []Service{}}
			a.Tag = imageTag(c.Image)
			a.Sudo = strings.Contains(a.Tag, "sudo")
			for _, sv := range svcs {
				a.Services = append(a.Services, sv.Service)
				if rev != "" && sv.Runs != rev {
					a.Drift = true
				}
			}
			s.Agents = append(s.Agents, a)
		}
	}
	s.Editable = len(s.NotEditable) == 0
	return s, nil
}

// running is a service as read from ECS, with its launch type.
type running struct {
	Service
	launch string
}

// readServices reads the services of the template that run the agent task
// definitions: one DescribeServices per cluster (ten services a call).
func readServices(ctx context.Context, pl place, found []dind.Service, physical map[string]string) map[string][]running {
	byCluster := map[string][]dind.Service{}
	var clusters []string
	for _, s := range found {
		arn := physical[s.LogicalID]
		if arn == "" {
			continue // not deployed: a Condition left it out
		}
		_, cluster := ecsarn.Service(arn)
		if cluster == "" {
			switch {
			case s.ClusterID != "" && physical[s.ClusterID] != "":
				cluster = physical[s.ClusterID]
			case s.ClusterName != "":
				cluster = s.ClusterName
			default:
				cluster = "default"
			}
		}
		if _, ok := byCluster[cluster]; !ok {
			clusters = append(clusters, cluster)
		}
		byCluster[cluster] = append(byCluster[cluster], s)
	}
	out := map[string][]running{}
	for _, cluster := range clusters {
		group := byCluster[cluster]
		for start := 0; start < len(group); start += 10 {
			batch := group[start:min(start+10, len(group))]
			arns := make([]string, 0, len(batch))
			for _, s := range batch {
				arns = append(arns, physical[s.LogicalID])
			}
			got, err := pl.client.DescribeServices(ctx, cluster, arns)
			for _, s := range batch {
				name, _ := ecsarn.Service(physical[s.LogicalID])
				r := running{Service: Service{Name: name, Cluster: ecsarn.Cluster(cluster)}}
				if err == nil {
					if i := slices.IndexFunc(got, func(g awsclient.Service) bool { return g.ARN == physical[s.LogicalID] || g.Name == name }); i >= 0 {
						g := got[i]
						// The service's taskDefinition is its PRIMARY
						// deployment's: what new tasks run.
						// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html
						r.Runs, r.Desired, r.Running, r.launch = ecsarn.Revision(g.TaskDefinition), g.Desired, g.Running, g.LaunchType
						if p := g.Primary(); r.Runs == "" && p != nil {
							r.Runs = ecsarn.Revision(p.TaskDefinition)
						}
					}
				}
				out[s.TaskDefinition] = append(out[s.TaskDefinition], r)
			}
		}
	}
	return out
}

// launchType is what the services say, else what the template says.
func launchType(td dind.TaskDefinition, svcs []running) string {
	var types []string
	for _, s := range svcs {
		if s.launch != "" && !slices.Contains(types, s.launch) {
			types = append(types, s.launch)
		}
	}
	if len(types) > 0 {
		return strings.Join(types, ",")
	}
	if strings.Contains(td.Refusal, "Fargate") {
		return "FARGATE"
	}
	return ""
}

// imageTag is the tag of an image reference ("" for none or a digest).
func imageTag(image string) string {
	if i := strings.LastIndexByte(image, '/'); i >= 0 {
		image = image[i+1:]
	}
	if _, tag, ok := strings.Cut(image, ":"); ok {
		return tag
	}
	return ""
}

// accountOf is the account in an ARN.
func accountOf(arn string) string { return (&awsclient.Stack{ID: arn}).Account() }

// nestedWhy says why a nested stack is not edited alone.
func nestedWhy(parent string) string {
	return "nested in stack " + parent + ": an update of it alone is undone by the next update of " + parent + "; change the child template " + parent + " deploys"
}
