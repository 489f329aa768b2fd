package dind_test

import (
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// none removes every DOCKER_IN_DOCKER entry of an agent container, so that
// a second run has nothing left to do (with one left behind it would).
func TestNoneRemovesEveryDockerInDocker(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"block, among others", `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Privileged: true
          Environment:
            - Name: SERVER_URL
              Value: http://tc:8111
            - Name: DOCKER_IN_DOCKER
              Value: start
            - Name: DOCKER_IN_DOCKER
              Value: start
`, `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Environment:
            - Name: SERVER_URL
              Value: http://tc:8111
`},
		{"block and flow items, nothing else", `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Privileged: true
          Environment:
            - Name: DOCKER_IN_DOCKER
              Value: start
            - {Name: DOCKER_IN_DOCKER, Value: start}
          Essential: true
`, `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07-linux-sudo
          Essential: true
`},
		{"flow list", `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - {Name: agent, Image: jetbrains/teamcity-agent:2025.07, Privileged: true, Environment: [{Name: DOCKER_IN_DOCKER, Value: start}, {Name: A, Value: b}, {Name: DOCKER_IN_DOCKER, Value: start}]}
`, `Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - {Name: agent, Image: jetbrains/teamcity-agent:2025.07, Environment: [{Name: A, Value: b}]}
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := dind.Parse([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			res, err := tmpl.Apply(dind.Options{Mode: dind.ModeNone})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Output) != c.want {
				t.Fatalf("none:\n%s\nwant:\n%s", res.Output, c.want)
			}
			again, err := dind.Parse(res.Output)
			if err != nil {
				t.Fatal(err)
			}
			res2, err := again.Apply(dind.Options{Mode: dind.ModeNone})
			if err != nil {
				t.Fatal(err)
			}
			if res2.Changed {
				t.Errorf("a second none changed it again:\n%s", res2.Output)
			}
		})
	}
}
