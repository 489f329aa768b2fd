package dind_test

// --sudo-image when the tag parameter also sets something that is not an
// agent image being edited (the server's image in JetBrains' own template):
// the parameter keeps its value and the agent's Image alone gets the suffix,
// as one in-place edit of its reference to the parameter.

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

const (
	jetbrainsAgentImage    = `Image: !Join [':', ['jetbrains/teamcity-agent', !Ref 'TeamCityVersion']]`
	jetbrainsAgentSudo     = `Image: !Join [':', ['jetbrains/teamcity-agent', !Sub '${TeamCityVersion}-linux-sudo']]`
	jetbrainsServerImage   = `Image: !Join [':', ['jetbrains/teamcity-server', !Ref 'TeamCityVersion']]`
	jetbrainsSudoChange    = "agent image tag: append -linux-sudo to ${TeamCityVersion} (2025.07 → 2025.07-linux-sudo)"
	jetbrainsTemplateFile  = "teamcity-server@2021-01-12-b923207.yaml"
	jetbrainsDefaultLatest = "        Default: latest\n"
)

func jetbrainsTemplate(t *testing.T) []byte {
	t.Helper()
	dir := os.Getenv("TCDIND_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	src, err := os.ReadFile(filepath.Join(dir, "jetbrains", jetbrainsTemplateFile))
	if err != nil {
		if requireCI() {
			t.Fatalf("corpus template missing under CI: %v", err)
		}
		t.Skipf("corpus template missing: %v", err)
	}
	for _, want := range []string{jetbrainsAgentImage, jetbrainsServerImage, jetbrainsDefaultLatest} {
		if bytes.Count(src, []byte(want)) != 1 {
			t.Fatalf("the corpus template no longer has %q exactly once", want)
		}
	}
	return src
}

// jetbrainsAt is the corpus template with TeamCityVersion's Default set to
// version, as an operator would deploy it.
func jetbrainsAt(t *testing.T, version string) []byte {
	return bytes.Replace(jetbrainsTemplate(t), []byte(jetbrainsDefaultLatest), []byte("        Default: "+version+"\n"), 1)
}

// checkOnlyImageLine: out is src with the agent's Image line alone
// rewritten, and applying the options again changes nothing.
func checkOnlyImageLine(t *testing.T, label string, src []byte, res *dind.Result, opts dind.Options) {
	t.Helper()
	want := bytes.Replace(src, []byte(jetbrainsAgentImage), []byte(jetbrainsAgentSudo), 1)
	// The rest of the privileged recipe adds lines; drop them to compare.
	if ok, why := isLineSubsequence(want, res.Output); !ok {
		t.Errorf("%s: the output is not the input with the agent image rewritten plus new lines: %s\n%s", label, why, lineDiff(src, res.Output))
	}
	if !bytes.Contains(res.Output, []byte(jetbrainsServerImage)) || bytes.Contains(res.Output, []byte(jetbrainsAgentImage)) {
		t.Errorf("%s: want the server image untouched and the agent's rewritten:\n%s", label, lineDiff(src, res.Output))
	}
	if len(res.ChangedDefaults) != 0 || len(res.ParameterOverrides) != 0 {
		t.Errorf("%s: the shared parameter must stay: ChangedDefaults %v, ParameterOverrides %v", label, res.ChangedDefaults, res.ParameterOverrides)
	}
	if !res.SudoTag || !slices.ContainsFunc(res.Changes, func(c dind.Change) bool { return c.Summary == jetbrainsSudoChange }) {
		t.Errorf("%s: SudoTag %v, want the change %q in %v", label, res.SudoTag, jetbrainsSudoChange, res.Changes)
	}
	again, err := dind.Apply(res.Output, opts)
	if err != nil || again.Changed || again.SudoTag || len(again.ParameterOverrides) != 0 {
		t.Errorf("%s: applying again: %v, changed %v, SudoTag %v, overrides %v", label, err, again != nil && again.Changed, again != nil && again.SudoTag, again.ParameterOverrides)
	}
}

func TestSudoImageJetBrainsTemplate(t *testing.T) {
	opts := sudoOpts(true)

	// As published: Default latest has no -sudo variant; nothing is
	// guessed: --sudo-image alone is refused, and without it the refusal
	// names --agent-version (issue 17).
	src := jetbrainsTemplate(t)
	var vn *dind.VersionNeededError
	if _, err := dind.Apply(src, opts); !errors.As(err, &vn) {
		t.Errorf("Default latest with --sudo-image: want *VersionNeededError, got %v", err)
	}
	res := mustApply(t, src, sudoOpts(false))
	if res.SudoTag || bytes.Contains(res.Output, []byte("-sudo")) || !bytes.Contains(res.Output, []byte(jetbrainsAgentImage)) {
		t.Errorf("Default latest: want the image left alone, got SudoTag %v:\n%s", res.SudoTag, lineDiff(src, res.Output))
	}
	if refusalWith(res, "latest has no -sudo variant", "pass --agent-version VERSION") == "" {
		t.Errorf("Default latest: want a refusal saying what to pass, got %q", reasons(res))
	}
	// With --agent-version the agent alone is pinned; the server keeps
	// the parameter.
	pinned := opts
	pinned.AgentVersion = "2025.07"
	res = mustApply(t, src, pinned)
	if !bytes.Contains(res.Output, []byte("Image: !Join [':', ['jetbrains/teamcity-agent', '2025.07-linux-sudo']]")) ||
		!bytes.Contains(res.Output, []byte("Image: !Join [':', ['jetbrains/teamcity-server', !Ref 'TeamCityVersion']]")) {
		t.Errorf("--agent-version 2025.07 on the published template:\n%s", lineDiff(src, res.Output))
	}
	lintAgainstInput(t, "published template, --agent-version", src, res.Output)

	// Default 2025.07 in a copy: the agent's Ref becomes a Sub with the
	// suffix; the Default and the server's image stay.
	src = jetbrainsAt(t, "2025.07")
	res = mustApply(t, src, opts)
	checkOnlyImageLine(t, "template at 2025.07", src, res, opts)
	if !bytes.Contains(res.Output, []byte("\n        Default: 2025.07\n")) {
		t.Errorf("the Default changed:\n%s", lineDiff(src, res.Output))
	}
	in, _ := decodeCFN(src)
	out, err := decodeCFN(res.Output)
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if diff := othersChanged(in, out, res.Targets); diff != "" {
		t.Errorf("%s changed outside the agent task definition", diff)
	}
	tpl, err := dind.Parse(res.Output)
	if err != nil {
		t.Fatal(err)
	}
	if ag := tpl.Agents(); len(ag) != 1 || len(ag[0].Containers) != 1 || ag[0].Containers[0].Image != "jetbrains/teamcity-agent:2025.07-linux-sudo" || ag[0].Mode() != dind.ModePrivileged {
		t.Errorf("reading the output: agents %+v", ag)
	}
	lintAgainstInput(t, "template at 2025.07", src, res.Output)

	// Without --sudo-image the refusal says that --sudo-image would do it.
	plain := mustApply(t, src, sudoOpts(false))
	if w := refusalWith(plain, "use 2025.07-linux-sudo", "pass --sudo-image", "${TeamCityVersion}-linux-sudo", "also sets TCServerNodeTaskDefinition (line 669)"); w == "" {
		t.Errorf("without --sudo-image: refusals %q", reasons(plain))
	}

	// Socket and none keep the tag and say so; the Image stays rewritten.
	for _, m := range []dind.Mode{dind.ModeSocket, dind.ModeNone} {
		back := mustApply(t, res.Output, dind.DefaultOptions(m))
		if warningWith(back, "left the image tag 2025.07-linux-sudo; the plain tag is 2025.07") == "" || !bytes.Contains(back.Output, []byte(jetbrainsAgentSudo)) {
			t.Errorf("%s after --sudo-image: warnings %q", m, back.Warnings)
		}
	}
}

func TestSudoImageJetBrainsStack(t *testing.T) {
	src := jetbrainsTemplate(t)
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	opts := sudoOpts(true)
	if got := tpl.ImageParameters(opts); !slices.Equal(got, []string{"TeamCityVersion"}) {
		t.Fatalf("ImageParameters = %v", got)
	}
	opts.ParameterValues = map[string]string{"TeamCityVersion": "2025.07"}
	res, err := tpl.Apply(opts)
	if err != nil {
		t.Fatal(err)
	}
	checkOnlyImageLine(t, "stack at 2025.07", src, res, opts)
	if !res.NeedsChange() {
		t.Error("NeedsChange is false")
	}

	// A floating deployed value needs the version to pin (issue 17).
	for _, v := range []string{"latest", ""} {
		opts.ParameterValues = map[string]string{"TeamCityVersion": v}
		var vn *dind.VersionNeededError
		if _, err := tpl.Apply(opts); !errors.As(err, &vn) {
			t.Errorf("deployed %q: want *VersionNeededError, got %v", v, err)
		}
	}
	// Deployed values that give no edit: a digest, already -sudo.
	for _, v := range []string{"2025.07@sha256:0123", "2025.07-linux-sudo"} {
		opts.ParameterValues = map[string]string{"TeamCityVersion": v}
		res, err := tpl.Apply(opts)
		if err != nil {
			t.Errorf("deployed %q: %v", v, err)
			continue
		}
		if bytes.Contains(res.Output, []byte("-sudo")) || res.SudoTag || len(res.ParameterOverrides) != 0 {
			t.Errorf("deployed %q: want no tag edit, got SudoTag %v, overrides %v", v, res.SudoTag, res.ParameterOverrides)
		}
		if v != "2025.07-linux-sudo" && warningWith(res, "TeamCityVersion") == "" {
			t.Errorf("deployed %q: want a warning naming the parameter, got %q", v, res.Warnings)
		}
	}
	// A value tcdind was not given is not guessed.
	opts.ParameterValues = map[string]string{}
	if res, err := tpl.Apply(opts); err != nil || res.SudoTag || warningWith(res, "value tcdind does not know") == "" {
		t.Errorf("unknown deployed value: %v, warnings %q", err, res.Warnings)
	}
}

// TestSudoImageSharedShapes: every way of writing the agent's reference to
// a shared parameter gets the suffix in place, in its own style, with the
// suffix the value calls for.
func TestSudoImageSharedShapes(t *testing.T) {
	const server = "  Server:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: server\n          Image: !Sub 'jetbrains/teamcity-server:${V}'\n"
	for _, tc := range []struct {
		name, image, want string
	}{
		{"short Ref in Join", `!Join [':', ['jetbrains/teamcity-agent', !Ref V]]`, `!Join [':', ['jetbrains/teamcity-agent', !Sub '${V}-linux-sudo']]`},
		{"quoted short Ref", `!Join [':', ['jetbrains/teamcity-agent', !Ref "V"]]`, `!Join [':', ['jetbrains/teamcity-agent', !Sub "${V}-linux-sudo"]]`},
		{"flow long Ref", `!Join [':', ['jetbrains/teamcity-agent', {Ref: V}]]`, `!Join [':', ['jetbrains/teamcity-agent', {Fn::Sub: '${V}-linux-sudo'}]]`},
		{"long Join, long Ref", `{"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Ref": "V"}]]}`, `{"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Fn::Sub": "${V}-linux-sudo"}]]}`},
		{"block long Ref", "\n            Fn::Join:\n              - ':'\n              - - jetbrains/teamcity-agent\n                - Ref: V", "\n            Fn::Join:\n              - ':'\n              - - jetbrains/teamcity-agent\n                - Fn::Sub: '${V}-linux-sudo'"},
		{"Sub", `!Sub 'jetbrains/teamcity-agent:${V}'`, `!Sub 'jetbrains/teamcity-agent:${V}-linux-sudo'`},
		{"Sub list", `!Sub ['jetbrains/teamcity-agent:${V}', {}]`, `!Sub ['jetbrains/teamcity-agent:${V}-linux-sudo', {}]`},
		{"long Sub", `{"Fn::Sub": "jetbrains/teamcity-agent:${V}"}`, `{"Fn::Sub": "jetbrains/teamcity-agent:${V}-linux-sudo"}`},
		{"nested Join", `!Join ['', ['jetbrains/', !Join [':', [teamcity-agent, !Ref V]]]]`, `!Join ['', ['jetbrains/', !Join [':', [teamcity-agent, !Sub '${V}-linux-sudo']]]]`},
	} {
		for _, v := range []struct{ def, suffix string }{{"2025.07", "-linux-sudo"}, {"2025.07-linux-arm64", "-sudo"}} {
			src := sudoTemplate("  V:\n    Type: String\n    Default: "+v.def+"\n", tc.image, server)
			res, err := dind.Apply(src, sudoOpts(true))
			if err != nil {
				t.Errorf("%s at %s: %v", tc.name, v.def, err)
				continue
			}
			want := strings.ReplaceAll(tc.want, "-linux-sudo", v.suffix)
			if !bytes.Contains(res.Output, []byte("Image: "+want+"\n")) || !bytes.Contains(res.Output, []byte("Default: "+v.def+"\n")) {
				t.Errorf("%s at %s: want Image: %s and the Default kept:\n%s", tc.name, v.def, want, lineDiff(src, res.Output))
				continue
			}
			wantChange := "agent image tag: append " + v.suffix + " to ${V} (" + v.def + " → " + v.def + v.suffix + ")"
			if !slices.ContainsFunc(res.Changes, func(c dind.Change) bool { return c.Summary == wantChange }) {
				t.Errorf("%s at %s: changes %v, want %q", tc.name, v.def, res.Changes, wantChange)
			}
			tpl, err := dind.Parse(res.Output)
			if err != nil {
				t.Errorf("%s at %s: output does not parse: %v", tc.name, v.def, err)
				continue
			}
			if img := tpl.Agents()[0].Containers[0].Image; img != "jetbrains/teamcity-agent:"+v.def+v.suffix {
				t.Errorf("%s at %s: the output's agent image reads %q", tc.name, v.def, img)
			}
			if again := mustApply(t, res.Output, sudoOpts(true)); again.Changed || again.SudoTag {
				t.Errorf("%s at %s: applying again changed it:\n%s", tc.name, v.def, lineDiff(res.Output, again.Output))
			}
		}
	}
}

// TestSudoImageSharedWholeImage: a parameter holding the whole image that
// something else uses too gets the suffix after its reference.
func TestSudoImageSharedWholeImage(t *testing.T) {
	extra := "Outputs:\n  AgentImage:\n    Value: !Ref AgentImage\n"
	for _, tc := range []struct{ json bool }{{false}, {true}} {
		src := sudoTemplate("  AgentImage:\n    Type: String\n    Default: jetbrains/teamcity-agent:2025.07\n", "!Ref AgentImage", extra)
		want := "Image: !Sub '${AgentImage}-linux-sudo'\n"
		if tc.json {
			src = sudoTemplate("  AgentImage:\n    Type: String\n    Default: jetbrains/teamcity-agent:2025.07\n", `{"Ref": "AgentImage"}`, extra)
			want = `Image: {"Fn::Sub": "${AgentImage}-linux-sudo"}` + "\n"
		}
		res := mustApply(t, src, sudoOpts(true))
		if !bytes.Contains(res.Output, []byte(want)) || len(res.ChangedDefaults) != 0 {
			t.Errorf("json-style %v: want %q:\n%s", tc.json, want, lineDiff(src, res.Output))
		}
		wantChange := "agent image: append -linux-sudo to ${AgentImage} (jetbrains/teamcity-agent:2025.07 → jetbrains/teamcity-agent:2025.07-linux-sudo)"
		if !slices.ContainsFunc(res.Changes, func(c dind.Change) bool { return c.Summary == wantChange }) {
			t.Errorf("json-style %v: changes %v", tc.json, res.Changes)
		}
	}
}

// TestSudoImageSharedJSON: the same edit in a JSON template keeps it JSON.
func TestSudoImageSharedJSON(t *testing.T) {
	src := []byte(`{
  "Parameters": {"V": {"Type": "String", "Default": "2025.07"}},
  "Resources": {
    "Agent": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
      {"Name": "teamcity-agent", "Image": {"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Ref": "V"}]]}}
    ]}},
    "Server": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
      {"Name": "server", "Image": {"Fn::Join": [":", ["jetbrains/teamcity-server", {"Ref": "V"}]]}}
    ]}}
  }
}
`)
	res := mustApply(t, src, sudoOpts(true))
	if !bytes.Contains(res.Output, []byte(`"Image": {"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Fn::Sub": "${V}-linux-sudo"}]]}`)) ||
		!bytes.Contains(res.Output, []byte(`["jetbrains/teamcity-server", {"Ref": "V"}]`)) {
		t.Errorf("JSON:\n%s", lineDiff(src, res.Output))
	}
	if !json.Valid(res.Output) {
		t.Errorf("the output is not JSON any more:\n%s", res.Output)
	}
}

// TestSudoImageSharedRefused: where the reference cannot take the suffix
// alone (the expression does not end with it, or it is an alias), the
// parameter is not changed either: the refusal says what to do.
func TestSudoImageSharedRefused(t *testing.T) {
	const server = "  Server:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: server\n          Image: !Sub 'jetbrains/teamcity-server:${V}'\n"
	for _, image := range []string{
		`!Join ['', ['jetbrains/teamcity-agent:', !Ref V, '']]`,
	} {
		src := sudoTemplate("  V:\n    Type: String\n    Default: 2025.07\n", image, server)
		_, err := dind.Apply(src, sudoOpts(true))
		var re *dind.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "also sets Server") || !strings.Contains(err.Error(), "tag of its own") {
			t.Errorf("Image %s: want a refusal, got %v", image, err)
		}
	}
	// An anchored reference that an alias repeats: editing it would edit
	// the alias too.
	src := sudoTemplate("  V:\n    Type: String\n    Default: 2025.07\n", `!Join [':', ['jetbrains/teamcity-agent', &v !Ref V]]`,
		"  Other:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: *v\n")
	if _, err := dind.Apply(src, sudoOpts(true)); !isTypedError(err) || err == nil {
		t.Errorf("anchored reference: want a refusal, got %v", err)
	}
}

