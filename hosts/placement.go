package hosts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
)

// PlacementReader reads what ECS registered of services and task
// definitions; *awsclient.Client is one.
type PlacementReader interface {
	DescribeServices(ctx context.Context, cluster string, services []string) ([]awsclient.Service, error)
	DescribeTaskDefinition(ctx context.Context, arn string) (*awsclient.TaskDefinition, error)
}

// Placed is an agent service of one cluster, as the stack deployed it.
type Placed struct {
	// Service is its name or ARN; TaskDefinition the registered ARN of
	// the task definition it runs (the stack resource's physical ID).
	Service, TaskDefinition string
	// ServiceConstraints and TaskConstraints say the deployed template
	// writes placement constraints there: only then is ECS asked.
	ServiceConstraints, TaskConstraints bool
}

// Placement is what ECS says of the agent services of one cluster.
type Placement struct {
	// MemberOf are the expressions every agent host must match: the
	// services' and their task definitions' memberOf constraints, as ECS
	// registered them (parameters, conditions and imports resolved by
	// CloudFormation), when all the cluster's agent services share them.
	MemberOf []string
	// Services are the services as DescribeServices gave them (nil when
	// not asked, or ServicesErr): their desired counts.
	Services    []awsclient.Service
	ServicesErr error
	// Notes say what could not be read, and what that leaves counted.
	Notes []string
}

// ReadPlacement reads the memberOf constraints that bound where ECS places
// the agents of cluster: one DescribeServices for up to 10 services that
// write constraints (or all of them when services is wanted for their
// desired counts), and one DescribeTaskDefinition a task definition that
// writes them. A read that fails leaves the hosts unnarrowed, with a note.
func ReadPlacement(ctx context.Context, r PlacementReader, cluster string, placed []Placed, describeAll bool) *Placement {
	p := &Placement{}
	var names []string
	for _, s := range placed {
		if s.Service != "" && (s.ServiceConstraints || describeAll) {
			names = append(names, s.Service)
		}
	}
	sets := make([][]string, len(placed))
	failed := false
	for i := 0; i < len(names); i += 10 {
		got, err := r.DescribeServices(ctx, cluster, names[i:min(i+10, len(names))])
		if err != nil {
			p.Services, p.ServicesErr = nil, err
			if slices.ContainsFunc(placed, func(s Placed) bool { return s.ServiceConstraints }) {
				p.Notes = append(p.Notes, fmt.Sprintf("the agent services' placement constraints were not read (%s): the cluster's hosts are counted without them; check with aws ecs describe-services --cluster %s --services %s", oneLine(err), cluster, strings.Join(names, " ")))
			}
			return p
		}
		p.Services = append(p.Services, got...)
	}
	read := map[string][]string{}
	for i, s := range placed {
		if s.ServiceConstraints {
			svc := findService(p.Services, s.Service)
			if svc == nil {
				p.Notes = append(p.Notes, fmt.Sprintf("ECS did not describe service %s of cluster %s: its placement constraints were not read", s.Service, cluster))
				failed = true
				continue
			}
			sets[i] = append(sets[i], memberOf(svc.PlacementConstraints)...)
		}
		if s.TaskConstraints && s.TaskDefinition != "" {
			exprs, ok := read[s.TaskDefinition]
			if !ok {
				td, err := r.DescribeTaskDefinition(ctx, s.TaskDefinition)
				if err != nil {
					p.Notes = append(p.Notes, fmt.Sprintf("the agents' task definition's placement constraints were not read (%s): the cluster's hosts are counted without them; check with aws ecs describe-task-definition --task-definition %s", oneLine(err), s.TaskDefinition))
					failed = true
					continue
				}
				exprs = memberOf(td.PlacementConstraints)
				read[s.TaskDefinition] = exprs
			}
			sets[i] = append(sets[i], exprs...)
		}
		slices.Sort(sets[i])
		sets[i] = slices.Compact(sets[i])
	}
	if failed {
		return p
	}
	for _, set := range sets[1:] {
		if !slices.Equal(set, sets[0]) {
			p.Notes = append(p.Notes, fmt.Sprintf("the agent services of cluster %s have different placement constraints: its hosts are counted without them", cluster))
			return p
		}
	}
	if len(sets) > 0 {
		p.MemberOf = sets[0]
	}
	return p
}

func memberOf(list []awsclient.PlacementConstraint) []string {
	var out []string
	for _, c := range list {
		if c.Type == "memberOf" && strings.TrimSpace(c.Expression) != "" {
			out = append(out, c.Expression)
		}
	}
	return out
}

// findService finds a service DescribeServices gave by the name or ARN it
// was asked by.
func findService(list []awsclient.Service, name string) *awsclient.Service {
	for i := range list {
		if list[i].ARN == name || list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}
