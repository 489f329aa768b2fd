package faketeamcity

import (
	"fmt"
	"strings"
)

// locator is a parsed TeamCity locator: "dimension:value" pairs separated
// by commas, a value in parentheses being a nested locator
// (https://www.jetbrains.com/help/teamcity/rest/locators.html). A bare
// value is the $singleValue dimension.
type locator map[string]string

func parseLocator(s string) (locator, error) {
	l := locator{}
	for _, part := range splitTop(s, ',') {
		if part == "" {
			continue
		}
		dim, val, ok := cutTop(part, ':')
		if !ok {
			l["$singleValue"] = part
			continue
		}
		if strings.HasPrefix(val, "(") {
			if !strings.HasSuffix(val, ")") {
				return nil, fmt.Errorf("unbalanced parentheses in locator %q", s)
			}
			val = val[1 : len(val)-1]
		}
		l[dim] = val
	}
	return l, nil
}

// unknown returns the dimensions not in known, so they are refused loudly.
func (l locator) unknown(known ...string) []string {
	var out []string
	for d := range l {
		if !contains(known, d) {
			out = append(out, d)
		}
	}
	return out
}

// splitTop splits s at sep outside parentheses.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// cutTop cuts s at the first sep outside parentheses.
func cutTop(s string, sep byte) (string, string, bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// tristate matches a true/false/any dimension; def applies when absent.
func tristate(l locator, dim, def string, v bool) (bool, error) {
	want, ok := l[dim]
	if !ok {
		want = def
	}
	switch want {
	case "any", "":
		return true, nil
	case "true":
		return v, nil
	case "false":
		return !v, nil
	}
	return false, fmt.Errorf("dimension %s: %q is not true, false or any", dim, want)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
