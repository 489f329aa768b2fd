package render

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff is the plain unified diff from before to after, labelled with
// name; empty when they are equal.
func UnifiedDiff(name string, before, after []byte) string {
	return udiff.Unified(name, name+" (dind)", string(before), string(after))
}

// Diff colours a unified diff line by line: additions green, removals red,
// hunk headers cyan, file headers bold. The plain styles leave the text as
// it is; the +/- markers still tell the lines apart.
func (s Styles) Diff(diff string) string {
	diff = strings.TrimSuffix(diff, "\n")
	if diff == "" {
		return ""
	}
	lines := strings.Split(diff, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		l = strings.ReplaceAll(l, "\t", "    ")
		switch {
		case strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "):
			l = s.DiffHeader.Render(l)
		case strings.HasPrefix(l, "@@"):
			l = s.DiffHunk.Render(l)
		case strings.HasPrefix(l, "+"):
			l = s.DiffAdd.Render(l)
		case strings.HasPrefix(l, "-"):
			l = s.DiffDel.Render(l)
		case strings.HasPrefix(l, `\`):
			l = s.Subtle.Render(l)
		default:
			l = s.DiffCtx.Render(l)
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
