package main

// The stack path under faults (issue "Existing stacks you can trust under
// faults"), each case against moto_server through the fault proxy: what
// the user sees (exit status, the one error line) and what is left in the
// emulator, read back directly (change sets, the deployed template).

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/internal/awsproxy"
)

// colleagueUpdate updates a stack as someone else would: the server's
// memory changes in the same template.
func (e *stackEnv) colleagueUpdate(name string) {
	e.t.Helper()
	body := strings.Replace(string(e.deployed(name)), "Memory: 3700", "Memory: 4096", 1)
	_, err := e.cfn.UpdateStack(context.Background(), &cloudformation.UpdateStackInput{
		StackName:    aws.String(name),
		TemplateBody: aws.String(body),
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), UsePreviousValue: aws.Bool(true)}},
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
	})
	if err != nil {
		e.t.Fatalf("colleague's update of %s: %v", name, err)
	}
}

// noChangeSetLeft asserts that moto holds no change set of the stack that
// could still be executed.
func (e *stackEnv) noChangeSetLeft(t *testing.T, name string) {
	t.Helper()
	if left := e.pendingChangeSets(name); len(left) != 0 {
		t.Errorf("change sets left on %s: %v", name, left)
	}
}

func testTrust(t *testing.T, e *stackEnv) {
	ctx := context.Background()

	// 1. A colleague's update between the read and the change set is not
	// undone: no change set, exit 1 saying what moved.
	t.Run("LostUpdateTemplate", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-lost", nil, "")
		p.Intercept("DescribeStacks", func(n int, _ url.Values) *awsproxy.Reply {
			if n == 2 { // the check before CreateChangeSet
				e.colleagueUpdate("tc-lost")
			}
			return nil
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-lost", "privileged")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "stack tc-lost was updated (UPDATE_COMPLETE) since tcdind read it")
		oneErrorLine(t, errOut, "run tcdind again")
		if p.Count("CreateChangeSet") != 0 || p.Count("ExecuteChangeSet") != 0 {
			t.Errorf("calls %v: want no change set", p.Actions())
		}
		if d := e.deployed("tc-lost"); !bytes.Contains(d, []byte("Memory: 4096")) || bytes.Contains(d, []byte("Privileged")) {
			t.Error("the colleague's update was undone")
		}
		e.noChangeSetLeft(t, "tc-lost")
	})

	t.Run("LostUpdateLastUpdatedTime", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-lost2", nil, "")
		// As on AWS: the update shows in LastUpdatedTime alone.
		p.Rewrite("DescribeStacks", func(n int, _ url.Values, body []byte) []byte {
			if n >= 2 {
				return bytes.Replace(body, []byte("</StackStatus>"), []byte("</StackStatus><LastUpdatedTime>2026-12-01T10:42:03Z</LastUpdatedTime>"), 1)
			}
			return body
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-lost2", "socket")...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "stack tc-lost2 was updated at 2026-12-01 10:42:03 UTC since tcdind read it")
		if p.Count("CreateChangeSet") != 0 || p.Count("GetTemplate") != 1 {
			t.Errorf("calls %v: want one DescribeStacks to tell, no change set", p.Actions())
		}
	})

	// ... and one while the y/N question is open: not executed, deleted.
	t.Run("LostUpdateAtTheQuestion", func(t *testing.T) {
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) {
			fast(r, c)
			r.Interactive = true
		})
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-lost3", nil, "")
		p.Intercept("DescribeChangeSet", func(n int, _ url.Values) *awsproxy.Reply {
			if n == 2 { // the read before executing: the answer took a while
				e.colleagueUpdate("tc-lost3")
			}
			return nil
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "y\n", "--stack", "tc-lost3", "--mode", "privileged", "--apply")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "[y/N] tcdind: stack tc-lost3 was updated (UPDATE_COMPLETE) since tcdind read it") ||
			!strings.HasSuffix(errOut, "deleted (checked: it no longer exists), stack tc-lost3 unchanged\n") {
			t.Errorf("stderr:\n%s", errOut)
		}
		if p.Count("ExecuteChangeSet") != 0 {
			t.Errorf("executed: %v", p.Actions())
		}
		if d := e.deployed("tc-lost3"); !bytes.Contains(d, []byte("Memory: 4096")) {
			t.Error("the colleague's update was undone")
		}
		e.noChangeSetLeft(t, "tc-lost3")
	})

	// 3. ctrl+c while CreateChangeSet is in flight: its answer is waited
	// for, then what it made is deleted and checked gone.
	t.Run("CreateInFlight", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-inflight", nil, "")
		gate := p.Hold("CreateChangeSet", nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-gate.Arrived()
			cancel()
			time.Sleep(300 * time.Millisecond) // AWS is slow to answer
			gate.Release()
		}()
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-inflight", "privileged")...)
		if code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "interrupted: change set tcdind-privileged-")
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists), stack tc-inflight unchanged")
		acts := strings.Join(p.Actions(), " ")
		if !strings.Contains(acts, "CreateChangeSet DescribeChangeSet DeleteChangeSet DescribeChangeSet") || p.Count("ExecuteChangeSet") != 0 {
			t.Errorf("calls %s: want the create answered, then delete and check", acts)
		}
		e.noChangeSetLeft(t, "tc-inflight")
	})

	// 4. An answer lost after AWS made the change set: a 500 each time the
	// SDK tries (moto makes one per try), or a gateway's 504, or a dropped
	// connection. Each made set is found by name, deleted, checked.
	for _, c := range []struct {
		name  string
		reply *awsproxy.Reply
		want  string
	}{
		{"500", awsproxy.ErrorReply(500, "InternalFailure", "We encountered an internal error. Please try again."), "InternalFailure"},
		{"504", awsproxy.GatewayTimeout, "answered HTTP 504"},
		{"Dropped", awsproxy.Drop, "create change set"},
	} {
		t.Run("AmbiguousCreate"+c.name, func(t *testing.T) {
			cli := withHook(fast)
			p := awsproxy.New(t, e.moto.URL)
			stack := "tc-ambiguous-" + strings.ToLower(c.name)
			e.createStack(stack, nil, "")
			p.Lose("CreateChangeSet", func(int) *awsproxy.Reply { return c.reply })
			code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes(stack, "socket")...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, errOut)
			}
			oneErrorLine(t, errOut, c.want)
			oneErrorLine(t, errOut, "deleted (checked: it no longer exists), stack "+stack+" unchanged")
			if p.Count("DeleteChangeSet") == 0 || p.Count("ExecuteChangeSet") != 0 {
				t.Errorf("calls %v", p.Actions())
			}
			e.noChangeSetLeft(t, stack)
			if len(e.changeSets(stack)) != 0 {
				t.Errorf("change sets left: %v", e.changeSets(stack))
			}
		})
	}

	// 5. ctrl+c while ExecuteChangeSet never reached AWS: the change set
	// is still AVAILABLE, so it is deleted; nothing "goes on".
	t.Run("ExecuteNeverArrived", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-exec-lost", nil, "")
		before := e.deployed("tc-exec-lost")
		gate := p.Hold("ExecuteChangeSet", nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-gate.Arrived()
			cancel()
			gate.Lose()
		}()
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-exec-lost", "privileged")...)
		if code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists), stack tc-exec-lost unchanged")
		if strings.Contains(errOut, "goes on") {
			t.Errorf("said the update goes on:\n%s", errOut)
		}
		if !bytes.Equal(e.deployed("tc-exec-lost"), before) {
			t.Error("the stack changed")
		}
		e.noChangeSetLeft(t, "tc-exec-lost")
	})

	// ... and an ExecuteChangeSet whose answer was lost after AWS started
	// the update: the change set's status says so, and it is followed.
	t.Run("ExecuteAnswerLost", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-exec-500", nil, "")
		p.Lose("ExecuteChangeSet", func(n int) *awsproxy.Reply {
			if n == 1 {
				return awsproxy.ErrorReply(500, "InternalFailure", "We encountered an internal error. Please try again.")
			}
			return nil
		})
		// The SDK tries again; on AWS that second try meets an executed
		// change set.
		p.Intercept("ExecuteChangeSet", func(n int, _ url.Values) *awsproxy.Reply {
			if n >= 2 {
				return awsproxy.ErrorReply(400, "InvalidChangeSetStatus", "ChangeSet is in EXECUTE_COMPLETE state and cannot be executed.")
			}
			return nil
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-exec-500", "privileged")...)
		if code != 0 {
			t.Fatalf("exit %d, want 0 (the update ran)\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "stack tc-exec-500 updated (UPDATE_COMPLETE)") || strings.Contains(errOut, "unchanged") {
			t.Errorf("stderr:\n%s", errOut)
		}
		if p.Count("DeleteChangeSet") != 0 {
			t.Errorf("deleted an executed change set: %v", p.Actions())
		}
		checkMode(t, e.deployed("tc-exec-500"), "privileged")
	})

	// 6. A hung endpoint ends in the request timeout, not never.
	t.Run("HungEndpoint", func(t *testing.T) {
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) {
			fast(r, c)
			c.RequestTimeout = 300 * time.Millisecond
		})
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hung", nil, "")
		gate := p.Hold("GetTemplate", nil)
		defer gate.Lose()
		start := time.Now()
		code, _, errOut := cli.runStack(ctx, p.URL, "", "--stack", "tc-hung", "--mode", "socket", "--diff")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "read template of stack tc-hung")
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("took %s", d)
		}
	})

	// ... and an update someone else cancelled ends the following on the
	// stack's status, although no event of ours says so.
	t.Run("CancelledBySomeoneElse", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-cancelled", nil, "")
		id := e.stackID("tc-cancelled")
		p.Intercept("DescribeStackEvents", func(n int, _ url.Values) *awsproxy.Reply {
			exec, _ := p.Last("ExecuteChangeSet")
			tok := exec.Form.Get("ClientRequestToken")
			now := time.Now()
			ours := []awsproxy.Event{
				{LogicalID: "AgentTaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", Status: "UPDATE_IN_PROGRESS", Time: now, Token: tok},
				{LogicalID: "tc-cancelled", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_IN_PROGRESS", Reason: "User Initiated", Time: now, Token: tok},
			}
			if n == 1 {
				return awsproxy.EventsReply("tc-cancelled", id, ours)
			}
			theirs := []awsproxy.Event{
				{LogicalID: "tc-cancelled", PhysicalID: id, ResourceType: "AWS::CloudFormation::Stack", Status: "UPDATE_ROLLBACK_IN_PROGRESS", Reason: "Stack update cancelled", Time: now, Token: "Console-CancelUpdateStack-1"},
			}
			return awsproxy.EventsReply("tc-cancelled", id, append(theirs, ours...))
		})
		p.Rewrite("DescribeStacks", func(_ int, _ url.Values, body []byte) []byte {
			if p.Count("DescribeStackEvents") >= 3 {
				return awsproxy.SetStackStatus(body, "UPDATE_ROLLBACK_COMPLETE")
			}
			if p.Count("ExecuteChangeSet") > 0 {
				return awsproxy.SetStackStatus(body, "UPDATE_ROLLBACK_IN_PROGRESS")
			}
			return body
		})
		done := make(chan struct{})
		var code int
		var errOut string
		go func() {
			defer close(done)
			code, _, errOut = cli.runStack(ctx, p.URL, "", applyYes("tc-cancelled", "privileged")...)
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatal("still following after 60 s")
		}
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "update of stack tc-cancelled failed (UPDATE_ROLLBACK_COMPLETE)")
		if !strings.Contains(errOut, "Stack update cancelled") {
			t.Errorf("the cancel is not shown:\n%s", errOut)
		}
	})

	// 7. Throttling while following: retried with back-off, in both front
	// ends through changeset.Follower, for a bounded time.
	t.Run("ThrottledWhileFollowing", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-throttled", nil, "")
		p.Intercept("DescribeStackEvents", func(n int, _ url.Values) *awsproxy.Reply {
			if n <= 7 { // more than the SDK's three tries
				return awsproxy.ErrorReply(400, "Throttling", "Rate exceeded")
			}
			return nil
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-throttled", "socket")...)
		if code != 0 {
			t.Fatalf("exit %d, want 0\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "could not read the stack's events (") || !strings.Contains(errOut, "updated (UPDATE_COMPLETE)") {
			t.Errorf("stderr:\n%s", errOut)
		}
	})

	t.Run("ThrottledForGood", func(t *testing.T) {
		cli := withHook(fast) // GiveUp 2 s
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-throttled2", nil, "")
		p.Intercept("DescribeStackEvents", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.ErrorReply(400, "Throttling", "Rate exceeded")
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes("tc-throttled2", "socket")...)
		if code != 4 {
			t.Fatalf("exit %d, want 4\n%s", code, errOut)
		}
		oneErrorLine(t, errOut, "stopped following stack tc-throttled2: ")
		oneErrorLine(t, errOut, "the update goes on in AWS: follow it with aws cloudformation describe-stack-events --stack-name tc-throttled2 --region us-east-1")
	})

	// 8. Two runs in the same second get their own change set names and
	// client tokens.
	t.Run("SameSecond", func(t *testing.T) {
		same := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		cli := withHook(func(r *batch.StackRun, c *awsclient.Config) {
			fast(r, c)
			r.Now = func() time.Time { return same }
		})
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-same1", nil, "")
		e.createStack("tc-same2", nil, "")
		for _, s := range []string{"tc-same1", "tc-same2"} {
			if code, _, errOut := cli.runStack(ctx, p.URL, "", applyYes(s, "socket")...); code != 0 {
				t.Fatalf("%s: exit %d\n%s", s, code, errOut)
			}
		}
		var names, tokens []string
		for _, c := range p.Calls() {
			if c.Action == "CreateChangeSet" {
				names = append(names, c.Form.Get("ChangeSetName"))
				tokens = append(tokens, c.Form.Get("ClientToken"))
			}
		}
		if len(names) != 2 || names[0] == names[1] || tokens[0] == tokens[1] || !strings.HasPrefix(names[0], "tcdind-socket-20261201-100000-") {
			t.Errorf("names %v tokens %v", names, tokens)
		}
	})

	// 9. A template swapped in S3 between the upload and the change set is
	// caught: the change set adds a resource tcdind did not edit, which
	// --yes refuses (set deleted); --allow-other-changes executes it.
	t.Run("SwappedTemplate", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		bucket := "tc-swap-bucket"
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		large := largeStackTemplate(t)
		e.createStack("tc-swap", large, "")
		p.Intercept("CreateChangeSet", func(_ int, f url.Values) *awsproxy.Reply {
			put, _ := p.Last("S3:PUT")
			key := strings.TrimPrefix(put.Path, "/"+bucket+"/")
			uploaded, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Errorf("read upload: %v", err)
				return nil
			}
			var b bytes.Buffer
			b.ReadFrom(uploaded.Body)
			swapped := strings.Replace(b.String(), "Resources:\n", "Resources:\n  Backdoor:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n", 1)
			if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(swapped)}); err != nil {
				t.Errorf("swap: %v", err)
			}
			return nil
		})
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-swap", "privileged"), "--s3-bucket", bucket)...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "tcdind: warning: this change set also changes resources tcdind did not edit: Add Backdoor (AWS::IAM::Role)") {
			t.Errorf("no prominent warning:\n%s", errOut)
		}
		oneErrorLine(t, errOut, "would also change Add Backdoor (AWS::IAM::Role), which tcdind did not edit: not executed")
		oneErrorLine(t, errOut, "deleted (checked: it no longer exists)")
		if p.Count("ExecuteChangeSet") != 0 {
			t.Errorf("executed: %v", p.Actions())
		}
		e.noChangeSetLeft(t, "tc-swap")
		put, _ := p.Last("S3:PUT")
		cc, _ := p.Last("CreateChangeSet")
		if u := cc.Form.Get("TemplateURL"); !strings.HasPrefix(u, "https://s3.us-east-1.amazonaws.com/"+bucket+"/tcdind/tc-swap/") {
			t.Errorf("TemplateURL %s", u)
		}
		_ = put
	})

	// The upload names the stack's account as the bucket's owner.
	t.Run("ExpectedBucketOwner", func(t *testing.T) {
		cli := withHook(fast)
		p := awsproxy.New(t, e.moto.URL)
		bucket := "tc-owner-bucket"
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		e.createStack("tc-owner", largeStackTemplate(t), "")
		code, _, errOut := cli.runStack(ctx, p.URL, "", append(applyYes("tc-owner", "socket"), "--s3-bucket", bucket)...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if got := p.Header("S3:PUT", "X-Amz-Expected-Bucket-Owner"); got != "123456789012" {
			t.Errorf("x-amz-expected-bucket-owner = %q, want the stack's account", got)
		}
	})

	// 2. SIGTERM and SIGHUP to the real binary clean up as ctrl+c does,
	// with the shell's exit statuses.
	for _, sig := range []struct {
		s    syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}, {syscall.SIGINT, 130}} {
		t.Run("Signal"+sig.s.String(), func(t *testing.T) {
			p := awsproxy.New(t, e.moto.URL)
			stack := "tc-signal-" + strings.ToLower(strings.ReplaceAll(sig.s.String(), " ", ""))
			stack = strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
					return r
				}
				return -1
			}, stack)
			e.createStack(stack, nil, "")
			gate := p.Hold("DescribeChangeSet", func(n int) bool { return n == 1 })
			defer gate.Release()
			code, errOut := signalWhenHeld(t, gate, sig.s, "--endpoint-url", p.URL, "--region", "us-east-1", "--stack", stack,
				"--mode", "privileged", "--apply", "--yes", "--non-interactive")
			if code != sig.code {
				t.Errorf("exit %d, want %d\n%s", code, sig.code, errOut)
			}
			oneErrorLine(t, errOut, "interrupted: change set tcdind-privileged-")
			oneErrorLine(t, errOut, "deleted (checked: it no longer exists), stack "+stack+" unchanged")
			e.noChangeSetLeft(t, stack)
		})
	}
}

