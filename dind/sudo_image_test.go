package dind_test

// The agent image's -sudo tag in privileged mode: literal tags, tags held by
// a parameter (template Default, stack deployed value), shared and NoEcho
// parameters, and what socket and none say about a -sudo tag they keep.

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// sudoTemplate is an agent task definition whose image is image, with the
// given Parameters entries and extra resources.
func sudoTemplate(params, image, extra string) []byte {
	return []byte(`AWSTemplateFormatVersion: "2010-09-09"
Description: sudo image cases (tcdind test)
Parameters:
` + params + `
Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: ` + image + `
          Memory: 2048
` + extra)
}

func sudoOpts(sudo bool) dind.Options {
	o := dind.DefaultOptions(dind.ModePrivileged)
	o.SudoImage = sudo
	return o
}

func mustApply(t *testing.T, src []byte, o dind.Options) *dind.Result {
	t.Helper()
	res, err := dind.Apply(src, o)
	if err != nil {
		t.Fatalf("Apply: %v\n%s", err, src)
	}
	return res
}

// refusalWith is the reason privileged mode is refused (Result.NoDocker:
// the image cannot start Docker) that contains every sub, or "".
func refusalWith(res *dind.Result, subs ...string) string {
	for _, w := range reasons(res) {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(w, s)
		}
		if ok {
			return w
		}
	}
	return ""
}

// reasons are the NoDocker reasons of res.
func reasons(res *dind.Result) []string {
	var out []string
	for _, e := range res.NoDocker {
		out = append(out, e.Reason)
	}
	return out
}

func warningWith(res *dind.Result, subs ...string) string {
	for _, w := range res.Warnings {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(w, s)
		}
		if ok {
			return w
		}
	}
	return ""
}

// TestSudoTagParameterDefault: on a template, the parameter that holds the
// tag gets the -sudo Default in place, in its own quoting.
func TestSudoTagParameterDefault(t *testing.T) {
	const joinImage = `!Join [':', ['jetbrains/teamcity-agent', !Ref 'AgentVersion']]`
	for _, tc := range []struct {
		name, def, want, image string
	}{
		{"plain", "2025.07", "2025.07-linux-sudo", joinImage},
		{"double", `"2025.07"`, `"2025.07-linux-sudo"`, joinImage},
		{"single", `'2025.07'`, `'2025.07-linux-sudo'`, joinImage},
		{"linux", "2025.07-linux", "2025.07-linux-sudo", joinImage},
		{"arm64", "2025.07-linux-arm64", "2025.07-linux-arm64-sudo", joinImage},
		{"sub", "2024.03", "2024.03-linux-sudo", `!Sub 'jetbrains/teamcity-agent:${AgentVersion}'`},
		{"long-sub", "2024.03", "2024.03-linux-sudo", `{"Fn::Sub": "jetbrains/teamcity-agent:${AgentVersion}"}`},
		{"ref-long", "2024.03", "2024.03-linux-sudo", `{"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Ref": "AgentVersion"}]]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := sudoTemplate("  AgentVersion:\n    Type: String\n    Default: "+tc.def+"\n", tc.image, "")
			res := mustApply(t, src, sudoOpts(true))
			want := strings.Replace(string(src), "Default: "+tc.def+"\n", "Default: "+tc.want+"\n", 1)
			got := string(res.Output)
			if !strings.HasPrefix(got, want[:strings.Index(want, "Resources:")]) {
				t.Errorf("Parameters not rewritten in place:\n%s", got)
			}
			if !strings.Contains(got, "Image: "+tc.image+"\n") {
				t.Errorf("the image expression changed:\n%s", got)
			}
			if !res.SudoTag || len(res.ParameterOverrides) != 0 {
				t.Errorf("SudoTag %v, ParameterOverrides %v; want true and none on a template", res.SudoTag, res.ParameterOverrides)
			}
			if !slices.ContainsFunc(res.Changes, func(c dind.Change) bool {
				return strings.Contains(c.Summary, "parameter AgentVersion") && strings.Contains(c.Summary, strings.Trim(tc.want, `"'`))
			}) {
				t.Errorf("no change names the parameter: %v", res.Changes)
			}
			if w := warningWith(res, "sudo"); w != "" {
				t.Errorf("unexpected warning %q", w)
			}
			checkIdempotent(t, tc.name, res.Output, sudoOpts(true))
		})
	}
}

