package wizard

import (
	"context"
	"strings"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/rollout"
)

// serverURLOutput is the output of JetBrains' template that gives the
// server's URL: !Join of http:// or https:// (when it requested a
// certificate), the load balancer's DNS name, and "/".
const serverURLOutput = "TeamCityServerUrl"

// serverURLEnv is the agent container's variable that names the server
// (JetBrains' agent image reads SERVER_URL:
// https://www.jetbrains.com/help/teamcity/agent-docker-images.html).
const serverURLEnv = "SERVER_URL"

// discovered is where the TeamCity server is, as the deployed stack shows
// it, and where that was read.
type discovered struct {
	url  string
	from string // "output TeamCityServerUrl", "SERVER_URL of AgentTaskDefinition"
}

// discoverServerURL reads the TeamCity server's URL from the deployed
// stack. The output comes first: it is the URL people open, with the
// scheme the load balancer serves (JetBrains' template sends the agents to
// the bare DNS name over http even when the output says https). Without
// it, the agent task definition's SERVER_URL as registered in ECS, which
// is resolved there (in JetBrains' template it is !GetAtt
// [PublicLoadBalancer, DNSName], unknown from the template alone); a value
// without a scheme is http, as the agent takes it. Nothing found, or a
// client that cannot read ECS, is no URL: the question is then not asked.
func discoverServerURL(ctx context.Context, c any, st *awsclient.Stack, tmpl *dind.Template) discovered {
	if st == nil {
		return discovered{}
	}
	if u := strings.TrimSpace(st.Outputs[serverURLOutput]); looksLikeURL(u) {
		return discovered{url: u, from: "output " + serverURLOutput}
	}
	ecs, ok := c.(rollout.Client)
	if !ok || tmpl == nil {
		return discovered{}
	}
	resources, err := ecs.StackResources(ctx, st.Name)
	if err != nil {
		return discovered{}
	}
	physical := map[string]string{}
	for _, r := range resources {
		physical[r.LogicalID] = r.PhysicalID
	}
	for _, td := range tmpl.Agents() {
		arn := physical[td.LogicalID]
		if arn == "" {
			continue
		}
		reg, err := ecs.DescribeTaskDefinition(ctx, arn)
		if err != nil {
			continue
		}
		for _, cd := range reg.Containers {
			if !isAgentContainer(td, cd.Name) {
				continue
			}
			if v := strings.TrimSpace(cd.Environment[serverURLEnv]); v != "" {
				if !strings.Contains(v, "://") {
					v = "http://" + v
				}
				return discovered{url: v, from: serverURLEnv + " of " + td.LogicalID}
			}
		}
	}
	return discovered{}
}

func isAgentContainer(td dind.TaskDefinition, name string) bool {
	for _, c := range td.Containers {
		if c.Name == name {
			return true
		}
	}
	return false
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}
