package dind_test

// A task definition no service runs is started by something outside the
// template, most likely TeamCity's Amazon ECS cloud profile, which names
// the task definition. CloudFormation replaces a task definition whose
// containers change and deregisters the old revision; RunTask with a
// family alone uses the latest ACTIVE revision
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

func TestCloudProfileNote(t *testing.T) {
	unrun := strings.Replace(healthBase, "    Properties:\n", "    Properties:\n      Family: teamcity-cloud-agent\n", 1)
	res := mustApply(t, []byte(unrun), dind.DefaultOptions(dind.ModeSocket))
	if warningWith(res, "Agent: no service in this template runs it", "by its family, teamcity-cloud-agent, not by a revision", "deregisters the old one") == "" {
		t.Errorf("no cloud profile note: %q", res.Warnings)
	}
	// Run by a service: no note.
	run := unrun + `  Agents:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Agent
`
	res = mustApply(t, []byte(run), dind.DefaultOptions(dind.ModeSocket))
	if w := warningWith(res, "cloud profile"); w != "" {
		t.Errorf("a service runs it, yet: %q", w)
	}
	// Nothing to change: nothing registered, no note.
	again := mustApply(t, mustApply(t, []byte(unrun), dind.DefaultOptions(dind.ModeSocket)).Output, dind.DefaultOptions(dind.ModeSocket))
	if w := warningWith(again, "cloud profile"); w != "" {
		t.Errorf("no change, yet: %q", w)
	}
}
