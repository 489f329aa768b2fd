package render

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/fleet"
)

func TestStatusTable(t *testing.T) {
	st := fleet.Empty("dev")
	st.Regions = []string{"us-east-1"}
	st.Scanned = 3
	st.Stacks = []fleet.Stack{
		{Profile: "prod", Account: "123456789012", Region: "us-east-1", Name: "tc-a", Editable: true, Agents: []fleet.Agent{
			{TaskDefinition: "Agent", Container: "teamcity-agent", Mode: "socket", Image: "jetbrains/teamcity-agent:2025.07", LaunchType: "EC2", Revision: "agent:3",
				Services: []fleet.Service{{Name: "svc", Runs: "agent:2"}}, Drift: true},
		}},
		{Profile: "prod", Account: "123456789012", Region: "us-east-1", Name: "tc-b", Parent: "root", NotEditable: []string{"nested in stack root"}, Agents: []fleet.Agent{
			{TaskDefinition: "Agent", Container: "teamcity-agent", Mode: "none", Image: "jetbrains/teamcity-agent:2025.07", Revision: "agent:1"},
		}},
	}
	st.Notes = []fleet.Note{{Profile: "prod", Region: "eu-central-1", Text: "access denied, not read: x"}}
	got := NewStyles(false).StatusTable(st, "socket")
	want := `profile prod · account 123456789012 · us-east-1
  STACK                  AGENT                 MODE    IMAGE                             LAUNCH  CFN HOLDS  ECS RUNS
  tc-a                   Agent/teamcity-agent  socket  jetbrains/teamcity-agent:2025.07  EC2     agent:3    agent:2 (drift)
  tc-b (nested in root)  Agent/teamcity-agent  none    jetbrains/teamcity-agent:2025.07  -       agent:1    no service

tcdind cannot edit
  tc-b (us-east-1): nested in stack root

not read
  profile prod, eu-central-1: access denied, not read: x

2 stacks with 2 agent containers in 1 region, of 3 stacks read; 1 not in socket mode; 1 drifted (ECS runs another revision than CloudFormation holds); 1 region or stack not read (see above)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(got, "\x1b[") {
		t.Error("the plain table has colour")
	}
}
