package main

// --teamcity-url and --drain against moto_server (through the fault
// proxy, with rolloutsim playing the agents' ECS rollout) and the fake
// TeamCity (internal/faketeamcity, modelled on TeamCity's REST API
// documentation). What is modelled, and where it is documented:
//   - the agent container's hostname is the first 12 characters of its
//     Docker ID (https://docs.docker.com/engine/network/#ip-address-and-hostname),
//     which ECS reports as the container's runtimeId
//     (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html);
//     the agent reports it as env.HOSTNAME;
//   - a disabled agent finishes its running build and takes no new one
//     (https://www.jetbrains.com/help/teamcity/rest/agent.html), and
//     enabledInfo carries a comment and a statusSwitchTime
//     (https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html);
//   - TeamCity's Docker integration sets docker.server.version on an
//     agent where docker answers
//     (https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html).

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/internal/awsproxy"
	"github.com/tcdind/tcdind/internal/faketeamcity"
	"github.com/tcdind/tcdind/internal/rolloutsim"
	"github.com/tcdind/tcdind/teamcity"
)

// Docker IDs of the agent containers, before and after the update.
const (
	old1 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	old2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	old3 = "5e5e5e5e5e5e1111222233334444555566667777888899990000aaaabbbbcccc"
	new1 = "1111aaaa2222bbbb3333cccc4444dddd5555eeee6666ffff7777000088889999"
	new2 = "9999888877776666555544443333222211110000ffffeeeeddddccccbbbbaaaa"
)

// tcFast is fast with TeamCity's polls and retries shortened too.
func tcFast(r *batch.StackRun, c *awsclient.Config) {
	fast(r, c)
	if r.TeamCity != nil {
		r.TeamCity.Poll = 5 * time.Millisecond
		if cl, ok := r.TeamCity.Client.(*teamcity.Client); ok {
			cl.Backoff = []time.Duration{time.Millisecond}
			cl.RequestTimeout = 5 * time.Second
		}
	}
}

// tcAgent is an agent of a task whose container has Docker ID id.
func tcAgent(id string, enabled bool, params map[string]string) faketeamcity.Agent {
	p := map[string]string{teamcity.ParamHostname: id[:12], "teamcity.agent.jvm.os.name": "Linux"}
	for k, v := range params {
		p[k] = v
	}
	return faketeamcity.Agent{Name: id[:12], Connected: true, Enabled: enabled, Authorized: true, IP: "10.0.1.5", Params: p}
}

// tcStack is a stack whose agent service runs one task per Docker ID in
// olds before the update and one per ID in news after, and a fake
// TeamCity that knows an unrelated agent.
func tcStack(t *testing.T, e *stackEnv, p *awsproxy.Proxy, name string, olds, news []string) (*rolloutsim.Sim, *faketeamcity.Server) {
	t.Helper()
	sim := rolloutStack(t, e, p, name, []rolloutsim.Frame{
		{OnOld: true, OldRunning: 2},
		{NewPending: 2},
		{NewRunning: 2, RolloutState: "COMPLETED"},
	}, rolloutsim.Complete)
	sim.OldRuntimeIDs, sim.NewRuntimeIDs = olds, news
	tc := faketeamcity.New(t)
	tc.AddAgent(faketeamcity.Agent{Name: "build-mac", Connected: true, Enabled: true, Authorized: true, IP: "10.0.9.9",
		Params: map[string]string{teamcity.ParamHostname: "build-mac.local"}})
	return sim, tc
}

// newAgents adds the new tasks' agents, listed once the review's read of
// the agents is over (they register after the rollout).
func newAgents(tc *faketeamcity.Server, docker ...string) {
	for i, id := range []string{new1, new2}[:len(docker)] {
		var params map[string]string
		if docker[i] != "" {
			params = faketeamcity.DockerParams(docker[i])
		}
		a := tcAgent(id, true, params)
		a.AppearAfterPolls = 2
		tc.AddAgent(a)
	}
}

