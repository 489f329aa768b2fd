package dind

import (
	"fmt"
	"runtime"
	"sync"

	"go.yaml.in/yaml/v3"
)

// verify checks the output before anyone sees it: each edited task
// definition, cut out of the output, parses and has every agent container in
// the mode asked for. A mistake of the editor becomes an error instead of a
// broken template. Only the edited resources are parsed again (the rest of
// the output is the input's bytes); when a snippet cannot stand alone, or
// the template has anchors, aliases, merge keys or tags of its own (an edit
// in one place can then break or change another), or an edit lies outside
// the edited task definitions, the whole output is parsed and compared with
// the input instead: outside the edited task definitions, exactly the
// parameter Defaults the edit reports (defaults) may differ, and only to
// their new values. Every edited task definition is verified, however large
// the template.
func (t *Template) verify(l *layout, out []byte, edits []byteEdit, targets []*taskDef, mode Mode, defaults map[string]string, services []string) error {
	if t.anchors != nil && t.anchors.exotic || len(defaults) > 0 || len(services) > 0 || editsOutside(l, edits, targets) {
		return t.verifyWhole(out, targets, mode, defaults, services)
	}
	flowResources := false
	if res := mapGet(t.root, "Resources"); res != nil {
		flowResources = res.Style&yaml.FlowStyle != 0
	}
	snippets := make([][]byte, 0, len(targets))
	for _, td := range targets {
		snippet, err := resourceSnippet(l, out, edits, td)
		if err != nil {
			return t.verifyWhole(out, targets, mode, defaults, services)
		}
		if flowResources {
			snippet = append(append([]byte("{"), snippet...), '}')
		}
		snippets = append(snippets, snippet)
	}
	// The snippets parse independently: spread them over the processors.
	results := make([]error, len(targets))
	standalone := make([]bool, len(targets))
	next := make(chan int, len(targets))
	for i := range targets {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(targets)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				root, err := unmarshalJSONSafe(snippets[i], parseDocument)
				if err != nil || root == nil || root.Kind != yaml.MappingNode || len(root.Content) != 2 {
					continue
				}
				if _, err := inspect(root); err != nil {
					continue
				}
				standalone[i] = true
				results[i] = t.checkMode(targets[i], root.Content[1], mode)
			}
		}()
	}
	wg.Wait()
	for i := range targets {
		if !standalone[i] {
			return t.verifyWhole(out, targets, mode, defaults, services)
		}
		if results[i] != nil {
			return results[i]
		}
	}
	return nil
}

// editsOutside reports an edit that is not inside the text of an edited
// task definition: only the whole output can then show what it changed.
func editsOutside(l *layout, edits []byteEdit, targets []*taskDef) bool {
	type span struct{ start, end int }
	spans := make([]span, 0, len(targets))
	for _, td := range targets {
		end, err := l.end(td.resource)
		if err != nil {
			return true
		}
		if !l.info[td.resource].flow {
			end = l.pastDeeperComments(l.nextLineStart(end), td.key.Column-1)
		}
		spans = append(spans, span{l.start(td.key), end})
	}
	for _, e := range edits {
		inside := false
		for _, s := range spans {
			if e.start >= s.start && e.end <= s.end {
				inside = true
				break
			}
		}
		if !inside {
			return true
		}
	}
	return false
}

// resourceSnippet is the output text of a task definition's resource, from
// its logical ID to the end of its value.
func resourceSnippet(l *layout, out []byte, edits []byteEdit, td *taskDef) ([]byte, error) {
	start := l.start(td.key)
	end, err := l.end(td.resource)
	if err != nil {
		return nil, err
	}
	if !l.info[td.resource].flow {
		// Comment lines indented deeper than the logical ID still belong to
		// the resource, and insertions go after them.
		end = l.pastDeeperComments(l.nextLineStart(end), td.key.Column-1)
	}
	newStart, newEnd := start, end
	for _, e := range edits {
		delta := len(e.text) - (e.end - e.start)
		switch {
		case e.end <= start && e.start < start:
			newStart += delta
			newEnd += delta
		case e.start >= start && e.start <= end:
			newEnd += delta
		}
	}
	if newStart < 0 || newEnd > len(out) || newStart > newEnd {
		return nil, fmt.Errorf("snippet out of range")
	}
	return out[newStart:newEnd], nil
}

