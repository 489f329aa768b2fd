package dind_test

// Templates nobody here wrote: anchors and aliases, alias bombs, valid YAML
// and JSON the line editor used to trip on, malformed input that used to be
// accepted, mixed line endings, and output over the size limit.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tcdind/tcdind/dind"
)

// checkRefused: err is a one-line *RefusedError (or *ParseError) that names a
// line and contains every want, and no result came with it.
func checkRefused(t *testing.T, label string, res *dind.Result, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, output:\n%s", label, res.Output)
		return
	}
	if res != nil {
		t.Errorf("%s: a result together with the error %v", label, err)
	}
	var re *dind.RefusedError
	var pe *dind.ParseError
	if !errors.As(err, &re) && !errors.As(err, &pe) {
		t.Errorf("%s: want *RefusedError or *ParseError, got %T %v", label, err, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || containsFold(msg, "internal error") {
		t.Errorf("%s: the error must be one line and not an internal error: %q", label, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: error %q does not contain %q", label, msg, w)
		}
	}
}

// checkEdited: the output parses, every agent of the template is in mode,
// nothing outside the agent task definitions changed, and applying again is
// a no-op.
func checkEdited(t *testing.T, label string, src []byte, res *dind.Result, opts dind.Options) {
	t.Helper()
	in, err := decodeCFN(src)
	if err != nil {
		t.Fatalf("%s: input: %v", label, err)
	}
	out, err := decodeCFN(res.Output)
	if err != nil {
		t.Fatalf("%s: output does not parse: %v\n%s", label, err, res.Output)
	}
	targets := agentTaskDefs(in)
	checkOthersUnchanged(t, label, stripDistinct(in, res.Services), stripDistinct(out, res.Services), targets)
	for _, id := range targets {
		checkMode(t, label, in, out, id, opts)
	}
	checkIdempotent(t, label, res.Output, opts)
	checkDetectedMode(t, label, res.Output, targets, opts.Mode)
}

var allModes = []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone}

func TestAnchorFixturesConform(t *testing.T) {
	for _, file := range []string{"anchors-shared.yaml", "anchors-lists.yaml"} {
		t.Run(file, func(t *testing.T) {
			src := readFixture(t, file)
			in, err := decodeCFN(src)
			if err != nil {
				t.Fatal(err)
			}
			targets := agentTaskDefs(in)
			for _, oc := range recipeCases() {
				res := applyAndCheck(t, oc.name, src, in, oc.opts, targets)
				if res == nil {
					continue
				}
				if ok, why := isLineSubsequence(src, res.Output); !ok && !oc.opts.SudoImage {
					t.Errorf("%s: only lines may be added: %s\n%s", oc.name, why, lineDiff(src, res.Output))
				}
			}
			checkSwitches(t, src, in, targets, nil, true)
		})
	}
}

const aliasAgentHead = `Resources:
  Agent:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
`

