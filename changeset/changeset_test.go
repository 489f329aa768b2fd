package changeset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
)

// fake is a CloudFormation that keeps change sets by ID, several of which
// may share a name (an endpoint that made one per retried request).
type fake struct {
	mu      sync.Mutex
	stack   awsclient.Stack
	body    []byte
	sets    map[string]*awsclient.ChangeSet
	order   []string
	calls   []string
	events  [][]awsclient.StackEvent
	polls   int
	failFor int // DescribeStackEvents fails this many times first
	// deleting: a deleted set first reads DELETE_IN_PROGRESS once.
	deleting map[string]bool
}

func newFake() *fake {
	return &fake{
		stack: awsclient.Stack{ID: "arn:aws:cloudformation:eu-west-1:123456789012:stack/tc/1", Name: "tc", Status: "UPDATE_COMPLETE"},
		body:  []byte("Resources: {}\n"),
		sets:  map[string]*awsclient.ChangeSet{}, deleting: map[string]bool{},
	}
}

func (f *fake) call(s string) { f.calls = append(f.calls, s) }

func (f *fake) Region() string { return "eu-west-1" }
func (f *fake) DescribeStack(context.Context, string) (*awsclient.Stack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("DescribeStacks")
	st := f.stack
	return &st, nil
}
func (f *fake) GetTemplate(context.Context, string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("GetTemplate")
	return f.body, nil
}
func (f *fake) add(name string) string {
	id := fmt.Sprintf("arn:cs/%s/%d", name, len(f.order))
	f.sets[id] = &awsclient.ChangeSet{ID: id, Name: name, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE"}
	f.order = append(f.order, id)
	return id
}
func (f *fake) CreateChangeSet(_ context.Context, in awsclient.ChangeSetInput) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("CreateChangeSet")
	return f.add(in.Name), nil
}
func (f *fake) WaitChangeSet(ctx context.Context, stack, id string, _ awsclient.Wait) (*awsclient.ChangeSet, error) {
	return f.DescribeChangeSet(ctx, stack, id)
}
func (f *fake) DescribeChangeSet(_ context.Context, _, ref string) (*awsclient.ChangeSet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("DescribeChangeSet")
	for _, id := range f.order {
		cs, ok := f.sets[id]
		if !ok || (id != ref && cs.Name != ref) {
			continue
		}
		if f.deleting[id] {
			delete(f.deleting, id)
			delete(f.sets, id)
			return &awsclient.ChangeSet{ID: id, Name: cs.Name, Status: "DELETE_IN_PROGRESS"}, nil
		}
		c := *cs
		return &c, nil
	}
	return nil, fmt.Errorf("change set %s: %w", ref, awsclient.ErrChangeSetNotFound)
}
func (f *fake) ExecuteChangeSet(_ context.Context, _, id, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ExecuteChangeSet")
	f.sets[id].ExecutionStatus = "EXECUTE_IN_PROGRESS"
	return nil
}
func (f *fake) DeleteChangeSet(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("DeleteChangeSet")
	f.deleting[id] = true
	return nil
}
func (f *fake) DescribeStackEvents(context.Context, string) ([]awsclient.StackEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("DescribeStackEvents")
	if f.failFor > 0 {
		f.failFor--
		return nil, &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	}
	if len(f.events) == 0 {
		return nil, nil
	}
	p := f.events[min(f.polls, len(f.events)-1)]
	f.polls++
	return p, nil
}
func (f *fake) UploadTemplate(context.Context, awsclient.Upload) (string, error) { return "", nil }

func (f *fake) left() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id := range f.sets {
		if !f.deleting[id] {
			n++
		}
	}
	return n
}

func newSet(f *fake) *Set {
	st := f.stack
	return &Set{
		Client:   f,
		Reviewed: Review(&st, f.body),
		Input:    awsclient.ChangeSetInput{Stack: "tc", Name: "tcdind-socket-20261201-100000-0a0b0c0d"},
		Settle:   5 * time.Second,
		Lookups:  []time.Duration{0, time.Millisecond, time.Millisecond},
		Where:    " --region eu-west-1",
	}
}

// A create whose answer was lost is cleaned up by name, every set of that
// name, each read back until gone (through DELETE_IN_PROGRESS).
func TestCleanupByNameDeletesEverySameNamedSet(t *testing.T) {
	f := newFake()
	s := newSet(f)
	f.add(s.Input.Name)
	f.add(s.Input.Name)
	c := s.Cleanup(context.Background())
	if !c.Checked() || !c.Deleted || f.left() != 0 {
		t.Fatalf("cleanup %+v, %d left; calls %v", c, f.left(), f.calls)
	}
	if !strings.Contains(c.String(), "deleted (checked: it no longer exists), stack tc unchanged") {
		t.Errorf("String() = %q", c)
	}
}

// By name, nothing found: looked up len(Lookups) times, then "none left".
func TestCleanupByNameNothingFound(t *testing.T) {
	f := newFake()
	s := newSet(f)
	c := s.Cleanup(context.Background())
	if !c.Checked() || c.Deleted || strings.Count(strings.Join(f.calls, " "), "DescribeChangeSet") != 3 {
		t.Fatalf("cleanup %+v; calls %v", c, f.calls)
	}
	if !strings.Contains(c.String(), "no change set was left (checked: none named") {
		t.Errorf("String() = %q", c)
	}
}

