// Package clusterquery reads and evaluates expressions of ECS's cluster
// query language, the language of memberOf placement constraints, against
// container instances as DescribeContainerInstances describes them.
//
// The language is AWS's:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html
// ("subject operator [argument]", compound with and/or/not and
// parentheses). Where that page leaves the meaning open, the evaluator
// answers Unknown rather than guess, so a caller that drops only the
// instances an expression is False for never drops one ECS would use.
package clusterquery

import (
	"fmt"
	"strings"
	"unicode"
)

// Expr is a parsed expression.
type Expr struct {
	src  string
	root node
}

// String is the expression as it was written.
func (e *Expr) String() string { return e.src }

// maxDepth bounds nesting, so a hostile expression cannot exhaust the
// stack (ECS's own limit is 2000 characters an expression).
const maxDepth = 100

// Parse reads an expression. An error means tcdind cannot read it, not
// that ECS would refuse it.
func Parse(src string) (*Expr, error) {
	p := &parser{s: src}
	root, err := p.sequence(0)
	if err != nil {
		return nil, fmt.Errorf("cluster query %q: %w", src, err)
	}
	p.space()
	if p.i < len(p.s) {
		return nil, fmt.Errorf("cluster query %q: unexpected %q at %d", src, p.rest(), p.i)
	}
	return &Expr{src: src, root: root}, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) space() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

// isWordByte is a byte of a subject, keyword or literal: attribute names
// take letters, digits, hyphens, underscores, slashes, backslashes and
// periods; values also at signs and colons, and dates a plus sign
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attribute.html).
func isWordByte(c byte) bool {
	return c >= 0x80 || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte("-_./\\:@+", c) >= 0
}

// word reads the run of word bytes at the cursor, without consuming it.
func (p *parser) word() string {
	j := p.i
	for j < len(p.s) && isWordByte(p.s[j]) {
		j++
	}
	return p.s[p.i:j]
}

// connective reads "and"/"&&" or "or"/"||" at the cursor.
func (p *parser) connective() string {
	p.space()
	switch {
	case strings.HasPrefix(p.s[p.i:], "&&"):
		p.i += 2
		return "and"
	case strings.HasPrefix(p.s[p.i:], "||"):
		p.i += 2
		return "or"
	}
	if w := p.word(); w == "and" || w == "or" {
		p.i += len(w)
		return w
	}
	return ""
}

// sequence reads operands joined by and/or. ECS's page gives no
// precedence between them; a sequence that mixes them without
// parentheses is kept as written and read both ways (see mixed).
func (p *parser) sequence(depth int) (node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	first, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	ops := []node{first}
	var conns []string
	for {
		save := p.i
		c := p.connective()
		if c == "" {
			p.i = save
			break
		}
		next, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		ops, conns = append(ops, next), append(conns, c)
	}
	if len(ops) == 1 {
		return first, nil
	}
	same := true
	for _, c := range conns {
		same = same && c == conns[0]
	}
	if !same {
		return mixed{ops: ops, conns: conns}, nil
	}
	if conns[0] == "and" {
		return and(ops), nil
	}
	return or(ops), nil
}

// unary reads a negation, a parenthesised sequence or a comparison.
func (p *parser) unary(depth int) (node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("expression ends where an operand should be")
	}
	switch {
	case p.s[p.i] == '(':
		p.i++
		n, err := p.sequence(depth + 1)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, fmt.Errorf("missing ) at %d", p.i)
		}
		p.i++
		return n, nil
	case p.s[p.i] == '!':
		p.i++
		n, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return not{n}, nil
	case p.word() == "not":
		p.i += len("not")
		n, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return not{n}, nil
	}
	return p.comparison()
}

// The operators, by every name the page gives them.
var operators = map[string]string{
	"==": "==", "equals": "==",
	"!=": "!=", "not_equals": "!=",
	">": ">", "greater_than": ">",
	">=": ">=", "greater_than_equal": ">=",
	"<": "<", "less_than": "<",
	"<=": "<=", "less_than_equal": "<=",
	"exists": "exists", "!exists": "!exists", "not_exists": "!exists",
	"in": "in", "!in": "!in", "not_in": "!in",
	"=~": "=~", "matches": "=~",
	"!~": "!~", "not_matches": "!~",
}

func (p *parser) comparison() (node, error) {
	subject := p.word()
	if subject == "" {
		return nil, fmt.Errorf("unexpected %q at %d", p.rest(), p.i)
	}
	if subject == "attribute:" {
		return nil, fmt.Errorf("attribute: without a name at %d", p.i)
	}
	p.i += len(subject)
	p.space()
	op, err := p.operator()
	if err != nil {
		return nil, err
	}
	c := comparison{subject: subject, op: op}
	switch op {
	case "exists", "!exists":
		return c, nil
	case "in", "!in":
		c.list, err = p.list()
	case "=~", "!~":
		c.arg, err = p.pattern()
	default:
		c.arg, err = p.literal()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) operator() (string, error) {
	for _, sym := range []string{"!exists", "!in", "==", "!=", ">=", "<=", "=~", "!~", ">", "<"} {
		if strings.HasPrefix(p.s[p.i:], sym) {
			// !in and !exists are words after the bang: not a prefix
			// of a longer word (!inactive).
			if (sym == "!in" || sym == "!exists") && p.i+len(sym) < len(p.s) && isWordByte(p.s[p.i+len(sym)]) {
				continue
			}
			p.i += len(sym)
			return operators[sym], nil
		}
	}
	w := p.word()
	if op, ok := operators[w]; ok && w != "" {
		p.i += len(w)
		return op, nil
	}
	return "", fmt.Errorf("no operator at %d (%q)", p.i, p.rest())
}

// literal reads a quoted string or a word.
func (p *parser) literal() (string, error) {
	p.space()
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		return p.quoted()
	}
	w := p.word()
	if w == "" {
		return "", fmt.Errorf("no argument at %d", p.i)
	}
	p.i += len(w)
	return w, nil
}

func (p *parser) quoted() (string, error) {
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unclosed quote at %d", p.i)
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

// list reads [a, b, 'c'].
func (p *parser) list() ([]string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '[' {
		return nil, fmt.Errorf("in needs a list [a, b] at %d", p.i)
	}
	p.i++
	var out []string
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' && len(out) == 0 {
			p.i++
			return out, nil
		}
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unclosed list")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return out, nil
		default:
			return nil, fmt.Errorf("unexpected %q in a list at %d", p.rest(), p.i)
		}
	}
}

// pattern reads a regular expression: quoted, or up to the next space or
// a ) that closes a parenthesis opened before it.
func (p *parser) pattern() (string, error) {
	p.space()
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		return p.quoted()
	}
	start, depth := p.i, 0
	for p.i < len(p.s) && !isSpace(p.s[p.i]) {
		c := p.s[p.i]
		if c == '\\' && p.i+1 < len(p.s) {
			p.i += 2
			continue
		}
		if c == '(' {
			depth++
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		}
		p.i++
	}
	if p.i == start {
		return "", fmt.Errorf("no pattern at %d", p.i)
	}
	return p.s[start:p.i], nil
}