func TestAliasEditsRefused(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		modes []dind.Mode
		want  []string
	}{
		{"anchored false aliased by a sidecar", aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          Privileged: &f false
        - Name: sidecar
          Image: busybox
          Privileged: *f
`, []dind.Mode{dind.ModePrivileged}, []string{"line 8", "&f", "line 11"}},
		{"anchored true removed", aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          Privileged: &t true
        - Name: sidecar
          Image: busybox
          Privileged: *t
`, []dind.Mode{dind.ModeSocket, dind.ModeNone}, []string{"line 8", "&t"}},
		{"anchored mount removed", aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          MountPoints:
            - &sock
              ContainerPath: /var/run/docker.sock
              SourceVolume: sock
        - Name: sidecar
          Image: docker
          MountPoints:
            - *sock
      Volumes:
        - Name: sock
          Host:
            SourcePath: /var/run/docker.sock
`, []dind.Mode{dind.ModePrivileged, dind.ModeNone}, []string{"&sock"}},
		{"list that is an alias", `Common:
  Mounts: &common
    - ContainerPath: /data
      SourceVolume: data
` + aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          MountPoints: *common
      Volumes:
        - Name: data
          Host:
            SourcePath: /data
`, []dind.Mode{dind.ModeSocket, dind.ModePrivileged}, []string{"line 12", "*common"}},
		{"anchored list aliased elsewhere", aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          Environment: &env
            - Name: SERVER_URL
              Value: http://tc
        - Name: sidecar
          Image: busybox
          Environment: *env
`, []dind.Mode{dind.ModePrivileged}, []string{"&env"}},
		{"list from a merge key", `Base: &base
  Environment:
    - Name: SERVER_URL
      Value: http://tc
` + aliasAgentHead + `        - <<: *base
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent
`, []dind.Mode{dind.ModePrivileged}, []string{"merge key"}},
		{"privileged from a merge key", `Base: &base
  Privileged: true
` + aliasAgentHead + `        - <<: *base
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent
`, []dind.Mode{dind.ModeSocket, dind.ModeNone}, []string{"merge key", "line 8"}},
		{"container that is an alias", `Templates:
  Agent: &agent
    Name: teamcity-agent
    Image: jetbrains/teamcity-agent
` + aliasAgentHead + `        - *agent
`, allModes[:2], []string{"&agent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range tc.modes {
				res, err := dind.Apply([]byte(tc.src), dind.DefaultOptions(m))
				checkRefused(t, string(m), res, err, tc.want...)
			}
		})
	}
}

// TestAliasesRead: the mode is read through aliases and merge keys, as
// CloudFormation reads the template.
func TestAliasesRead(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		mode dind.Mode
	}{
		"privileged alias": {`Defaults:
  Yes: &yes true
` + aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          Privileged: *yes
`, dind.ModePrivileged},
		// The mount must name the host's socket volume to count as socket
		// mode (modedetect_test.go); here the volume comes through an alias.
		"socket from a merge key": {`Base: &base
  MountPoints:
    - ContainerPath: /var/run/docker.sock
      SourceVolume: sock
Sock: &sock
  Name: sock
  Host:
    SourcePath: /var/run/docker.sock
` + aliasAgentHead + `        - <<: *base
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent
      Volumes:
        - *sock
`, dind.ModeSocket},
		"container alias": {`Templates:
  Agent: &agent
    Name: teamcity-agent
    Image: jetbrains/teamcity-agent
    Privileged: true
` + aliasAgentHead + `        - *agent
`, dind.ModePrivileged},
	} {
		tpl, err := dind.Parse([]byte(tc.src))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if ag := tpl.Agents(); len(ag) != 1 || ag[0].Mode() != tc.mode {
			t.Errorf("%s: agents %+v, want one in mode %s", name, ag, tc.mode)
		}
		// Already in the mode: nothing to do, nothing refused.
		res, err := dind.Apply([]byte(tc.src), withMinimal(dind.DefaultOptions(tc.mode)))
		if err != nil || res.Changed {
			t.Errorf("%s: applying the mode it is in: changed %v, %v", name, res != nil && res.Changed, err)
		}
	}
}

