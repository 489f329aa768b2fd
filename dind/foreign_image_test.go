package dind_test

// Agents named with --container on templates nobody here wrote run images
// that are not JetBrains' teamcity-agent (docker:stable-dind in a
// Buildkite-style template, kong:2.1.4-alpine in a Kong one). The -sudo tag
// variants are JetBrains' alone: "With this approach, you have to use a
// TeamCity agent image with the -linux-sudo tag suffix"
// (https://github.com/JetBrains/teamcity-docker-images/blob/master/dockerhub/teamcity-agent/README.md),
// and DOCKER_IN_DOCKER=start is read by that image's run-docker.sh
// (https://github.com/JetBrains/teamcity-docker-images/blob/master/context/run-docker.sh).
// Docker Hub's docker and kong repositories publish no -linux-sudo tags
// (https://hub.docker.com/_/docker/tags, https://hub.docker.com/_/kong/tags).

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/tcdind/tcdind/dind"
)

// foreignTemplate runs image in a container named agent.
func foreignTemplate(params, image string) []byte {
	return []byte(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Unused:
    Type: String
    Default: x
` + params + `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: agent
          Image: ` + image + `
          Memory: 2048
`)
}

func TestSudoImageForeignImageKeepsItsTag(t *testing.T) {
	for _, tc := range []struct{ name, params, image, shown string }{
		{"dind", "", "docker:stable-dind", "docker:stable-dind"},
		{"kong", "", "kong:2.1.4-alpine", "kong:2.1.4-alpine"},
		{"registry", "", "public.ecr.aws/docker/library/docker:24-dind", "public.ecr.aws/docker/library/docker:24-dind"},
		{"no-tag", "", "docker", "docker"},
		{"tag-param", "  DindTag:\n    Type: String\n    Default: stable-dind\n", "!Sub 'docker:${DindTag}'", "docker:stable-dind"},
		{"whole-param", "  AgentImage:\n    Type: String\n    Default: kong:2.1.4-alpine\n", "!Ref AgentImage", "kong:2.1.4-alpine"},
	} {
		for _, sudo := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				o := sudoOpts(sudo)
				o.Containers = []string{"agent"}
				src := foreignTemplate(tc.params, tc.image)
				res := mustApply(t, src, o)
				if res.SudoTag || strings.Contains(string(res.Output), "-sudo") || len(res.ChangedDefaults) > 0 {
					t.Fatalf("sudo=%v: a tag nobody publishes was written:\n%s", sudo, res.Output)
				}
				w := warningWith(res, tc.shown, "not JetBrains' teamcity-agent", "changes no tag", "root in the container or sudo in the image")
				if w == "" {
					t.Fatalf("sudo=%v: no warning saying what privileged needs of %s: %q", sudo, tc.shown, res.Warnings)
				}
				for _, w := range res.Warnings {
					if strings.Contains(w, "-linux-sudo") || strings.Contains(w, "--sudo-image") {
						t.Errorf("sudo=%v: a warning recommends a JetBrains tag for %s: %q", sudo, tc.shown, w)
					}
				}
			})
		}
	}
}

// TestSudoImageMirroredJetBrainsImage: a private copy of JetBrains' image
// keeps its name and tags, so it still gets the -sudo tag.
func TestSudoImageMirroredJetBrainsImage(t *testing.T) {
	src := foreignTemplate("", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/teamcity-agent:2025.07")
	o := sudoOpts(true)
	o.Containers = []string{"agent"}
	res := mustApply(t, src, o)
	if !res.SudoTag || !strings.Contains(string(res.Output), "teamcity-agent:2025.07-linux-sudo") {
		t.Fatalf("the mirrored JetBrains image did not get its -sudo tag:\n%s", res.Output)
	}
}

// TestContainerMatchesEC2AndFargate: --container that matches an EC2 and a
// Fargate task definition is refused naming the EC2 one and the flag that
// makes the same command work; with that flag it does.
func TestContainerMatchesEC2AndFargate(t *testing.T) {
	src := []byte(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  FargateAgents:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: buildkite-agent
          Image: buildkite/agent:3
  Ec2Agents:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: buildkite-agent
          Image: buildkite/agent:3
`)
	o := dind.DefaultOptions(dind.ModeSocket)
	o.Containers = []string{"buildkite-agent"}
	_, err := dind.Apply(src, o)
	var re *dind.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("want a refusal, got %v", err)
	}
	for _, want := range []string{"FargateAgents", "Fargate supports neither", "also matches task definition Ec2Agents", "--task-definition Ec2Agents"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal lacks %q: %v", want, err)
		}
	}
	o.TaskDefinitions = []string{"Ec2Agents"}
	res := mustApply(t, src, o)
	if !res.Changed || len(res.Targets) != 1 || res.Targets[0] != "Ec2Agents" {
		t.Fatalf("the command the refusal names does not work: %+v", res.Targets)
	}
}

// doubledWord finds a word said twice in a row ("image image").
func doubledWord(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' })
	for i := 1; i < len(words); i++ {
		if strings.EqualFold(words[i], words[i-1]) && len(words[i]) > 1 {
			return words[i]
		}
	}
	return ""
}

// TestMessagesSayNoWordTwice runs the image cases of every mode and flag
// through the engine and checks each warning, change and refusal for a
// doubled word (issue 17: "the agent image image comes from parameter").
func TestMessagesSayNoWordTwice(t *testing.T) {
	if w := doubledWord("the agent image image comes"); w != "image" {
		t.Fatalf("the check itself misses a doubled word: %q", w)
	}
	params := "  AgentImage:\n    Type: String\n    Default: jetbrains/teamcity-agent:2025.07\n" +
		"  Secret:\n    Type: String\n    NoEcho: true\n    Default: jetbrains/teamcity-agent:2025.07\n" +
		"  Tag:\n    Type: String\n    Default: latest\n" +
		"  Digest:\n    Type: String\n    Default: jetbrains/teamcity-agent@sha256:0123\n"
	images := []string{
		"!Ref AgentImage", "!Ref Secret", "!Ref Digest", "!Sub 'jetbrains/teamcity-agent:${Tag}'",
		"!Sub 'jetbrains/teamcity-agent:${Missing}'", "jetbrains/teamcity-agent", "jetbrains/teamcity-agent:2025.07",
		"!If [C, a, b]", "kong:2.1.4-alpine", "!Ref Unset",
	}
	for _, image := range images {
		src := foreignTemplate(params+"  Unset:\n    Type: String\n", image)
		for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone} {
			for _, sudo := range []bool{false, true} {
				o := dind.DefaultOptions(mode)
				o.SudoImage = sudo
				o.Containers = []string{"agent"}
				var said []string
				res, err := dind.Apply(src, o)
				if err != nil {
					said = append(said, err.Error())
				} else {
					said = append(said, res.Warnings...)
					for _, c := range res.Changes {
						said = append(said, c.String())
					}
				}
				for _, s := range said {
					if w := doubledWord(s); w != "" {
						t.Errorf("%s, %s, sudo=%v: %q said twice in %q", image, mode, sudo, w, s)
					}
				}
			}
		}
	}
}
