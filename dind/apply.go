package dind

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Apply plans and applies opts to the template. The result's Output is the
// original bytes with only the edits the mode needs.
func (t *Template) Apply(opts Options) (*Result, error) {
	if _, err := ParseMode(string(opts.Mode)); err != nil {
		return nil, err
	}
	if len(opts.Containers) > 0 {
		named, err := t.withContainers(opts.Containers)
		if err != nil {
			return nil, err
		}
		t = named
	}
	targets, err := t.selectTargets(opts.TaskDefinitions)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if targets, err = skipRefused(targets, opts, res); err != nil {
		return nil, err
	}
	l := newLayout(t.text)
	l.presize(targets)
	edited := make([]*taskDef, 0, len(targets))
	ed := newEditor(l)
	ed.anchors = t.anchors
	for _, td := range targets {
		res.Targets = append(res.Targets, td.id)
		if err := mergedPrivileged(td, opts.Mode); err != nil {
			return nil, err
		}
		l.index(td.resource, nil, td.key, false, td.key.Column-1)
		ed.label = "task definition " + td.id + ": "
		edited = append(edited, td)
		r, err := newRecipe(t, ed, td, t.detectStyle(l, td), opts, res)
		if err != nil {
			return nil, err
		}
		if err := r.run(); err != nil {
			return nil, err
		}
		t.serviceDistinct(l, ed, td, opts, res)
	}
	out, edits, err := ed.render()
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", targetsLabel(res.Targets), err)
	}
	res.Output = out
	res.Changed = !bytes.Equal(out, t.src)
	if res.Changed && len(out) > MaxTemplateSize {
		return nil, &RefusedError{Reason: fmt.Sprintf("the edited template would be %d bytes, over CloudFormation's limit of 1 MB (%d bytes); nothing was written: shorten the template or edit fewer task definitions", len(out), MaxTemplateSize)}
	}
	if res.Changed {
		if err := t.verify(l, out, edits, edited, opts.Mode, res.ChangedDefaults, res.Services); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func targetsLabel(ids []string) string {
	if len(ids) == 1 {
		return "task definition " + ids[0]
	}
	return fmt.Sprintf("task definitions %v", ids)
}

// selectTargets resolves the --task-definition choice.
func (t *Template) selectTargets(ids []string) ([]*taskDef, error) {
	if len(t.agents) == 0 {
		return nil, t.noAgent()
	}
	found := make([]string, len(t.agents))
	for i, td := range t.agents {
		found[i] = td.id
	}
	if len(ids) == 0 {
		if len(t.agents) > 1 && t.names == nil {
			return nil, &SelectionError{Msg: fmt.Sprintf("the template has %d agent task definitions and none was chosen", len(t.agents)), Found: found}
		}
		return t.agents, nil
	}
	if slices.Contains(ids, AllTaskDefinitions) {
		return t.agents, nil
	}
	var out []*taskDef
	for _, id := range ids {
		var match *taskDef
		for _, td := range t.agents {
			if td.id == id {
				match = td
			}
		}
		if match == nil {
			msg := fmt.Sprintf("%s is not an agent task definition of this template", id)
			switch {
			case t.isTaskDefinition(id) && t.names != nil:
				msg = fmt.Sprintf("%s has no container named %s", id, strings.Join(t.names, " or "))
			case t.isTaskDefinition(id):
				msg = fmt.Sprintf("%s runs no TeamCity agent container", id)
			}
			return nil, &SelectionError{Msg: msg, Found: found}
		}
		if !slices.Contains(out, match) {
			out = append(out, match)
		}
	}
	return out, nil
}

func (t *Template) isTaskDefinition(id string) bool {
	res := mapGet(mapGet(t.root, "Resources"), id)
	return res != nil && res.Kind == yaml.MappingNode && scalarValue(mapGet(res, "Type")) == "AWS::ECS::TaskDefinition"
}
