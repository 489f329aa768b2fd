package dind_test

// Floating tags in privileged mode (issue 17, item 2). JetBrains' own
// template defaults TeamCityVersion to latest
// (https://github.com/JetBrains/teamcity-cloudformation-template, teamcity-server.yaml),
// and JetBrains publishes -sudo variants for versions only: "you have to
// use a TeamCity agent image with the -linux-sudo tag suffix ...
// jetbrains/teamcity-agent:2023.11-linux-sudo"
// (https://github.com/JetBrains/teamcity-docker-images/blob/master/dockerhub/teamcity-agent/README.md);
// a latest-sudo tag was requested in JetBrains/teamcity-docker-images #2 and
// #12 (TW-69024). arm64 hosts need <version>-linux-arm64-sudo, built from
// configs/linux/Agent/UbuntuARM/UbuntuARM-sudo.Dockerfile in the same
// repository; there is no multi-architecture -sudo tag.

import (
	"errors"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// jetbrainsShape is JetBrains' template reduced to what matters here: one
// parameter tags both the server and the agent.
const jetbrainsShape = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
    TeamCityVersion:
        Description: TeamCity Version
        Type: String
        AllowedPattern: ".+"
        Default: latest
Resources:
  ServerTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: 'teamcity-server'
          Image: !Join [':', ['jetbrains/teamcity-server', !Ref 'TeamCityVersion']]
          Memory: 4096
  AgentTaskDefinition:
      Type: AWS::ECS::TaskDefinition
      Properties:
        ContainerDefinitions:
          - Name: 'teamcity-agent'
            Image: !Join [':', ['jetbrains/teamcity-agent', !Ref 'TeamCityVersion']]
            User: root
            Memory: 2048
`

func privilegedSudo(version, arch string) dind.Options {
	o := dind.DefaultOptions(dind.ModePrivileged)
	o.SudoImage = true
	o.AgentVersion = version
	o.Arch = arch
	return o
}

func TestFloatingTagNeedsAVersion(t *testing.T) {
	_, err := dind.Apply([]byte(jetbrainsShape), privilegedSudo("", ""))
	var vn *dind.VersionNeededError
	if !errors.As(err, &vn) {
		t.Fatalf("--sudo-image on latest with no version: want *VersionNeededError, got %v", err)
	}
	var re *dind.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "--agent-version VERSION") || !strings.Contains(err.Error(), "jetbrains/teamcity-agent:latest") {
		t.Errorf("the refusal must be a refusal naming the image and --agent-version: %v", err)
	}
}

func TestFloatingTagPinnedForTheAgentAlone(t *testing.T) {
	for _, tc := range []struct{ arch, tag string }{
		{"", "2025.07-linux-sudo"},
		{dind.ArchARM64, "2025.07-linux-arm64-sudo"},
	} {
		res := mustApply(t, []byte(jetbrainsShape), privilegedSudo("2025.07", tc.arch))
		out := string(res.Output)
		want := `            Image: !Join [':', ['jetbrains/teamcity-agent', '` + tc.tag + `']]` + "\n"
		if !strings.Contains(out, want) {
			t.Fatalf("arch %q: the agent's reference to TeamCityVersion should become its own tag %s:\n%s", tc.arch, tc.tag, out)
		}
		// Everything else stays: the server keeps the parameter, the
		// parameter keeps latest.
		// (Without the health check on both sides: the plain image gets
		// none, since Docker cannot start in it.)
		noCheck := privilegedSudo("2025.07", tc.arch)
		noCheck.HealthCheck = false
		back := strings.Replace(string(mustApply(t, []byte(jetbrainsShape), noCheck).Output), want, `            Image: !Join [':', ['jetbrains/teamcity-agent', !Ref 'TeamCityVersion']]`+"\n", 1)
		plainOpts := dind.DefaultOptions(dind.ModePrivileged)
		plainOpts.HealthCheck = false
		plain := mustApply(t, []byte(jetbrainsShape), plainOpts)
		if back != string(plain.Output) {
			t.Errorf("arch %q: something besides the agent's reference changed:\n%s", tc.arch, out)
		}
		if len(res.ChangedDefaults) != 0 || len(res.ParameterOverrides) != 0 || !res.SudoTag {
			t.Errorf("arch %q: defaults %v, overrides %v, SudoTag %v", tc.arch, res.ChangedDefaults, res.ParameterOverrides, res.SudoTag)
		}
		if c := changeWith(res, tc.tag, "${TeamCityVersion}", "ServerTaskDefinition"); c == "" {
			t.Errorf("arch %q: the change should say what replaced what and what else the parameter sets: %v", tc.arch, res.Changes)
		}
		again := mustApply(t, res.Output, privilegedSudo("2025.07", tc.arch))
		if again.Changed {
			t.Errorf("arch %q: a second run changed the template again:\n%s", tc.arch, again.Output)
		}
	}
}

func TestFloatingTagShapes(t *testing.T) {
	for _, tc := range []struct{ name, params, image, want string }{
		{"literal", "", "jetbrains/teamcity-agent:latest", "Image: jetbrains/teamcity-agent:2025.07-linux-sudo\n"},
		{"no-tag", "", "jetbrains/teamcity-agent", "Image: jetbrains/teamcity-agent:2025.07-linux-sudo\n"},
		{"sub-shared", "  V:\n    Type: String\n    Default: latest\n", "!Sub 'jetbrains/teamcity-agent:${V}'",
			"Image: !Sub 'jetbrains/teamcity-agent:2025.07-linux-sudo'\n"},
		{"param-own", "  V:\n    Type: String\n    Default: latest\n", "!Sub 'jetbrains/teamcity-agent:${V}'", "Default: 2025.07-linux-sudo\n"},
		{"whole-param", "  Img:\n    Type: String\n    Default: jetbrains/teamcity-agent:latest\n", "!Ref Img", "Default: jetbrains/teamcity-agent:2025.07-linux-sudo\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := ""
			if strings.HasSuffix(tc.name, "-shared") {
				extra = "  Other:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: !Ref V\n"
			}
			params := tc.params
			if params == "" {
				params = "  Unused:\n    Type: String\n"
			}
			src := sudoTemplate(params, tc.image, extra)
			res := mustApply(t, src, privilegedSudo("2025.07", ""))
			if !strings.Contains(string(res.Output), tc.want) {
				t.Fatalf("want %q in:\n%s", tc.want, res.Output)
			}
			if _, err := dind.Parse(res.Output); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFloatingTagLongRefJSON(t *testing.T) {
	src := []byte(`{
  "Parameters": {"TeamCityVersion": {"Type": "String", "Default": "latest"}},
  "Resources": {
    "Server": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
      {"Name": "teamcity-server", "Image": {"Fn::Join": [":", ["jetbrains/teamcity-server", {"Ref": "TeamCityVersion"}]]}}]}},
    "Agent": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
      {"Name": "teamcity-agent", "Image": {"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Ref": "TeamCityVersion"}]]}}]}}
  }
}
`)
	res := mustApply(t, src, privilegedSudo("2024.12.1", ""))
	want := `{"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Fn::Sub": "2024.12.1-linux-sudo"}]]}`
	if !strings.Contains(string(res.Output), want) || !strings.Contains(string(res.Output), `["jetbrains/teamcity-server", {"Ref": "TeamCityVersion"}]`) {
		t.Fatalf("want %s for the agent and the server's Ref kept:\n%s", want, res.Output)
	}
}

// TestFloatingTagFromTheServersImage: a template that pins the server's
// version elsewhere gives the agent that version without a flag.
func TestFloatingTagFromTheServersImage(t *testing.T) {
	src := []byte(strings.Replace(jetbrainsShape, "Image: !Join [':', ['jetbrains/teamcity-server', !Ref 'TeamCityVersion']]", "Image: jetbrains/teamcity-server:2024.12.1-linux", 1))
	res := mustApply(t, src, privilegedSudo("", ""))
	if !strings.Contains(string(res.Output), "'jetbrains/teamcity-agent', !Ref 'TeamCityVersion'") {
		// TeamCityVersion sets only the agent now: its Default changes.
		if !strings.Contains(string(res.Output), "Default: 2024.12.1-linux-sudo\n") {
			t.Fatalf("the server's 2024.12.1 should pin the agent:\n%s", res.Output)
		}
	}
	plain := mustApply(t, src, dind.DefaultOptions(dind.ModePrivileged))
	if w := refusalWith(plain, "pass --sudo-image to pin the agent to 2024.12.1-linux-sudo", "the server's image jetbrains/teamcity-server:2024.12.1-linux"); w == "" {
		t.Errorf("without --sudo-image the refusal should offer the server's version: %q", reasons(plain))
	}
	if v := mustParse(t, src).ServerVersion(dind.Options{}); v != "2024.12.1" {
		t.Errorf("ServerVersion = %q, want 2024.12.1", v)
	}
}

// TestFloatingTagOnStack: the deployed value decides; a shared parameter
// is not overridden (that would change the server), the agent's reference
// is replaced in the template.
func TestFloatingTagOnStack(t *testing.T) {
	o := privilegedSudo("2025.07", "")
	o.ParameterValues = map[string]string{"TeamCityVersion": "latest"}
	res := mustApply(t, []byte(jetbrainsShape), o)
	if len(res.ParameterOverrides) != 0 || !strings.Contains(string(res.Output), "'2025.07-linux-sudo']]") {
		t.Fatalf("overrides %v:\n%s", res.ParameterOverrides, res.Output)
	}
	// A deployed version is not floating: --agent-version is not used.
	o.ParameterValues = map[string]string{"TeamCityVersion": "2024.03"}
	res = mustApply(t, []byte(jetbrainsShape), o)
	if !strings.Contains(string(res.Output), `!Sub '${TeamCityVersion}-linux-sudo'`) {
		t.Fatalf("a deployed version gets the suffix after the reference:\n%s", res.Output)
	}
}

func TestArchSudoSuffix(t *testing.T) {
	for _, tc := range []struct{ tag, want string }{
		{"2025.07", "2025.07-linux-arm64-sudo"},
		{"2025.07-linux", "2025.07-linux-arm64-sudo"},
		{"2025.07-linux-arm64", "2025.07-linux-arm64-sudo"},
	} {
		src := sudoTemplate("  Unused:\n    Type: String\n", "jetbrains/teamcity-agent:"+tc.tag, "")
		res := mustApply(t, src, privilegedSudo("", dind.ArchARM64))
		if !strings.Contains(string(res.Output), "Image: jetbrains/teamcity-agent:"+tc.want+"\n") {
			t.Errorf("%s on arm64: want %s:\n%s", tc.tag, tc.want, res.Output)
		}
	}
}

func TestCheckAgentVersion(t *testing.T) {
	for _, v := range []string{"2025.07", "2024.12.1", "2023.11"} {
		if err := dind.CheckAgentVersion(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	for _, v := range []string{"", "latest", "2025.07-linux-sudo", "2025", "v2025.07"} {
		if err := dind.CheckAgentVersion(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}

func changeWith(res *dind.Result, subs ...string) string {
	for _, c := range res.Changes {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(c.String(), s)
		}
		if ok {
			return c.String()
		}
	}
	return ""
}

func mustParse(t *testing.T, src []byte) *dind.Template {
	t.Helper()
	tp, err := dind.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// TestAgentVersionOnAPinnedTagIsSaid: --agent-version pins only a floating
// tag; on an image that names its version it changes nothing, and a
// warning says so instead of ignoring the flag silently.
func TestAgentVersionOnAPinnedTagIsSaid(t *testing.T) {
	in := `Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2023.11.1
`
	res := mustApply(t, []byte(in), privilegedSudo("2025.07", ""))
	if !strings.Contains(string(res.Output), "jetbrains/teamcity-agent:2023.11.1-linux-sudo") {
		t.Fatalf("the pinned tag should get its -sudo variant:\n%s", res.Output)
	}
	var said bool
	for _, w := range res.Warnings {
		if strings.Contains(w, "--agent-version 2025.07 was not used") {
			said = true
		}
	}
	if !said {
		t.Errorf("no warning says --agent-version was not used: %q", res.Warnings)
	}
	floating := strings.Replace(in, "2023.11.1", "latest", 1)
	for _, w := range mustApply(t, []byte(floating), privilegedSudo("2025.07", "")).Warnings {
		if strings.Contains(w, "was not used") {
			t.Errorf("on latest, --agent-version is used, yet: %s", w)
		}
	}
}
