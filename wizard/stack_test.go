package wizard

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
)

// t0 is when the update starts in the snapshots.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func newFake(t *testing.T) *fakeCFN {
	return &fakeCFN{
		RegionName: "eu-west-1",
		UpdatedAt:  t0,
		Stacks: []awsclient.StackSummary{
			{ID: "arn:stack/website", Name: "website", Status: "UPDATE_COMPLETE", Updated: t0},
			{ID: "arn:stack/teamcity", Name: "teamcity", Status: "UPDATE_COMPLETE", Updated: t0},
			{ID: "arn:stack/network", Name: "network", Status: "CREATE_COMPLETE", Updated: t0},
			{ID: "arn:stack/teamcity-staging", Name: "teamcity-staging", Status: "UPDATE_ROLLBACK_COMPLETE", Updated: t0},
		},
		Templates: map[string][]byte{
			"teamcity":         fixture(t, "one.yaml"),
			"teamcity-staging": fixture(t, "two.yaml"),
		},
		// Deployed with the -sudo image, which starts Docker in privileged
		// mode (without it tcdind refuses privileged mode).
		Values: map[string]string{"DatabasePassword": "****", "TeamCityVersion": "2024.12-linux-sudo"},
		Changes: []awsclient.ResourceChange{
			{Action: "Modify", LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Replacement: "True"},
			{Action: "Modify", LogicalID: "AgentService", ResourceType: "AWS::ECS::Service", Replacement: "False"},
		},
	}
}

// stackConfig is a wizard on fake AWS with a fixed clock and still spinners.
func stackConfig(f *fakeCFN, c *clock) Config {
	if c == nil {
		c = &clock{t: t0}
	}
	return Config{
		Region: "eu-west-1",
		Client: func(context.Context, string) (Client, error) { return f, nil },
		Clock:  c.now,
		Poll:   []time.Duration{0, time.Millisecond},
		Random: zeros{},
		still:  true,
		// The fixtures' SERVER_URL would offer TeamCity on every stack;
		// the TeamCity tests ask for it (teamcity_*_test.go).
		noTeamCity: true,
	}
}

// zeros is a random source that is not: change set names end in 00000000.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// startStack starts a wizard on fake AWS.
func startStack(t *testing.T, cfg Config) *run {
	return start(t, cfg, termW, termH)
}

// toStacks goes from the first question to the stack list of eu-west-1.
func (r *run) toStacks() {
	r.t.Helper()
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("Which stack?")
}

// token is the change set name, and so the events' client request token,
// of a privileged run at t0.
const token = "tcdind-privileged-20260302-100000-00000000"

func ev(n int, logical, typ, status, reason string) awsclient.StackEvent {
	return awsclient.StackEvent{
		ID: logical + "-" + status, Time: t0.Add(time.Duration(n) * 7 * time.Second),
		LogicalID: logical, PhysicalID: "arn:" + logical, ResourceType: typ,
		Status: status, Reason: reason, ClientRequestToken: token,
	}
}

const (
	stackType = "AWS::CloudFormation::Stack"
	tdType    = "AWS::ECS::TaskDefinition"
	svcType   = "AWS::ECS::Service"
)

// pages are the growing event history, newest first, one page per poll.
func pages(events ...awsclient.StackEvent) [][]awsclient.StackEvent {
	var out [][]awsclient.StackEvent
	for i := range events {
		page := make([]awsclient.StackEvent, 0, i+1)
		for j := i; j >= 0; j-- {
			page = append(page, events[j])
		}
		out = append(out, page)
	}
	return out
}

