package main

import (
	"bytes"
	"context"
	"encoding/json"
	goflag "flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// go test . -run JSON -update-json re-records testdata/json; look at what
// changed before accepting it.
var updateJSON = goflag.Bool("update-json", false, "re-record the --json golden files")

// resultSchema is docs/result.schema.json, compiled.
func resultSchema(t *testing.T) *jsonschema.Schema {
	return compileSchema(t, "docs/result.schema.json")
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	s, err := jsonschema.NewCompiler().Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return s
}

// checkResult asserts that stdout is one JSON document valid against the
// schema, with the exit status and error line of the run, and returns it
// decoded.
func checkResult(t *testing.T, schema *jsonschema.Schema, stdout, stderr string, code int) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", stdout)
	}
	if err := schema.Validate(v); err != nil {
		t.Fatalf("the result does not follow docs/result.schema.json: %v\n%s", err, stdout)
	}
	doc := v.(map[string]any)
	exit := doc["exit"].(map[string]any)
	if int(exit["code"].(float64)) != code {
		t.Errorf("exit.code %v, the run exited %d", exit["code"], code)
	}
	lines := errLine.FindAllStringIndex(stderr, -1)
	switch e := doc["error"].(type) {
	case nil:
		if len(lines) != 0 && code != 0 && code != 3 {
			t.Errorf("error is null, stderr has an error line:\n%s", stderr)
		}
	case string:
		if !strings.Contains(stderr, "tcdind: "+e+"\n") {
			t.Errorf("error %q is not the tcdind: line of stderr:\n%s", e, stderr)
		}
	}
	return doc
}

var (
	endpointRE  = regexp.MustCompile(`--endpoint-url http://127\.0\.0\.1:[0-9]+`)
	uuidRE      = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	changeSetRE = regexp.MustCompile(`tcdind-(socket|privileged|none)-\d{8}-\d{6}-[0-9a-f]{8}`)
	versionRE   = regexp.MustCompile(`"version": "[^"]*"`)
	// A revision depends on how many stacks the test's moto made before.
	revisionRE = regexp.MustCompile(`(teamcity-agent):\d+([ "])`)
)

// golden compares a result with testdata/json/name.json, with what
// changes from run to run (temporary paths, IDs, names, the version)
// replaced by placeholders.
func golden(t *testing.T, name, got string, replace ...string) {
	t.Helper()
	for i := 0; i+1 < len(replace); i += 2 {
		got = strings.ReplaceAll(got, replace[i], replace[i+1])
	}
	got = uuidRE.ReplaceAllString(got, "<uuid>")
	// The emulator's port changes every run.
	got = endpointRE.ReplaceAllString(got, "--endpoint-url <endpoint>")
	got = changeSetRE.ReplaceAllString(got, "tcdind-$1-<stamp>")
	got = versionRE.ReplaceAllString(got, `"version": "<version>"`)
	got = revisionRE.ReplaceAllString(got, "$1:<rev>$2")
	path := filepath.Join("testdata", "json", name+".json")
	if *updateJSON {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (record it with go test . -run JSON -update-json)", err)
	}
	if string(want) != got {
		t.Errorf("result %s differs from %s (re-record with -update-json if the change is meant):\n%s", name, path, got)
	}
}

// Every template result, and each failure, is one JSON document on
// standard output that follows the schema; the template or diff goes only
// where --output says.
func TestJSONTemplateResults(t *testing.T) {
	schema := resultSchema(t)
	dir := t.TempDir()
	inPlace := filepath.Join(dir, "in-place.yaml")
	body, err := os.ReadFile(stackTemplate)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(inPlace, body, 0o644)
	// What --sudo-image writes, on the plain image.
	plain := filepath.Join(dir, "plain.yaml")
	os.WriteFile(plain, plainAgentImage(body), 0o644)
	out := filepath.Join(dir, "out.yaml")
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"check-needs-change", []string{"--template", stackTemplate, "--mode", "socket", "--check"}, 3},
		{"check-in-mode", []string{"--template", "testdata/templates/blog-privileged.yaml", "--mode", "privileged", "--minimal", "--check"}, 0},
		{"diff", []string{"--template", plain, "--mode", "privileged", "--sudo-image", "--diff"}, 0},
		{"output", []string{"--template", stackTemplate, "--mode", "socket", "--output", out}, 0},
		{"in-place", []string{"--template", inPlace, "--mode", "privileged", "--in-place"}, 0},
		{"broken-template", []string{"--template", "testdata/templates/broken.yaml", "--mode", "socket", "--check"}, 1},
		{"usage-bad-mode", []string{"--template", stackTemplate, "--mode", "sideways", "--check"}, 2},
		{"usage-unknown-flag", []string{"--template", stackTemplate, "--modes", "socket", "--json"}, 2},
		{"usage-output-stdout", []string{"--template", stackTemplate, "--mode", "socket", "--output", "-"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !strings.Contains(strings.Join(args, " "), "--json") {
				args = append(args, "--json")
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			doc := checkResult(t, schema, stdout, stderr, code)
			if strings.Contains(stdout, "AWSTemplateFormatVersion:") && doc["diff"] == nil {
				t.Errorf("the template was written to standard output beside the JSON")
			}
			golden(t, "template-"+tc.name, stdout, dir, "<tmp>")
		})
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Contains(b, []byte("/var/run/docker.sock")) {
		t.Errorf("--output %s with --json: %v, %d bytes without the socket", out, err, len(b))
	}
}

