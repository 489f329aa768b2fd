package dind_test

// Table tests over the hand-written fixtures in ../testdata/templates: one per
// case recipes.md names. Exact expected bytes live in ../testdata/expected.

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
	"go.yaml.in/yaml/v3"
)

// editable fixtures: every recipe must succeed on them.
type fixture struct {
	file string
	// taskDefs is passed as Options.TaskDefinitions.
	taskDefs []string
	// pristine: no DinD, no Privileged key, no DOCKER_IN_DOCKER, image not
	// rewritten: both modes only add lines, and minimal then none gives the
	// original bytes back.
	pristine bool
	// lineAdds: pristine, and the format lets edits be whole added lines
	// (block YAML; JSON only up to the comma after the previous value).
	lineAdds bool
	json     bool
}

var fixtures = []fixture{
	{file: "blog.yaml", pristine: true, lineAdds: true},
	{file: "blog-socket.yaml"},
	{file: "blog-privileged.yaml"},
	{file: "json-2space.json", pristine: true, lineAdds: true, json: true},
	{file: "json-4space.json", pristine: true, lineAdds: true, json: true},
	{file: "flow.yaml", pristine: true},
	{file: "crlf.yaml", pristine: true, lineAdds: true},
	{file: "bom.yaml", pristine: true, lineAdds: true},
	{file: "docstart.yaml", pristine: true, lineAdds: true},
	{file: "comments.yaml", pristine: true, lineAdds: true},
	{file: "image-longform.yaml", pristine: true, lineAdds: true},
	{file: "image-param.yaml", pristine: true, lineAdds: true},
	{file: "image-sub.yaml", pristine: true, lineAdds: true},
	{file: "name-only.yaml", pristine: true, lineAdds: true},
	{file: "existing.yaml"},
	{file: "privileged-false.yaml"},
	{file: "if.yaml", pristine: true, lineAdds: true},
	{file: "if-long.yaml", pristine: true, lineAdds: true},
	{file: "if-flow.yaml", pristine: true},
	{file: "two-agents.yaml", taskDefs: []string{dind.AllTaskDefinitions}, pristine: true, lineAdds: true},
	{file: "sidecar.yaml", pristine: true, lineAdds: true},
	{file: "sock-reuse.yaml", pristine: true, lineAdds: true},
	{file: "name-clash.yaml", pristine: true, lineAdds: true},
	{file: "user-buildagent.yaml", pristine: true, lineAdds: true},
	{file: "sudo-literal.yaml", pristine: true, lineAdds: true},
	{file: "sudo-latest.yaml", pristine: true, lineAdds: true},
	{file: "eof-no-newline.yaml", pristine: true, lineAdds: true},
	{file: "docend.yaml", pristine: true, lineAdds: true},
	{file: "keep-chomp.yaml", pristine: true, lineAdds: true},
	{file: "indent4.yaml", pristine: true, lineAdds: true},
	{file: "empty-collections.yaml", pristine: true},
	{file: "two-containers.yaml", pristine: true, lineAdds: true},
	{file: "image-sub-map.yaml", pristine: true, lineAdds: true},
	{file: "mixed.yaml"},
	{file: "json-tabs.json", pristine: true, lineAdds: true, json: true},
	{file: "json-compact.json", pristine: true, json: true},
	{file: "builddirs-existing.yaml", pristine: true, lineAdds: true},
	{file: "privileged-string.yaml"},
	{file: "json-crlf-bom.json", pristine: true, lineAdds: true, json: true},
	{file: "unicode-flow.yaml", pristine: true},
	{file: "unicode-block.yaml", pristine: true, lineAdds: true},
	{file: "multiline-values.yaml", pristine: true, lineAdds: true},
	{file: "multiline-plain.yaml", pristine: true, lineAdds: true},
	{file: "block-with-flow-lists.yaml", pristine: true},
	{file: "clash-2.yaml", pristine: true, lineAdds: true},
	{file: "props-first.yaml", pristine: true, lineAdds: true},
	{file: "roundtrip-flow-created.yaml", pristine: true},
}

// TestFixturesConform runs every recipe and the mode switches on every
// editable fixture with the same checks as the corpus conformance test, plus
// the format checks (JSON, CRLF, BOM, document start, flow style).
func TestFixturesConform(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			t.Parallel()
			src := readFixture(t, fx.file)
			in, err := decodeCFN(src)
			if err != nil {
				t.Fatalf("fixture does not parse: %v", err)
			}
			targets := agentTaskDefs(in)
			if len(targets) == 0 {
				t.Fatal("test reading finds no agent task definition")
			}
			tpl, err := dind.Parse(src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var ids []string
			for _, td := range tpl.Agents() {
				ids = append(ids, td.LogicalID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, targets) {
				t.Errorf("Agents() = %v, want %v", ids, targets)
			}
			if tpl.IsJSON() != fx.json {
				t.Errorf("IsJSON() = %v, want %v", tpl.IsJSON(), fx.json)
			}
			for _, oc := range recipeCases() {
				t.Run(oc.name, func(t *testing.T) {
					opts := oc.opts
					opts.TaskDefinitions = fx.taskDefs
					res := applyAndCheck(t, oc.name, src, in, opts, targets)
					if res == nil {
						return
					}
					out := res.Output
					checkFormat(t, fx, src, out)
					imageRewritten := false
					fxIn := in
					if outDoc, err := decodeCFN(out); err == nil {
						for _, id := range targets {
							for i, s := range containers(props(resources(outDoc)[id])) {
								in := containers(props(resources(in)[id]))
								// --sudo-image may change the parameter that tags the image.
								if i < len(in) && resolve(in[i].c["Image"], params(fxIn)) != resolve(s.c["Image"], params(outDoc)) {
									imageRewritten = true
								}
							}
						}
					}
					switch {
					case !fx.pristine || imageRewritten:
					case opts.Mode == dind.ModeNone:
						if !bytes.Equal(out, src) {
							t.Errorf("none on a template without DinD changed it:\n%s", lineDiff(src, out))
						}
					case fx.lineAdds && fx.json:
						if ok, why := isLineSubsequence(trimCommas(src), trimCommas(out)); !ok {
							t.Errorf("on a template without DinD only lines (and commas) may be added: %s\n%s", why, lineDiff(src, out))
						}
					case fx.lineAdds:
						if ok, why := isLineSubsequence(src, out); !ok {
							t.Errorf("on a template without DinD only lines may be added: %s\n%s", why, lineDiff(src, out))
						}
					}
				})
			}
			t.Run("switches", func(t *testing.T) {
				checkSwitches(t, src, in, targets, fx.taskDefs, fx.pristine)
			})
		})
	}
}

