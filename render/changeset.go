package render

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/tcdind/tcdind/awsclient"
)

// ChangeSetTablePlain is a change set's changes as an aligned plain table:
// action, logical ID, resource type, replacement. CloudFormation leaves
// Replacement empty for additions and removals (and some emulators always
// do); it is shown as "-".
func ChangeSetTablePlain(changes []awsclient.ResourceChange) string {
	if len(changes) == 0 {
		return "  (no resource changes)\n"
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ACTION\tLOGICAL ID\tTYPE\tREPLACEMENT")
	for _, c := range changes {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", dash(c.Action), dash(c.LogicalID), dash(c.ResourceType), dash(c.Replacement))
	}
	tw.Flush()
	return b.String()
}

// ChangeSetTable is ChangeSetTablePlain with the action coloured by st:
// Add green, Remove red, Modify yellow.
func ChangeSetTable(changes []awsclient.ResourceChange, st Styles) string {
	if !st.Color {
		return ChangeSetTablePlain(changes)
	}
	lines := strings.Split(strings.TrimSuffix(ChangeSetTablePlain(changes), "\n"), "\n")
	for i, c := range changes {
		if i+1 >= len(lines) {
			break
		}
		l := lines[i+1]
		a := dash(c.Action)
		style := st.ChangeEdit
		switch c.Action {
		case "Add":
			style = st.ChangeAdd
		case "Remove":
			style = st.ChangeRemove
		}
		lines[i+1] = "  " + style.Render(a) + strings.TrimPrefix(l, "  "+a)
	}
	return strings.Join(lines, "\n") + "\n"
}

// ReplacementWarning is the warning shown before a stack update: the agent
// tasks are replaced, and builds running on them are interrupted.
func ReplacementWarning(stack string) string {
	return fmt.Sprintf("warning: updating stack %s replaces the TeamCity agent tasks: builds running on them are interrupted. Run it when the agents are idle.", stack)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
