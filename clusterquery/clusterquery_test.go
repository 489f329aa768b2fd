package clusterquery

import (
	"testing"
	"time"
)

// The page's own examples, each with an instance in its group and one
// outside:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html#expression-examples
// (as kept in awsdocs/amazon-ecs-developer-guide, doc_source/cluster-query-language.md).
func TestThePagesExamples(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	attrs := func(kv ...string) Instance {
		in := Instance{Attributes: map[string]string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			in.Attributes[kv[i]] = kv[i+1]
		}
		return in
	}
	for _, tc := range []struct {
		expr    string
		in, out Instance
	}{
		{"attribute:ecs.instance-type == t2.small", attrs("ecs.instance-type", "t2.small"), attrs("ecs.instance-type", "t2.medium")},
		{"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", attrs("ecs.availability-zone", "us-east-1b"), attrs("ecs.availability-zone", "us-east-1d")},
		{"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
			attrs("ecs.instance-type", "g2.2xlarge", "ecs.availability-zone", "us-east-1a"),
			attrs("ecs.instance-type", "g2.2xlarge", "ecs.availability-zone", "us-east-1d")},
		{"runningTasksCount == 1", Instance{RunningTasks: 1}, Instance{RunningTasks: 2}},
		{"agentVersion < 1.14.5", Instance{AgentVersion: "1.14.4"}, Instance{AgentVersion: "1.86.3"}},
		{"registeredAt < 2018-02-13", Instance{RegisteredAt: at("2018-02-10T09:00:00Z")}, Instance{RegisteredAt: at("2024-05-15T09:00:00Z")}},
		{"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", Instance{EC2InstanceID: "i-wxyx7890"}, Instance{EC2InstanceID: "i-0123456789abcdef0"}},
		// JetBrains' teamcity-server.yaml (2021-01-12, b923207), AgentTaskDefinition.
		{"attribute:teamcity.node-responsibility == buildAgent", attrs("teamcity.node-responsibility", "buildAgent"), attrs("teamcity.node-responsibility", "server")},
	} {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := e.Eval(tc.in); got != True {
			t.Errorf("%s: %+v is %s, want true", tc.expr, tc.in, got)
		}
		if got := e.Eval(tc.out); got != False {
			t.Errorf("%s: %+v is %s, want false", tc.expr, tc.out, got)
		}
	}
}

// Subjects the instance does not tell are Unknown, never False: the
// page's task affinity examples need the tasks on each instance.
func TestTaskGroupIsUnknown(t *testing.T) {
	for _, expr := range []string{"task:group == service:production", "not(task:group == database)"} {
		e, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Eval(Instance{}); got != Unknown {
			t.Errorf("%s: %s, want unknown", expr, got)
		}
	}
	// Unknown and False is False: the attribute still narrows.
	e, _ := Parse("attribute:role == agent and task:group == service:x")
	if got := e.Eval(Instance{Attributes: map[string]string{"role": "server"}}); got != False {
		t.Errorf("false and unknown = %s", got)
	}
	if got := e.Eval(Instance{Attributes: map[string]string{"role": "agent"}}); got != Unknown {
		t.Errorf("true and unknown = %s", got)
	}
}

func TestOperators(t *testing.T) {
	in := Instance{
		Attributes:    map[string]string{"role": "agent", "com.amazonaws.ecs.capability.privileged-container": "", "zone": "us-east-1a"},
		EC2InstanceID: "i-0abc", RunningTasks: 3, AgentConnected: true, AgentVersion: "1.86.3",
		RegisteredAt: time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC),
	}
	for expr, want := range map[string]Truth{
		"attribute:role equals agent":                                        True,
		"attribute:role not_equals agent":                                    False,
		"attribute:com.amazonaws.ecs.capability.privileged-container exists": True,
		"attribute:gpu exists":                                               False,
		"attribute:gpu !exists":                                              True,
		"attribute:gpu not_exists":                                           True,
		"attribute:role exists && attribute:gpu !exists":                     True,
		// Absent: in no comparison's group (containers-roadmap#486) …
		"attribute:gpu == x":   False,
		"attribute:gpu != x":   False,
		"attribute:gpu in [x]": False,
		"attribute:gpu =~ .*":  False,
		// … except where nobody reports it.
		"attribute:gpu not_in [x]":                       Unknown,
		"attribute:gpu !~ x":                             Unknown,
		"attribute:role !in [server, bastion]":           True,
		"attribute:role not_in [agent]":                  False,
		"attribute:role in []":                           False,
		"attribute:role matches ag.*":                    True,
		"attribute:role !~ serv.*":                       True,
		"attribute:role not_matches 'a(g|x)ent'":         False,
		"attribute:role == Agent":                        Unknown, // case folding is not documented
		"attribute:role =~ gen":                          Unknown, // whole value or found in it: not documented
		"attribute:role =~ (a)\\1":                       Unknown, // Go refuses back references
		"attribute:role > a":                             Unknown,
		"attribute:role == agent || attribute:zone == x": True,
		"(attribute:role == server or attribute:zone == us-east-1a) and attribute:role == agent": True,
		"!(attribute:role == agent)":                 False,
		"not attribute:role == agent":                False,
		"ec2InstanceId == i-0abc":                    True,
		"ec2InstanceId =~ i-0.*":                     True,
		"ec2InstanceId != 'i-0abc'":                  False,
		"agentConnected == true":                     True,
		"agentConnected == false":                    False,
		"runningTasksCount >= 3":                     True,
		"runningTasksCount greater_than 3":           False,
		"runningTasksCount <= x":                     Unknown,
		"agentVersion >= 1.86":                       True,
		"agentVersion less_than_equal 1.86.2":        False,
		"registeredAt > 2018-06-18T22:28:28+00:00":   True,
		"registeredAt < 2018-06-18T22:28:28Z":        False,
		"registeredAt < 2018-06-18T22:28:28":         False,
		"registeredAt >= 2024-05-15":                 Unknown, // the same day: midnight or the day?
		"registeredAt < 2024-05-15T12:00:01Z":        True,
		"registeredAt == 2024-05-15T13:00:00":        Unknown, // no zone, within a day
		"task:group == x or attribute:role == agent": True,
		"someday == 1":                               Unknown,
		// Mixed and/or without parentheses: the two readings differ (and
		// binding tighter: true; left to right: false) …
		"attribute:role == agent or attribute:zone == x and attribute:gpu exists": Unknown,
		// … or agree.
		"attribute:role == agent and attribute:zone == us-east-1a or attribute:gpu exists": True,
	} {
		e, err := Parse(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if got := e.Eval(in); got != want {
			t.Errorf("%s: %s, want %s", expr, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, expr := range []string{
		"", "attribute:", "attribute:x", "attribute:x ==", "attribute:x == a b", "(attribute:x == a",
		"attribute:x in a", "attribute:x in [a", "attribute:x in [a b]", "attribute:x == 'a",
		"attribute:x == a and", "and attribute:x == a", "attribute:x === a", ")",
	} {
		if e, err := Parse(expr); err == nil {
			t.Errorf("%q parsed as %v", expr, e)
		}
	}
}

// Operators and connectives need no spaces where they cannot be read as
// a word.
func TestTightSpacing(t *testing.T) {
	e, err := Parse("(attribute:role==agent)&&(attribute:zone!=x)")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Eval(Instance{Attributes: map[string]string{"role": "agent", "zone": "y"}}); got != True {
		t.Errorf("%s", got)
	}
}
