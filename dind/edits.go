package dind

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// editor collects edits to mappings and sequences and turns them into byte
// edits of the original text: insertions after the last sibling, removals of
// whole entries, and scalar replacements. Collecting first lets several edits
// of one collection be rendered together (one insertion point, commas right).
type editor struct {
	l      *layout
	maps   map[*yaml.Node]*collectionEdit
	seqs   map[*yaml.Node]*collectionEdit
	order  []*yaml.Node // collections in the order first edited
	scalar []byteEdit
	// anchors tells edits that would change every alias of an anchor, which
	// are refused; err is the first refusal.
	anchors *anchors
	err     error
	label   string // "task definition X: ", the one being planned
	labels  map[*yaml.Node]string
}

type collectionEdit struct {
	st     *style
	keys   []string // new mapping keys, parallel to add
	add    []*value
	remove map[int]bool // entry (mapping: pair) indexes
}

type byteEdit struct {
	start, end int
	text       string
	// rank orders insertions at the same offset: where a nested mapping and
	// its parent both end, the nested one's new lines must come first.
	rank int
}

func newEditor(l *layout) *editor {
	return &editor{l: l, maps: map[*yaml.Node]*collectionEdit{}, seqs: map[*yaml.Node]*collectionEdit{}, labels: map[*yaml.Node]string{}}
}

func (e *editor) edit(set map[*yaml.Node]*collectionEdit, n *yaml.Node, st *style) *collectionEdit {
	ce := set[n]
	if ce == nil {
		ce = &collectionEdit{st: st, remove: map[int]bool{}}
		set[n] = ce
		e.labels[n] = e.label
		e.order = append(e.order, n)
	}
	return ce
}

// setKey adds key: v at the end of mapping m.
func (e *editor) setKey(m *yaml.Node, key string, v *value, st *style) {
	if !e.mayChange(m, "add "+key) {
		return
	}
	ce := e.edit(e.maps, m, st)
	ce.keys = append(ce.keys, key)
	ce.add = append(ce.add, v)
}

// removeKey removes the pair whose key is m.Content[i].
func (e *editor) removeKey(m *yaml.Node, i int, st *style) {
	action := "remove " + m.Content[i].Value
	if !e.mayChange(m, action) || !e.keepsAnchors(m.Content[i+1], action) || !e.keepsAnchors(m.Content[i], action) {
		return
	}
	e.edit(e.maps, m, st).remove[i/2] = true
}

// appendItem adds item to the sequence under key in m, creating the key (or
// replacing an empty value) when needed.
func (e *editor) appendItem(m *yaml.Node, key string, item *value, st *style) {
	action := "add to " + key
	if !e.mayChange(m, action) {
		return
	}
	if i := mapIndex(m, key); i >= 0 {
		seq := m.Content[i+1]
		if !e.mayChange(seq, action) {
			return
		}
		if seq.Kind == yaml.SequenceNode {
			ce := e.edit(e.seqs, seq, st)
			ce.add = append(ce.add, item)
			return
		}
		// An empty "Key:" is replaced by a new entry with the list.
		e.removeKey(m, i, st)
	} else if v := mergedGet(m, key); v != nil {
		e.refuse("line %d: cannot %s: it comes from a merge key (<<), and the change would apply to every mapping that merges it; edit it by hand", m.Line, action)
		return
	}
	if ce := e.maps[m]; ce != nil {
		for j, k := range ce.keys {
			if k == key && ce.add[j].isSeq() {
				ce.add[j].items = append(ce.add[j].items, item)
				return
			}
		}
	}
	e.setKey(m, key, list(item), st)
}

// removeItem removes seq.Content[i].
func (e *editor) removeItem(seq *yaml.Node, i int, st *style) {
	action := fmt.Sprintf("remove the item at line %d", seq.Content[i].Line)
	if !e.mayChange(seq, action) || !e.keepsAnchors(seq.Content[i], action) {
		return
	}
	e.edit(e.seqs, seq, st).remove[i] = true
}

