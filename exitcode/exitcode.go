// Package exitcode maps errors to the exit statuses of the command line
// contract: 0 done, 1 failure, 2 usage, 3 change needed (--check), 130
// interrupted.
package exitcode

import (
	"errors"
	"fmt"
)

const (
	OK          = 0
	Failure     = 1
	Usage       = 2
	NeedsChange = 3
	Interrupted = 130
)

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