func (t *Template) checkMode(td *taskDef, resource *yaml.Node, mode Mode) error {
	props := mapGet(resource, "Properties")
	lists, err := containerLists(mapGet(props, "ContainerDefinitions"))
	if err != nil {
		return internalError(td.id, err.Error())
	}
	agents := 0
	for _, list := range lists {
		for _, c := range list.Content {
			c = deref(c)
			if c.Kind != yaml.MappingNode || !t.isAgent(c) {
				continue
			}
			agents++
			if m := containerMode(props, c); m != mode {
				return internalError(td.id, fmt.Sprintf("the agent is in %s mode after the edit, not %s", m, mode))
			}
		}
	}
	if agents != len(td.agents) {
		return internalError(td.id, fmt.Sprintf("%d agent containers after the edit, %d before", agents, len(td.agents)))
	}
	return nil
}

func (t *Template) verifyWhole(out []byte, targets []*taskDef, mode Mode, defaults map[string]string, services []string) error {
	after, err := t.reparse(out)
	if err != nil {
		return internalError(targets[0].id, fmt.Sprintf("the edited template does not parse (%v)", err))
	}
	for _, td := range targets {
		var found *taskDef
		for _, a := range after.agents {
			if a.id == td.id {
				found = a
			}
		}
		if found == nil {
			return internalError(td.id, "the task definition has no agent after the edit")
		}
		if err := t.checkMode(td, found.resource, mode); err != nil {
			return err
		}
	}
	edited := map[string]bool{}
	for _, td := range targets {
		edited[td.id] = true
	}
	placed := map[string]bool{}
	for _, id := range services {
		placed[id] = true
	}
	if line := changedOutside(t.root, after.root, edited, placed, defaults); line > 0 {
		return internalError(targets[0].id, fmt.Sprintf("the edit changes the template outside the task definitions edited (line %d)", line))
	}
	return nil
}

// samePlacedService compares a service whose distinctInstance constraint the
// edit adds or removes: apart from that one item of PlacementConstraints (and
// the list's key when it held nothing else), a and b are the same.
func samePlacedService(a, b *yaml.Node) int {
	a, b = deref(a), deref(b)
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode || len(a.Content) != len(b.Content) {
		return a.Line
	}
	for i := 0; i+1 < len(a.Content); i += 2 {
		if line := sameNode(a.Content[i], b.Content[i]); line > 0 {
			return line
		}
		if a.Content[i].Value != "Properties" {
			if line := sameNode(a.Content[i+1], b.Content[i+1]); line > 0 {
				return line
			}
			continue
		}
		pa, pb := withoutDistinct(deref(a.Content[i+1])), withoutDistinct(deref(b.Content[i+1]))
		if line := sameNode(pa, pb); line > 0 {
			return line
		}
	}
	return 0
}

// withoutDistinct is a service's Properties without the distinctInstance
// items of PlacementConstraints, and without the key when nothing else is
// in it.
func withoutDistinct(props *yaml.Node) *yaml.Node {
	i := mapIndex(props, "PlacementConstraints")
	if i < 0 {
		return props
	}
	pc := deref(props.Content[i+1])
	cp := *props
	cp.Content = append([]*yaml.Node(nil), props.Content[:i]...)
	if pc.Kind == yaml.SequenceNode {
		list := *pc
		list.Content = nil
		for _, item := range pc.Content {
			if scalarValue(mapGet(deref(item), "Type")) != distinctInstance {
				list.Content = append(list.Content, item)
			}
		}
		if len(list.Content) > 0 {
			cp.Content = append(cp.Content, props.Content[i], &list)
		}
	} else {
		cp.Content = append(cp.Content, props.Content[i], props.Content[i+1])
	}
	cp.Content = append(cp.Content, props.Content[i+2:]...)
	return &cp
}

