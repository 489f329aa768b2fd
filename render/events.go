package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// EventLinePlain is one stack event as a plain progress line: time (UTC),
// logical ID, resource type, status and, when CloudFormation gave one, the
// reason. No colour, no cursor movement.
func EventLinePlain(e awsclient.StackEvent) string {
	line := row(e.Time, e.LogicalID, e.ResourceType, e.Status)
	if e.Reason != "" {
		line += "  " + e.Reason
	}
	return line
}

// row is a progress line's columns: time (UTC), logical ID, what speaks
// (a resource type, or ECS) and what it says.
func row(t time.Time, id, source, text string) string {
	return fmt.Sprintf("%s  %-28s  %-34s  %s", t.UTC().Format("15:04:05"), id, source, text)
}

// EventLine is EventLinePlain with the status coloured by st: failures red,
// completions green, progress plain.
func EventLine(e awsclient.StackEvent, st Styles) string {
	if !st.Color {
		return EventLinePlain(e)
	}
	status := e.Status
	switch {
	case strings.HasSuffix(status, "_FAILED") || strings.HasPrefix(status, "UPDATE_ROLLBACK") || strings.HasPrefix(status, "ROLLBACK"):
		status = st.ChangeRemove.Render(status)
	case strings.HasSuffix(status, "_COMPLETE"):
		status = st.ChangeAdd.Render(status)
	}
	line := row(e.Time, e.LogicalID, e.ResourceType, status)
	if e.Reason != "" {
		line += "  " + st.Subtle.Render(e.Reason)
	}
	return line
}
