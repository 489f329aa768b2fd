package dind

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// value is new content to write: a scalar, a mapping or a sequence. It is
// rendered in the style of the place it goes to.
type value struct {
	scalar string
	str    bool // a string (quoted as the file quotes); otherwise a literal like true
	keys   []string
	vals   []*value
	items  []*value
}

func str(s string) *value { return &value{scalar: s, str: true} }
func boolean(b bool) *value {
	return &value{scalar: strconv.FormatBool(b)}
}
func mapping(kv ...any) *value {
	v := &value{keys: []string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.keys = append(v.keys, kv[i].(string))
		v.vals = append(v.vals, kv[i+1].(*value))
	}
	return v
}
func list(items ...*value) *value { return &value{items: items, keys: nil} }

func (v *value) isMap() bool { return v.keys != nil }
func (v *value) isSeq() bool { return v.items != nil }

// style is how the task definition being edited writes things, read from
// the file so that new lines look like their neighbours.
type style struct {
	nl         string
	json       bool
	quote      yaml.Style // 0, SingleQuotedStyle or DoubleQuotedStyle for strings
	mapIndent  int        // a nested mapping's keys, relative to its key
	seqIndent  int        // a sequence's dashes, relative to its key (0: compact)
	itemIndent int        // a mapping item's keys, relative to its dash ("-   Name")
	jsonIndent string     // JSON: one level of indentation (spaces or a tab)
	flowPad    bool       // "{ a: b }" rather than "{a: b}"
	colonSpace bool       // JSON: `"a": 1` rather than `"a":1`
	commaSpace bool       // `a, b` rather than `a,b`
}

func (st *style) scalar(v *value) string {
	if !v.str {
		return v.scalar
	}
	return quote(v.scalar, st.stringStyle())
}

func (st *style) stringStyle() yaml.Style {
	if st.json {
		return yaml.DoubleQuotedStyle
	}
	return st.quote
}

// quote writes s as a YAML (or JSON) scalar of the given style.
func quote(s string, st yaml.Style) string {
	switch st {
	case yaml.DoubleQuotedStyle:
		return strconv.Quote(s)
	case yaml.SingleQuotedStyle:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return s
}

func (st *style) key(k string, quoted yaml.Style) string {
	if st.json {
		return strconv.Quote(k)
	}
	return quote(k, quoted)
}

func (st *style) comma() string {
	if st.commaSpace {
		return ", "
	}
	return ","
}

func (st *style) colon() string {
	if st.json && !st.colonSpace {
		return ":"
	}
	return ": "
}

// flow renders v on one line in flow style.
func (st *style) flow(v *value) string {
	var b strings.Builder
	st.writeFlow(&b, v)
	return b.String()
}

func (st *style) writeFlow(b *strings.Builder, v *value) {
	open, close := "", ""
	if st.flowPad {
		open, close = " ", " "
	}
	switch {
	case v.isMap():
		b.WriteString("{" + open)
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(st.comma())
			}
			b.WriteString(st.key(k, 0) + st.colon())
			st.writeFlow(b, v.vals[i])
		}
		b.WriteString(close + "}")
	case v.isSeq():
		b.WriteString("[")
		for i, item := range v.items {
			if i > 0 {
				b.WriteString(st.comma())
			}
			st.writeFlow(b, item)
		}
		b.WriteString("]")
	default:
		b.WriteString(st.scalar(v))
	}
}

// pretty renders v as multi-line JSON whose closing bracket sits at indent
// (the leading white space of its line).
func (st *style) pretty(v *value, indent string) string {
	if !v.isMap() && !v.isSeq() {
		return st.scalar(v)
	}
	inner := indent + st.jsonIndent
	var parts []string
	if v.isMap() {
		for i, k := range v.keys {
			parts = append(parts, inner+st.key(k, 0)+st.colon()+st.pretty(v.vals[i], inner))
		}
		return "{" + st.nl + strings.Join(parts, ","+st.nl) + st.nl + indent + "}"
	}
	for _, item := range v.items {
		parts = append(parts, inner+st.pretty(item, inner))
	}
	return "[" + st.nl + strings.Join(parts, ","+st.nl) + st.nl + indent + "]"
}

// blockEntry renders `key: v` as block lines at indent; nested collections
// are block style unless flowValues asks for flow.
func (st *style) blockEntry(key string, keyStyle yaml.Style, v *value, indent int, flowValues bool) []string {
	pad := strings.Repeat(" ", indent)
	k := st.key(key, keyStyle)
	switch {
	case (v.isMap() || v.isSeq()) && flowValues:
		return []string{pad + k + ": " + st.flow(v)}
	case v.isMap():
		lines := []string{pad + k + ":"}
		for i, ck := range v.keys {
			lines = append(lines, st.blockEntry(ck, keyStyle, v.vals[i], indent+st.mapIndent, false)...)
		}
		return lines
	case v.isSeq():
		lines := []string{pad + k + ":"}
		for _, item := range v.items {
			lines = append(lines, st.blockItem(item, keyStyle, indent+st.seqIndent, indent+st.seqIndent+st.itemIndent, nil)...)
		}
		return lines
	}
	return []string{pad + k + ": " + st.scalar(v)}
}

// blockItem renders a sequence item with its dash at dash and, for a
// mapping, its keys at keyIndent. A value whose key has a flow-style value in
// sibling (an existing item, or nil) is written in flow style too:
// "Host: { SourcePath: /x }" next to "Host: { SourcePath: /y }".
func (st *style) blockItem(v *value, keyStyle yaml.Style, dash, keyIndent int, sibling *yaml.Node) []string {
	if keyIndent < dash+2 {
		keyIndent = dash + 2
	}
	prefix := strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", keyIndent-dash-1)
	if !v.isMap() {
		if v.isSeq() {
			return []string{prefix + st.flow(v)}
		}
		return []string{prefix + st.scalar(v)}
	}
	var lines []string
	for i, k := range v.keys {
		flow := false
		if sv := mapGet(sibling, k); sv != nil && sv.Style&yaml.FlowStyle != 0 && !isTagged(sv) {
			flow = sv.Kind == yaml.MappingNode || sv.Kind == yaml.SequenceNode
		}
		lines = append(lines, st.blockEntry(k, keyStyle, v.vals[i], keyIndent, flow)...)
	}
	lines[0] = prefix + lines[0][keyIndent:]
	return lines
}
