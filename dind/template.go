package dind

// Template is a parsed CloudFormation template and its original bytes.
type Template struct {
	src    []byte
	json   bool
	agents []TaskDefinition
}

// Parse reads a YAML or JSON template. It refuses input over
// MaxTemplateSize and input that does not parse, naming the position.
func Parse(src []byte) (*Template, error) {
	return nil, &RefusedError{Reason: "not implemented yet"}
}

// IsJSON reports whether the template is JSON rather than YAML.
func (t *Template) IsJSON() bool { return t.json }

// Source is the template's original bytes.
func (t *Template) Source() []byte { return t.src }

// Agents are the task definitions that run a TeamCity agent, in template order.
func (t *Template) Agents() []TaskDefinition { return t.agents }

// Apply plans and applies opts to the template.
func (t *Template) Apply(opts Options) (*Result, error) {
	return nil, &RefusedError{Reason: "not implemented yet"}
}

// Apply parses src and applies opts to it.
func Apply(src []byte, opts Options) (*Result, error) {
	t, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return t.Apply(opts)
}
