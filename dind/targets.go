package dind

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Where a task definition is deployed decides whether Docker-in-Docker can
// work there at all: Fargate has neither privileged containers nor host
// volumes, and Windows containers have neither mode. A template may leave
// that open (an Fn::If, a parameter, the service that runs the task), and a
// template that may be deployed where the edit fails to register is refused:
// any Fn::If branch, parameter default (or, without one, allowed value), or
// service, task set or scheduled task that says Fargate or Windows counts.

const fargateWhy = "Fargate supports neither privileged containers nor host volumes, so neither Docker-in-Docker mode can work there; run the agent on the EC2 launch type"

// deployRefusal says why Docker-in-Docker cannot work in a task definition,
// or "" when it can.
func (t *Template) deployRefusal(td *taskDef) string {
	if verb, why := t.fargate(td); why != "" {
		return fmt.Sprintf("task definition %s %s (%s): %s", td.id, verb, why, fargateWhy)
	}
	if verb, why := t.windows(td); why != "" {
		return fmt.Sprintf("task definition %s %s (%s): Docker-in-Docker with the Docker socket or privileged mode needs Linux containers; run the agent in a Linux task definition", td.id, verb, why)
	}
	return ""
}

func isFargate(s string) bool {
	return strings.EqualFold(s, "FARGATE") || strings.EqualFold(s, "FARGATE_SPOT")
}

// fargate returns how and why td may run on Fargate, or "" for why.
func (t *Template) fargate(td *taskDef) (verb, why string) {
	if compat := mapGet(td.props, "RequiresCompatibilities"); compat != nil {
		elems := t.elements(compat)
		onlyLiteralFargate := true
		var found string
		for _, v := range elems {
			switch {
			case !v.known():
				if found == "" {
					found = "RequiresCompatibilities may include FARGATE" + v.reason()
				}
				onlyLiteralFargate = false
			case isFargate(v.s):
				if found == "" || !strings.HasPrefix(found, "RequiresCompatibilities includes") {
					found = "RequiresCompatibilities includes " + v.s + v.reason()
				}
				if len(v.why) > 0 {
					onlyLiteralFargate = false
				}
			default:
				onlyLiteralFargate = false
			}
		}
		if found != "" {
			if onlyLiteralFargate {
				return "requires Fargate", found
			}
			return "may run on Fargate", found
		}
	}
	if why := t.launchedOnFargate(td.id); why != "" {
		return "may run on Fargate", why
	}
	return "", ""
}

// launchedOnFargate looks for what runs the task definition (a service, a
// task set, a scheduled task: any mapping that names it as TaskDefinition
// or TaskDefinitionArn) with a Fargate launch type or capacity provider.
func (t *Template) launchedOnFargate(id string) string {
	if t.runners == nil {
		t.runners = t.findRunners()
	}
	for _, r := range t.runners[id] {
		if why := t.launchFargate(r.props, r.what); why != "" {
			return why
		}
	}
	return ""
}

// runner is a mapping that runs a task definition, and its resource.
type runner struct {
	props *yaml.Node
	what  string // "service AgentService"
}

// findRunners indexes, in one pass over the resources, the mappings that
// name a task definition, by the logical IDs they refer to.
func (t *Template) findRunners() map[string][]runner {
	out := map[string][]runner{}
	resources := mapGet(t.root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		rid, res := resources.Content[i].Value, resources.Content[i+1]
		typ := scalarValue(mapGet(res, "Type"))
		if typ == "AWS::ECS::TaskDefinition" {
			continue
		}
		what := resourceNoun(typ) + " " + rid
		walkMappings(mapGet(res, "Properties"), func(m *yaml.Node) bool {
			for _, key := range []string{"TaskDefinition", "TaskDefinitionArn"} {
				for _, id := range referencedIDs(mapGet(m, key)) {
					out[id] = append(out[id], runner{m, what})
				}
			}
			return true
		})
	}
	return out
}

func resourceNoun(typ string) string {
	switch typ {
	case "AWS::ECS::Service":
		return "service"
	case "AWS::ECS::TaskSet":
		return "task set"
	case "AWS::Events::Rule", "AWS::Scheduler::Schedule":
		return "scheduled task"
	}
	return "resource"
}

