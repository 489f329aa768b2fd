package dind

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// unknownMark stands in a resolved value for a part that is not known
// before deploy (a pseudo parameter, an ImportValue, a parameter without a
// Default or AllowedValues); no template text contains it.
const unknownMark = "\x00"

// maxAlternatives caps the combinations of Fn::If branches and allowed
// values followed; beyond it a value counts as unknown.
const maxAlternatives = 64

// alt is one value an expression may take at deploy time, and why: the
// conditions and parameters that lead to it, for messages.
type alt struct {
	s   string
	why []string
}

func (a alt) known() bool { return !strings.Contains(a.s, unknownMark) }

// reason is the conditions and parameters behind the value, to follow a
// sentence: "" or " when condition C is true via parameter P, which …".
func (a alt) reason() string {
	if len(a.why) == 0 {
		return ""
	}
	return " " + strings.Join(a.why, " ")
}

func unknownAlt(why string) []alt { return []alt{{s: unknownMark, why: []string{why}}} }

// nodeAlt is one node an Fn::If may stand for.
type nodeAlt struct {
	n   *yaml.Node
	why []string
}

// branches expands Fn::If (both forms, nested) into the nodes it may stand
// for; AWS::NoValue branches are left out, so a value that may be absent
// yields fewer nodes.
func branches(n *yaml.Node, why []string) []nodeAlt {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return branches(n.Alias, why)
	}
	args := ifArgs(n)
	if args == nil {
		if isNoValue(n) {
			return nil
		}
		return []nodeAlt{{n, why}}
	}
	cond := args[0].Value
	var out []nodeAlt
	out = append(out, branches(args[1], appendWhy(why, "when condition "+cond+" is true"))...)
	out = append(out, branches(args[2], appendWhy(why, "when condition "+cond+" is false"))...)
	return out
}

// isIf reports an Fn::If in short or long form, whatever its arguments.
func isIf(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Tag == "!If" {
		return true
	}
	return n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Fn::If"
}

// intrinsic is the function name of an intrinsic-function node ("Ref",
// "Fn::If", …), or "".
func intrinsic(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		if n.Tag == "!Ref" {
			return "Ref"
		}
		return "Fn::" + n.Tag[1:]
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := n.Content[0].Value; k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k
		}
	}
	return ""
}

func appendWhy(why []string, more ...string) []string {
	out := make([]string, 0, len(why)+len(more))
	return append(append(out, why...), more...)
}

// values renders a scalar-valued expression as every string it may become:
// Fn::If gives both branches, Ref and ${} a parameter's Default (or, with
// none, each of its AllowedValues), Join, Sub, Select and FindInMap are
// worked out. What is not known before deploy holds unknownMark.
func (t *Template) values(n *yaml.Node) []alt {
	return t.valuesWhy(n, nil)
}

func (t *Template) valuesWhy(n *yaml.Node, why []string) []alt {
	var out []alt
	for _, b := range branches(n, why) {
		out = append(out, t.value(b.n, b.why)...)
		if len(out) > maxAlternatives {
			return unknownAlt("via more Fn::If branches and allowed values than tcdind follows")
		}
	}
	if out == nil && n != nil {
		// Every branch is AWS::NoValue: the property is absent.
		return []alt{{s: "", why: why}}
	}
	return out
}

