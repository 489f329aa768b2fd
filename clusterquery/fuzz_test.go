package clusterquery

import (
	"strings"
	"testing"
	"time"
)

// FuzzParse: any string parses or is refused, never panics; what parses
// evaluates without panicking, and its negation evaluates to the negation.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"attribute:ecs.instance-type == t2.small",
		"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
		"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
		"task:group == service:production",
		"not(task:group == database)",
		"runningTasksCount == 1",
		"agentVersion < 1.14.5",
		"registeredAt < 2018-02-13",
		"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
		"attribute:teamcity.node-responsibility == buildAgent",
		"(a:b exists || !(attribute:x =~ (a|b)\\)) && x) or y",
		"attribute:x == a and attribute:y == b or attribute:z exists",
		"((((((((", "!!!!!!attribute:x exists", "attribute:x in [", "attribute:x =~ '",
	} {
		f.Add(s)
	}
	in := Instance{
		Attributes:    map[string]string{"x": "a", "teamcity.node-responsibility": "buildAgent", "": ""},
		EC2InstanceID: "i-1", RunningTasks: 1, AgentConnected: true, AgentVersion: "1.86.3",
		RegisteredAt: time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		v := e.Eval(in)
		if v != True && v != False && v != Unknown {
			t.Fatalf("%q: truth %d", s, v)
		}
		if !balanced(s) {
			return
		}
		n, err := Parse("not (" + s + ")")
		if err != nil {
			t.Fatalf("%q parses but not (%s) does not: %v", s, s, err)
		}
		if got := n.Eval(in); got != negate(v) {
			t.Fatalf("%q is %s but its negation is %s", s, v, got)
		}
	})
}

// balanced reports parentheses that never close below zero, so wrapping
// s in ( ) makes one operand. Quotes and backslashes (which a pattern may
// use to hide a parenthesis) are left to the other checks.
func balanced(s string) bool {
	if strings.ContainsAny(s, "'\"\\") {
		return false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