// trimCommas drops a trailing comma from every line (JSON appends need one
// on the previous value).
func trimCommas(b []byte) []byte {
	lines := splitLines(b)
	for i, l := range lines {
		body, nl := strings.CutSuffix(l, "\n")
		body, cr := strings.CutSuffix(body, "\r")
		body = strings.TrimSuffix(body, ",")
		if cr {
			body += "\r"
		}
		if nl {
			body += "\n"
		}
		lines[i] = body
	}
	return []byte(strings.Join(lines, ""))
}

// checkFormat: the output keeps the input's format.
func checkFormat(t *testing.T, fx fixture, src, out []byte) {
	t.Helper()
	// Line endings: CRLF stays CRLF, LF stays LF.
	crlf := bytes.Contains(src, []byte("\r\n"))
	for i, l := range splitLines(out) {
		if !strings.HasSuffix(l, "\n") {
			continue
		}
		if got := strings.HasSuffix(l, "\r\n"); got != crlf {
			t.Errorf("output line %d %q: CRLF is %v, input's is %v", i+1, l, got, crlf)
			break
		}
	}
	if bytes.HasPrefix(src, utf8BOM) != bytes.HasPrefix(out, utf8BOM) || bytes.HasPrefix(bytes.TrimPrefix(out, utf8BOM), utf8BOM) {
		t.Errorf("byte order mark not kept: input starts %q, output %q", src[:min(6, len(src))], out[:min(6, len(out))])
	}
	// Whatever precedes the first mapping key (comments, ---) is kept.
	if i := bytes.Index(src, []byte("AWSTemplateFormatVersion")); i > 0 && !bytes.HasPrefix(out, src[:i]) {
		t.Errorf("output does not start like the input: %q", out[:min(len(out), i+40)])
	}
	if fx.json {
		var v any
		if err := json.Unmarshal(bytes.TrimPrefix(out, utf8BOM), &v); err != nil {
			t.Errorf("JSON output is not JSON: %v", err)
			return
		}
		checkJSONIndent(t, src, out)
	}
	if !fx.json {
		checkIndentStyles(t, src, out)
	}
	// Flow style stays flow: a flow collection in the input is still one.
	if !fx.json {
		checkFlowKept(t, src, out)
	}
}

// checkJSONIndent: a file formatted by a JSON pretty-printer (as the fixtures
// are) stays exactly as that printer with the file's indent would format it.
func checkJSONIndent(t *testing.T, src, out []byte) {
	t.Helper()
	// Line endings and the BOM are checked elsewhere.
	norm := func(b []byte) []byte {
		return bytes.ReplaceAll(bytes.TrimPrefix(b, utf8BOM), []byte("\r\n"), []byte("\n"))
	}
	src, out = norm(src), norm(out)
	if bytes.Count(bytes.TrimSpace(src), []byte("\n")) == 0 {
		// One line: compact JSON stays compact.
		var want bytes.Buffer
		if err := json.Compact(&want, out); err != nil {
			t.Errorf("json.Compact: %v", err)
			return
		}
		if !bytes.Equal(bytes.TrimSpace(out), want.Bytes()) {
			t.Errorf("compact JSON output is not compact:\n%s", out)
		}
		return
	}
	indent := jsonIndent(src)
	var want bytes.Buffer
	if err := json.Indent(&want, bytes.TrimSpace(out), "", indent); err != nil {
		t.Errorf("json.Indent: %v", err)
		return
	}
	want.WriteString("\n")
	// The input must itself be canonical for the comparison to mean anything.
	var canon bytes.Buffer
	_ = json.Indent(&canon, bytes.TrimSpace(src), "", indent)
	canon.WriteString("\n")
	if !bytes.Equal(canon.Bytes(), src) {
		t.Fatalf("fixture is not canonically indented JSON")
	}
	if !bytes.Equal(want.Bytes(), out) {
		t.Errorf("JSON output is not indented like the file (%q):\n%s", indent, lineDiff(want.Bytes(), out))
	}
}

func jsonIndent(src []byte) string {
	for _, l := range splitLines(src)[1:] {
		if trimmed := strings.TrimLeft(l, " \t"); len(trimmed) < len(l) {
			return l[:len(l)-len(trimmed)]
		}
	}
	return "  "
}

// checkFlowKept: every collection that is in flow style in the input is in
// flow style in the output (matched by its path), and the new collections
// inside a flow collection are flow too (YAML forbids block inside flow).
func checkFlowKept(t *testing.T, src, out []byte) {
	t.Helper()
	inRoot, err := parseNode(src)
	if err != nil {
		t.Fatal(err)
	}
	outRoot, err := parseNode(out)
	if err != nil {
		t.Errorf("output does not parse: %v", err)
		return
	}
	flows := map[string]bool{}
	walkNodes(inRoot, "", func(path string, n *yaml.Node) {
		if n.Kind != yaml.ScalarNode && n.Style&yaml.FlowStyle != 0 {
			flows[path] = true
		}
	})
	// Block sequences whose items are all flow mappings get flow items.
	flowItems := map[string]bool{}
	walkNodes(inRoot, "", func(path string, n *yaml.Node) {
		if n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0 {
			all := true
			for _, c := range n.Content {
				all = all && c.Kind == yaml.MappingNode && c.Style&yaml.FlowStyle != 0
			}
			flowItems[path] = all
		}
	})
	walkNodes(outRoot, "", func(path string, n *yaml.Node) {
		if flows[path] && n.Style&yaml.FlowStyle == 0 {
			t.Errorf("%s was flow style in the input and is block style in the output", path)
		}
		if flowItems[path] && n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				if c.Kind == yaml.MappingNode && c.Style&yaml.FlowStyle == 0 {
					t.Errorf("%s/%d: every item of this sequence is a flow mapping in the input; the new item (line %d) is block style", path, i, c.Line)
				}
			}
		}
	})
}

