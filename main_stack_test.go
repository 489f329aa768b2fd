package main

// Integration tests of --stack against moto_server (a local CloudFormation
// and S3 emulator), driven through run() so that exit codes and the exact
// standard error are tested. What moto cannot do (a FAILED change set, a
// rollback, throttling, 5xx, a busy stack, an interrupted run) is injected by
// internal/awsproxy, a counting proxy in front of moto.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.yaml.in/yaml/v3"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/internal/awsproxy"
	"github.com/tcdind/tcdind/internal/iostreams"
	"github.com/tcdind/tcdind/internal/motoserver"
)

const (
	stackTemplate = "testdata/stacks/teamcity.yaml"
	// secret is the NoEcho parameter's value: it must never be printed.
	secret = "hunter2-s3cret-value"
)

// stackEnv is one moto_server and SDK clients talking to it directly (not
// through the proxy, so that they do not count).
type stackEnv struct {
	t    testing.TB
	moto *motoserver.Server
	cfg  aws.Config
	cfn  *cloudformation.Client
	s3   *s3.Client
}

// awsConfig is the SDK configuration of the env's direct clients.
func (e *stackEnv) awsConfig() aws.Config { return e.cfg }

func newStackEnv(t testing.TB) *stackEnv {
	t.Helper()
	m := motoserver.Start(t)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  aws.AnonymousCredentials{},
		BaseEndpoint: aws.String(m.URL),
	}
	// Fake static credentials: moto accepts any signature.
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
	})
	return &stackEnv{
		t:    t,
		moto: m,
		cfg:  cfg,
		cfn:  cloudformation.NewFromConfig(cfg),
		s3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
	}
}

// fast makes a stack run poll and retry without real waiting.
func fast(r *batch.StackRun, c *awsclient.Config) {
	r.Poll = []time.Duration{0, 5 * time.Millisecond}
	r.Wait = awsclient.Wait{MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, Timeout: 20 * time.Second}
	r.Settle = 10 * time.Second
	r.Lookups = []time.Duration{0, 20 * time.Millisecond, 40 * time.Millisecond}
	r.GiveUp = 2 * time.Second
	// A lasting placement failure is said once it held on three polls.
	r.PlacementGrace = time.Millisecond
	c.RetryMaxBackoff = 10 * time.Millisecond
	c.RequestTimeout = 5 * time.Second
}

// cli runs the command line in-process; its runF adjusts a --stack run
// before it starts (cli/cli's runF injection, no package-level hook).
type cli struct{ runF stackRunF }

// withHook is the command line whose stack runs hook adjusts.
func withHook(hook func(*batch.StackRun, *awsclient.Config)) cli {
	return cli{runF: func(ctx context.Context, r *batch.StackRun, cfg awsclient.Config, s batch.Streams) error {
		hook(r, &cfg)
		return runStackRun(ctx, r, cfg, s)
	}}
}

func (c cli) run(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	return runWith(ctx, args, ios, c.runF)
}

// createStack creates a stack from the TeamCity fixture (or body) with a
// NoEcho parameter, IAM capability and tags, as a user would have.
func (e *stackEnv) createStack(name string, body []byte, templateURL string) {
	e.t.Helper()
	if body == nil && templateURL == "" {
		var err error
		if body, err = os.ReadFile(stackTemplate); err != nil {
			e.t.Fatal(err)
		}
	}
	in := &cloudformation.CreateStackInput{
		StackName:    aws.String(name),
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), ParameterValue: aws.String(secret)}},
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
		Tags:         []cfntypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}},
	}
	if templateURL != "" {
		in.TemplateURL = aws.String(templateURL)
	} else {
		in.TemplateBody = aws.String(string(body))
	}
	if _, err := e.cfn.CreateStack(context.Background(), in); err != nil {
		e.t.Fatalf("create stack %s: %v", name, err)
	}
}

// deployed reads the stack's template independently of tcdind.
func (e *stackEnv) deployed(name string) []byte {
	e.t.Helper()
	out, err := e.cfn.GetTemplate(context.Background(), &cloudformation.GetTemplateInput{StackName: aws.String(name), TemplateStage: cfntypes.TemplateStageOriginal})
	if err != nil {
		e.t.Fatalf("get template of %s: %v", name, err)
	}
	return []byte(aws.ToString(out.TemplateBody))
}

