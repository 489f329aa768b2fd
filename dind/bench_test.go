package dind_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// largeAgents is the number of agent task definitions of the large template.
const largeAgents = 100

// largeSize is the size of the benchmark's large template: just under 1 MB,
// with room for the edit so that the output stays within the limit too.
const largeSize = dind.MaxTemplateSize - 8<<10

// largeTemplate generates a TeamCity-shaped template with agents agent task
// definitions (Agent001TaskDefinition, ...) and a server task definition. With
// size > 0 it is exactly size bytes: agents get environment entries until the
// template is nearly that big, and a trailing comment pads the rest.
func largeTemplate(agents, size int) []byte {
	build := func(env int) *bytes.Buffer {
		var b bytes.Buffer
		b.WriteString(`AWSTemplateFormatVersion: "2010-09-09"
Description: Generated TeamCity template with many build agent task definitions (tcdind benchmark)

Parameters:
  TeamCityVersion:
    Description: TeamCity version
    Type: String
    Default: "2023.11.1"

Resources:
  ECSCluster:
    Type: AWS::ECS::Cluster

  ECSLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 14

  TCServerNodeTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Volumes:
        - Name: data
          Host:
            SourcePath: /mnt/efs
      ContainerDefinitions:
        - Name: teamcity-server
          Image: !Join [':', [jetbrains/teamcity-server, !Ref TeamCityVersion]]
          Memory: 3700
          Essential: true
          MountPoints:
            - ContainerPath: /data/teamcity_server/datadir
              SourceVolume: data
          PortMappings:
            - ContainerPort: 8111
`)
		for i := 1; i <= agents; i++ {
			fmt.Fprintf(&b, `
  Agent%03dTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: teamcity-agent-%03d
      PlacementConstraints:
        - Type: memberOf
          Expression: attribute:teamcity.node-responsibility == buildAgent
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: !Join [':', [jetbrains/teamcity-agent, !Ref TeamCityVersion]]
          Cpu: 1024
          Memory: 2048
          Essential: true
          Environment:
            - Name: SERVER_URL
              Value: http://teamcity.example.com:8111
`, i, i)
			for e := 1; e <= env; e++ {
				fmt.Fprintf(&b, "            - Name: AGENT_OPTION_%03d\n              Value: agent-%03d-option-%03d\n", e, i, e)
			}
			fmt.Fprintf(&b, `          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref ECSLogGroup
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: agent-%03d
`, i)
		}
		return &b
	}
	if size <= 0 {
		return build(1).Bytes()
	}
	base, one := build(0).Len(), build(1).Len()
	env := 0
	if per := one - base; per > 0 && size-base > 4096 {
		env = (size - base - 4096) / per
	}
	b := build(env)
	if b.Len() > size {
		panic(fmt.Sprintf("largeTemplate: %d agents do not fit in %d bytes", agents, size))
	}
	b.WriteString("# padding to a fixed size\n")
	for rest := size - b.Len(); rest > 0; rest = size - b.Len() {
		switch {
		case rest == 1:
			b.WriteString("\n")
		case rest <= 100:
			b.WriteString("#" + strings.Repeat("-", rest-2) + "\n")
		default:
			b.WriteString("#" + strings.Repeat("-", 78) + "\n")
		}
	}
	return b.Bytes()
}

func largeAgentIDs() []string {
	ids := make([]string, largeAgents)
	for i := range ids {
		ids[i] = fmt.Sprintf("Agent%03dTaskDefinition", i+1)
	}
	return ids
}

// TestWriteLargeTemplate writes the benchmark's large template to the path
// in TCDIND_WRITE_LARGE (for trying the command on it).
func TestLargeTemplateGenerator(t *testing.T) {
	src := largeTemplate(largeAgents, largeSize)
	// TCDIND_WRITE_LARGE=path keeps a copy, for timing the command on it.
	if path := os.Getenv("TCDIND_WRITE_LARGE"); path != "" {
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(src) != largeSize {
		t.Fatalf("generated %d bytes, want %d", len(src), largeSize)
	}
	doc, err := decodeCFN(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := agentTaskDefs(doc); len(got) != largeAgents {
		t.Fatalf("generated %d agent task definitions, want %d", len(got), largeAgents)
	}
}

func BenchmarkApplyPrivilegedMinimalCorpus(b *testing.B) {
	var src []byte
	for _, f := range corpusFiles(b) {
		if filepath.Base(f) == "teamcity-server@2021-01-12-b923207.yaml" {
			src = readFile(b, f)
		}
	}
	if src == nil {
		b.Fatal("teamcity-server@2021-01-12-b923207.yaml not in the corpus")
	}
	opts := withMinimal(dind.DefaultOptions(dind.ModePrivileged))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dind.Apply(src, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyPrivilegedMinimalLarge(b *testing.B) {
	src := largeTemplate(largeAgents, largeSize)
	opts := withMinimal(dind.DefaultOptions(dind.ModePrivileged))
	opts.TaskDefinitions = []string{dind.AllTaskDefinitions}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := dind.Apply(src, opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Targets) != largeAgents {
			b.Fatalf("edited %d task definitions, want %d", len(res.Targets), largeAgents)
		}
	}
}

// BenchmarkParseLarge is Parse alone: the floor under both Apply benchmarks
// of the large template (Apply parses once more to verify its output).
func BenchmarkParseLarge(b *testing.B) {
	src := largeTemplate(largeAgents, largeSize)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dind.Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplySocketLarge is the complete socket recipe on every agent of
// the large template: more edits per task definition (a volume, a mount
// point, the build directories) than the minimal privileged one. They add
// about 1.2 KB per agent, so the template is smaller by that much.
func BenchmarkApplySocketLarge(b *testing.B) {
	src := largeTemplate(largeAgents, dind.MaxTemplateSize-200<<10)
	opts := dind.DefaultOptions(dind.ModeSocket)
	opts.TaskDefinitions = []string{dind.AllTaskDefinitions}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := dind.Apply(src, opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Targets) != largeAgents {
			b.Fatalf("edited %d task definitions, want %d", len(res.Targets), largeAgents)
		}
	}
}