var midway = []awsclient.StackEvent{
	ev(0, "teamcity", stackType, "UPDATE_IN_PROGRESS", "User Initiated"),
	ev(1, "AgentTaskDefinition", tdType, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one."),
	withNewRevision(ev(2, "AgentTaskDefinition", tdType, "UPDATE_COMPLETE", "")),
	ev(3, "AgentService", svcType, "UPDATE_IN_PROGRESS", ""),
}

// withNewRevision is the task definition's UPDATE_COMPLETE as CloudFormation
// sends it: with the new revision's ARN.
func withNewRevision(e awsclient.StackEvent) awsclient.StackEvent {
	e.PhysicalID = newTD
	return e
}

func updated() []awsclient.StackEvent {
	return append(append([]awsclient.StackEvent{}, midway...),
		ev(9, "AgentService", svcType, "UPDATE_COMPLETE", ""),
		ev(10, "teamcity", stackType, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""),
		ev(11, "AgentTaskDefinition", tdType, "DELETE_COMPLETE", ""),
		ev(12, "teamcity", stackType, "UPDATE_COMPLETE", ""),
	)
}

func rolledBack() []awsclient.StackEvent {
	return append(append([]awsclient.StackEvent{}, midway...),
		ev(9, "AgentService", svcType, "UPDATE_FAILED", "Resource handler returned message: \"Invalid request provided: UpdateService error: privileged containers are not supported by the capacity provider\""),
		ev(10, "teamcity", stackType, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AgentService]."),
		ev(11, "AgentService", svcType, "UPDATE_COMPLETE", ""),
		ev(12, "AgentTaskDefinition", tdType, "UPDATE_COMPLETE", ""),
		ev(13, "teamcity", stackType, "UPDATE_ROLLBACK_COMPLETE", ""),
	)
}

// execute chooses Execute on the change set question: it is not the
// default.
func (r *run) execute() {
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
}

// toChangeSet opens --stack teamcity --mode privileged on the review and
// creates the change set.
func toChangeSet(t *testing.T, f *fakeCFN, c *clock) *run {
	t.Helper()
	cfg := stackConfig(f, c)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	return r
}

func TestScreenRegion(t *testing.T) {
	r := startStack(t, stackConfig(newFake(t), nil))
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.typeText("eu-")
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "us-east-1") })
	m := r.snapshot()
	if m.a.region != "eu-west-1" {
		t.Errorf("region %q highlighted, want eu-west-1 (from AWS_REGION)", m.a.region)
	}
}

// The region comes from the profile's config when neither --region nor
// AWS_REGION gives one; a template source never reads it.
func TestRegionFromProfile(t *testing.T) {
	asked := 0
	cfg := stackConfig(newFake(t), nil)
	cfg.Region = ""
	cfg.ProfileRegion = func(context.Context) string { asked++; return "ap-southeast-2" }
	r := startStack(t, cfg)
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	m := r.final()
	if m.a.region != "ap-southeast-2" || asked != 1 {
		t.Errorf("region %q, profile asked %d times", m.a.region, asked)
	}

	asked = 0
	r = startStack(t, Config{ProfileRegion: cfg.ProfileRegion, Template: "testdata/one.yaml"})
	r.waitFor("Which Docker-in-Docker mode?")
	r.final()
	if asked != 0 {
		t.Error("a template source read the AWS config")
	}
}

func TestScreenStacksLoading(t *testing.T) {
	f := newFake(t)
	f.ListBlock = make(chan struct{})
	defer close(f.ListBlock)
	r := startStack(t, stackConfig(f, nil))
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("Listing the stacks in eu-west-1")
	r.snapshot()
}

func TestScreenStacksEmpty(t *testing.T) {
	f := newFake(t)
	f.Stacks = nil
	r := startStack(t, stackConfig(f, nil))
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("No stacks in eu-west-1")
	m := r.snapshot()
	if m.err == nil || m.err.back != stepRegion {
		t.Fatalf("want an error leading back to the region, got %+v", m.err)
	}
}

func TestScreenStacksAccessDenied(t *testing.T) {
	f := newFake(t)
	f.ListErr = accessDenied("ListStacks")
	r := startStack(t, stackConfig(f, nil))
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("Not allowed")
	r.snapshot()
	// esc leads back to the region question.
	r = startStack(t, stackConfig(f, nil))
	r.toStacksError()
	r.key(tea.KeyEsc)
	r.waitFor("Which AWS region")
}

func (r *run) toStacksError() {
	r.t.Helper()
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter)
	r.waitFor("Not allowed")
}

func TestScreenStacksLoaded(t *testing.T) {
	f := newFake(t)
	r := startStack(t, stackConfig(f, nil))
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	r.snapshot()
}

