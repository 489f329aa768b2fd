package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

const template = `Resources:
  AgentTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent:2025.07
          Memory: 2048
`

// The modes after the edit are read back from the patched template: a
// result whose output was not edited keeps the mode it had.
func TestSetResultReadsModesBack(t *testing.T) {
	opts := dind.DefaultOptions(dind.ModeSocket)
	res, err := dind.Apply([]byte(template), opts)
	if err != nil {
		t.Fatal(err)
	}
	d := New("check", "dev")
	d.SetResult([]byte(template), res, opts)
	c := d.TaskDefinitions[0].Containers[0]
	if c.ModeBefore != "none" || c.ModeAfter != "socket" || !d.TaskDefinitions[0].Target || d.NeedsChange == nil || !*d.NeedsChange {
		t.Errorf("%+v %+v", d.TaskDefinitions, c)
	}
	unchanged := *res
	unchanged.Output = []byte(template)
	d.SetResult([]byte(template), &unchanged, opts)
	if c := d.TaskDefinitions[0].Containers[0]; c.ModeAfter != "none" {
		t.Errorf("mode after an output left unedited: %q, want none (read back, not assumed)", c.ModeAfter)
	}
}

// Lists are [] not null, the error is null until set, and < & > stay
// readable.
func TestWrite(t *testing.T) {
	var b bytes.Buffer
	d := New("diff", "dev")
	d.Finish(1, "failure", "stack a<b> & c failed")
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`"changes": []`, `"warnings": []`, `"task_definitions": []`, `"error": "stack a<b> & c failed"`, `"schema_version": 1`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %s:\n%s", want, out)
		}
	}
	b.Reset()
	Write(&b, New("diff", "dev"))
	if !strings.Contains(b.String(), `"error": null`) {
		t.Errorf("error not null:\n%s", b.String())
	}
}