// launchFargate reads the launch type and capacity providers of m, the
// properties of what runs a task; without either, those of its cluster.
func (t *Template) launchFargate(m *yaml.Node, what string) string {
	launch, strategy := mapGet(m, "LaunchType"), mapGet(m, "CapacityProviderStrategy")
	for _, v := range t.values(launch) {
		switch {
		case !v.known():
			return fmt.Sprintf("%s may have LaunchType FARGATE%s", what, v.reason())
		case isFargate(v.s):
			return fmt.Sprintf("%s has LaunchType %s%s", what, v.s, v.reason())
		}
	}
	if why := t.strategyFargate(strategy, what); why != "" {
		return why
	}
	if launch != nil || strategy != nil {
		return ""
	}
	cluster := mapGet(m, "Cluster")
	if cluster == nil {
		return ""
	}
	resources := mapGet(t.root, "Resources")
	for i := 0; i+1 < len(resources.Content); i += 2 {
		cid, res := resources.Content[i].Value, resources.Content[i+1]
		props := mapGet(res, "Properties")
		switch scalarValue(mapGet(res, "Type")) {
		case "AWS::ECS::Cluster":
			if !refersTo(cluster, cid) {
				continue
			}
		case "AWS::ECS::ClusterCapacityProviderAssociations":
			if !sameReference(mapGet(props, "Cluster"), cluster) {
				continue
			}
		default:
			continue
		}
		if why := t.strategyFargate(mapGet(props, "DefaultCapacityProviderStrategy"), fmt.Sprintf("%s runs on cluster %s, whose default", what, cid)); why != "" {
			return why
		}
	}
	return ""
}

// strategyFargate reports a FARGATE or FARGATE_SPOT capacity provider in a
// capacity provider strategy. A provider whose name is not known is an
// Auto Scaling group's (FARGATE and FARGATE_SPOT are reserved names).
func (t *Template) strategyFargate(strategy *yaml.Node, what string) string {
	for _, list := range branches(strategy, nil) {
		if list.n.Kind != yaml.SequenceNode || intrinsic(list.n) != "" {
			continue
		}
		for _, item := range list.n.Content {
			for _, b := range branches(item, list.why) {
				for _, v := range t.valuesWhy(mapGet(b.n, "CapacityProvider"), b.why) {
					if v.known() && isFargate(v.s) {
						return fmt.Sprintf("%s capacity provider strategy has %s%s", what, v.s, v.reason())
					}
				}
			}
		}
	}
	return ""
}

// walkMappings calls f on every mapping under n, depth first, while f
// returns true.
func walkMappings(n *yaml.Node, f func(*yaml.Node) bool) bool {
	// Aliases are followed as CloudFormation reads them; Parse bounds
	// their expansion.
	n = deref(n)
	if n == nil {
		return true
	}
	if n.Kind == yaml.MappingNode && !f(n) {
		return false
	}
	for _, c := range n.Content {
		if !walkMappings(c, f) {
			return false
		}
	}
	return true
}

// refersTo reports whether n mentions logical ID id by Ref, GetAtt or Sub,
// on any Fn::If branch.
func refersTo(n *yaml.Node, id string) bool {
	if n == nil {
		return false
	}
	switch fn := intrinsic(n); {
	case fn == "Ref" && n.Kind == yaml.ScalarNode:
		return n.Value == id
	case fn == "Fn::GetAtt" && n.Kind == yaml.ScalarNode:
		name, _, _ := strings.Cut(n.Value, ".")
		return name == id
	case fn == "Fn::GetAtt" && n.Kind == yaml.SequenceNode:
		return len(n.Content) > 0 && n.Content[0].Value == id
	case fn == "Fn::Sub" && n.Kind == yaml.ScalarNode:
		return subMentions(n.Value, id)
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		switch arg := n.Content[1]; fn {
		case "Ref":
			return arg.Value == id
		case "Fn::GetAtt":
			if arg.Kind == yaml.ScalarNode {
				name, _, _ := strings.Cut(arg.Value, ".")
				return name == id
			}
			return arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 && arg.Content[0].Value == id
		case "Fn::Sub":
			if arg.Kind == yaml.ScalarNode {
				return subMentions(arg.Value, id)
			}
		}
	}
	if n.Kind == yaml.AliasNode {
		return refersTo(n.Alias, id)
	}
	for _, c := range n.Content {
		if refersTo(c, id) {
			return true
		}
	}
	return n.Kind == yaml.ScalarNode && n.Tag == "!Sub" && subMentions(n.Value, id)
}

func subMentions(s, id string) bool {
	for _, name := range subVariables(s) {
		if name == id || strings.HasPrefix(name, id+".") {
			return true
		}
	}
	return strings.Contains(s, "${"+id+"}") || strings.Contains(s, "${"+id+".")
}

// sameReference reports whether a and b name the same cluster: equal
// literals, or Refs / GetAtts of the same resource.
func sameReference(a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return false
	}
	if va, vb := scalarValue(a), scalarValue(b); va != "" && va == vb {
		return true
	}
	resources := referencedIDs(a)
	for _, id := range resources {
		if refersTo(b, id) {
			return true
		}
	}
	return false
}

