package dind_test

// Conformance over the real JetBrains templates of the corpus: every mode and
// recipe, the semantics of recipes.md in an independent reading of the
// output, byte preservation, idempotence and mode switches.

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

type optCase struct {
	name string
	opts dind.Options
}

func withMinimal(o dind.Options) dind.Options { o.Minimal = true; return o }

// recipeCases are the option sets every template is run with.
func recipeCases() []optCase {
	socket := dind.DefaultOptions(dind.ModeSocket)
	noDirs := socket
	noDirs.BuildDirs = false
	priv := dind.DefaultOptions(dind.ModePrivileged)
	sudo := priv
	sudo.SudoImage = true
	// JetBrains' templates default TeamCityVersion to latest, which has no
	// -sudo variant: the version to pin is the flag's.
	sudo.AgentVersion = "2025.07"
	none := dind.DefaultOptions(dind.ModeNone)
	return []optCase{
		{"socket", socket},
		{"socket-no-build-dirs", noDirs},
		{"socket-minimal", withMinimal(socket)},
		{"privileged", priv},
		{"privileged-sudo-image", sudo},
		{"privileged-minimal", withMinimal(priv)},
		{"none", none},
		{"none-minimal", withMinimal(none)},
	}
}

func TestCorpusConformance(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			src := readFile(t, path)
			in, err := decodeCFN(src)
			if err != nil {
				t.Fatalf("corpus template does not parse: %v", err)
			}
			targets := agentTaskDefs(in)
			if len(targets) != 1 {
				t.Fatalf("test reading finds agent task definitions %v, want exactly one", targets)
			}
			for _, oc := range recipeCases() {
				t.Run(oc.name, func(t *testing.T) {
					res := applyAndCheck(t, oc.name, src, in, oc.opts, targets)
					if res == nil {
						return
					}
					out := res.Output
					// The corpus has no Docker-in-Docker: both modes only add
					// lines; none changes nothing.
					if oc.opts.Mode == dind.ModeNone {
						if !bytes.Equal(out, src) {
							t.Errorf("none on a template without DinD changed it:\n%s", lineDiff(src, out))
						}
					} else {
						base := src
						if oc.opts.SudoImage {
							// TeamCityVersion (latest) also tags the server: the
							// agent alone gets the pinned -sudo tag in place of
							// its reference (issue 17).
							base = bytes.Replace(src, []byte("['jetbrains/teamcity-agent', !Ref 'TeamCityVersion']"), []byte("['jetbrains/teamcity-agent', '2025.07-linux-sudo']"), 1)
							if bytes.Equal(base, src) || !res.SudoTag {
								t.Errorf("--sudo-image --agent-version 2025.07: the agent's reference was not pinned (SudoTag %v)", res.SudoTag)
							}
						}
						if ok, why := isLineSubsequence(base, out); !ok {
							t.Errorf("on a template without DinD only lines may be added: %s\n%s", why, lineDiff(base, out))
						}
					}
					checkIndentStyles(t, src, out)
					if oc.opts.Mode == dind.ModePrivileged && !oc.opts.Minimal && !oc.opts.SudoImage {
						// Every corpus template tags the image with
						// TeamCityVersion (Default latest), not a literal tag,
						// and runs the agent as root (User: root in 2021-01-12),
						// which does not help: the plain image has no sudo for
						// run-docker.sh. The engine plans the edit (checked
						// above) and says why the front ends refuse it: the
						// flag that makes the same command work
						// (--agent-version: latest has no -sudo variant, and
						// the server's image is not pinned either).
						err := res.Refusal()
						var sn *dind.SudoNeededError
						if err == nil || !errors.As(err, &sn) || !sn.Flag || !strings.Contains(err.Error(), "--agent-version") || !strings.Contains(err.Error(), "cannot start Docker in privileged mode") {
							t.Errorf("privileged without a -linux-sudo image: want a refusal naming --agent-version, got %v", err)
						}
					}
				})
			}
			t.Run("switches", func(t *testing.T) {
				checkSwitches(t, src, in, targets, nil, true)
			})
			t.Run("sudo-image-versioned", func(t *testing.T) {
				checkSharedSudoTag(t, src, in, targets)
			})
		})
	}
}