func (t *Template) value(n *yaml.Node, why []string) []alt {
	fn := intrinsic(n)
	arg := n
	if n.Kind == yaml.MappingNode && fn != "" {
		arg = n.Content[1]
	}
	switch fn {
	case "":
		if n.Kind == yaml.ScalarNode {
			return []alt{{s: n.Value, why: why}}
		}
		return []alt{{s: unknownMark, why: why}}
	case "Ref":
		return t.refValues(arg.Value, why)
	case "Fn::Sub":
		if arg.Kind == yaml.ScalarNode {
			return t.subValues(arg.Value, nil, why)
		}
		if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
			vars := map[string]*yaml.Node{}
			if len(arg.Content) > 1 && arg.Content[1].Kind == yaml.MappingNode {
				m := arg.Content[1]
				for i := 0; i+1 < len(m.Content); i += 2 {
					vars[m.Content[i].Value] = m.Content[i+1]
				}
			}
			return t.subValues(arg.Content[0].Value, vars, why)
		}
	case "Fn::Join":
		if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 && arg.Content[1].Kind == yaml.SequenceNode {
			sep := arg.Content[0].Value
			acc := []alt{{why: why}}
			for i, p := range arg.Content[1].Content {
				if i > 0 {
					acc = concat(acc, []alt{{s: sep}})
				}
				acc = concat(acc, t.valuesWhy(p, nil))
			}
			return capped(acc)
		}
	case "Fn::Select":
		if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
			var out []alt
			for _, idx := range t.valuesWhy(arg.Content[0], why) {
				i, err := strconv.Atoi(idx.s)
				if err != nil {
					return unknownAlt("via an Fn::Select index not known before deploy")
				}
				for _, list := range t.lists(arg.Content[1], idx.why) {
					if i < 0 || i >= len(list) {
						return unknownAlt("via an Fn::Select out of range")
					}
					out = append(out, list[i])
				}
			}
			return capped(out)
		}
	case "Fn::FindInMap":
		if arg.Kind == yaml.SequenceNode && len(arg.Content) >= 3 {
			return t.findInMap(arg.Content[:3], why)
		}
	}
	return []alt{{s: unknownMark, why: appendWhy(why, "via "+fn+", not known before deploy")}}
}

// concat is every a followed by every b.
func concat(a, b []alt) []alt {
	out := make([]alt, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, alt{s: x.s + y.s, why: appendWhy(x.why, y.why...)})
		}
	}
	return out
}

func capped(a []alt) []alt {
	if len(a) > maxAlternatives {
		return unknownAlt("via more Fn::If branches and allowed values than tcdind follows")
	}
	return a
}

// param is a template parameter as far as resolving needs it.
type param struct {
	def     *yaml.Node
	allowed []string
	list    bool // CommaDelimitedList or List<…>: the value is a list
	ssm     bool // the value is read from SSM; the Default is a parameter name
}

func (t *Template) param(name string) (param, bool) {
	p := mapGet(mapGet(t.root, "Parameters"), name)
	if p == nil || p.Kind != yaml.MappingNode {
		return param{}, false
	}
	typ := scalarValue(mapGet(p, "Type"))
	out := param{
		def:  mapGet(p, "Default"),
		list: typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<"),
		ssm:  strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<"),
	}
	if av := mapGet(p, "AllowedValues"); av != nil && av.Kind == yaml.SequenceNode {
		for _, v := range av.Content {
			if v = deref(v); v.Kind == yaml.ScalarNode {
				out.allowed = append(out.allowed, v.Value)
			}
		}
	}
	return out, true
}

// refValues is what Ref name may be: a parameter's Default, or each of its
// AllowedValues when it has no Default. A list parameter's value is its
// items joined by commas, as CloudFormation writes it into a string.
func (t *Template) refValues(name string, why []string) []alt {
	if name == "AWS::NoValue" {
		return []alt{{s: "", why: why}}
	}
	p, ok := t.param(name)
	switch {
	case !ok:
		return []alt{{s: unknownMark, why: appendWhy(why, "via "+name+", not known before deploy")}}
	case p.ssm:
		return []alt{{s: unknownMark, why: appendWhy(why, "via parameter "+name+", read from SSM at deploy")}}
	case p.def != nil && p.def.Kind == yaml.ScalarNode:
		return []alt{{s: p.def.Value, why: appendWhy(why, fmt.Sprintf("via parameter %s, which defaults to %s", name, p.def.Value))}}
	case p.def == nil && len(p.allowed) > 0:
		out := make([]alt, 0, len(p.allowed))
		for _, v := range p.allowed {
			out = append(out, alt{s: v, why: appendWhy(why, fmt.Sprintf("via parameter %s, which has no default and allows %s", name, v))})
		}
		return capped(out)
	}
	return []alt{{s: unknownMark, why: appendWhy(why, "via parameter "+name+", which has no default")}}
}

