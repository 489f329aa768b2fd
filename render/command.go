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

// SplitCommand finds the first command a sentence quotes ("… check with
// aws ecs describe-services --cluster c …, or …"): the text before it,
// the command, and the text after it. cmd is empty when there is none. A
// command starts with "aws " or "tcdind --" and ends at ", ", "; ", ". ",
// " and " (the next command) or the end (a full stop there is the
// sentence's).
func SplitCommand(text string) (before, cmd, after string) {
	start := -1
	for _, p := range []string{"aws ", "tcdind --"} {
		for off := 0; off < len(text); {
			i := strings.Index(text[off:], p)
			if i < 0 {
				break
			}
			i += off
			if i == 0 || text[i-1] == ' ' || text[i-1] == '(' {
				if start < 0 || i < start {
					start = i
				}
				break
			}
			off = i + 1
		}
	}
	if start < 0 {
		return text, "", ""
	}
	rest := text[start:]
	end := len(rest)
	for _, sep := range []string{", ", "; ", ". ", ")", " and "} {
		if i := strings.Index(rest, sep); i >= 0 && i < end {
			end = i
		}
	}
	cmd = strings.TrimSuffix(rest[:end], ".")
	if !strings.Contains(cmd, " --") {
		// A command named, not given to run ("aws ecs deploy"): it stays
		// in its sentence.
		named := text[:start+len(cmd)]
		b, c, a := SplitCommand(text[len(named):])
		if c == "" {
			return text, "", ""
		}
		return named + b, c, a
	}
	return text[:start], cmd, text[start+len(cmd):]
}