// TestSudoTagParameterJSON: a numeric JSON Default becomes a quoted string.
func TestSudoTagParameterJSON(t *testing.T) {
	src := []byte(`{
  "Parameters": {"AgentVersion": {"Type": "String", "Default": 2025.07}},
  "Resources": {
    "AgentTaskDefinition": {
      "Type": "AWS::ECS::TaskDefinition",
      "Properties": {
        "ContainerDefinitions": [
          {"Name": "teamcity-agent", "Image": {"Fn::Sub": "jetbrains/teamcity-agent:${AgentVersion}"}, "Memory": 2048}
        ]
      }
    }
  }
}
`)
	res := mustApply(t, src, sudoOpts(true))
	if !strings.Contains(string(res.Output), `"Default": "2025.07-linux-sudo"}`) {
		t.Errorf("JSON Default not switched to a quoted -sudo tag:\n%s", res.Output)
	}
	if _, err := decodeCFN(res.Output); err != nil {
		t.Errorf("output does not parse: %v", err)
	}
}

// TestSudoTagWholeImageParameter: a parameter holding the whole image gets
// the -sudo tag on its image.
func TestSudoTagWholeImageParameter(t *testing.T) {
	src := readFixture(t, "image-param.yaml")
	res := mustApply(t, src, sudoOpts(true))
	if !strings.Contains(string(res.Output), "    Default: jetbrains/teamcity-agent:2023.11.1-linux-sudo\n") {
		t.Errorf("AgentImage Default not switched:\n%s", res.Output)
	}
	res = mustApply(t, src, sudoOpts(false))
	if w := refusalWith(res, "jetbrains/teamcity-agent:2023.11.1-linux", "use 2023.11.1-linux-sudo", "set parameter AgentImage to jetbrains/teamcity-agent:2023.11.1-linux-sudo"); w == "" || !res.NoDocker[0].Flag {
		t.Errorf("without --sudo-image: want a refusal naming the concrete tag and the parameter, got %q", reasons(res))
	}
}

// TestSudoTagOnStack: with deployed values the template's Default is not
// read, nor changed; the parameter change is an override.
func TestSudoTagOnStack(t *testing.T) {
	src := sudoTemplate("  TeamCityVersion:\n    Type: String\n    Default: 2023.11\n",
		`!Sub 'jetbrains/teamcity-agent:${TeamCityVersion}'`, "")
	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.ImageParameters(sudoOpts(true)); !slices.Equal(got, []string{"TeamCityVersion"}) {
		t.Errorf("ImageParameters = %v, want [TeamCityVersion]", got)
	}
	o := sudoOpts(true)
	o.ParameterValues = map[string]string{"TeamCityVersion": "2025.07"}
	res := mustApply(t, src, o)
	if strings.Contains(string(res.Output), "linux-sudo") {
		t.Errorf("a stack's template Default must not change:\n%s", res.Output)
	}
	if want := map[string]string{"TeamCityVersion": "2025.07-linux-sudo"}; !maps.Equal(res.ParameterOverrides, want) {
		t.Errorf("ParameterOverrides = %v, want %v", res.ParameterOverrides, want)
	}
	if !slices.ContainsFunc(res.Changes, func(c dind.Change) bool {
		return c.Summary == "set parameter TeamCityVersion to 2025.07-linux-sudo (deployed: 2025.07)"
	}) {
		t.Errorf("Changes = %v, want the parameter change described", res.Changes)
	}
	if !res.NeedsChange() || !res.SudoTag {
		t.Errorf("NeedsChange %v, SudoTag %v; want both", res.NeedsChange(), res.SudoTag)
	}

	// Already privileged with the right deployed tag: nothing to do.
	o.ParameterValues = map[string]string{"TeamCityVersion": "2025.07-linux-sudo"}
	res = mustApply(t, mustApply(t, src, o).Output, o)
	if res.NeedsChange() || len(res.Warnings) > 0 {
		t.Errorf("second run: NeedsChange %v, warnings %q; want nothing", res.NeedsChange(), res.Warnings)
	}

	// Without --sudo-image the warning names the deployed value, not the Default.
	o = sudoOpts(false)
	o.ParameterValues = map[string]string{"TeamCityVersion": "2024.03"}
	res = mustApply(t, src, o)
	want := "AgentTaskDefinition/teamcity-agent: the agent image jetbrains/teamcity-agent:2024.03 cannot start Docker in privileged mode: use 2024.03-linux-sudo (pass --sudo-image, or set parameter TeamCityVersion to 2024.03-linux-sudo)"
	if !slices.Contains(reasons(res), want) || res.Refusal() == nil || res.Refusal().Error() != want {
		t.Errorf("refusals %q, want %q", reasons(res), want)
	}
	if len(res.ParameterOverrides) != 0 {
		t.Errorf("without --sudo-image: ParameterOverrides %v", res.ParameterOverrides)
	}

	// A stack value the caller did not give is never guessed from the Default.
	o = sudoOpts(true)
	o.ParameterValues = map[string]string{}
	res = mustApply(t, src, o)
	if len(res.ParameterOverrides) != 0 || warningWith(res, "TeamCityVersion", "does not know") == "" {
		t.Errorf("unknown deployed value: overrides %v, warnings %q", res.ParameterOverrides, res.Warnings)
	}
}