func (e *stackEnv) changeSets(name string) []cfntypes.ChangeSetSummary {
	e.t.Helper()
	out, err := e.cfn.ListChangeSets(context.Background(), &cloudformation.ListChangeSetsInput{StackName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("list change sets of %s: %v", name, err)
	}
	// moto lists every stack's change sets: keep this stack's.
	var mine []cfntypes.ChangeSetSummary
	for _, cs := range out.Summaries {
		if aws.ToString(cs.StackName) == name {
			mine = append(mine, cs)
		}
	}
	return mine
}

// pendingChangeSets are change sets left behind: moto, unlike CloudFormation,
// keeps executed ones in the list.
func (e *stackEnv) pendingChangeSets(name string) []string {
	var left []string
	for _, cs := range e.changeSets(name) {
		if cs.ExecutionStatus != cfntypes.ExecutionStatusExecuteComplete {
			left = append(left, aws.ToString(cs.ChangeSetName)+" "+string(cs.Status)+" "+string(cs.ExecutionStatus))
		}
	}
	return left
}

func (e *stackEnv) stackStatus(name string) (string, []cfntypes.Tag) {
	e.t.Helper()
	out, err := e.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return string(out.Stacks[0].StackStatus), out.Stacks[0].Tags
}

// runStack runs tcdind against endpoint with ctx and returns exit status,
// standard output and standard error. stdin is the terminal's input when
// the hook makes the run interactive.
func runStack(ctx context.Context, endpoint, stdin string, args ...string) (int, string, string) {
	return cli{}.runStack(ctx, endpoint, stdin, args...)
}

func (c cli) runStack(ctx context.Context, endpoint, stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	args = append([]string{"--endpoint-url", endpoint, "--region", "us-east-1"}, args...)
	code := c.run(ctx, args, testIO(strings.NewReader(stdin), &out, &errOut))
	return code, out.String(), errOut.String()
}

// agent decodes the deployed template's agent task definition and container.
func agent(t testing.TB, tmpl []byte) (td, container map[string]any) {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(tmpl, &doc); err != nil {
		t.Fatalf("deployed template does not decode: %v", err)
	}
	td = doc.Resources["AgentTaskDefinition"].Properties
	defs, _ := td["ContainerDefinitions"].([]any)
	if len(defs) != 1 {
		t.Fatalf("deployed AgentTaskDefinition has %d containers", len(defs))
	}
	return td, defs[0].(map[string]any)
}

func list(v any, key string) []string {
	var out []string
	items, _ := v.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, fmt.Sprint(m[key]))
		}
	}
	return out
}

// checkMode asserts what the deployed agent container has in mode.
func checkMode(t testing.TB, tmpl []byte, mode string) {
	t.Helper()
	td, c := agent(t, tmpl)
	priv := c["Privileged"] == true
	mounts := list(c["MountPoints"], "ContainerPath")
	env := list(c["Environment"], "Name")
	sock := slices.Contains(mounts, "/var/run/docker.sock")
	data := slices.Contains(mounts, "/var/lib/docker")
	dind := slices.Contains(env, "DOCKER_IN_DOCKER")
	want := map[string][4]bool{
		"privileged": {true, false, true, true},
		"socket":     {false, true, false, false},
		"none":       {false, false, false, false},
	}[mode]
	if got := [4]bool{priv, sock, data, dind}; got != want {
		t.Errorf("deployed agent in %s mode: privileged, docker.sock, /var/lib/docker, DOCKER_IN_DOCKER = %v, want %v\ncontainer: %v\nvolumes: %v", mode, got, want, c, td["Volumes"])
	}
	if !slices.Contains(env, "SERVER_URL") {
		t.Errorf("deployed agent lost SERVER_URL: %v", env)
	}
}

var errLine = regexp.MustCompile(`(?m)^tcdind: `)

// oneErrorLine asserts that stderr ends with exactly one "tcdind:" error
// line containing want.
func oneErrorLine(t *testing.T, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "tcdind: ") || !strings.Contains(last, want) {
		t.Errorf("last line of stderr = %q, want a tcdind: line containing %q\nstderr:\n%s", last, want, stderr)
	}
}

