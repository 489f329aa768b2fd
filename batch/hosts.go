package batch

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/hosts"
	"github.com/tcdind/tcdind/render"
)

// resourceLister reads a stack's resources; the AWS client is one.
type resourceLister interface {
	StackResources(ctx context.Context, stack string) ([]awsclient.StackResource, error)
}

// agentHosts reads the container instances of the clusters whose services
// run the edited task definitions, narrowed by the agents' memberOf
// placement constraints, says what they are ("hosts: 2 × Amazon Linux
// 2023, x86_64, Docker 25.0.8, privileged allowed (cluster C, 2 of 3
// instances match memberOf …)") and what they mean for the mode, before
// anything is written or executed. It costs one ListStackResources, then
// per cluster one ListContainerInstances and one DescribeContainerInstances
// a 100 instances, and one ec2:DescribeImages; where the deployed template
// gives the agents placement constraints, one DescribeTaskDefinition (the
// registered revision's) and, for the service's own or the capacity check,
// one DescribeServices a cluster. A read that fails is a note, never the
// end. It returns the hosts' common architecture ("" when unknown or
// mixed) and a refusal when no host can run the mode. Where the edit gives
// a service distinctInstance (one agent an instance), fewer matching
// instances than desired agents is a warning.
func agentHosts(ctx context.Context, w io.Writer, cfn any, st *awsclient.Stack, tmpl *dind.Template, res *dind.Result, opts dind.Options, where string) (arch string, refusal error) {
	mode := opts.Mode
	hc, ok := cfn.(hosts.Client)
	rl, ok2 := cfn.(resourceLister)
	if !ok || !ok2 || mode == dind.ModeNone || len(res.Targets) == 0 {
		return "", nil
	}
	services := tmpl.Services(res.Targets)
	if len(services) == 0 {
		return "", nil
	}
	resources, err := rl.StackResources(ctx, st.Name)
	if err != nil {
		fmt.Fprintln(w, render.WarningLine("the agents' hosts were not read ("+oneLine(err)+")"))
		return "", nil
	}
	physical := map[string]string{}
	for _, r := range resources {
		physical[r.LogicalID] = r.PhysicalID
	}
	var clusters []string
	for _, s := range services {
		c := clusterOf(s, physical)
		if !contains(clusters, c) {
			clusters = append(clusters, c)
		}
	}
	archs := map[string]bool{}
	for _, c := range clusters {
		placement := agentPlacement(ctx, cfn, c, services, res.Services, physical, opts.OneAgentAnInstance())
		h, err := hosts.Read(ctx, hc, c, placement.MemberOf...)
		if err != nil {
			fmt.Fprintln(w, render.WarningLine(fmt.Sprintf("the agents' hosts were not read (%s): tcdind cannot tell whether they allow %s mode; check with aws ecs list-container-instances --cluster %s%s", oneLine(err), mode, c, where)))
			continue
		}
		for _, note := range placement.Notes {
			fmt.Fprintln(w, render.WarningLine(note))
		}
		if len(h.List) == 0 {
			// An Auto Scaling group at zero, or instances still joining:
			// nothing to judge yet; instances that none match are said.
			if h.Total > 0 {
				fmt.Fprintln(w, "hosts: "+h.Line())
			}
			continue
		}
		fmt.Fprintln(w, "hosts: "+h.Line())
		if mode == dind.ModePrivileged {
			if why := h.PrivilegedRefusal(); why != "" {
				return "", &dind.RefusedError{Reason: why}
			}
		}
		for _, warn := range h.Warnings(mode == dind.ModePrivileged) {
			fmt.Fprintln(w, render.WarningLine(warn))
		}
		if opts.OneAgentAnInstance() {
			checkCapacity(w, h, placement, services, res.Services, physical, where)
		}
		archs[h.Arch()] = true
	}
	if len(archs) == 1 {
		for a := range archs {
			arch = a
		}
	}
	return arch, nil
}

// agentPlacement reads, for the agent services of cluster, the memberOf
// constraints ECS registered (only where the deployed template writes
// some: ECS's values have CloudFormation's parameters, conditions and
// imports resolved), and the services themselves when distinct wants
// their desired counts.
func agentPlacement(ctx context.Context, cfn any, cluster string, services []dind.Service, distinct []string, physical map[string]string, oneAnInstance bool) *hosts.Placement {
	pr, ok := cfn.(hosts.PlacementReader)
	if !ok {
		return &hosts.Placement{}
	}
	var placed []hosts.Placed
	ask := false
	for _, s := range services {
		if clusterOf(s, physical) != cluster {
			continue
		}
		p := hosts.Placed{Service: physical[s.LogicalID], TaskDefinition: physical[s.TaskDefinition],
			ServiceConstraints: s.PlacementConstraints, TaskConstraints: s.TaskPlacementConstraints}
		ask = ask || p.ServiceConstraints || p.TaskConstraints || oneAnInstance && contains(distinct, s.LogicalID)
		placed = append(placed, p)
	}
	if !ask {
		return &hosts.Placement{}
	}
	return hosts.ReadPlacement(ctx, pr, cluster, placed, oneAnInstance)
}

// checkCapacity warns when a service that gets distinctInstance wants more
// agents than cluster has matching ACTIVE container instances: ECS then
// cannot place the rest ("Place each task on a different container
// instance",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html),
// and they stay PENDING (the service event "was unable to place a task
// because no container instance met all of its requirements",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
// The desired count is ECS's, not the template's: it may come from a
// parameter or an autoscaling policy. A read that fails is a note.
func checkCapacity(w io.Writer, h *hosts.Hosts, placement *hosts.Placement, services []dind.Service, distinct []string, physical map[string]string, where string) {
	var ids, names []string
	for _, s := range services {
		if contains(distinct, s.LogicalID) && clusterOf(s, physical) == h.Cluster && physical[s.LogicalID] != "" {
			ids = append(ids, s.LogicalID)
			names = append(names, physical[s.LogicalID])
		}
	}
	if len(names) == 0 {
		return
	}
	if placement.Services == nil {
		fmt.Fprintln(w, render.WarningLine(fmt.Sprintf("the agents' desired count was not read: with one agent an instance, the cluster needs an instance for each; check with aws ecs describe-services --cluster %s --services %s%s", h.Cluster, strings.Join(names, " "), where)))
		return
	}
	instances := len(h.List)
	for i, id := range ids {
		for _, svc := range placement.Services {
			if svc.ARN != names[i] && svc.Name != names[i] {
				continue
			}
			if svc.Desired > instances {
				fmt.Fprintln(w, render.WarningLine(fmt.Sprintf("service %s wants %s but cluster %s has %s%s: with one agent an instance (distinctInstance), %s will not be placed until the cluster has %d; raise the Auto Scaling group's desired capacity or lower the service's DesiredCount",
					id, render.Count(svc.Desired, "agent", "agents"), h.Cluster, render.Count(instances, "container instance", "container instances"), h.Matching(), render.Count(svc.Desired-instances, "agent", "agents"), svc.Desired)))
			}
		}
	}
}

// clusterOf is the cluster a service runs in: from its ARN (the long
// format names it), else the stack's cluster resource, else the name the
// template writes, else the account's default cluster.
func clusterOf(s dind.Service, physical map[string]string) string {
	if _, rest, ok := strings.Cut(physical[s.LogicalID], ":service/"); ok {
		if c, _, ok := strings.Cut(rest, "/"); ok {
			return c
		}
	}
	switch {
	case s.ClusterID != "" && physical[s.ClusterID] != "":
		return physical[s.ClusterID]
	case s.ClusterName != "":
		return s.ClusterName
	}
	return "default"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