func (e *editor) refuse(format string, args ...any) {
	if e.err == nil {
		e.err = &RefusedError{Reason: e.label + fmt.Sprintf(format, args...)}
	}
}

// mayChange refuses (and reports false) an edit of n that would reach
// beyond this one place in the template: n is an alias, or n is part of an
// anchored value that aliases repeat elsewhere.
func (e *editor) mayChange(n *yaml.Node, action string) bool {
	if n.Kind == yaml.AliasNode {
		e.refuse("line %d: cannot %s: the value there is the alias *%s, and the change would apply to every use of &%s; edit it by hand", n.Line, action, n.Value, n.Value)
		return false
	}
	if e.anchors == nil {
		return true
	}
	if anchor := e.anchors.shared[n]; anchor != nil {
		use := e.anchors.targets[anchor]
		e.refuse("line %d: cannot %s: it is inside the anchor &%s, which line %d uses again (*%s), and the change would apply there too; edit it by hand", n.Line, action, anchor.Anchor, use.Line, anchor.Anchor)
		return false
	}
	return true
}

// keepsAnchors refuses (and reports false) the removal of n when n holds an
// anchor that an alias uses: the alias would be left undefined.
func (e *editor) keepsAnchors(n *yaml.Node, action string) bool {
	if e.anchors == nil || e.anchors.targets == nil {
		return true
	}
	if use := e.anchors.targets[n]; use != nil {
		e.refuse("line %d: cannot %s: that would remove the anchor &%s, which line %d uses (*%s); edit it by hand", n.Line, action, n.Anchor, use.Line, n.Anchor)
		return false
	}
	for _, c := range n.Content {
		if !e.keepsAnchors(c, action) {
			return false
		}
	}
	return true
}

// replaceScalar rewrites scalar n's text, keeping its quoting.
func (e *editor) replaceScalar(n *yaml.Node, s string, st *style) error {
	if !e.mayChange(n, "change the value "+n.Value+" to "+s) {
		return e.err
	}
	start := e.l.contentStart(n)
	end, err := e.l.end(n)
	if err != nil {
		return err
	}
	text := quote(s, n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle))
	if st.json && n.Tag == "!!str" {
		text = quote(s, yaml.DoubleQuotedStyle)
	}
	e.scalar = append(e.scalar, byteEdit{start: start, end: end, text: text})
	return nil
}

// render applies every edit to the original text. It returns the byte
// edits too, so that positions in the original can be found in the output.
func (e *editor) render() ([]byte, []byteEdit, error) {
	if e.err != nil {
		return nil, nil, e.err
	}
	edits := append([]byteEdit(nil), e.scalar...)
	// Sequences first: one that loses every item and gains none turns into
	// the removal of its key from the parent mapping.
	for _, n := range e.order {
		ce := e.seqs[n]
		if ce == nil {
			continue
		}
		if len(ce.remove) == len(n.Content) && len(ce.add) == 0 && !e.keepsEmpty(n, ce.st.json) {
			info := e.l.info[n]
			if info.key == nil || info.parent == nil {
				return nil, nil, fmt.Errorf("internal: cannot remove the last item of the list at line %d", n.Line)
			}
			e.removeKey(info.parent, indexOf(info.parent.Content, info.key), ce.st)
			continue
		}
		be, err := e.renderCollection(n, ce)
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, be...)
	}
	if e.err != nil {
		return nil, nil, e.err
	}
	for _, n := range e.order {
		if ce := e.maps[n]; ce != nil {
			be, err := e.renderCollection(n, ce)
			if err != nil {
				return nil, nil, err
			}
			edits = append(edits, be...)
		}
	}
	out, err := apply(e.l.src, edits)
	return out, edits, err
}

