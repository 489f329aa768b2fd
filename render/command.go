package render

import "strings"

// Command is a shell command laid out to be copied whole in w columns:
// indent spaces before it, and where it does not fit, lines broken
// between words with a " \" continuation, the next line indented 4 more.
// It is never cut: a word longer than a line stands alone on its line.
// A flag stays with its value ("--stack-name teamcity") when they fit.
func Command(cmd string, indent, w int) string {
	pad := strings.Repeat(" ", indent)
	units := commandUnits(cmd)
	if len(units) == 0 {
		return pad
	}
	var lines []string
	line := pad + units[0]
	for _, u := range units[1:] {
		// " \" ends every line but the last.
		if len([]rune(line))+1+len([]rune(u))+2 <= w {
			line += " " + u
			continue
		}
		lines = append(lines, line+" \\")
		line = pad + "    " + u
	}
	return strings.Join(append(lines, line), "\n")
}

// commandUnits are cmd's words, a quoted word whole, and a flag joined to
// its value.
func commandUnits(cmd string) []string {
	var words []string
	var cur strings.Builder
	quoted := false
	for _, r := range cmd {
		switch {
		case r == '\'':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	var units []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "-") && !strings.Contains(w, "=") && i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") {
			w += " " + words[i+1]
			i++
		}
		units = append(units, w)
	}
	return units
}