func TestSudoTagNeverGuessed(t *testing.T) {
	for _, tc := range []struct {
		name, params, image string
		warn                []string
	}{
		{"digest", "  V:\n    Type: String\n", `jetbrains/teamcity-agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`,
			[]string{"pinned by digest"}},
		{"no-default", "  V:\n    Type: String\n", `!Sub 'jetbrains/teamcity-agent:${V}'`,
			[]string{"parameter V", "does not know"}},
		{"if", "  V:\n    Type: String\n", `!If [UseArm, 'jetbrains/teamcity-agent:2025.07-linux-arm64', 'jetbrains/teamcity-agent:2025.07']`,
			[]string{"!If [UseArm, jetbrains/teamcity-agent:2025.07-linux-arm64, jetbrains/teamcity-agent:2025.07]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := sudoTemplate(tc.params, tc.image, "")
			for _, sudo := range []bool{true, false} {
				res := mustApply(t, src, sudoOpts(sudo))
				if warningWith(res, tc.warn...) == "" {
					t.Errorf("--sudo-image=%v: want a warning with %q, got %q", sudo, tc.warn, res.Warnings)
				}
				if res.SudoTag || strings.Contains(string(res.Output), "-sudo") {
					t.Errorf("--sudo-image=%v: the tag was guessed:\n%s", sudo, res.Output)
				}
			}
		})
	}
}

// TestSudoTagLiteral: a literal tag (or one that ends in literal text) is
// rewritten in place; the warning without --sudo-image names it.
func TestSudoTagLiteral(t *testing.T) {
	src := sudoTemplate("  V:\n    Type: String\n    Default: 2024.03\n", `!Sub 'jetbrains/teamcity-agent:${V}-linux'`, "")
	res := mustApply(t, src, sudoOpts(true))
	if !strings.Contains(string(res.Output), `Image: !Sub 'jetbrains/teamcity-agent:${V}-linux-sudo'`) || strings.Contains(string(res.Output), "Default: 2024.03-") {
		t.Errorf("the literal end of the tag should get -sudo, the parameter stay:\n%s", res.Output)
	}
	src = sudoTemplate("  V:\n    Type: String\n", `jetbrains/teamcity-agent:2024.03`, "")
	res = mustApply(t, src, sudoOpts(false))
	want := "AgentTaskDefinition/teamcity-agent: the agent image jetbrains/teamcity-agent:2024.03 cannot start Docker in privileged mode: use 2024.03-linux-sudo (pass --sudo-image)"
	if !slices.Contains(reasons(res), want) {
		t.Errorf("refusals %q, want %q", reasons(res), want)
	}
}

// TestSudoTagSharedParameter: a tag parameter that also tags the server
// stays as it is with --sudo-image; the agent's Image alone gets the suffix
// (sudo_shared_test.go has every shape). Without --sudo-image the warning
// says --sudo-image would do that, not to change the parameter.
func TestSudoTagSharedParameter(t *testing.T) {
	server := `  ServerTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: server
          Image: !Join [':', ['jetbrains/teamcity-server', !Ref TeamCityVersion]]
`
	src := sudoTemplate("  TeamCityVersion:\n    Type: String\n    Default: 2025.07\n",
		`!Join [':', ['jetbrains/teamcity-agent', !Ref TeamCityVersion]]`, server)
	res := mustApply(t, src, sudoOpts(true))
	if !strings.Contains(string(res.Output), "Image: !Join [':', ['jetbrains/teamcity-agent', !Sub '${TeamCityVersion}-linux-sudo']]\n") ||
		!strings.Contains(string(res.Output), "Default: 2025.07\n") || !strings.Contains(string(res.Output), "['jetbrains/teamcity-server', !Ref TeamCityVersion]") {
		t.Errorf("want the agent's Ref rewritten, the Default and the server kept:\n%s", res.Output)
	}
	res = mustApply(t, src, sudoOpts(false))
	w := refusalWith(res, "use 2025.07-linux-sudo", "also sets ServerTaskDefinition (line 21)", "pass --sudo-image")
	if w == "" || strings.Contains(w, "set parameter") {
		t.Errorf("want a refusal that names the server and suggests --sudo-image, not the parameter, got %q", reasons(res))
	}

	// Two agent task definitions share it: with both selected, it changes once.
	other := strings.ReplaceAll(strings.SplitN(string(sudoTemplate("", `!Sub 'jetbrains/teamcity-agent:${TeamCityVersion}'`, "")), "Resources:\n", 2)[1], "AgentTaskDefinition", "OtherAgentTaskDefinition")
	src = sudoTemplate("  TeamCityVersion:\n    Type: String\n    Default: 2025.07\n",
		`!Join [':', ['jetbrains/teamcity-agent', !Ref TeamCityVersion]]`, other)
	o := sudoOpts(true)
	o.TaskDefinitions = []string{dind.AllTaskDefinitions}
	res = mustApply(t, src, o)
	if strings.Count(string(res.Output), "2025.07-linux-sudo") != 1 || !strings.Contains(string(res.Output), "Default: 2025.07-linux-sudo\n") {
		t.Errorf("shared by both selected agents: want one Default change:\n%s", res.Output)
	}
	n := 0
	for _, c := range res.Changes {
		if strings.Contains(c.Summary, "parameter TeamCityVersion") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("want the parameter change listed once, got %v", res.Changes)
	}
	// With one of them selected, the other's image is a use of its own:
	// only the selected agent's Image gets the suffix.
	o.TaskDefinitions = []string{"AgentTaskDefinition"}
	res = mustApply(t, src, o)
	if !strings.Contains(string(res.Output), "!Sub '${TeamCityVersion}-linux-sudo'") || !strings.Contains(string(res.Output), "Default: 2025.07\n") ||
		!strings.Contains(string(res.Output), "!Sub 'jetbrains/teamcity-agent:${TeamCityVersion}'") {
		t.Errorf("one of two agents selected: want only its Image rewritten:\n%s", res.Output)
	}
}

