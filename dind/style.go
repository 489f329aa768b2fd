package dind

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// detectStyle reads how the task definition is written. What it cannot see
// falls back to the most common CloudFormation layout.
func (t *Template) detectStyle(l *layout, td *taskDef) *style {
	st := &style{nl: t.text.newline(), json: t.json, mapIndent: 2, seqIndent: 2, itemIndent: 2, jsonIndent: "  ", colonSpace: true, commaSpace: true}
	st.quote = majorityQuote(td.resource)
	if d, ok := nestedIndent(td.props, yaml.MappingNode); ok {
		st.mapIndent = d
	} else if len(td.resource.Content) > 0 && td.resource.Style&yaml.FlowStyle == 0 {
		if d := td.resource.Content[0].Column - td.key.Column; d > 0 {
			st.mapIndent = d
		}
	}
	if d, ok := nestedIndent(td.resource, yaml.SequenceNode); ok {
		st.seqIndent = d
	} else if d, ok := nestedIndent(t.root, yaml.SequenceNode); ok {
		st.seqIndent = d
	}
	if d, ok := itemIndent(td.resource); ok {
		st.itemIndent = d
	} else if d, ok := itemIndent(t.root); ok {
		st.itemIndent = d
	}
	if m := firstFlowMapping(td.resource); m != nil && len(m.Content) > 0 {
		open := l.contentStart(m)
		st.flowPad = open+1 < len(l.src) && (l.src[open+1] == ' ' || l.src[open+1] == '\t')
		if first := m.Content[0]; first.Line != m.Line {
			outer, inner := l.leading(m.Line), l.leading(first.Line)
			if len(inner) > len(outer) && strings.HasPrefix(inner, outer) {
				st.jsonIndent = inner[len(outer):]
			}
		}
		if end, err := l.end(m.Content[0]); err == nil && end+1 < len(l.src) {
			st.colonSpace = l.src[end] != ':' || l.src[end+1] == ' ' || l.src[end+1] == '\r' || l.src[end+1] == '\n'
		}
		if len(m.Content) >= 4 {
			if end, err := l.end(m.Content[1]); err == nil {
				i := end
				for i < len(l.src) && (l.src[i] == ' ' || l.src[i] == '\t') {
					i++
				}
				st.commaSpace = !(i+1 < len(l.src) && l.src[i] == ',' && l.src[i+1] != ' ' && l.src[i+1] != '\t' && l.src[i+1] != '\r' && l.src[i+1] != '\n')
			}
		}
	}
	return st
}

// majorityQuote is the quoting most string values of n use.
func majorityQuote(n *yaml.Node) yaml.Style {
	counts := map[yaml.Style]int{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.ScalarNode:
			if n.Tag == "!!str" {
				counts[n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle)]++
			}
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i])
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(n)
	best := yaml.Style(0)
	for _, s := range []yaml.Style{yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle} {
		if counts[s] > counts[best] {
			best = s
		}
	}
	return best
}

// nestedIndent finds, depth first under n, a block mapping key whose value is
// a block collection of kind, and returns how much further in that value is.
func nestedIndent(n *yaml.Node, kind yaml.Kind) (int, bool) {
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind == kind && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && !isTagged(v) {
				col := v.Column
				if kind == yaml.MappingNode {
					col = v.Content[0].Column
				}
				if d := col - k.Column; d >= 0 && (d > 0 || kind == yaml.SequenceNode) && v.Line > k.Line {
					return d, true
				}
			}
		}
	}
	for _, c := range n.Content {
		if d, ok := nestedIndent(c, kind); ok {
			return d, true
		}
	}
	return 0, false
}

// itemIndent finds a block sequence of mappings and returns how far its
// items' keys stand from their dash.
func itemIndent(n *yaml.Node) (int, bool) {
	if n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0 && !isTagged(n) {
		for _, item := range n.Content {
			if item.Kind == yaml.MappingNode && item.Style&yaml.FlowStyle == 0 && item.Line == n.Line && len(item.Content) > 0 {
				if d := item.Content[0].Column - n.Column; d >= 2 {
					return d, true
				}
			}
			break
		}
	}
	for _, c := range n.Content {
		if d, ok := itemIndent(c); ok {
			return d, true
		}
	}
	return 0, false
}

func isTagged(n *yaml.Node) bool {
	return strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
}

func firstFlowMapping(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 {
		return n
	}
	for _, c := range n.Content {
		if m := firstFlowMapping(c); m != nil {
			return m
		}
	}
	return nil
}
