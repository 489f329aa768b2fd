package dind

import "slices"

// AllContainers are the named containers of every AWS::ECS::TaskDefinition,
// agents or not, once each by name, in template order: what
// Options.Containers may name. Image has parameter defaults substituted as
// far as they resolve; Mode is the container's mode now. A container
// without a Name is left out: Options.Containers cannot name it.
func (t *Template) AllContainers() []Container {
	tds, err := t.scanTaskDefs()
	if err != nil {
		return nil
	}
	var out []Container
	seen := map[string]bool{}
	for _, td := range tds {
		for _, c := range td.containers {
			name := t.nameOf(c)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, Container{
				Name:  name,
				Image: t.resolve(mapGet(c, "Image")),
				Line:  c.Line,
				Mode:  containerMode(td.props, c),
			})
		}
	}
	return out
}

// WithContainers is t with the agent containers named (as
// Options.Containers does) instead of found by the agent rule: its Agents
// are the task definitions with a container of one of these names. A name
// no task definition has is a *ContainerError. Applying Options with the
// same Containers to either template gives the same result.
func (t *Template) WithContainers(names []string) (*Template, error) {
	if len(names) == 0 {
		return t, nil
	}
	return t.withContainers(slices.Clone(names))
}
