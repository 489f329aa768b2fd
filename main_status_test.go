package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/fleet"
	"github.com/tcdind/tcdind/internal/awsproxy"
)

// fargateTemplate is an agent on Fargate, which neither mode can change.
const fargateTemplate = `Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  AgentTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: fargate-agent
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "1024"
      Memory: "2048"
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07
          Essential: true
  AgentService:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      LaunchType: FARGATE
      DesiredCount: 1
      TaskDefinition: !Ref AgentTask
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: [subnet-12345678]
`

// plainTemplate has no agent: status reads its resources and skips it.
const plainTemplate = `Resources:
  Logs:
    Type: AWS::Logs::LogGroup
`

// regionEnv creates stacks of one moto in one region.
type regionEnv struct {
	e      *stackEnv
	region string
}

func (e *stackEnv) in(region string) regionEnv { return regionEnv{e, region} }

func (r regionEnv) cfn() *cloudformation.Client {
	return cloudformation.NewFromConfig(r.e.cfg, func(o *cloudformation.Options) { o.Region = r.region })
}

func (r regionEnv) ecs() *ecs.Client {
	return ecs.NewFromConfig(r.e.cfg, func(o *ecs.Options) { o.Region = r.region })
}

// create makes a stack from body in the region; TemplateURL when body is "".
func (r regionEnv) create(t testing.TB, name, body, templateURL string) {
	t.Helper()
	in := &cloudformation.CreateStackInput{
		StackName:    aws.String(name),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
	}
	if strings.Contains(body, "DatabasePassword") {
		in.Parameters = []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), ParameterValue: aws.String(secret)}}
	}
	if templateURL != "" {
		in.TemplateURL = aws.String(templateURL)
	} else {
		in.TemplateBody = aws.String(body)
	}
	if _, err := r.cfn().CreateStack(context.Background(), in); err != nil {
		t.Fatalf("create stack %s in %s: %v", name, r.region, err)
	}
}

// serviceIn is the agent service fixture in mode, patched by the engine
// (tested on its own), with --sudo-image for privileged.
func serviceIn(t testing.TB, mode dind.Mode) string {
	t.Helper()
	body, err := os.ReadFile(serviceTemplate)
	if err != nil {
		t.Fatal(err)
	}
	if mode == dind.ModeNone {
		return string(body)
	}
	opts := dind.DefaultOptions(mode)
	opts.SudoImage = mode == dind.ModePrivileged
	res, err := dind.Apply(body, opts)
	if err != nil {
		t.Fatal(err)
	}
	return string(res.Output)
}

// drift points the stack's agent service at a revision registered beside
// CloudFormation, as a console edit or aws ecs update-service does.
func (r regionEnv) drift(t testing.TB, stack string) {
	t.Helper()
	ctx := context.Background()
	res, err := r.cfn().ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	physical := map[string]string{}
	for _, x := range res.StackResourceSummaries {
		physical[aws.ToString(x.LogicalResourceId)] = aws.ToString(x.PhysicalResourceId)
	}
	td, err := r.ecs().RegisterTaskDefinition(ctx, privilegedAgent())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ecs().UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(physical["ECSCluster"]), Service: aws.String(physical["AgentService"]), TaskDefinition: td.TaskDefinition.TaskDefinitionArn}); err != nil {
		t.Fatal(err)
	}
}

// twoAccounts are two moto servers, each behind a proxy, reached through
// the profiles prod and staging of a shared config file (endpoint_url per
// profile, as the SDK reads it): two accounts.
type twoAccounts struct {
	prod, staging   *stackEnv
	prodP, stagingP *awsproxy.Proxy
	configFile      string
}

func newTwoAccounts(t *testing.T) *twoAccounts {
	a := &twoAccounts{prod: newStackEnv(t), staging: newStackEnv(t)}
	a.prodP = awsproxy.New(t, a.prod.moto.URL)
	a.stagingP = awsproxy.New(t, a.staging.moto.URL)
	dir := t.TempDir()
	a.configFile = filepath.Join(dir, "config")
	cfg := fmt.Sprintf("[profile prod]\nregion = us-east-1\nendpoint_url = %s\n\n[profile staging]\nregion = us-east-1\nendpoint_url = %s\n", a.prodP.URL, a.stagingP.URL)
	if err := os.WriteFile(a.configFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[prod]\naws_access_key_id = prodkey\naws_secret_access_key = prodsecret\n\n[staging]\naws_access_key_id = stagingkey\naws_secret_access_key = stagingsecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", a.configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	return a
}

func statusCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"status"}, args...), testIO(strings.NewReader(""), &out, &errOut))
	return code, out.String(), errOut.String()
}