// indentStyles collects how a YAML file indents its block collections:
// "map+N" (a nested mapping's keys N columns right of its key), "seq+N" (a
// sequence's dashes N columns right of its key) and "item+N" (a sequence
// item's first key N columns right of its dash).
func indentStyles(root *yaml.Node) map[string]bool {
	styles := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Style&yaml.FlowStyle == 0 && v.Line > k.Line && !isCustomTag(v.Tag) {
					switch v.Kind {
					case yaml.MappingNode:
						if len(v.Content) > 0 {
							styles["map+"+strconv.Itoa(v.Content[0].Column-k.Column)] = true
						}
					case yaml.SequenceNode:
						styles["seq+"+strconv.Itoa(v.Column-k.Column)] = true
					}
				}
				walk(v)
			}
		case yaml.SequenceNode:
			// A block sequence starts at its first dash (unless tagged).
			block := n.Style&yaml.FlowStyle == 0 && !isCustomTag(n.Tag)
			for _, c := range n.Content {
				if block && c.Kind == yaml.MappingNode && c.Style&yaml.FlowStyle == 0 && len(c.Content) > 0 {
					styles["item+"+strconv.Itoa(c.Content[0].Column-n.Column)] = true
				}
				walk(c)
			}
		}
	}
	walk(root)
	return styles
}

// checkIndentStyles: the output indents block collections only in ways the
// input already does.
func checkIndentStyles(t *testing.T, src, out []byte) {
	t.Helper()
	inRoot, err1 := parseNode(src)
	outRoot, err2 := parseNode(out)
	if err1 != nil || err2 != nil {
		return
	}
	in, got := indentStyles(inRoot), indentStyles(outRoot)
	kinds := map[string]bool{}
	for s := range in {
		kind, _, _ := strings.Cut(s, "+")
		kinds[kind] = true
	}
	for s := range got {
		kind, _, _ := strings.Cut(s, "+")
		if kinds[kind] && !in[s] {
			t.Errorf("output indents a block collection as %s; the input only uses %v", s, slices.Sorted(maps.Keys(in)))
		}
	}
}

func walkNodes(n *yaml.Node, path string, f func(string, *yaml.Node)) {
	f(path, n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkNodes(n.Content[i+1], path+"/"+n.Content[i].Value, f)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkNodes(c, path+"/"+strconv.Itoa(i), f)
		}
	}
}

// ---------------------------------------------------------------------------
// Refusals

func TestRefusals(t *testing.T) {
	modes := []dind.Options{
		dind.DefaultOptions(dind.ModeSocket),
		withMinimal(dind.DefaultOptions(dind.ModeSocket)),
		dind.DefaultOptions(dind.ModePrivileged),
		withMinimal(dind.DefaultOptions(dind.ModePrivileged)),
	}
	tests := []struct {
		file  string
		check func(t *testing.T, err error)
	}{
		{"fargate.yaml", func(t *testing.T, err error) {
			var re *dind.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("want *RefusedError, got %T %v", err, err)
			}
			if !strings.Contains(re.Error(), "Fargate supports neither privileged containers nor host volumes") {
				t.Errorf("Fargate refusal must say exactly that Fargate supports neither privileged containers nor host volumes; got %q", re.Error())
			}
		}},
		{"fargate-mixed.yaml", func(t *testing.T, err error) {
			var re *dind.RefusedError
			if !errors.As(err, &re) || !strings.Contains(re.Error(), "Fargate supports neither privileged containers nor host volumes") {
				t.Errorf("RequiresCompatibilities [EC2, FARGATE]: want the Fargate *RefusedError, got %T %v", err, err)
			}
		}},
		{"windows.yaml", func(t *testing.T, err error) {
			var re *dind.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("want *RefusedError, got %T %v", err, err)
			}
			if !containsFold(re.Error(), "windows") {
				t.Errorf("Windows refusal does not mention Windows: %q", re.Error())
			}
		}},
		{"no-agent.yaml", func(t *testing.T, err error) {
			if !errors.Is(err, dind.ErrNoAgent) {
				t.Errorf("want ErrNoAgent, got %T %v", err, err)
			}
		}},
		{"empty.yaml", func(t *testing.T, err error) {
			var pe *dind.ParseError
			var re *dind.RefusedError
			if err == nil || !(errors.Is(err, dind.ErrNoAgent) || errors.As(err, &pe) || errors.As(err, &re)) {
				t.Errorf("empty template: want ErrNoAgent, *ParseError or *RefusedError, got %T %v", err, err)
			}
		}},
		{"broken.yaml", func(t *testing.T, err error) {
			// Line 10 opens a flow sequence that is never closed; the parser
			// can notice on lines 11-13 (end of input).
			checkParseError(t, err, 10, 13, false)
		}},
		{"broken-indent.yaml", func(t *testing.T, err error) {
			// Line 11 is indented less than its siblings (9: the sequence entry).
			checkParseError(t, err, 9, 12, false)
		}},
		{"broken.json", func(t *testing.T, err error) {
			// Line 11, column 56: the second member after a missing comma.
			checkParseError(t, err, 11, 11, true)
			var pe *dind.ParseError
			if errors.As(err, &pe) && pe.Column != 56 {
				t.Errorf("ParseError column %d, want 56 (the '\"' of \"Memory\"): %v", pe.Column, pe)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			src := readFixture(t, tc.file)
			for _, opts := range modes {
				res, err := dind.Apply(src, opts)
				if err == nil {
					t.Errorf("%s minimal=%v: no error, output:\n%s", opts.Mode, opts.Minimal, res.Output)
					continue
				}
				if res != nil {
					t.Errorf("%s: a result together with the error %v", opts.Mode, err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("%s: the error is not one line: %q", opts.Mode, err)
				}
				tc.check(t, err)
			}
		})
	}
}

func checkParseError(t *testing.T, err error, lineMin, lineMax int, wantColumn bool) {
	t.Helper()
	var pe *dind.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want *ParseError, got %T %v", err, err)
	}
	if pe.Line < lineMin || pe.Line > lineMax {
		t.Errorf("ParseError line %d, want %d..%d: %v", pe.Line, lineMin, lineMax, pe)
	}
	if wantColumn && pe.Column <= 0 {
		t.Errorf("ParseError without a column: %v", pe)
	}
	if !strings.Contains(pe.Error(), "line ") {
		t.Errorf("ParseError message does not name the line: %q", pe.Error())
	}
}

