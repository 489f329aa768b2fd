package dind

import (
	"fmt"
	"runtime"
	"sync"

	"go.yaml.in/yaml/v3"
)

// verifyBudget bounds how much output verify parses again. Real templates
// have a few agent task definitions of a few kilobytes and are verified
// whole; a template with a hundred large ones is verified up to the budget,
// in template order: its task definitions got the same edits from the same
// code, and parsing all of them again would double the run time.
const verifyBudget = 256 << 10

// verify checks the output before anyone sees it: each edited task
// definition, cut out of the output, parses and has every agent container in
// the mode asked for. A mistake of the editor becomes an error instead of a
// broken template. Only the edited resources are parsed again (the rest of
// the output is the input's bytes); when a snippet cannot stand alone (an
// alias to an anchor elsewhere, say) the whole output is parsed instead.
func (t *Template) verify(l *layout, out []byte, edits []byteEdit, targets []*taskDef, mode Mode) error {
	flowResources := false
	if res := mapGet(t.root, "Resources"); res != nil {
		flowResources = res.Style&yaml.FlowStyle != 0
	}
	snippets := make([][]byte, 0, len(targets))
	size := 0
	for _, td := range targets {
		if size > verifyBudget {
			break
		}
		snippet, err := resourceSnippet(l, out, edits, td)
		if err != nil {
			return t.verifyWhole(out, targets, mode)
		}
		if flowResources {
			snippet = append(append([]byte("{"), snippet...), '}')
		}
		snippets = append(snippets, snippet)
		size += len(snippet)
	}
	targets = targets[:len(snippets)]
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
				var doc yaml.Node
				if yaml.Unmarshal(snippets[i], &doc) != nil || len(doc.Content) != 1 || len(doc.Content[0].Content) != 2 {
					continue
				}
				standalone[i] = true
				results[i] = t.checkMode(targets[i], doc.Content[0].Content[1], mode)
			}
		}()
	}
	wg.Wait()
	for i := range targets {
		if !standalone[i] {
			return t.verifyWhole(out, targets, mode)
		}
		if results[i] != nil {
			return results[i]
		}
	}
	return nil
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
		end = l.nextLineStart(end)
		// Comments indented under the resource after its last value are
		// its own, and the editor appends after them.
		for line := l.lineOf(end); end < len(l.src) && line <= l.lineCount(); line++ {
			if k := l.kind(line); k == lineComment && l.indent(line) > td.key.Column-1 {
				end = l.nextLineStart(l.lineStart(line))
			} else if k != lineBlank {
				break
			}
		}
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

func (t *Template) verifyWhole(out []byte, targets []*taskDef, mode Mode) error {
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
	return nil
}

func internalError(id, msg string) error {
	return fmt.Errorf("internal error editing %s: %s; nothing was written. Please report this with the template", id, msg)
}