// keepsEmpty reports a list that stays, as [] with its comments, once every
// item is removed; otherwise its key goes with the last item. tcdind cannot
// tell a list it created ("Environment: [{Name: DOCKER_IN_DOCKER, ...}]" in
// the style of its neighbours) from a user's empty one it filled: both read
// the same. Removing the key gives back the original text on a mode switch
// there and back, and CloudFormation reads a missing list as an empty one.
// A comment in or after the list (not an item's own) is the user's, so the
// list stays with it. A block list has no empty form and goes; in JSON the
// key goes too.
func (e *editor) keepsEmpty(seq *yaml.Node, json bool) bool {
	info := e.l.info[seq]
	if info.key == nil || info.parent == nil {
		return true // an item of a list: no key to remove
	}
	if seq.Style&yaml.FlowStyle == 0 || json {
		return false
	}
	ents, err := e.entries(seq)
	if err != nil {
		return true
	}
	return e.listComment(seq, info.key, ents)
}

// listComment reports a comment from flow list seq's key to the end of the
// line its closing bracket is on, other than one that follows an item (and
// its comma) on the item's line: that one goes with the item.
func (e *editor) listComment(seq, key *yaml.Node, ents []entry) bool {
	l := e.l
	// From the key itself: in block context l.end would read a plain key
	// on to the end of its line.
	from := l.start(key)
	end, err := l.end(seq)
	if err != nil {
		return true
	}
	src := l.src
	// After the list, only a comment past its comma is the list's: further
	// on, a flow mapping's closing brace, say, it is the enclosing one's.
	if after := e.pastComma(e.pastComma(end, true), false); after < len(src) && src[after] == '#' && isSpace(src[after-1]) {
		return true
	}
	for i := from; i < end; i++ {
		switch src[i] {
		case '"', '\'':
			if i > 0 && !tokenBoundary(src[i-1]) {
				continue
			}
			q, err := l.scalarEnd(i, true, 0)
			if err != nil {
				return true
			}
			i = q - 1
		case '#':
			if i > 0 && !isSpace(src[i-1]) {
				continue
			}
			if !itemComment(src, ents, i, l) {
				return true
			}
			for i < len(src) && src[i] != '\n' {
				i++
			}
		}
	}
	return false
}

// itemComment reports that the comment at offset c follows an item, and at
// most its comma, on the item's last line.
func itemComment(src []byte, ents []entry, c int, l *layout) bool {
	for _, ent := range ents {
		if ent.end <= c && l.lineOf(ent.end) == l.lineOf(c) {
			if between := strings.TrimSpace(string(src[ent.end:c])); between == "" || between == "," {
				return true
			}
		}
	}
	return false
}

func indexOf(nodes []*yaml.Node, n *yaml.Node) int {
	for i, c := range nodes {
		if c == n {
			return i
		}
	}
	return -1
}

func apply(src []byte, edits []byteEdit) ([]byte, error) {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		if edits[i].end != edits[j].end {
			return edits[i].end < edits[j].end
		}
		return edits[i].rank < edits[j].rank
	})
	edits = mergeRemovals(edits)
	if n := len(edits); n > 0 {
		// Lines removed from the end of a file that has no final newline
		// take the newline before them instead, so the file still ends
		// the way it did.
		last := &edits[n-1]
		prevEnd := 0
		if n > 1 {
			prevEnd = edits[n-2].end
		}
		// A lone CR is a line break too (YAML 1.2, 5.4).
		if last.text == "" && last.end == len(src) && len(src) > 0 &&
			src[len(src)-1] != '\n' && src[len(src)-1] != '\r' && last.start > prevEnd {
			switch src[last.start-1] {
			case '\n':
				last.start--
				if last.start > prevEnd && src[last.start-1] == '\r' {
					last.start--
				}
			case '\r':
				last.start--
			}
		}
	}
	size := len(src)
	for _, ed := range edits {
		size += len(ed.text) - (ed.end - ed.start)
	}
	out := make([]byte, 0, size)
	pos := 0
	for _, ed := range edits {
		if ed.start < pos {
			return nil, fmt.Errorf("internal: overlapping edits at byte %d", ed.start)
		}
		out = append(out, src[pos:ed.start]...)
		out = append(out, ed.text...)
		pos = ed.end
	}
	return append(out, src[pos:]...), nil
}

