package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// --apply --no-execute keeps the change set and says how to execute it;
// --execute executes it, follows and verifies; after the stack moved,
// --execute refuses and executes nothing.
func TestNoExecuteThenExecute(t *testing.T) {
	e := newStackEnv(t)
	ctx := context.Background()
	cli := withHook(fast)
	schema := resultSchema(t)

	t.Run("KeptThenExecuted", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-keep", nil, "")
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-keep", "--mode", "socket", "--apply", "--no-execute", "--json")
		if code != 0 {
			t.Fatalf("--no-execute: exit %d\n%s", code, stderr)
		}
		if p.Count("ExecuteChangeSet") != 0 || p.Count("DeleteChangeSet") != 0 {
			t.Errorf("--no-execute called %v", p.Actions())
		}
		doc := checkResult(t, schema, stdout, stderr, code)
		cs := doc["change_set"].(map[string]any)
		arn, _ := cs["arn"].(string)
		name, _ := cs["name"].(string)
		if cs["fate"] != "kept" || !strings.Contains(arn, ":changeSet/tcdind-socket-") || doc["command"] != "no-execute" {
			t.Fatalf("change_set %v", cs)
		}
		for _, want := range []string{
			"kept change set " + name + " (not executed): " + arn,
			"https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/changesets/changes?changeSetId=",
			// The emulator's endpoint is in every printed command, so
			// that they reach it as they are.
			"aws cloudformation execute-change-set --change-set-name " + arn + " --region us-east-1 --endpoint-url " + p.URL,
			"tcdind --stack tc-keep --region us-east-1 --endpoint-url " + p.URL + " --execute " + name + " --yes",
			// The delete command too (it lacked --region and
			// --endpoint-url; found by review2).
			"delete it with aws cloudformation delete-change-set --change-set-name " + arn + " --region us-east-1 --endpoint-url " + p.URL + "\n",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		golden(t, "stack-no-execute", stdout)
		left := e.pendingChangeSets("tc-keep")
		if len(left) != 1 || !strings.HasPrefix(left[0], name+" CREATE_COMPLETE AVAILABLE") {
			t.Fatalf("change sets after --no-execute: %v, want %s kept and available", left, name)
		}
		checkMode(t, e.deployed("tc-keep"), "none")

		p.Reset()
		code, stdout, stderr = cli.runStack(ctx, p.URL, "", "--stack", "tc-keep", "--execute", name, "--yes", "--json")
		if code != 0 {
			t.Fatalf("--execute: exit %d\n%s", code, stderr)
		}
		if p.Count("ExecuteChangeSet") != 1 || p.Count("CreateChangeSet") != 0 {
			t.Errorf("--execute called %v", p.Actions())
		}
		doc = checkResult(t, schema, stdout, stderr, code)
		if doc["command"] != "execute" || doc["change_set"].(map[string]any)["fate"] != "executed" || doc["update"].(map[string]any)["status"] != "UPDATE_COMPLETE" {
			t.Errorf("result %s", stdout)
		}
		checkMode(t, e.deployed("tc-keep"), "socket")
		golden(t, "stack-execute", stdout)
		if !strings.Contains(stderr, "UPDATE_COMPLETE") {
			t.Errorf("--execute did not follow the update:\n%s", stderr)
		}
	})

	t.Run("RefusedAfterTheStackMoved", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-moved", nil, "")
		code, stdout, stderr := cli.runStack(ctx, p.URL, "", "--stack", "tc-moved", "--mode", "privileged", "--apply", "--no-execute", "--json")
		if code != 0 {
			t.Fatalf("--no-execute: exit %d\n%s", code, stderr)
		}
		var doc struct {
			ChangeSet struct{ Name, ARN string } `json:"change_set"`
		}
		json.Unmarshal([]byte(stdout), &doc)
		// Someone updates the stack after the change set was made.
		body, err := os.ReadFile(stackTemplate)
		if err != nil {
			t.Fatal(err)
		}
		moved := strings.Replace(string(body), "RetentionInDays: 14", "RetentionInDays: 30", 1)
		if moved == string(body) {
			t.Fatal("the fixture has no RetentionInDays: 14 to change")
		}
		if _, err := e.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("tc-moved"), TemplateBody: aws.String(moved),
			Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("DatabasePassword"), UsePreviousValue: aws.Bool(true)}},
			Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}}); err != nil {
			t.Fatal(err)
		}
		p.Reset()
		code, stdout, stderr = cli.runStack(ctx, p.URL, "", "--stack", "tc-moved", "--execute", doc.ChangeSet.ARN, "--yes", "--json")
		if code != 1 {
			t.Fatalf("--execute after the stack moved: exit %d, want 1\n%s", code, stderr)
		}
		if n := p.Count("ExecuteChangeSet"); n != 0 {
			t.Errorf("executed %d time(s) after the stack moved", n)
		}
		oneErrorLine(t, stderr, "nothing was executed")
		checkResult(t, schema, stdout, stderr, code)
		golden(t, "stack-execute-moved", stdout)
		if left := e.pendingChangeSets("tc-moved"); len(left) != 1 || !strings.HasPrefix(left[0], doc.ChangeSet.Name+" ") {
			t.Errorf("the refused change set is not kept as it was: %v", left)
		}
		if got := string(e.deployed("tc-moved")); got != moved {
			t.Errorf("the deployed template is not the one the other update made")
		}
	})

	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"--stack", "x", "--mode", "socket", "--no-execute"},
			{"--stack", "x", "--mode", "socket", "--apply", "--no-execute", "--yes"},
			{"--stack", "x", "--execute", "cs", "--apply"},
			{"--stack", "x", "--execute", "cs", "--diff"},
			{"--template", stackTemplate, "--mode", "socket", "--execute", "cs"},
		} {
			if code, _, stderr := runCLI(t, args...); code != 2 || !strings.HasPrefix(stderr, "tcdind: ") {
				t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
			}
		}
	})
}
