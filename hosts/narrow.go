package hosts

import (
	"fmt"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/clusterquery"
)

// narrow keeps the instances every memberOf expression may hold for
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html:
// "memberOf: Place tasks on container instances that satisfy an
// expression"). An expression tcdind cannot read narrows nothing; one it
// cannot evaluate for an instance keeps that instance. Both are notes.
func (h *Hosts) narrow(all []awsclient.ContainerInstance, memberOf []string) []awsclient.ContainerInstance {
	var exprs []*clusterquery.Expr
	for _, src := range memberOf {
		e, err := clusterquery.Parse(src)
		if err != nil {
			h.Notes = append(h.Notes, fmt.Sprintf("tcdind cannot read the agents' placement constraint memberOf %s: all %d container instances of cluster %s are counted", quote(src), len(all), h.Cluster))
			continue
		}
		exprs = append(exprs, e)
		h.MemberOf = append(h.MemberOf, src)
	}
	if len(exprs) == 0 {
		return all
	}
	unknown := make([]int, len(exprs))
	var kept []awsclient.ContainerInstance
	for _, ci := range all {
		in := clusterquery.Instance{
			Attributes: ci.Attributes, EC2InstanceID: ci.EC2InstanceID, RegisteredAt: ci.RegisteredAt,
			RunningTasks: ci.RunningTasks, AgentConnected: ci.AgentConnected, AgentVersion: ci.AgentVersion,
		}
		keep, unsure := true, make([]bool, len(exprs))
		for i, e := range exprs {
			switch e.Eval(in) {
			case clusterquery.False:
				keep = false
			case clusterquery.Unknown:
				unsure[i] = true
			}
		}
		if !keep {
			continue
		}
		kept = append(kept, ci)
		for i := range unsure {
			if unsure[i] {
				unknown[i]++
			}
		}
	}
	for i, e := range exprs {
		if unknown[i] > 0 {
			h.Notes = append(h.Notes, fmt.Sprintf("tcdind cannot tell whether %d of the %d container instances of cluster %s match the agents' placement constraint memberOf %s: they are counted", unknown[i], len(all), h.Cluster, quote(e.String())))
		}
	}
	return kept
}

// quote shortens an expression for a line (ECS allows 2000 characters).
func quote(expr string) string {
	const max = 80
	if r := []rune(expr); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return expr
}

// Matching is how the narrowed instances are named in a sentence after
// "container instances of cluster C": " matching memberOf X", or "" when
// nothing narrowed them.
func (h *Hosts) Matching() string {
	if len(h.MemberOf) == 0 {
		return ""
	}
	return " matching " + h.constraints()
}

// constraints names the memberOf expressions: "memberOf A and memberOf B".
func (h *Hosts) constraints() string {
	parts := make([]string, len(h.MemberOf))
	for i, m := range h.MemberOf {
		parts[i] = "memberOf " + quote(m)
	}
	return strings.Join(parts, " and ")
}

// Line is the review's line after "hosts: ": the hosts, their cluster,
// and how placement constraints narrowed them ("2 × Amazon Linux 2023,
// x86_64, Docker 25.0.8, privileged allowed (cluster C, 2 of 3 instances
// match memberOf attribute:teamcity.node-responsibility == buildAgent)").
func (h *Hosts) Line() string {
	if len(h.List) == 0 {
		return h.String()
	}
	if len(h.MemberOf) == 0 {
		return fmt.Sprintf("%s (cluster %s)", h.String(), h.Cluster)
	}
	return fmt.Sprintf("%s (cluster %s, %d of %d instances match %s)", h.String(), h.Cluster, len(h.List), h.Total, h.constraints())
}
