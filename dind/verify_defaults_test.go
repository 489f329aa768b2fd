package dind

import (
	"strings"
	"testing"
)

// TestVerifyChangedDefaults: outside the edited task definitions the
// verifier lets through exactly the parameter Defaults the edit reports,
// with exactly their new values, and nothing else.
func TestVerifyChangedDefaults(t *testing.T) {
	const src = `Parameters:
  V:
    Type: String
    Default: 2025.07
  W:
    Type: String
    Default: other
Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: teamcity-agent
          Image: !Sub 'jetbrains/teamcity-agent:${V}'
          Privileged: true
          Memory: 2048
`
	tpl, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sudo := map[string]string{"V": "2025.07-linux-sudo"}
	// replace is the byte edit of the first old in src by new.
	replace := func(old, new string) byteEdit {
		i := strings.Index(src, old)
		if i < 0 {
			t.Fatalf("%q is not in the template", old)
		}
		return byteEdit{start: i, end: i + len(old), text: new}
	}
	toSudo := replace("Default: 2025.07", "Default: 2025.07-linux-sudo")
	for _, tc := range []struct {
		name     string
		edits    []byteEdit
		defaults map[string]string
		ok       bool
	}{
		{"the reported Default", []byteEdit{toSudo}, sudo, true},
		{"an edit inside the task definition", []byteEdit{replace("Memory: 2048", "Memory: 4096")}, nil, true},
		{"nothing reported, a Default changed", []byteEdit{toSudo}, nil, false},
		{"another value than reported", []byteEdit{replace("Default: 2025.07", "Default: 2025.07-sudo")}, sudo, false},
		{"reported but not changed", nil, sudo, false},
		{"another parameter's Default too", []byteEdit{toSudo, replace("Default: other", "Default: changed")}, sudo, false},
		{"another key of the reported parameter", []byteEdit{toSudo, replace("Type: String", "Type: Number")}, sudo, false},
		{"a number, not the string", []byteEdit{replace("Default: 2025.07", "Default: 2025")}, map[string]string{"V": "2025"}, false},
		{"a parameter that does not exist", []byteEdit{toSudo}, map[string]string{"V": "2025.07-linux-sudo", "X": "y"}, false},
		{"an unreported edit beside the task definition", []byteEdit{replace("Resources:\n", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")}, nil, false},
	} {
		out, err := apply([]byte(src), append([]byteEdit(nil), tc.edits...))
		if err != nil {
			t.Fatal(err)
		}
		l := newLayout(tpl.text)
		for _, td := range tpl.agents {
			l.index(td.resource, nil, td.key, false, td.key.Column-1)
		}
		err = tpl.verify(l, out, tc.edits, tpl.agents, ModePrivileged, tc.defaults, nil)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "outside the task definitions edited")) {
			t.Errorf("%s: want the internal error, got %v", tc.name, err)
		}
	}
}
