package main

// Nested stacks, and the exit statuses and messages of a stack run that
// cannot start: each one line that says what to do.

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

func testNested(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	// A stack with a ParentId is refused for --apply; --diff still works.
	t.Run("ApplyOnNestedRefused", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-child", nil, "")
		p.Rewrite("DescribeStacks", func(_ int, _ url.Values, body []byte) []byte {
			return bytes.Replace(body, []byte("</StackStatus>"), []byte("</StackStatus><ParentId>arn:aws:cloudformation:us-east-1:123456789012:stack/tc-root/0f1e</ParentId>"), 1)
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-child", "--mode", "socket", "--apply", "--yes")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "stack tc-child is nested in stack tc-root: an update of it alone is undone by the next update of tc-root")
		if p.Count("CreateChangeSet") != 0 {
			t.Errorf("calls %v", p.Actions())
		}
		code, out, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-child", "--mode", "socket", "--diff")
		if code != 0 || !strings.Contains(out, "+") {
			t.Errorf("--diff on a nested stack: exit %d\n%s", code, errOut)
		}
	})

	// A root stack without an agent names its nested stack that has one.
	t.Run("RootNamesNestedAgent", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		bucket := "tc-nested-bucket"
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		child, err := os.ReadFile(stackTemplate)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("child.yaml"), Body: bytes.NewReader(child)}); err != nil {
			t.Fatal(err)
		}
		root := "Resources:\n  Agents:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://s3.us-east-1.amazonaws.com/" + bucket + "/child.yaml\n      Parameters:\n        DatabasePassword: x\n"
		e.createStack("tc-root", []byte(root), "")
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-root", "--mode", "socket", "--apply", "--yes")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "stack tc-root has no TeamCity agent itself; its nested stack tc-root-Agents-")
		oneErrorLine(t, errOut, "(resource Agents) has one: see the change with tcdind --stack tc-root-Agents-")
	})
}

func testMessages(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	t.Run("BadRegionAndEndpoint", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--region", "us east", "--endpoint-url", p.URL}, `--region "us east" is not an AWS region name`},
			{[]string{"--region", "us-east-1", "--endpoint-url", "not a url"}, `--endpoint-url "not a url" is not an http or https URL`},
		} {
			var out, errOut bytes.Buffer
			code := run(ctx, append(c.args, "--stack", "tc", "--mode", "socket", "--diff"), testIO(strings.NewReader(""), &out, &errOut))
			if code != 2 {
				t.Errorf("%v: exit %d, want 2\n%s", c.args, code, errOut.String())
			}
			oneErrorLine(t, errOut.String(), c.want)
		}
		if n := len(p.Calls()); n != 0 {
			t.Errorf("%d AWS calls before the flags were checked", n)
		}
	})

	t.Run("NoRegion", func(t *testing.T) {
		t.Setenv("AWS_REGION", "")
		t.Setenv("AWS_DEFAULT_REGION", "")
		var out, errOut bytes.Buffer
		code := run(ctx, []string{"--stack", "tc", "--mode", "socket", "--diff"}, testIO(strings.NewReader(""), &out, &errOut))
		if code != 2 || errOut.String() != "tcdind: no AWS region: pass --region or set AWS_REGION\n" {
			t.Errorf("exit %d, stderr %q", code, errOut.String())
		}
	})

	// An endpoint that answers HTML is named with its status and URL.
	t.Run("NotAnAWSAnswer", func(t *testing.T) {
		cli := withHook(fast)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			io.WriteString(w, "<html><body>Not Found</body></html>")
		}))
		defer srv.Close()
		code, _, errOut := cli.runStack(ctx, srv.URL, "", "--stack", "tc", "--mode", "socket", "--diff")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, srv.URL+"/ answered HTTP 404 with something that is not an AWS API answer (check --endpoint-url, --region and any proxy)")
		if strings.Contains(errOut, "UnknownError") {
			t.Errorf("stderr %q", errOut)
		}
	})

	// Missing credentials: one line, and no SDK log line before it (the
	// real binary: the SDK logs to the process's standard error).
	t.Run("NoCredentialsNoSDKLog", func(t *testing.T) {
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		imds := "http://" + closed.Addr().String()
		closed.Close()
		cmd := exec.Command(tcdindBinary(t), "--region", "us-east-1", "--endpoint-url", e.moto.URL, "--stack", "tc", "--mode", "socket", "--diff")
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
			"AWS_EC2_METADATA_SERVICE_ENDPOINT="+imds, "AWS_EC2_METADATA_DISABLED=false", "AWS_CONTAINER_CREDENTIALS_FULL_URI=", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=")
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		err = cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Fatalf("exit %d (%v)\n%s", code, err, errOut.String())
		}
		if errOut.String() != "tcdind: describe stack tc: no AWS credentials found: run aws configure, set AWS_PROFILE or pass --profile\n" {
			t.Errorf("stderr %q", errOut.String())
		}
	})

	// The capability advice is a complete command: every parameter kept,
	// the stack's own capabilities, the region.
	t.Run("CapabilityAdvice", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-caps2", nil, "")
		p.Intercept("CreateChangeSet", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.ErrorReply(400, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-caps2", "--mode", "socket", "--apply", "--yes")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "(aws cloudformation update-stack --stack-name tc-caps2 --use-previous-template --parameters ParameterKey=TeamCityVersion,UsePreviousValue=true ParameterKey=AgentContainerCpu,UsePreviousValue=true ParameterKey=AgentContainerMemory,UsePreviousValue=true ParameterKey=DatabasePassword,UsePreviousValue=true --capabilities CAPABILITY_NAMED_IAM --region us-east-1 --endpoint-url "+p.URL+")")
	})
}
