package render

import (
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

func TestChangeSetTablePlain(t *testing.T) {
	got := ChangeSetTablePlain([]awsclient.ResourceChange{
		{Action: "Modify", LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Replacement: "True"},
		{Action: "Modify", LogicalID: "AgentService", ResourceType: "AWS::ECS::Service", Replacement: "False"},
		{Action: "Add", LogicalID: "X", ResourceType: "AWS::Logs::LogGroup"},
	})
	want := "" +
		"  ACTION  LOGICAL ID           TYPE                      REPLACEMENT\n" +
		"  Modify  AgentTaskDefinition  AWS::ECS::TaskDefinition  True\n" +
		"  Modify  AgentService         AWS::ECS::Service         False\n" +
		"  Add     X                    AWS::Logs::LogGroup       -\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if plain := ChangeSetTable(nil, NewStyles(false)); !strings.Contains(plain, "no resource changes") {
		t.Errorf("empty table: %q", plain)
	}
}

func TestEventLinePlain(t *testing.T) {
	e := awsclient.StackEvent{
		Time: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), LogicalID: "AgentTaskDefinition",
		ResourceType: "AWS::ECS::TaskDefinition", Status: "UPDATE_FAILED", Reason: "privileged mode is not supported",
	}
	got := EventLinePlain(e)
	for _, want := range []string{"15:04:05", "AgentTaskDefinition", "AWS::ECS::TaskDefinition", "UPDATE_FAILED", "privileged mode is not supported"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("plain line has escape codes: %q", got)
	}
}