// mergeRemovals joins removals that touch or overlap (a list's last item
// and the key that holds it, say) into one.
func mergeRemovals(edits []byteEdit) []byteEdit {
	out := edits[:0:0]
	for _, ed := range edits {
		if n := len(out); n > 0 && ed.text == "" && out[n-1].text == "" && ed.start <= out[n-1].end && out[n-1].end > out[n-1].start {
			if ed.end > out[n-1].end {
				out[n-1].end = ed.end
			}
			continue
		}
		out = append(out, ed)
	}
	return out
}

// entry is one pair of a mapping or one item of a sequence, as text.
type entry struct {
	start, end int
	line       int
}

func (e *editor) entries(n *yaml.Node) ([]entry, error) {
	var out []entry
	step := 1
	if n.Kind == yaml.MappingNode {
		step = 2
	}
	for i := 0; i+step-1 < len(n.Content); i += step {
		first, last := n.Content[i], n.Content[i+step-1]
		end, err := e.l.end(last)
		if err != nil {
			return nil, err
		}
		if step == 2 && isNull(last) {
			if end, err = e.l.end(first); err != nil {
				return nil, err
			}
		}
		out = append(out, entry{start: e.l.start(first), end: end, line: first.Line})
	}
	return out, nil
}

func (e *editor) renderCollection(n *yaml.Node, ce *collectionEdit) ([]byteEdit, error) {
	if n.Kind == yaml.MappingNode {
		if line, ok := e.l.hasExplicitKey(n); ok {
			return nil, &RefusedError{Reason: fmt.Sprintf("%sline %d: the mapping uses an explicit key (? key), which tcdind cannot edit; write it as key: value and run tcdind again", e.labels[n], line)}
		}
	}
	ents, err := e.entries(n)
	if err != nil {
		return nil, err
	}
	if e.l.info[n].flow {
		return e.renderFlow(n, ce, ents)
	}
	return e.renderBlock(n, ce, ents)
}