func referencedIDs(n *yaml.Node) []string {
	var ids []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		switch fn := intrinsic(n); {
		case fn == "Ref" && n.Kind == yaml.ScalarNode:
			ids = append(ids, n.Value)
		case fn == "Ref" && n.Kind == yaml.MappingNode:
			ids = append(ids, n.Content[1].Value)
		case fn == "Fn::Sub":
			arg := n
			if n.Kind == yaml.MappingNode {
				arg = n.Content[1]
			}
			if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
				arg = arg.Content[0]
			}
			for _, name := range subVariables(arg.Value) {
				id, _, _ := strings.Cut(name, ".")
				ids = append(ids, id)
			}
		case fn == "Fn::GetAtt":
			arg := n
			if n.Kind == yaml.MappingNode {
				arg = n.Content[1]
			}
			if arg.Kind == yaml.ScalarNode {
				name, _, _ := strings.Cut(arg.Value, ".")
				ids = append(ids, name)
			} else if len(arg.Content) > 0 {
				ids = append(ids, arg.Content[0].Value)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ids
}

// windows returns how and why td may run Windows containers, or "" for why.
func (t *Template) windows(td *taskDef) (verb, why string) {
	for _, rp := range branches(mapGet(td.props, "RuntimePlatform"), nil) {
		family := mapGet(rp.n, "OperatingSystemFamily")
		if family == nil {
			continue
		}
		for _, v := range t.valuesWhy(family, rp.why) {
			switch {
			case !v.known():
				return "may run Windows containers", "RuntimePlatform.OperatingSystemFamily may be WINDOWS" + v.reason()
			case strings.HasPrefix(strings.ToUpper(v.s), "WINDOWS"):
				verb := "runs Windows containers"
				if len(v.why) > 0 {
					verb = "may run Windows containers"
				}
				return verb, "RuntimePlatform.OperatingSystemFamily is " + v.s + v.reason()
			}
		}
	}
	for _, c := range td.containers {
		for _, v := range t.values(mapGet(c, "Image")) {
			if !v.known() {
				continue
			}
			if tag := strings.ToLower(imageTag(v.s)); strings.Contains(tag, "windows") || strings.Contains(tag, "nanoserver") {
				return "may run Windows containers", fmt.Sprintf("container %s has the Windows image %s%s", t.nameLabel(c), v.s, v.reason())
			}
		}
	}
	return "", ""
}

// skipRefused drops the task definitions Docker-in-Docker cannot work in
// from an --task-definition all selection, with a warning each, so that one
// Fargate task does not stop the others; it refuses when none is left, or
// when a refused one was chosen by name (or is the only one). None mode
// removes and never adds, so it edits them all.
func skipRefused(targets []*taskDef, opts Options, res *Result) ([]*taskDef, error) {
	if opts.Mode == ModeNone {
		return targets, nil
	}
	all := slices.Contains(opts.TaskDefinitions, AllTaskDefinitions)
	kept := make([]*taskDef, 0, len(targets))
	var reasons []string
	var refused string
	for _, td := range targets {
		if td.refusal == "" {
			kept = append(kept, td)
			continue
		}
		if !all && refused == "" {
			refused = td.refusal
		}
		reasons = append(reasons, td.refusal)
	}
	if refused != "" {
		// --container alone selects every task definition with a container
		// of that name: name the ones that can be edited, and the flag
		// that makes the same command work, rather than only "run the
		// agent on EC2" (which one of them already does).
		if len(kept) > 0 && len(opts.TaskDefinitions) == 0 && len(opts.Containers) > 0 {
			ids := make([]string, len(kept))
			for i, td := range kept {
				ids[i] = td.id
			}
			noun := "task definition"
			if len(ids) > 1 {
				noun = "task definitions"
			}
			refused = fmt.Sprintf("%s; --container %s also matches %s %s, which can have Docker-in-Docker: run again with --task-definition %s",
				refused, strings.Join(opts.Containers, ","), noun, strings.Join(ids, ", "), strings.Join(ids, ","))
		}
		return nil, &RefusedError{Reason: refused}
	}
	if len(kept) == 0 {
		return nil, &RefusedError{Reason: strings.Join(reasons, "; ")}
	}
	for _, r := range reasons {
		res.Warnings = append(res.Warnings, "skipped: "+r)
	}
	return kept, nil
}

// withContainers is t with the agents named by --container instead of the
// agent rule; every name must be a container of some task definition.
func (t *Template) withContainers(names []string) (*Template, error) {
	named := *t
	named.names = names
	if err := named.findAgents(); err != nil {
		return nil, err
	}
	found, err := t.containerNames()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !slices.Contains(found, n) {
			return nil, &ContainerError{Name: n, Found: found}
		}
	}
	return &named, nil
}

// containerNames lists the names of every container of every task
// definition, once each, in template order.
func (t *Template) containerNames() ([]string, error) {
	tds, err := t.scanTaskDefs()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, td := range tds {
		for _, c := range td.containers {
			if n := t.nameLabel(c); !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// noAgent is ErrNoAgent with the containers the template has.
func (t *Template) noAgent() error {
	found, _ := t.containerNames()
	return &noAgentError{found: found}
}

// reparse parses an edited template with the same agent selection as t.
func (t *Template) reparse(src []byte) (*Template, error) {
	after, err := Parse(src)
	if err != nil || t.names == nil {
		return after, err
	}
	after.names = t.names
	return after, after.findAgents()
}
