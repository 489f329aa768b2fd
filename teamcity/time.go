package teamcity

import (
	"strings"
	"time"
)

// timeLayout is how TeamCity's REST API writes dates, e.g.
// 20250115T103000+0000 (the startDate of a build, statusSwitchTime of an
// agent: https://www.jetbrains.com/help/teamcity/rest/build.html).
const timeLayout = "20060102T150405-0700"

// FormatTime writes t as TeamCity's REST API takes it.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ParseTime reads a TeamCity date; the zero time for "" or what does not
// parse.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(timeLayout, s); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	return time.Time{}
}
