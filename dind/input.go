package dind

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"
)

// maxExpandedNodes bounds the size of the template with every alias
// replaced by its anchor's value. Walking the nodes (agent search, mode
// detection, parameters, verification) follows aliases, so a few nested
// aliases ("billion laughs") would otherwise make them run for minutes. A
// 1 MB template has a few hundred thousand nodes; aliases in real templates
// repeat small pieces.
const maxExpandedNodes = 1 << 20

// encodingRefusal names a template written in UTF-16 or UTF-32, with or
// without a byte order mark: yaml.v3 reads some of them, but every edit is
// UTF-8 and would corrupt the file.
func encodingRefusal(src []byte) error {
	name := ""
	switch {
	case bytes.HasPrefix(src, []byte{0, 0, 0xFE, 0xFF}), bytes.HasPrefix(src, []byte{0xFF, 0xFE, 0, 0}):
		name = "UTF-32"
	case bytes.HasPrefix(src, []byte{0xFE, 0xFF}), bytes.HasPrefix(src, []byte{0xFF, 0xFE}):
		name = "UTF-16"
	case len(src) >= 4 && src[0] == 0 && src[1] == 0 && src[2] == 0 && src[3] != 0,
		len(src) >= 4 && src[0] != 0 && src[1] == 0 && src[2] == 0 && src[3] == 0:
		name = "UTF-32"
	case len(src) >= 2 && (src[0] == 0) != (src[1] == 0):
		name = "UTF-16"
	}
	if name == "" {
		return nil
	}
	return &RefusedError{Reason: fmt.Sprintf("template is %s: save it as UTF-8 and run tcdind again", name)}
}

// parseDocument parses body as exactly one YAML document: yaml.Unmarshal
// reads the first document and silently drops the others, which
// CloudFormation would not.
func parseDocument(body []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		line := secondDocumentLine(body)
		if line == 0 {
			line = second.Line
		}
		return nil, &RefusedError{Reason: fmt.Sprintf("line %d, column 1: a second YAML document starts here; a CloudFormation template is one document: remove the second one or split the file", line)}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// secondDocumentLine finds the line that starts a second document: a "---"
// after content, or content after a "...". 0 when the scan cannot tell.
func secondDocumentLine(body []byte) int {
	t := newText(body)
	content, ended := false, false
	for n := 1; n <= t.lineCount(); n++ {
		switch t.kind(n) {
		case lineDocMarker:
			if isMarker(t.lineBody(n), "...") {
				ended = true
				continue
			}
			if content || ended {
				return n
			}
		case lineContent:
			line := t.lineBody(n)
			if ended && !(len(line) > 0 && line[0] == '%') {
				return n
			}
			content = true
		}
	}
	return 0
}

// unmarshalJSONSafe parses body like parseRoot. JSON that yaml.v3 cannot read
// although it is valid (the escapes \/ and surrogate pairs \ud83d\ude00) is
// parsed through a same-length rewrite of those escapes, so that every
// position stays that of the original text.
func unmarshalJSONSafe(body []byte, parse func([]byte) (*yaml.Node, error)) (*yaml.Node, error) {
	root, err := parse(body)
	if err == nil || !looksLikeJSON(body) || !json.Valid(body) {
		return root, err
	}
	rewritten, ok, rerr := rewriteJSONEscapes(body)
	if rerr != nil {
		return nil, rerr
	}
	if !ok {
		return nil, err
	}
	root, err2 := parse(rewritten)
	if err2 != nil {
		return nil, err
	}
	restoreJSONEscapes(root)
	return root, nil
}

// Placeholders of the rewrite: \a (BEL) stands for "/", \e (ESC) for nothing.
// Valid JSON cannot hold \a or \e; it can hold \u0007 and \u001b, and then
// the rewrite is not done.
const (
	slashMark = '\a'
	padMark   = '\x1b'
)

func rewriteJSONEscapes(body []byte) ([]byte, bool, error) {
	lower := bytes.ToLower(body)
	if bytes.Contains(lower, []byte(`\u0007`)) || bytes.Contains(lower, []byte(`\u001b`)) {
		return nil, false, nil
	}
	out := bytes.Clone(body)
	changed, inString := false, false
	for i := 0; i < len(out); i++ {
		c := out[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(out) {
				continue
			}
			switch out[i+1] {
			case '/':
				out[i+1] = 'a'
				changed = true
			case 'u':
				r, ok := hex4(out[i+2:])
				if !ok || !utf16.IsSurrogate(r) {
					break
				}
				var r2 rune = -1
				if i+11 < len(out) && out[i+6] == '\\' && out[i+7] == 'u' {
					r2, _ = hex4(out[i+8:])
				}
				full := utf16.DecodeRune(r, r2)
				if r >= 0xDC00 || full == 0xFFFD {
					line, col := lineColumn(body, i)
					return nil, false, &ParseError{Line: line, Column: col, Msg: fmt.Sprintf("%s is half of a character (a lone UTF-16 surrogate); write the whole character", body[i:i+6])}
				}
				copy(out[i:i+12], fmt.Sprintf(`\U%08X\e`, full))
				changed = true
				i += 11
				continue
			}
			i++
		}
	}
	return out, changed, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v), err == nil
}

