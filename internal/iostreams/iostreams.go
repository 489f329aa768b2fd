// Package iostreams is the terminal a command talks to: its standard
// streams and whether a person is at them (cli/cli's pkg/iostreams is the
// model). Tests make one with Test and set the terminal state they need,
// where a real *os.File would otherwise be required.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams are a command's standard streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// Set by SetStdinTTY, SetStdoutTTY and SetStderrTTY; nil: asked of
	// the stream.
	stdinTTY, stdoutTTY, stderrTTY *bool
}

// System are the process's standard streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// Test are streams on buffers, no terminal unless set: the input to fill,
// and the output and error output to read.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	ios = &IOStreams{In: in, Out: out, ErrOut: errOut}
	ios.SetStdinTTY(false)
	ios.SetStdoutTTY(false)
	ios.SetStderrTTY(false)
	return ios, in, out, errOut
}

// SetStdinTTY says whether standard input is a terminal.
func (s *IOStreams) SetStdinTTY(tty bool) { s.stdinTTY = &tty }

// SetStdoutTTY says whether standard output is a terminal.
func (s *IOStreams) SetStdoutTTY(tty bool) { s.stdoutTTY = &tty }

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool {
	if s.stdinTTY != nil {
		return *s.stdinTTY
	}
	return isTerminal(s.In)
}

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool {
	if s.stdoutTTY != nil {
		return *s.stdoutTTY
	}
	return isTerminal(s.Out)
}

// SetStderrTTY says whether standard error is a terminal.
func (s *IOStreams) SetStderrTTY(tty bool) { s.stderrTTY = &tty }

// IsStderrTTY reports whether standard error is a terminal: a progress
// line that rewrites itself goes there only then.
func (s *IOStreams) IsStderrTTY() bool {
	if s.stderrTTY != nil {
		return *s.stderrTTY
	}
	return isTerminal(s.ErrOut)
}

// CanPrompt reports whether a person can answer questions: both standard
// input and output are terminals.
func (s *IOStreams) CanPrompt() bool { return s.IsStdinTTY() && s.IsStdoutTTY() }

func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && isatty.IsTerminal(f.Fd())
}
