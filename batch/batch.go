// Package batch runs tcdind without questions: every answer comes from flags,
// messages go to standard error as plain lines, and the patched template or
// diff goes to standard output only when asked.
package batch

import (
	"io"
)

// Streams are where a run reads and writes.
type Streams struct {
	In  io.Reader
	Out io.Writer // the template or diff, only when asked
	Err io.Writer // messages, warnings, progress
}
