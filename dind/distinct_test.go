package dind_test

// One agent an instance in socket mode (issue 17, item 4): the complete
// socket recipe mirrors /opt/buildagent as host directories, so the services
// that run the agent get ECS's distinctInstance placement constraint, "Place
// each task on a different container instance"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html).
// Every other recipe removes exactly the item tcdind adds.

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

const distinctAgent = `  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07
          Memory: 2048
`

// distinctCases: the service comes before the task definition, so that the
// text up to the task definition is the service's, byte for byte.
var distinctCases = []struct {
	name, service, want string
}{
	{"block", `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      DesiredCount: !Ref AgentNumber
      TaskDefinition: !Ref Agent
`, `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      DesiredCount: !Ref AgentNumber
      TaskDefinition: !Ref Agent
      PlacementConstraints:
        - Type: distinctInstance
`},
	{"block-existing-list", `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      PlacementConstraints:
        - Type: memberOf
          Expression: attribute:teamcity.node-responsibility == buildAgent
      DesiredCount: 2
      TaskDefinition:
        Ref: Agent
`, `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      PlacementConstraints:
        - Type: memberOf
          Expression: attribute:teamcity.node-responsibility == buildAgent
        - Type: distinctInstance
      DesiredCount: 2
      TaskDefinition:
        Ref: Agent
`},
	{"flow", `  AgentService: {Type: AWS::ECS::Service, Properties: {DesiredCount: !Ref AgentNumber, TaskDefinition: !Ref Agent}}
`, `  AgentService: {Type: AWS::ECS::Service, Properties: {DesiredCount: !Ref AgentNumber, TaskDefinition: !Ref Agent, PlacementConstraints: [{Type: distinctInstance}]}}
`},
	{"flow-existing-list", `  AgentService:
    Type: AWS::ECS::Service
    Properties: {PlacementConstraints: [{Type: memberOf, Expression: 'attribute:role == agent'}], TaskDefinition: !Ref Agent}
`, `  AgentService:
    Type: AWS::ECS::Service
    Properties: {PlacementConstraints: [{Type: memberOf, Expression: 'attribute:role == agent'}, {Type: distinctInstance}], TaskDefinition: !Ref Agent}
`},
}

func distinctTemplate(service string) string {
	return "Parameters:\n  AgentNumber:\n    Type: Number\n    Default: 2\nResources:\n" + service + distinctAgent
}

// TestDistinctInstanceExactLines: what socket adds to the service, byte
// for byte, in block and flow YAML, with and without a list of constraints;
// and every other recipe applied after it gives the service's bytes back.
func TestDistinctInstanceExactLines(t *testing.T) {
	for _, c := range distinctCases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(distinctTemplate(c.service))
			on := mustApply(t, src, dind.DefaultOptions(dind.ModeSocket))
			got := string(on.Output[:bytes.Index(on.Output, []byte("  Agent:\n"))])
			if want := strings.TrimSuffix(distinctTemplate(c.want), distinctAgent); got != want {
				t.Errorf("socket: the service is\n%s\nwant\n%s", got, want)
			}
			if !slices.Equal(on.Services, []string{"AgentService"}) {
				t.Errorf("Services = %v, want [AgentService]", on.Services)
			}
			if !hasChange(on, "service AgentService: at most one agent an instance (distinctInstance), because the build directories are host directories") {
				t.Errorf("no change names the constraint: %v", on.Changes)
			}
			if again := mustApply(t, on.Output, dind.DefaultOptions(dind.ModeSocket)); again.Changed {
				t.Errorf("socket twice is not a no-op:\n%s", lineDiff(on.Output, again.Output))
			}
			noDirs := dind.DefaultOptions(dind.ModeSocket)
			noDirs.BuildDirs = false
			for _, oc := range []struct {
				name string
				opts dind.Options
			}{
				{"none", dind.DefaultOptions(dind.ModeNone)},
				{"privileged", dind.DefaultOptions(dind.ModePrivileged)},
				{"socket-minimal", withMinimal(dind.DefaultOptions(dind.ModeSocket))},
				{"socket-no-build-dirs", noDirs},
			} {
				off := mustApply(t, on.Output, oc.opts)
				head := off.Output[:bytes.Index(off.Output, []byte("  Agent:\n"))]
				if want := strings.TrimSuffix(string(src), distinctAgent); string(head) != want {
					t.Errorf("socket then %s: the service is\n%s\nwant the input's\n%s", oc.name, head, want)
				}
				if !slices.Equal(off.Services, []string{"AgentService"}) {
					t.Errorf("socket then %s: Services = %v", oc.name, off.Services)
				}
			}
		})
	}
}

