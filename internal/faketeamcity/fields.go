package faketeamcity

import "strings"

// fields is a parsed fields= parameter: the names to keep, each with its
// own nested selection (nil: the whole value). TeamCity's syntax is
// "count,agent(id,name,properties(property(name,value)))"; $long and * keep
// everything at their level; $locator(...) and other $ names are accepted
// and ignored, as unknown names are (fields only select).
type fields struct {
	all  bool
	keep map[string]*fields
}

func parseFields(s string) *fields {
	f := &fields{keep: map[string]*fields{}}
	for _, part := range splitTop(s, ',') {
		name, sub, nested := part, "", false
		if i := strings.IndexByte(part, '('); i >= 0 && len(part) > i && part[len(part)-1] == ')' {
			name, sub, nested = part[:i], part[i+1:len(part)-1], true
		}
		switch {
		case name == "$long" || name == "*":
			f.all = true
		case name == "" || name[0] == '$':
		case nested:
			f.keep[name] = parseFields(sub)
		default:
			f.keep[name] = nil
		}
	}
	return f
}

// apply selects from v, a rendered map or list of maps.
func (f *fields) apply(v any) any {
	if f == nil {
		return v
	}
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = f.apply(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, val := range t {
			sub, ok := f.keep[k]
			if !ok && !f.all {
				continue
			}
			out[k] = sub.apply(val)
		}
		return out
	}
	return v
}

// wants reports whether the selection keeps the value at that path.
func (f *fields) wants(path ...string) bool {
	for _, name := range path {
		if f == nil || f.all {
			return true
		}
		sub, ok := f.keep[name]
		if !ok {
			return false
		}
		f = sub
	}
	return true
}