// Stack results against moto through the proxy: --check, an --apply that
// completes, one that rolls back, one with nothing to change.
func TestJSONStackResults(t *testing.T) {
	schema := resultSchema(t)
	e := newStackEnv(t)
	ctx := context.Background()
	cli := withHook(fast)

	t.Run("check", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-check", nil, "")
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-check", "--mode", "socket", "--check", "--json")
		if code != 3 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		in := doc["input"].(map[string]any)
		if in["account"] != "123456789012" || in["region"] != "us-east-1" || !strings.Contains(in["stack_id"].(string), ":stack/tc-json-check/") {
			t.Errorf("input %v: want the stack's ARN, region and account", in)
		}
		golden(t, "stack-check", stdout)
	})

	t.Run("diff-and-output", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		body, err := os.ReadFile(stackTemplate)
		if err != nil {
			t.Fatal(err)
		}
		e.createStack("tc-json-diff", plainAgentImage(body), "")
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-diff", "--mode", "privileged", "--sudo-image", "--diff", "--json")
		if code != 0 {
			t.Fatalf("--diff: exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		if d, _ := doc["diff"].(string); !strings.Contains(d, "+          Privileged: true") {
			t.Errorf("--diff --json: diff %q", d)
		}
		golden(t, "stack-diff", stdout)
		out := filepath.Join(t.TempDir(), "stack.yaml")
		code, stdout, stderr = cli.runStack(ctx, p.URL, "", "--stack", "tc-json-diff", "--mode", "socket", "--output", out, "--json")
		if code != 0 {
			t.Fatalf("--output: exit %d\n%s", code, stderr)
		}
		checkResult(t, schema, stdout, stderr, code)
		golden(t, "stack-output", stdout, filepath.Dir(out), "<tmp>")
	})

	t.Run("apply", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-apply", nil, "")
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-apply", "--mode", "privileged", "--apply", "--yes", "--json")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		cs := doc["change_set"].(map[string]any)
		if cs["fate"] != "executed" || cs["scope"] != "expected" || !strings.Contains(cs["arn"].(string), ":changeSet/") {
			t.Errorf("change_set %v", cs)
		}
		if u := doc["update"].(map[string]any); u["status"] != "UPDATE_COMPLETE" {
			t.Errorf("update %v", u)
		}
		if strings.Contains(stdout, secret) || strings.Contains(stderr, secret) {
			t.Error("the NoEcho parameter's value was printed")
		}
		golden(t, "stack-apply", stdout)
	})

	t.Run("apply-nothing-to-change", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-nochange", nil, "")
		p.Rewrite("DescribeChangeSet", func(_ int, _ url.Values, body []byte) []byte {
			return awsproxy.SetChangeSetStatus(body, "FAILED", noChangesReason)
		})
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-nochange", "--mode", "socket", "--apply", "--yes", "--json")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		if cs := doc["change_set"].(map[string]any); cs["fate"] != "no-changes" {
			t.Errorf("change_set %v", cs)
		}
		golden(t, "stack-apply-nothing-to-change", stdout)
	})

	t.Run("apply-rollback", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-rollback", nil, "")
		id := e.stackID("tc-json-rollback")
		p.Intercept("ExecuteChangeSet", func(int, url.Values) *awsproxy.Reply {
			return &awsproxy.Reply{Status: 200, Body: `<ExecuteChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ExecuteChangeSetResult/><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></ExecuteChangeSetResponse>`}
		})
		p.Intercept("DescribeStackEvents", func(n int, _ url.Values) *awsproxy.Reply {
			exec, _ := p.Last("ExecuteChangeSet")
			tok := exec.Form.Get("ClientRequestToken")
			now := time.Now()
			// What CloudFormation says of a task definition ECS refused
			// (the reason's wording: https://repost.aws/knowledge-center/cloudformation-ecs-service-stabilize).
			return awsproxy.EventsReply("tc-json-rollback", id, []awsproxy.Event{
				{LogicalID: "tc-json-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_ROLLBACK_COMPLETE", Time: now, Token: tok},
				{LogicalID: "tc-json-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_ROLLBACK_IN_PROGRESS", Reason: "The following resource(s) failed to update: [AgentTaskDefinition]. ", Time: now, Token: tok},
				{LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Status: "UPDATE_FAILED", Reason: "Resource handler returned message: \"Invalid request provided: Create TaskDefinition: privileged mode is not supported\"", Time: now, Token: tok},
				{LogicalID: "tc-json-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_IN_PROGRESS", Reason: "User Initiated", Time: now, Token: tok},
			})
		})
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-rollback", "--mode", "privileged", "--apply", "--yes", "--json")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		u := doc["update"].(map[string]any)
		failed := u["failed_resources"].([]any)
		if u["status"] != "UPDATE_ROLLBACK_COMPLETE" || len(failed) != 1 || failed[0].(map[string]any)["logical_id"] != "AgentTaskDefinition" {
			t.Errorf("update %v", u)
		}
		golden(t, "stack-apply-rollback", stdout)
	})

	// The agents' hosts (stack runs whose template has a service): what
	// was read, per cluster, and what it means; the cluster's name is
	// moto's, made per stack.
	hostsBody, err := os.ReadFile(serviceTemplate)
	if err != nil {
		t.Fatal(err)
	}
	hostsGolden := func(t *testing.T, name, stdout string, doc map[string]any) {
		t.Helper()
		h, _ := doc["hosts"].(map[string]any)
		clusters, _ := h["clusters"].([]any)
		if len(clusters) != 1 {
			t.Fatalf("hosts %v: want one cluster", doc["hosts"])
		}
		golden(t, name, stdout, clusters[0].(map[string]any)["cluster"].(string), "<cluster>")
	}
	t.Run("hosts", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-hosts", plainAgentImage(hostsBody), "")
		serveHosts(p, "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-arm64", instance(1, "arm64", "ami-0abc", true), instance(2, "arm64", "ami-0abc", true))
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-hosts", "--mode", "privileged", "--sudo-image", "--check", "--json")
		if code != 3 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		c := doc["hosts"].(map[string]any)["clusters"].([]any)[0].(map[string]any)
		hs := c["hosts"].([]any)
		if c["read"] != true || len(hs) != 2 || hs[0].(map[string]any)["arch"] != "arm64" || hs[0].(map[string]any)["os"] != "Amazon Linux 2023" ||
			hs[0].(map[string]any)["privileged"] != true || hs[0].(map[string]any)["ami"] != "ami-0abc" || hs[0].(map[string]any)["docker"] != "25.0.8" {
			t.Errorf("hosts %v", c)
		}
		if !strings.Contains(stdout, "-linux-arm64-sudo") {
			t.Errorf("arm64 hosts: the result does not name the -linux-arm64-sudo tag:\n%s", stdout)
		}
		hostsGolden(t, "stack-hosts", stdout, doc)
	})
	t.Run("hosts-refuse-privileged", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-hosts-br", hostsBody, "")
		serveHosts(p, "bottlerocket-aws-ecs-2-x86_64-v1.20.0-fcf71a47", instance(1, "x86_64", "ami-0abc", false))
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-hosts-br", "--mode", "privileged", "--diff", "--json")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		if e, _ := doc["error"].(string); !strings.Contains(e, "settings.ecs.allow-privileged-containers") {
			t.Errorf("error %q: want the setting to change", e)
		}
		hostsGolden(t, "stack-hosts-refused", stdout, doc)
	})
	t.Run("hosts-denied", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-json-hosts-denied", hostsBody, "")
		p.Intercept("ListContainerInstances", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.JSONError(400, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:ListContainerInstances")
		})
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-hosts-denied", "--mode", "socket", "--check", "--json")
		if code != 3 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		c := doc["hosts"].(map[string]any)["clusters"].([]any)[0].(map[string]any)
		if c["read"] != false || len(c["hosts"].([]any)) != 0 || !strings.Contains(fmt.Sprint(c["warnings"]), "ecs:ListContainerInstances") {
			t.Errorf("hosts %v: want read false and the denial", c)
		}
		hostsGolden(t, "stack-hosts-denied", stdout, doc)
	})

	t.Run("no-such-stack", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-json-none", "--mode", "socket", "--diff", "--json")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		checkResult(t, schema, stdout, stderr, code)
		golden(t, "stack-not-found", stdout)
	})
}
