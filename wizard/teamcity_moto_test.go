package wizard

// The wizard's TeamCity steps by keys, against moto_server through the
// fault proxy (rolloutsim plays the agents' ECS rollout: moto runs no
// tasks) and the fake TeamCity (internal/faketeamcity, modelled on
// TeamCity's REST API documentation). What is modelled, and where it is
// documented:
//   - the agent container's hostname is the first 12 characters of its
//     Docker ID (https://docs.docker.com/engine/network/#ip-address-and-hostname),
//     which ECS reports as the container's runtimeId
//     (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html);
//     the agent reports it as env.HOSTNAME;
//   - a disabled agent finishes its running build and takes no new one
//     (https://www.jetbrains.com/help/teamcity/rest/agent.html), and
//     enabledInfo carries a comment and a statusSwitchTime
//     (https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html);
//   - TeamCity's Docker integration sets docker.server.version on an agent
//     where docker answers
//     (https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html).

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/awsproxy"
	"github.com/tcdind/tcdind/internal/faketeamcity"
	"github.com/tcdind/tcdind/internal/rolloutsim"
)

// Docker IDs of the agent containers before the update (two with agents,
// one without) and after it.
var (
	motoOld = []string{"a1b2c3d4e5f60718293a4b5c6d7e8f90", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "5e5e5e5e5e5e11112222333344445555"}
	motoNew = []string{"1111aaaa2222bbbb3333cccc4444dddd", "9999888877776666555544443333aaaa"}
)

// tcMoto is a stack on moto whose agent service rolloutsim plays, and the
// fake TeamCity whose agents run in its tasks.
type tcMoto struct {
	e      *motoEnv
	p      *awsproxy.Proxy
	sim    *rolloutsim.Sim
	tc     *faketeamcity.Server
	name   string
	agents []int // the old tasks' agents
}