// lintAgainstInput: cfn-lint finds no error in out that it does not find in
// in.
func lintAgainstInput(t *testing.T, label string, in, out []byte) {
	t.Helper()
	bin := cfnLintPath(t)
	dir := t.TempDir()
	job := lintJob{base: label, input: filepath.Join(dir, "input.yaml"), outputs: []string{filepath.Join(dir, "output.yaml")}, names: map[string]string{}}
	job.names[job.outputs[0]] = label
	if err := os.WriteFile(job.input, in, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job.outputs[0], out, 0o644); err != nil {
		t.Fatal(err)
	}
	lintGroup(t, bin, []lintJob{job})
}

// withAgentSudoImages is src with the first "Image: old" after each task
// definition's logical ID replaced by "Image: new".
func withAgentSudoImages(t *testing.T, src []byte, ids []string, old, new string) []byte {
	t.Helper()
	out := bytes.Clone(src)
	for _, id := range ids {
		at := bytes.Index(out, []byte("\n  "+id+":\n"))
		if at < 0 {
			t.Fatalf("no task definition %s", id)
		}
		i := bytes.Index(out[at:], []byte("Image: "+old))
		if i < 0 {
			t.Fatalf("%s has no Image: %s", id, old)
		}
		i += at + len("Image: ")
		out = append(out[:i:i], append([]byte(new), out[i+len(old):]...)...)
	}
	return out
}
