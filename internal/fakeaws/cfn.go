// Package fakeaws is a scripted CloudFormation for tests: stacks and their
// templates, change sets, the pages of events an update yields, and gates
// that hold a call in flight. The wizard's and the batch flow's tests share
// it; it satisfies the interfaces both consume (wizard.Client,
// batch.StackClient, rollout.Client, changeset.Canceller).
package fakeaws

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

// CFN is a scripted CloudFormation: stacks and their templates, a change
// set, and the pages of events an update yields.
type CFN struct {
	Mu         sync.Mutex
	RegionName string
	// UpdatedAt is the stacks' last update; an update that ended before
	// anyone looked (EndedAs) ended a minute after it.
	UpdatedAt time.Time

	Stacks    []awsclient.StackSummary
	ListErr   error
	ListBlock chan struct{}     // holds ListStacks until closed
	Templates map[string][]byte // by stack name
	Described map[string]*awsclient.Stack
	// Values are the deployed parameter values of the stacks of Stacks
	// (nil: DatabasePassword **** and TeamCityVersion 2024.12-linux-sudo, an agent image that starts Docker in privileged mode).
	Values map[string]string

	Changes   []awsclient.ResourceChange
	NoChanges bool
	// Events are the pages DescribeStackEvents returns, one per call; the
	// last repeats.
	Events [][]awsclient.StackEvent
	Calls  int
	// Block holds DescribeStackEvents from the call after events ran out.
	Block chan struct{}

	// Created, Executed and Deleted are the change sets of each call, in
	// order (Executed and Deleted by ID).
	Created, Executed, Deleted []string
	// OnExecute runs when the change set is executed.
	OnExecute func()

	// Faults. Ops is every change set call that changed
	// something, in order: "create NAME", "execute NAME", "delete NAME".
	Ops []string
	// CreateGate and ExecuteGate hold CreateChangeSet and ExecuteChangeSet
	// until released, as an answer still in flight; the change set is made
	// (or executed) when the call is released, as AWS would.
	CreateGate, ExecuteGate *Gate
	// WaitGate holds WaitChangeSet, DeleteGate DeleteChangeSet.
	WaitGate, DeleteGate *Gate
	// ExecuteErr is ExecuteChangeSet's answer; ExecuteLost: AWS executed
	// it all the same (the answer was lost on the way back).
	ExecuteErr  error
	ExecuteLost bool
	// Obsolete are change sets a later update of their stack made
	// OBSOLETE, by name.
	Obsolete map[string]bool
	// GoneAfterExecute: an executed change set is no longer found, as
	// CloudFormation removes it once the update is done.
	GoneAfterExecute bool
	// EndedAs, once executed, is the stack's status (with a newer last
	// update): the update ended before anyone looked.
	EndedAs string
	// DeleteErr is DeleteChangeSet's answer: it deletes nothing.
	DeleteErr error
	// TemplateURL is the last change set's TemplateURL (S3).
	TemplateURL string

	// ECS scripts the agents' rollout (ecs.go); nil: the stack has no
	// resources to follow.
	ECS *ECS
	// Cancels are the CancelUpdateStack calls that succeeded ("stack
	// token"); CancelErr is its answer; OnCancel runs after one.
	Cancels   []string
	CancelErr error
	OnCancel  func()
	// CallCount counts the calls of ecs.go's methods by API action.
	CallCount map[string]int
}

// Gate holds a call until released.
type Gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

// NewGate is a closed door; the test's end opens it, so that no call
// stays held (register it after start: cleanups run last first).
func NewGate(t testing.TB) *Gate {
	g := &Gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(g.Open)
	return g
}

// Open lets the held call, and every later one, through.
func (g *Gate) Open() { g.once.Do(func() { close(g.release) }) }

// Pass signals the call arrived and waits for the door to open. It does
// not watch the caller's context: AWS answers a request it received.
func (g *Gate) Pass() {
	if g == nil {
		return
	}
	select {
	case g.entered <- struct{}{}:
	default:
	}
	<-g.release
}

// Arrived waits until a call is held at the gate.
func (g *Gate) Arrived(t testing.TB) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the call never came")
	}
}

// csName is a change set's name from its ARN or name.
func csName(id string) string { return strings.TrimPrefix(id, "arn:cs/") }

