package wizard

import (
	"context"
	"fmt"
	"slices"
	"sync"
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
}

var _ awsclient.CloudFormation = (*fakeCFN)(nil)

func (f *fakeCFN) Region() string { return f.region }

func (f *fakeCFN) DescribeStack(_ context.Context, name string) (*awsclient.Stack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.describe(name)
	if err != nil || len(f.executed) == 0 {
		return st, err
	}
	// Updating: the stack's status is its latest event's in the pages
	// served so far, as on AWS.
	cp := *st
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
			return &awsclient.Stack{ID: s.ID, Name: s.Name, Status: s.Status, ParameterKeys: []string{"DatabasePassword"}, Capabilities: []string{"CAPABILITY_IAM"}}, nil
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
	defer f.mu.Unlock()
	if f.noChanges {
		return "", &smithy.GenericAPIError{Code: "ValidationError", Message: "The submitted information didn't contain changes."}
	}
	f.created = append(f.created, in.Name)
	return "arn:cs/" + in.Name, nil
}

func (f *fakeCFN) WaitChangeSet(_ context.Context, stack, id string, _ awsclient.Wait) (*awsclient.ChangeSet, error) {
	return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Changes: f.changes}, nil
}

func (f *fakeCFN) DescribeChangeSet(ctx context.Context, stack, id string) (*awsclient.ChangeSet, error) {
	f.mu.Lock()
	gone, done := slices.Contains(f.deleted, id), slices.Contains(f.executed, id)
	made := slices.ContainsFunc(f.created, func(n string) bool { return id == n || id == "arn:cs/"+n })
	f.mu.Unlock()
	switch {
	case gone || !made:
		return nil, fmt.Errorf("change set %s: %w", id, awsclient.ErrChangeSetNotFound)
	case done:
		return &awsclient.ChangeSet{ID: id, Status: "CREATE_COMPLETE", ExecutionStatus: "EXECUTE_COMPLETE", Changes: f.changes}, nil
	}
	return f.WaitChangeSet(ctx, stack, id, awsclient.Wait{})
}

func (f *fakeCFN) ExecuteChangeSet(_ context.Context, stack, id, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.executed = append(f.executed, id)
	if f.onExecute != nil {
		f.onExecute()
	}
	return nil
}

func (f *fakeCFN) DeleteChangeSet(_ context.Context, stack, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, id)
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
