package dind

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// layout knows, for the nodes of the task definitions being edited, where
// each one sits: its parent, whether it is in flow context, and the
// indentation its continuation lines must exceed. yaml.v3 gives only start
// positions; ends are found from the text with that knowledge.
type layout struct {
	*text
	info map[*yaml.Node]nodeInfo
}

type nodeInfo struct {
	parent *yaml.Node
	key    *yaml.Node // the key, when the node is a mapping value
	flow   bool       // inside a flow collection, or one itself
	owner  int        // block context: continuation lines are indented more than this
}

const maxIndent = 1 << 30

func newLayout(t *text) *layout {
	return &layout{text: t, info: map[*yaml.Node]nodeInfo{}}
}

// presize makes room in info for every node of the targets' resources,
// which Apply indexes: on a large template, growing the map entry by entry
// costs more than the rest of the edit.
func (l *layout) presize(targets []*taskDef) {
	n := 0
	var count func(*yaml.Node)
	count = func(node *yaml.Node) {
		n++
		for _, c := range node.Content {
			count(c)
		}
	}
	for _, td := range targets {
		count(td.resource)
	}
	info := make(map[*yaml.Node]nodeInfo, n+len(l.info))
	for k, v := range l.info {
		info[k] = v
	}
	l.info = info
}

// index records n and its subtree. owner is the indentation of the line
// structure that holds n: a key's indentation for its value, a sequence's
// dash indentation for its items.
func (l *layout) index(n, parent, key *yaml.Node, flow bool, owner int) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		flow = flow || n.Style&yaml.FlowStyle != 0
	}
	l.info[n] = nodeInfo{parent: parent, key: key, flow: flow, owner: owner}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			// A key never continues on the next line.
			l.info[k] = nodeInfo{parent: n, flow: flow, owner: maxIndent}
			l.index(v, n, k, flow, k.Column-1)
		}
	case yaml.SequenceNode:
		_, dash := l.dash(n)
		for _, item := range n.Content {
			l.index(item, n, nil, flow, dash)
		}
	}
}

// dash is the line and 0-based column of a block sequence's first dash.
// yaml.v3 places a sequence with an anchor or a tag ("Key: &m", "Key: !!seq")
// at that anchor or tag, on its key's line; the items are where the dashes are.
func (l *layout) dash(n *yaml.Node) (line, col int) {
	if i := l.start(n); i >= len(l.src) || l.src[i] != '&' && l.src[i] != '!' {
		return n.Line, n.Column - 1
	}
	i := l.contentStart(n)
	line = l.lineOf(i)
	return line, utf8.RuneCount(l.src[l.lineStart(line):i])
}

// start is the offset of n's first byte, its tag or anchor included.
func (l *layout) start(n *yaml.Node) int { return l.offset(n.Line, n.Column) }

// contentStart skips a node's tag and anchor (and the space or lines after
// them) to the first byte of its content.
func (l *layout) contentStart(n *yaml.Node) int {
	i := l.start(n)
	src := l.src
	for i < len(src) && (src[i] == '!' || src[i] == '&') {
		for i < len(src) && !isSpace(src[i]) && !(l.info[n].flow && isFlowIndicator(src[i])) {
			i++
		}
		i = l.skipSpace(i)
	}
	return i
}

