package main

import (
	"io"

	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/internal/iostreams"
)

// plainOnly: --quiet or --debug ask for plain lines, not the wizard's
// screen (which would hide the debug lines, or show more than the result).
func (o *options) plainOnly() bool { return o.quiet || o.debug || o.json }

// streams are ios for the batch front end: with --quiet, messages go
// nowhere and only the result and questions reach standard error.
func (o *options) streams(ios *iostreams.IOStreams) batch.Streams {
	s := streams(ios)
	if o.quiet {
		s.Err, s.Say = io.Discard, ios.ErrOut
	}
	return s
}

// debugOut is where --debug writes each AWS request and answer.
func (o *options) debugOut(ios *iostreams.IOStreams) io.Writer {
	if o == nil || !o.debug {
		return nil
	}
	return ios.ErrOut
}