// An interrupted run reports what its cleanup checked, as exit 130; an
// unchecked one is exit 4 with the commands.
func TestOutcome(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := Cleanup{Stack: "tc", Name: "cs", Deleted: true, Where: " --region eu-west-1"}
	if err := c.Outcome(ctx, nil); exitcode.Code(err) != exitcode.Interrupted || !strings.Contains(err.Error(), "interrupted: change set cs deleted") {
		t.Errorf("interrupted: %v", err)
	}
	c.Err = errors.New("AccessDenied")
	err := c.Outcome(context.Background(), errors.New("create failed"))
	if exitcode.Code(err) != exitcode.Pending || !strings.Contains(err.Error(), "aws cloudformation delete-change-set --stack-name tc --change-set-name cs --region eu-west-1") {
		t.Errorf("unchecked: %v", err)
	}
	c = Cleanup{Stack: "tc", Name: "cs", Deleted: true}
	if err := c.Outcome(context.Background(), errors.New("not executed: you answered no")); exitcode.Code(err) != exitcode.Failure || !strings.HasPrefix(err.Error(), "not executed: you answered no; change set cs deleted") {
		t.Errorf("declined: %v", err)
	}
}

// The stack moved between the review and the change set: nothing made.
func TestCreateRefusesAMovedStack(t *testing.T) {
	f := newFake()
	s := newSet(f)
	f.body = []byte("Resources: {X: {Type: AWS::SNS::Topic}}\n")
	_, err := s.Create(context.Background())
	var moved *MovedError
	if !errors.As(err, &moved) || strings.Contains(strings.Join(f.calls, " "), "CreateChangeSet") {
		t.Fatalf("err %v; calls %v", err, f.calls)
	}
	f = newFake()
	s = newSet(f)
	f.stack.LastUpdated = time.Date(2026, 12, 1, 10, 42, 3, 0, time.UTC)
	if _, err := s.Create(context.Background()); !errors.As(err, &moved) || !strings.Contains(err.Error(), "was updated at 2026-12-01 10:42:03 UTC") {
		t.Fatalf("err %v", err)
	}
}

// Started reads the change set, then the stack once the set is gone.
func TestStarted(t *testing.T) {
	f := newFake()
	s := newSet(f)
	s.ID = f.add(s.Input.Name)
	if ok, err := s.Started(context.Background()); ok || err != nil {
		t.Errorf("AVAILABLE: %v %v", ok, err)
	}
	f.sets[s.ID].ExecutionStatus = "EXECUTE_COMPLETE"
	if ok, _ := s.Started(context.Background()); !ok {
		t.Error("EXECUTE_COMPLETE not started")
	}
	delete(f.sets, s.ID)
	if ok, _ := s.Started(context.Background()); ok {
		t.Error("gone and the stack unchanged: started")
	}
	f.stack.Status = "UPDATE_IN_PROGRESS"
	if ok, _ := s.Started(context.Background()); !ok {
		t.Error("gone and the stack updating: not started")
	}
}

