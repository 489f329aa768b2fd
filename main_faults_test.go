package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/internal/awsproxy"
)

const noChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

// applyYes are the arguments of a scripted apply of mode to stack.
func applyYes(stack, mode string) []string {
	return []string{"--stack", stack, "--mode", mode, "--apply", "--yes", "--non-interactive"}
}

// testFaults covers what moto_server cannot do by itself, injected by the
// proxy in front of it.
func testFaults(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	t.Run("FailedChangeSetNoChanges", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-nochange", nil, "")
		p.Rewrite("DescribeChangeSet", func(_ int, _ url.Values, body []byte) []byte {
			return awsproxy.SetChangeSetStatus(body, "FAILED", noChangesReason)
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-nochange", "privileged")...)
		if code != 0 {
			t.Fatalf("exit %d, want 0\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "nothing to change") {
			t.Errorf("did not say nothing to change:\n%s", errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 || p.Count("DeleteChangeSet") != 1 {
			t.Errorf("calls: %v; want the change set deleted, not executed", p.Actions())
		}
		if cs := e.changeSets("tc-nochange"); len(cs) != 0 {
			t.Errorf("change set left behind: %v", cs)
		}
	})

	t.Run("ValidationErrorNoUpdates", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-noupdates", nil, "")
		p.Intercept("CreateChangeSet", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.ErrorReply(400, "ValidationError", "No updates are to be performed.")
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-noupdates", "socket")...)
		if code != 0 || !strings.Contains(errOut, "nothing to change") {
			t.Fatalf("exit %d, want 0 and nothing to change\n%s", code, errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 {
			t.Errorf("executed: %v", p.Actions())
		}
	})

	t.Run("Rollback", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-rollback", nil, "")
		id := e.stackID("tc-rollback")
		p.Intercept("ExecuteChangeSet", func(int, url.Values) *awsproxy.Reply {
			return &awsproxy.Reply{Status: 200, Body: `<ExecuteChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ExecuteChangeSetResult/><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></ExecuteChangeSetResponse>`}
		})
		p.Intercept("DescribeStackEvents", func(n int, _ url.Values) *awsproxy.Reply {
			exec, _ := p.Last("ExecuteChangeSet")
			tok := exec.Form.Get("ClientRequestToken")
			now := time.Now()
			old := []awsproxy.Event{
				{LogicalID: "tc-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "CREATE_COMPLETE", Time: now.Add(-time.Hour), Token: "Console-CreateStack-1"},
			}
			first := []awsproxy.Event{
				{LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Status: "UPDATE_IN_PROGRESS", Reason: "Requested update requires the creation of a new physical resource; hence creating one.", Time: now, Token: tok},
				{LogicalID: "tc-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_IN_PROGRESS", Reason: "User Initiated", Time: now, Token: tok},
			}
			if n == 1 {
				return awsproxy.EventsReply("tc-rollback", id, append(first, old...))
			}
			rest := []awsproxy.Event{
				{LogicalID: "tc-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_ROLLBACK_COMPLETE", Time: now, Token: tok},
				{LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Status: "UPDATE_COMPLETE", Time: now, Token: tok},
				{LogicalID: "tc-rollback", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_ROLLBACK_IN_PROGRESS", Reason: "The following resource(s) failed to create: [AgentTaskDefinition]. ", Time: now, Token: tok},
				{LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Status: "UPDATE_FAILED", Reason: "Resource handler returned message: \"Invalid request provided: Create TaskDefinition: privileged mode is not supported\"", Time: now, Token: tok},
			}
			return awsproxy.EventsReply("tc-rollback", id, append(append(rest, first...), old...))
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-rollback", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		for _, want := range []string{
			"failed resources:\n  AgentTaskDefinition (AWS::ECS::TaskDefinition): Resource handler returned message: \"Invalid request provided: Create TaskDefinition: privileged mode is not supported\"",
			"stack status reason: The following resource(s) failed to create: [AgentTaskDefinition].",
			"UPDATE_ROLLBACK_IN_PROGRESS",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(errOut, "CREATE_COMPLETE") {
			t.Errorf("printed an event of an earlier operation:\n%s", errOut)
		}
		if strings.Count(errOut, "User Initiated") != 1 {
			t.Errorf("printed an event twice:\n%s", errOut)
		}
		oneErrorLine(t, errOut, "update of stack tc-rollback failed (UPDATE_ROLLBACK_COMPLETE)")
	})

	t.Run("ThrottlingRetried", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-throttle", nil, "")
		throttle := func(n int, _ url.Values) *awsproxy.Reply {
			if n <= 2 {
				return awsproxy.ErrorReply(400, "Throttling", "Rate exceeded")
			}
			return nil
		}
		for _, a := range []string{"DescribeStacks", "GetTemplate", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet", "DescribeStackEvents"} {
			p.Intercept(a, throttle)
		}
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-throttle", "socket")...)
		if code != 0 {
			t.Fatalf("exit %d, want 0 after retries\n%s", code, errOut)
		}
		// Read, throttled twice, and the check before the change set.
		if n := p.Count("DescribeStacks"); n != 4 {
			t.Errorf("DescribeStacks called %d times, want 4 (2 throttled)", n)
		}
		checkMode(t, e.deployed("tc-throttle"), "socket")
	})

	t.Run("ServerError", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-5xx", nil, "")
		// One 503 is retried ...
		p.Intercept("GetTemplate", func(n int, _ url.Values) *awsproxy.Reply {
			if n == 1 {
				return awsproxy.ErrorReply(503, "ServiceUnavailable", "Service is unavailable")
			}
			return nil
		})
		if code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-5xx", "--mode", "socket", "--check"); code != 3 {
			t.Errorf("after one 503: exit %d, want 3\n%s", code, errOut)
		}
		// ... a lasting 500 is reported in one line.
		p.Reset()
		p.Intercept("GetTemplate", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.ErrorReply(500, "InternalFailure", "We encountered an internal error. Please try again.")
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-5xx", "--mode", "socket", "--check")
		if code != 1 {
			t.Fatalf("lasting 500: exit %d, want 1\n%s", code, errOut)
		}
		if errOut != "tcdind: read template of stack tc-5xx: InternalFailure: We encountered an internal error. Please try again.\n" {
			t.Errorf("stderr = %q", errOut)
		}
		if n := p.Count("GetTemplate"); n != 3 {
			t.Errorf("GetTemplate tried %d times, want the SDK's 3", n)
		}
	})

	t.Run("StackBusy", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-busy", nil, "")
		for _, status := range []string{"UPDATE_IN_PROGRESS", "ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"} {
			p.Reset()
			p.Rewrite("DescribeStacks", func(_ int, _ url.Values, body []byte) []byte {
				return awsproxy.SetStackStatus(body, status)
			})
			code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-busy", "socket")...)
			if code != 1 {
				t.Errorf("%s: exit %d, want 1\n%s", status, code, errOut)
			}
			oneErrorLine(t, errOut, status)
			if got := p.Actions(); len(got) != 1 {
				t.Errorf("%s: calls %v, want DescribeStacks only", status, got)
			}
		}
	})

	t.Run("InterruptedBeforeExecution", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-sigint", nil, "")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p.Rewrite("DescribeChangeSet", func(_ int, _ url.Values, body []byte) []byte {
			cancel() // ctrl+c while the change set is being created
			return awsproxy.SetChangeSetStatus(body, "CREATE_IN_PROGRESS", "")
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-sigint", "privileged")...)
		if code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "interrupted: change set tcdind-privileged-")
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists), stack tc-sigint unchanged")
		if p.Count("ExecuteChangeSet") != 0 || p.Count("DeleteChangeSet") != 1 {
			t.Errorf("calls %v: want the change set deleted and not executed", p.Actions())
		}
		if cs := e.changeSets("tc-sigint"); len(cs) != 0 {
			t.Errorf("change set left behind: %v", cs)
		}
	})

	t.Run("InterruptedAfterExecution", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-sigint2", nil, "")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p.Intercept("DescribeStackEvents", func(int, url.Values) *awsproxy.Reply {
			cancel()
			return awsproxy.EventsReply("tc-sigint2", "", nil)
		})
		// moto updates at once; AWS takes minutes: the stack says so.
		p.Rewrite("DescribeStacks", func(_ int, _ url.Values, body []byte) []byte {
			if p.Count("ExecuteChangeSet") > 0 {
				return awsproxy.SetStackStatus(body, "UPDATE_IN_PROGRESS")
			}
			return body
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-sigint2", "privileged")...)
		if code != 4 {
			t.Fatalf("exit %d, want 4 (the update goes on)\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "interrupted: the update of stack tc-sigint2 goes on in AWS (UPDATE_IN_PROGRESS): follow it with aws cloudformation describe-stack-events --stack-name tc-sigint2 --region us-east-1")
	})

	t.Run("InterruptedAfterUpdateEnded", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-sigint3", nil, "")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p.Intercept("DescribeStackEvents", func(int, url.Values) *awsproxy.Reply {
			cancel()
			return awsproxy.EventsReply("tc-sigint3", "", nil)
		})
		// The stack's status says the update ended: that is reported, not
		// "goes on"; the interrupt is the exit status (128+n wherever a
		// signal comes after the update, e8684c5).
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-sigint3", "privileged")...)
		if code != 130 || !strings.Contains(errOut, "stack tc-sigint3 updated (UPDATE_COMPLETE)") || !strings.Contains(errOut, "the update of stack tc-sigint3 is complete") || strings.Contains(errOut, "goes on") {
			t.Fatalf("exit %d, want 130 and the update reported\n%s", code, errOut)
		}
	})

	t.Run("MissingCapability", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-caps", nil, "")
		// The stack's own capabilities are passed on ...
		p.Rewrite("DescribeStacks", func(_ int, _ url.Values, body []byte) []byte {
			return []byte(strings.Replace(string(body), "</StackStatus>", "</StackStatus><Capabilities><member>CAPABILITY_IAM</member></Capabilities>", 1))
		})
		p.Intercept("CreateChangeSet", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.ErrorReply(400, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-caps", "socket")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "requires CAPABILITY_NAMED_IAM")
		cc, _ := p.Last("CreateChangeSet")
		if got := cc.Form.Get("Capabilities.member.1"); got != "CAPABILITY_IAM" || cc.Form.Get("Capabilities.member.2") != "" {
			t.Errorf("capabilities sent: %v; want the stack's own CAPABILITY_IAM only", cc.Form)
		}
		if p.Count("ExecuteChangeSet") != 0 || len(e.pendingChangeSets("tc-caps")) != 0 {
			t.Errorf("calls %v, change sets %v", p.Actions(), e.pendingChangeSets("tc-caps"))
		}
	})

	t.Run("Confirm", func(t *testing.T) {
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) {
			fast(r, c)
			r.Interactive = true // a terminal
		})
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-confirm", nil, "")
		code, _, errOut := cli.runStack(ctx, p.URL, "n\n", "--stack", "tc-confirm", "--mode", "socket", "--apply")
		if code != 1 || !strings.Contains(errOut, "[y/N]") {
			t.Fatalf("answered n: exit %d, want 1 after a y/N question\n%s", code, errOut)
		}
		// No terminal echoes the answer here: the error follows the prompt.
		if !regexp.MustCompile(`\[y/N\] tcdind: not executed: you answered no; change set tcdind-socket-\S+ deleted \(checked: it no longer exists\), stack tc-confirm unchanged\n$`).MatchString(errOut) {
			t.Errorf("answered n: stderr %q", errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 || len(e.changeSets("tc-confirm")) != 0 {
			t.Errorf("answered n: calls %v, change sets %v", p.Actions(), e.changeSets("tc-confirm"))
		}
		// A lost answer (standard input closed) is no yes.
		code, _, errOut = cli.runStack(ctx, p.URL, "", "--stack", "tc-confirm", "--mode", "socket", "--apply")
		if code != 1 || !strings.Contains(errOut, "tcdind: not executed: no answer came (standard input closed); change set") {
			t.Fatalf("no answer: exit %d\n%s", code, errOut)
		}
		e.noChangeSetLeft(t, "tc-confirm")
		code, _, errOut = cli.runStack(ctx, p.URL, "y\n", "--stack", "tc-confirm", "--mode", "socket", "--apply")
		if code != 0 {
			t.Fatalf("answered y: exit %d\n%s", code, errOut)
		}
		checkMode(t, e.deployed("tc-confirm"), "socket")
	})
}

func (e *stackEnv) stackID(name string) string {
	e.t.Helper()
	out, err := e.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.Stacks[0].StackId)
}
