package render

import (
	"os/exec"
	"strings"
	"testing"
)

func TestCommandWrapsWithContinuations(t *testing.T) {
	cmd := "aws ecs describe-services --cluster teamcity-ECSCluster-AbCdEf123 --services teamcity-AgentService-W6VHS9X91H9D --region eu-west-1 --query 'services[].deployments'"
	got := Command(cmd, 2, 60)
	lines := strings.Split(got, "\n")
	if len(lines) < 3 {
		t.Fatalf("not wrapped:\n%s", got)
	}
	var joined []string
	for i, l := range lines {
		if len([]rune(l)) > 60 {
			t.Errorf("line %d is %d wide: %q", i, len([]rune(l)), l)
		}
		if i < len(lines)-1 && !strings.HasSuffix(l, " \\") {
			t.Errorf("line %d has no continuation: %q", i, l)
		}
		if strings.Contains(l, "…") {
			t.Errorf("line %d is cut: %q", i, l)
		}
		joined = append(joined, strings.TrimSpace(strings.TrimSuffix(l, " \\")))
	}
	if strings.Join(joined, " ") != cmd {
		t.Errorf("the lines put together are not the command:\n%s", strings.Join(joined, " "))
	}
	if !strings.Contains(got, "--cluster teamcity-ECSCluster-AbCdEf123") {
		t.Errorf("a flag was parted from its value:\n%s", got)
	}
}

func TestCommandFitsOnOneLine(t *testing.T) {
	if got := Command("tcdind --stack teamcity", 2, 80); got != "  tcdind --stack teamcity" {
		t.Errorf("got %q", got)
	}
}

func TestCountPlural(t *testing.T) {
	if Count(1, "change", "changes") != "1 change" || Count(12, "change", "changes") != "12 changes" || Count(0, "change", "changes") != "0 changes" {
		t.Error("wrong number")
	}
}

// A path longer than a line is broken inside with a backslash, which a
// shell joins back: sh -c runs the lines as the command.
func TestCommandBreaksALongWord(t *testing.T) {
	long := "/tmp/" + strings.Repeat("averyveryverylongdirectory/", 4) + "out.yaml"
	cmd := "aws cloudformation deploy --template-file " + long + " --stack-name STACK"
	got := Command(cmd, 2, 60)
	for i, l := range strings.Split(got, "\n") {
		if len([]rune(l)) > 60 {
			t.Errorf("line %d is %d wide: %q", i, len([]rune(l)), l)
		}
	}
	out, err := exec.Command("sh", "-c", "printf '%s\\n' "+strings.TrimPrefix(strings.TrimSpace(got), "aws ")).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(strings.Fields(strings.TrimPrefix(cmd, "aws ")), "\n") + "\n"; string(out) != want {
		t.Errorf("the shell reads\n%s\nnot\n%s\nfrom\n%s", out, want, got)
	}
}

func TestSplitCommand(t *testing.T) {
	b, c, a := SplitCommand("not verified in ECS: no container names; check with aws ecs describe-task-definition --task-definition arn:aws:ecs:us-east-1:1:task-definition/x:2 --region us-east-1.")
	if b != "not verified in ECS: no container names; check with " || c != "aws ecs describe-task-definition --task-definition arn:aws:ecs:us-east-1:1:task-definition/x:2 --region us-east-1" || a != "." {
		t.Errorf("%q | %q | %q", b, c, a)
	}
	b, c, a = SplitCommand("roll back now with aws cloudformation cancel-update-stack --stack-name t --region r, or run tcdind with --on-rollout-failure=cancel")
	if c != "aws cloudformation cancel-update-stack --stack-name t --region r" || a != ", or run tcdind with --on-rollout-failure=cancel" || b != "roll back now with " {
		t.Errorf("%q | %q | %q", b, c, a)
	}
	if _, c, _ := SplitCommand("no command here"); c != "" {
		t.Errorf("found %q", c)
	}
}

// A command named in a sentence, not given to run, stays in it.
func TestSplitCommandLeavesANamedCommand(t *testing.T) {
	text := "roll it out with a CodeDeploy deployment (aws ecs deploy); then check with aws ecs describe-services --cluster c --services s"
	b, c, a := SplitCommand(text)
	if b != "roll it out with a CodeDeploy deployment (aws ecs deploy); then check with " || c != "aws ecs describe-services --cluster c --services s" || a != "" {
		t.Errorf("%q | %q | %q", b, c, a)
	}
}