// renderBlock removes whole lines and appends new lines after the last entry.
func (e *editor) renderBlock(n *yaml.Node, ce *collectionEdit, ents []entry) ([]byteEdit, error) {
	l := e.l
	var out []byteEdit
	for i := 0; i < len(ents); i++ {
		ent := ents[i]
		if !ce.remove[i] {
			continue
		}
		lineStart := l.lineStart(ent.line)
		onOwnLine := strings.TrimSpace(string(l.src[lineStart:ent.start])) == ""
		if n.Kind == yaml.SequenceNode {
			// The entry starts at the item; its line starts with the dash.
			onOwnLine = strings.TrimSpace(string(l.src[lineStart:ent.start])) == "-"
		}
		switch {
		case onOwnLine:
			// Only the entry's own lines go: comment lines above, below or
			// among them (commented-out alternatives, say) stay.
			out = append(out, e.removeLines(n, i, l.lineStart(ent.line), l.nextLineStart(ent.end))...)
		default:
			// "- Key: v" first on a dash line: the next key that stays moves
			// up onto the dash line; when none stays, the item becomes {}.
			j := i + 1
			for j < len(ents) && ce.remove[j] {
				j++
			}
			var last int
			if j < len(ents) {
				last = ents[j].start
			} else {
				last = ents[j-1].end
			}
			if !e.commentLineIn(ent.start, last) {
				if j < len(ents) {
					out = append(out, byteEdit{ent.start, last, "", 0})
				} else {
					out = append(out, byteEdit{ent.start, last, "{}", 0})
				}
				i = j - 1
				continue
			}
			// Comment lines among them stay: the dash keeps its line (with
			// {} when nothing stays) and each removed entry loses only its
			// own lines.
			firstEnd := l.lineEndOffset(ent.line)
			from := ent.start
			if from > 0 && l.src[from-1] == ' ' {
				from-- // no space left after the dash
			}
			text := ""
			if j == len(ents) {
				text = " {}"
			}
			out = append(out, byteEdit{from, firstEnd, text, 0})
			if rest := l.nextLineStart(l.lineStart(ent.line)); rest < l.nextLineStart(ent.end) && ent.end > firstEnd {
				out = append(out, e.removeLines(n, i, rest, l.nextLineStart(ent.end))...)
			}
			for k := i + 1; k < j; k++ {
				out = append(out, e.removeLines(n, k, l.lineStart(ents[k].line), l.nextLineStart(ents[k].end))...)
			}
			i = j - 1
		}
	}
	if len(ce.add) == 0 {
		return out, nil
	}
	last := ents[len(ents)-1]
	var indent int
	if n.Kind == yaml.MappingNode {
		indent = n.Content[0].Column - 1
	} else {
		_, indent = l.dash(n)
	}
	at := l.pastDeeperComments(l.nextLineStart(last.end), indent)
	var lines []string
	if n.Kind == yaml.MappingNode {
		keyStyle := n.Content[0].Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle)
		flowValues := hasOnlyFlowLists(n)
		for i, v := range ce.add {
			lines = append(lines, ce.st.blockEntry(ce.keys[i], keyStyle, v, indent, flowValues)...)
		}
	} else {
		dashLine, dash := l.dash(n)
		keyIndent := dash + 2
		var keyStyle yaml.Style
		first, last := n.Content[0], n.Content[len(n.Content)-1]
		if first.Kind == yaml.MappingNode && first.Line == dashLine && len(first.Content) > 0 {
			keyIndent = first.Content[0].Column - 1
			keyStyle = first.Content[0].Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle)
		}
		flowItems := last.Style&yaml.FlowStyle != 0 && (last.Kind == yaml.MappingNode || last.Kind == yaml.SequenceNode)
		gap := 1
		if flowItems && last.Line == l.lineOf(l.start(last)) && last.Column-dash-2 > 1 {
			gap = last.Column - dash - 2
		}
		for _, v := range ce.add {
			if flowItems {
				// "- {Name: a, Host: {...}}": new items are one line too.
				lines = append(lines, strings.Repeat(" ", dash)+"-"+strings.Repeat(" ", gap)+ce.st.flow(v))
				continue
			}
			lines = append(lines, ce.st.blockItem(v, keyStyle, dash, keyIndent, last)...)
		}
	}
	nl := l.breakNear(at)
	text := strings.Join(lines, nl) + nl
	if at == len(l.src) && (len(l.src) == 0 || l.src[len(l.src)-1] != '\n') {
		text = nl + strings.Join(lines, nl)
	}
	return append(out, byteEdit{at, at, text, -indent}), nil
}

// pastDeeperComments moves an insertion point past the comment lines right
// after it that are indented more than indent: they close the last entry's
// value, and new entries go after them.
func (l *layout) pastDeeperComments(at, indent int) int {
	for at < len(l.src) {
		line := l.lineOf(at)
		if l.kind(line) != lineComment || l.indent(line) <= indent {
			return at
		}
		at = l.nextLineStart(at)
	}
	return at
}

// removeLines removes the whole lines from start to end, which hold entry i
// of collection n, except its full-line comments: those are kept in place.
// A line inside a multi-line quoted or block scalar is content, whatever it
// starts with.
func (e *editor) removeLines(n *yaml.Node, i int, start, end int) []byteEdit {
	l := e.l
	content := map[int]bool{}
	step := 1
	if n.Kind == yaml.MappingNode {
		step = 2
	}
	for _, c := range n.Content[i*step : i*step+step] {
		e.scalarLines(c, content)
	}
	var out []byteEdit
	from := start
	for line := l.lineOf(start); line <= l.lineCount() && l.lineStart(line) < end; line++ {
		if l.kind(line) != lineComment || content[line] {
			continue
		}
		if ls := l.lineStart(line); ls > from {
			out = append(out, byteEdit{from, ls, "", 0})
		}
		from = l.nextLineStart(l.lineStart(line))
	}
	if from < end {
		out = append(out, byteEdit{from, end, "", 0})
	}
	return out
}