// checkSwitches runs mode switches both ways, complete and minimal, checking
// the semantics after each step. When pristine (no DinD, no Privileged key,
// no DOCKER_IN_DOCKER), minimal socket or privileged followed by none must
// give back the original bytes.
func checkSwitches(t *testing.T, src []byte, in map[string]any, targets, taskDefs []string, pristine bool) {
	t.Helper()
	chains := [][]dind.Mode{
		{dind.ModeSocket, dind.ModePrivileged, dind.ModeSocket},
		{dind.ModePrivileged, dind.ModeNone},
		{dind.ModeSocket, dind.ModeNone},
		{dind.ModePrivileged, dind.ModeSocket, dind.ModePrivileged},
		{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone},
	}
	for _, minimal := range []bool{false, true} {
		for _, chain := range chains {
			label := "complete"
			if minimal {
				label = "minimal"
			}
			cur, curDoc := src, in
			for _, m := range chain {
				label += "→" + string(m)
				o := dind.DefaultOptions(m)
				o.Minimal = minimal
				o.TaskDefinitions = taskDefs
				res := applyAndCheck(t, label, cur, curDoc, o, targets)
				if res == nil {
					break
				}
				cur = res.Output
				curDoc, _ = decodeCFN(cur)
			}
			// Privileged adds nothing that none leaves; complete socket adds
			// User: root and the build directory mounts, which none leaves.
			restores := minimal || chain[0] == dind.ModePrivileged
			if pristine && restores && len(chain) == 2 && chain[1] == dind.ModeNone && !restoredUpToEmptied(src, cur) {
				t.Errorf("%s: then none must give back the original bytes:\n%s", label, lineDiff(src, cur))
			}
		}
	}
}

// emptiedLine is a user's empty list that a mode filled: none removes the
// key with the list's last item, as it does for one tcdind created (see
// TestRoundTripFlow).
var emptiedLine = regexp.MustCompile(`^[ \t]*"?(Environment|MountPoints|Volumes)"?:[ \t]*\[[ \t]*\],?[ \t]*\r?\n?$`)

// restoredUpToEmptied reports that out is src, but for some lines that held
// only an empty Environment, MountPoints or Volumes list.
func restoredUpToEmptied(src, out []byte) bool {
	if bytes.Equal(src, out) {
		return true
	}
	a, b := bytes.SplitAfter(src, []byte("\n")), bytes.SplitAfter(out, []byte("\n"))
	j := 0
	for _, line := range a {
		if j < len(b) && bytes.Equal(line, b[j]) {
			j++
		} else if !emptiedLine.Match(line) {
			return false
		}
	}
	return j == len(b)
}

// applyAndCheck applies opts to src (whose reading is in), checks the result
// against recipes.md and returns it, or nil after a failure that makes
// further steps meaningless.
func applyAndCheck(t *testing.T, label string, src []byte, in map[string]any, opts dind.Options, targets []string) *dind.Result {
	t.Helper()
	res, err := dind.Apply(src, opts)
	if err != nil {
		t.Errorf("%s: Apply: %v", label, err)
		return nil
	}
	checkResult(t, label, src, res, targets)
	out, err := decodeCFN(res.Output)
	if err != nil {
		t.Errorf("%s: output does not parse: %v", label, err)
		return nil
	}
	checkOthersUnchanged(t, label, stripDistinct(withSudoDefaults(withDefaults(in, res.ChangedDefaults), out, opts), res.Services), stripDistinct(out, res.Services), targets)
	for _, id := range targets {
		checkMode(t, label, in, out, id, opts)
	}
	checkIdempotent(t, label, res.Output, opts)
	checkDetectedMode(t, label, res.Output, targets, opts.Mode)
	return res
}

// checkDetectedMode: the engine's own reading of its output reports the mode
// just applied on every target.
func checkDetectedMode(t *testing.T, label string, out []byte, targets []string, mode dind.Mode) {
	t.Helper()
	tpl, err := dind.Parse(out)
	if err != nil {
		t.Errorf("%s: Parse(output): %v", label, err)
		return
	}
	for _, td := range tpl.Agents() {
		if slices.Contains(targets, td.LogicalID) && td.Mode() != mode {
			t.Errorf("%s: Parse(output).Agents(): %s is in mode %q, want %q", label, td.LogicalID, td.Mode(), mode)
		}
	}
}

