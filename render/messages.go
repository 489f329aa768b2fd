package render

// The lines tcdind writes for people on standard error, beside the data
// on standard output, share one prefix scheme, so that they are found
// with one grep and told from a tool's own output:
//
//	tcdind: <what failed and what to do>   an error (the run's last line)
//	tcdind: warning: <text>                something to act on
//	tcdind: note: <text>                   something to know
//	tcdind: security: <text>               the mode's security cost
//
// Every such line is made here.

// ErrorLine is the run's error as its one line.
func ErrorLine(text string) string { return "tcdind: " + text }

// WarningLine is a warning line.
func WarningLine(text string) string { return "tcdind: warning: " + text }

// NoteLine is a note line.
func NoteLine(text string) string { return "tcdind: note: " + text }

// SecurityLine is the security note's line.
func SecurityLine(text string) string { return "tcdind: security: " + text }
