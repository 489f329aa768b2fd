package dind

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

const agentMarker = "teamcity-agent"

// The agent rule. A container is a TeamCity agent when
//
//  1. its Image's repository name is exactly teamcity-agent: the last path
//     segment of the image reference, without its :tag or @digest, after
//     Ref / ${Param} take the parameter's Default (or each AllowedValue of a
//     parameter without one), Fn::If either branch, and Join, Sub, Select
//     and FindInMap are worked out. jetbrains/teamcity-agent:2024.03,
//     123456789012.dkr.ecr.eu-west-1.amazonaws.com/teamcity-agent and
//     public.ecr.aws/jetbrains/teamcity-agent@sha256:… are agents;
//     amazon/aws-for-fluent-bit and ci/tc-agent-custom are not; or
//  2. the repository name cannot be worked out before deploy (a parameter
//     without Default, an ImportValue, a pseudo parameter in the last
//     segment) and the container's Name is exactly teamcity-agent.
//
// The Name is only a fallback, and must be exact: sidecars are named after
// the agent they serve (teamcity-agent-log-router), and giving one of them
// Privileged or the host's Docker socket is worse than finding no agent.
// Options.Containers (--container) overrides the rule.
func (t *Template) isAgent(c *yaml.Node) bool {
	if t.names != nil {
		return slices.Contains(t.names, t.nameOf(c))
	}
	switch t.imageIsAgent(mapGet(c, "Image")) {
	case agentYes:
		return true
	case agentNo:
		return false
	}
	return t.nameOf(c) == agentMarker
}

type agentAnswer int

const (
	agentNo agentAnswer = iota
	agentYes
	agentUnknown
)

// imageIsAgent applies the image half of the agent rule: yes when any value
// the Image may take names the teamcity-agent repository, no when every
// value is known and none does.
func (t *Template) imageIsAgent(img *yaml.Node) agentAnswer {
	if img == nil {
		return agentUnknown
	}
	answer := agentNo
	for _, v := range t.values(img) {
		repo := imageRepository(v.s)
		switch {
		case repo == agentMarker:
			return agentYes
		case strings.Contains(repo, unknownMark) || repo == "":
			answer = agentUnknown
		}
	}
	return answer
}

// imageRepository is the last path segment of an image reference without
// its tag or digest: "teamcity-agent" for
// registry:5000/jetbrains/teamcity-agent:2024.03@sha256:….
func imageRepository(image string) string {
	if at := strings.IndexByte(image, '@'); at >= 0 {
		image = image[:at]
	}
	image = image[strings.LastIndexByte(image, '/')+1:]
	if colon := strings.IndexByte(image, ':'); colon >= 0 {
		image = image[:colon]
	}
	return image
}

// findAgents collects the task definitions with at least one agent
// container (see isAgent).
func (t *Template) findAgents() error {
	tds, err := t.scanTaskDefs()
	if err != nil {
		return err
	}
	t.agents = nil
	for _, td := range tds {
		for _, c := range td.containers {
			if t.isAgent(c) {
				td.agents = append(td.agents, c)
			}
		}
		if len(td.agents) > 0 {
			td.refusal = t.deployRefusal(td)
			t.agents = append(t.agents, td)
		}
	}
	return nil
}

// scanTaskDefs reads every AWS::ECS::TaskDefinition with its containers.
// ContainerDefinitions tcdind cannot read are refused when they may hold an
// agent and skipped otherwise.
func (t *Template) scanTaskDefs() ([]*taskDef, error) {
	resources := mapGet(t.root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil, nil
	}
	var out []*taskDef
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
				return nil, &RefusedError{Reason: fmt.Sprintf("task definition %s: %s", td.id, err)}
			}
			continue
		}
		td.branch = map[*yaml.Node]int{}
		for i, list := range lists {
			for _, c := range list.Content {
				c = deref(c)
				if intrinsic(c) != "" && t.holdsAgent(c) {
					return nil, &RefusedError{Reason: fmt.Sprintf("ContainerDefinitions of task definition %s has an %s item (line %d) that may hold the agent; tcdind cannot tell what the task gets, so it will not edit it: edit it by hand", td.id, intrinsic(c), c.Line)}
				}
				if c.Kind != yaml.MappingNode || intrinsic(c) != "" {
					continue
				}
				td.branch[c] = i
				td.containers = append(td.containers, c)
			}
		}
		out = append(out, td)
	}
	return out, nil
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

// holdsAgent reports whether any branch of an Fn::If item is an agent.
func (t *Template) holdsAgent(item *yaml.Node) bool {
	for _, b := range branches(item, nil) {
		if b.n.Kind == yaml.MappingNode && intrinsic(b.n) == "" && t.isAgent(b.n) {
			return true
		}
	}
	return intrinsic(item) != "Fn::If" && t.mentionsAgent(item)
}

func (t *Template) mentionsAgent(n *yaml.Node) bool {
	return n != nil && strings.Contains(t.resolve(n), agentMarker)
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

// aliasCycle finds an alias inside the node it names (yaml.v3 accepts
// "&a [*a]"): every walk that follows aliases would never end.
func aliasCycle(root *yaml.Node) *yaml.Node {
	const (
		open = 1
		done = 2
	)
	state := map[*yaml.Node]int{}
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n == nil {
			return nil
		}
		if n.Kind == yaml.AliasNode {
			switch state[n.Alias] {
			case open:
				return n
			case done:
				return nil
			}
			return walk(n.Alias)
		}
		// Only anchored nodes can be named by an alias: only they are
		// tracked, which keeps the map small.
		anchored := n.Anchor != ""
		if anchored {
			if state[n] != 0 {
				return nil
			}
			state[n] = open
		}
		for _, c := range n.Content {
			if a := walk(c); a != nil {
				return a
			}
		}
		if anchored {
			state[n] = done
		}
		return nil
	}
	return walk(root)
}
