package wizard

import "github.com/charmbracelet/bubbles/key"

// keyMap are the keys every screen shares. Moving in a list, typing and
// scrolling are the huh fields' and the viewport's own keys.
type keyMap struct {
	Confirm key.Binding
	Back    key.Binding
	Quit    key.Binding
	Help    key.Binding
	// PageUp and PageDown scroll the part of a screen that gives way.
	PageUp   key.Binding
	PageDown key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Confirm:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "help")),
		PageUp:   key.NewBinding(key.WithKeys("pgup")),
		PageDown: key.NewBinding(key.WithKeys("pgdown")),
	}
}

// hint is one "key action" pair of a screen's footer.
type hint struct{ key, action string }
