package render

import "strings"

// Command is a shell command laid out to be copied whole in w columns:
// indent spaces before it, and where it does not fit, lines broken
// between words with a " \" continuation, the next line indented 4 more.
// It is never cut. A flag stays with its value ("--stack-name teamcity")
// when they fit on a line; a word longer than a line (a long path) is
// broken inside with a backslash at the end of the line and the rest at
// the start of the next, which a shell joins back into the word.
func Command(cmd string, indent, w int) string {
	pad := strings.Repeat(" ", indent)
	cont := pad + "    "
	var units []string
	for _, u := range commandUnits(cmd) {
		if len([]rune(cont+u))+2 > w && strings.Contains(u, " ") && !strings.ContainsAny(u, "'") {
			// The flag and its value part, each on a line of its own.
			units = append(units, strings.SplitN(u, " ", 2)...)
			continue
		}
		units = append(units, u)
	}
	if len(units) == 0 {
		return pad
	}
	var lines []string
	line := pad
	for i, u := range units {
		sep := " "
		if i == 0 {
			sep = ""
		}
		switch {
		case len([]rune(line+sep+u))+2 <= w || i == 0 && len([]rune(line+u)) <= w:
			line += sep + u
			continue
		case i > 0:
			lines = append(lines, line+" \\")
			line = cont
		}
		// A word too long for a line of its own is broken inside.
		r := []rune(u)
		for len([]rune(line))+len(r)+1 > w && !strings.ContainsAny(u, "'") && w-len([]rune(line))-1 > 8 {
			n := w - len([]rune(line)) - 1
			lines = append(lines, line+string(r[:n])+"\\")
			line, r = "", r[n:]
		}
		line += string(r)
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
