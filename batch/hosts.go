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
// run the edited task definitions, says what they are ("hosts: 2 × Amazon
// Linux 2023, x86_64, Docker 25.0.8, privileged allowed") and what they
// mean for the mode, before anything is written or executed. It costs one
// ListStackResources, then per cluster one ListContainerInstances and one
// DescribeContainerInstances a 100 instances, and one ec2:DescribeImages.
// A read that fails is a note, never the end. It returns the hosts'
// common architecture ("" when unknown or mixed) and a refusal when no
// host can run the mode.
func agentHosts(ctx context.Context, w io.Writer, cfn any, st *awsclient.Stack, tmpl *dind.Template, res *dind.Result, mode dind.Mode, where string) (arch string, refusal error) {
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
		archs[h.Arch()] = true
	}
	if len(archs) == 1 {
		for a := range archs {
			arch = a
		}
	}
	return arch, nil
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
