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

// serviceDescriber reads ECS services; the AWS client is one.
type serviceDescriber interface {
	DescribeServices(ctx context.Context, cluster string, services []string) ([]awsclient.Service, error)
}

// resourceLister reads a stack's resources; the AWS client is one.
type resourceLister interface {
	StackResources(ctx context.Context, stack string) ([]awsclient.StackResource, error)
}

// agentHosts reads the container instances of the clusters whose services
// run the edited task definitions, says what they are ("hosts: 2 × Amazon
// Linux 2023, x86_64, Docker 25.0.8, privileged allowed") and what they
// mean for the mode, before anything is written or executed. It costs one
// ListStackResources, then per cluster one ListContainerInstances and one
// DescribeContainerInstances a 100 instances, and one ec2:DescribeImages.
// A read that fails is a note, never the end. It returns the hosts'
// common architecture ("" when unknown or mixed) and a refusal when no
// host can run the mode. Where the edit gives a service distinctInstance
// (one agent an instance), one DescribeServices a cluster reads the
// services' desired counts, and fewer ACTIVE instances than desired agents
// is a warning.
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
		h, err := hosts.Read(ctx, hc, c)
		if err != nil {
			fmt.Fprintln(w, render.WarningLine(fmt.Sprintf("the agents' hosts were not read (%s): tcdind cannot tell whether they allow %s mode; check with aws ecs list-container-instances --cluster %s%s", oneLine(err), mode, c, where)))
			continue
		}
		if len(h.List) == 0 {
			// An Auto Scaling group at zero, or instances still joining:
			// nothing to judge yet.
			continue
		}
		fmt.Fprintf(w, "hosts: %s (cluster %s)\n", h.String(), c)
		if mode == dind.ModePrivileged {
			if why := h.PrivilegedRefusal(); why != "" {
				return "", &dind.RefusedError{Reason: why}
			}
		}
		for _, warn := range h.Warnings(mode == dind.ModePrivileged) {
			fmt.Fprintln(w, render.WarningLine(warn))
		}
		if opts.OneAgentAnInstance() {
			checkCapacity(ctx, w, cfn, c, len(h.List), services, res.Services, physical, where)
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

// checkCapacity warns when a service that gets distinctInstance wants more
// agents than cluster has ACTIVE container instances: ECS then cannot place
// the rest ("Place each task on a different container instance",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html),
// and they stay PENDING (the service event "was unable to place a task
// because no container instance met all of its requirements",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
// The desired count is ECS's, not the template's: it may come from a
// parameter or an autoscaling policy. A read that fails is a note.
func checkCapacity(ctx context.Context, w io.Writer, cfn any, cluster string, instances int, services []dind.Service, distinct []string, physical map[string]string, where string) {
	sd, ok := cfn.(serviceDescriber)
	if !ok {
		return
	}
	var ids, names []string
	for _, s := range services {
		if contains(distinct, s.LogicalID) && clusterOf(s, physical) == cluster && physical[s.LogicalID] != "" {
			ids = append(ids, s.LogicalID)
			names = append(names, physical[s.LogicalID])
		}
	}
	if len(names) == 0 {
		return
	}
	got, err := sd.DescribeServices(ctx, cluster, names)
	if err != nil {
		fmt.Fprintln(w, render.WarningLine(fmt.Sprintf("the agents' desired count was not read (%s): with one agent an instance, the cluster needs an instance for each; check with aws ecs describe-services --cluster %s --services %s%s", oneLine(err), cluster, strings.Join(names, " "), where)))
		return
	}
	for i, id := range ids {
		for _, svc := range got {
			if svc.ARN != names[i] && svc.Name != names[i] {
				continue
			}
			if svc.Desired > instances {
				fmt.Fprintln(w, render.WarningLine(fmt.Sprintf("service %s wants %s but cluster %s has %s: with one agent an instance (distinctInstance), %s will not be placed until the cluster has %d; raise the Auto Scaling group's desired capacity or lower the service's DesiredCount",
					id, render.Count(svc.Desired, "agent", "agents"), cluster, render.Count(instances, "container instance", "container instances"), render.Count(svc.Desired-instances, "agent", "agents"), svc.Desired)))
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
