package dind_test

// Comments survive every mode switch: a removal takes only the entry's own
// lines (and a comment on them), new flow entries go before trailing
// comments, and every full-line comment of the input is in the output.

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// commentLines are the full-line comments of src, trimmed, in order.
func commentLines(src []byte) []string {
	var out []string
	for _, l := range splitLines(src) {
		if s := strings.TrimSpace(l); strings.HasPrefix(s, "#") {
			out = append(out, s)
		}
	}
	return out
}

// missingComment is the first of want that is not, in order, in got.
func missingComment(want, got []string) (string, bool) {
	i := 0
	for _, w := range want {
		for i < len(got) && got[i] != w {
			i++
		}
		if i == len(got) {
			return w, true
		}
		i++
	}
	return "", false
}

func TestCommentsSurviveModeSwitches(t *testing.T) {
	chains := [][]dind.Mode{
		{dind.ModeNone},
		{dind.ModeSocket},
		{dind.ModePrivileged},
		{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone},
		{dind.ModePrivileged, dind.ModeSocket, dind.ModeNone},
		{dind.ModeNone, dind.ModePrivileged, dind.ModeSocket, dind.ModePrivileged},
		{dind.ModeNone, dind.ModeSocket, dind.ModeNone},
	}
	for _, file := range []string{"comments-privileged.yaml", "comments-socket.yaml", "comments-flow.yaml", "comments.yaml", "blog-socket.yaml", "blog-privileged.yaml"} {
		t.Run(file, func(t *testing.T) {
			src := readFixture(t, file)
			in, err := decodeCFN(src)
			if err != nil {
				t.Fatal(err)
			}
			want := commentLines(src)
			targets := agentTaskDefs(in)
			for _, minimal := range []bool{false, true} {
				for _, chain := range chains {
					cur, curDoc, label := src, in, file
					if minimal {
						label += " minimal"
					}
					for _, m := range chain {
						label += "→" + string(m)
						o := dind.DefaultOptions(m)
						o.Minimal = minimal
						res := applyAndCheck(t, label, cur, curDoc, o, targets)
						if res == nil {
							break
						}
						if c, missing := missingComment(want, commentLines(res.Output)); missing {
							t.Errorf("%s: comment %q lost:\n%s", label, c, res.Output)
							break
						}
						cur = res.Output
						curDoc, _ = decodeCFN(cur)
					}
				}
			}
		})
	}
}

// TestRemovalTakesOnlyItsLines: the exact output of none on the privileged
// fixture: the entries' own lines (and their same-line comments) go,
// everything else stays byte for byte.
func TestRemovalTakesOnlyItsLines(t *testing.T) {
	src := readFixture(t, "comments-privileged.yaml")
	res := mustApply(t, src, dind.DefaultOptions(dind.ModeNone))
	var want strings.Builder
	skip := map[string]bool{
		"          Privileged: true  # needed for dockerd\n":       true,
		"            - Name: DOCKER_IN_DOCKER  # starts dockerd\n": true,
		"              Value: start\n":                             true,
		"          MountPoints:\n":                                 true,
		"            - ContainerPath: /var/lib/docker\n":           true,
		"              SourceVolume: docker-data\n":                true,
		"      Volumes:\n":                                         true,
		"        - Name: docker-data  # Docker's data\n":           true,
		"          DockerVolumeConfiguration:\n":                   true,
		"            Scope: task\n":                                true,
		"            Driver: local\n":                              true,
	}
	for _, l := range splitLines(src) {
		if !skip[l] {
			want.WriteString(l)
		}
	}
	if got := string(res.Output); got != want.String() {
		t.Errorf("none (- want, + got):\n%s", lineDiff([]byte(want.String()), res.Output))
	}
}

// TestFlowAdditionsBeforeTrailingComments: new entries of a multi-line flow
// collection go on their own lines right after the last entry; its comment
// stays on its line, and comment lines after it stay last.
func TestFlowAdditionsBeforeTrailingComments(t *testing.T) {
	src := readFixture(t, "comments-flow.yaml")
	res := mustApply(t, src, dind.DefaultOptions(dind.ModePrivileged))
	out := string(res.Output)
	for _, want := range []string{
		"            {Name: SERVER_URL, Value: \"http://teamcity.example.com:8111\"},  # the server\n" +
			"            {Name: DOCKER_IN_DOCKER, Value: start}\n" +
			"            # {Name: DOCKER_IN_DOCKER, Value: start},\n" +
			"          ]\n",
		"            {ContainerPath: /tmp/x, SourceVolume: cache},  # last one\n" +
			"            {ContainerPath: /var/lib/docker, SourceVolume: docker-data}\n" +
			"            # end of the mounts\n",
		// The socket volume (last) goes with the comma before it; the
		// cache's comment stays.
		"        {Name: cache, Host: {SourcePath: /cache}},  # the build cache\n" +
			"        {Name: docker-data, DockerVolumeConfiguration: {Scope: task, Driver: local}}\n" +
			"        # {Name: docker-data, DockerVolumeConfiguration: {Scope: shared}},\n" +
			"        # more volumes go here\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks\n%s\ngot:\n%s", want, out)
		}
	}
	if strings.Contains(out, "# the socket") || strings.Contains(out, "# the host's Docker") {
		t.Errorf("a removed entry's own comment stayed:\n%s", out)
	}
}