// skipSpace skips blanks, line breaks and comments.
func (l *layout) skipSpace(i int) int {
	src := l.src
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\n':
			i++
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

func isSpace(c byte) bool         { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

// isNull reports an empty value ("Key:" with nothing after it).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == "" && n.Style == 0
}

// end is the offset just after n's last character (comments after it excluded).
func (l *layout) end(n *yaml.Node) (int, error) {
	info, ok := l.info[n]
	if !ok {
		return 0, fmt.Errorf("internal: node at line %d was not indexed", n.Line)
	}
	switch {
	case n.Kind == yaml.AliasNode:
		return l.plainEnd(l.start(n), true), nil
	case (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle != 0:
		return l.matchBracket(l.contentStart(n))
	case n.Kind == yaml.MappingNode:
		if len(n.Content) == 0 {
			return l.contentStart(n), nil
		}
		last := n.Content[len(n.Content)-1]
		if isNull(last) {
			return l.end(n.Content[len(n.Content)-2])
		}
		return l.end(last)
	case n.Kind == yaml.SequenceNode:
		if len(n.Content) == 0 {
			return l.contentStart(n), nil
		}
		return l.end(n.Content[len(n.Content)-1])
	case isNull(n) && n.Anchor == "":
		// An empty value takes no room: its position is that of the next token.
		i := l.start(n)
		for i > 0 && (l.src[i-1] == ' ' || l.src[i-1] == '\t') {
			i--
		}
		return i, nil
	}
	if n.Kind == yaml.ScalarNode && n.Value == "" && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		// A tag or anchor with nothing after it ("Key: !Tag"): the node ends
		// with them, not at whatever the next line holds.
		return l.propertiesEnd(n, info.flow), nil
	}
	return l.scalarEnd(l.contentStart(n), info.flow, info.owner)
}

// propertiesEnd is the offset just after a node's tag and anchor.
func (l *layout) propertiesEnd(n *yaml.Node, flow bool) int {
	src := l.src
	i := l.start(n)
	end := i
	for i < len(src) && (src[i] == '!' || src[i] == '&') {
		for i < len(src) && !isSpace(src[i]) && !(flow && isFlowIndicator(src[i])) {
			i++
		}
		end = i
		i = l.skipSpace(i)
	}
	return end
}

// scalarEnd finds the end of the scalar starting at i.
func (l *layout) scalarEnd(i int, flow bool, owner int) (int, error) {
	src := l.src
	if i >= len(src) {
		return i, nil
	}
	switch src[i] {
	case '"':
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, fmt.Errorf("unterminated double-quoted string at line %d", l.lineOf(i))
	case '\'':
		for j := i + 1; j < len(src); j++ {
			if src[j] == '\'' {
				if j+1 < len(src) && src[j+1] == '\'' {
					j++
					continue
				}
				return j + 1, nil
			}
		}
		return 0, fmt.Errorf("unterminated single-quoted string at line %d", l.lineOf(i))
	case '|', '>':
		if !flow {
			line := l.lineOf(i)
			header := l.src[i:l.lineEndOffset(line)]
			if h := bytes.IndexByte(header, '#'); h >= 0 {
				header = header[:h]
			}
			keep := bytes.IndexByte(header, '+') >= 0
			return l.continuationEnd(line, l.lineEndOffset(line), owner, true, keep), nil
		}
	}
	e := l.plainEnd(i, flow)
	if flow {
		return e, nil
	}
	return l.continuationEnd(l.lineOf(i), e, owner, false, false), nil
}

func (l *layout) lineEndOffset(line int) int {
	return l.lineStart(line) + len(l.lineBody(line))
}

// plainEnd is the end of a plain scalar (or alias) on its first line.
func (l *layout) plainEnd(i int, flow bool) int {
	src := l.src
	j := i
	for j < len(src) && src[j] != '\n' && src[j] != '\r' {
		c := src[j]
		if flow && isFlowIndicator(c) {
			break
		}
		if c == '#' && j > i && (src[j-1] == ' ' || src[j-1] == '\t') {
			break
		}
		if flow && c == ':' && (j+1 == len(src) || isSpace(src[j+1]) || isFlowIndicator(src[j+1])) {
			break
		}
		j++
	}
	for j > i && (src[j-1] == ' ' || src[j-1] == '\t') {
		j--
	}
	return j
}

// continuationEnd extends a block-context scalar that starts on line over
// the following lines indented more than owner: a block scalar's content, or
// a multi-line plain scalar's continuation. A block scalar with the keep
// indicator (|+) owns its trailing blank lines too.
func (l *layout) continuationEnd(line, end, owner int, blockScalar, keep bool) int {
	for n := line + 1; n <= l.lineCount(); n++ {
		switch l.kind(n) {
		case lineBlank:
			if keep && n < l.lineCount() {
				end = l.lineEndOffset(n)
			}
			continue
		case lineDocMarker:
			return end
		case lineComment:
			if !blockScalar {
				return end
			}
		}
		if l.indent(n) <= owner {
			return end
		}
		if blockScalar {
			end = l.lineEndOffset(n)
		} else {
			end = l.plainEnd(l.lineStart(n)+l.indent(n), false)
		}
	}
	return end
}

// matchBracket returns the offset after the bracket that closes the one at i,
// skipping quoted strings and comments.
func (l *layout) matchBracket(i int) (int, error) {
	src := l.src
	if i >= len(src) || (src[i] != '[' && src[i] != '{') {
		return 0, fmt.Errorf("expected a flow collection at line %d", l.lineOf(i))
	}
	depth := 0
	for j := i; j < len(src); j++ {
		switch c := src[j]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		case '"', '\'':
			if j > i && !tokenBoundary(src[j-1]) {
				continue
			}
			e, err := l.scalarEnd(j, true, 0)
			if err != nil {
				return 0, err
			}
			j = e - 1
		case '#':
			if isSpace(src[j-1]) {
				for j < len(src) && src[j] != '\n' {
					j++
				}
			}
		}
	}
	return 0, fmt.Errorf("unclosed flow collection at line %d", l.lineOf(i))
}

// tokenBoundary reports whether a quote after c starts a quoted scalar rather
// than sitting inside a plain one (don't).
func tokenBoundary(c byte) bool {
	return isSpace(c) || isFlowIndicator(c) || c == ':'
}