// Typing filters the stacks; enter reads the chosen one and the template
// questions follow, the review diffing against the deployed template.
func TestRunStackPicked(t *testing.T) {
	f := newFake(t)
	r := startStack(t, stackConfig(f, nil))
	r.toStacks()
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	r.typeText("staging")
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "website") })
	r.key(tea.KeyEnter)
	r.waitFor("Which agent task definition?")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	m := r.final()
	if m.a.stackInfo == nil || m.a.stackInfo.Name != "teamcity-staging" || m.a.mode != dind.ModePrivileged {
		t.Fatalf("stack %+v, mode %s", m.a.stackInfo, m.a.mode)
	}
	if !strings.Contains(m.View(), "stack teamcity-staging · eu-west-1") {
		t.Errorf("the header does not name the stack:\n%s", m.View())
	}
}

// With --stack and --mode the wizard opens on the review.
func TestScreenStackReview(t *testing.T) {
	cfg := stackConfig(newFake(t), nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.snapshot()
}

func TestScreenChangeSet(t *testing.T) {
	f := newFake(t)
	r := toChangeSet(t, f, nil)
	r.snapshot()
	if created, executed, _ := f.State(); len(created) != 1 || created[0] != token || len(executed) != 0 {
		t.Errorf("created %v, executed %v", created, executed)
	}
}

func TestScreenProgress(t *testing.T) {
	f := newFake(t)
	f.Events = pages(midway...)
	f.Block = make(chan struct{})
	defer close(f.Block)
	c := &clock{t: t0}
	r := toChangeSet(t, f, c)
	r.execute()
	r.waitUntil(func(s string) bool { return strings.Contains(s, "AgentService") && strings.Contains(s, "Events") })
	c.set(t0.Add(83 * time.Second))
	r.snapshot()
}

func TestScreenStackUpdated(t *testing.T) {
	f := newFake(t)
	f.Events = pages(updated()...)
	c := &clock{t: t0}
	r := toChangeSet(t, f, c)
	f.OnExecute = func() { c.set(t0.Add(95 * time.Second)) } // it ends at once here
	r.execute()
	r.waitFor("updated: UPDATE_COMPLETE")
	m := r.snapshot()
	if err := m.Outcome(); err != nil {
		t.Errorf("outcome %v", err)
	}
	if s := m.Summary(); !strings.Contains(s, "stack teamcity updated (UPDATE_COMPLETE)") {
		t.Errorf("summary %q", s)
	}
}

func TestScreenStackRolledBack(t *testing.T) {
	f := newFake(t)
	f.Events = pages(rolledBack()...)
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("Failed resources")
	m := r.snapshot()
	if code := exitcode.Code(m.Outcome()); code != exitcode.Failure {
		t.Errorf("exit status %d after a rollback, want 1", code)
	}
	if s := m.Summary(); !strings.Contains(s, "AgentService (AWS::ECS::Service): Resource handler") {
		t.Errorf("summary lacks the reason: %q", s)
	}
}

// ctrl+c on the change set deletes it before leaving.
func TestStackCtrlCDeletesChangeSet(t *testing.T) {
	f := newFake(t)
	r := toChangeSet(t, f, nil)
	r.key(tea.KeyCtrlC)
	m := r.finished()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, executed, deleted := f.State(); len(deleted) != 1 || len(executed) != 0 {
		t.Errorf("deleted %v, executed %v", deleted, executed)
	}
	if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
		t.Errorf("exit status %d, want 130", code)
	}
}

// Discard, the default, deletes the change set; nothing is executed:
// enter, enter after the review never updates a stack.
func TestStackDiscard(t *testing.T) {
	f := newFake(t)
	r := toChangeSet(t, f, nil)
	r.key(tea.KeyEnter)
	r.waitFor("Change set discarded")
	m := r.final()
	if _, executed, deleted := f.State(); len(deleted) != 1 || len(executed) != 0 {
		t.Errorf("deleted %v, executed %v", deleted, executed)
	}
	if set := m.getPending(); set != nil {
		t.Errorf("change set %s still pending", set.Input.Name)
	}
}

