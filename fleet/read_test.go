package fleet

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/tcdind/tcdind/awsclient"
)

const agentTemplate = `Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Privileged: true
`

// fakeClient is one region of stacks, each with an agent task definition;
// it records how many calls run at once.
type fakeClient struct {
	region  string
	stacks  int
	denied  bool
	running *atomic.Int32
	peak    *atomic.Int32
}

func (f *fakeClient) enter() func() {
	n := f.running.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	return func() { f.running.Add(-1) }
}

func (f *fakeClient) Region() string { return f.region }
func (f *fakeClient) ListStacks(context.Context) ([]awsclient.StackSummary, error) {
	if f.denied {
		return nil, fmt.Errorf("list stacks in %s: %w", f.region, &smithy.GenericAPIError{Code: "AccessDenied", Message: "explicit deny in a service control policy"})
	}
	var out []awsclient.StackSummary
	for i := range f.stacks {
		out = append(out, awsclient.StackSummary{ID: fmt.Sprintf("arn:aws:cloudformation:%s:111122223333:stack/s%02d/x", f.region, i), Name: fmt.Sprintf("s%02d", i), Status: "UPDATE_COMPLETE"})
	}
	return out, nil
}
func (f *fakeClient) StackResources(context.Context, string) ([]awsclient.StackResource, error) {
	defer f.enter()()
	return []awsclient.StackResource{{LogicalID: "Agent", PhysicalID: "arn:aws:ecs:r:1:task-definition/agent:4", Type: "AWS::ECS::TaskDefinition"}}, nil
}
func (f *fakeClient) GetTemplate(context.Context, string) ([]byte, error) {
	defer f.enter()()
	return []byte(agentTemplate), nil
}
func (f *fakeClient) DescribeStack(_ context.Context, id string) (*awsclient.Stack, error) {
	defer f.enter()()
	return &awsclient.Stack{ID: id, Name: strings.Split(id, "/")[1], Status: "UPDATE_COMPLETE"}, nil
}
func (f *fakeClient) DescribeServices(context.Context, string, []string) ([]awsclient.Service, error) {
	return nil, nil
}
func (f *fakeClient) EnabledRegions(context.Context) ([]string, error) { return nil, nil }

// Read keeps at most Concurrency stacks in flight over every region, and
// a denied region is a note beside the others' stacks.
func TestReadBoundedAndDeniedIsANote(t *testing.T) {
	var running, peak atomic.Int32
	var mu sync.Mutex
	r := &Reader{
		Regions:     []string{"us-east-1", "eu-west-1", "eu-central-1"},
		Concurrency: 3,
		NewClient: func(_ context.Context, _, region string) (Client, error) {
			mu.Lock()
			defer mu.Unlock()
			return &fakeClient{region: region, stacks: 12, denied: region == "eu-central-1", running: &running, peak: &peak}, nil
		},
	}
	st := r.Read(context.Background())
	if got := peak.Load(); got > 3 || got < 2 {
		t.Errorf("peak of calls at once %d, want 2..3 (Concurrency 3)", got)
	}
	if len(st.Stacks) != 24 || st.Scanned != 24 {
		t.Errorf("%d stacks of %d scanned, want 24 of 24", len(st.Stacks), st.Scanned)
	}
	if len(st.Notes) != 1 || st.Notes[0].Region != "eu-central-1" {
		t.Errorf("notes %+v", st.Notes)
	}
	a := st.Stacks[0].Agents[0]
	if a.Mode != "privileged" || !a.Sudo || a.Tag != "2025.07-linux-sudo" || a.Revision != "agent:4" || a.Drift {
		t.Errorf("agent %+v", a)
	}
	if st.Stacks[0].Region != "eu-west-1" || st.Stacks[23].Region != "us-east-1" || st.Stacks[0].Name != "s00" {
		t.Errorf("not sorted by region and name: %s/%s … %s", st.Stacks[0].Region, st.Stacks[0].Name, st.Stacks[23].Region)
	}
	if st.Calls["cloudformation:ListStackResources"] != 24 || st.Calls["cloudformation:ListStacks"] != 3 {
		t.Errorf("calls %v", st.Calls)
	}
}