// TestRefusalsNone: none on a refused template either refuses the same way
// or changes nothing.
func TestRefusalsNone(t *testing.T) {
	for _, file := range []string{"fargate.yaml", "windows.yaml"} {
		src := readFixture(t, file)
		res, err := dind.Apply(src, dind.DefaultOptions(dind.ModeNone))
		var re *dind.RefusedError
		if err == nil && (res.Changed || !bytes.Equal(res.Output, src)) {
			t.Errorf("%s: none changed a refused template", file)
		} else if err != nil && !errors.As(err, &re) {
			t.Errorf("%s: none: want *RefusedError or no change, got %T %v", file, err, err)
		}
	}
}

func TestParseRefusesBrokenInput(t *testing.T) {
	for _, file := range []string{"broken.yaml", "broken-indent.yaml", "broken.json"} {
		_, err := dind.Parse(readFixture(t, file))
		var pe *dind.ParseError
		if !errors.As(err, &pe) || pe.Line <= 0 {
			t.Errorf("Parse(%s): want *ParseError with a line, got %T %v", file, err, err)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	all := []string{dind.AllTaskDefinitions}
	atLimit := largeTemplate(largeAgents, dind.MaxTemplateSize)
	if _, err := dind.Parse(atLimit); err != nil {
		t.Errorf("Parse: a template of exactly %d bytes must be accepted: %v", dind.MaxTemplateSize, err)
	}
	none := dind.DefaultOptions(dind.ModeNone)
	none.TaskDefinitions = all
	if res, err := dind.Apply(atLimit, none); err != nil {
		t.Errorf("none on a template of exactly %d bytes: %v", dind.MaxTemplateSize, err)
	} else if res.Changed || len(res.Targets) != largeAgents {
		t.Errorf("none on a template without DinD: Changed %v, %d targets", res.Changed, len(res.Targets))
	}
	// An edit that takes the template over the limit: either the output is
	// written (the input was within the limit), or a clear refusal, but never
	// an "internal error" that asks the user to report a bug.
	priv := withMinimal(dind.DefaultOptions(dind.ModePrivileged))
	priv.TaskDefinitions = all
	res, err := dind.Apply(atLimit, priv)
	var re *dind.RefusedError
	switch {
	case err == nil:
		if len(res.Targets) != largeAgents {
			t.Errorf("edited %d task definitions, want %d", len(res.Targets), largeAgents)
		}
	case !errors.As(err, &re) || containsFold(err.Error(), "internal error"):
		t.Errorf("privileged on a template of exactly %d bytes (the output grows past the limit): want the output or a clear *RefusedError, got %T %v", dind.MaxTemplateSize, err, err)
	}

	over := largeTemplate(largeAgents, dind.MaxTemplateSize+1)
	for _, f := range []func() error{
		func() error { _, err := dind.Apply(over, priv); return err },
		func() error { _, err := dind.Parse(over); return err },
	} {
		err := f()
		var re *dind.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "1 MB") && !strings.Contains(err.Error(), "1048576") {
			t.Errorf("a template over 1 MB: want a *RefusedError naming the limit, got %T %v", err, err)
		}
	}
}

// ---------------------------------------------------------------------------
// Selection of task definitions

func TestSelection(t *testing.T) {
	src := readFixture(t, "two-agents.yaml")
	in, err := decodeCFN(src)
	if err != nil {
		t.Fatal(err)
	}
	const linux, large, server = "LinuxAgentTaskDefinition", "LargeAgentTaskDefinition", "TCServerNodeTaskDefinition"

	tpl, err := dind.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, td := range tpl.Agents() {
		ids = append(ids, td.LogicalID)
		if td.Line <= 0 {
			t.Errorf("%s: Line %d", td.LogicalID, td.Line)
		}
	}
	if !slices.Equal(ids, []string{linux, large}) {
		t.Errorf("Agents() = %v, want [%s %s] (template order)", ids, linux, large)
	}

	for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone} {
		_, err := dind.Apply(src, dind.DefaultOptions(mode))
		var se *dind.SelectionError
		if !errors.As(err, &se) {
			t.Errorf("%s without TaskDefinitions: want *SelectionError, got %T %v", mode, err, err)
			continue
		}
		found := slices.Clone(se.Found)
		slices.Sort(found)
		if !slices.Equal(found, []string{large, linux}) {
			t.Errorf("SelectionError.Found = %v, want both agent task definitions (and not the server)", se.Found)
		}
		for _, id := range []string{linux, large} {
			if !strings.Contains(se.Error(), id) {
				t.Errorf("SelectionError does not name %s: %q", id, se.Error())
			}
		}
	}

	for _, sel := range [][]string{{"NoSuchTaskDefinition"}, {server}, {linux, "NoSuchTaskDefinition"}} {
		o := dind.DefaultOptions(dind.ModeSocket)
		o.TaskDefinitions = sel
		_, err := dind.Apply(src, o)
		var se *dind.SelectionError
		if !errors.As(err, &se) {
			t.Errorf("TaskDefinitions %v: want *SelectionError, got %T %v", sel, err, err)
		}
	}

	for _, tc := range []struct {
		sel, want []string
	}{
		{[]string{dind.AllTaskDefinitions}, []string{large, linux}},
		{[]string{linux, large}, []string{large, linux}},
		{[]string{large}, []string{large}},
		{[]string{linux}, []string{linux}},
	} {
		for _, oc := range recipeCases() {
			o := oc.opts
			o.TaskDefinitions = tc.sel
			label := oc.name + " " + strings.Join(tc.sel, ",")
			res := applyAndCheck(t, label, src, in, o, tc.want)
			if res == nil {
				continue
			}
			if o.Mode != dind.ModeNone {
				base := src
				if o.SudoImage {
					// TeamCityVersion tags the server too: the selected
					// agents' Images get the suffix in place.
					base = withAgentSudoImages(t, src, tc.want, "!Join [':', [jetbrains/teamcity-agent, !Ref TeamCityVersion]]", "!Join [':', [jetbrains/teamcity-agent, !Sub '${TeamCityVersion}-linux-sudo']]")
				}
				if ok, why := isLineSubsequence(base, res.Output); !ok {
					t.Errorf("%s: only lines may be added: %s", label, why)
				}
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Specific edits

func apply(t *testing.T, src []byte, opts dind.Options) (*dind.Result, map[string]any) {
	t.Helper()
	res, err := dind.Apply(src, opts)
	if err != nil {
		t.Fatalf("Apply(%+v): %v", opts, err)
	}
	doc, err := decodeCFN(res.Output)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, res.Output)
	}
	return res, doc
}

func agentContainer(t *testing.T, doc map[string]any, id string) map[string]any {
	t.Helper()
	ps := params(doc)
	for _, s := range containers(props(resources(doc)[id])) {
		if isAgentContainer(s.c, ps) {
			return s.c
		}
	}
	t.Fatalf("no agent container in %s", id)
	return nil
}

// replaced returns src with old replaced by new exactly once.
func replaced(t *testing.T, src []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(src, []byte(old)); n != 1 {
		t.Fatalf("fixture has %q %d times", old, n)
	}
	return bytes.Replace(src, []byte(old), []byte(new), 1)
}

func TestExistingDockerInDockerValueChangedInPlace(t *testing.T) {
	src := readFixture(t, "existing.yaml")
	res, doc := apply(t, src, dind.DefaultOptions(dind.ModePrivileged))
	want := replaced(t, src, "              Value: disabled\n", "              Value: start\n")
	if ok, why := isLineSubsequence(want, res.Output); !ok {
		t.Errorf("DOCKER_IN_DOCKER value not changed in place (%s):\n%s", why, lineDiff(want, res.Output))
	}
	env := asList(agentContainer(t, doc, "AgentTaskDefinition")["Environment"])
	if len(env) != 3 || asString(asMap(env[1])["Name"]) != dindEnv || asMap(env[1])["Value"] != "start" {
		t.Errorf("Environment = %v, want DOCKER_IN_DOCKER=start in its original place (second of three)", env)
	}
}

func TestPrivilegedFalseChangedInPlace(t *testing.T) {
	src := readFixture(t, "privileged-false.yaml")
	for _, opts := range []dind.Options{dind.DefaultOptions(dind.ModePrivileged), withMinimal(dind.DefaultOptions(dind.ModePrivileged))} {
		res, _ := apply(t, src, opts)
		want := replaced(t, src, "Privileged: false  # not needed yet\n", "Privileged: true  # not needed yet\n")
		if ok, why := isLineSubsequence(want, res.Output); !ok {
			t.Errorf("minimal=%v: Privileged: false not changed to true in place, comment kept (%s):\n%s", opts.Minimal, why, lineDiff(want, res.Output))
		}
		if n := bytes.Count(res.Output, []byte("Privileged:")); n != 1 {
			t.Errorf("minimal=%v: %d Privileged keys in the output", opts.Minimal, n)
		}
		if opts.Minimal && !bytes.Equal(want, res.Output) {
			t.Errorf("minimal privileged on Privileged: false must change only that value:\n%s", lineDiff(want, res.Output))
		}
	}
	// socket and none leave Privileged: false alone.
	for _, m := range []dind.Mode{dind.ModeSocket, dind.ModeNone} {
		res, _ := apply(t, src, dind.DefaultOptions(m))
		if !bytes.Contains(res.Output, []byte("Privileged: false  # not needed yet\n")) {
			t.Errorf("%s changed Privileged: false", m)
		}
	}
}

func TestSockVolumeReused(t *testing.T) {
	src := readFixture(t, "sock-reuse.yaml")
	for _, opts := range []dind.Options{dind.DefaultOptions(dind.ModeSocket), withMinimal(dind.DefaultOptions(dind.ModeSocket))} {
		_, doc := apply(t, src, opts)
		p := props(resources(doc)["AgentTaskDefinition"])
		var sockVols []string
		for _, v := range asList(p["Volumes"]) {
			if hostPath(asMap(v)) == sockPath {
				sockVols = append(sockVols, asString(asMap(v)["Name"]))
			}
		}
		if !slices.Equal(sockVols, []string{"host-docker"}) {
			t.Errorf("minimal=%v: docker.sock volumes %v, want only the existing host-docker", opts.Minimal, sockVols)
		}
		m := mountsAt(agentContainer(t, doc, "AgentTaskDefinition"), sockPath)
		if len(m) != 1 || m[0]["SourceVolume"] != "host-docker" {
			t.Errorf("minimal=%v: agent docker.sock mount %v, want SourceVolume host-docker", opts.Minimal, m)
		}
		if opts.Minimal {
			continue
		}
		// Leaving socket mode keeps the volume the sidecar still uses.
		res, _ := dind.Apply(src, opts)
		for _, m := range []dind.Mode{dind.ModePrivileged, dind.ModeNone} {
			_, d2 := apply(t, res.Output, dind.DefaultOptions(m))
			if volumeByName(props(resources(d2)["AgentTaskDefinition"]), "host-docker") == nil {
				t.Errorf("socket→%s removed host-docker, which the docker-gc sidecar mounts", m)
			}
		}
	}
}

func TestVolumeNameClash(t *testing.T) {
	src := readFixture(t, "name-clash.yaml")
	check := func(opts dind.Options, path, base string, isHost bool) {
		_, doc := apply(t, src, opts)
		c := agentContainer(t, doc, "AgentTaskDefinition")
		m := mountsAt(c, path)
		if len(m) != 1 {
			t.Fatalf("%s: mounts at %s: %v", opts.Mode, path, m)
		}
		name := asString(m[0]["SourceVolume"])
		if name == base || !strings.HasPrefix(name, base) {
			t.Errorf("%s: new volume named %q; %q is taken, want it with a suffix", opts.Mode, name, base)
		}
		p := props(resources(doc)["AgentTaskDefinition"])
		if v := volumeByName(p, base); v == nil || (hostPath(v) != "/srv/sockets" && hostPath(v) != "/srv/docker-data") {
			t.Errorf("%s: the existing %s volume changed: %v", opts.Mode, base, v)
		}
		if vol := volumeByName(p, name); isHost && hostPath(vol) != path {
			t.Errorf("%s: volume %s = %v", opts.Mode, name, vol)
		}
	}
	check(dind.DefaultOptions(dind.ModeSocket), sockPath, "docker-sock", true)
	check(withMinimal(dind.DefaultOptions(dind.ModeSocket)), sockPath, "docker-sock", true)
	check(dind.DefaultOptions(dind.ModePrivileged), dataPath, "docker-data", false)
}

func TestUserBuildagentKeptWithWarning(t *testing.T) {
	src := readFixture(t, "user-buildagent.yaml")
	res, doc := apply(t, src, dind.DefaultOptions(dind.ModeSocket))
	if u := agentContainer(t, doc, "AgentTaskDefinition")["User"]; u != "buildagent" {
		t.Errorf("User = %v, want buildagent kept", u)
	}
	if !hasWarning(res, "buildagent") {
		t.Errorf("want a warning about User: buildagent, got %q", res.Warnings)
	}
}

func TestUserRootAddedInPlaceOfNothing(t *testing.T) {
	src := readFixture(t, "blog.yaml")
	res, doc := apply(t, src, dind.DefaultOptions(dind.ModeSocket))
	if u := agentContainer(t, doc, "AgentTaskDefinition")["User"]; u != "root" {
		t.Errorf("complete socket: User = %v, want root", u)
	}
	// none leaves User and build dirs, and says so.
	res2, doc2 := apply(t, res.Output, dind.DefaultOptions(dind.ModeNone))
	if u := agentContainer(t, doc2, "AgentTaskDefinition")["User"]; u != "root" {
		t.Errorf("none after complete socket: User = %v, want root left in place", u)
	}
	if !hasWarning(res2, "User") {
		t.Errorf("none after complete socket: want a warning that User is left, got %q", res2.Warnings)
	}
	if !hasWarning(res2, "/opt/buildagent") && !hasWarning(res2, "build") {
		t.Errorf("none after complete socket: want a warning that the build-dir mounts are left, got %q", res2.Warnings)
	}
}

func TestSudoImage(t *testing.T) {
	literal := readFixture(t, "sudo-literal.yaml")
	sudo := dind.DefaultOptions(dind.ModePrivileged)
	sudo.SudoImage = true

	res, doc := apply(t, literal, sudo)
	if img := agentContainer(t, doc, "AgentTaskDefinition")["Image"]; img != "jetbrains/teamcity-agent:2023.11.1-linux-sudo" {
		t.Errorf("--sudo-image on a literal tag: Image = %v, want jetbrains/teamcity-agent:2023.11.1-linux-sudo", img)
	}
	want := replaced(t, literal, "Image: jetbrains/teamcity-agent:2023.11.1\n", "Image: jetbrains/teamcity-agent:2023.11.1-linux-sudo\n")
	if ok, why := isLineSubsequence(want, res.Output); !ok {
		t.Errorf("image tag not rewritten in place: %s\n%s", why, lineDiff(want, res.Output))
	}
	checkIdempotent(t, "sudo image again", res.Output, sudo)

	// Without --sudo-image: image kept, and a refusal for the front ends
	// (issue 17: never exit 0 while saying Docker cannot start).
	res, doc = apply(t, literal, dind.DefaultOptions(dind.ModePrivileged))
	if img := agentContainer(t, doc, "AgentTaskDefinition")["Image"]; img != "jetbrains/teamcity-agent:2023.11.1" {
		t.Errorf("without --sudo-image: Image = %v", img)
	}
	if refusalWith(res, "linux-sudo", "pass --sudo-image") == "" || !res.NoDocker[0].Flag {
		t.Errorf("without --sudo-image: want a refusal naming the -linux-sudo image and --sudo-image, got %q", reasons(res))
	}

	// Minimal ignores --sudo-image (complete recipe only).
	_, doc = apply(t, literal, withMinimal(sudo))
	if img := agentContainer(t, doc, "AgentTaskDefinition")["Image"]; img != "jetbrains/teamcity-agent:2023.11.1" {
		t.Errorf("minimal with --sudo-image: Image = %v, want unchanged", img)
	}

	// latest: never guess a tag. --sudo-image alone is refused (issue 17:
	// never exit 0 while Docker cannot start); with --agent-version the
	// tag is pinned.
	latest := readFixture(t, "sudo-latest.yaml")
	var vn *dind.VersionNeededError
	if _, err := dind.Apply(latest, sudo); !errors.As(err, &vn) {
		t.Errorf("--sudo-image on latest without a version: want *VersionNeededError, got %v", err)
	}
	pinned := sudo
	pinned.AgentVersion = "2025.07"
	_, doc = apply(t, latest, pinned)
	if img := agentContainer(t, doc, "AgentTaskDefinition")["Image"]; img != "jetbrains/teamcity-agent:2025.07-linux-sudo" {
		t.Errorf("--sudo-image --agent-version 2025.07 on latest: Image = %v", img)
	}
	res, doc = apply(t, latest, dind.DefaultOptions(dind.ModePrivileged))
	if img := agentContainer(t, doc, "AgentTaskDefinition")["Image"]; img != "jetbrains/teamcity-agent:latest" {
		t.Errorf("privileged on latest: Image = %v, want unchanged", img)
	}
	if refusalWith(res, "--agent-version") == "" {
		t.Errorf("privileged on latest: want a refusal naming --agent-version, got %q", reasons(res))
	}
}

func TestSidecarUntouched(t *testing.T) {
	src := readFixture(t, "sidecar.yaml")
	in, _ := decodeCFN(src)
	for _, oc := range recipeCases() {
		_, doc := apply(t, src, oc.opts)
		cin, cout := containers(props(resources(in)["AgentTaskDefinition"])), containers(props(resources(doc)["AgentTaskDefinition"]))
		if len(cout) != 3 {
			t.Fatalf("%s: %d containers", oc.name, len(cout))
		}
		for _, i := range []int{0, 2} {
			if !reflect.DeepEqual(cin[i].c, cout[i].c) {
				t.Errorf("%s: sidecar %v changed: %v", oc.name, cin[i].c["Name"], cout[i].c)
			}
		}
	}
}

func TestFnIfBothBranchesEdited(t *testing.T) {
	for _, file := range []string{"if.yaml", "if-long.yaml", "if-flow.yaml"} {
		src := readFixture(t, file)
		for _, mode := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged} {
			_, doc := apply(t, src, dind.DefaultOptions(mode))
			cs := containers(props(resources(doc)["AgentTaskDefinition"]))
			if len(cs) != 2 || cs[0].branch != 0 || cs[1].branch != 1 {
				t.Fatalf("%s %s: ContainerDefinitions is no longer an Fn::If of two lists: %v", file, mode, props(resources(doc)["AgentTaskDefinition"])["ContainerDefinitions"])
			}
			for _, s := range cs {
				switch mode {
				case dind.ModeSocket:
					if len(mountsAt(s.c, sockPath)) != 1 {
						t.Errorf("%s socket: branch %d has no docker.sock mount: %v", file, s.branch+1, s.c)
					}
				case dind.ModePrivileged:
					if !isTrue(s.c["Privileged"]) {
						t.Errorf("%s privileged: branch %d is not privileged: %v", file, s.branch+1, s.c)
					}
				}
			}
		}
	}
}

func TestCRLFOutput(t *testing.T) {
	src := readFixture(t, "crlf.yaml")
	for _, oc := range recipeCases() {
		res, _ := apply(t, src, oc.opts)
		if bytes.Contains(bytes.ReplaceAll(res.Output, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s: bare \\n in CRLF output", oc.name)
		}
		if bytes.Contains(bytes.ReplaceAll(res.Output, []byte("\r\n"), nil), []byte("\r")) {
			t.Errorf("%s: bare \\r in CRLF output", oc.name)
		}
	}
}

func TestBOMKept(t *testing.T) {
	src := readFixture(t, "bom.yaml")
	for _, oc := range recipeCases() {
		res, _ := apply(t, src, oc.opts)
		if !bytes.HasPrefix(res.Output, utf8BOM) || bytes.Count(res.Output, utf8BOM) != 1 {
			t.Errorf("%s: output does not start with exactly one BOM: %q", oc.name, res.Output[:8])
		}
	}
}

// ---------------------------------------------------------------------------
// Exact bytes

// expectedCases are outputs written by hand (see testdata/expected): new keys
// appended after the last sibling key of their mapping, indented like their
// siblings, sequences indented like the file's other sequences, plain
// scalars in YAML, the file's indentation in JSON.
var expectedCases = []struct {
	input, expected string
	opts            dind.Options
}{
	{"blog.yaml", "blog.socket-minimal.yaml", withMinimal(dind.DefaultOptions(dind.ModeSocket))},
	{"blog.yaml", "blog.privileged-minimal.yaml", withMinimal(dind.DefaultOptions(dind.ModePrivileged))},
	{"json-2space.json", "json-2space.socket-minimal.json", withMinimal(dind.DefaultOptions(dind.ModeSocket))},
	{"json-2space.json", "json-2space.privileged-minimal.json", withMinimal(dind.DefaultOptions(dind.ModePrivileged))},
}

func TestExpectedBytes(t *testing.T) {
	for _, tc := range expectedCases {
		t.Run(tc.expected, func(t *testing.T) {
			src := readFixture(t, tc.input)
			want := readFile(t, filepath.Join("..", "testdata", "expected", tc.expected))
			res, err := dind.Apply(src, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.Output, want) {
				t.Errorf("output differs from %s (- want, + got):\n%s", tc.expected, lineDiff(want, res.Output))
			}
			// And back: none on the expected output gives the input.
			back, err := dind.Apply(want, dind.DefaultOptions(dind.ModeNone))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Output, src) {
				t.Errorf("none on %s does not give back %s (- want, + got):\n%s", tc.expected, tc.input, lineDiff(src, back.Output))
			}
			// The expected output is already in the mode.
			checkIdempotent(t, "expected output", want, tc.opts)
		})
	}
}

// TestExpectedFilesSatisfyChecks checks the hand-written expectations against
// the test's own reading of recipes.md (a test of the tests; needs no engine).
func TestExpectedFilesSatisfyChecks(t *testing.T) {
	cases := append(slices.Clone(expectedCases),
		// The blog post's own edits, as written in the post.
		struct {
			input, expected string
			opts            dind.Options
		}{"blog.yaml", "../templates/blog-socket.yaml", withMinimal(dind.DefaultOptions(dind.ModeSocket))},
		struct {
			input, expected string
			opts            dind.Options
		}{"blog.yaml", "../templates/blog-privileged.yaml", withMinimal(dind.DefaultOptions(dind.ModePrivileged))},
	)
	for _, tc := range cases {
		src := readFixture(t, tc.input)
		want := readFile(t, filepath.Join("..", "testdata", "expected", tc.expected))
		in, err := decodeCFN(src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := decodeCFN(want)
		if err != nil {
			t.Fatalf("%s: %v", tc.expected, err)
		}
		targets := agentTaskDefs(in)
		out["Description"] = in["Description"]
		checkOthersUnchanged(t, tc.expected, in, out, targets)
		for _, id := range targets {
			checkMode(t, tc.expected, in, out, id, tc.opts)
		}
		if strings.HasSuffix(tc.input, ".json") {
			checkJSONIndent(t, src, want)
		} else if ok, why := isLineSubsequence(src, want); !ok && !strings.HasPrefix(tc.expected, "../") {
			t.Errorf("%s: %s", tc.expected, why)
		}
	}
}

func TestTwoAgentContainersInOneTask(t *testing.T) {
	src := readFixture(t, "two-containers.yaml")
	_, doc := apply(t, src, dind.DefaultOptions(dind.ModeSocket))
	p := props(resources(doc)["AgentTaskDefinition"])
	n := 0
	for _, v := range asList(p["Volumes"]) {
		if hostPath(asMap(v)) == sockPath {
			n++
		}
	}
	if n != 1 {
		t.Errorf("socket: %d docker.sock volumes for two agent containers, want one shared", n)
	}
	_, doc = apply(t, src, dind.DefaultOptions(dind.ModePrivileged))
	cs := containers(props(resources(doc)["AgentTaskDefinition"]))
	var vols []string
	for _, s := range cs {
		for _, m := range mountsAt(s.c, dataPath) {
			vols = append(vols, asString(m["SourceVolume"]))
		}
	}
	if len(vols) != 2 || vols[0] == vols[1] {
		t.Errorf("privileged: /var/lib/docker volumes %v; two Docker daemons must not share one data directory", vols)
	}
}

func TestDocumentEndMarkerKept(t *testing.T) {
	src := readFixture(t, "docend.yaml")
	for _, oc := range recipeCases() {
		res, _ := apply(t, src, oc.opts)
		if !bytes.HasSuffix(res.Output, []byte("\n# end of the resources\n...\n")) {
			t.Errorf("%s: the output no longer ends with the comment and the document end marker:\n%s", oc.name, res.Output[max(0, len(res.Output)-300):])
		}
	}
}

func TestDetectedModes(t *testing.T) {
	for file, want := range map[string]dind.Mode{
		"blog.yaml":             dind.ModeNone,
		"blog-socket.yaml":      dind.ModeSocket,
		"blog-privileged.yaml":  dind.ModePrivileged,
		"mixed.yaml":            dind.ModeMixed,
		"existing.yaml":         dind.ModeNone,
		"privileged-false.yaml": dind.ModeNone,
		"sock-reuse.yaml":       dind.ModeNone,
	} {
		tpl, err := dind.Parse(readFixture(t, file))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		agents := tpl.Agents()
		if len(agents) != 1 || agents[0].Mode() != want {
			t.Errorf("%s: Agents() = %+v, want one task definition in mode %s", file, agents, want)
		}
	}
	for file, want := range map[string]string{"fargate.yaml": "Fargate", "windows.yaml": "Windows"} {
		tpl, err := dind.Parse(readFixture(t, file))
		if err != nil {
			t.Errorf("%s: Parse must not refuse, Apply does: %v", file, err)
			continue
		}
		if a := tpl.Agents(); len(a) != 1 || !containsFold(a[0].Refusal, want) {
			t.Errorf("%s: Agents() = %+v, want a Refusal that mentions %s", file, a, want)
		}
	}
}

// TestFargateNextToEC2: the EC2 agent can be edited on its own; the Fargate
// one is refused when chosen by name, and skipped with a warning as part of
// "all" (targets_test.go checks that case).
func TestFargateNextToEC2(t *testing.T) {
	src := readFixture(t, "fargate-plus-ec2.yaml")
	in, _ := decodeCFN(src)
	o := dind.DefaultOptions(dind.ModeSocket)
	o.TaskDefinitions = []string{"AgentTaskDefinition"}
	applyAndCheck(t, "EC2 only", src, in, o, []string{"AgentTaskDefinition"})

	for _, sel := range [][]string{{"FargateAgentTaskDefinition"}, {"AgentTaskDefinition", "FargateAgentTaskDefinition"}} {
		o.TaskDefinitions = sel
		res, err := dind.Apply(src, o)
		var re *dind.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "Fargate supports neither privileged containers nor host volumes") {
			t.Errorf("TaskDefinitions %v: want the Fargate *RefusedError, got %v (result %v)", sel, err, res != nil)
		}
	}
}

func TestSudoImageTags(t *testing.T) {
	base := readFixture(t, "sudo-literal.yaml")
	const line = "Image: jetbrains/teamcity-agent:2023.11.1\n"
	sudo := dind.DefaultOptions(dind.ModePrivileged)
	sudo.SudoImage = true
	sudo.AgentVersion = "2023.11.1" // used for floating tags only
	for _, tc := range []struct {
		image, want string
		warn        bool
	}{
		{"jetbrains/teamcity-agent:2023.11.1-linux-sudo", "jetbrains/teamcity-agent:2023.11.1-linux-sudo", false},
		// implicit latest: pinned to --agent-version
		{"jetbrains/teamcity-agent", "jetbrains/teamcity-agent:2023.11.1-linux-sudo", false},
		{"registry.example.com:5000/jetbrains/teamcity-agent", "registry.example.com:5000/jetbrains/teamcity-agent:2023.11.1-linux-sudo", false},
		{"jetbrains/teamcity-agent:latest", "jetbrains/teamcity-agent:2023.11.1-linux-sudo", false},
		{"registry.example.com:5000/jetbrains/teamcity-agent:2023.11.1", "registry.example.com:5000/jetbrains/teamcity-agent:2023.11.1-linux-sudo", false},
		{"jetbrains/teamcity-agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "jetbrains/teamcity-agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
		// JetBrains' own tags: 2023.11.1-linux has the sudo variant 2023.11.1-linux-sudo.
		{"jetbrains/teamcity-agent:2023.11.1-linux", "jetbrains/teamcity-agent:2023.11.1-linux-sudo", false},
	} {
		src := replaced(t, base, line, "Image: "+tc.image+"\n")
		res, doc := apply(t, src, sudo)
		if got := agentContainer(t, doc, "AgentTaskDefinition")["Image"]; got != tc.want {
			t.Errorf("--sudo-image on %s: Image %v, want %s", tc.image, got, tc.want)
		}
		if tc.warn && !hasWarning(res, "sudo") {
			t.Errorf("--sudo-image on %s: want a warning, got %q", tc.image, res.Warnings)
		}
		checkIdempotent(t, tc.image, res.Output, sudo)
	}
}

// TestNoneUndoesBlogEdits: none on the blog post's own two edits gives back
// the template before the edit, byte for byte, but for the blog post's
// comments: a removal takes only the entry's own lines, and every comment
// stays (a comment above an entry may as well be a commented-out
// alternative, which must not be lost).
func TestNoneUndoesBlogEdits(t *testing.T) {
	blog := readFixture(t, "blog.yaml")
	for file, desc := range map[string]string{
		"blog-socket.yaml":     "with the blog post's socket edit (",
		"blog-privileged.yaml": "with the blog post's privileged edit (",
	} {
		src := readFixture(t, file)
		res, err := dind.Apply(src, dind.DefaultOptions(dind.ModeNone))
		if err != nil {
			t.Fatal(err)
		}
		want := replaced(t, blog, "shaped like the blog post (", desc)
		// The edit's lines, in src but not in the blog template, go
		// except its comments.
		var kept []byte
		wantLines, i := splitLines(want), 0
		for _, line := range splitLines(src) {
			switch {
			case i < len(wantLines) && line == wantLines[i]:
				kept = append(kept, wantLines[i]...)
				i++
			case strings.HasPrefix(strings.TrimSpace(line), "#"):
				kept = append(kept, line...)
			}
		}
		want = kept
		if !bytes.Equal(res.Output, want) {
			t.Errorf("none on %s (- want, + got):\n%s", file, lineDiff(want, res.Output))
		}
	}
}
