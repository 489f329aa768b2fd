package wizard

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/render"
)

// list is a long select (regions, stacks) the user narrows by typing: the
// typed or pasted text filters the options, backspace takes a letter back,
// esc clears it. huh's own filter keeps a scrolled viewport and a cursor out
// of the filtered range, so the wizard filters the options itself.
type list struct {
	field   *huh.Select[string]
	title   string
	value   *string
	all     func() []huh.Option[string] // every option, in order
	desc    func() string               // the description above the filter
	filter  string
	noMatch bool // the filter matches nothing: the last matches stay shown
	top     int  // the first option row listView shows
	shown   []huh.Option[string]
	// moves are the cursor moves down to the value, made once the form
	// is ready: huh scrolls a select's chosen option to its top otherwise.
	moves int
}

// selectOf is a select whose cursor stops at the ends of its options
// instead of wrapping around (atListEnd).
func selectOf[T comparable](m *Model, title string, opts []huh.Option[T], value *T) *huh.Select[T] {
	if len(opts) > 0 {
		m.ends = [2]any{opts[0].Value, opts[len(opts)-1].Value}
	}
	m.choiceDefault = defaultOf(opts, *value)
	return huh.NewSelect[T]().Title(title).Options(opts...).Value(value)
}

// defaultOf is the option an empty answer picks, as a plain prompt says
// it: its number and its name ("1, Discard"), the text of its label up to
// a colon or a column.
func defaultOf[T comparable](opts []huh.Option[T], value T) string {
	for i, o := range opts {
		if o.Value == value {
			name, _, _ := strings.Cut(o.Key, "  ")
			name, _, _ = strings.Cut(name, ":")
			return fmt.Sprintf("%d, %s", i+1, strings.TrimSpace(name))
		}
	}
	if len(opts) == 0 {
		return ""
	}
	return defaultOf(opts, opts[0].Value)
}

// atListEnd reports whether msg would move a select's cursor past its
// first or last option, which huh wraps around: the key is not taken.
func (m *Model) atListEnd(msg tea.KeyMsg) bool {
	f, ok := m.focused().(interface{ GetFiltering() bool })
	if !ok || m.ends[0] == nil {
		return false
	}
	v := f.(huh.Field).GetValue()
	switch msg.String() {
	case "up", "k", "ctrl+p", "shift+tab", "left", "h":
		return v == m.ends[0]
	case "down", "j", "ctrl+n", "tab", "right", "l":
		return v == m.ends[1]
	}
	return false
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
	l.moves, l.shown = 0, opts
	for i, o := range opts {
		if o.Value == *l.value {
			l.moves = i
		}
	}
	if len(opts) > 0 {
		if !m.plain { // the cursor moves back to the answer; plain prompts have none
			*l.value = opts[0].Value
		}
		m.ends = [2]any{opts[0].Value, opts[len(opts)-1].Value}
	}
	l.field = huh.NewSelect[string]().
		Title(m.listTitle()).
		Description(l.desc()).
		Options(opts...).
		Value(l.value)
	// The select draws every option; listView shows the window of them
	// that fits (huh's own scrolling jumps a page when the cursor reaches
	// the last row shown).
	return huh.NewForm(huh.NewGroup(l.field))
}

// listTitle is the question, and the filter typed so far.
func (m *Model) listTitle() string {
	l := m.list
	switch {
	case l.noMatch:
		return l.title + "   filter: " + l.filter + "▏ " + render.NoMatch
	case l.filter != "":
		return l.title + "   filter: " + l.filter + "▏ (esc clears)"
	}
	return l.title
}

// listHeight is the height of a long list's field: what the header, the
// footer (at its longest, the stack list's) and the line saying what is
// out of view leave.
func (m *Model) listHeight() int {
	w := m.contentWidth()
	footer := m.footer(w, append(m.formHints(), hint{"ctrl+r", "read again"}))
	return max(m.bodyHeight(m.header(w), footer), 5)
}

// listView is the list's form view v (every option drawn) cut to the
// rows that fit, the cursor's row always among them, with a line saying
// how many options are above and below.
func (m *Model) listView(v string) string {
	l := m.list
	lines := strings.Split(v, "\n")
	n := len(l.shown)
	head := len(lines) - n // the title and the description
	if head < 0 || n == 0 {
		return v
	}
	rows := max(m.listHeight()-head, 3)
	if n <= rows {
		return v
	}
	rows-- // the line saying what is out of view
	cursor := 0
	for i, line := range lines[head:] {
		if strings.HasPrefix(strings.TrimLeft(ansi.Strip(line), " ┃│"), ">") {
			cursor = i
		}
	}
	l.top = min(max(l.top, cursor-rows+1), cursor, n-rows)
	l.top = max(l.top, 0)
	shown := append(append([]string{}, lines[:head]...), lines[head+l.top:head+l.top+rows]...)
	more := moreLine(l.top, n-l.top-rows, m.formWidth(), "↑/↓ move")
	return strings.Join(shown, "\n") + "\n" + m.st.Subtle.Render(more)
}

// refreshList shows the options that match the filter, the cursor on the
// same value when it is still shown. When nothing matches, the last
// matches stay and the title says so.
func (m *Model) refreshList() {
	l := m.list
	if l == nil || m.form == nil {
		return
	}
	var shown []huh.Option[string]
	f := strings.ToLower(l.filter)
	for _, o := range l.all() {
		if strings.Contains(strings.ToLower(o.Key), f) {
			shown = append(shown, o)
		}
	}
	l.noMatch = len(shown) == 0
	if l.noMatch {
		shown = l.shown
	}
	m.form = m.listForm(shown)
	m.readyForm()
}

// filterRunes are the runes of a key that type into a list's filter:
// letters, digits, - _ . of stack and region names. A paste or fast
// typing brings several at once; all are taken.
func filterRunes(msg tea.KeyMsg) string {
	if msg.Type != tea.KeyRunes || msg.Alt {
		return ""
	}
	var b strings.Builder
	for _, r := range msg.Runes {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// filterUpdate handles the keys that edit a list's filter; it reports
// whether the key was one.
func (m *Model) filterUpdate(msg tea.Msg) bool {
	l := m.list
	k, ok := msg.(tea.KeyMsg)
	if l == nil || m.form == nil || !ok {
		return false
	}
	switch {
	case filterRunes(k) != "" && (k.String() != "?" || l.filter != ""):
		l.filter += filterRunes(k)
		m.refreshList()
		return true
	case k.Type == tea.KeyBackspace && l.filter != "":
		r := []rune(l.filter)
		l.filter = string(r[:len(r)-1])
		m.refreshList()
		return true
	case k.Type == tea.KeyEsc && l.filter != "":
		l.filter = ""
		m.refreshList()
		return true
	case k.Type == tea.KeyEnter && l.noMatch:
		return true // nothing matches: enter would pick what is not shown as matching
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
