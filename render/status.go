package render

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/fleet"
)

// StatusTable is tcdind status for people: one group per profile, account
// and region, a row per agent container sorted by stack, then the stacks
// tcdind cannot edit and why, the notes, and one closing line. want ("" for
// none) colours the modes that are not it.
func (s Styles) StatusTable(st *fleet.Status, want string) string {
	var b strings.Builder
	head := []string{"STACK", "AGENT", "MODE", "IMAGE", "LAUNCH", "CFN HOLDS", "ECS RUNS"}
	group := ""
	var rows [][]string
	var styles [][]lipgloss.Style
	flush := func() {
		if len(rows) == 0 {
			return
		}
		b.WriteString(table(s, head, rows, styles))
		rows, styles = nil, nil
	}
	for _, stack := range st.Stacks {
		g := groupTitle(stack)
		if g != group {
			flush()
			if group != "" {
				b.WriteString("\n")
			}
			group = g
			b.WriteString(s.Section.Render(g) + "\n")
		}
		name := stack.Name
		if stack.Parent != "" {
			name += " (nested in " + stack.Parent + ")"
		}
		if len(stack.Agents) == 0 {
			rows = append(rows, []string{name, "?", "", "", "", "", ""})
			styles = append(styles, plainRow(s, 7))
		}
		for i, a := range stack.Agents {
			// No launch type from ECS or the template: a service on a
			// capacity provider, or a task definition no service runs. "-"
			// says unknown; a blank cell reads as a misaligned column.
			launch := a.LaunchType
			if launch == "" {
				launch = "-"
			}
			row := []string{name, a.TaskDefinition + "/" + a.Container, a.Mode, a.Image, launch, a.Revision, runs(a)}
			if i > 0 {
				row[0] = ""
			}
			rs := plainRow(s, len(row))
			switch {
			case want != "" && a.Mode == want:
				rs[2] = s.Success
			case want != "" || a.Mode != "none":
				rs[2] = s.Warning
			}
			if a.Drift {
				rs[6] = s.ErrTitle
			}
			rows = append(rows, row)
			styles = append(styles, rs)
		}
	}
	flush()

	var cannot []string
	for _, stack := range st.Stacks {
		if !stack.Editable {
			cannot = append(cannot, fmt.Sprintf("  %s (%s): %s", stack.Name, stack.Region, strings.Join(stack.NotEditable, "; ")))
		}
	}
	if len(cannot) > 0 {
		b.WriteString("\n" + s.Section.Render("tcdind cannot edit") + "\n" + strings.Join(cannot, "\n") + "\n")
	}
	if len(st.Notes) > 0 {
		b.WriteString("\n" + s.Section.Render("not read") + "\n")
		for _, n := range st.Notes {
			b.WriteString("  " + s.Warning.Render(noteWhere(n)+n.Text) + "\n")
		}
	}
	b.WriteString("\n" + StatusSummary(st, want) + "\n")
	return b.String()
}

// StatusSummary is the closing line of status.
func StatusSummary(st *fleet.Status, want string) string {
	agents := 0
	for _, stack := range st.Stacks {
		agents += len(stack.Agents)
	}
	line := fmt.Sprintf("%s with %s in %s, of %s read", count(len(st.Stacks), "stack"), count(agents, "agent container"), count(len(st.Regions), "region"), count(st.Scanned, "stack"))
	if want != "" {
		line += fmt.Sprintf("; %d not in %s mode", len(st.NotIn(want)), want)
	}
	if d := st.Drifted(); d > 0 {
		line += fmt.Sprintf("; %d drifted (ECS runs another revision than CloudFormation holds)", d)
	}
	if len(st.Notes) > 0 {
		// Each note is a region or a stack that could not be read.
		line += fmt.Sprintf("; %s not read (see above)", Count(len(st.Notes), "region or stack", "regions or stacks"))
	}
	return line
}

// count is Count for a noun whose plural takes an s.
func count(n int, what string) string { return Count(n, what, what+"s") }

func groupTitle(st fleet.Stack) string {
	parts := []string{}
	if st.Profile != "" {
		parts = append(parts, "profile "+st.Profile)
	}
	if st.Account != "" {
		parts = append(parts, "account "+st.Account)
	}
	parts = append(parts, st.Region)
	return strings.Join(parts, " · ")
}

func noteWhere(n fleet.Note) string {
	var parts []string
	if n.Profile != "" {
		parts = append(parts, "profile "+n.Profile)
	}
	if n.Region != "" {
		parts = append(parts, n.Region)
	}
	if n.Stack != "" {
		parts = append(parts, "stack "+n.Stack)
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ", ") + ": "
}

// runs is what the agent's services run, "drift" marked.
func runs(a fleet.Agent) string {
	if len(a.Services) == 0 {
		return "no service"
	}
	var out []string
	for _, s := range a.Services {
		r := s.Runs
		if r == "" {
			r = "not found"
		}
		out = append(out, r)
	}
	text := strings.Join(out, ",")
	if a.Drift {
		text += " (drift)"
	}
	return text
}

func plainRow(s Styles, n int) []lipgloss.Style {
	rs := make([]lipgloss.Style, n)
	for i := range rs {
		rs[i] = s.Text
	}
	return rs
}

// table lays rows out in columns two spaces apart, padded by display
// width (styles do not count), indented by two.
func table(s Styles, head []string, rows [][]string, styles [][]lipgloss.Style) string {
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = lipgloss.Width(h)
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], lipgloss.Width(c))
		}
	}
	var b strings.Builder
	line := func(cells []string, st []lipgloss.Style) {
		b.WriteString("  ")
		for i, c := range cells {
			pad := width[i] - lipgloss.Width(c)
			if st != nil {
				c = st[i].Render(c)
			}
			if i == len(cells)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", pad+2))
		}
		b.WriteString("\n")
	}
	hs := make([]lipgloss.Style, len(head))
	for i := range hs {
		hs[i] = s.Subtle
	}
	line(head, hs)
	for i, r := range rows {
		line(r, styles[i])
	}
	return b.String()
}