// TestAliasEditsAllowed: removing or adding next to an alias, rather than
// in the anchored value, changes only this place.
func TestAliasEditsAllowed(t *testing.T) {
	src := []byte(`Defaults:
  Yes: &yes true
  Url: &url http://tc
` + aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
          Privileged: *yes
          Environment:
            - Name: SERVER_URL
              Value: *url
        - Name: sidecar
          Image: busybox
          Privileged: *yes
`)
	for _, m := range allModes {
		opts := dind.DefaultOptions(m)
		res, err := dind.Apply(src, opts)
		if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		checkEdited(t, string(m), src, res, opts)
	}
}

// aliasBomb is the classic "billion laughs": nine levels of nine aliases,
// under 700 bytes, nine to the ninth values once expanded.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString(aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n")
	b.WriteString("Lol: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	for c := 'b'; c <= 'i'; c++ {
		prev := string(c - 1)
		fmt.Fprintf(&b, "L%c: &%c [", c, c)
		for i := 0; i < 9; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
	}
	b.WriteString("Bomb: *i\n")
	return []byte(b.String())
}

// TestAliasBombRefused bounds the work by the memory allocated, not by time.
func TestAliasBombRefused(t *testing.T) {
	src := aliasBomb()
	if len(src) > 800 {
		t.Fatalf("the bomb is %d bytes", len(src))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, perr := dind.Parse(src)
	res, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket))
	runtime.ReadMemStats(&after)
	checkRefused(t, "Parse", nil, perr, "alias", "line ")
	checkRefused(t, "Apply", res, err, "alias")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("refusing a %d-byte alias bomb allocated %d bytes, want under 4 MiB", len(src), alloc)
	}
	if after.Mallocs-before.Mallocs > 200_000 {
		t.Errorf("refusing a %d-byte alias bomb took %d allocations", len(src), after.Mallocs-before.Mallocs)
	}
}

// TestModestAliasesAccepted: aliases that expand a little are fine.
func TestModestAliasesAccepted(t *testing.T) {
	src := []byte(strings.Replace(string(aliasBomb()), "L", "#L", -1))
	src = []byte(strings.Replace(string(src), "Bomb: *i", "Lol: &a [lol,lol,lol]\nLb: &b [*a,*a,*a]\nLc: [*b,*b,*b]", 1))
	if _, err := dind.Apply(src, dind.DefaultOptions(dind.ModeSocket)); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkAliasBombRefused(b *testing.B) {
	src := aliasBomb()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dind.Parse(src); err == nil {
			b.Fatal("accepted")
		}
	}
}

func TestValidInputEdited(t *testing.T) {
	tests := map[string]string{
		"deeper comment last": aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
            # a deeper comment, last line of the task definition
  Queue:
    Type: AWS::SQS::Queue
`,
		"privileged first on the dash line": aliasAgentHead + `        - Privileged: true
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent
`,
		"privileged and environment first": aliasAgentHead + `        - Privileged: true
          Environment:
            - Name: DOCKER_IN_DOCKER
              Value: start
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent
`,
		"environment first, wide dash": aliasAgentHead + `        -   Environment:
              - Name: DOCKER_IN_DOCKER
                Value: start
            Privileged: true
            Name: teamcity-agent
            Image: jetbrains/teamcity-agent
`,
		"socket mount first": aliasAgentHead + `        - MountPoints:
            - ContainerPath: /var/run/docker.sock
              SourceVolume: sock
          Name: teamcity-agent
          Image: jetbrains/teamcity-agent
      Volumes:
        - Name: sock
          Host:
            SourcePath: /var/run/docker.sock
`,
		"explicit key outside the edit": `? Description
: explicit keys elsewhere are fine
` + aliasAgentHead + `        - Name: teamcity-agent
          Image: jetbrains/teamcity-agent
`,
	}
	for name, src := range tests {
		for _, m := range allModes {
			for _, minimal := range []bool{false, true} {
				opts := dind.DefaultOptions(m)
				opts.Minimal = minimal
				label := fmt.Sprintf("%s/%s minimal=%v", name, m, minimal)
				res, err := dind.Apply([]byte(src), opts)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				checkEdited(t, label, []byte(src), res, opts)
			}
		}
	}
}

func TestExplicitKeyRefused(t *testing.T) {
	src := []byte(aliasAgentHead + `        - ? Name
          : teamcity-agent
          ? Image
          : jetbrains/teamcity-agent
`)
	for _, m := range allModes[:2] {
		res, err := dind.Apply(src, dind.DefaultOptions(m))
		checkRefused(t, string(m), res, err, "line 6", "explicit key")
	}
}