// commentLineIn reports whether a full-line comment starts in [from, to).
func (e *editor) commentLineIn(from, to int) bool {
	l := e.l
	for line := l.lineOf(from) + 1; line <= l.lineCount() && l.lineStart(line) < to; line++ {
		if l.kind(line) == lineComment {
			return true
		}
	}
	return false
}

// scalarLines marks the lines after the first of every multi-line quoted or
// block scalar under n.
func (e *editor) scalarLines(n *yaml.Node, lines map[int]bool) {
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		if end, err := e.l.end(n); err == nil {
			for line := n.Line + 1; line <= e.l.lineOf(end); line++ {
				lines[line] = true
			}
		}
	}
	for _, c := range n.Content {
		e.scalarLines(c, lines)
	}
}

// hasOnlyFlowLists reports a block mapping whose lists are all written in
// flow style ("Environment: [{...}]"): new lists follow suit.
func hasOnlyFlowLists(m *yaml.Node) bool {
	found := false
	for i := 1; i < len(m.Content); i += 2 {
		v := m.Content[i]
		if v.Kind != yaml.SequenceNode || isTagged(v) {
			continue
		}
		if v.Style&yaml.FlowStyle == 0 {
			return false
		}
		found = true
	}
	return found
}

// renderFlow edits a flow collection: removals take their comma with them;
// additions go after the last kept entry, on one line or, when the
// collection is spread over lines, each on its own line.
func (e *editor) renderFlow(n *yaml.Node, ce *collectionEdit, ents []entry) ([]byteEdit, error) {
	l := e.l
	var out []byteEdit
	lastKept := -1
	tailByLines := false // the entries after the last kept one went as whole lines
	for i := 0; i < len(ents); i++ {
		if !ce.remove[i] {
			lastKept = i
			continue
		}
		j := i
		for j+1 < len(ents) && ce.remove[j+1] {
			j++
		}
		if be, ok := e.removeFlowLines(n, ents, i, j, ce.st.json); ok {
			out = append(out, be...)
			tailByLines = j+1 == len(ents)
			i = j
			continue
		}
		switch {
		case i > 0:
			out = append(out, byteEdit{ents[i-1].end, ents[j].end, "", 0})
		case j+1 < len(ents):
			out = append(out, byteEdit{ents[0].start, ents[j+1].start, "", 0})
		default:
			// A trailing comma goes too: "[, ]" would not parse.
			end := ents[j].end
			if c := e.pastComma(end, false); c < len(l.src) && l.src[c] == ',' {
				end = c + 1
			}
			out = append(out, byteEdit{ents[0].start, end, "", 0})
		}
		i = j
	}
	if len(ce.add) == 0 {
		return out, nil
	}
	open := l.contentStart(n)
	// New lines end like the line they are inserted into.
	stNear := *ce.st
	stNear.nl = l.breakNear(open)
	if lastKept >= 0 {
		stNear.nl = l.breakNear(ents[lastKept].end)
	}
	st := &stNear
	multiline := len(ents) > 0 && ents[0].line != l.lineOf(open)
	indent := ""
	if multiline {
		indent = l.leading(ents[0].line)
	}
	var parts []string
	for i, v := range ce.add {
		var s string
		if multiline && st.json {
			s = st.pretty(v, indent)
		} else {
			s = st.flow(v)
		}
		if n.Kind == yaml.MappingNode {
			s = st.key(ce.keys[i], 0) + st.colon() + s
		}
		if multiline {
			s = indent + s
		}
		parts = append(parts, s)
	}
	sep := st.comma()
	if multiline {
		sep = "," + st.nl
	}
	text := strings.Join(parts, sep)
	// A last entry written with a trailing comma keeps it, and so do the new
	// ones after it.
	trailing := lastKept >= 0 && lastKept+1 == len(ents) && !st.json && e.pastComma(ents[lastKept].end, true) != e.pastComma(ents[lastKept].end, false)
	switch {
	case lastKept >= 0 && multiline && (lastKept+1 == len(ents) || tailByLines) && e.endsLine(e.pastComma(ents[lastKept].end, lastKept+1 < len(ents) || trailing)):
		// New lines go right after the last entry's line, so that its
		// comment stays with it and comment lines after it stay last.
		at := l.nextLineStart(ents[lastKept].end)
		text += st.nl
		if trailing {
			text = strings.TrimSuffix(text, st.nl) + "," + st.nl
		}
		if at == len(l.src) && (len(l.src) == 0 || l.src[len(l.src)-1] != '\n') {
			text = st.nl + strings.TrimSuffix(text, st.nl)
		}
		if !trailing {
			out = append(out, byteEdit{ents[lastKept].end, ents[lastKept].end, ",", 0})
		}
		out = append(out, byteEdit{at, at, text, 0})
	case lastKept >= 0:
		if multiline {
			text = "," + st.nl + text
		} else {
			text = st.comma() + text
		}
		out = append(out, byteEdit{ents[lastKept].end, ents[lastKept].end, text, 0})
	case len(ents) > 0:
		// Every entry goes: the new ones take the place of the first.
		out = append(out, byteEdit{ents[0].start, ents[0].start, strings.TrimLeft(text, " \t"), 0})
	default:
		out = append(out, byteEdit{open + 1, open + 1, text, 0})
	}
	return out, nil
}

