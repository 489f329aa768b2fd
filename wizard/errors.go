package wizard

import (
	"errors"
	"fmt"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
)

// screenError is an error shown on screen; esc goes back to step back.
type screenError struct {
	title  string
	detail string
	hint   string
	back   step
	// reload: enter reads the stack again (it changed since the review).
	reload bool
}

// errorView is the error screen.
// The title and what to do stay; the detail gives way.
func (m *Model) errorView(w int) body {
	e := m.err
	b := body{top: m.st.ErrTitle.Render(render.Wrap(e.title, w)), scroll: m.prose(m.st.Text, e.detail, w, "")}
	if e.hint != "" {
		b.bottom = m.prose(m.st.Text, e.hint, w, "")
	}
	return b
}

// problem is what kind of error err is, for the screens that say what to
// do about it: the UI switches on the error's type, never on its text.
type problem int

const (
	problemOther       problem = iota
	problemNoAgent             // dind.ErrNoAgent
	problemParse               // *dind.ParseError
	problemRefused             // *dind.RefusedError
	problemSelection           // *dind.SelectionError
	problemMoved               // *changeset.MovedError, *changeset.ObsoleteError
	problemTooLarge            // *changeset.TooLargeError
	problemPending             // exit 4: what is left could not be checked
	problemBusy                // *changeset.BusyError: the stack is updating
	problemCredentials         // no or expired credentials
	problemAccess              // not allowed
	problemNetwork             // AWS or the URL could not be reached
)

// problemOf classifies err.
func problemOf(err error) problem {
	var (
		parseErr *dind.ParseError
		refused  *dind.RefusedError
		sel      *dind.SelectionError
		moved    *changeset.MovedError
		obsolete *changeset.ObsoleteError
		tooLarge *changeset.TooLargeError
		busy     *changeset.BusyError
	)
	switch {
	case err == nil:
		return problemOther
	case errors.Is(err, dind.ErrNoAgent):
		return problemNoAgent
	case errors.As(err, &parseErr):
		return problemParse
	case errors.As(err, &refused):
		return problemRefused
	case errors.As(err, &sel):
		return problemSelection
	case errors.As(err, &moved), errors.As(err, &obsolete):
		return problemMoved
	case errors.As(err, &tooLarge):
		return problemTooLarge
	case pending(err):
		return problemPending
	case errors.As(err, &busy):
		return problemBusy
	}
	switch awsclient.Classify(err) {
	case awsclient.KindCredentials:
		return problemCredentials
	case awsclient.KindAccess:
		return problemAccess
	case awsclient.KindNetwork:
		return problemNetwork
	}
	return problemOther
}

// errorFor turns an error into a screen that says what to do.
func errorFor(err error, title string, back step) screenError {
	e := screenError{title: title, detail: err.Error(), back: back}
	switch problemOf(err) {
	case problemNoAgent:
		e.title = "No TeamCity build agent in this template"
		e.hint = "Press esc and give a template with the agent's ECS task definition."
	case problemParse:
		e.title = "This template does not parse"
		e.hint = "Press esc and give another file, or fix the line named above."
	case problemRefused:
		e.title = "tcdind will not edit this"
		e.hint = "Nothing was written. Press esc to choose differently."
	case problemSelection:
		e.title = "Choose the agent task definition again"
		e.hint = "Press esc to choose."
	case problemCredentials:
		e.hint = "The AWS credentials are missing or expired: quit with ctrl+c, sign in (aws sso login, or --profile), and run tcdind again."
	default:
		e.hint = "Press esc to go back."
	}
	return e
}

// pending reports whether err leaves something unknown (exit 4).
func pending(err error) bool { return err != nil && exitcode.Code(err) == exitcode.Pending }

// errNotARegion refuses a typed region name.
var errNotARegion = errors.New("not an AWS region name: type one such as us-east-1 or eu-west-2")

// errDiscarded is the outcome of a change set the user chose not to execute.
var errDiscarded = errors.New("not executed: you chose to discard it")

// joinOlder adds an older change set that may remain to err.
func joinOlder(err, older error) error {
	switch {
	case older == nil:
		return err
	case err == nil:
		return older
	}
	return fmt.Errorf("%w; %w", err, older)
}
