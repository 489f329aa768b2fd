package wizard

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/motoserver"
)

// motoEnv is moto_server with a TeamCity-shaped stack, and an SDK client
// that checks what tcdind did independently of it.
type motoEnv struct {
	t   *testing.T
	url string
	cfn *cloudformation.Client
}

func newMoto(t *testing.T) *motoEnv {
	t.Helper()
	m := motoserver.Start(t) // in CI a missing moto_server fails the test
	e := &motoEnv{t: t, url: m.URL}
	e.cfn = cloudformation.NewFromConfig(e.awsConfig())
	return e
}

// awsConfig is an SDK configuration for moto, independent of tcdind.
func (e *motoEnv) awsConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(e.url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	}
}

func (e *motoEnv) createStack(name string) {
	e.t.Helper()
	e.createStackFrom(name, "../testdata/stacks/teamcity.yaml")
}

// createStackFrom creates stack name from the template at path.
func (e *motoEnv) createStackFrom(name, path string) {
	e.t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{
		StackName:    aws.String(name),
		TemplateBody: aws.String(string(body)),
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), ParameterValue: aws.String("hunter2-s3cret")}},
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
	}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *motoEnv) deployed(name string) string {
	e.t.Helper()
	out, err := e.cfn.GetTemplate(context.Background(), &cloudformation.GetTemplateInput{StackName: aws.String(name), TemplateStage: cfntypes.TemplateStageOriginal})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.TemplateBody)
}

// pending are change sets left behind (moto keeps executed ones listed).
func (e *motoEnv) pending(name string) []string {
	e.t.Helper()
	out, err := e.cfn.ListChangeSets(context.Background(), &cloudformation.ListChangeSetsInput{StackName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	var left []string
	for _, cs := range out.Summaries {
		if aws.ToString(cs.StackName) == name && cs.ExecutionStatus != cfntypes.ExecutionStatusExecuteComplete {
			left = append(left, aws.ToString(cs.ChangeSetName))
		}
	}
	return left
}

func (e *motoEnv) config() Config {
	return Config{
		Region: "us-east-1",
		Client: func(ctx context.Context, region string) (Client, error) {
			return awsclient.New(ctx, awsclient.Config{Region: region, EndpointURL: e.url, RetryMaxBackoff: 10 * time.Millisecond})
		},
		Poll:  []time.Duration{0, 10 * time.Millisecond},
		Wait:  awsclient.Wait{MinDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond, Timeout: 20 * time.Second},
		still: true,
	}
}

// Runs by keys against one moto_server.
func TestRunStackMoto(t *testing.T) {
	e := newMoto(t)
	t.Run("Apply", func(t *testing.T) { testMotoApply(t, e) })
	t.Run("CtrlC", func(t *testing.T) { testMotoCtrlC(t, e) })
	t.Run("Hosts", func(t *testing.T) { testMotoHosts(t, e) })
}

// A whole run from the first question to the updated stack.
func testMotoApply(t *testing.T, e *motoEnv) {
	e.t = t
	e.createStack("other") // listed after the TeamCity stack
	e.createStack("tc")
	r := start(t, e.config(), termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Which AWS region")
	r.key(tea.KeyEnter) // us-east-1
	r.waitFor("Which stack?")
	r.waitUntil(func(s string) bool { return !strings.Contains(s, "Looking for") })
	r.typeText("tc")
	r.waitFor("filter: tc")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyDown) // privileged
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for privileged mode?")
	r.key(tea.KeyEnter)
	// The agents' SERVER_URL, as ECS registered it, names the server.
	r.waitUntil(func(s string) bool {
		return strings.Contains(strings.Join(strings.Fields(s), " "), "The stack shows the server at http://teamcity.example.internal:8111 (SERVER_URL of AgentTaskDefinition)")
	})
	r.keys(tea.KeyDown, tea.KeyDown) // skip
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	if strings.Contains(e.deployed("tc"), "Privileged") {
		t.Fatal("changed before the change set was executed")
	}
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	r.execute()
	r.waitFor("updated: UPDATE_COMPLETE")
	r.key(tea.KeyEnter)
	m := r.finished()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Outcome(); err != nil {
		t.Fatalf("outcome %v", err)
	}
	if !strings.Contains(e.deployed("tc"), "Privileged: true") {
		t.Errorf("the deployed template is not privileged:\n%s", e.deployed("tc"))
	}
	if left := e.pending("tc"); len(left) != 0 {
		t.Errorf("change sets left: %v", left)
	}
}

// ctrl+c on the change set deletes it; the stack is unchanged.
func testMotoCtrlC(t *testing.T, e *motoEnv) {
	e.t = t
	e.createStack("tc-ctrlc")
	before := e.deployed("tc-ctrlc")
	cfg := e.config()
	cfg.Stack, cfg.Mode = "tc-ctrlc", dind.ModeSocket
	r := start(t, cfg, termW, termH)
	r.waitFor("Ask TeamCity about the agents?")
	r.keys(tea.KeyDown, tea.KeyDown) // skip
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("Execute change set")
	if left := e.pending("tc-ctrlc"); len(left) != 1 {
		t.Fatalf("change sets before ctrl+c: %v", left)
	}
	r.key(tea.KeyCtrlC)
	m := r.finished()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if code := exitcode.Code(m.Outcome()); code != exitcode.Interrupted {
		t.Errorf("exit status %d, want 130", code)
	}
	if left := e.pending("tc-ctrlc"); len(left) != 0 {
		t.Errorf("change sets left after ctrl+c: %v", left)
	}
	if e.deployed("tc-ctrlc") != before {
		t.Error("the stack changed")
	}
}
