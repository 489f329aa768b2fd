// Package agenthosts reads the container instances a stack's agent
// services run on (package hosts does the reading of one cluster) and
// judges them for one run: the line the review shows, the warnings, the
// refusal when no host can run the mode, and the CPU architecture that
// picks the -linux-arm64-sudo tag. Both front ends (batch and the wizard)
// and the --json result take what it says; none judges on its own.
package agenthosts

import (
	"context"
	"fmt"
	"slices"
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

// Reading is what was read of the hosts of a stack's agent services.
type Reading struct {
	// Err: the stack's resources could not be listed, so no cluster is
	// known.
	Err      error
	Clusters []*Cluster
	services []dind.Service
	physical map[string]string // logical ID → physical ID
	where    string
}

// Cluster is one cluster's hosts, as read.
type Cluster struct {
	Name  string
	Hosts *hosts.Hosts // nil when Err
	Err   error
	// Desired are ECS's desired counts of the services asked about, by
	// logical ID; DesiredErr when they could not be read.
	Desired    map[string]int
	DesiredErr error
	// PlacementNotes say what of the agents' placement constraints could
	// not be read (the hosts are then not narrowed).
	PlacementNotes []string
}

// Read reads the hosts of the clusters the services run in, narrowed by
// the agents' memberOf placement constraints, before anything is written
// or executed. It costs one ListStackResources, then per cluster one
// ListContainerInstances a page of 100, one DescribeContainerInstances a
// 100 instances and one ec2:DescribeImages; one DescribeTaskDefinition a
// task definition the deployed template gives placement constraints (the
// registered revision: ECS's expression, with CloudFormation's parameters,
// conditions and imports resolved); and one DescribeServices where a
// service writes its own constraints or desired (logical IDs of services)
// names a service of that cluster: their desired counts (ECS's, not the
// template's: a parameter or autoscaling may set it). A read that fails
// is recorded, never the end. It returns nil when c cannot read hosts or
// no service runs the agents.
func Read(ctx context.Context, c any, stack string, services []dind.Service, desired []string, where string) *Reading {
	hc, ok := c.(hosts.Client)
	rl, ok2 := c.(resourceLister)
	if !ok || !ok2 || len(services) == 0 {
		return nil
	}
	r := &Reading{services: services, physical: map[string]string{}, where: where}
	resources, err := rl.StackResources(ctx, stack)
	if err != nil {
		r.Err = err
		return r
	}
	for _, res := range resources {
		r.physical[res.LogicalID] = res.PhysicalID
	}
	for _, s := range services {
		name := r.clusterOf(s)
		if slices.ContainsFunc(r.Clusters, func(c *Cluster) bool { return c.Name == name }) {
			continue
		}
		cl := &Cluster{Name: name}
		placement := &hosts.Placement{}
		cl.Hosts, cl.Err = hosts.ReadFor(ctx, hc, name, func() []string {
			placement = r.placement(ctx, c, name, desired)
			return placement.MemberOf
		})
		cl.PlacementNotes = placement.Notes
		if cl.Err == nil && len(cl.Hosts.List) > 0 {
			cl.desired(placement, r.inCluster(name, desired))
		}
		r.Clusters = append(r.Clusters, cl)
	}
	return r
}

// placement reads the memberOf constraints of the agent services of
// cluster where the deployed template writes some, and the services
// themselves where desired names one of them.
func (r *Reading) placement(ctx context.Context, c any, cluster string, desired []string) *hosts.Placement {
	pr, ok := c.(hosts.PlacementReader)
	if !ok {
		return &hosts.Placement{}
	}
	var placed []hosts.Placed
	ask := len(r.inCluster(cluster, desired)) > 0
	for _, s := range r.services {
		if r.clusterOf(s) != cluster {
			continue
		}
		p := hosts.Placed{Service: r.physical[s.LogicalID], TaskDefinition: r.physical[s.TaskDefinition],
			ServiceConstraints: s.PlacementConstraints, TaskConstraints: s.TaskPlacementConstraints}
		ask = ask || p.ServiceConstraints || p.TaskConstraints
		placed = append(placed, p)
	}
	if !ask {
		return &hosts.Placement{}
	}
	return hosts.ReadPlacement(ctx, pr, cluster, placed, len(r.inCluster(cluster, desired)) > 0)
}

// desired takes the desired counts of services (logical → physical) from
// what placement described.
func (cl *Cluster) desired(placement *hosts.Placement, services [][2]string) {
	if len(services) == 0 {
		return
	}
	if placement.ServicesErr != nil {
		cl.DesiredErr = placement.ServicesErr
		return
	}
	cl.Desired = map[string]int{}
	for _, s := range services {
		for _, svc := range placement.Services {
			if svc.ARN == s[1] || svc.Name == s[1] {
				cl.Desired[s[0]] = svc.Desired
			}
		}
	}
}

// inCluster are the services of ids that run in cluster and exist in the
// stack: {logical ID, physical ID}.
func (r *Reading) inCluster(cluster string, ids []string) [][2]string {
	var out [][2]string
	for _, s := range r.services {
		if slices.Contains(ids, s.LogicalID) && r.clusterOf(s) == cluster && r.physical[s.LogicalID] != "" {
			out = append(out, [2]string{s.LogicalID, r.physical[s.LogicalID]})
		}
	}
	return out
}

// clusterOf is the cluster a service runs in: from its ARN (the long
// format names it), else the stack's cluster resource, else the name the
// template writes, else the account's default cluster.
func (r *Reading) clusterOf(s dind.Service) string {
	if _, rest, ok := strings.Cut(r.physical[s.LogicalID], ":service/"); ok {
		if c, _, ok := strings.Cut(rest, "/"); ok {
			return c
		}
	}
	switch {
	case s.ClusterID != "" && r.physical[s.ClusterID] != "":
		return r.physical[s.ClusterID]
	case s.ClusterName != "":
		return s.ClusterName
	}
	return "default"
}

// Judgement is what the hosts mean for one run.
type Judgement struct {
	// Notes say what could not be read at all (the stack's resources).
	Notes    []string
	Clusters []ClusterJudgement
	// Refusal: no host of a cluster can run the mode (nil otherwise).
	Refusal *dind.RefusedError
	// Arch is the CPU architecture every judged host has; "" when mixed or
	// unknown.
	Arch string
}

// ClusterJudgement is one cluster's part.
type ClusterJudgement struct {
	Name string
	// Hosts are the hosts read, none when none is registered (an Auto
	// Scaling group at zero: nothing to judge); nil when the read failed.
	Hosts *hosts.Hosts
	// Line is the review's: "2 × Amazon Linux 2023, x86_64, Docker
	// 25.0.8, privileged allowed (cluster C)"; "" without hosts.
	Line     string
	Warnings []string
}

// Empty reports a judgement with nothing to say.
func (j Judgement) Empty() bool { return len(j.Notes) == 0 && len(j.Clusters) == 0 }

// Lines are the hosts lines, one a cluster with hosts.
func (j Judgement) Lines() []string {
	var out []string
	for _, c := range j.Clusters {
		if c.Line != "" {
			out = append(out, c.Line)
		}
	}
	return out
}

// Warnings are every warning and note, in order.
func (j Judgement) Warnings() []string {
	out := slices.Clone(j.Notes)
	for _, c := range j.Clusters {
		out = append(out, c.Warnings...)
	}
	return out
}

// Judge says what the hosts of the clusters that run targets (the edited
// task definitions) mean for opts: privileged is refused where no host
// allows it, with the setting to change; only some allowing, Bottlerocket
// with the socket, and (where the edit gives services one agent an
// instance, distinct) fewer instances than desired agents are warnings.
// Nothing is judged for mode none. A nil Reading judges nothing.
func (r *Reading) Judge(opts dind.Options, targets, distinct []string) Judgement {
	var j Judgement
	if r == nil || opts.Mode == dind.ModeNone || opts.Mode == "" || len(targets) == 0 {
		return j
	}
	if !slices.ContainsFunc(r.services, func(s dind.Service) bool { return slices.Contains(targets, s.TaskDefinition) }) {
		return j
	}
	if r.Err != nil {
		j.Notes = append(j.Notes, "the agents' hosts were not read ("+oneLine(r.Err)+")")
		return j
	}
	privileged := opts.Mode == dind.ModePrivileged
	for _, cl := range r.clustersOf(targets) {
		cj := ClusterJudgement{Name: cl.Name, Warnings: slices.Clone(cl.PlacementNotes)}
		switch {
		case cl.Err != nil:
			cj.Warnings = append(cj.Warnings, fmt.Sprintf("the agents' hosts were not read (%s): tcdind cannot tell whether they allow %s mode; check with aws ecs list-container-instances --cluster %s%s", oneLine(cl.Err), opts.Mode, cl.Name, r.where))
		case len(cl.Hosts.List) == 0:
			// An Auto Scaling group at zero, or instances still joining:
			// nothing to judge yet; instances that none match are said.
			cj.Hosts = cl.Hosts
			if cl.Hosts.Total > 0 {
				cj.Line = cl.Hosts.Line()
			}
		default:
			cj.Hosts = cl.Hosts
			cj.Line = cl.Hosts.Line()
			if why := cl.Hosts.PrivilegedRefusal(); privileged && why != "" && j.Refusal == nil {
				j.Refusal = &dind.RefusedError{Reason: why}
			}
			cj.Warnings = append(cj.Warnings, cl.Hosts.Warnings(privileged)...)
			if opts.OneAgentAnInstance() {
				cj.Warnings = append(cj.Warnings, r.capacity(cl, distinct)...)
			}
		}
		j.Clusters = append(j.Clusters, cj)
	}
	j.Arch = r.Arch(targets)
	return j
}

// clustersOf are the clusters read that run targets (task definitions).
func (r *Reading) clustersOf(targets []string) []*Cluster {
	var out []*Cluster
	for _, cl := range r.Clusters {
		if slices.ContainsFunc(r.services, func(s dind.Service) bool {
			return slices.Contains(targets, s.TaskDefinition) && r.clusterOf(s) == cl.Name
		}) {
			out = append(out, cl)
		}
	}
	return out
}

// Arch is the CPU architecture every host that runs targets has; "" when
// they differ, none is registered or r is nil.
func (r *Reading) Arch(targets []string) string {
	if r == nil {
		return ""
	}
	arch := ""
	for _, cl := range r.clustersOf(targets) {
		if cl.Hosts == nil || len(cl.Hosts.List) == 0 {
			continue
		}
		switch a := cl.Hosts.Arch(); {
		case a == "":
			return ""
		case arch == "":
			arch = a
		case arch != a:
			return ""
		}
	}
	return arch
}

// capacity warns when a service that gets distinctInstance wants more
// agents than the cluster has matching ACTIVE container instances: ECS then cannot
// place the rest ("Place each task on a different container instance",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html),
// and they stay PENDING (the service event "was unable to place a task
// because no container instance met all of its requirements",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
func (r *Reading) capacity(cl *Cluster, distinct []string) []string {
	services := r.inCluster(cl.Name, distinct)
	if len(services) == 0 {
		return nil
	}
	if cl.DesiredErr != nil {
		var names []string
		for _, s := range services {
			names = append(names, s[1])
		}
		return []string{fmt.Sprintf("the agents' desired count was not read (%s): with one agent an instance, the cluster needs an instance for each; check with aws ecs describe-services --cluster %s --services %s%s", oneLine(cl.DesiredErr), cl.Name, strings.Join(names, " "), r.where)}
	}
	var out []string
	instances := len(cl.Hosts.List)
	for _, s := range services {
		desired, ok := cl.Desired[s[0]]
		if !ok || desired <= instances {
			continue
		}
		out = append(out, fmt.Sprintf("service %s wants %s but cluster %s has %s%s: with one agent an instance (distinctInstance), %s will not be placed until the cluster has %d; raise the Auto Scaling group's desired capacity or lower the service's DesiredCount",
			s[0], render.Count(desired, "agent", "agents"), cl.Name, render.Count(instances, "container instance", "container instances"), cl.Hosts.Matching(), render.Count(desired-instances, "agent", "agents"), desired))
	}
	return out
}

// WithArch gives opts the hosts' architecture where it picks the agent's
// -sudo tag: privileged, no --agent-arch given, and every host arm64
// (JetBrains publishes no multi-architecture -sudo tag). With the -sudo
// image it is the tag written; without, the tag the warnings recommend.
// ok reports a change: the template must be patched again.
func WithArch(opts dind.Options, arch string) (out dind.Options, ok bool) {
	if arch != dind.ArchARM64 || opts.Arch != "" || opts.Mode != dind.ModePrivileged {
		return opts, false
	}
	opts.Arch = arch
	return opts, true
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
