package dind

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse reads a YAML or JSON template. It refuses input over
// MaxTemplateSize and input that does not parse, naming the position.
func Parse(src []byte) (*Template, error) {
	if len(src) > MaxTemplateSize {
		return nil, &RefusedError{Reason: fmt.Sprintf("template is %d bytes, over CloudFormation's limit of 1 MB (%d bytes)", len(src), MaxTemplateSize)}
	}
	if err := encodingRefusal(src); err != nil {
		return nil, err
	}
	body := bytes.TrimPrefix(src, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &RefusedError{Reason: "the template is empty: pass a CloudFormation template in YAML or JSON"}
	}
	isJSON := looksLikeJSON(body)
	root, err := unmarshalJSONSafe(body, parseRoot)
	if err != nil {
		var re *RefusedError
		var pe *ParseError
		if errors.As(err, &re) || errors.As(err, &pe) {
			return nil, err
		}
		return nil, parseError(body, isJSON, err)
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, &RefusedError{Reason: "not a CloudFormation template: expected a mapping with a Resources section at the top"}
	}
	anchors, err := inspect(root)
	if err != nil {
		return nil, err
	}
	t := &Template{src: src, text: newText(src), json: isJSON, root: root, anchors: anchors}
	t.params = parameterDefaults(t.root)
	if err := t.findAgents(); err != nil {
		return nil, err
	}
	return t, nil
}

func looksLikeJSON(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// parseError turns a parser error into a ParseError with a position. JSON
// input is checked again with encoding/json, which knows the column too.
func parseError(body []byte, isJSON bool, err error) error {
	if isJSON {
		var v any
		jerr := json.Unmarshal(body, &v)
		var syn *json.SyntaxError
		if errors.As(jerr, &syn) {
			line, col := lineColumn(body, int(syn.Offset)-1)
			return &ParseError{Line: line, Column: col, Msg: syn.Error()}
		}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(num); err == nil {
				line = firstFailingLine(body, line)
				return &ParseError{Line: line, Column: firstColumn(body, line), Msg: text}
			}
		}
	}
	return &ParseError{Msg: msg}
}

// firstFailingLine narrows yaml.v3's error line, which is often the start of
// the enclosing collection rather than the offending line: it finds, from
// there on, the first line up to which the text no longer parses.
func firstFailingLine(body []byte, from int) int {
	ends := lineEnds(body)
	fails := func(line int) bool {
		var n yaml.Node
		return yaml.Unmarshal(body[:ends[line-1]], &n) != nil
	}
	lo, hi := from, len(ends)
	if lo < 1 || lo > hi {
		return from
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// lineEnds holds the offset after each line's newline.
func lineEnds(body []byte) []int {
	var ends []int
	for i := 0; i < len(body); {
		j := bytes.IndexByte(body[i:], '\n')
		if j < 0 {
			ends = append(ends, len(body))
			break
		}
		i += j + 1
		ends = append(ends, i)
	}
	return ends
}

// lineColumn turns a byte offset into a 1-based line and column.
func lineColumn(body []byte, off int) (int, int) {
	if off > len(body) {
		off = len(body)
	}
	before := body[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// firstColumn is the column of line's first non-blank character: yaml.v3
// reports only the line of an error, and that is where a reader looks first.
func firstColumn(body []byte, line int) int {
	lines := bytes.Split(body, []byte{'\n'})
	if line < 1 || line > len(lines) {
		return 0
	}
	l := lines[line-1]
	return len(l) - len(bytes.TrimLeft(l, " \t")) + 1
}

// mapGet returns the value of key in mapping m, or nil. It reads as
// CloudFormation does: aliases stand for their anchor's value, and a key
// missing from m may come from a mapping merged in with "<<". Edits go
// through mapIndex, which sees only m's own keys.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return deref(m.Content[i+1])
		}
	}
	return mergedGet(m, key)
}

// mapIndex returns the index of key's key node in m.Content, or -1.
func mapIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func parameterDefaults(root *yaml.Node) map[string]string {
	params := map[string]string{}
	p := mapGet(root, "Parameters")
	if p == nil || p.Kind != yaml.MappingNode {
		return params
	}
	for i := 0; i+1 < len(p.Content); i += 2 {
		if d := mapGet(p.Content[i+1], "Default"); d != nil && d.Kind == yaml.ScalarNode {
			params[p.Content[i].Value] = d.Value
		}
	}
	return params
}