func TestStack(t *testing.T) {
	e := newStackEnv(t)
	ctx := context.Background()

	t.Run("ApplyEachMode", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-modes", nil, "")
		original := e.deployed("tc-modes")
		for _, mode := range []string{"privileged", "socket", "none"} {
			p.Reset()
			code, out, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-modes", "--mode", mode, "--apply", "--yes", "--non-interactive")
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s", mode, code, errOut)
			}
			if out != "" {
				t.Errorf("%s: wrote to stdout: %q", mode, out)
			}
			for _, want := range []string{"change set tcdind-" + mode + "-", "Modify  AgentTaskDefinition", "builds running on them are interrupted", "UPDATE_COMPLETE"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("%s: stderr lacks %q:\n%s", mode, want, errOut)
				}
			}
			if strings.Contains(errOut, secret) || strings.Contains(out, secret) {
				t.Errorf("%s: the NoEcho parameter's value was printed", mode)
			}
			checkMode(t, e.deployed("tc-modes"), mode)

			cc, ok := p.Last("CreateChangeSet")
			if !ok {
				t.Fatalf("%s: no CreateChangeSet", mode)
			}
			checkChangeSetRequest(t, cc.Form, mode)
		}
		// The server task definition and the rest are untouched.
		var before, after struct {
			Resources map[string]any `yaml:"Resources"`
		}
		yaml.Unmarshal(original, &before)
		yaml.Unmarshal(e.deployed("tc-modes"), &after)
		if fmt.Sprint(before.Resources["ServerTaskDefinition"]) != fmt.Sprint(after.Resources["ServerTaskDefinition"]) {
			t.Errorf("ServerTaskDefinition changed")
		}
		if status, tags := e.stackStatus("tc-modes"); status != "UPDATE_COMPLETE" || len(tags) != 1 || aws.ToString(tags[0].Key) != "team" {
			t.Errorf("stack after updates: %s, tags %v; want UPDATE_COMPLETE and the tag team=ci kept", status, tags)
		}
	})

	t.Run("RerunNothingToChange", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-rerun", nil, "")
		if code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-rerun", "--mode", "socket", "--apply", "--yes", "--non-interactive"); code != 0 {
			t.Fatalf("first apply: exit %d\n%s", code, errOut)
		}
		before := len(e.changeSets("tc-rerun"))
		p.Reset()
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-rerun", "--mode", "socket", "--apply", "--yes", "--non-interactive")
		if code != 0 {
			t.Fatalf("rerun: exit %d\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "nothing to change") {
			t.Errorf("rerun did not say nothing to change:\n%s", errOut)
		}
		if n := p.Count("CreateChangeSet"); n != 0 {
			t.Errorf("rerun created %d change set(s)", n)
		}
		if after := len(e.changeSets("tc-rerun")); after != before {
			t.Errorf("rerun left a change set: %d before, %d after", before, after)
		}
		if left := e.pendingChangeSets("tc-rerun"); len(left) != 0 {
			t.Errorf("change sets left behind: %v", left)
		}
	})

	t.Run("APICallCount", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-count", nil, "")
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-count", "--mode", "privileged", "--apply", "--yes", "--non-interactive")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		actions := p.Actions()
		t.Logf("fetch-patch-apply made %d API calls: %v", len(actions), actions)
		// 8 to read, check, create, execute and follow; 3 to follow the
		// agents and verify them: ListStackResources before the update
		// (the revisions it replaces), and after it (moto's events do not
		// name the new revision; AWS's do, which spares this one) and
		// DescribeTaskDefinition to read the mode back.
		if len(actions) > 11 {
			t.Errorf("fetch-patch-apply made %d API calls, want at most 11: %v", len(actions), actions)
		}
		// DescribeStacks and GetTemplate run twice: once to read, once to
		// check that the stack is still what was read right before the
		// change set is made (moto tells no LastUpdatedTime, so the
		// template is compared; on AWS one DescribeStacks does).
		seen := map[string]int{}
		for _, a := range actions {
			seen[a]++
		}
		for a, n := range seen {
			limit := 1
			switch a {
			case "DescribeStackEvents", "DescribeChangeSet":
				limit = n
			case "DescribeStacks", "GetTemplate", "ListStackResources":
				limit = 2
			}
			if n > limit {
				t.Errorf("%s called %d times: %v", a, n, actions)
			}
		}
	})

	t.Run("RefuseWithoutYes", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-noyes", nil, "")
		code, _, errOut := runStack(ctx, p.URL, "", "--stack", "tc-noyes", "--mode", "privileged", "--apply")
		if code != 2 {
			t.Fatalf("exit %d, want 2\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "--yes")
		if calls := p.Actions(); len(calls) != 0 {
			t.Errorf("called AWS before refusing: %v", calls)
		}
		if cs := e.changeSets("tc-noyes"); len(cs) != 0 {
			t.Errorf("change sets created: %v", cs)
		}
	})

	t.Run("UnknownStack", func(t *testing.T) {
		code, _, errOut := runStack(ctx, e.moto.URL, "", "--stack", "no-such-stack", "--mode", "socket", "--check")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if errOut != "tcdind: stack no-such-stack not found in us-east-1: check the name, or pass --region\n" {
			t.Errorf("stderr = %q", errOut)
		}
	})

	t.Run("CheckAndDiff", func(t *testing.T) {
		e.createStack("tc-check", nil, "")
		code, out, errOut := runStack(ctx, e.moto.URL, "", "--stack", "tc-check", "--mode", "privileged", "--check")
		if code != 3 || out != "" {
			t.Errorf("--check on a stack without DinD: exit %d, stdout %q, want 3 and nothing\n%s", code, out, errOut)
		}
		code, out, errOut = runStack(ctx, e.moto.URL, "", "--stack", "tc-check", "--mode", "privileged", "--diff")
		if code != 0 || !strings.Contains(out, "+          Privileged: true") || !strings.HasPrefix(out, "--- tc-check") {
			t.Errorf("--diff: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		code, out, _ = runStack(ctx, e.moto.URL, "", "--stack", "tc-check", "--mode", "privileged", "--output", "-")
		if code != 0 {
			t.Errorf("--output -: exit %d", code)
		}
		checkMode(t, []byte(out), "privileged")
		if len(e.changeSets("tc-check")) != 0 {
			t.Errorf("--check/--diff/--output created a change set")
		}
		cli := withHook(fast)
		if code, _, errOut := cli.runStack(ctx, e.moto.URL, "", "--stack", "tc-check", "--mode", "privileged", "--apply", "--yes"); code != 0 {
			t.Fatalf("apply: exit %d\n%s", code, errOut)
		}
		// By ARN too.
		if code, _, errOut := cli.runStack(ctx, e.moto.URL, "", "--stack", e.stackID("tc-check"), "--mode", "privileged", "--check"); code != 0 {
			t.Errorf("--check by ARN after apply: exit %d, want 0\n%s", code, errOut)
		}
	})

	t.Run("LargeTemplateThroughS3", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		body, _ := os.ReadFile(stackTemplate)
		var pad strings.Builder
		for pad.Len() < 60000 {
			pad.WriteString("# padding: a long TeamCity template, as grown over the years by comments and metadata\n")
		}
		large := append(append([]byte{}, body...), pad.String()...)
		bucket := "tcdind-templates"
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("seed/large.yaml"), Body: bytes.NewReader(large)}); err != nil {
			t.Fatal(err)
		}
		e.createStack("tc-large", nil, awsclient.TemplateURL("aws", "us-east-1", bucket, "seed/large.yaml", ""))

		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-large", "--mode", "privileged", "--apply", "--yes")
		if code != 1 {
			t.Fatalf("without --s3-bucket: exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "pass --s3-bucket")
		if p.Count("CreateChangeSet") != 0 {
			t.Errorf("created a change set without --s3-bucket")
		}

		p.Reset()
		code, _, errOut = cli.runStack(ctx, p.URL, "", "--stack", "tc-large", "--mode", "privileged", "--apply", "--yes", "--s3-bucket", bucket)
		if code != 0 {
			t.Fatalf("with --s3-bucket: exit %d\n%s", code, errOut)
		}
		cc, _ := p.Last("CreateChangeSet")
		u := cc.Form.Get("TemplateURL")
		if cc.Form.Get("TemplateBody") != "" || !strings.HasPrefix(u, "https://s3.us-east-1.amazonaws.com/"+bucket+"/tcdind/tc-large/") || !strings.HasSuffix(u, ".yaml") {
			t.Fatalf("CreateChangeSet TemplateURL = %q (TemplateBody %d bytes)", u, len(cc.Form.Get("TemplateBody")))
		}
		deployed := e.deployed("tc-large")
		checkMode(t, deployed, "privileged")
		key := fmt.Sprintf("tcdind/tc-large/%x.yaml", sha256.Sum256(deployed))
		if !strings.HasSuffix(u, key) {
			t.Errorf("TemplateURL %s does not end in the sha256 key %s", u, key)
		}
		if _, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			t.Errorf("uploaded template not in S3 at %s: %v", key, err)
		}
	})

	t.Run("Faults", func(t *testing.T) { testFaults(t, e) })
	t.Run("Trust", func(t *testing.T) { testTrust(t, e) })
	t.Run("Nested", func(t *testing.T) { testNested(t, e) })
	t.Run("WizardHangUp", func(t *testing.T) { testWizardHangUp(t, e) })
	t.Run("WizardAccessible", func(t *testing.T) { testWizardAccessible(t, e) })
	t.Run("WizardStackFilter", func(t *testing.T) { testWizardStackFilter(t, e) })
	t.Run("Messages", func(t *testing.T) { testMessages(t, e) })
	t.Run("Rollout", func(t *testing.T) { testRollout(t, e) })
	t.Run("Health", func(t *testing.T) { testHealth(t, e) })
	t.Run("TeamCity", func(t *testing.T) { testTeamCity(t, e) })
	t.Run("Hosts", func(t *testing.T) { testHosts(t, e) })

	t.Run("SideBySideWithAWSCLIDeploy", func(t *testing.T) { testAgainstAWSCLI(t, e) })
}

