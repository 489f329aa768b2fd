// Package hosts reads the EC2 container instances an agent service can run
// on, and says what they allow Docker-in-Docker to do: their operating
// system, CPU architecture, Docker version, and whether ECS lets them run
// privileged containers.
//
// Sources: ECS registers com.amazonaws.ecs.capability.privileged-container
// only where the agent allows privileged containers — ECS_DISABLE_PRIVILEGED
// in the agent's configuration
// (https://github.com/aws/amazon-ecs-agent/blob/master/README.md), which
// Bottlerocket sets from settings.ecs.allow-privileged-containers, default
// false (https://bottlerocket.dev/en/os/1.20.x/api/settings/ecs/). The
// attributes ecs.os-type, ecs.os-family, ecs.cpu-architecture and
// ecs.ami-id are ECS's own
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes).
package hosts

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
)

// Client reads a cluster's container instances; *awsclient.Client is one.
type Client interface {
	ContainerInstances(ctx context.Context, cluster string) ([]string, error)
	DescribeContainerInstances(ctx context.Context, cluster string, arns []string) ([]awsclient.ContainerInstance, error)
}

// imageNamer names AMIs (ec2:DescribeImages); optional.
type imageNamer interface {
	ImageNames(ctx context.Context, ids []string) (map[string]string, error)
}

// The attributes tcdind reads.
const (
	attrOSType     = "ecs.os-type"
	attrOSFamily   = "ecs.os-family"
	attrArch       = "ecs.cpu-architecture"
	attrAMI        = "ecs.ami-id"
	attrPrivileged = "com.amazonaws.ecs.capability.privileged-container"
)

// Host is one container instance, as far as Docker-in-Docker cares.
type Host struct {
	OS         string // Amazon Linux 2023, Bottlerocket, … or ecs.os-type
	Arch       string // x86_64, arm64
	Docker     string
	Privileged bool
	AMI        string
}

// Hosts are the container instances of one cluster the agents can use.
type Hosts struct {
	Cluster string
	List    []Host
	// Total counts the cluster's ACTIVE container instances; MemberOf
	// are the placement constraints that narrowed them to List.
	Total    int
	MemberOf []string
	// Notes say what could not be read (AMI names without
	// ec2:DescribeImages, an expression tcdind cannot evaluate).
	Notes []string
}

// Read lists and describes the ACTIVE container instances of cluster (one
// ListContainerInstances a page of 100, one DescribeContainerInstances a
// 100 instances), keeps those that can match every memberOf expression
// (ECS's cluster query language), and names their AMIs with one
// ec2:DescribeImages where the client can; a denied DescribeImages is a
// note. An instance is dropped only where an expression is surely false
// for it: one tcdind cannot read or evaluate keeps it, with a note naming
// the expression.
func Read(ctx context.Context, c Client, cluster string, memberOf ...string) (*Hosts, error) {
	return ReadFor(ctx, c, cluster, func() []string { return memberOf })
}

// ReadFor is Read with the memberOf expressions asked for only when the
// cluster has container instances: an empty cluster costs no read of the
// agents' placement constraints.
func ReadFor(ctx context.Context, c Client, cluster string, memberOf func() []string) (*Hosts, error) {
	arns, err := c.ContainerInstances(ctx, cluster)
	if err != nil {
		return nil, err
	}
	h := &Hosts{Cluster: cluster}
	if len(arns) == 0 {
		return h, nil
	}
	var all []awsclient.ContainerInstance
	for i := 0; i < len(arns); i += 100 {
		list, err := c.DescribeContainerInstances(ctx, cluster, arns[i:min(i+100, len(arns))])
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
	}
	h.Total = len(all)
	all = h.narrow(all, memberOf())
	names := map[string]string{}
	if n, ok := c.(imageNamer); ok && len(all) > 0 {
		var ids []string
		for _, ci := range all {
			if id := ci.Attributes[attrAMI]; id != "" && !contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			got, err := n.ImageNames(ctx, ids)
			if err != nil {
				h.Notes = append(h.Notes, "the hosts' AMIs were not named ("+oneLine(err)+")")
			} else {
				names = got
			}
		}
	}
	for _, ci := range all {
		_, priv := ci.Attributes[attrPrivileged]
		h.List = append(h.List, Host{
			OS: osName(names[ci.Attributes[attrAMI]], ci.Attributes[attrOSType], ci.Attributes[attrOSFamily]), Arch: ci.Attributes[attrArch],
			Docker: ci.DockerVersion, Privileged: priv, AMI: ci.Attributes[attrAMI],
		})
	}
	return h, nil
}