func TestJSONEscapes(t *testing.T) {
	src := []byte(`{"Resources": {"Agent": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
  "ContainerDefinitions": [{"Name": "teamcity-agent", "Image": "jetbrains\/teamcity-agent:2023.11.1",
    "Environment": [{"Name": "GREETING", "Value": "caf\u00e9 \ud83d\ude00 a\/b"}]}]}}}}
`)
	for _, m := range allModes {
		opts := dind.DefaultOptions(m)
		opts.SudoImage = true
		res, err := dind.Apply(src, opts)
		if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		var doc struct {
			Resources map[string]struct {
				Properties struct {
					ContainerDefinitions []struct {
						Image       string
						Environment []struct{ Name, Value string }
					}
				}
			}
		}
		if err := json.Unmarshal(res.Output, &doc); err != nil {
			t.Errorf("%s: output is not JSON: %v\n%s", m, err, res.Output)
			continue
		}
		c := doc.Resources["Agent"].Properties.ContainerDefinitions[0]
		wantImage := "jetbrains/teamcity-agent:2023.11.1"
		if m == dind.ModePrivileged {
			wantImage += "-linux-sudo"
		}
		if c.Image != wantImage || c.Environment[0].Value != "café 😀 a/b" {
			t.Errorf("%s: image %q, environment %q", m, c.Image, c.Environment[0].Value)
		}
		tpl, err := dind.Parse(res.Output)
		if err != nil {
			t.Errorf("%s: Parse(output): %v", m, err)
		} else if got := tpl.Agents()[0].Mode(); got != m {
			t.Errorf("%s: output in mode %s", m, got)
		}
	}
	lone := []byte(`{"Resources": {"Agent": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
  "ContainerDefinitions": [{"Name": "teamcity-agent\/x \udc00", "Image": "jetbrains/teamcity-agent"}]}}}}`)
	_, err := dind.Parse(lone)
	var pe *dind.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 56 {
		t.Errorf("lone surrogate: want a *ParseError at line 2, column 56, got %T %v", err, err)
	}
}

func TestDuplicateKeysRefused(t *testing.T) {
	agent := "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n"
	tests := map[string]struct {
		src  string
		line int
	}{
		"top level":        {"Description: a\n" + aliasAgentHead + agent + "Description: b\n", 9},
		"resources":        {aliasAgentHead + agent + "  Agent:\n    Type: AWS::SQS::Queue\n", 8},
		"properties":       {aliasAgentHead + agent + "      Family: a\n      Family: b\n", 9},
		"container":        {aliasAgentHead + agent + "          Privileged: true\n          Privileged: false\n", 9},
		"json":             {`{"Resources": {"Agent": {"Type": "AWS::ECS::TaskDefinition", "Type": "AWS::SQS::Queue"}}}`, 1},
		"outside (quoted)": {"Metadata:\n  a: 1\n  'a': 2\n" + aliasAgentHead + agent, 3},
	}
	for name, tc := range tests {
		for _, m := range allModes {
			res, err := dind.Apply([]byte(tc.src), dind.DefaultOptions(m))
			checkRefused(t, name+"/"+string(m), res, err, "duplicate key", fmt.Sprintf("line %d, column ", tc.line))
		}
	}
}

func TestSeveralDocumentsRefused(t *testing.T) {
	doc := aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n"
	tests := map[string]struct {
		src  string
		line int
	}{
		"two documents":          {doc + "---\nResources: {}\n", 8},
		"start markers on both":  {"---\n" + doc + "---\nResources: {}\n", 9},
		"content after the end":  {doc + "...\nResources: {}\n", 9},
		"empty second document":  {doc + "...\n---\n", 9},
		"json then a document":   {`{"Resources": {}}` + "\n---\n" + doc, 2},
		"second document broken": {doc + "---\n[\n", 8},
	}
	for name, tc := range tests {
		for _, m := range allModes {
			res, err := dind.Apply([]byte(tc.src), dind.DefaultOptions(m))
			checkRefused(t, name+"/"+string(m), res, err, "second YAML document", fmt.Sprintf("line %d, column 1", tc.line))
		}
	}
	for _, ok := range []string{"---\n" + doc, doc + "...\n", "---\n" + doc + "...\n# the end\n"} {
		if _, err := dind.Apply([]byte(ok), dind.DefaultOptions(dind.ModeSocket)); err != nil {
			t.Errorf("one document with markers: %v\n%s", err, ok)
		}
	}
}

func encodeUTF16(s string, bigEndian, bom bool) []byte {
	if bom {
		s = "\ufeff" + s
	}
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func encodeUTF32(s string, bigEndian, bom bool) []byte {
	if bom {
		s = "\ufeff" + s
	}
	var out []byte
	for _, r := range s {
		b := []byte{byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)}
		if bigEndian {
			b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
		}
		out = append(out, b...)
	}
	return out
}

