package dind

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Dependents are the logical IDs of the resources that refer to any of ids
// (Ref, Fn::GetAtt, ${} in Fn::Sub, DependsOn), directly or through
// another dependent: the resources a change set may touch when ids change,
// besides ids themselves. Sorted; ids are not included.
func (t *Template) Dependents(ids []string) []string {
	resources := mapGet(t.root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil
	}
	changed := map[string]bool{}
	for _, id := range ids {
		changed[id] = true
	}
	var out []string
	for grew := true; grew; {
		grew = false
		for i := 0; i+1 < len(resources.Content); i += 2 {
			id := resources.Content[i].Value
			if changed[id] {
				continue
			}
			if refersToAny(resources.Content[i+1], changed, map[*yaml.Node]bool{}) {
				changed[id] = true
				out = append(out, id)
				grew = true
			}
		}
	}
	slices.Sort(out)
	return out
}

// refersTo reports whether n refers to a resource in ids. Each node is
// visited once, so aliases cost nothing twice.
func refersToAny(n *yaml.Node, ids map[string]bool, seen map[*yaml.Node]bool) bool {
	if n == nil || seen[n] {
		return false
	}
	seen[n] = true
	switch n.Kind {
	case yaml.AliasNode:
		return refersToAny(n.Alias, ids, seen)
	case yaml.ScalarNode:
		switch n.Tag {
		case "!Ref", "!GetAtt":
			return ids[strings.SplitN(n.Value, ".", 2)[0]]
		case "!Sub":
			return subRefers(n.Value, ids)
		}
		return false
	case yaml.SequenceNode:
		if n.Tag == "!GetAtt" && len(n.Content) > 0 && ids[n.Content[0].Value] {
			return true
		}
		if n.Tag == "!Sub" && len(n.Content) > 0 && subRefers(n.Content[0].Value, ids) {
			return true
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "Ref", "DependsOn":
				for _, s := range scalars(v) {
					if ids[s] {
						return true
					}
				}
			case "Fn::GetAtt":
				if s := scalars(v); len(s) > 0 && ids[strings.SplitN(s[0], ".", 2)[0]] {
					return true
				}
			case "Fn::Sub":
				if v.Kind == yaml.ScalarNode && subRefers(v.Value, ids) {
					return true
				}
				if v.Kind == yaml.SequenceNode && len(v.Content) > 0 && subRefers(v.Content[0].Value, ids) {
					return true
				}
			}
		}
	}
	for _, c := range n.Content {
		if refersToAny(c, ids, seen) {
			return true
		}
	}
	return false
}

// subRefers reports whether an Fn::Sub string names one of ids in ${}.
func subRefers(s string, ids map[string]bool) bool {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return false
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return false
		}
		if name := strings.SplitN(s[:j], ".", 2)[0]; !strings.HasPrefix(name, "!") && ids[name] {
			return true
		}
		s = s[j+1:]
	}
}

// Bare are the logical IDs of the resources without Properties: an
// unchanged template gives CloudFormation nothing to modify on them (an
// emulator may list them as modified all the same).
func (t *Template) Bare() []string {
	resources := mapGet(t.root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(resources.Content); i += 2 {
		if res := resources.Content[i+1]; res.Kind == yaml.MappingNode && mapGet(res, "Properties") == nil {
			out = append(out, resources.Content[i].Value)
		}
	}
	return out
}