func tokenFile(t *testing.T, token string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "teamcity-token")
	if err := os.WriteFile(f, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func tcArgs(t *testing.T, tc *faketeamcity.Server, stack string, more ...string) []string {
	args := append(applyYes(stack, "privileged"), "--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, tc.Token))
	return append(args, more...)
}

// agentEnabled is whether the fake shows agent id enabled.
func agentEnabled(t *testing.T, tc *faketeamcity.Server, id int) bool {
	t.Helper()
	a, ok := tc.Agent(id)
	if !ok {
		t.Fatalf("no agent %d", id)
	}
	return a.Enabled
}

// lastLine is stderr's last line.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// hookReader is a oneLineReader that calls hook once, when the answer at
// index at is about to be read (something happens while a question waits).
type hookReader struct {
	oneLineReader
	at     int
	read   int
	hook   func()
	hooked bool
	// With block set, a Read past the lines waits until block is closed
	// (a question nobody answers).
	block chan struct{}
}

func (r *hookReader) Read(b []byte) (int, error) {
	if !r.hooked && r.read == r.at {
		r.hooked = true
		r.hook()
	}
	if r.block != nil && len(r.lines) == 0 {
		<-r.block
		return 0, io.EOF
	}
	n, err := r.oneLineReader.Read(b)
	if n > 0 && b[n-1] == '\n' {
		r.read++
	}
	return n, err
}

// oneLineReader gives one line per Read, as a terminal does: each y/N
// question reads its own answer.
type oneLineReader struct{ lines []string }

func (r *oneLineReader) Read(b []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(b, r.lines[0])
	r.lines[0] = r.lines[0][n:]
	if r.lines[0] == "" {
		r.lines = r.lines[1:]
	}
	return n, nil
}

func testTeamCity(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	// Two builds run on the stack's two agents: both agents are disabled
	// with tcdind's comment, the builds end, then (and only then) the
	// change set is executed; after the rollout the agents are enabled
	// again, and TeamCity sees Docker on both new agents.
	t.Run("DrainTwoBuildsThenDocker", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-ok", []string{old1, old2}, []string{new1, new2})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		a2 := tc.AddAgent(tcAgent(old2, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Build", ProjectName: "App", Number: "118", FinishAfterPolls: 2})
		tc.AddBuild(faketeamcity.Build{AgentID: a2, Name: "Integration tests", ProjectName: "App", Number: "57", FinishAfterPolls: 4})
		newAgents(tc, "27.3.1", "27.3.1")
		var mu sync.Mutex
		var atExecute []string
		p.Intercept("ExecuteChangeSet", func(int, url.Values) *awsproxy.Reply {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range []int{a1, a2} {
				a, _ := tc.Agent(id)
				atExecute = append(atExecute, a.Name+" enabled="+map[bool]string{true: "true", false: "false"}[a.Enabled])
			}
			if n := len(tc.RunningBuilds()); n != 0 {
				atExecute = append(atExecute, "builds running")
			}
			return nil
		})
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-ok", "--drain")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if strings.Join(atExecute, "; ") != old1[:12]+" enabled=false; "+old2[:12]+" enabled=false" {
			t.Errorf("at ExecuteChangeSet: %v", atExecute)
		}
		for _, want := range []string{
			"TeamCity " + faketeamcity.Version + " at " + tc.URL + ": the agents of the 2 agent tasks this update replaces:",
			"agent " + old1[:12] + " (id 2) runs in task old-1 of service",
			"disabled TeamCity agents " + old1[:12] + ", " + old2[:12],
			"draining: 2 builds running: App / Build #118 on " + old1[:12],
			"draining: 1 build running: App / Integration tests #57 on " + old2[:12],
			"drained: no build runs on the agents",
			"executing change set tcdind-privileged-",
			"enabled TeamCity agents " + old1[:12] + ", " + old2[:12] + " again (read back: enabled)",
			"TeamCity agent " + new1[:12] + " of new task run-1: connected, authorized, Docker 27.3.1 (linux)",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if got := lastLine(errOut); got != "TeamCity sees Docker on 2 of 2 new agents (docker 27.3.1)" {
			t.Errorf("last line %q\n%s", got, errOut)
		}
		if !before(errOut, "drained: no build runs", "executing change set") || !before(errOut, "UPDATE_COMPLETE): AgentTaskDefinition now in privileged mode", "TeamCity sees Docker") {
			t.Errorf("order:\n%s", errOut)
		}
		// Disabled for the drain (switch-back: --drain-timeout + 1 h),
		// disabled again just before executing with the switch-back past
		// the update (CloudFormation's three hours), enabled at the end.
		puts := tc.Puts()
		if len(puts) != 6 {
			t.Fatalf("PUTs %+v", puts)
		}
		for i, p := range puts {
			want := []int{a1, a2, a1, a2, a1, a2}[i]
			if p.AgentID != want || p.Enabled != (i >= 4) || p.Status != 200 {
				t.Errorf("PUT %d: %+v", i, p)
			}
			if i < 4 && (!strings.Contains(p.Comment, "tcdind") || !strings.Contains(p.Comment, "stack tc-drain-ok") || !strings.Contains(p.Comment, "tcdind-privileged-") || p.SwitchTime == "") {
				t.Errorf("disable %d: comment %q, switch time %q", i, p.Comment, p.SwitchTime)
			}
		}
		drainEnd, updateEnd := teamcity.ParseTime(puts[0].SwitchTime), teamcity.ParseTime(puts[2].SwitchTime)
		if d := drainEnd.Sub(puts[0].At); d < 30*time.Minute+time.Hour-time.Minute || d > 30*time.Minute+time.Hour+time.Minute {
			t.Errorf("drain switch-back %s after the disable, want --drain-timeout + 1h", d)
		}
		if d := updateEnd.Sub(puts[2].At); d < 3*time.Hour || d > 3*time.Hour+30*time.Minute {
			t.Errorf("switch-back %s after executing, want past CloudFormation's three hours", d)
		}
		if !before(errOut, "the drained agents stay disabled while the update replaces their tasks: tcdind enables them when it ends, TeamCity at ", "executing change set") {
			t.Errorf("no word of the switch-back time past the update:\n%s", errOut)
		}
		if !agentEnabled(t, tc, a1) || !agentEnabled(t, tc, a2) {
			t.Error("agents left disabled")
		}
		calls := map[string]int{}
		for _, r := range tc.Requests() {
			path := r.Path
			if i := strings.Index(path, "/id:"); i >= 0 {
				path = path[:i] + "/{id}" + path[strings.Index(path[i+1:], "/")+i+1:]
			}
			calls[r.Method+" "+path]++
		}
		ecsCalls := map[string]int{}
		for _, a := range p.Actions() {
			ecsCalls[a]++
		}
		t.Logf("TeamCity requests of a drain of 2 agents (builds seen 2 and 4 times) and a check of 2 new agents: %d: %v", len(tc.Requests()), calls)
		t.Logf("AWS calls: ListTasks %d, DescribeTasks %d, DescribeTaskDefinition %d", ecsCalls["ListTasks"], ecsCalls["DescribeTasks"], ecsCalls["DescribeTaskDefinition"])
		// The review: the server, the agents, the builds of each; the
		// drain: each agent read then disabled, the builds read each
		// poll; enabling: read, PUT, read back; the check: the agents
		// until both report Docker (listed from the 3rd list on).
		if calls["GET /app/rest/server"] != 1 || calls["PUT /app/rest/agents/{id}/enabledInfo"] != 6 || calls["GET /app/rest/agents/{id}/enabledInfo"] != 2+2+2*2 ||
			calls["GET /app/rest/agents"] != 1+2 {
			t.Errorf("TeamCity requests %v", calls)
		}
	})

	// The build outlasts --drain-timeout; with --yes the rule is to execute
	// nothing: the agents are enabled again, the change set deleted, exit 1.
	t.Run("DrainTimeoutYesStops", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-stop", []string{old1}, nil)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Nightly", ProjectName: "App", Number: "31"})
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-stop", "--drain", "--drain-timeout", "50ms")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "not executed: the drain timed out after")
		oneErrorLine(t, errOut, "1 build still running (App / Nightly #31 on "+old1[:12])
		oneErrorLine(t, errOut, "--on-drain-timeout=execute")
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists)")
		if !strings.Contains(errOut, "enabled TeamCity agent "+old1[:12]+" again (read back: enabled)") {
			t.Errorf("stderr:\n%s", errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-drain-stop")) != 0 {
			t.Errorf("executed %d, left %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-drain-stop"))
		}
		if !agentEnabled(t, tc, a1) {
			t.Error("agent left disabled")
		}
	})

	// At a terminal the drain's timeout asks; yes executes anyway and says
	// what it cuts off.
	t.Run("DrainTimeoutAsks", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-ask", []string{old1}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Nightly", ProjectName: "App", Number: "32"})
		newAgents(tc, "27.3.1")
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) { tcFast(r, c); r.Interactive = true })
		var out, errOut strings.Builder
		args := []string{"--endpoint-url", p.URL, "--region", "us-east-1", "--stack", "tc-drain-ask", "--mode", "privileged", "--apply",
			"--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, tc.Token), "--drain", "--drain-timeout", "50ms"}
		code := cli.run(ctx, args, testIO(&oneLineReader{lines: []string{"y\n", "y\n"}}, &out, &errOut))
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut.String())
		}
		for _, want := range []string{
			"Drain the 1 matched TeamCity agent, then execute change set tcdind-privileged-",
			"1 build still runs after", "App / Nightly #32 on " + old1[:12], "Execute anyway, cutting it off? [y/N] ",
			"tcdind: warning: executing with 1 build still running",
			"TeamCity sees Docker on 1 of 1 new agents (docker 27.3.1)",
		} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
			}
		}
		if p.Count("ExecuteChangeSet") != 1 || !agentEnabled(t, tc, a1) {
			t.Errorf("executed %d; agent enabled %v", p.Count("ExecuteChangeSet"), agentEnabled(t, tc, a1))
		}
	})

	// The question at the drain's timeout waited past TeamCity's
	// switch-back time: TeamCity enabled the agent again and it took a new
	// build. A yes was about the builds listed, not this one: nothing is
	// executed, the agent is enabled again (read back), the change set
	// deleted. (TeamCity flips the status back at statusSwitchTime:
	// https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html.)
	t.Run("SwitchedBackDuringQuestion", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-switched", []string{old1}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Nightly", ProjectName: "App", Number: "32"})
		newAgents(tc, "27.3.1")
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) { tcFast(r, c); r.Interactive = true })
		var out, errOut strings.Builder
		args := []string{"--endpoint-url", p.URL, "--region", "us-east-1", "--stack", "tc-drain-switched", "--mode", "privileged", "--apply",
			"--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, tc.Token), "--drain", "--drain-timeout", "50ms"}
		in := &hookReader{oneLineReader: oneLineReader{lines: []string{"y\n", "y\n"}}, at: 1, hook: func() {
			tc.SetAgent(a1, func(a *faketeamcity.Agent) { a.Enabled, a.EnabledComment, a.StatusSwitchTime = true, "", "" })
			tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Hotfix", ProjectName: "Ops", Number: "5"})
		}}
		code := cli.run(ctx, args, testIO(in, &out, &errOut))
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut.String())
		}
		oneErrorLine(t, errOut.String(), "TeamCity enabled agent "+old1[:12]+" again while tcdind waited (the switch-back time passed) and 1 build is running: Ops / Hotfix #5 on "+old1[:12]+" (running ")
		oneErrorLine(t, errOut.String(), "; not executed, so that it is not cut off: run tcdind again once it ends")
		if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-drain-switched")) != 0 || !agentEnabled(t, tc, a1) {
			t.Errorf("executed %d, change sets left %v, agent enabled %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-drain-switched"), agentEnabled(t, tc, a1))
		}
	})

	// ctrl+c while the question at the drain timeout waits: no hang, the
	// agent enabled again (read back), the change set deleted (checked),
	// nothing executed, exit 130.
	t.Run("InterruptAtDrainTimeoutQuestion", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-ask-int", []string{old1}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Nightly", ProjectName: "App", Number: "32"})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) { tcFast(r, c); r.Interactive = true })
		var out, errOut strings.Builder
		args := []string{"--endpoint-url", p.URL, "--region", "us-east-1", "--stack", "tc-drain-ask-int", "--mode", "privileged", "--apply",
			"--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, tc.Token), "--drain", "--drain-timeout", "50ms"}
		// The first question is answered; the second (the timeout's)
		// never is: ctrl+c comes while it waits.
		in := &hookReader{oneLineReader: oneLineReader{lines: []string{"y\n"}}, at: 1, hook: cancel, block: make(chan struct{})}
		defer close(in.block)
		start := time.Now()
		code := cli.run(ctx, args, testIO(in, &out, &errOut))
		if code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, errOut.String())
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("took %s", d)
		}
		if !strings.Contains(errOut.String(), "Execute anyway, cutting it off? [y/N] ") || !strings.Contains(errOut.String(), "enabled TeamCity agent "+old1[:12]+" again (read back: enabled)") {
			t.Errorf("stderr:\n%s", errOut.String())
		}
		oneErrorLine(t, errOut.String(), "deleted (checked: it no longer exists)")
		if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-drain-ask-int")) != 0 || !agentEnabled(t, tc, a1) {
			t.Errorf("executed %d, change sets left %v, agent enabled %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-drain-ask-int"), agentEnabled(t, tc, a1))
		}
	})

	// ctrl+c while waiting for the new agents (after UPDATE_COMPLETE):
	// the drained agents were enabled again already; no hang, exit 130,
	// the update is complete and no change set is left.
	t.Run("InterruptWhileWaitingForNewAgents", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-wait-int", []string{old1}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		// The new task's agent never connects.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelled := make(chan time.Time, 1)
		go func() {
			for {
				enabled := false
				for _, put := range tc.Puts() {
					enabled = enabled || put.Enabled
				}
				lists := 0
				for _, r := range tc.Requests() {
					if r.Method == "GET" && r.Path == "/app/rest/agents" {
						lists++
					}
				}
				if enabled && lists >= 3 {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			cancelled <- time.Now()
			cancel()
		}()
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-wait-int", "--drain", "--teamcity-wait", "1h")...)
		if code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, errOut)
		}
		if d := time.Since(<-cancelled); d > 10*time.Second {
			t.Errorf("exit %s after the interrupt", d)
		}
		// The update is complete: not "nothing was written".
		oneErrorLine(t, errOut, "interrupted while waiting for TeamCity to see the new agents; the update is complete; see them at "+tc.URL+"/agents.html")
		if !strings.Contains(errOut, "enabled TeamCity agent "+old1[:12]+" again (read back: enabled)") || !agentEnabled(t, tc, a1) {
			t.Errorf("the drained agent is not enabled again:\n%s", errOut)
		}
		if p.Count("ExecuteChangeSet") != 1 || len(e.pendingChangeSets("tc-wait-int")) != 0 {
			t.Errorf("executed %d, left %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-wait-int"))
		}
	})

	// ctrl+c while draining: the agents tcdind disabled are enabled again
	// and read back, the change set is deleted, nothing is executed.
	t.Run("InterruptWhileDraining", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-int", []string{old1, old2}, nil)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		a2 := tc.AddAgent(tcAgent(old2, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Number: "5"})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for len(tc.Puts()) < 2 {
				time.Sleep(2 * time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // a few polls of the builds
			cancel()
		}()
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-int", "--drain")...)
		if code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "interrupted")
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists)")
		if !strings.Contains(errOut, "enabled TeamCity agents "+old1[:12]+", "+old2[:12]+" again (read back: enabled)") {
			t.Errorf("stderr:\n%s", errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-drain-int")) != 0 {
			t.Errorf("executed %d, left %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-drain-int"))
		}
		if !agentEnabled(t, tc, a1) || !agentEnabled(t, tc, a2) {
			t.Error("agents left disabled")
		}
		var gets int
		for _, r := range tc.Requests() {
			if r.Method == "GET" && strings.HasSuffix(r.Path, "/enabledInfo") {
				gets++
			}
		}
		if gets < 4 { // read before disabling, then read and read back when enabling
			t.Errorf("%d enabledInfo reads: the agents were not read back", gets)
		}
	})

	// TeamCity fails while draining (5xx through every try): nothing is
	// executed, the agents are enabled again once it answers, the change
	// set is deleted.
	t.Run("FaultWhileDraining", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-fault", []string{old1}, nil)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Number: "9"})
		go func() {
			for len(tc.Puts()) < 1 {
				time.Sleep(2 * time.Millisecond)
			}
			tc.FailNext("GET", 3, 503) // the next read of the builds, every try
		}()
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-fault", "--drain")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "not executed: read the builds running on agent "+old1[:12]+": TeamCity at "+tc.URL+" answered 503 Service Unavailable")
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists)")
		if !strings.Contains(errOut, "enabled TeamCity agent "+old1[:12]+" again (read back: enabled)") || !agentEnabled(t, tc, a1) {
			t.Errorf("agent not enabled again:\n%s", errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-drain-fault")) != 0 {
			t.Errorf("executed %d, left %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-drain-fault"))
		}
	})

	// A slow answer while draining is given up on after the request's
	// timeout and tried again; the drain goes on and the update runs.
	t.Run("SlowAnswerWhileDraining", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-slow", []string{old1}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Number: "3", FinishAfterPolls: 3})
		newAgents(tc, "27.3.1")
		go func() {
			for len(tc.Puts()) < 1 {
				time.Sleep(2 * time.Millisecond)
			}
			tc.SlowNext("GET", 1, time.Minute)
		}()
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) {
			tcFast(r, c)
			r.TeamCity.Client.(*teamcity.Client).RequestTimeout = 300 * time.Millisecond
		})
		start := time.Now()
		code, _, errOut := cli.runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-slow", "--drain")...)
		if code != 0 || !strings.Contains(errOut, "drained: no build runs") || !agentEnabled(t, tc, a1) {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		var gaveUp int
		for _, r := range tc.Requests() {
			if r.Status == 0 {
				gaveUp++
			}
		}
		if gaveUp != 1 || time.Since(start) > 30*time.Second {
			t.Errorf("%d requests given up on, took %s", gaveUp, time.Since(start))
		}
	})

	// TeamCity does not answer when the agents are to be enabled again:
	// the error names the agent, its page and the command that enables it.
	t.Run("CannotReenable", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-stuck", []string{old1}, nil)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Number: "9"})
		go func() {
			for len(tc.Puts()) < 1 {
				time.Sleep(2 * time.Millisecond)
			}
			tc.FailNext("", -1, 502) // TeamCity goes away
		}()
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-stuck", "--drain")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		for _, want := range []string{
			"tcdind: TeamCity agent " + old1[:12] + " (id 2) may still be disabled by tcdind",
			tc.URL + "/agentDetails.html?id=2",
			`curl -X PUT -H "Authorization: Bearer $TEAMCITY_TOKEN" -H "Content-Type: application/json" -d '{"status":true}' ` + tc.URL + "/app/rest/agents/id:2/enabledInfo",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists)")
		if len(e.pendingChangeSets("tc-drain-stuck")) != 0 || p.Count("ExecuteChangeSet") != 0 {
			t.Errorf("left %v", e.pendingChangeSets("tc-drain-stuck"))
		}
	})

	// SIGTERM to the real binary while it drains (a CI job cancelled): the
	// same clean-up as ctrl+c, exit 143.
	// SIGINT and SIGHUP (the terminal closed) alike, each with its code.
	for _, sig := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{{"SIGTERM", syscall.SIGTERM, 143}, {"SIGINT", syscall.SIGINT, 130}, {"SIGHUP", syscall.SIGHUP, 129}} {
		t.Run(sig.name+"WhileDraining", func(t *testing.T) {
			stack := "tc-drain-" + strings.ToLower(sig.name)
			p := awsproxy.New(t, e.moto.URL)
			_, tc := tcStack(t, e, p, stack, []string{old1}, nil)
			a1 := tc.AddAgent(tcAgent(old1, true, nil))
			tc.AddBuild(faketeamcity.Build{AgentID: a1, Number: "12"})
			cmd := exec.Command(tcdindBinary(t), "--endpoint-url", p.URL, "--region", "us-east-1", "--stack", stack, "--mode", "privileged",
				"--apply", "--yes", "--non-interactive", "--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, tc.Token), "--drain")
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for len(tc.Puts()) == 0 { // the agent is disabled: draining
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("never disabled the agent\n%s", errOut.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(sig.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("no exit 60 s after %s\n%s", sig.name, errOut.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != sig.code {
				t.Errorf("exit %d, want %d\n%s", code, sig.code, errOut.String())
			}
			if !agentEnabled(t, tc, a1) || !strings.Contains(errOut.String(), "enabled TeamCity agent "+old1[:12]+" again (read back: enabled)") {
				t.Errorf("agent not enabled again:\n%s", errOut.String())
			}
			if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets(stack)) != 0 {
				t.Errorf("executed %d, left %v", p.Count("ExecuteChangeSet"), e.pendingChangeSets(stack))
			}
		})
	}

	// --execute of a kept change set drains too; a drain that times out
	// keeps the change set as it was (it is not tcdind's to delete), and a
	// later run executes it once the build is over.
	t.Run("ExecuteKeptDrains", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-drain-kept", []string{old1}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		build := tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Deploy", ProjectName: "App", Number: "7"})
		newAgents(tc, "27.3.1")
		token := tokenFile(t, tc.Token)
		cli := withHook(tcFast)
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-drain-kept", "--mode", "privileged", "--apply", "--no-execute",
			"--teamcity-url", tc.URL, "--teamcity-token-file", token)
		if code != 0 || len(tc.Puts()) != 0 {
			t.Fatalf("--no-execute: exit %d, puts %v\n%s", code, tc.Puts(), errOut)
		}
		// The printed tcdind command that executes it is TeamCity-aware
		// too, and drains the matched agent.
		if want := " --teamcity-url " + tc.URL + " --teamcity-token-file " + token + " --drain --execute tcdind-privileged-"; !strings.Contains(errOut, want) {
			t.Errorf("the printed --execute command lacks %q:\n%s", want, errOut)
		}
		left := e.pendingChangeSets("tc-drain-kept")
		if len(left) != 1 {
			t.Fatalf("kept: %v", left)
		}
		name := strings.Fields(left[0])[0]
		code, _, errOut = cli.runStack(ctx, p.URL, "", "--stack", "tc-drain-kept", "--execute", name, "--yes", "--non-interactive",
			"--teamcity-url", tc.URL, "--teamcity-token-file", token, "--drain", "--drain-timeout", "50ms")
		if code != 1 {
			t.Fatalf("timed out: exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "the drain timed out")
		oneErrorLine(t, errOut, "the change set tcdind was asked to execute is kept as it was")
		if got := e.pendingChangeSets("tc-drain-kept"); len(got) != 1 || p.Count("ExecuteChangeSet") != 0 || !agentEnabled(t, tc, a1) {
			t.Fatalf("after the timeout: change sets %v, executed %d, agent enabled %v", got, p.Count("ExecuteChangeSet"), agentEnabled(t, tc, a1))
		}

		tc.FinishBuild(build)
		code, _, errOut = cli.runStack(ctx, p.URL, "", "--stack", "tc-drain-kept", "--execute", name, "--yes", "--non-interactive",
			"--teamcity-url", tc.URL, "--teamcity-token-file", token, "--drain")
		if code != 0 || p.Count("ExecuteChangeSet") != 1 {
			t.Fatalf("exit %d, executed %d\n%s", code, p.Count("ExecuteChangeSet"), errOut)
		}
		// With --drain the review says the builds are let finish, not that
		// they are cut off.
		if strings.Contains(errOut, "builds running on them are interrupted") || !strings.Contains(errOut, "--drain lets the builds on the matched agents finish first") {
			t.Errorf("--execute --drain warns that builds are cut off:\n%s", errOut)
		}
		if got := lastLine(errOut); got != "TeamCity sees Docker on 1 of 1 new agents (docker 27.3.1)" || !agentEnabled(t, tc, a1) {
			t.Errorf("last line %q, agent enabled %v\n%s", got, agentEnabled(t, tc, a1), errOut)
		}
	})

	// Interrupted after executing (the update goes on in AWS, exit 4): the
	// drained agents stay disabled, their tasks being replaced; the line
	// says until when and how to enable them sooner.
	t.Run("InterruptedAfterExecuteKeepsDisabled", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-drain-goes-on", []rolloutsim.Frame{{NewPending: 2}, {NewPending: 2}}, rolloutsim.Hold)
		sim.OldRuntimeIDs = []string{old1}
		tc := faketeamcity.New(t)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for p.Count("ExecuteChangeSet") == 0 || p.Count("DescribeServices") < 5 {
				time.Sleep(2 * time.Millisecond)
			}
			cancel()
		}()
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-goes-on", "--drain")...)
		if code != 4 {
			t.Fatalf("exit %d, want 4\n%s", code, errOut)
		}
		if agentEnabled(t, tc, a1) {
			t.Error("the agent was enabled while its task is being replaced")
		}
		a, _ := tc.Agent(a1)
		for _, want := range []string{
			"TeamCity agent " + old1[:12] + " stays disabled while the update goes on (its task is being replaced); TeamCity enables it again by itself at ",
			"curl -X PUT", "/app/rest/agents/id:1/enabledInfo",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		// The switch-back time lies past CloudFormation's three hours
		// from the execution (drain.UpdateMargin), and the next run on
		// the stack would take the agent as its own.
		if at := teamcity.ParseTime(a.StatusSwitchTime); time.Until(at) < 3*time.Hour {
			t.Errorf("switch-back time %q: TeamCity would enable the agent while the update may still replace its task", a.StatusSwitchTime)
		}
		if !strings.Contains(errOut, "the next tcdind --drain run on this stack at its end") {
			t.Errorf("no word of the next run:\n%s", errOut)
		}
	})

	// The update rolls back: the drained agents are enabled again at the
	// end (the old revision's tasks are back), and TeamCity is not asked
	// about new agents.
	t.Run("RollbackEnablesAgain", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		sim := rolloutStack(t, e, p, "tc-drain-rollback", []rolloutsim.Frame{{NewPending: 2}, {NewPending: 2}}, rolloutsim.RollBack)
		sim.OldRuntimeIDs = []string{old1}
		tc := faketeamcity.New(t)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-drain-rollback", "--drain")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if !agentEnabled(t, tc, a1) || !strings.Contains(errOut, "enabled TeamCity agent "+old1[:12]+" again (read back: enabled)") {
			t.Errorf("agent not enabled again:\n%s", errOut)
		}
		if strings.Contains(errOut, "new agents") {
			t.Errorf("TeamCity was asked about new agents after a rollback:\n%s", errOut)
		}
		oneErrorLine(t, errOut, "UPDATE_ROLLBACK_COMPLETE")
	})

	// A new agent that connects without Docker: exit 1, with its name and
	// what to check.
	t.Run("NewAgentWithoutDocker", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-nodocker", []string{old1, old2}, []string{new1, new2})
		tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddAgent(tcAgent(old2, true, nil))
		newAgents(tc, "27.3.1", "")
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-nodocker", "--teamcity-wait", "200ms")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "TeamCity does not confirm Docker on every new agent: agent "+new2[:12]+" of new task run-2 is connected but TeamCity sees no Docker on it")
		oneErrorLine(t, errOut, "docker info")
		if strings.Contains(errOut, "TeamCity sees Docker on") || len(tc.Puts()) != 0 {
			t.Errorf("puts %v\n%s", tc.Puts(), errOut)
		}
		if !strings.Contains(errOut, "no build runs on these agents now, but one may start before the update replaces them: pass --drain") {
			t.Errorf("no word about the builds --drain would spare:\n%s", errOut)
		}
	})

	// A task with no agent in TeamCity is said and nothing is done for it;
	// an agent that was disabled before is left disabled; the unrelated
	// agent is never touched.
	t.Run("UnmatchedAndPreDisabled", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-unmatched", []string{old1, old2, old3}, []string{new1, new2})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		pre := tcAgent(old2, false, nil)
		a2 := tc.AddAgent(pre)
		newAgents(tc, "27.3.1", "27.3.1")
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-unmatched", "--drain")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		for _, want := range []string{
			"tcdind: warning: task old-3 of service ", "no TeamCity agent reports its hostname " + old3[:12], "its agent is not drained",
			"TeamCity agent " + old2[:12] + " was disabled already: left as it is",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if agentEnabled(t, tc, a2) {
			t.Error("the agent disabled before was enabled")
		}
		if !agentEnabled(t, tc, a1) {
			t.Error("agent left disabled")
		}
		for _, put := range tc.Puts() {
			if put.AgentID != a1 {
				t.Errorf("PUT to agent %d (%s)", put.AgentID, put.AgentName)
			}
		}
	})

	// Agents a killed tcdind left disabled (its comment names tcdind, this
	// stack and its change set): when that run is over — its change set
	// is gone — the next run takes them as its own and enables them again
	// at the end ("every agent tcdind disabled is enabled again whatever
	// happens"). One whose change set can still be executed may belong to
	// a tcdind draining right now: left alone, with the command that ends
	// it. One disabled by someone else is never touched.
	t.Run("AdoptsAgentsLeftByKilledRun", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-adopt", []string{old1, old2, old3}, []string{new1, new2})
		at := time.Now().Add(time.Hour)
		left := tcAgent(old1, false, nil)
		left.EnabledComment = drain.Comment("tc-adopt", "tcdind-privileged-20261206-060000-deadbeef", at)
		a1 := tc.AddAgent(left)
		// A change set that can still be executed: another tcdind may be
		// draining for it.
		live := "tcdind-socket-20261206-080000-0a0b0c0d"
		body, _ := os.ReadFile(serviceTemplate)
		if _, err := e.cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("tc-adopt"), ChangeSetName: aws.String(live),
			TemplateBody: aws.String(string(body)), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), ParameterValue: aws.String(secret)}}}); err != nil {
			t.Fatal(err)
		}
		busy := tcAgent(old2, false, nil)
		busy.EnabledComment = drain.Comment("tc-adopt", live, at)
		a2 := tc.AddAgent(busy)
		theirs := tcAgent(old3, false, nil)
		theirs.EnabledComment = "tcdind: disabled to let running builds finish before stack other-stack is updated (change set x); by hand"
		a3 := tc.AddAgent(theirs)
		newAgents(tc, "27.3.1", "27.3.1")

		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-adopt", "--drain", "--on-drain-timeout", "execute")...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		for _, want := range []string{
			"TeamCity agent " + old1[:12] + " was left disabled by an earlier tcdind run on stack tc-adopt (change set tcdind-privileged-20261206-060000-deadbeef, over): tcdind takes it as its own and enables it again at the end",
			"TeamCity agent " + old2[:12] + " is disabled by another tcdind run on this stack (change set " + live + "), left as it is",
			"aws cloudformation delete-change-set --stack-name tc-adopt --change-set-name " + live,
			"enabled TeamCity agent " + old1[:12] + " again (read back: enabled)",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if !agentEnabled(t, tc, a1) {
			t.Error("the adopted agent is still disabled")
		}
		if agentEnabled(t, tc, a2) || agentEnabled(t, tc, a3) {
			t.Error("an agent another run or someone else disabled was enabled")
		}
		for _, put := range tc.Puts() {
			if put.AgentID != a1 {
				t.Errorf("PUT to agent %d (%s)", put.AgentID, put.AgentName)
			}
		}
		if puts := tc.Puts(); len(puts) != 3 || puts[0].Enabled || !strings.Contains(puts[0].Comment, "(change set tcdind-privileged-2") || strings.Contains(puts[0].Comment, "deadbeef") || puts[1].Enabled || !puts[2].Enabled {
			t.Errorf("want the adopted agent disabled with this run's comment, then enabled: %+v", puts)
		}
	})

	// --json: the drain and TeamCity's confirmation, as docs/json.md and
	// docs/result.schema.json say.
	t.Run("JSON", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-json", []string{old1, old3}, []string{new1})
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddBuild(faketeamcity.Build{AgentID: a1, Name: "Build", ProjectName: "App", Number: "118", FinishAfterPolls: 2})
		newAgents(tc, "27.3.1")
		code, out, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-json", "--drain", "--json")...)
		doc := checkResult(t, resultSchema(t), out, errOut, code)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		got := doc["teamcity"].(map[string]any)
		d := got["drain"].(map[string]any)
		na := got["new_agents"].(map[string]any)
		builds := d["builds"].([]any)
		if got["url"] != tc.URL || len(got["agents"].([]any)) != 1 || len(got["unmatched"].([]any)) != 1 ||
			len(d["disabled"].([]any)) != 1 || d["disabled"].([]any)[0] != old1[:12] || len(d["reenabled"].([]any)) != 1 ||
			len(builds) != 1 || builds[0].(map[string]any)["number"] != "118" || d["timed_out"] != false ||
			na["confirmed"] != true || na["ready"] != float64(1) || na["docker"].([]any)[0] != "27.3.1" {
			t.Errorf("teamcity = %v", got)
		}
	})

	// The token refused: one line, before any change set.
	t.Run("TokenRefused", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-401", []string{old1}, nil)
		args := append(applyYes("tc-401", "privileged"), "--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, "expired"), "--drain")
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", args...)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "refused the access token (401 Unauthorized to GET /app/rest/server)")
		if p.Count("CreateChangeSet") != 0 {
			t.Errorf("a change set was created: %v", p.Actions())
		}
	})

	// A token that may read but not disable agents (403): nothing is
	// disabled, nothing executed, the change set deleted, and the line
	// names the permission.
	t.Run("ForbiddenToDisable", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-403", []string{old1}, nil)
		a1 := tc.AddAgent(tcAgent(old1, true, nil))
		tc.AddToken("viewer", faketeamcity.EnableDisableAgents)
		args := append(applyYes("tc-403", "privileged"), "--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, "viewer"), "--drain")
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", args...)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, `not executed: disable agent `+old1[:12]+`: TeamCity at `+tc.URL+` did not let the token's user disable agents (403 Forbidden to PUT /app/rest/agents/id:2/enabledInfo): it needs the permission "Enable / disable agents"`)
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists)")
		if strings.Contains(errOut, "enabled TeamCity agent") || !agentEnabled(t, tc, a1) || p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-403")) != 0 {
			t.Errorf("executed %d, left %v\n%s", p.Count("ExecuteChangeSet"), e.pendingChangeSets("tc-403"), errOut)
		}
	})

	// A new task whose agent never connects within --teamcity-wait: exit
	// 1, saying what to check.
	t.Run("NewAgentNeverConnects", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-noagent", []string{old1}, []string{new1})
		tc.AddAgent(tcAgent(old1, true, nil))
		code, _, errOut := withHook(tcFast).runStack(ctx, p.URL, "", tcArgs(t, tc, "tc-noagent", "--teamcity-wait", "100ms")...)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "no TeamCity agent connected from new task run-1 within")
		oneErrorLine(t, errOut, "check the task's container log and that the agent reaches the server at its SERVER_URL")
	})

	// Without --apply the matching is shown in the review, nothing more.
	t.Run("DiffShowsMatching", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		_, tc := tcStack(t, e, p, "tc-diff", []string{old1}, nil)
		tc.AddAgent(tcAgent(old1, true, nil))
		args := []string{"--stack", "tc-diff", "--mode", "privileged", "--diff", "--teamcity-url", tc.URL, "--teamcity-token-file", tokenFile(t, tc.Token)}
		code, out, errOut := withHook(tcFast).runStack(ctx, p.URL, "", args...)
		if code != 0 || !strings.Contains(errOut, "agent "+old1[:12]+" (id 2) runs in task old-1") || !strings.Contains(out, "Privileged: true") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if len(tc.Puts()) != 0 || p.Count("CreateChangeSet") != 0 {
			t.Errorf("puts %v, calls %v", tc.Puts(), p.Actions())
		}
	})
}