// changedOutside compares two templates as CloudFormation reads them
// (aliases expanded) except for the resources in skip and the parameter
// Defaults in defaults, which b must hold with their new values; it returns
// the line in a of the first difference, or 0. The alias budget of Parse
// bounds the walk.
func changedOutside(a, b *yaml.Node, skip, placed map[string]bool, defaults map[string]string) int {
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode || len(a.Content) != len(b.Content) {
		return a.Line
	}
	for i := 0; i+1 < len(a.Content); i += 2 {
		if line := sameNode(a.Content[i], b.Content[i]); line > 0 {
			return line
		}
		av, bv := deref(a.Content[i+1]), deref(b.Content[i+1])
		if a.Content[i].Value == "Parameters" && len(defaults) > 0 {
			if line := sameParameters(av, bv, defaults); line > 0 {
				return line
			}
			continue
		}
		if a.Content[i].Value != "Resources" || av.Kind != yaml.MappingNode || bv.Kind != yaml.MappingNode {
			if line := sameNode(av, bv); line > 0 {
				return line
			}
			continue
		}
		if len(av.Content) != len(bv.Content) {
			return av.Line
		}
		for j := 0; j+1 < len(av.Content); j += 2 {
			if line := sameNode(av.Content[j], bv.Content[j]); line > 0 {
				return line
			}
			if skip[av.Content[j].Value] {
				continue
			}
			if placed[av.Content[j].Value] {
				if line := samePlacedService(av.Content[j+1], bv.Content[j+1]); line > 0 {
					return line
				}
				continue
			}
			if line := sameNode(av.Content[j+1], bv.Content[j+1]); line > 0 {
				return line
			}
		}
	}
	return 0
}

// sameParameters compares two Parameters sections, in which the parameters
// named in defaults must have exactly those Defaults in b and be otherwise
// the same. Every name in defaults must be a parameter.
func sameParameters(a, b *yaml.Node, defaults map[string]string) int {
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode || len(a.Content) != len(b.Content) {
		return a.Line
	}
	seen := 0
	for i := 0; i+1 < len(a.Content); i += 2 {
		if line := sameNode(a.Content[i], b.Content[i]); line > 0 {
			return line
		}
		want, changed := defaults[a.Content[i].Value]
		if !changed || a.Content[i].Tag == "!!merge" {
			if line := sameNode(a.Content[i+1], b.Content[i+1]); line > 0 {
				return line
			}
			continue
		}
		seen++
		pa, pb := deref(a.Content[i+1]), deref(b.Content[i+1])
		if pa.Kind != yaml.MappingNode || pb.Kind != yaml.MappingNode || len(pa.Content) != len(pb.Content) {
			return pa.Line
		}
		found := false
		for j := 0; j+1 < len(pa.Content); j += 2 {
			ka, va, vb := pa.Content[j], pa.Content[j+1], deref(pb.Content[j+1])
			if line := sameNode(ka, pb.Content[j]); line > 0 {
				return line
			}
			if ka.Value != "Default" || ka.Tag == "!!merge" {
				if line := sameNode(va, vb); line > 0 {
					return line
				}
				continue
			}
			found = true
			if vb.Kind != yaml.ScalarNode || vb.Tag != "!!str" || vb.Value != want {
				return va.Line
			}
		}
		if !found {
			return pa.Line
		}
	}
	if seen != len(defaults) {
		return a.Line
	}
	return 0
}

func sameNode(a, b *yaml.Node) int {
	a, b = deref(a), deref(b)
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return a.Line
	}
	for i := range a.Content {
		if line := sameNode(a.Content[i], b.Content[i]); line > 0 {
			return line
		}
	}
	return 0
}

func internalError(id, msg string) error {
	return fmt.Errorf("internal error editing %s: %s; nothing was written. Please report this with the template", id, msg)
}
