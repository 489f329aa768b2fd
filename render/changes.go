package render

import (
	"fmt"
	"strings"

	"github.com/tcdind/tcdind/dind"
)

// changeMarker classifies a change summary by its first word.
func changeMarker(summary string) string {
	w, _, _ := strings.Cut(strings.ToLower(summary), " ")
	switch w {
	case "add", "mount", "set", "append", "create":
		return "+"
	case "remove", "delete", "drop", "unmount":
		return "-"
	}
	return "~"
}

// Changes lists the edits of a result for people, grouped by task definition
// and container, each line wrapped to width (0: no wrapping).
func (s Styles) Changes(res *dind.Result, width int) string {
	if res == nil || len(res.Changes) == 0 {
		return ""
	}
	// Group by where, in the order each place first appears.
	var order []string
	groups := map[string][]dind.Change{}
	for _, c := range res.Changes {
		where := c.TaskDefinition
		if c.Container != "" {
			where += " / container " + c.Container
		}
		if _, ok := groups[where]; !ok {
			order = append(order, where)
		}
		groups[where] = append(groups[where], c)
	}
	var b strings.Builder
	for i, where := range order {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.Strong.Render(where) + "\n")
		for _, c := range groups[where] {
			m := changeMarker(c.Summary)
			style := s.ChangeEdit
			switch m {
			case "+":
				style = s.ChangeAdd
			case "-":
				style = s.ChangeRemove
			}
			text := c.Summary
			if width > 6 {
				text = strings.ReplaceAll(wrap(text, width-4), "\n", "\n    ")
			}
			fmt.Fprintf(&b, "  %s %s\n", style.Render(m), text)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Warnings lists warnings, each wrapped to width and marked "!".
func (s Styles) Warnings(warnings []string, width int) string {
	var b strings.Builder
	for i, w := range warnings {
		if i > 0 {
			b.WriteString("\n")
		}
		text := w
		if width > 4 {
			text = strings.ReplaceAll(wrap(w, width-2), "\n", "\n  ")
		}
		b.WriteString(s.Warning.Render("! " + text))
	}
	return b.String()
}
