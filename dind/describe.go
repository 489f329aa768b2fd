package dind

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// describeValue writes a template value for people the way a template
// author would: intrinsic functions in their short form, so that
// {"Fn::If": ["IsRoot", "root", "buildagent"]} reads !If [IsRoot, root,
// buildagent] rather than the values run together.
func describeValue(n *yaml.Node) string {
	var b strings.Builder
	writeValue(&b, n, true)
	return b.String()
}

func writeValue(b *strings.Builder, n *yaml.Node, top bool) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		writeValue(b, n.Alias, top)
	case yaml.ScalarNode:
		if isTagged(n) {
			b.WriteString(n.Tag + " ")
		}
		b.WriteString(readableScalar(n.Value))
	case yaml.SequenceNode:
		if isTagged(n) {
			b.WriteString(n.Tag + " ")
		}
		b.WriteString("[")
		for i, c := range n.Content {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, c, false)
		}
		b.WriteString("]")
	case yaml.MappingNode:
		if len(n.Content) == 2 && !isTagged(n) {
			if fn := shortForm(n.Content[0].Value); fn != "" {
				b.WriteString(fn + " ")
				writeValue(b, n.Content[1], false)
				return
			}
		}
		if isTagged(n) {
			b.WriteString(n.Tag + " ")
		}
		b.WriteString("{")
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, n.Content[i], false)
			b.WriteString(": ")
			writeValue(b, n.Content[i+1], false)
		}
		b.WriteString("}")
	}
}

// shortForm is the YAML tag of a long-form intrinsic function key.
func shortForm(key string) string {
	switch {
	case key == "Ref":
		return "!Ref"
	case key == "Fn::GetAtt":
		return "!GetAtt"
	case strings.HasPrefix(key, "Fn::") && len(key) > 4:
		return "!" + key[4:]
	}
	return ""
}

// readableScalar quotes a value only where it would otherwise be unclear:
// empty, or with characters that separate values in the notation.
func readableScalar(s string) string {
	if s == "" || strings.ContainsAny(s, ",[]{}\n\"") || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	return s
}