// Colleague updates stack name with template body, as someone else's
// deploy would: at is the stack's new last update (zero: a stack that does
// not tell, as before), and change sets made before it become OBSOLETE
// when obsolete is true, as CloudFormation makes them.
func (f *CFN) Colleague(name string, body []byte, at time.Time, obsolete bool) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Templates[name] = body
	if st, err := f.describe(name); err == nil {
		cp := *st
		cp.LastUpdated = at
		if f.Described == nil {
			f.Described = map[string]*awsclient.Stack{}
		}
		f.Described[st.Name] = &cp
	}
	if obsolete {
		if f.Obsolete == nil {
			f.Obsolete = map[string]bool{}
		}
		for _, n := range f.Created {
			f.Obsolete[n] = true
		}
	}
}

// Left are the change sets that exist: created, neither deleted nor
// executed.
func (f *CFN) Left() []string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	var out []string
	for _, n := range f.Created {
		if !f.isGone(n) && !f.isExecuted(n) {
			out = append(out, n)
		}
	}
	return out
}

func (f *CFN) isGone(name string) bool {
	return slices.ContainsFunc(f.Deleted, func(d string) bool { return csName(d) == name })
}

func (f *CFN) isExecuted(name string) bool {
	return slices.ContainsFunc(f.Executed, func(d string) bool { return csName(d) == name })
}

func (f *CFN) OpLog() []string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return slices.Clone(f.Ops)
}

func (f *CFN) Region() string { return f.RegionName }

func (f *CFN) DescribeStack(_ context.Context, name string) (*awsclient.Stack, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	st, err := f.describe(name)
	if err != nil {
		return nil, err
	}
	cp := *st // the caller keeps its copy when the stack changes
	if len(f.Executed) == 0 {
		return &cp, nil
	}
	if f.EndedAs != "" {
		cp.Status, cp.LastUpdated = f.EndedAs, f.UpdatedAt.Add(time.Minute)
		return &cp, nil
	}
	// Updating: the stack's status is its latest event's in the pages
	// served so far, as on AWS.
	cp.Status = "UPDATE_IN_PROGRESS"
	for i := min(f.Calls, len(f.Events)) - 1; i >= 0; i-- {
		if page := f.Events[i]; len(page) > 0 {
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

func (f *CFN) describe(name string) (*awsclient.Stack, error) {
	if st, ok := f.Described[name]; ok {
		return st, nil
	}
	for _, st := range f.Described {
		if st.ID == name {
			return st, nil
		}
	}
	for _, s := range f.Stacks {
		if s.Name == name || s.ID == name {
			values := f.Values
			if values == nil {
				values = map[string]string{"DatabasePassword": "****", "TeamCityVersion": "2024.12-linux-sudo"}
			}
			var keys []string
			for k := range values {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			return (&awsclient.Stack{ID: s.ID, Name: s.Name, Status: s.Status, ParameterKeys: keys, Capabilities: []string{"CAPABILITY_IAM"}}).WithValues(values), nil
		}
	}
	return nil, &awsclient.NotFoundError{Stack: name, Region: f.RegionName}
}

func (f *CFN) GetTemplate(_ context.Context, name string) ([]byte, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if t, ok := f.Templates[name]; ok {
		return t, nil
	}
	for _, st := range f.Described {
		if st.ID == name {
			if t, ok := f.Templates[st.Name]; ok {
				return t, nil
			}
		}
	}
	for _, s := range f.Stacks {
		if s.ID == name {
			if t, ok := f.Templates[s.Name]; ok {
				return t, nil
			}
		}
	}
	return []byte("Resources: {}\n"), nil
}

func (f *CFN) ParameterValues(context.Context, string, []string) (map[string]string, error) {
	return map[string]string{}, nil
}

func (f *CFN) NestedStacks(context.Context, string) ([]awsclient.StackResource, error) {
	return nil, nil
}

func (f *CFN) ListStacks(ctx context.Context) ([]awsclient.StackSummary, error) {
	if f.ListBlock != nil {
		select {
		case <-f.ListBlock:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]awsclient.StackSummary(nil), f.Stacks...), f.ListErr
}

func (f *CFN) TaskDefinitionIDs(_ context.Context, name string) ([]string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if _, ok := f.Templates[name]; ok {
		return []string{"AgentTaskDefinition"}, nil
	}
	return nil, nil
}

func (f *CFN) CreateChangeSet(_ context.Context, in awsclient.ChangeSetInput) (string, error) {
	f.Mu.Lock()
	g := f.CreateGate
	f.Mu.Unlock()
	g.Pass()
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.NoChanges {
		return "", &smithy.GenericAPIError{Code: "ValidationError", Message: "The submitted information didn't contain changes."}
	}
	f.Created = append(f.Created, in.Name)
	f.Ops = append(f.Ops, "create "+in.Name)
	f.TemplateURL = in.TemplateURL
	return "arn:cs/" + in.Name, nil
}

func (f *CFN) WaitChangeSet(_ context.Context, stack, id string, _ awsclient.Wait) (*awsclient.ChangeSet, error) {
	f.Mu.Lock()
	g := f.WaitGate
	f.Mu.Unlock()
	g.Pass()
	return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Changes: f.Changes}, nil
}

func (f *CFN) DescribeChangeSet(ctx context.Context, stack, id string) (*awsclient.ChangeSet, error) {
	f.Mu.Lock()
	name := csName(id)
	gone, done := f.isGone(name), f.isExecuted(name)
	made := slices.Contains(f.Created, name)
	obsolete, vanish := f.Obsolete[name], f.GoneAfterExecute
	f.Mu.Unlock()
	switch {
	case gone || !made || done && vanish:
		return nil, fmt.Errorf("change set %s: %w", id, awsclient.ErrChangeSetNotFound)
	case done:
		return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "EXECUTE_COMPLETE", Changes: f.Changes}, nil
	case obsolete:
		return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "OBSOLETE", Changes: f.Changes}, nil
	}
	return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Changes: f.Changes}, nil
}

