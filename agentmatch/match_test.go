package agentmatch

import (
	"context"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/teamcity"
)

// Docker's IDs are 64 hex characters; the container's hostname is the
// first 12 (https://docs.docker.com/engine/network/#ip-address-and-hostname),
// and ECS reports the ID as the container's runtimeId
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html).
const (
	id1 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	id2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

func agent(id int, name, hostname, ip string, connected bool) teamcity.Agent {
	a := teamcity.Agent{ID: id, Name: name, IP: ip, Connected: connected, Enabled: true, Authorized: true, Parameters: map[string]string{}}
	if hostname != "" {
		a.Parameters[teamcity.ParamHostname] = hostname
	}
	return a
}

func bridgeTask(n, runtimeID string) Task {
	return Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/tc/" + n, Service: "agents", Container: "teamcity-agent", RuntimeID: runtimeID}
}

// Bridge mode (JetBrains' template): env.HOSTNAME is the short container
// ID; agents of other stacks and a stopped container's disconnected agent
// are not taken.
func TestMatchBridgeByHostname(t *testing.T) {
	agents := []teamcity.Agent{
		agent(1, "Agent 1", id1[:12], "10.0.1.5", true),
		agent(2, "Agent 2", id2[:12], "10.0.1.5", true), // same instance: same IP
		agent(3, "old", "99aa88bb77cc", "10.0.1.5", false),
		agent(4, "build-mac", "mac-mini", "10.0.9.9", true),
	}
	res := Match([]Task{bridgeTask("t1", id1), bridgeTask("t2", id2)}, agents)
	if len(res.Unmatched) != 0 || len(res.Pairs) != 2 {
		t.Fatalf("result = %+v", res)
	}
	if res.Pairs[0].Agent.ID != 1 || res.Pairs[1].Agent.ID != 2 || res.Pairs[0].By != "hostname" {
		t.Errorf("pairs = %+v", res.Pairs)
	}
}

// An agent that reports no env.HOSTNAME is matched by its name, which an
// agent without AGENT_NAME takes from its host.
func TestMatchBridgeByNameWithoutHostname(t *testing.T) {
	res := Match([]Task{bridgeTask("t1", id1)}, []teamcity.Agent{agent(5, id1[:12], "", "", true)})
	if len(res.Pairs) != 1 || res.Pairs[0].By != "name" {
		t.Errorf("result = %+v", res)
	}
}

// A task whose agent TeamCity does not show is said, with what was looked
// for.
func TestTaskWithoutAgentIsSaid(t *testing.T) {
	res := Match([]Task{bridgeTask("t1", id1)}, []teamcity.Agent{agent(1, "x", "ffffffffffff", "", true)})
	if len(res.Pairs) != 0 || len(res.Unmatched) != 1 || !strings.Contains(res.Unmatched[0].Why, id1[:12]) {
		t.Errorf("result = %+v", res)
	}
}

// awsvpc: the task's ENI address is the agent's; a disconnected agent that
// once had the address (addresses are reused) is not taken.
func TestMatchAwsvpcByIP(t *testing.T) {
	task := Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/tc/t1", NetworkMode: "awsvpc", IP: "10.0.2.17", RuntimeID: id1}
	res := Match([]Task{task}, []teamcity.Agent{agent(1, "gone", "", "10.0.2.17", false), agent(2, "now", "", "10.0.2.17", true)})
	if len(res.Pairs) != 1 || res.Pairs[0].Agent.ID != 2 || res.Pairs[0].By != "ip" {
		t.Errorf("result = %+v", res)
	}
}

// Host network mode cannot be told apart: no agent is matched.
func TestHostModeIsNeverMatched(t *testing.T) {
	task := Task{ARN: "arn:aws:ecs:eu-west-1:123456789012:task/tc/t1", NetworkMode: "host", RuntimeID: id1}
	res := Match([]Task{task}, []teamcity.Agent{agent(1, "ip-10-0-1-5", "ip-10-0-1-5", "10.0.1.5", true)})
	if len(res.Pairs) != 0 || len(res.Unmatched) != 1 || !strings.Contains(res.Unmatched[0].Why, "host network mode") {
		t.Errorf("result = %+v", res)
	}
}

// A hostname set in the task definition is the same in every task: two
// connected agents with it are ambiguous, and neither is matched.
func TestSetHostnameIsAmbiguous(t *testing.T) {
	t1, t2 := bridgeTask("t1", id1), bridgeTask("t2", id2)
	t1.Hostname, t2.Hostname = "tc-agent", "tc-agent"
	res := Match([]Task{t1, t2}, []teamcity.Agent{agent(1, "a", "tc-agent", "", true), agent(2, "b", "tc-agent", "", true)})
	if len(res.Pairs) != 0 || len(res.Unmatched) != 2 || !strings.Contains(res.Unmatched[0].Why, "cannot tell") {
		t.Errorf("result = %+v", res)
	}
	// One task, one connected agent with it: matched.
	res = Match([]Task{t1}, []teamcity.Agent{agent(1, "a", "tc-agent", "", true), agent(2, "b", "tc-agent", "", false)})
	if len(res.Pairs) != 1 || res.Pairs[0].Agent.ID != 1 {
		t.Errorf("result = %+v", res)
	}
	// One agent for two tasks: neither.
	res = Match([]Task{t1, t2}, []teamcity.Agent{agent(1, "a", "tc-agent", "", true)})
	if len(res.Pairs) != 0 || !strings.Contains(res.Unmatched[0].Why, "fits 2 tasks") {
		t.Errorf("result = %+v", res)
	}
}

func TestContainerNotCreatedYet(t *testing.T) {
	res := Match([]Task{bridgeTask("t1", "")}, nil)
	if len(res.Unmatched) != 1 || !strings.Contains(res.Unmatched[0].Why, "no Docker container ID") {
		t.Errorf("result = %+v", res)
	}
}

type fakeECS struct {
	running []string
	tasks   []awsclient.Task
	def     *awsclient.TaskDefinition
	defs    int
}

func (f *fakeECS) RunningTasks(context.Context, string, string) ([]string, error) {
	return f.running, nil
}
func (f *fakeECS) DescribeTasks(_ context.Context, _ string, arns []string) ([]awsclient.Task, error) {
	var out []awsclient.Task
	for _, t := range f.tasks {
		for _, a := range arns {
			if a == t.ARN {
				out = append(out, t)
			}
		}
	}
	return out, nil
}
func (f *fakeECS) DescribeTaskDefinition(context.Context, string) (*awsclient.TaskDefinition, error) {
	f.defs++
	return f.def, nil
}

// ReadTasks keeps the agent containers (not a sidecar), with the task
// definition's network mode, read once per revision.
func TestReadTasks(t *testing.T) {
	f := &fakeECS{
		running: []string{"arn:t1", "arn:t2"},
		tasks: []awsclient.Task{
			{ARN: "arn:t1", TaskDefinition: "arn:td:3", LastStatus: "RUNNING", PrivateIPv4: "10.0.2.17", Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", RuntimeID: id1}, {Name: "log-router", RuntimeID: id2}}},
			{ARN: "arn:t2", TaskDefinition: "arn:td:3", LastStatus: "RUNNING", Containers: []awsclient.TaskContainer{{Name: "teamcity-agent", RuntimeID: id2}}},
		},
		def: &awsclient.TaskDefinition{NetworkMode: "awsvpc", Containers: []awsclient.ContainerDefinition{{Name: "teamcity-agent"}}},
	}
	svcs := []Service{{Name: "agents", Cluster: "tc", Containers: []string{"teamcity-agent"}}}
	defs := Defs{}
	tasks, err := ReadTasksWith(context.Background(), f, svcs, defs)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 || tasks[0].Container != "teamcity-agent" || tasks[0].IP != "10.0.2.17" || tasks[0].NetworkMode != "awsvpc" || tasks[1].RuntimeID != id2 {
		t.Errorf("tasks = %+v", tasks)
	}
	if _, err := ReadTasksWith(context.Background(), f, svcs, defs); err != nil {
		t.Fatal(err)
	}
	if f.defs != 1 {
		t.Errorf("DescribeTaskDefinition called %d times for one revision in two reads", f.defs)
	}
}
