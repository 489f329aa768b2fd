// Package exitcode maps errors to the exit statuses of the command line
// contract: 0 done, 1 failure, 2 usage, 3 change needed (--check), 4
// outcome not known yet, 128+n interrupted by signal n (130 for ctrl+c).
package exitcode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

const (
	OK          = 0
	Failure     = 1
	Usage       = 2
	NeedsChange = 3
	// Pending: the outcome is not known yet. An update goes on in AWS after
	// tcdind stopped following it, or a change set may remain that tcdind
	// could not check; the message names the command that tells.
	Pending = 4
	// Interrupted by SIGINT (ctrl+c); SIGTERM and SIGHUP end with 143 and
	// 129, as shells report them. Nothing was written and no change set
	// is left: that was checked.
	Interrupted = 130
)

// SignalError is the cause of a context cancelled by a signal.
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return "interrupted by " + e.Signal.String() }

// ForSignal is the exit status of a run ended by sig: 128 + its number.
func ForSignal(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return Interrupted
}

// InterruptedCode is the exit status for an interruption of the run whose
// context is ctx: the signal that cancelled it, or 130.
func InterruptedCode(ctx context.Context) int {
	var se *SignalError
	if errors.As(context.Cause(ctx), &se) {
		return ForSignal(se.Signal)
	}
	return Interrupted
}

// Error carries the exit status an error should end the process with.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// UsageError is a problem with the flags or arguments: exit 2.
func UsageError(format string, args ...any) error {
	return &Error{Code: Usage, Err: fmt.Errorf(format, args...)}
}

// WithCode wraps err so that it ends the process with code.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// ErrInterrupted is the user pressing ctrl+c or sending SIGINT.
var ErrInterrupted = &Error{Code: Interrupted, Err: errors.New("interrupted: nothing was written")}

// ErrNeedsChange is --check finding that the template is not in the mode yet.
// It is a result, not a failure: it prints no error line.
var ErrNeedsChange = &Error{Code: NeedsChange, Err: errors.New("a change is needed")}

// Code is the exit status for err: 0 for nil, the carried code for an
// *Error anywhere in the chain, 1 otherwise.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failure
}

// Meaning says what an exit status means, in the words of the command
// line contract (the JSON result carries it beside the code).
func Meaning(code int) string {
	switch {
	case code == OK:
		return "done"
	case code == Failure:
		return "failure"
	case code == Usage:
		return "usage"
	case code == NeedsChange:
		return "change needed"
	case code == Pending:
		return "not known yet"
	case code > 128 && code < 160:
		return "interrupted by signal " + syscall.Signal(code-128).String()
	}
	return "unknown"
}
