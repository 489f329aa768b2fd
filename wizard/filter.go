package wizard

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/render"
)

// list is a long select (regions, stacks) the user narrows by typing: the
// typed text filters the options, backspace takes a letter back, esc
// clears it. huh's own filter keeps a scrolled viewport and a cursor out of
// the filtered range, so the wizard filters the options itself.
type list struct {
	field  *huh.Select[string]
	title  string
	value  *string
	all    func() []huh.Option[string] // every option, in order
	desc   func() string               // the description above the filter
	filter string
	// moves are the cursor moves down to the value, made once the form
	// is ready: huh scrolls a select's chosen option to its top otherwise.
	moves int
}

// newList makes the select of a list step; m.form holds it.
func (m *Model) newList(title string, value *string, all func() []huh.Option[string], desc func() string) *huh.Form {
	m.list = &list{title: title, value: value, all: all, desc: desc}
	return m.listForm(all())
}

// listForm is the list's question showing opts. It is made anew when the
// options change: huh sizes a select's viewport well only when it is made.
func (m *Model) listForm(opts []huh.Option[string]) *huh.Form {
	l := m.list
	l.moves = 0
	for i, o := range opts {
		if o.Value == *l.value {
			l.moves = i
		}
	}
	if len(opts) > 0 {
		*l.value = opts[0].Value
	}
	l.field = huh.NewSelect[string]().
		Title(m.listTitle()).
		Description(m.listDescription()).
		Options(opts...).
		Value(l.value)
	// A list that fits is drawn whole; a longer one scrolls in what the
	// screen leaves.
	if h := m.listFieldHeight(len(opts)); h == m.listHeight() {
		l.field.Height(h)
	}
	return huh.NewForm(huh.NewGroup(l.field))
}

func hasValue(opts []huh.Option[string], v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func (m *Model) listDescription() string { return m.list.desc() }

// listTitle is the question, and the filter typed so far.
func (m *Model) listTitle() string {
	if m.list.filter != "" {
		return m.list.title + "   filter: " + m.list.filter + "▏ (esc clears)"
	}
	return m.list.title
}

// listFieldHeight fits a list to its options, at most what the screen leaves.
func (m *Model) listFieldHeight(n int) int {
	lines := strings.Count(render.Wrap(m.listDescription(), max(m.formWidth()-2, 10)), "\n") + 1
	return min(m.listHeight(), n+1+lines)
}

// refreshList shows the options that match the filter, the cursor on the
// same value when it is still shown. It reports false when nothing matches.
func (m *Model) refreshList() bool {
	l := m.list
	if l == nil || m.form == nil {
		return false
	}
	var shown []huh.Option[string]
	f := strings.ToLower(l.filter)
	for _, o := range l.all() {
		if strings.Contains(strings.ToLower(o.Key), f) {
			shown = append(shown, o)
		}
	}
	if len(shown) == 0 {
		return false
	}
	m.form = m.listForm(shown)
	m.enterForm()
	m.moveListCursor()
	return true
}

// filterUpdate handles the keys that edit a list's filter; it reports
// whether the key was one.
func (m *Model) filterUpdate(msg tea.KeyMsg) bool {
	l := m.list
	if l == nil || m.form == nil {
		return false
	}
	switch {
	case filterKey(msg):
		old := l.filter
		l.filter += string(msg.Runes)
		if !m.refreshList() {
			l.filter = old // nothing would match: the key is not taken
		}
		return true
	case msg.Type == tea.KeyBackspace && l.filter != "":
		r := []rune(l.filter)
		l.filter = string(r[:len(r)-1])
		m.refreshList()
		return true
	case msg.Type == tea.KeyEsc && l.filter != "":
		l.filter = ""
		m.refreshList()
		return true
	case msg.String() == "/":
		return true // huh's filter is not used
	}
	return false
}

// moveListCursor moves the cursor of a new list form onto its value.
func (m *Model) moveListCursor() {
	if m.list == nil || m.form == nil {
		return
	}
	for ; m.list.moves > 0; m.list.moves-- {
		f, _ := m.form.Update(tea.KeyMsg{Type: tea.KeyDown})
		m.form = f.(*huh.Form)
	}
}