// esc on the change set deletes it and goes back to the review.
func TestStackEscDeletesChangeSet(t *testing.T) {
	f := newFake(t)
	r := toChangeSet(t, f, nil)
	r.key(tea.KeyEsc)
	r.waitFor("Press enter to create a change set")
	r.final()
	if _, _, deleted := f.State(); len(deleted) != 1 {
		t.Errorf("deleted %v", deleted)
	}
}

// CloudFormation finding nothing to change is said plainly.
func TestStackNoChanges(t *testing.T) {
	f := newFake(t)
	f.NoChanges = true
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Nothing to change")
	m := r.final()
	if err := m.Outcome(); err != nil {
		t.Errorf("outcome %v", err)
	}
	if set := m.getPending(); set != nil {
		t.Errorf("change set %s left", set.Input.Name)
	}
}

// ctrl+c while the update runs leaves, and says how to follow it.
func TestStackCtrlCDuringUpdate(t *testing.T) {
	f := newFake(t)
	f.Events = pages(midway...)
	f.Block = make(chan struct{})
	r := toChangeSet(t, f, nil)
	r.execute()
	r.waitFor("Events")
	r.key(tea.KeyCtrlC)
	m := r.finished()
	if err := m.Close(); err != nil { // returns: the blocked poll is cancelled
		t.Fatal(err)
	}
	err := m.Outcome()
	if exitcode.Code(err) != exitcode.Pending || !strings.Contains(err.Error(), "goes on in AWS (UPDATE_IN_PROGRESS)") ||
		!strings.Contains(err.Error(), "aws cloudformation describe-stack-events --stack-name teamcity --region eu-west-1") {
		t.Errorf("outcome %v", err)
	}
	if _, _, deleted := f.State(); len(deleted) != 0 {
		t.Errorf("deleted %v while it runs", deleted)
	}
}

// "s" on a stack's review saves the patched template instead, with the
// save step of templates.
func TestStackSaveInstead(t *testing.T) {
	dir := t.TempDir()
	f := newFake(t)
	cfg := stackConfig(f, nil)
	// An --agent-version that pins nothing is a warning.
	cfg.Stack, cfg.Mode, cfg.SudoImage, cfg.AgentVersion = "teamcity", dind.ModePrivileged, true, "2025.07"
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.runes("s")
	r.waitFor("Save the patched template as")
	back := chdir(t, dir)
	r.key(tea.KeyEnter)
	r.waitFor("Saved teamcity.dind.yaml")
	back()
	m := r.final()
	if created, _, _ := f.State(); len(created) != 0 {
		t.Errorf("change sets created: %v", created)
	}
	opts := dind.DefaultOptions(dind.ModePrivileged)
	opts.ParameterValues = f.Values
	assertFile(t, dir+"/teamcity.dind.yaml", want(t, "one.yaml", opts))
	if !strings.Contains(m.Summary(), "wrote teamcity.dind.yaml") {
		t.Errorf("summary %q", m.Summary())
	}
	// The commands offered reach the stack's region.
	if v := m.View(); !strings.Contains(v, "--capabilities CAPABILITY_IAM --region eu-west-1") || !strings.Contains(v, "tcdind --stack teamcity --region eu-west-1") {
		t.Errorf("the done screen's commands lack --region:\n%s", v)
	}
	// The engine's warnings outlive the screens.
	if s := m.Summary(); !strings.Contains(s, "tcdind: warning: AgentTaskDefinition/teamcity-agent: --agent-version 2025.07 was not used") {
		t.Errorf("summary without the warning: %q", s)
	}
}

// A nested stack is reviewed but not updated: the root's next update
// would undo it. No change set is created.
func TestStackNestedRefused(t *testing.T) {
	f := newFake(t)
	f.Described = map[string]*awsclient.Stack{"teamcity": (&awsclient.Stack{
		ID: "arn:stack/teamcity", Name: "teamcity", Status: "UPDATE_COMPLETE",
		ParentID: "arn:aws:cloudformation:eu-west-1:123456789012:stack/root/1",
	}).WithValues(map[string]string{"TeamCityVersion": "2024.12-linux-sudo"})}
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("is a nested stack")
	r.waitFor("nested in stack root")
	r.final()
	if created, executed, _ := f.State(); len(created) != 0 || len(executed) != 0 {
		t.Errorf("created %v, executed %v", created, executed)
	}
}