// TestDistinctInstanceJSON: JSON stays JSON; the item joins an existing
// list; none gives the service's bytes back.
func TestDistinctInstanceJSON(t *testing.T) {
	head := `{
  "Resources": {
    "AgentService": {
      "Type": "AWS::ECS::Service",
      "Properties": {
        "DesiredCount": 2,
`
	tail := `        "TaskDefinition": {"Ref": "Agent"}
      }
    },
    "Agent": {
      "Type": "AWS::ECS::TaskDefinition",
      "Properties": {
        "ContainerDefinitions": [
          {"Name": "teamcity-agent", "Image": "jetbrains/teamcity-agent:2025.07", "Memory": 2048}
        ]
      }
    }
  }
}
`
	for _, c := range []struct{ name, list, want string }{
		{"no-list", "", ""},
		{"list", `        "PlacementConstraints": [
          {"Type": "memberOf", "Expression": "attribute:role == agent"}
        ],
`, `        "PlacementConstraints": [
          {"Type": "memberOf", "Expression": "attribute:role == agent"},
          {
            "Type": "distinctInstance"
          }
        ],
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(head + c.list + tail)
			on := mustApply(t, src, dind.DefaultOptions(dind.ModeSocket))
			if _, err := decodeCFN(on.Output); err != nil {
				t.Fatalf("output does not parse: %v\n%s", err, on.Output)
			}
			svc := string(on.Output[:bytes.Index(on.Output, []byte(`    "Agent": {`))])
			want := head + c.want + strings.SplitAfter(tail, "    },\n")[0]
			if c.list == "" {
				want = head + strings.Replace(strings.SplitAfter(tail, "    },\n")[0], `{"Ref": "Agent"}`+"\n", `{"Ref": "Agent"},
        "PlacementConstraints": [
          {
            "Type": "distinctInstance"
          }
        ]
`, 1)
			}
			if svc != want {
				t.Errorf("socket: the service is\n%s\nwant\n%s", svc, want)
			}
			off := mustApply(t, on.Output, dind.DefaultOptions(dind.ModeNone))
			if got := off.Output[:bytes.Index(off.Output, []byte(`    "Agent": {`))]; !bytes.HasPrefix(src, got) || !bytes.Contains(off.Output, []byte(`    "Agent": {`)) || len(got) != bytes.Index(src, []byte(`    "Agent": {`)) {
				t.Errorf("socket then none: the service is\n%s\nwant the input's", got)
			}
		})
	}
}

// TestDistinctInstanceKept: a constraint that already says distinctInstance
// gets no second one; a user's own is never removed from a template that
// had no socket, and an item with more than Type is not tcdind's.
func TestDistinctInstanceKept(t *testing.T) {
	own := `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      PlacementConstraints:
        - Type: distinctInstance
      TaskDefinition: !Ref Agent
`
	src := []byte(distinctTemplate(own))
	on := mustApply(t, src, dind.DefaultOptions(dind.ModeSocket))
	if n := bytes.Count(on.Output, []byte("distinctInstance")); n != 1 {
		t.Errorf("socket on a service that has distinctInstance: %d of them:\n%s", n, on.Output)
	}
	if len(on.Services) != 0 {
		t.Errorf("Services = %v, want none", on.Services)
	}
	for _, m := range []dind.Mode{dind.ModeNone, dind.ModePrivileged} {
		res := mustApply(t, src, dind.DefaultOptions(m))
		if !bytes.Contains(res.Output, []byte("- Type: distinctInstance")) {
			t.Errorf("%s on a template without the socket removed the user's distinctInstance:\n%s", m, lineDiff(src, res.Output))
		}
	}
	// An item with an Expression as well is not the one tcdind writes.
	withExpr := strings.Replace(own, "- Type: distinctInstance\n", "- Type: distinctInstance\n          Expression: ''\n", 1)
	on = mustApply(t, []byte(distinctTemplate(withExpr)), dind.DefaultOptions(dind.ModeSocket))
	off := mustApply(t, on.Output, dind.DefaultOptions(dind.ModeNone))
	if !bytes.Contains(off.Output, []byte("- Type: distinctInstance\n          Expression: ''\n")) {
		t.Errorf("none removed a distinctInstance item tcdind does not write:\n%s", off.Output)
	}
}

// TestDistinctInstanceNotPlain: a PlacementConstraints tcdind cannot edit
// safely (an Fn::If) is left alone with a warning that says what to add;
// a DAEMON service gets nothing (one task an instance already).
func TestDistinctInstanceNotPlain(t *testing.T) {
	cond := `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      PlacementConstraints: !If [Spread, [{Type: memberOf, Expression: 'attribute:a == b'}], !Ref AWS::NoValue]
      TaskDefinition: !Ref Agent
`
	src := []byte(distinctTemplate(cond))
	res := mustApply(t, src, dind.DefaultOptions(dind.ModeSocket))
	if !hasWarning(res, "add {Type: distinctInstance} by hand") {
		t.Errorf("no warning for a PlacementConstraints that is not a plain list: %q", res.Warnings)
	}
	if bytes.Contains(res.Output, []byte("distinctInstance")) {
		t.Errorf("an Fn::If PlacementConstraints was edited:\n%s", res.Output)
	}
	daemon := "  AgentService:\n    Type: AWS::ECS::Service\n    Properties:\n      SchedulingStrategy: DAEMON\n      TaskDefinition: !Ref Agent\n"
	if res := mustApply(t, []byte(distinctTemplate(daemon)), dind.DefaultOptions(dind.ModeSocket)); bytes.Contains(res.Output, []byte("distinctInstance")) {
		t.Errorf("a DAEMON service got distinctInstance:\n%s", res.Output)
	}
}

// TestDistinctInstanceNoneWarns: none removes the constraint while the
// build directory mounts stay (none leaves them): it says so.
func TestDistinctInstanceNoneWarns(t *testing.T) {
	on := mustApply(t, []byte(distinctTemplate(distinctCases[0].service)), dind.DefaultOptions(dind.ModeSocket))
	off := mustApply(t, on.Output, dind.DefaultOptions(dind.ModeNone))
	if !hasWarning(off, "two agents on one instance would share those directories") {
		t.Errorf("no warning that the build directories stay: %q", off.Warnings)
	}
	if !hasChange(off, "service AgentService: remove placement constraint distinctInstance (none mode)") {
		t.Errorf("changes %v", off.Changes)
	}
}

func hasChange(res *dind.Result, summary string) bool {
	for _, c := range res.Changes {
		if c.Summary == summary {
			return true
		}
	}
	return false
}

// TestDistinctInstanceOwnKeptOnRerun: a user's own distinctInstance on a
// service whose agent mounts no build directory is not tcdind's, whatever the
// socket: the minimal recipe (or --build-dirs=false) keeps it on the first
// run and on every run after, so running the same recipe again is a no-op.
// Found by the review's sweep over crafted templates (two agent task
// definitions, one service with its own distinctInstance).
func TestDistinctInstanceOwnKeptOnRerun(t *testing.T) {
	own := `  AgentService:
    Type: AWS::ECS::Service
    Properties:
      PlacementConstraints:
        - Type: distinctInstance
      TaskDefinition: !Ref Agent
`
	noDirs := dind.DefaultOptions(dind.ModeSocket)
	noDirs.BuildDirs = false
	for name, opts := range map[string]dind.Options{"minimal": withMinimal(dind.DefaultOptions(dind.ModeSocket)), "build-dirs=false": noDirs} {
		t.Run(name, func(t *testing.T) {
			src := []byte(distinctTemplate(own))
			first := mustApply(t, src, opts)
			again := mustApply(t, first.Output, opts)
			if again.Changed || !bytes.Equal(again.Output, first.Output) {
				t.Errorf("socket %s again is not a no-op:\n%s", name, lineDiff(first.Output, again.Output))
			}
			for _, m := range []dind.Mode{dind.ModeNone, dind.ModePrivileged} {
				off := mustApply(t, first.Output, dind.DefaultOptions(m))
				if !bytes.Contains(off.Output, []byte("- Type: distinctInstance\n")) {
					t.Errorf("%s after socket %s removed the user's distinctInstance:\n%s", m, name, lineDiff(first.Output, off.Output))
				}
			}
		})
	}
}