func newTCMoto(t *testing.T, e *motoEnv, name string) *tcMoto {
	t.Helper()
	body, err := os.ReadFile("../testdata/stacks/teamcity-service.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := e.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName: aws.String(name), TemplateBody: aws.String(string(body)),
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), ParameterValue: aws.String("hunter2-s3cret")}},
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
	}); err != nil {
		t.Fatal(err)
	}
	res, err := e.cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	physical := map[string]string{}
	for _, r := range res.StackResourceSummaries {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	st, err := e.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	// The new revision as the privileged recipe writes it, registered with
	// moto's ECS (its CloudFormation registers updates without their
	// containers), so that verifying reads it back.
	reg, err := ecs.NewFromConfig(e.awsConfig()).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("teamcity-agent"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("teamcity-agent"), Image: aws.String("jetbrains/teamcity-agent:2023.11.1"),
			Privileged: aws.Bool(true), Memory: aws.Int32(2048),
			MountPoints: []ecstypes.MountPoint{{SourceVolume: aws.String("docker-data"), ContainerPath: aws.String("/var/lib/docker")}},
		}},
		Volumes: []ecstypes.Volume{{Name: aws.String("docker-data")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := awsproxy.New(t, e.url)
	sim := &rolloutsim.Sim{
		Stack: name, StackID: aws.ToString(st.Stacks[0].StackId), TaskDefinitionID: "AgentTaskDefinition", ServiceID: "AgentService",
		ServiceARN: physical["AgentService"], Old: physical["AgentTaskDefinition"], New: aws.ToString(reg.TaskDefinition.TaskDefinitionArn),
		Desired: 2, End: rolloutsim.Complete,
		Frames: []rolloutsim.Frame{
			{OnOld: true, OldRunning: 3},
			{NewPending: 2},
			{NewRunning: 2, RolloutState: "COMPLETED"},
		},
		OldRuntimeIDs: motoOld,
		NewRuntimeIDs: motoNew,
	}
	sim.Install(p)
	tc := faketeamcity.New(t)
	m := &tcMoto{e: e, p: p, sim: sim, tc: tc, name: name}
	for _, id := range motoOld[:2] {
		m.agents = append(m.agents, tc.AddAgent(faketeamcity.Agent{Name: "agent-" + id[:4], Connected: true, Enabled: true, Authorized: true,
			Params: map[string]string{"env.HOSTNAME": id[:12]}}))
	}
	tc.AddAgent(faketeamcity.Agent{Name: "build-mac", Connected: true, Enabled: true, Authorized: true, Params: map[string]string{"env.HOSTNAME": "build-mac.local"}})
	return m
}

// newAgents register when the change set is executed, one per new task,
// with the Docker versions given ("" for none).
func (m *tcMoto) newAgents(dockers ...string) {
	added := false
	m.tc.OnAgentsPoll(func(int) {
		if added || m.p.Count("ExecuteChangeSet") == 0 {
			return
		}
		added = true
		for i, v := range dockers {
			params := map[string]string{}
			if v != "" {
				params = faketeamcity.DockerParams(v)
			}
			params["env.HOSTNAME"] = motoNew[i][:12]
			m.tc.AddAgent(faketeamcity.Agent{Name: "agent-" + motoNew[i][:4], Connected: true, Enabled: true, Authorized: true, Params: params})
		}
	})
}

func (m *tcMoto) config() Config {
	cfg := m.e.config()
	cfg.Client = func(ctx context.Context, region string) (Client, error) {
		return awsclient.New(ctx, awsclient.Config{Region: region, EndpointURL: m.p.URL, RetryMaxBackoff: 10 * time.Millisecond})
	}
	cfg.Stack, cfg.Mode, cfg.RecipeGiven = m.name, dind.ModePrivileged, true
	cfg.TeamCityURL, cfg.TeamCityToken, cfg.TeamCityTokenFrom = m.tc.URL, m.tc.Token, "TEAMCITY_TOKEN"
	cfg.drainPoll, cfg.tcPoll = 5*time.Millisecond, 5*time.Millisecond
	return cfg
}

// toChoice reads the stack, reviews it with TeamCity's agents, and
// creates the change set.
func (m *tcMoto) toChoice(t *testing.T) *run {
	t.Helper()
	r := start(t, m.config(), termW, termH)
	r.waitFor("Not matched, so never disabled")
	r.key(tea.KeyEnter)
	r.waitFor("Drain first: disable 2 agents, wait up to")
	return r
}

func TestTeamCityMoto(t *testing.T) {
	e := newMoto(t)
	t.Run("DrainBuildsFinish", func(t *testing.T) { testMotoDrain(t, e) })
	t.Run("CtrlCWhileDraining", func(t *testing.T) { testMotoDrainCtrlC(t, e) })
	t.Run("NewAgentWithoutDocker", func(t *testing.T) { testMotoNoDocker(t, e) })
}

// Two builds finish on the drained agents; then the update, the agents
// enabled again, and TeamCity sees Docker on both new agents.
func testMotoDrain(t *testing.T, e *motoEnv) {
	e.t = t
	m := newTCMoto(t, e, "tc-drain")
	m.tc.AddBuild(faketeamcity.Build{AgentID: m.agents[0], ProjectName: "Backend", Name: "Integration tests", FinishAfterPolls: 2})
	m.tc.AddBuild(faketeamcity.Build{AgentID: m.agents[1], ProjectName: "Web", Name: "Build", FinishAfterPolls: 3})
	m.newAgents("27.3.1", "27.3.1")
	r := m.toChoice(t)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity sees Docker on 2 of 2 new agents (docker 27.3.1)")
	r.key(tea.KeyEnter)
	model := r.finished()
	if err := model.Close(); err != nil {
		t.Fatal(err)
	}
	if err := model.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	if !strings.Contains(e.deployed(m.name), "Privileged: true") {
		t.Error("the stack was not updated")
	}
	if left := e.pending(m.name); len(left) != 0 {
		t.Errorf("change sets left: %v", left)
	}
	if got, want := enabledPuts(m.tc), []string{"agent-a1b2=false", "agent-0f1e=false", "agent-a1b2=false", "agent-0f1e=false", "agent-a1b2=true", "agent-0f1e=true"}; !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	// Executed only once no build ran: the builds finished before the
	// ExecuteChangeSet call.
	if r := m.tc.RunningBuilds(); len(r) != 0 {
		t.Errorf("builds %v still run", r)
	}
}

// ctrl+c while draining: exactly the agents tcdind disabled are enabled
// again and read back, the change set is gone, the stack unchanged.
func testMotoDrainCtrlC(t *testing.T, e *motoEnv) {
	e.t = t
	m := newTCMoto(t, e, "tc-drain-ctrlc")
	before := e.deployed(m.name)
	m.tc.AddBuild(faketeamcity.Build{AgentID: m.agents[0], Name: "Release"})
	r := m.toChoice(t)
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Release")
	r.key(tea.KeyCtrlC)
	model := r.finished()
	if err := model.Close(); err != nil {
		t.Fatal(err)
	}
	if code := exitcode.Code(model.Outcome()); code != exitcode.Interrupted {
		t.Errorf("exit status %d (%v), want 130", code, model.Outcome())
	}
	if left := e.pending(m.name); len(left) != 0 {
		t.Errorf("change sets left after ctrl+c: %v", left)
	}
	if e.deployed(m.name) != before {
		t.Error("the stack changed")
	}
	if m.p.Count("ExecuteChangeSet") != 0 {
		t.Error("the change set was executed")
	}
	if got, want := enabledPuts(m.tc), []string{"agent-a1b2=false", "agent-0f1e=false", "agent-a1b2=true", "agent-0f1e=true"}; !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	for _, id := range m.agents {
		if a, _ := m.tc.Agent(id); !a.Enabled {
			t.Errorf("agent %s left disabled", a.Name)
		}
	}
}

// A new agent without Docker: exit 1, named.
func testMotoNoDocker(t *testing.T, e *motoEnv) {
	e.t = t
	m := newTCMoto(t, e, "tc-no-docker")
	m.newAgents("27.3.1", "")
	cfg := m.config()
	cfg.TeamCityWait = 300 * time.Millisecond
	r := start(t, cfg, termW, termH)
	r.waitFor("Not matched, so never disabled")
	r.key(tea.KeyEnter)
	r.waitFor("Execute now: running builds are cut off")
	r.keys(tea.KeyDown, tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("TeamCity sees Docker on 1 of 2 new agents (docker 27.3.1)")
	r.key(tea.KeyEnter)
	model := r.finished()
	if err := model.Close(); err != nil {
		t.Fatal(err)
	}
	err := model.Outcome()
	if exitcode.Code(err) != 1 || !strings.Contains(err.Error(), "agent agent-9999") || !strings.Contains(err.Error(), "sees no Docker") {
		t.Errorf("outcome %v, want exit 1 naming agent-9999", err)
	}
}