// checkChangeSetRequest asserts what CreateChangeSet was sent: every
// parameter as UsePreviousValue and no value, the stack's capabilities, no
// tags, a tcdind name and description.
func checkChangeSetRequest(t *testing.T, f url.Values, mode string) {
	t.Helper()
	if got := f.Get("ChangeSetType"); got != "UPDATE" {
		t.Errorf("ChangeSetType = %q", got)
	}
	if !regexp.MustCompile(`^tcdind-` + mode + `-\d{8}-\d{6}-[0-9a-f]{8}$`).MatchString(f.Get("ChangeSetName")) {
		t.Errorf("ChangeSetName = %q", f.Get("ChangeSetName"))
	}
	if !strings.Contains(f.Get("Description"), mode) {
		t.Errorf("Description = %q", f.Get("Description"))
	}
	keys := map[string]bool{}
	for k, v := range f {
		switch {
		case strings.HasPrefix(k, "Tags"):
			t.Errorf("CreateChangeSet sent tags: %s=%v", k, v)
		case strings.HasSuffix(k, "ParameterValue"):
			t.Errorf("CreateChangeSet sent a parameter value: %s", k)
		case strings.HasPrefix(k, "Parameters.member.") && strings.HasSuffix(k, ".ParameterKey"):
			keys[v[0]] = true
			if prev := f.Get(strings.TrimSuffix(k, "ParameterKey") + "UsePreviousValue"); prev != "true" {
				t.Errorf("parameter %s: UsePreviousValue = %q", v[0], prev)
			}
		}
	}
	for _, k := range []string{"TeamCityVersion", "AgentContainerCpu", "AgentContainerMemory", "DatabasePassword"} {
		if !keys[k] {
			t.Errorf("parameter %s not passed (passed: %v)", k, keys)
		}
	}
}