// signalWhenHeld runs the real binary with args, sends it sig once a call
// it makes is held at gate, and returns its exit status and standard
// error; it fails the test if the call never comes or the binary does not
// exit within 60 s of the signal.
func signalWhenHeld(t *testing.T, gate *awsproxy.Gate, sig syscall.Signal, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(tcdindBinary(t), args...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gate.Arrived():
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("never reached the held call\n%s", errOut.String())
	}
	cmd.Process.Signal(sig)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no exit 60 s after %s\n%s", sig, errOut.String())
	}
	return cmd.ProcessState.ExitCode(), errOut.String()
}

// largeStackTemplate is the stack fixture padded over 51,200 bytes.
func largeStackTemplate(t *testing.T) []byte {
	t.Helper()
	body, err := os.ReadFile(stackTemplate)
	if err != nil {
		t.Fatal(err)
	}
	pad := "\n# " + strings.Repeat("padding to pass CloudFormation's inline limit ", 20)
	for len(body) <= 52000 {
		body = append(body, pad...)
	}
	return append(body, '\n')
}

// testWizardHangUp: SIGHUP (a dropped SSH session) while the wizard asks
// Execute or Discard deletes the change set and ends with 129.
func testWizardHangUp(t *testing.T, e *stackEnv) {
	p := awsproxy.New(t, e.moto.URL)
	stack := "tc-wizard-hup"
	e.createStack(stack, nil, "")
	dir := t.TempDir()
	term := newTerminal(t, dir, 120, 45, fmt.Sprintf("%s --endpoint-url %s --region us-east-1 --stack %s --mode privileged",
		tcdindBinary(t), p.URL, stack))
	term.waitFor("Ask TeamCity about the agents?") // the fixture's SERVER_URL
	term.keys("Down", "Down", "Enter")             // skip
	term.waitFor("Press enter to create a change set")
	term.keys("Enter")
	term.waitFor("Execute change set tcdind-privileged-")
	// The process whose name is tcdind and whose arguments name the stack
	// (the shell around it has them too).
	procs, _ := filepath.Glob("/proc/[0-9]*")
	hung := 0
	for _, dir := range procs {
		comm, _ := os.ReadFile(dir + "/comm")
		args, _ := os.ReadFile(dir + "/cmdline")
		if strings.TrimSpace(string(comm)) == "tcdind" && bytes.Contains(args, []byte("\x00"+stack+"\x00")) {
			pid, _ := strconv.Atoi(filepath.Base(dir))
			syscall.Kill(pid, syscall.SIGHUP)
			hung++
		}
	}
	if hung != 1 {
		t.Fatalf("found %d tcdind processes", hung)
	}
	if code := term.exitStatus(); code != 129 {
		t.Errorf("exit %d, want 129\n%s", code, term.screen())
	}
	if p.Count("DeleteChangeSet") != 1 || p.Count("ExecuteChangeSet") != 0 {
		t.Errorf("calls %v", p.Actions())
	}
	e.noChangeSetLeft(t, stack)
}
