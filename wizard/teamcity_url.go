package wizard

import (
	"context"
	"strings"

	"go.yaml.in/yaml/v3"

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
// the bare DNS name over http even when the output says https). Then the
// agent container's SERVER_URL: a plain string in the deployed template is
// read there (no call); anything else (in JetBrains' template it is !GetAtt
// [PublicLoadBalancer, DNSName]) as ECS registered it, resolved. A value
// without a scheme is http, as the agent takes it. Nothing found, or a
// client that cannot read ECS, is no URL: the question is then not asked.
func discoverServerURL(ctx context.Context, c any, st *awsclient.Stack, body []byte, tmpl *dind.Template) discovered {
	if st == nil {
		return discovered{}
	}
	if u := strings.TrimSpace(st.Outputs[serverURLOutput]); looksLikeURL(u) {
		return discovered{url: u, from: "output " + serverURLOutput}
	}
	if tmpl == nil {
		return discovered{}
	}
	if d, ok := literalServerURL(body, tmpl); ok {
		return d
	}
	ecs, ok := c.(rollout.Client)
	if !ok {
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
				return discovered{url: withScheme(v), from: serverURLEnv + " of " + td.LogicalID}
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

// withScheme is a server URL as the agent takes it: http without a scheme.
func withScheme(v string) string {
	if !strings.Contains(v, "://") {
		return "http://" + v
	}
	return v
}

// literalServerURL reads SERVER_URL from the agent containers' Environment
// in the template: found only when it is a plain string (a !GetAtt, !Ref
// or !Sub is resolved by CloudFormation, and read from ECS instead).
// JSON templates are YAML too.
func literalServerURL(body []byte, tmpl *dind.Template) (discovered, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil || len(doc.Content) == 0 {
		return discovered{}, false
	}
	resources := mapValue(doc.Content[0], "Resources")
	for _, td := range tmpl.Agents() {
		defs := mapValue(mapValue(mapValue(resources, td.LogicalID), "Properties"), "ContainerDefinitions")
		if defs == nil || defs.Kind != yaml.SequenceNode {
			continue
		}
		for _, cd := range defs.Content {
			name := mapValue(cd, "Name")
			if name == nil || !isAgentContainer(td, name.Value) {
				continue
			}
			env := mapValue(cd, "Environment")
			if env == nil || env.Kind != yaml.SequenceNode {
				continue
			}
			for _, kv := range env.Content {
				n, v := mapValue(kv, "Name"), mapValue(kv, "Value")
				if n == nil || n.Value != serverURLEnv || v == nil {
					continue
				}
				if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "") || strings.TrimSpace(v.Value) == "" {
					return discovered{}, false // resolved by CloudFormation: ask ECS
				}
				return discovered{url: withScheme(strings.TrimSpace(v.Value)), from: serverURLEnv + " of " + td.LogicalID}, true
			}
		}
	}
	return discovered{}, false
}

// mapValue is the value of key in a mapping node; nil when there is none.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