// testAgainstAWSCLI deploys the same change with tcdind's whole
// fetch-patch-apply and with aws cloudformation deploy of the patched
// template, each to a fresh stack on the same moto_server, and checks both
// end in the mode. The times are logged; BenchmarkApplyVsAWSCLI measures them.
func testAgainstAWSCLI(t *testing.T, e *stackEnv) {
	c := newComparison(t, e, "tc-speed")
	start := time.Now()
	c.applyWithTcdind()
	tTcdind := time.Since(start)
	start = time.Now()
	c.deployWithAWSCLI()
	tCLI := time.Since(start)
	c.check()
	t.Logf("tcdind fetch-patch-apply %v, aws cloudformation deploy %v: %.2fx",
		tTcdind.Round(time.Millisecond), tCLI.Round(time.Millisecond), float64(tTcdind)/float64(tCLI))
}

// BenchmarkApplyVsAWSCLI times tcdind's whole fetch-patch-apply of a stack
// (ns/op) and, beside it, aws cloudformation deploy of the same patched
// template (awscli-ns/op), both against moto_server, each on a fresh stack.
func BenchmarkApplyVsAWSCLI(b *testing.B) {
	e := newStackEnv(b)
	var cli time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := newComparison(b, e, fmt.Sprintf("tc-bench-%d", i))
		b.StartTimer()
		c.applyWithTcdind()
		b.StopTimer()
		start := time.Now()
		c.deployWithAWSCLI()
		cli += time.Since(start)
		c.check()
	}
	b.ReportMetric(float64(cli.Nanoseconds())/float64(b.N), "awscli-ns/op")
}

