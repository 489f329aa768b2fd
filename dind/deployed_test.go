package dind

import "testing"

func TestWithParameterValues(t *testing.T) {
	src := []byte(`Parameters:
  Version:
    Type: String
    Default: "2025.03"
Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: !Sub jetbrains/teamcity-agent:${Version}
`)
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	got := tmpl.WithParameterValues(map[string]string{"Version": "2025.07-linux-sudo"}).Agents()[0].Containers[0].Image
	if got != "jetbrains/teamcity-agent:2025.07-linux-sudo" {
		t.Errorf("image with the deployed value: %q", got)
	}
	if img := tmpl.Agents()[0].Containers[0].Image; img != "jetbrains/teamcity-agent:2025.03" {
		t.Errorf("the template changed: %q", img)
	}
}
