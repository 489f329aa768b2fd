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
	// Say receives what is said even with --quiet: the result (what was
	// written, the outcome) and questions. Nil: Err.
	Say io.Writer
}

// say is where the result and questions go.
func (s Streams) say() io.Writer {
	if s.Say != nil {
		return s.Say
	}
	return s.Err
}
