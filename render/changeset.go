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
	return WarningLine(Replacement(stack))
}

// Replacement is the replacement warning as a sentence of its own.
func Replacement(stack string) string {
	return fmt.Sprintf("updating stack %s replaces the TeamCity agent tasks: builds running on them are interrupted. Run it when the agents are idle.", stack)
}

// NothingToChange is CloudFormation finding nothing to change in a stack;
// cleanup says what became of the change set.
func NothingToChange(stack, cleanup string) string {
	return fmt.Sprintf("CloudFormation found nothing to change in stack %s: it already runs this template; %s", stack, cleanup)
}

// FailedResources are the resources an update failed on, as plain lines
// ("failed resources:" and one line each), and the stack's reason.
func FailedResources(failed []awsclient.StackEvent, stackReason string) string {
	var b strings.Builder
	if len(failed) > 0 {
		b.WriteString("failed resources:\n")
		for _, f := range failed {
			fmt.Fprintf(&b, "  %s (%s): %s\n", f.LogicalID, f.ResourceType, f.Reason)
		}
	}
	if stackReason != "" {
		b.WriteString("stack status reason: " + stackReason + "\n")
	}
	return b.String()
}

// StackWhere names a stack and its region in a header.
func StackWhere(stack, region string) string {
	if region == "" {
		return "stack " + stack
	}
	return "stack " + stack + " · " + region
}

// Capitalize upper-cases a sentence's first letter.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// NoMatch follows a list's filter that matches nothing.
const NoMatch = "no match: backspace to edit, esc to clear"

// NoStacks says a region has no stack that can be updated now; hidden are
// the stacks that are busy or under review, "name (STATUS)".
func NoStacks(region string, hidden []string) string {
	s := "There is no CloudFormation stack in " + region + " that can be updated now (in a settled *_COMPLETE state)."
	if len(hidden) > 0 {
		s += " " + Hidden(hidden)
	}
	return s
}

// Hidden counts the stacks not offered: busy, under review, or failed.
func Hidden(hidden []string) string {
	if len(hidden) == 1 {
		return "1 more stack cannot be updated now: " + hidden[0] + "."
	}
	return fmt.Sprintf("%d more stacks cannot be updated now: %s.", len(hidden), strings.Join(hidden, ", "))
}

// StacksDescription is the stack question's description: what is listed,
// how far the check for TeamCity agents got, and the stacks not offered.
func StacksDescription(region string, checked, toCheck, skipped int, probing bool, hidden []string) string {
	d := "Stacks in " + region + " that can be updated now. Type to filter."
	if probing {
		d += fmt.Sprintf(" Looking for TeamCity agents: %d of %d checked.", checked, toCheck)
	}
	if skipped > 0 {
		d += " " + Count(skipped, "stack was", "stacks were") + " not checked for an agent (too many); type to filter and choose one all the same."
	}
	if len(hidden) > 0 {
		d += " " + Hidden(hidden)
	}
	return d
}

// SaveIntro stands above the save question.
func SaveIntro(stack bool) string {
	if stack {
		return "Nothing has been written yet, and the stack is not changed: the patched template is saved to a file."
	}
	return "Nothing has been written yet. The input file is never changed unless you name it here."
}

// ChangeSetDeleted is the outcome of a change set deleted on the way out.
func ChangeSetDeleted(changeSet, stack string) string {
	return "change set " + changeSet + " deleted, stack " + stack + " unchanged"
}

// BucketIntro stands above the S3 bucket question.
func BucketIntro(size, limit int) string {
	return fmt.Sprintf("The patched template is %d bytes, over CloudFormation's limit of %d bytes for a template sent inline: tcdind uploads it to an S3 bucket of yours (under tcdind/<stack>/) and passes its URL. The bucket must be in the stack's account. Flag: --s3-bucket.", size, limit)
}

// ReviewNeedsBucket is the review's action line when the change set needs
// an S3 bucket first.
const ReviewNeedsBucket = "Press enter to name an S3 bucket for the template (it is over 51,200 bytes), then create a change set; nothing changes before you execute it. s saves to a file instead."

// ChangeSetTableWidth is ChangeSetTable when it fits in w columns; in a
// narrower terminal each change takes two lines instead of a row, so that
// no column (REPLACEMENT least of all) is cut:
//
//	Modify AgentTaskDefinition
//	  AWS::ECS::TaskDefinition, replacement: True
func ChangeSetTableWidth(changes []awsclient.ResourceChange, st Styles, w int) string {
	table := ChangeSetTable(changes, st)
	widest := 0
	for _, l := range strings.Split(ChangeSetTablePlain(changes), "\n") {
		widest = max(widest, len([]rune(l)))
	}
	if widest <= w || len(changes) == 0 {
		return table
	}
	var b strings.Builder
	for _, c := range changes {
		style := st.ChangeEdit
		switch c.Action {
		case "Add":
			style = st.ChangeAdd
		case "Remove":
			style = st.ChangeRemove
		}
		b.WriteString("  " + style.Render(dash(c.Action)) + " " + dash(c.LogicalID) + "\n")
		b.WriteString(Wrap("    "+dash(c.ResourceType)+", replacement: "+dash(c.Replacement), w) + "\n")
	}
	return b.String()
}
