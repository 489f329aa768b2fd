package wizard

import (
	"errors"
	"strings"

	"github.com/tcdind/tcdind/render"
)

// drainLeftError is agents tcdind disabled and could not enable again.
type drainLeftError struct{ problems []string }

func (e *drainLeftError) Error() string {
	return strings.Join(e.problems, "; ")
}

// drainOutcome is the run's error from the drain: an agent left disabled
// first (it says what to do), then why the drain ended before executing.
func (m *Model) drainOutcome() error {
	run := m.tc.drain
	if run == nil {
		return nil
	}
	if r := run.outcome(); r != nil && !r.OK() {
		_, errs := render.RestoredLines(*r, strings.TrimRight(m.a.tc.url, "/"))
		return errors.Join(&drainLeftError{problems: errs}, m.tc.drainErr)
	}
	return m.tc.drainErr
}

// restoredLine says what enabling the agents again found; "" before.
func (m *Model) restoredLine() string {
	run := m.tc.drain
	if run == nil || run.outcome() == nil {
		return ""
	}
	lines, _ := render.RestoredLines(*run.outcome(), strings.TrimRight(m.a.tc.url, "/"))
	for i, l := range lines {
		lines[i] = render.Capitalize(l) + "."
	}
	return strings.Join(lines, " ")
}

// closeTeamCity enables again, when the program ended without it, the
// agents a drain disabled (a hangup, a second ctrl+c): Close calls it once
// the commands stopped and the outcome is known. An update left running
// keeps them disabled, as batch does: enabled now they would take builds
// on tasks about to be replaced; TeamCity enables them at the switch-back
// time, and the summary gives the commands to do it sooner. An agent
// tcdind could not enable again is the run's outcome: it says what to do.
func (m *Model) closeTeamCity() {
	run := m.tc.drain
	if run == nil {
		return
	}
	if m.sess.isExecuted() && (m.out.stack == outcomeNone || m.out.stack == outcomeUnknown) && run.outcome() == nil {
		m.tc.staysDisabled = true
		return
	}
	run.enableAgain(m.ctx)
	var left *drainLeftError
	if err := m.drainOutcome(); errors.As(err, &left) {
		m.out.err = left
	}
}
