package wizard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/tcdind/tcdind/awsclient"
)

// fakeCFN is a scripted CloudFormation for the screens' tests: stacks and
// their templates, a change set, and the pages of events an update yields.
type fakeCFN struct {
	mu     sync.Mutex
	region string

	stacks    []awsclient.StackSummary
	listErr   error
	listBlock chan struct{}     // holds ListStacks until closed
	templates map[string][]byte // by stack name
	described map[string]*awsclient.Stack

	changes   []awsclient.ResourceChange
	noChanges bool
	// events are the pages DescribeStackEvents returns, one per call; the
	// last repeats.
	events [][]awsclient.StackEvent
	calls  int
	// block holds DescribeStackEvents from the call after events ran out.
	block chan struct{}

	created, executed, deleted []string
	// onExecute runs when the change set is executed.
	onExecute func()

	// Faults (faults_test.go). ops is every change set call that changed
	// something, in order: "create NAME", "execute NAME", "delete NAME".
	ops []string
	// createGate and executeGate hold CreateChangeSet and ExecuteChangeSet
	// until released, as an answer still in flight; the change set is made
	// (or executed) when the call is released, as AWS would.
	createGate, executeGate *gate
	// waitGate holds WaitChangeSet, deleteGate DeleteChangeSet.
	waitGate, deleteGate *gate
	// executeErr is ExecuteChangeSet's answer; executeLost: AWS executed
	// it all the same (the answer was lost on the way back).
	executeErr  error
	executeLost bool
	// obsolete are change sets a later update of their stack made
	// OBSOLETE, by name.
	obsolete map[string]bool
	// goneAfterExecute: an executed change set is no longer found, as
	// CloudFormation removes it once the update is done.
	goneAfterExecute bool
	// endedAs, once executed, is the stack's status (with a newer last
	// update): the update ended before anyone looked.
	endedAs string
	// deleteErr is DeleteChangeSet's answer: it deletes nothing.
	deleteErr error
	// templateURL is the last change set's TemplateURL (S3).
	templateURL string
}

// gate holds a call until released.
type gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

// newGate is a closed door; the test's end opens it, so that no call
// stays held (register it after start: cleanups run last first).
func newGate(t *testing.T) *gate {
	g := &gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(g.open)
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// pass signals the call arrived and waits for the door to open. It does
// not watch the caller's context: AWS answers a request it received.
func (g *gate) pass() {
	if g == nil {
		return
	}
	select {
	case g.entered <- struct{}{}:
	default:
	}
	<-g.release
}

// arrived waits until a call is held at the gate.
func (g *gate) arrived(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the call never came")
	}
}

// csName is a change set's name from its ARN or name.
func csName(id string) string { return strings.TrimPrefix(id, "arn:cs/") }

// colleague updates stack name with template body, as someone else's
// deploy would: at is the stack's new last update (zero: a stack that does
// not tell, as before), and change sets made before it become OBSOLETE
// when obsolete is true, as CloudFormation makes them.
func (f *fakeCFN) colleague(name string, body []byte, at time.Time, obsolete bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.templates[name] = body
	if st, err := f.describe(name); err == nil {
		cp := *st
		cp.LastUpdated = at
		if f.described == nil {
			f.described = map[string]*awsclient.Stack{}
		}
		f.described[st.Name] = &cp
	}
	if obsolete {
		if f.obsolete == nil {
			f.obsolete = map[string]bool{}
		}
		for _, n := range f.created {
			f.obsolete[n] = true
		}
	}
}

// left are the change sets that exist: created, neither deleted nor
// executed.
func (f *fakeCFN) left() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.created {
		if !f.isGone(n) && !f.isExecuted(n) {
			out = append(out, n)
		}
	}
	return out
}

func (f *fakeCFN) isGone(name string) bool {
	return slices.ContainsFunc(f.deleted, func(d string) bool { return csName(d) == name })
}

func (f *fakeCFN) isExecuted(name string) bool {
	return slices.ContainsFunc(f.executed, func(d string) bool { return csName(d) == name })
}

func (f *fakeCFN) opLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ops)
}

var _ Client = (*fakeCFN)(nil)

func (f *fakeCFN) Region() string { return f.region }

func (f *fakeCFN) DescribeStack(_ context.Context, name string) (*awsclient.Stack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.describe(name)
	if err != nil {
		return nil, err
	}
	cp := *st // the caller keeps its copy when the stack changes
	if len(f.executed) == 0 {
		return &cp, nil
	}
	if f.endedAs != "" {
		cp.Status, cp.LastUpdated = f.endedAs, t0.Add(time.Minute)
		return &cp, nil
	}
	// Updating: the stack's status is its latest event's in the pages
	// served so far, as on AWS.
	cp.Status = "UPDATE_IN_PROGRESS"
	for i := min(f.calls, len(f.events)) - 1; i >= 0; i-- {
		if page := f.events[i]; len(page) > 0 {
			for _, e := range page {
				if e.IsStack() {
					cp.Status = e.Status
					break
				}
			}
			break
		}
	}
	return &cp, nil
}

func (f *fakeCFN) describe(name string) (*awsclient.Stack, error) {
	if st, ok := f.described[name]; ok {
		return st, nil
	}
	for _, st := range f.described {
		if st.ID == name {
			return st, nil
		}
	}
	for _, s := range f.stacks {
		if s.Name == name || s.ID == name {
			return (&awsclient.Stack{ID: s.ID, Name: s.Name, Status: s.Status, ParameterKeys: []string{"DatabasePassword", "TeamCityVersion"}, Capabilities: []string{"CAPABILITY_IAM"}}).WithValues(map[string]string{"DatabasePassword": "****", "TeamCityVersion": "2024.12"}), nil
		}
	}
	return nil, &awsclient.NotFoundError{Stack: name, Region: f.region}
}