func TestWideEncodingsRefused(t *testing.T) {
	src := string(readFixture(t, "blog.yaml"))
	for _, be := range []bool{false, true} {
		for _, bom := range []bool{false, true} {
			for name, enc := range map[string][]byte{
				"UTF-16": encodeUTF16(src, be, bom),
				"UTF-32": encodeUTF32(src, be, bom),
			} {
				label := fmt.Sprintf("%s big-endian=%v BOM=%v", name, be, bom)
				_, err := dind.Parse(enc)
				var re *dind.RefusedError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), "template is "+name+": save it as UTF-8") {
					t.Errorf("%s: Parse: want a *RefusedError naming %s, got %T %v", label, name, err, err)
				}
				for _, m := range allModes {
					if res, err := dind.Apply(enc, dind.DefaultOptions(m)); err == nil {
						t.Errorf("%s: %s accepted (changed %v)", label, m, res.Changed)
					}
				}
			}
		}
	}
}

// TestMixedLineEndingsFollowNeighbours: a file mostly LF with a CRLF task
// definition (and the reverse) gets new lines ending like the lines around
// them.
func TestMixedLineEndingsFollowNeighbours(t *testing.T) {
	blog := string(readFixture(t, "blog.yaml"))
	start := strings.Index(blog, "  AgentTaskDefinition:")
	end := strings.Index(blog, "  TCServerNodeService:")
	for _, agentNL := range []string{"\r\n", "\n"} {
		otherNL := "\r\n"
		if agentNL == "\r\n" {
			otherNL = "\n"
		}
		conv := func(s, nl string) string { return strings.ReplaceAll(s, "\n", nl) }
		src := []byte(conv(blog[:start], otherNL) + conv(blog[start:end], agentNL) + conv(blog[end:], otherNL))
		for _, m := range allModes[:2] {
			opts := dind.DefaultOptions(m)
			res, err := dind.Apply(src, opts)
			if err != nil {
				t.Fatalf("%q %s: %v", agentNL, m, err)
			}
			checkEdited(t, string(m), src, res, opts)
			out := string(res.Output)
			outStart, outEnd := strings.Index(out, "  AgentTaskDefinition:"), strings.Index(out, "  TCServerNodeService:")
			agentPart := out[outStart:outEnd]
			if n, crlf := strings.Count(agentPart, "\n"), strings.Count(agentPart, "\r\n"); agentNL == "\r\n" && crlf != n || agentNL == "\n" && crlf != 0 {
				t.Errorf("%q %s: the task definition has %d line breaks, %d of them CRLF:\n%q", agentNL, m, n, crlf, agentPart)
			}
			// The agent's service gets its distinctInstance (socket), in
			// the service's own line endings.
			distinct := conv("      PlacementConstraints:\n        - Type: distinctInstance\n", otherNL)
			if m == dind.ModeSocket {
				if strings.Count(out, distinct) != 1 {
					t.Errorf("%q %s: the service has no distinctInstance ending its lines with %q:\n%q", agentNL, m, otherNL, out[outEnd:])
				}
				out = strings.Replace(out, distinct, "", 1)
			}
			if !strings.HasPrefix(out, blog[:0]+conv(blog[:start], otherNL)) || !strings.HasSuffix(out, conv(blog[end:], otherNL)) {
				t.Errorf("%q %s: lines outside the task definition changed", agentNL, m)
			}
		}
	}
}

func TestEditOverSizeLimitRefused(t *testing.T) {
	src := largeTemplate(largeAgents, dind.MaxTemplateSize-1000)
	opts := withMinimal(dind.DefaultOptions(dind.ModePrivileged))
	opts.TaskDefinitions = []string{dind.AllTaskDefinitions}
	res, err := dind.Apply(src, opts)
	checkRefused(t, "privileged on a template 1000 bytes under the limit", res, err, "1 MB", "1048576")
	if bytes.Contains([]byte(fmt.Sprint(err)), []byte("internal")) {
		t.Errorf("not a clear refusal: %v", err)
	}
}
