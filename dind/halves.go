package dind

import (
	"bytes"
	"runtime"

	"go.yaml.in/yaml/v3"
)

// halvesThreshold is the size from which a block-style template is parsed
// in two halves at once: below it the second goroutine costs more than it
// saves.
const halvesThreshold = 16 << 10

// parseRoot parses body and returns its top-level node (nil for an empty
// document). Parsing is most of tcdind's run time, and the machine usually
// has a second core: a large block-style template is cut in two at a key
// line near its middle and the halves are parsed at the same time. Whenever
// the cut is doubtful or either half does not parse, the whole text is
// parsed as one, so the result and the errors are always those of yaml.v3
// on the whole text.
func parseRoot(body []byte) (*yaml.Node, error) {
	if len(body) >= halvesThreshold && runtime.GOMAXPROCS(0) > 1 {
		if root := parseHalves(body); root != nil {
			return root, nil
		}
	}
	return parseDocument(body)
}

// A cut is where parseHalves splits: before line (1-based) at offset; inside
// the Resources mapping when resource is true.
type cut struct {
	offset, line int
	resource     bool
}

// parseHalves parses body in two halves, or returns nil when it cannot be
// sure that the halves make up the same tree as the whole.
func parseHalves(body []byte) *yaml.Node {
	c, ok := findCut(body)
	if !ok {
		return nil
	}
	first, second := body[:c.offset], body[c.offset:]
	shift := c.line - 1
	if c.resource {
		// The second half is more resources: give it a Resources key of its
		// own, one line above its first line.
		second = append([]byte("Resources:\n"), second...)
		shift--
	}
	var a, b yaml.Node
	var errA error
	done := make(chan struct{})
	go func() {
		defer close(done)
		errA = yaml.Unmarshal(first, &a)
	}()
	errB := yaml.Unmarshal(second, &b)
	<-done
	if errA != nil || errB != nil {
		return nil
	}
	rootA, rootB := blockRoot(&a), blockRoot(&b)
	if rootA == nil || rootB == nil {
		return nil
	}
	shiftLines(rootB, shift)
	if !c.resource {
		rootA.Content = append(rootA.Content, rootB.Content...)
		return rootA
	}
	resA := rootA.Content[len(rootA.Content)-1]
	resB := rootB.Content[1]
	if rootA.Content[len(rootA.Content)-2].Value != "Resources" || rootB.Content[0].Value != "Resources" ||
		!isBlockMapping(resA) || !isBlockMapping(resB) || resA.Column != resB.Column {
		return nil
	}
	resA.Content = append(resA.Content, resB.Content...)
	rootA.Content = append(rootA.Content, rootB.Content[2:]...)
	return rootA
}

func blockRoot(doc *yaml.Node) *yaml.Node {
	if len(doc.Content) != 1 || !isBlockMapping(doc.Content[0]) || len(doc.Content[0].Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

func isBlockMapping(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0
}

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// findCut picks the key line nearest the middle of body among the lines that
// can start a half on their own: a top-level key, or a resource's logical ID
// (not the first) at the indentation of the first one. It declines documents
// whose structure a line scan cannot be sure of: JSON and other flow
// documents, several documents or directives, tabs in indentation, line
// breaks other than LF and CRLF.
func findCut(body []byte) (cut, bool) {
	// bytes.ContainsAny with non-ASCII characters decodes rune by rune: look
	// for the bytes of each instead (they cannot occur inside another character).
	if bytes.Count(body, []byte("\r")) != bytes.Count(body, []byte("\r\n")) ||
		bytes.Contains(body, []byte("\u0085")) || bytes.Contains(body, []byte("\u2028")) || bytes.Contains(body, []byte("\u2029")) {
		return cut{}, false
	}
	if looksLikeJSON(body) || bytes.Contains(body, []byte("\n---")) || bytes.Contains(body, []byte("\n...")) ||
		bytes.HasPrefix(body, []byte("%")) || bytes.Contains(body, []byte("\n%")) || bytes.Contains(body, []byte("\n\t")) {
		return cut{}, false
	}
	best, found := cut{}, false
	consider := func(c cut) {
		if !found || abs(c.offset-len(body)/2) < abs(best.offset-len(body)/2) {
			best, found = c, true
		}
	}
	inResources, resourceIndent := false, -1
	line, seenKey := 0, false
	for off := 0; off < len(body); {
		line++
		end := bytes.IndexByte(body[off:], '\n')
		if end < 0 {
			end = len(body) - off
		}
		text := bytes.TrimRight(body[off:off+end], "\r")
		indent := len(text) - len(bytes.TrimLeft(text, " "))
		content := text[indent:]
		switch {
		case len(content) == 0 || content[0] == '#' || line == 1 && bytes.Equal(text, []byte("---")):
			// blank, comment or the document start: never a cut
		case indent == 0:
			// Every line at the margin must be a key of the top-level
			// mapping; anything else is a structure a line scan cannot follow.
			if !isKeyLine(content) {
				return cut{}, false
			}
			if seenKey {
				consider(cut{offset: off, line: line})
			}
			seenKey = true
			inResources = bytes.Equal(bytes.TrimRight(stripComment(content), " "), []byte("Resources:"))
			resourceIndent = -1
		case !seenKey:
			// The top-level mapping does not start at the margin.
			return cut{}, false
		case inResources && resourceIndent < 0:
			resourceIndent = indent
		case inResources && indent < resourceIndent:
			return cut{}, false
		case inResources && indent == resourceIndent && isKeyLine(content):
			consider(cut{offset: off, line: line, resource: true})
		}
		off += end + 1
	}
	return best, found
}

// isKeyLine reports a line that starts with a plain key: "Name:" or
// "Name: value", not a list item, a quoted key or a complex key.
func isKeyLine(content []byte) bool {
	c := content[0]
	if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
		return false
	}
	i := bytes.IndexByte(content, ':')
	return i > 0 && (i+1 == len(content) || content[i+1] == ' ')
}

func stripComment(b []byte) []byte {
	if i := bytes.Index(b, []byte(" #")); i >= 0 {
		return b[:i]
	}
	return b
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
