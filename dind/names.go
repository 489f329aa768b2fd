package dind

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nameOf is container c's Name as it deploys, when tcdind can tell: a plain
// string, or an intrinsic (a Ref with a Default, a Sub of such) whose every
// value is one known string, the same way Images resolve. "" otherwise.
func (t *Template) nameOf(c *yaml.Node) string {
	n := mapGet(c, "Name")
	if s := scalarValue(n); s != "" {
		return s
	}
	if n == nil || intrinsic(deref(n)) == "" {
		return ""
	}
	vals := t.values(n)
	if len(vals) == 0 {
		return ""
	}
	for _, v := range vals {
		if !v.known() || v.s != vals[0].s {
			return ""
		}
	}
	return vals[0].s
}

// nameLabel names container c in messages and lists: its name, or what
// sets the name and where, or where the nameless container is.
func (t *Template) nameLabel(c *yaml.Node) string {
	if s := t.nameOf(c); s != "" {
		return s
	}
	if n := mapGet(c, "Name"); n != nil && intrinsic(deref(n)) != "" {
		return fmt.Sprintf("(name set by %s, line %d)", describeValue(n), n.Line)
	}
	return fmt.Sprintf("at line %d", c.Line)
}

// unnamedAdvice follows a list of containers that has one whose name is set
// by an expression tcdind cannot work out: --container cannot name it.
func unnamedAdvice(found []string) string {
	for _, f := range found {
		if strings.HasPrefix(f, "(name set by ") {
			return "; a container whose name is set by a parameter without a Default (or an Fn::If) cannot be named with --container: give the parameter a Default, or run tcdind on a copy of the template with the name written out"
		}
	}
	return ""
}