// The follower retries failed reads with back-off, then gives up with
// exit 4; a quiet poll reads the stack and ends on its final status.
func TestFollower(t *testing.T) {
	f := newFake()
	st := f.stack
	u := &Update{Stack: &st, Token: "tok", Started: time.Now()}
	fl := &Follower{Client: f, Update: u, Poll: []time.Duration{0, time.Millisecond}, GiveUp: time.Hour, Where: " --region eu-west-1"}
	f.failFor = 2
	f.events = [][]awsclient.StackEvent{{{ID: "1", Time: time.Now(), LogicalID: "tc", PhysicalID: st.ID, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_IN_PROGRESS", ClientRequestToken: "tok"}}}
	f.stack.Status = "UPDATE_IN_PROGRESS"
	for i := 0; i < 2; i++ {
		if ev, err := fl.Next(context.Background()); err != nil || len(ev) != 0 || fl.LastErr == nil {
			t.Fatalf("failed read %d: %v %v %v", i, ev, err, fl.LastErr)
		}
	}
	if ev, err := fl.Next(context.Background()); err != nil || len(ev) != 1 || fl.LastErr != nil {
		t.Fatalf("good read: %v %v", ev, err)
	}
	// Quiet: the stack is still updating.
	if _, err := fl.Next(context.Background()); err != nil || u.Done() {
		t.Fatalf("quiet poll: %v done=%v", err, u.Done())
	}
	// Someone else rolled it back: the stack's status ends it.
	f.mu.Lock()
	f.stack.Status, f.stack.StatusReason = "UPDATE_ROLLBACK_COMPLETE", "cancelled by user"
	f.mu.Unlock()
	if _, err := fl.Next(context.Background()); err != nil || u.Final != "UPDATE_ROLLBACK_COMPLETE" || u.StackReason != "cancelled by user" {
		t.Fatalf("final %q reason %q err %v", u.Final, u.StackReason, err)
	}

	f = newFake()
	st = f.stack
	u = &Update{Stack: &st, Token: "tok", Started: time.Now()}
	now := time.Now()
	fl = &Follower{Client: f, Update: u, Poll: []time.Duration{0, time.Millisecond}, GiveUp: time.Minute, Where: " --region eu-west-1",
		Now: func() time.Time { now = now.Add(40 * time.Second); return now }}
	f.failFor = 10
	var err error
	for i := 0; i < 5 && err == nil; i++ {
		_, err = fl.Next(context.Background())
	}
	if exitcode.Code(err) != exitcode.Pending || !strings.Contains(err.Error(), "follow it with aws cloudformation describe-stack-events --stack-name tc --region eu-west-1") {
		t.Fatalf("give up: %v", err)
	}
}

// A terminal status read before any event of the update is not its end:
// the update may not have begun.
func TestSettleWaitsForTheUpdateToBegin(t *testing.T) {
	st := &awsclient.Stack{Name: "tc", Status: "UPDATE_COMPLETE"}
	u := &Update{Stack: st}
	u.Settle(&awsclient.Stack{Name: "tc", Status: "UPDATE_COMPLETE"})
	if u.Done() {
		t.Error("done before it began")
	}
	u.Settle(&awsclient.Stack{Name: "tc", Status: "UPDATE_COMPLETE", LastUpdated: time.Now()})
	if !u.Done() {
		t.Error("a newer last update is its end")
	}
}

func TestScope(t *testing.T) {
	sc := Scope{Allowed: []string{"AgentTaskDefinition", "AgentService"}, Bare: []string{"ECSCluster"}}
	got := sc.Unexpected([]awsclient.ResourceChange{
		{Action: "Modify", LogicalID: "AgentTaskDefinition"},
		{Action: "Modify", LogicalID: "AgentService"},
		{Action: "Modify", LogicalID: "ECSCluster"},
		{Action: "Remove", LogicalID: "ECSCluster", ResourceType: "AWS::ECS::Cluster"},
		{Action: "Add", LogicalID: "Backdoor", ResourceType: "AWS::IAM::Role"},
	})
	if DescribeChanges(got) != "Remove ECSCluster (AWS::ECS::Cluster), Add Backdoor (AWS::IAM::Role)" {
		t.Errorf("unexpected %s", DescribeChanges(got))
	}
}

func TestSettled(t *testing.T) {
	for status, want := range map[string]string{
		"CREATE_COMPLETE":                     "",
		"UPDATE_COMPLETE":                     "",
		"UPDATE_ROLLBACK_COMPLETE":            "",
		"IMPORT_COMPLETE":                     "",
		"IMPORT_ROLLBACK_COMPLETE":            "",
		"ROLLBACK_COMPLETE":                   "can only be deleted",
		"REVIEW_IN_PROGRESS":                  "never executed",
		"UPDATE_IN_PROGRESS":                  "busy",
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "busy",
		"CREATE_IN_PROGRESS":                  "busy",
		"DELETE_IN_PROGRESS":                  "busy",
		"UPDATE_ROLLBACK_FAILED":              "continue-update-rollback --stack-name tc --region eu-west-1",
		"CREATE_FAILED":                       "repair it first",
		"DELETE_FAILED":                       "repair it first",
		"DELETE_COMPLETE":                     "was deleted",
	} {
		err := Settled(&awsclient.Stack{Name: "tc", Status: status}, " --region eu-west-1")
		switch {
		case want == "" && err != nil:
			t.Errorf("%s refused: %v", status, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), status)):
			t.Errorf("%s: err = %v, want one naming the status and containing %q", status, err, want)
		}
	}
}

func TestNewInputNamesAreUnique(t *testing.T) {
	st := &awsclient.Stack{Name: "tc", ParameterKeys: []string{"A", "V"}}
	res := &dind.Result{Targets: []string{"AgentTaskDefinition"}, Output: []byte("x"), ParameterOverrides: map[string]string{"V": "2025.07-linux-sudo"}}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a, b := NewInput(st, res, dind.ModeSocket, now, nil), NewInput(st, res, dind.ModeSocket, now, nil)
	if a.Name == b.Name || a.ClientToken == b.ClientToken || !strings.HasPrefix(a.Name, "tcdind-socket-20261201-100000-") || len(a.Name) != len("tcdind-socket-20261201-100000-")+8 {
		t.Errorf("names %s %s", a.Name, b.Name)
	}
	if a.ParameterValues["V"] != "2025.07-linux-sudo" || len(a.PreviousParameters) != 2 {
		t.Errorf("parameters %v %v", a.PreviousParameters, a.ParameterValues)
	}
	if templateExt([]byte("\ufeff  {\"Resources\": {}}")) != "json" || templateExt([]byte("Resources: {}\n")) != "yaml" {
		t.Error("templateExt")
	}
	if StackName("arn:aws:cloudformation:us-east-1:1:stack/root/abc") != "root" || StackName("root") != "root" {
		t.Error("stackName")
	}
}