// subValues substitutes ${Name} (a variable, else a parameter) in s;
// ${!x} is the literal ${x}.
func (t *Template) subValues(s string, vars map[string]*yaml.Node, why []string) []alt {
	acc := []alt{{why: why}}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return capped(concat(acc, []alt{{s: s}}))
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return capped(concat(acc, []alt{{s: s}}))
		}
		acc = concat(acc, []alt{{s: s[:i]}})
		name := s[i+2 : i+j]
		switch v, ok := vars[name]; {
		case strings.HasPrefix(name, "!"):
			acc = concat(acc, []alt{{s: "${" + name[1:] + "}"}})
		case ok:
			acc = concat(acc, t.valuesWhy(v, nil))
		case strings.Contains(name, "."):
			acc = concat(acc, []alt{{s: unknownMark, why: []string{"via " + name + ", not known before deploy"}}})
		default:
			acc = concat(acc, t.refValues(name, nil))
		}
		if len(acc) > maxAlternatives {
			return unknownAlt("via more Fn::If branches and allowed values than tcdind follows")
		}
		s = s[i+j+1:]
	}
}

func (t *Template) findInMap(args []*yaml.Node, why []string) []alt {
	var out []alt
	for _, m := range t.valuesWhy(args[0], why) {
		for _, k1 := range t.valuesWhy(args[1], m.why) {
			for _, k2 := range t.valuesWhy(args[2], k1.why) {
				if !m.known() || !k1.known() || !k2.known() {
					return unknownAlt("via an Fn::FindInMap key not known before deploy")
				}
				v := mapGet(mapGet(mapGet(mapGet(t.root, "Mappings"), m.s), k1.s), k2.s)
				if v == nil {
					return unknownAlt("via an Fn::FindInMap entry the template does not have")
				}
				out = append(out, t.valuesWhy(v, k2.why)...)
				if len(out) > maxAlternatives {
					return unknownAlt("via more Fn::If branches and allowed values than tcdind follows")
				}
			}
		}
	}
	return out
}

// lists renders a list-valued expression as every list it may become: a
// YAML sequence (each item may vary), an Fn::If of lists, a Ref to a list
// parameter, an Fn::Split.
func (t *Template) lists(n *yaml.Node, why []string) [][]alt {
	var out [][]alt
	for _, b := range branches(n, why) {
		out = append(out, t.list(b.n, b.why)...)
		if len(out) > maxAlternatives {
			return [][]alt{unknownAlt("via more Fn::If branches and allowed values than tcdind follows")}
		}
	}
	return out
}

func (t *Template) list(n *yaml.Node, why []string) [][]alt {
	fn := intrinsic(n)
	switch {
	case fn == "" && n.Kind == yaml.SequenceNode:
		// Items vary independently; for "may it contain X" a flat list of
		// every item's alternatives is enough.
		var items []alt
		for _, it := range n.Content {
			items = append(items, t.valuesWhy(it, why)...)
		}
		return [][]alt{items}
	case fn == "Ref":
		name := n.Value
		if n.Kind == yaml.MappingNode {
			name = n.Content[1].Value
		}
		if p, ok := t.param(name); ok && p.list {
			var out [][]alt
			for _, v := range t.refValues(name, why) {
				out = append(out, splitAlt(v, ","))
			}
			return out
		}
	case fn == "Fn::Split":
		arg := n
		if n.Kind == yaml.MappingNode {
			arg = n.Content[1]
		}
		if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
			var out [][]alt
			for _, v := range t.valuesWhy(arg.Content[1], why) {
				out = append(out, splitAlt(v, arg.Content[0].Value))
			}
			return out
		}
	}
	return [][]alt{t.value(n, why)}
}

func splitAlt(a alt, sep string) []alt {
	if !a.known() || sep == "" {
		return []alt{a}
	}
	var out []alt
	for _, s := range strings.Split(a.s, sep) {
		out = append(out, alt{s: strings.TrimSpace(s), why: a.why})
	}
	return out
}

// elements is every value a list-valued expression may contain.
func (t *Template) elements(n *yaml.Node) []alt {
	var out []alt
	for _, l := range t.lists(n, nil) {
		out = append(out, l...)
	}
	return out
}