func (f *fakeCFN) GetTemplate(_ context.Context, name string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.templates[name]; ok {
		return t, nil
	}
	for _, st := range f.described {
		if st.ID == name {
			if t, ok := f.templates[st.Name]; ok {
				return t, nil
			}
		}
	}
	for _, s := range f.stacks {
		if s.ID == name {
			if t, ok := f.templates[s.Name]; ok {
				return t, nil
			}
		}
	}
	return []byte("Resources: {}\n"), nil
}

func (f *fakeCFN) ParameterValues(context.Context, string, []string) (map[string]string, error) {
	return map[string]string{}, nil
}

func (f *fakeCFN) NestedStacks(context.Context, string) ([]awsclient.StackResource, error) {
	return nil, nil
}

func (f *fakeCFN) ListStacks(ctx context.Context) ([]awsclient.StackSummary, error) {
	if f.listBlock != nil {
		select {
		case <-f.listBlock:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return f.stacks, f.listErr
}

func (f *fakeCFN) TaskDefinitionIDs(_ context.Context, name string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.templates[name]; ok {
		return []string{"AgentTaskDefinition"}, nil
	}
	return nil, nil
}

func (f *fakeCFN) CreateChangeSet(_ context.Context, in awsclient.ChangeSetInput) (string, error) {
	f.mu.Lock()
	g := f.createGate
	f.mu.Unlock()
	g.pass()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noChanges {
		return "", &smithy.GenericAPIError{Code: "ValidationError", Message: "The submitted information didn't contain changes."}
	}
	f.created = append(f.created, in.Name)
	f.ops = append(f.ops, "create "+in.Name)
	f.templateURL = in.TemplateURL
	return "arn:cs/" + in.Name, nil
}

func (f *fakeCFN) WaitChangeSet(_ context.Context, stack, id string, _ awsclient.Wait) (*awsclient.ChangeSet, error) {
	f.mu.Lock()
	g := f.waitGate
	f.mu.Unlock()
	g.pass()
	return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Changes: f.changes}, nil
}

func (f *fakeCFN) DescribeChangeSet(ctx context.Context, stack, id string) (*awsclient.ChangeSet, error) {
	f.mu.Lock()
	name := csName(id)
	gone, done := f.isGone(name), f.isExecuted(name)
	made := slices.Contains(f.created, name)
	obsolete, vanish := f.obsolete[name], f.goneAfterExecute
	f.mu.Unlock()
	switch {
	case gone || !made || done && vanish:
		return nil, fmt.Errorf("change set %s: %w", id, awsclient.ErrChangeSetNotFound)
	case done:
		return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "EXECUTE_COMPLETE", Changes: f.changes}, nil
	case obsolete:
		return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "OBSOLETE", Changes: f.changes}, nil
	}
	return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Changes: f.changes}, nil
}

func (f *fakeCFN) ExecuteChangeSet(_ context.Context, stack, id, token string) error {
	f.mu.Lock()
	g := f.executeGate
	f.mu.Unlock()
	g.pass()
	f.mu.Lock()
	defer f.mu.Unlock()
	name := csName(id)
	switch {
	case f.isGone(name) || !slices.Contains(f.created, name):
		return &smithy.GenericAPIError{Code: "ChangeSetNotFound", Message: "ChangeSet [" + id + "] does not exist"}
	case f.obsolete[name]:
		return &smithy.GenericAPIError{Code: "InvalidChangeSetStatus", Message: "ChangeSet [" + id + "] cannot be executed in its current status of [OBSOLETE]"}
	case f.isExecuted(name):
		return &smithy.GenericAPIError{Code: "InvalidChangeSetStatus", Message: "ChangeSet [" + id + "] cannot be executed in its current status of [EXECUTE_COMPLETE]"}
	case f.executeErr != nil && !f.executeLost:
		return f.executeErr
	}
	f.executed = append(f.executed, id)
	f.ops = append(f.ops, "execute "+name)
	if f.onExecute != nil {
		f.onExecute()
	}
	return f.executeErr
}

func (f *fakeCFN) DeleteChangeSet(_ context.Context, stack, id string) error {
	f.mu.Lock()
	g := f.deleteGate
	f.mu.Unlock()
	g.pass()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleteErr != nil {
		return f.deleteErr
	}
	f.deleted = append(f.deleted, id)
	f.ops = append(f.ops, "delete "+csName(id))
	return nil
}

func (f *fakeCFN) DescribeStackEvents(ctx context.Context, stack string) ([]awsclient.StackEvent, error) {
	f.mu.Lock()
	i := f.calls
	f.calls++
	block := f.block
	f.mu.Unlock()
	if i >= len(f.events) && block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if len(f.events) == 0 {
		return nil, nil
	}
	return f.events[min(i, len(f.events)-1)], nil
}

func (f *fakeCFN) UploadTemplate(_ context.Context, u awsclient.Upload) (string, error) {
	return awsclient.TemplateURL(u.Partition, u.Region, u.Bucket, u.Key, ""), nil
}

func (f *fakeCFN) state() (created, executed, deleted []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.created...), append([]string(nil), f.executed...), append([]string(nil), f.deleted...)
}

// accessDenied is the error AWS answers without the permission.
func accessDenied(op string) error {
	return fmt.Errorf("list stacks in eu-west-1: %w", &smithy.OperationError{ServiceID: "CloudFormation", OperationName: op,
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:ListStacks"}})
}

// clock is a settable clock for elapsed times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
