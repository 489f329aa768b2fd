package clusterquery

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Truth is an expression's value for one instance: Unknown where ECS's
// documentation does not settle it or the subject needs what a
// DescribeContainerInstances does not tell (task:group).
type Truth int8

const (
	False Truth = iota
	True
	Unknown
)

func (t Truth) String() string {
	return [...]string{"false", "true", "unknown"}[t]
}

func truth(b bool) Truth {
	if b {
		return True
	}
	return False
}

// Instance is what the subjects of an expression read of a container
// instance.
type Instance struct {
	// Attributes by name; a capability attribute has the empty value.
	Attributes     map[string]string
	EC2InstanceID  string
	RegisteredAt   time.Time // zero: unknown
	RunningTasks   int
	AgentConnected bool
	AgentVersion   string // "1.86.3"; empty: unknown
}

// Eval says whether in belongs to the expression's group.
func (e *Expr) Eval(in Instance) Truth { return e.root.eval(in) }

type node interface{ eval(Instance) Truth }

type not struct{ n node }

func (n not) eval(in Instance) Truth { return negate(n.n.eval(in)) }

func negate(t Truth) Truth {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

type and []node

func (a and) eval(in Instance) Truth {
	out := True
	for _, n := range a {
		switch n.eval(in) {
		case False:
			return False
		case Unknown:
			out = Unknown
		}
	}
	return out
}

type or []node

func (o or) eval(in Instance) Truth {
	out := False
	for _, n := range o {
		switch n.eval(in) {
		case True:
			return True
		case Unknown:
			out = Unknown
		}
	}
	return out
}

// mixed is "a and b or c" without parentheses: the page gives no
// precedence, so it is read with and binding tighter and from left to
// right, and is Unknown where the two readings differ.
type mixed struct {
	ops   []node
	conns []string
}

func (m mixed) eval(in Instance) Truth {
	var groups or
	group := and{m.ops[0]}
	for i, c := range m.conns {
		if c == "or" {
			groups, group = append(groups, group), and{}
		}
		group = append(group, m.ops[i+1])
	}
	tight := append(groups, group).eval(in)
	left := m.ops[0].eval(in)
	for i, c := range m.conns {
		if c == "and" {
			left = and{fixed(left), m.ops[i+1]}.eval(in)
		} else {
			left = or{fixed(left), m.ops[i+1]}.eval(in)
		}
	}
	if tight != left {
		return Unknown
	}
	return tight
}

type fixed Truth

func (f fixed) eval(Instance) Truth { return Truth(f) }

type comparison struct {
	subject, op, arg string
	list             []string
}

func (c comparison) eval(in Instance) Truth {
	switch {
	case strings.HasPrefix(c.subject, "attribute:"):
		v, ok := in.Attributes[strings.TrimPrefix(c.subject, "attribute:")]
		return c.attribute(v, ok)
	case c.subject == "ec2InstanceId":
		if in.EC2InstanceID == "" {
			return Unknown
		}
		return c.text(in.EC2InstanceID)
	case c.subject == "agentConnected":
		return c.text(strconv.FormatBool(in.AgentConnected))
	case c.subject == "runningTasksCount":
		n, err := strconv.Atoi(c.arg)
		if err != nil {
			return Unknown
		}
		return order(c.op, compareInts(in.RunningTasks, n))
	case c.subject == "agentVersion":
		return order(c.op, compareVersions(in.AgentVersion, c.arg))
	case c.subject == "registeredAt":
		return order(c.op, compareTimes(in.RegisteredAt, c.arg))
	}
	// task:group needs the tasks on each instance; any other subject is
	// not on the page.
	return Unknown
}

// attribute compares an attribute's value. An instance without the
// attribute is in no comparison's group: aws/containers-roadmap#486
// reports that "attribute:retiring != true" lists only the instances that
// have the attribute (https://github.com/aws/containers-roadmap/issues/486).
// For not_in and !~ nobody reports it, so an absent attribute is Unknown
// there. Ordering (<, >) on attributes is not defined on the page.
func (c comparison) attribute(v string, present bool) Truth {
	switch c.op {
	case "exists":
		return truth(present)
	case "!exists":
		return truth(!present)
	}
	if !present {
		if c.op == "!in" || c.op == "!~" {
			return Unknown
		}
		return False
	}
	return c.text(v)
}

// text compares a string subject: equality, lists and patterns.
func (c comparison) text(v string) Truth {
	switch c.op {
	case "==":
		return equal(v, c.arg)
	case "!=":
		return negate(equal(v, c.arg))
	case "in", "!in":
		t := False
		for _, a := range c.list {
			switch equal(v, a) {
			case True:
				t = True
			case Unknown:
				if t == False {
					t = Unknown
				}
			}
		}
		if c.op == "!in" {
			return negate(t)
		}
		return t
	case "=~":
		return matches(v, c.arg)
	case "!~":
		return negate(matches(v, c.arg))
	}
	return Unknown
}

// equal is "String equality"; whether ECS folds case the page does not
// say, so values that differ only in case are Unknown.
func equal(v, arg string) Truth {
	switch {
	case v == arg:
		return True
	case strings.EqualFold(v, arg):
		return Unknown
	}
	return False
}

// matches is "Pattern match" in Java's regular expression syntax
// (java.util.regex.Pattern). Whether ECS matches the whole value or finds
// the pattern in it the page does not say (its example g2.* reads either
// way), so a value that only one of the two matches is Unknown, and so is
// a pattern Go's RE2 reads otherwise than Java or not at all: back
// references and lookaround (Go refuses them), possessive quantifiers,
// character class intersection (&&).
func matches(v, pattern string) Truth {
	if strings.Contains(pattern, "&&") {
		return Unknown
	}
	part, err := regexp.Compile(pattern)
	if err != nil {
		return Unknown
	}
	whole, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return Unknown
	}
	switch {
	case whole.MatchString(v):
		return True
	case !part.MatchString(v):
		return False
	}
	return Unknown
}