func TestSudoTagNoEcho(t *testing.T) {
	src := sudoTemplate("  V:\n    Type: String\n    NoEcho: true\n    Default: 2025.07\n", `!Sub 'jetbrains/teamcity-agent:${V}'`, "")
	_, err := dind.Apply(src, sudoOpts(true))
	var re *dind.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "NoEcho") {
		t.Errorf("want a NoEcho *RefusedError, got %v", err)
	}
	res := mustApply(t, src, sudoOpts(false))
	if warningWith(res, "parameter V") == "" || strings.Contains(strings.Join(res.Warnings, " "), "2025.07") {
		t.Errorf("NoEcho without --sudo-image: want a warning that does not show the value, got %q", res.Warnings)
	}
}

// TestSudoTagKeptBySocketAndNone: leaving privileged mode keeps the -sudo
// tag and says which plain tag it was made from.
func TestSudoTagKeptBySocketAndNone(t *testing.T) {
	for _, tc := range []struct{ def, tag, plain string }{
		{"2025.07", "2025.07-linux-sudo", "2025.07"},
		{"2025.07-linux-arm64", "2025.07-linux-arm64-sudo", "2025.07-linux-arm64"},
	} {
		src := sudoTemplate("  V:\n    Type: String\n    Default: "+tc.def+"\n", `!Sub 'jetbrains/teamcity-agent:${V}'`, "")
		priv := mustApply(t, src, sudoOpts(true)).Output
		for _, m := range []dind.Mode{dind.ModeNone, dind.ModeSocket} {
			res := mustApply(t, priv, dind.DefaultOptions(m))
			want := "AgentTaskDefinition/teamcity-agent: left the image tag " + tc.tag + " (parameter V); the plain tag is " + tc.plain
			if !slices.Contains(res.Warnings, want) {
				t.Errorf("%s after --sudo-image: warnings %q, want %q", m, res.Warnings, want)
			}
			if !strings.Contains(string(res.Output), "Default: "+tc.tag+"\n") {
				t.Errorf("%s after --sudo-image: the tag changed:\n%s", m, res.Output)
			}
			// Once out of privileged mode, the note is not repeated.
			if again := mustApply(t, res.Output, dind.DefaultOptions(m)); warningWith(again, "left the image tag") != "" {
				t.Errorf("%s twice: note repeated: %q", m, again.Warnings)
			}
		}
	}
	literal := sudoTemplate("  V:\n    Type: String\n", "jetbrains/teamcity-agent:2025.07", "")
	res := mustApply(t, mustApply(t, literal, sudoOpts(true)).Output, dind.DefaultOptions(dind.ModeNone))
	if !slices.Contains(res.Warnings, "AgentTaskDefinition/teamcity-agent: left the image tag 2025.07-linux-sudo; the plain tag is 2025.07") {
		t.Errorf("none after a literal -sudo tag: warnings %q", res.Warnings)
	}
}

func TestImageParameters(t *testing.T) {
	tpl, err := dind.Parse(readFixture(t, "image-sub.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.ImageParameters(dind.DefaultOptions(dind.ModePrivileged)); !slices.Equal(got, []string{"ImageRegistry", "TeamCityVersion"}) {
		t.Errorf("ImageParameters = %v", got)
	}
	tpl, err = dind.Parse(readFixture(t, "sudo-literal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.ImageParameters(dind.DefaultOptions(dind.ModePrivileged)); len(got) != 0 {
		t.Errorf("literal image: ImageParameters = %v, want none", got)
	}
}
