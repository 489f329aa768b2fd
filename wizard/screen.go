package wizard

import tea "github.com/charmbracelet/bubbletea"

// screen is one screen of the wizard, a component the model delegates to
// while it is shown (soft-serve's common.Component is the model). The
// model owns what every screen shares: the answers, the form on screen,
// the header, the footer, the help and the error screen.
type screen interface {
	// enter shows the screen with the current answers: it sets the form
	// (m.setForm) or starts its work.
	enter(m *Model) tea.Cmd
	// update takes a key while the screen is shown, or a message routed to
	// it (routed). handled false hands a key on: esc goes back (the flow's
	// row says where), the others go to the form.
	update(m *Model, msg tea.Msg) (cmd tea.Cmd, handled bool)
	// view is the body in w×h, split by what stays and what gives way
	// (layout.go lays it out).
	view(m *Model, w, h int) body
	// hints are the footer's keys.
	hints(m *Model) []hint
}

// submitter is a screen whose form, completed, moves on.
type submitter interface {
	submit(m *Model) tea.Cmd
}

// leaver is a screen with work to stop when another is entered.
type leaver interface {
	leave(m *Model)
}

// quitter is a screen with something to finish before ctrl+c quits (a
// change set to delete); it returns the command that quits in the end.
type quitter interface {
	quit(m *Model) tea.Cmd
}

// busy is a screen that shows a spinner while it reports true.
type busy interface {
	spinning(m *Model) bool
}

// routed is a message for one screen, shown or not: the end of work it
// started (a load, a listing, a change set).
type routed interface {
	route() step
}

// screen returns s's component, made once.
func (m *Model) screen(s step) screen {
	if sc, ok := m.screens[s]; ok {
		return sc
	}
	r := rowOf(s)
	if r.screen == nil {
		return nil
	}
	sc := r.screen()
	m.screens[s] = sc
	return sc
}