// order applies an ordering or equality operator to a comparison's sign
// (-1, 0, 1; 2 when the two cannot be compared or the sign is unsure).
func order(op string, sign int) Truth {
	if sign == 2 {
		return Unknown
	}
	switch op {
	case "==":
		return truth(sign == 0)
	case "!=":
		return truth(sign != 0)
	case ">":
		return truth(sign > 0)
	case ">=":
		return truth(sign >= 0)
	case "<":
		return truth(sign < 0)
	case "<=":
		return truth(sign <= 0)
	}
	return Unknown
}

func compareInts(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareVersions compares dotted numeric versions ("1.14.5"); 2 when
// either is not one.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		x, y := 0, 0
		var err error
		if i < len(pa) {
			if x, err = strconv.Atoi(pa[i]); err != nil || x < 0 {
				return 2
			}
		}
		if i < len(pb) {
			if y, err = strconv.Atoi(pb[i]); err != nil || y < 0 {
				return 2
			}
		}
		if c := compareInts(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compareTimes compares a registration time with an argument in one of
// the page's date formats: 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z,
// 2018-06-18T22:28:28, 2018-06-18. Which zone a time without one is in,
// and whether a date means its midnight or the whole day, the page does
// not say: an instance registered within a day of such an argument is
// unsure (2).
func compareTimes(at time.Time, arg string) int {
	if at.IsZero() {
		return 2
	}
	var t time.Time
	var unsure time.Duration
	var err error
	if t, err = time.Parse(time.RFC3339, arg); err != nil {
		if t, err = time.Parse("2006-01-02T15:04:05", arg); err == nil {
			unsure = 14 * time.Hour // UTC-12 … UTC+14
		} else if t, err = time.Parse("2006-01-02", arg); err == nil {
			unsure = 38 * time.Hour // the day itself, in any zone
		} else {
			return 2
		}
	}
	d := at.Sub(t)
	switch {
	case unsure > 0 && d > -unsure && d < unsure:
		return 2
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}
