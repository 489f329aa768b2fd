package batch

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/fakeaws"
)

// The batch flow's stack runs on the fake the wizard's tests use
// (internal/fakeaws): one scripted CloudFormation for both front ends.

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func stackFake(t *testing.T) *fakeaws.CFN {
	t.Helper()
	body, err := os.ReadFile("../testdata/templates/blog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeaws.CFN{
		RegionName: "eu-west-1",
		UpdatedAt:  t0,
		Stacks:     []awsclient.StackSummary{{ID: "arn:stack/teamcity", Name: "teamcity", Status: "UPDATE_COMPLETE", Updated: t0}},
		Templates:  map[string][]byte{"teamcity": body},
		Changes: []awsclient.ResourceChange{
			{Action: "Modify", LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Replacement: "True"},
		},
	}
	// Executed, the update completes: its events carry the change set's
	// name as their token, as CloudFormation's do.
	f.OnExecute = func() {
		token := f.Created[len(f.Created)-1]
		ev := func(n int, status string) awsclient.StackEvent {
			return awsclient.StackEvent{ID: status, Time: t0.Add(time.Duration(n) * time.Second), LogicalID: "teamcity", PhysicalID: "arn:stack/teamcity",
				ResourceType: "AWS::CloudFormation::Stack", Status: status, ClientRequestToken: token}
		}
		f.Events = [][]awsclient.StackEvent{{ev(1, "UPDATE_IN_PROGRESS")}, {ev(2, "UPDATE_COMPLETE"), ev(1, "UPDATE_IN_PROGRESS")}}
	}
	return f
}

func stackRun(f *fakeaws.CFN, apply bool) *StackRun {
	return &StackRun{
		Stack:   "teamcity",
		Options: dind.DefaultOptions(dind.ModePrivileged),
		Apply:   apply,
		Client:  func(context.Context) (StackClient, error) { return f, nil },
		Poll:    []time.Duration{0, time.Millisecond},
		Wait:    awsclient.Wait{MinDelay: time.Millisecond, MaxDelay: time.Millisecond, Timeout: 5 * time.Second},
		Settle:  5 * time.Second,
		Lookups: []time.Duration{0, time.Millisecond},
		GiveUp:  2 * time.Second,
		Now:     func() time.Time { return t0 },
	}
}

func TestStackDiffOnFake(t *testing.T) {
	f := stackFake(t)
	r := stackRun(f, false)
	r.Action = Action{Diff: true}
	var out, errOut bytes.Buffer
	if err := r.Run(context.Background(), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "+") || !strings.Contains(out.String(), "Privileged: true") {
		t.Errorf("diff:\n%s", out.String())
	}
	if created, _, _ := f.State(); len(created) != 0 {
		t.Errorf("--diff created change sets %v", created)
	}
}

func TestStackApplyYesOnFake(t *testing.T) {
	f := stackFake(t)
	r := stackRun(f, true)
	r.Yes = true
	var out, errOut bytes.Buffer
	if err := r.Run(context.Background(), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	created, executed, deleted := f.State()
	if len(created) != 1 || len(executed) != 1 || len(deleted) != 0 {
		t.Errorf("created %v, executed %v, deleted %v", created, executed, deleted)
	}
	if !strings.Contains(errOut.String(), "UPDATE_COMPLETE") {
		t.Errorf("stderr:\n%s", errOut.String())
	}
	// The fake lists no stack resources: ECS cannot be read back, and the
	// outcome says so instead of "now in privileged mode".
	for _, want := range []string{
		"note: the agents were not verified in ECS: stack teamcity listed none of the edited task definitions as deployed; check with aws cloudformation list-stack-resources --stack-name teamcity",
		"stack teamcity updated (UPDATE_COMPLETE): its template puts AgentTaskDefinition in privileged mode; ECS did not confirm it",
	} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if strings.Contains(errOut.String(), "now in privileged mode") {
		t.Errorf("an unverified update reads as verified:\n%s", errOut.String())
	}
}

// A no at the y/N question deletes the change set (checked): nothing is
// left, nothing executed.
func TestStackApplyNoOnFake(t *testing.T) {
	f := stackFake(t)
	r := stackRun(f, true)
	r.Interactive = true
	var out, errOut bytes.Buffer
	err := r.Run(context.Background(), Streams{In: strings.NewReader("n\n"), Out: &out, Err: &errOut})
	if exitcode.Code(err) == exitcode.OK {
		t.Fatalf("a no succeeded:\n%s", errOut.String())
	}
	if _, executed, deleted := f.State(); len(executed) != 0 || len(deleted) != 1 || len(f.Left()) != 0 {
		t.Errorf("executed %v, deleted %v, left %v", executed, deleted, f.Left())
	}
}

// TestEndedInterruptedAfterComplete: interrupted once CloudFormation said
// UPDATE_COMPLETE, the run says the update completed, that ECS was not read
// because of the interrupt, and the command that shows the agents (review2:
// SIGTERM during the verification ended with "ECS did not confirm it" and
// nothing else).
func TestEndedInterruptedAfterComplete(t *testing.T) {
	r := stackRun(stackFake(t), true)
	r.Where = " --region eu-west-1"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := &changeset.Update{Stack: &awsclient.Stack{Name: "teamcity"}, Targets: "AgentTaskDefinition", Mode: dind.ModePrivileged, Final: "UPDATE_COMPLETE"}
	var errOut bytes.Buffer
	// A signal after the update ends with 128+n, as one while TeamCity is
	// asked about the new agents does; the error says the update is done.
	err := r.ended(ctx, Streams{Out: &bytes.Buffer{}, Err: &errOut}, u, nil)
	if exitcode.Code(err) != exitcode.Interrupted || err.Error() != "interrupted before ECS was read; the update of stack teamcity is complete; see what the agents run with tcdind status --region eu-west-1" {
		t.Errorf("err = %v (exit %d), want the interrupted exit status and what is done", err, exitcode.Code(err))
	}
	for _, want := range []string{
		"stack teamcity updated (UPDATE_COMPLETE): its template puts AgentTaskDefinition in privileged mode; ECS did not confirm it\n",
	} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}

// TestNotExecutableSays: an executed change set is not called OBSOLETE.
func TestNotExecutableSays(t *testing.T) {
	for _, c := range [][3]string{
		{"CREATE_COMPLETE", "EXECUTE_COMPLETE", "it was executed already"},
		{"CREATE_COMPLETE", "OBSOLETE", "OBSOLETE: the stack was updated since it was made"},
		{"FAILED", "UNAVAILABLE", "CloudFormation could not create it"},
		{"CREATE_IN_PROGRESS", "UNAVAILABLE", "it is not ready to execute"},
	} {
		if got := notExecutable(c[0], c[1]); got != c[2] {
			t.Errorf("notExecutable(%s, %s) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