func hasWarning(res *dind.Result, sub string) bool {
	for _, w := range res.Warnings {
		if containsFold(w, sub) {
			return true
		}
	}
	return false
}

// withSudoDefaults is in with the parameter Defaults --sudo-image may change
// (value to value-linux-sudo, or value-linux to value-linux-sudo) taken from
// out, so that only those changes pass as "Parameters unchanged".
func withSudoDefaults(in, out map[string]any, opts dind.Options) map[string]any {
	if !opts.SudoImage || opts.Minimal || opts.Mode != dind.ModePrivileged {
		return in
	}
	inP, outP := asMap(in["Parameters"]), asMap(out["Parameters"])
	if inP == nil || outP == nil {
		return in
	}
	adjP := map[string]any{}
	for name, p := range inP {
		adjP[name] = p
		was, now := fmt.Sprint(asMap(p)["Default"]), fmt.Sprint(asMap(outP[name])["Default"])
		if was != now && (now == was+"-linux-sudo" || strings.Contains(was, "-linux") && now == was+"-sudo") {
			q := maps.Clone(asMap(p))
			q["Default"] = asMap(outP[name])["Default"]
			adjP[name] = q
		}
	}
	adj := maps.Clone(in)
	adj["Parameters"] = adjP
	return adj
}

// checkSharedSudoTag: every corpus template tags the agent and the server
// with TeamCityVersion. Deployed (or defaulted) at a version, --sudo-image
// gives the agent alone the -linux-sudo tag by rewriting its Ref in place;
// the parameter, its Default and the server's image stay.
func checkSharedSudoTag(t *testing.T, src []byte, in map[string]any, targets []string) {
	const (
		agentImage = `Image: !Join [':', ['jetbrains/teamcity-agent', !Ref 'TeamCityVersion']]`
		agentSudo  = `Image: !Join [':', ['jetbrains/teamcity-agent', !Sub '${TeamCityVersion}-linux-sudo']]`
		server     = `Image: !Join [':', ['jetbrains/teamcity-server', !Ref 'TeamCityVersion']]`
	)
	versioned := bytes.Replace(src, []byte("        Default: latest\n"), []byte("        Default: 2025.07\n"), 1)
	if bytes.Equal(versioned, src) || !bytes.Contains(src, []byte(agentImage)) || !bytes.Contains(src, []byte(server)) {
		t.Fatalf("the template no longer has TeamCityVersion's Default latest, the agent's and the server's image as this test expects")
	}
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	stack := dind.DefaultOptions(dind.ModePrivileged)
	stack.SudoImage = true
	stack.ParameterValues = map[string]string{}
	for _, name := range tpl.ImageParameters(stack) {
		stack.ParameterValues[name] = "2025.07"
	}
	template := stack
	template.ParameterValues = nil
	versionedDoc, _ := decodeCFN(versioned)
	for _, c := range []struct {
		label string
		src   []byte
		doc   map[string]any
		opts  dind.Options
	}{{"template at 2025.07", versioned, versionedDoc, template}, {"stack at 2025.07", src, in, stack}} {
		res := applyAndCheck(t, c.label, c.src, c.doc, c.opts, targets)
		if res == nil {
			continue
		}
		want := bytes.Replace(c.src, []byte(agentImage), []byte(agentSudo), 1)
		if ok, why := isLineSubsequence(want, res.Output); !ok {
			t.Errorf("%s: want the input with the agent's Image rewritten and lines added: %s\n%s", c.label, why, lineDiff(c.src, res.Output))
		}
		if bytes.Count(res.Output, []byte(server)) != bytes.Count(c.src, []byte(server)) || bytes.Contains(res.Output, []byte(agentImage)) {
			t.Errorf("%s: the server's image changed or the agent's did not:\n%s", c.label, lineDiff(c.src, res.Output))
		}
		if !res.SudoTag || len(res.ParameterOverrides) != 0 || len(res.ChangedDefaults) != 0 {
			t.Errorf("%s: SudoTag %v, ParameterOverrides %v, ChangedDefaults %v: the shared parameter must stay", c.label, res.SudoTag, res.ParameterOverrides, res.ChangedDefaults)
		}
		if hasWarning(res, "sudo") {
			t.Errorf("%s: the tag was switched, yet a warning about it: %q", c.label, res.Warnings)
		}
	}
}