// comparison is one side-by-side run: two fresh stacks, the tcdind binary,
// the AWS CLI and the template patched for the CLI.
type comparison struct {
	e                     *stackEnv
	bin, awsCLI, patched  string
	tcdindStack, cliStack string
}

func newComparison(t testing.TB, e *stackEnv, prefix string) *comparison {
	t.Helper()
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("aws CLI not installed")
		}
		t.Fatal("aws CLI not installed")
	}
	dir := t.TempDir()
	c := &comparison{e: e, bin: filepath.Join(dir, "tcdind"), awsCLI: awsCLI, patched: filepath.Join(dir, "patched.yaml"),
		tcdindStack: prefix + "-tcdind", cliStack: prefix + "-awscli"}
	if out, err := exec.Command("go", "build", "-o", c.bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, err := exec.Command(c.bin, "--template", stackTemplate, "--mode", "privileged", "--output", c.patched).CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	e.createStack(c.tcdindStack, nil, "")
	e.createStack(c.cliStack, nil, "")
	return c
}

func (c *comparison) applyWithTcdind() {
	cmd := exec.Command(c.bin, "--endpoint-url", c.e.moto.URL, "--region", "us-east-1", "--stack", c.tcdindStack,
		"--mode", "privileged", "--apply", "--yes", "--non-interactive")
	if out, err := cmd.CombinedOutput(); err != nil {
		c.e.t.Fatalf("tcdind: %v\n%s", err, out)
	}
}

func (c *comparison) deployWithAWSCLI() {
	cmd := exec.Command(c.awsCLI, "cloudformation", "deploy", "--endpoint-url", c.e.moto.URL, "--region", "us-east-1",
		"--stack-name", c.cliStack, "--template-file", c.patched, "--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset")
	if out, err := cmd.CombinedOutput(); err != nil {
		c.e.t.Fatalf("aws cloudformation deploy: %v\n%s", err, out)
	}
}

func (c *comparison) check() {
	checkMode(c.e.t, c.e.deployed(c.cliStack), "privileged")
	checkMode(c.e.t, c.e.deployed(c.tcdindStack), "privileged")
}

// TestTemplateModeLoadsNoAWSConfig: a template run must work with a broken
// AWS configuration; a stack run reports it in one line.
func TestTemplateModeLoadsNoAWSConfig(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "no-such-profile")
	code, _, errOut := runCLI(t, "--template", stackTemplate, "--mode", "socket", "--check")
	if code != 3 || strings.Contains(errOut, "no-such-profile") || strings.Contains(errOut, "AWS profile") {
		t.Errorf("template mode: exit %d, want 3 without touching AWS\n%s", code, errOut)
	}
	code, _, errOut = runCLI(t, "--stack", "tc", "--mode", "socket", "--check")
	if code != 2 || errOut != "tcdind: AWS profile \"no-such-profile\" not found in the shared config files: check --profile or AWS_PROFILE (aws configure list-profiles)\n" {
		t.Errorf("stack mode: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{
		{"--template", stackTemplate, "--mode", "socket", "--apply"},
		{"--template", stackTemplate, "--stack", "tc", "--mode", "socket"},
		{"--stack", "tc", "--mode", "socket", "--in-place"},
		{"--stack", "tc", "--mode", "socket", "--apply", "--diff"},
		{"--stack", "tc", "--apply", "--yes"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || !strings.HasPrefix(errOut, "tcdind: ") {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errOut)
		}
	}
}
