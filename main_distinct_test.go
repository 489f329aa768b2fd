package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One agent an instance (issue 17, item 4): socket mode with the build
// directories gives the agent's service distinctInstance, shown in the diff
// and in the list of changes; none takes it away again.
func TestDistinctInstanceShown(t *testing.T) {
	code, out, errOut := runCLI(t, "--template", fixture, "--mode", "socket", "--diff")
	if code != 0 {
		t.Fatalf("--diff: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "+      PlacementConstraints:\n+        - Type: distinctInstance\n") {
		t.Errorf("the diff does not add distinctInstance to the service:\n%s", out)
	}
	if !strings.Contains(errOut, "service AgentService: at most one agent an instance (distinctInstance), because the build directories are host directories") {
		t.Errorf("the changes do not name the service's constraint:\n%s", errOut)
	}

	patched := filepath.Join(t.TempDir(), "socket.yaml")
	if code, _, errOut := runCLI(t, "--template", fixture, "--mode", "socket", "--output", patched); code != 0 {
		t.Fatalf("--output: exit %d: %s", code, errOut)
	}
	code, out, errOut = runCLI(t, "--template", patched, "--mode", "none", "--diff")
	if code != 0 || !strings.Contains(out, "-        - Type: distinctInstance\n") || !strings.Contains(errOut, "remove placement constraint distinctInstance (none mode)") {
		t.Errorf("none after socket: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "two agents on one instance would share those directories") {
		t.Errorf("none keeps the build directory mounts without saying what that means for placement:\n%s", errOut)
	}

	code, out, errOut = runCLI(t, "--template", fixture, "--mode", "socket", "--build-dirs=false", "--output", "-")
	if code != 0 || strings.Contains(out, "distinctInstance") {
		t.Errorf("--build-dirs=false: exit %d, distinctInstance added: %v\n%s", code, strings.Contains(out, "distinctInstance"), errOut)
	}
	src, _ := os.ReadFile(fixture)
	if strings.Contains(string(src), "distinctInstance") {
		t.Fatal("the fixture already has distinctInstance")
	}
}
