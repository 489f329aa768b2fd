package dind

import "go.yaml.in/yaml/v3"

// Template is a parsed CloudFormation template and its original bytes.
type Template struct {
	src  []byte
	text *text
	json bool
	root *yaml.Node // the top-level mapping
	// anchors says which nodes aliases share, and whether the whole output
	// must be verified.
	anchors *anchors
	params  map[string]string
	agents  []*taskDef
	// names are the agent containers' names given by Options.Containers;
	// nil means the agent rule (isAgent).
	names []string
	// runners are what runs each task definition (see findRunners).
	runners map[string][]runner
}

// taskDef is an agent task definition with the nodes an edit needs.
type taskDef struct {
	id         string
	key        *yaml.Node // the logical ID
	resource   *yaml.Node
	props      *yaml.Node   // Properties
	containers []*yaml.Node // every container mapping, of both Fn::If branches
	agents     []*yaml.Node // the agent containers among them
	// branch numbers the container lists: containers of different lists are
	// alternatives (the branches of an Fn::If), never in one task together.
	branch map[*yaml.Node]int

	refusal string
}

// IsJSON reports whether the template is JSON rather than YAML.
func (t *Template) IsJSON() bool { return t.json }

// Source is the template's original bytes.
func (t *Template) Source() []byte { return t.src }

// Agents are the task definitions that run a TeamCity agent, in template order.
func (t *Template) Agents() []TaskDefinition {
	out := make([]TaskDefinition, 0, len(t.agents))
	for _, td := range t.agents {
		out = append(out, t.describe(td))
	}
	return out
}

func (t *Template) describe(td *taskDef) TaskDefinition {
	d := TaskDefinition{LogicalID: td.id, Line: td.key.Line, Refusal: td.refusal}
	for _, c := range td.agents {
		d.Containers = append(d.Containers, Container{
			Name:  t.nameOf(c),
			Image: t.resolve(mapGet(c, "Image")),
			Line:  c.Line,
			Mode:  containerMode(td.props, c),
		})
	}
	return d
}

// Apply parses src and applies opts to it.
func Apply(src []byte, opts Options) (*Result, error) {
	t, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return t.Apply(opts)
}
