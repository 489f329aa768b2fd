package dind

// WithParameterValues is t with values (a stack's deployed parameter
// values) in place of the parameters' defaults, for describing the agents
// (their images) as the stack runs them. It makes no edit; t is unchanged.
func (t *Template) WithParameterValues(values map[string]string) *Template {
	if len(values) == 0 {
		return t
	}
	c := *t
	c.params = make(map[string]string, len(t.params)+len(values))
	for k, v := range t.params {
		c.params[k] = v
	}
	for k, v := range values {
		c.params[k] = v
	}
	return &c
}
