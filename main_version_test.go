package main

// --agent-version and --agent-arch (issue 17, item 2): an agent tagged
// latest has no -sudo variant (JetBrains/teamcity-docker-images #2, #12;
// the tag list pairs --privileged -e DOCKER_IN_DOCKER=start with
// <version>-linux-sudo:
// https://github.com/JetBrains/teamcity-docker-images/blob/master/dockerhub/teamcity-agent/README.md),
// so --sudo-image alone there is a usage error naming the missing flag,
// and nothing is written.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAgentVersionFlag(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "latest.yaml")
	data, err := os.ReadFile("wizard/testdata/latest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tpl, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.yaml")

	code, _, errOut := runCLI(t, "--non-interactive", "--template", tpl, "--mode", "privileged", "--sudo-image", "--output", out)
	if code != 2 || !strings.Contains(errOut, "--agent-version VERSION") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("--sudo-image on latest: exit %d, %q; want 2 and one line naming --agent-version", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused run wrote its output")
	}

	code, _, errOut = runCLI(t, "--non-interactive", "--template", tpl, "--mode", "privileged", "--agent-version", "2025.07", "--agent-arch", "arm64", "--output", out)
	if code != 0 {
		t.Fatalf("--agent-version 2025.07: exit %d, %s", code, errOut)
	}
	got, _ := os.ReadFile(out)
	if !strings.Contains(string(got), "Image: !Sub 'jetbrains/teamcity-agent:2025.07-linux-arm64-sudo'") || !strings.Contains(string(got), "Default: latest") {
		t.Errorf("the agent should be pinned to 2025.07-linux-arm64-sudo and the parameter stay latest:\n%s", got)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "privileged", "--agent-version", "latest"}, "is not a TeamCity version"},
		{[]string{"--mode", "privileged", "--agent-version", "2025.07-linux-sudo"}, "give the version alone"},
		{[]string{"--mode", "socket", "--agent-version", "2025.07"}, "--agent-version goes with --mode privileged"},
		{[]string{"--mode", "privileged", "--minimal", "--agent-version", "2025.07"}, "--minimal and --agent-version exclude each other"},
		{[]string{"--mode", "privileged", "--agent-arch", "sparc"}, "use x86_64 or arm64"},
	} {
		args := append([]string{"--non-interactive", "--template", tpl}, c.args...)
		code, _, errOut := runCLI(t, args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

// TestHealthCheckFlag: --health-check=false leaves the docker info check
// out; with --mode none or --minimal it means nothing and is refused.
func TestHealthCheckFlag(t *testing.T) {
	tpl := "wizard/testdata/one.yaml"
	code, out, errOut := runCLI(t, "--non-interactive", "--template", tpl, "--mode", "privileged", "--sudo-image", "--output", "-")
	if code != 0 || !strings.Contains(out, "docker info > /dev/null || exit 1") {
		t.Fatalf("complete privileged: exit %d, %s\n%s", code, errOut, out)
	}
	code, out, errOut = runCLI(t, "--non-interactive", "--template", tpl, "--mode", "privileged", "--sudo-image", "--health-check=false", "--output", "-")
	if code != 0 || strings.Contains(out, "HealthCheck") {
		t.Fatalf("--health-check=false: exit %d, %s\n%s", code, errOut, out)
	}
	for _, args := range [][]string{{"--mode", "none", "--health-check=false"}, {"--mode", "socket", "--minimal", "--health-check=true"}} {
		code, _, errOut := runCLI(t, append([]string{"--non-interactive", "--template", tpl}, args...)...)
		if code != 2 || !strings.Contains(errOut, "--health-check goes with the complete recipe") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