func restoreJSONEscapes(n *yaml.Node) {
	if strings.ContainsAny(n.Value, string([]rune{slashMark, padMark})) {
		n.Value = strings.NewReplacer(string(slashMark), "/", string(padMark), "").Replace(n.Value)
	}
	for _, c := range n.Content {
		restoreJSONEscapes(c)
	}
}

// cfnTags are CloudFormation's short-form intrinsic function tags: a
// template with only these needs no whole-output verification.
var cfnTags = map[string]bool{
	"!Ref": true, "!Sub": true, "!GetAtt": true, "!Join": true, "!If": true, "!Equals": true, "!Not": true,
	"!And": true, "!Or": true, "!Select": true, "!Split": true, "!FindInMap": true, "!Base64": true,
	"!Cidr": true, "!ImportValue": true, "!GetAZs": true, "!Condition": true, "!Transform": true,
	"!Length": true, "!ToJsonString": true,
}

// anchors is what the template's anchors, aliases, merge keys and tags mean
// for editing.
type anchors struct {
	// exotic: the template has anchors, aliases, merge keys or tags other
	// than CloudFormation's; the whole output is verified.
	exotic bool
	// targets are the anchored nodes that some alias refers to, with one of
	// those aliases.
	targets map[*yaml.Node]*yaml.Node
	// shared maps every node inside an aliased anchor (the anchored node
	// included) to that anchored node: changing it changes every alias.
	shared map[*yaml.Node]*yaml.Node
}

// inspect walks the tree once, without following aliases: it refuses
// duplicate keys and alias bombs, and records anchors and aliases.
func inspect(root *yaml.Node) (*anchors, error) {
	a := &anchors{}
	var aliases []*yaml.Node
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 && !cfnTags[n.Tag] {
			a.exotic = true
		}
		switch n.Kind {
		case yaml.AliasNode:
			a.exotic = true
			if n.Alias != nil {
				aliases = append(aliases, n)
			}
			return nil
		case yaml.MappingNode:
			if err := checkDuplicateKeys(n); err != nil {
				return err
			}
			for i := 0; i < len(n.Content); i += 2 {
				if n.Content[i].Tag == "!!merge" {
					a.exotic = true
				}
			}
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	if len(aliases) == 0 {
		return a, nil
	}
	// A cycle first: measuring the expansion follows aliases too.
	if a := aliasCycle(root); a != nil {
		return nil, &RefusedError{Reason: fmt.Sprintf("the alias *%s on line %d is inside its own anchor, so the template never ends; CloudFormation does not accept it: replace the alias with a copy", a.Value, a.Line)}
	}
	if err := checkExpansion(root); err != nil {
		return nil, err
	}
	a.targets = map[*yaml.Node]*yaml.Node{}
	a.shared = map[*yaml.Node]*yaml.Node{}
	var mark func(n, anchor *yaml.Node)
	mark = func(n, anchor *yaml.Node) {
		if a.shared[n] != nil {
			return
		}
		a.shared[n] = anchor
		for _, c := range n.Content {
			mark(c, anchor)
		}
	}
	for _, al := range aliases {
		if a.targets[al.Alias] == nil {
			a.targets[al.Alias] = al
		}
		mark(al.Alias, al.Alias)
	}
	return a, nil
}

// checkDuplicateKeys refuses a mapping with a key twice: tcdind would read
// and edit the first, CloudFormation and most readers keep the last.
func checkDuplicateKeys(m *yaml.Node) error {
	pairs := len(m.Content) / 2
	if pairs < 2 {
		return nil
	}
	isKey := func(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.Tag != "!!merge" }
	dup := func(first, k *yaml.Node) error {
		return &RefusedError{Reason: fmt.Sprintf("line %d, column %d: duplicate key %s (first at line %d); CloudFormation keeps only one of them: remove the other and run tcdind again", k.Line, k.Column, k.Value, first.Line)}
	}
	if pairs <= 8 {
		for i := 2; i < len(m.Content); i += 2 {
			k := m.Content[i]
			if !isKey(k) {
				continue
			}
			for j := 0; j < i; j += 2 {
				if f := m.Content[j]; isKey(f) && f.Value == k.Value {
					return dup(f, k)
				}
			}
		}
		return nil
	}
	seen := make(map[string]*yaml.Node, pairs)
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if !isKey(k) {
			continue
		}
		if f := seen[k.Value]; f != nil {
			return dup(f, k)
		}
		seen[k.Value] = k
	}
	return nil
}

