package dind

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

const agentMarker = "teamcity-agent"

// findAgents collects the task definitions with at least one agent
// container: one whose Image mentions teamcity-agent once parameters are
// replaced by their defaults, or whose Name contains it.
func (t *Template) findAgents() error {
	resources := mapGet(t.root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		key, res := resources.Content[i], resources.Content[i+1]
		if scalarValue(mapGet(res, "Type")) != "AWS::ECS::TaskDefinition" {
			continue
		}
		props := mapGet(res, "Properties")
		if props == nil || props.Kind != yaml.MappingNode {
			continue
		}
		td := &taskDef{id: key.Value, key: key, resource: res, props: props}
		lists, err := containerLists(mapGet(props, "ContainerDefinitions"))
		if err != nil {
			if t.mentionsAgent(mapGet(props, "ContainerDefinitions")) {
				return &RefusedError{Reason: fmt.Sprintf("task definition %s: %s", td.id, err)}
			}
			continue
		}
		td.branch = map[*yaml.Node]int{}
		for i, list := range lists {
			for _, c := range list.Content {
				c = deref(c)
				if c.Kind != yaml.MappingNode {
					continue
				}
				td.branch[c] = i
				td.containers = append(td.containers, c)
				if t.isAgent(c) {
					td.agents = append(td.agents, c)
				}
			}
		}
		if len(td.agents) == 0 {
			continue
		}
		td.refusal = refusal(td)
		t.agents = append(t.agents, td)
	}
	return nil
}

// containerLists returns the container sequences of a ContainerDefinitions
// value: the list itself, or both lists of an Fn::If.
func containerLists(n *yaml.Node) ([]*yaml.Node, error) {
	n = deref(n)
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.SequenceNode && n.Tag != "!If" {
		return []*yaml.Node{n}, nil
	}
	args := ifArgs(n)
	if args == nil {
		return nil, fmt.Errorf("ContainerDefinitions is neither a list nor an Fn::If of two lists; tcdind cannot edit it")
	}
	var lists []*yaml.Node
	for _, branch := range args[1:] {
		if isNoValue(branch) {
			continue
		}
		sub, err := containerLists(branch)
		if err != nil {
			return nil, err
		}
		lists = append(lists, sub...)
	}
	return lists, nil
}

// ifArgs returns the three arguments of an Fn::If in short (!If) or long
// (Fn::If:) form, or nil.
func ifArgs(n *yaml.Node) []*yaml.Node {
	if n.Kind == yaml.SequenceNode && n.Tag == "!If" && len(n.Content) == 3 {
		return n.Content
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Fn::If" {
		if v := n.Content[1]; v.Kind == yaml.SequenceNode && len(v.Content) == 3 {
			return v.Content
		}
	}
	return nil
}

func isNoValue(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" && n.Value == "AWS::NoValue" {
		return true
	}
	return n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref" && n.Content[1].Value == "AWS::NoValue"
}

func (t *Template) isAgent(c *yaml.Node) bool {
	if strings.Contains(scalarValue(mapGet(c, "Name")), agentMarker) {
		return true
	}
	return t.mentionsAgent(mapGet(c, "Image"))
}

func (t *Template) mentionsAgent(n *yaml.Node) bool {
	return n != nil && strings.Contains(t.resolve(n), agentMarker)
}

// refusal says why Docker-in-Docker cannot work in a task definition.
func refusal(td *taskDef) string {
	if compat := mapGet(td.props, "RequiresCompatibilities"); compat != nil {
		for _, v := range scalars(compat) {
			if strings.EqualFold(v, "FARGATE") {
				return fmt.Sprintf("task definition %s requires Fargate, and Fargate supports neither privileged containers nor host volumes, so neither Docker-in-Docker mode can work there; run the agent on the EC2 launch type", td.id)
			}
		}
	}
	if family := scalarValue(mapGet(mapGet(td.props, "RuntimePlatform"), "OperatingSystemFamily")); strings.HasPrefix(strings.ToUpper(family), "WINDOWS") {
		return fmt.Sprintf("task definition %s runs Windows containers (%s): Docker-in-Docker with the Docker socket or privileged mode needs Linux containers", td.id, family)
	}
	return ""
}

// scalars lists a scalar or a sequence of scalars.
func scalars(n *yaml.Node) []string {
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
		return out
	}
	return nil
}

// scalarValue is n's value when n is a plain (untagged) scalar.
func scalarValue(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return ""
	}
	return n.Value
}

// resolve renders an intrinsic-function value as the string it most likely
// becomes: Ref and ${} take the parameter's Default, Join joins, and any
// other function becomes its resolved arguments run together (enough to see
// whether an image mentions teamcity-agent).
func (t *Template) resolve(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	switch n.Kind {
	case yaml.AliasNode:
		return t.resolve(n.Alias)
	case yaml.ScalarNode:
		switch n.Tag {
		case "!Ref":
			return t.ref(n.Value)
		case "!Sub":
			return t.sub(n.Value, nil)
		}
		return n.Value
	case yaml.SequenceNode:
		switch n.Tag {
		case "!Join":
			return t.join(n.Content)
		case "!Sub":
			return t.subList(n.Content)
		}
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			fn, arg := n.Content[0].Value, n.Content[1]
			switch fn {
			case "Ref":
				return t.ref(arg.Value)
			case "Fn::Sub":
				if arg.Kind == yaml.ScalarNode {
					return t.sub(arg.Value, nil)
				}
				return t.subList(arg.Content)
			case "Fn::Join":
				if arg.Kind == yaml.SequenceNode {
					return t.join(arg.Content)
				}
			}
		}
	}
	var parts []string
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue
		}
		parts = append(parts, t.resolve(c))
	}
	return strings.Join(parts, "")
}

func (t *Template) ref(name string) string {
	if v, ok := t.params[name]; ok {
		return v
	}
	return "${" + name + "}"
}

func (t *Template) join(args []*yaml.Node) string {
	if len(args) != 2 || args[1].Kind != yaml.SequenceNode {
		return ""
	}
	parts := make([]string, 0, len(args[1].Content))
	for _, p := range args[1].Content {
		parts = append(parts, t.resolve(p))
	}
	return strings.Join(parts, args[0].Value)
}

func (t *Template) subList(args []*yaml.Node) string {
	if len(args) == 0 {
		return ""
	}
	vars := map[string]string{}
	if len(args) > 1 && args[1].Kind == yaml.MappingNode {
		for i := 0; i+1 < len(args[1].Content); i += 2 {
			vars[args[1].Content[i].Value] = t.resolve(args[1].Content[i+1])
		}
	}
	return t.sub(args[0].Value, vars)
}

// sub replaces ${Name} with a variable or a parameter's default; ${!x} is
// the literal ${x}.
func (t *Template) sub(s string, vars map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch v, ok := vars[name]; {
		case strings.HasPrefix(name, "!"):
			b.WriteString("${" + name[1:] + "}")
		case ok:
			b.WriteString(v)
		default:
			b.WriteString(t.ref(name))
		}
		s = s[i+j+1:]
	}
}