func (f *CFN) ExecuteChangeSet(_ context.Context, stack, id, token string) error {
	f.Mu.Lock()
	g := f.ExecuteGate
	f.Mu.Unlock()
	g.Pass()
	f.Mu.Lock()
	defer f.Mu.Unlock()
	name := csName(id)
	switch {
	case f.isGone(name) || !slices.Contains(f.Created, name):
		return &smithy.GenericAPIError{Code: "ChangeSetNotFound", Message: "ChangeSet [" + id + "] does not exist"}
	case f.Obsolete[name]:
		return &smithy.GenericAPIError{Code: "InvalidChangeSetStatus", Message: "ChangeSet [" + id + "] cannot be executed in its current status of [OBSOLETE]"}
	case f.isExecuted(name):
		return &smithy.GenericAPIError{Code: "InvalidChangeSetStatus", Message: "ChangeSet [" + id + "] cannot be executed in its current status of [EXECUTE_COMPLETE]"}
	case f.ExecuteErr != nil && !f.ExecuteLost:
		return f.ExecuteErr
	}
	f.Executed = append(f.Executed, id)
	f.Ops = append(f.Ops, "execute "+name)
	if f.OnExecute != nil {
		f.OnExecute()
	}
	return f.ExecuteErr
}

func (f *CFN) DeleteChangeSet(_ context.Context, stack, id string) error {
	f.Mu.Lock()
	g := f.DeleteGate
	f.Mu.Unlock()
	g.Pass()
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.DeleteErr != nil {
		return f.DeleteErr
	}
	f.Deleted = append(f.Deleted, id)
	f.Ops = append(f.Ops, "delete "+csName(id))
	return nil
}

func (f *CFN) DescribeStackEvents(ctx context.Context, stack string) ([]awsclient.StackEvent, error) {
	f.Mu.Lock()
	i := f.Calls
	f.Calls++
	block, ran := f.Block, i >= len(f.Events)
	f.Mu.Unlock()
	if ran && block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// Read under the lock: OnCancel may add the rollback's pages.
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if len(f.Events) == 0 {
		return nil, nil
	}
	return f.Events[min(i, len(f.Events)-1)], nil
}

func (f *CFN) UploadTemplate(_ context.Context, u awsclient.Upload) (string, error) {
	return awsclient.TemplateURL(u.Partition, u.Region, u.Bucket, u.Key, ""), nil
}

func (f *CFN) State() (created, executed, deleted []string) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]string(nil), f.Created...), append([]string(nil), f.Executed...), append([]string(nil), f.Deleted...)
}