// checkExpansion refuses a template whose aliases expand it past
// maxExpandedNodes. Sizes of anchored nodes are computed once, so the check
// costs one walk of the tree as written.
func checkExpansion(root *yaml.Node) error {
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return 1
			}
			n = n.Alias
		}
		if s, ok := memo[n]; ok {
			return s
		}
		s := 1
		for _, c := range n.Content {
			s += size(c)
			if s > maxExpandedNodes {
				s = maxExpandedNodes + 1
				break
			}
		}
		if n.Anchor != "" {
			memo[n] = s
		}
		return s
	}
	if size(root) <= maxExpandedNodes {
		return nil
	}
	// Name the alias whose expansion weighs most, following the heaviest
	// child down from the top.
	n := root
	for n.Kind != yaml.AliasNode && len(n.Content) > 0 {
		best, bestSize := n.Content[0], -1
		for _, c := range n.Content {
			if s := size(c); s > bestSize {
				best, bestSize = c, s
			}
		}
		n = best
	}
	return &RefusedError{Reason: fmt.Sprintf("line %d, column %d: the alias *%s makes the template more than %d values long once aliases are expanded (an alias bomb?); tcdind does not read it: remove the nested aliases", n.Line, n.Column, n.Value, maxExpandedNodes)}
}

// deref is the node an alias stands for; any other node itself.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// mergedGet looks key up in the mappings merged into m with "<<".
func mergedGet(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		src := deref(m.Content[i+1])
		merged := []*yaml.Node{src}
		if src.Kind == yaml.SequenceNode {
			merged = src.Content
		}
		for _, mm := range merged {
			if v := mapGet(mm, key); v != nil {
				return v
			}
		}
	}
	return nil
}

// hasExplicitKey reports a mapping written with "? key" somewhere: its keys
// do not start their entries, and tcdind's line edits would break it.
func (l *layout) hasExplicitKey(m *yaml.Node) (int, bool) {
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		j := l.start(k) - 1
		for j >= 0 && (l.src[j] == ' ' || l.src[j] == '\t') {
			j--
		}
		if j >= 0 && l.src[j] == '?' {
			return k.Line, true
		}
	}
	return 0, false
}

// mergedPrivileged refuses to switch off privileged mode that a container
// takes from a merge key: removing it would change every mapping that merges
// the same anchor.
func mergedPrivileged(td *taskDef, mode Mode) error {
	if mode == ModePrivileged {
		return nil
	}
	for _, c := range td.agents {
		if mapIndex(c, "Privileged") < 0 && isTrue(mapGet(c, "Privileged")) {
			return &RefusedError{Reason: fmt.Sprintf("line %d: cannot remove Privileged: true from container %s of %s: it comes from a merge key (<<), and the change would apply to every mapping that merges it; edit it by hand", c.Line, scalarValue(mapGet(c, "Name")), td.id)}
		}
	}
	return nil
}