// endsLine reports that only blanks and a comment follow offset i on its
// line: no comma, no bracket, no other entry.
func (e *editor) endsLine(i int) bool {
	src := e.l.src
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i == len(src) || src[i] == '\n' || src[i] == '\r' || src[i] == '#'
}

// removeFlowLines removes the removed entries i..j of a YAML flow collection
// written one entry per line as whole lines, keeping every comment line
// around and among them. The comma of the entry before goes too when the run
// ends the collection. ok is false for any other layout, which the caller
// edits within the line.
func (e *editor) removeFlowLines(n *yaml.Node, ents []entry, i, j int, json bool) ([]byteEdit, bool) {
	l := e.l
	last := j+1 == len(ents)
	if json {
		return nil, false
	}
	if last && i == 0 {
		// Every item goes: as lines only when the brackets are on lines of
		// their own, so that "[" and "]" stay and enclose what is left.
		open := l.contentStart(n)
		end, err := l.end(n)
		if err != nil || l.lineOf(open) == ents[0].line || l.lineOf(end-1) == l.lineOf(ents[j].end) {
			return nil, false
		}
	}
	var out []byteEdit
	trailing := false
	for k := i; k <= j; k++ {
		start := l.lineStart(l.lineOf(ents[k].start))
		if strings.TrimSpace(string(l.src[start:ents[k].start])) != "" {
			return nil, false
		}
		after := ents[k].end
		for after < len(l.src) && (l.src[after] == ' ' || l.src[after] == '\t') {
			after++
		}
		if after < len(l.src) && l.src[after] == ',' {
			// A trailing comma goes with its line; the entry before keeps its
			// comma, so the layout stays as written.
			trailing = trailing || last && k == j
			after++
		} else if !last {
			return nil, false
		}
		if !e.endsLine(after) {
			return nil, false
		}
		out = append(out, e.removeLines(n, k, start, l.nextLineStart(ents[k].end))...)
	}
	if last && !trailing && i > 0 {
		comma := ents[i-1].end
		for comma < len(l.src) && (l.src[comma] == ' ' || l.src[comma] == '\t') {
			comma++
		}
		if comma >= len(l.src) || l.src[comma] != ',' {
			return nil, false
		}
		out = append(out, byteEdit{comma, comma + 1, "", 0})
	}
	return out, true
}

// pastComma skips the blanks and, when skip, the comma after offset i.
func (e *editor) pastComma(i int, skip bool) int {
	src := e.l.src
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if skip && i < len(src) && src[i] == ',' {
		i++
	}
	return i
}