// osName names an operating system from its AMI's name (Amazon's ECS-
// optimized AMIs: al2023-ami-ecs-hvm-…, amzn2-ami-ecs-hvm-…,
// bottlerocket-aws-ecs-…), else from ECS's ecs.os-type.
func osName(ami, osType, family string) string {
	a := strings.ToLower(ami)
	switch {
	case strings.HasPrefix(a, "al2023"):
		return "Amazon Linux 2023"
	case strings.HasPrefix(a, "amzn2"):
		return "Amazon Linux 2"
	case strings.HasPrefix(a, "amzn-ami"):
		return "Amazon Linux"
	case strings.HasPrefix(a, "bottlerocket"):
		return "Bottlerocket"
	case ami != "":
		return ami
	case strings.HasPrefix(strings.ToUpper(family), "WINDOWS"):
		return "Windows"
	case osType != "":
		return osType
	}
	return "unknown OS"
}

// String is the review's line: "2 × Amazon Linux 2023, x86_64, Docker
// 25.0.8, privileged allowed"; differing hosts are counted apart.
func (h *Hosts) String() string {
	switch {
	case len(h.List) == 0 && h.Total > 0:
		if h.Total == 1 {
			return fmt.Sprintf("the one container instance of cluster %s does not match %s: ECS cannot place the agents there until one does", h.Cluster, h.constraints())
		}
		return fmt.Sprintf("none of the %d container instances of cluster %s matches %s: ECS cannot place the agents there until one does", h.Total, h.Cluster, h.constraints())
	case len(h.List) == 0:
		return fmt.Sprintf("no container instance is registered in cluster %s", h.Cluster)
	}
	groups := map[string]int{}
	var order []string
	for _, x := range h.List {
		priv := "privileged allowed"
		if !x.Privileged {
			priv = "privileged not allowed"
		}
		docker := "Docker " + x.Docker
		if x.Docker == "" {
			docker = "Docker version not reported"
		}
		key := strings.Join([]string{x.OS, x.Arch, docker, priv}, ", ")
		if groups[key] == 0 {
			order = append(order, key)
		}
		groups[key]++
	}
	sort.SliceStable(order, func(i, j int) bool { return groups[order[i]] > groups[order[j]] })
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%d × %s", groups[k], k)
	}
	return strings.Join(parts, "; ")
}

// Arch is the architecture every host has, or "" when they differ or none
// is known.
func (h *Hosts) Arch() string {
	arch := ""
	for _, x := range h.List {
		switch {
		case arch == "":
			arch = x.Arch
		case arch != x.Arch:
			return ""
		}
	}
	return arch
}

// PrivilegedAllowed counts the hosts that allow privileged containers.
func (h *Hosts) PrivilegedAllowed() int {
	n := 0
	for _, x := range h.List {
		if x.Privileged {
			n++
		}
	}
	return n
}

// Bottlerocket reports a Bottlerocket host among them.
func (h *Hosts) Bottlerocket() bool {
	for _, x := range h.List {
		if x.OS == "Bottlerocket" {
			return true
		}
	}
	return false
}

// PrivilegedRefusal says why privileged mode cannot be placed on these
// hosts, with the setting to change; "" when some host allows it (or none
// is registered: nothing to judge).
func (h *Hosts) PrivilegedRefusal() string {
	if len(h.List) == 0 || h.PrivilegedAllowed() > 0 {
		return ""
	}
	how := "set ECS_DISABLE_PRIVILEGED=false in /etc/ecs/ecs.config of the instances (their launch template's user data) and replace them"
	if h.Bottlerocket() {
		how = "set settings.ecs.allow-privileged-containers = true in the instances' user data (Bottlerocket's default is false) and replace them"
	}
	none := fmt.Sprintf("none of the %d container instances of cluster %s%s allows privileged containers (ECS registers no %s attribute on them)", len(h.List), h.Cluster, h.Matching(), attrPrivileged)
	if len(h.List) == 1 {
		none = fmt.Sprintf("the one container instance of cluster %s%s does not allow privileged containers (ECS registers no %s attribute on it)", h.Cluster, h.Matching(), attrPrivileged)
	}
	return fmt.Sprintf("%s, so ECS cannot place a privileged agent: %s, or use --mode socket", none, how)
}

// Warnings are what the hosts mean for mode that is not a refusal.
func (h *Hosts) Warnings(privileged bool) []string {
	var out []string
	if n := h.PrivilegedAllowed(); privileged && n > 0 && n < len(h.List) {
		out = append(out, fmt.Sprintf("only %d of the %d container instances of cluster %s%s allow privileged containers: ECS places privileged agents on those alone", n, len(h.List), h.Cluster, h.Matching()))
	}
	if !privileged && h.Bottlerocket() {
		// The socket's path: bottlerocket-os/bottlerocket#1072 (security
		// guidance); SELinux labels for ECS tasks (DockerSecurityOptions
		// label:type:…): bottlerocket-os/bottlerocket#1009.
		out = append(out, "Bottlerocket hosts in cluster "+h.Cluster+": the Docker socket is /run/docker.sock and SELinux confines containers, so an agent that mounts the socket may be denied it; check that builds reach Docker (Bottlerocket's security guidance; a task can ask for another SELinux label with DockerSecurityOptions)")
	}
	return append(out, h.Notes...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