// TestStatus: status over three regions and two profiles (accounts) of
// moto through the fault proxy: agents in each mode, a drifted service, a
// nested stack, a Fargate stack, a stack without an agent, and a region
// that an organisation's policy denies.
func TestStatus(t *testing.T) {
	a := newTwoAccounts(t)
	ctx := context.Background()
	east, west := a.prod.in("us-east-1"), a.prod.in("eu-west-1")
	east.create(t, "tc-socket", serviceIn(t, dind.ModeSocket), "")
	east.create(t, "tc-drift", serviceIn(t, dind.ModeSocket), "")
	east.drift(t, "tc-drift")
	east.create(t, "tc-fargate", fargateTemplate, "")
	east.create(t, "plain", plainTemplate, "")
	// The nested stack: a root whose child template (in S3) runs the agent.
	bucket := "tc-status-nested"
	if _, err := a.prod.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.prod.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("child.yaml"), Body: strings.NewReader(serviceIn(t, dind.ModeSocket))}); err != nil {
		t.Fatal(err)
	}
	west.create(t, "tc-root", "Resources:\n  Agents:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://s3.us-east-1.amazonaws.com/"+bucket+"/child.yaml\n      Parameters:\n        DatabasePassword: x\n", "")
	a.staging.in("us-east-1").create(t, "tc-priv", serviceIn(t, dind.ModePrivileged), "")
	a.staging.in("eu-west-1").create(t, "tc-none", serviceIn(t, dind.ModeNone), "")
	a.prodP.DenyRegion("eu-central-1")
	// moto's ECS says EC2 for every service CloudFormation made; ECS says
	// the launch type the service was created with ("launchType":
	// "FARGATE", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html).
	a.prodP.Rewrite("DescribeServices", func(_ int, _ url.Values, body []byte) []byte {
		if bytes.Contains(body, []byte("fargate-agent")) {
			return bytes.ReplaceAll(body, []byte(`"launchType": "EC2"`), []byte(`"launchType": "FARGATE"`))
		}
		return body
	})

	regions := "--region=us-east-1,eu-west-1,eu-central-1"
	code, stdout, stderr := statusCLI(t, regions, "--profile", "prod", "--profile", "staging", "--want", "socket", "--json")
	if code != 3 {
		t.Fatalf("exit %d, want 3 (agents not in socket mode)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var st fleet.Status
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("not a status document: %v\n%s", err, stdout)
	}
	checkStatusSchema(t, stdout)
	byName := map[string]fleet.Stack{}
	for _, s := range st.Stacks {
		byName[s.Name] = s
		if strings.HasPrefix(s.Name, "tc-root-Agents-") {
			byName["child"] = s
		}
	}
	if _, ok := byName["plain"]; ok {
		t.Errorf("a stack without an agent is listed")
	}
	if s := byName["tc-socket"]; len(s.Agents) != 1 || s.Agents[0].Mode != "socket" || s.Agents[0].Drift || !s.Editable || s.Profile != "prod" || s.Account == "" {
		t.Errorf("tc-socket: %+v", s)
	}
	if s := byName["tc-drift"]; len(s.Agents) != 1 || !s.Agents[0].Drift || s.Agents[0].Revision == s.Agents[0].Services[0].Runs {
		t.Errorf("tc-drift: want drift, CloudFormation's revision against the service's: %+v", s)
	}
	if s := byName["tc-fargate"]; len(s.Agents) != 1 || s.Agents[0].LaunchType != "FARGATE" || s.Editable || !strings.Contains(strings.Join(s.NotEditable, " "), "Fargate") {
		t.Errorf("tc-fargate: want FARGATE and not editable: %+v", s)
	}
	if s := byName["child"]; s.Parent != "tc-root" || s.Editable || s.Region != "eu-west-1" {
		t.Errorf("nested child: want parent tc-root and not editable: %+v", s)
	}
	if s := byName["tc-priv"]; s.Profile != "staging" || len(s.Agents) != 1 || s.Agents[0].Mode != "privileged" || !s.Agents[0].Sudo || !strings.HasSuffix(s.Agents[0].Tag, "-linux-sudo") {
		t.Errorf("tc-priv: want privileged on a -sudo tag in staging: %+v", s)
	}
	if s := byName["tc-none"]; s.Region != "eu-west-1" || s.Agents[0].Mode != "none" {
		t.Errorf("tc-none: %+v", s)
	}
	if len(st.Notes) != 1 || st.Notes[0].Region != "eu-central-1" || st.Notes[0].Profile != "prod" || !strings.Contains(st.Notes[0].Text, "access denied") {
		t.Errorf("notes %+v: want eu-central-1 of prod denied, and nothing else", st.Notes)
	}
	if st.Exit.Code != 3 || st.Error == nil || !strings.Contains(*st.Error, "not in socket mode") {
		t.Errorf("exit %+v error %v", st.Exit, st.Error)
	}
	if strings.Contains(stdout, secret) || strings.Contains(stderr, secret) {
		t.Error("a NoEcho parameter's value was printed")
	}
	// Read-only: no call but reads reached either account.
	for _, p := range []*awsproxy.Proxy{a.prodP, a.stagingP} {
		for _, action := range p.Actions() {
			if !strings.HasPrefix(action, "List") && !strings.HasPrefix(action, "Describe") && !strings.HasPrefix(action, "Get") {
				t.Errorf("status called %s", action)
			}
		}
	}

	// The table for people: grouped by profile, account and region.
	code, table, stderr := statusCLI(t, regions, "--profile", "prod,staging")
	if code != 0 {
		t.Fatalf("table: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"profile prod · account 123456789012 · us-east-1",
		"profile staging · account 123456789012 · us-east-1",
		"tc-drift", "(drift)", "FARGATE", "(nested in tc-root)",
		"tcdind cannot edit", "not read", "eu-central-1: access denied",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(stderr, "reading stacks") {
		t.Errorf("a progress line without a terminal:\n%s", stderr)
	}

	// --want privileged over staging's us-east-1 alone: every agent in it.
	if code, out, stderr := statusCLI(t, "--region", "us-east-1", "--profile", "staging", "--want", "privileged"); code != 0 {
		t.Errorf("--want privileged in staging us-east-1: exit %d\n%s\n%s", code, out, stderr)
	}
	// All agents read in the mode, but a region denied: the gate cannot tell.
	if code, _, stderr := statusCLI(t, "--region", "us-east-1,eu-central-1", "--profile", "staging", "--want", "privileged"); code != 0 {
		t.Errorf("staging has no denied region: exit %d\n%s", code, stderr)
	}
	a.stagingP.DenyRegion("eu-central-1")
	if code, _, stderr := statusCLI(t, "--region", "us-east-1,eu-central-1", "--profile", "staging", "--want", "privileged"); code != 4 {
		t.Errorf("a denied region under --want: exit %d, want 4\n%s", code, stderr)
	}
}

// checkStatusSchema validates a status document against
// docs/status.schema.json.
func checkStatusSchema(t *testing.T, doc string) {
	t.Helper()
	schema := compileSchema(t, "docs/status.schema.json")
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(v); err != nil {
		t.Errorf("the status document does not follow docs/status.schema.json: %v", err)
	}
}

// --all-regions asks EC2 for the account's regions (moto answers its
// whole list) and reads each; a progress line goes to a terminal only.
func TestStatusAllRegions(t *testing.T) {
	a := newTwoAccounts(t)
	a.staging.in("ap-southeast-2").create(t, "tc-far", serviceIn(t, dind.ModeSocket), "")
	var out, errOut bytes.Buffer
	ios := testIO(strings.NewReader(""), &out, &errOut)
	ios.SetStderrTTY(true)
	code := run(context.Background(), []string{"status", "--all-regions", "--profile", "staging", "--want", "socket"}, ios)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if a.stagingP.Count("DescribeRegions") != 1 {
		t.Errorf("DescribeRegions called %d times, want once", a.stagingP.Count("DescribeRegions"))
	}
	if !strings.Contains(out.String(), "ap-southeast-2") || !strings.Contains(out.String(), "tc-far") {
		t.Errorf("the stack in ap-southeast-2 is not listed:\n%s", out.String())
	}
	if n := a.stagingP.Count("ListStacks"); n < 10 {
		t.Errorf("ListStacks called in %d regions: --all-regions read only those?", n)
	}
	if !strings.Contains(errOut.String(), "reading stacks: 1 of 1") || !strings.HasSuffix(errOut.String(), "\r\x1b[K") {
		t.Errorf("no progress line on the terminal, or not cleared: %q", errOut.String())
	}
}

// BenchmarkStatus: status over 3 regions × 20 agent stacks of moto through
// the proxy; reports the AWS requests per stack.
//
//	go test . -run '^$' -bench BenchmarkStatus -benchtime 3x
func BenchmarkStatus(b *testing.B) {
	e := newStackEnv(b)
	p := awsproxy.New(b, e.moto.URL)
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	body := serviceIn(b, dind.ModeSocket)
	for _, r := range regions {
		for i := range 20 {
			e.in(r).create(b, fmt.Sprintf("tc-bench-%02d", i), body, "")
		}
	}
	args := []string{"status", "--endpoint-url", p.URL, "--region", strings.Join(regions, ","), "--want", "socket", "--json"}
	p.Reset()
	b.ResetTimer()
	for b.Loop() {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, testIO(strings.NewReader(""), &out, &errOut)); code != 0 {
			b.Fatalf("exit %d\n%s", code, errOut.String())
		}
	}
	b.StopTimer()
	calls := len(p.Calls())
	b.ReportMetric(float64(calls)/float64(b.N)/60, "calls/stack")
	counts := map[string]int{}
	for _, c := range p.Calls() {
		counts[c.Action]++
	}
	b.Logf("requests per run over 60 stacks: %v", func() map[string]float64 {
		m := map[string]float64{}
		for k, v := range counts {
			m[k] = float64(v) / float64(b.N)
		}
		return m
	}())
}

// TestStatusWithoutRegionIsUsage: no --region, no --all-regions and no
// region in the environment or the profile is a usage error (exit 2)
// before any call, as for --stack, not a table of nothing and exit 1.
func TestStatusWithoutRegionIsUsage(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	code, out, errOut := runCLI(t, "status")
	if code != 2 || out != "" || !strings.HasPrefix(errOut, "tcdind: no AWS region: pass --region") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("status without a region: exit %d, stdout %q, stderr %q; want exit 2 and one line", code, out, errOut)
	}
}
