package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/render"
)

// body is a screen's content, split by what happens when the terminal is
// short. The layout rule of every screen (wizard.md): from 60×20 up, the
// title (the header), the question or choice, and the key hints (the
// footer) always stay in view; tables, diffs, events and notes give way,
// scroll, and say that there is more.
type body struct {
	// top stays: what the screen is about, in a line or two.
	top string
	// scroll gives way: it is shown whole when it fits, else a window of
	// it that pgup/pgdn (and ↑/↓ where no question takes them) move, with
	// a line saying how much is above and below.
	scroll string
	// bottom stays: the question or the choice.
	bottom string
	// scrollLast puts scroll under bottom (a note about the highlighted
	// answer) rather than above it.
	scrollLast bool
	// follow keeps the window on the end of scroll (events as they come)
	// until the user scrolls up.
	follow bool
}

// pane is the scrolling window of the screen shown: one for every screen,
// reset when another is entered.
type pane struct {
	vp      viewport.Model
	scrolls bool // the last draw did not fit
	moved   bool // the user scrolled: follow no more
}

func newPane() pane {
	vp := viewport.New(0, 0)
	vp.SetHorizontalStep(8)
	return pane{vp: vp}
}

// window is content in at most h lines w wide: whole when it fits, else
// h-1 lines of it from the scroll position and a line saying what is above
// and below. follow keeps the end in view until the user scrolls.
func (p *pane) window(m *Model, content string, w, h int, follow bool) string {
	n := lipgloss.Height(content)
	if n <= h {
		p.scrolls = false
		p.vp.SetYOffset(0)
		return content
	}
	p.scrolls = true
	p.vp.Width, p.vp.Height = w, max(h-1, 1)
	p.vp.SetContent(content)
	if follow && !p.moved {
		p.vp.GotoBottom()
	}
	above := p.vp.YOffset
	below := max(n-above-p.vp.Height, 0)
	return p.vp.View() + "\n" + m.st.Subtle.Render(moreLine(above, below, w, "pgup/pgdn scroll"))
}

// moreLine says how much of a scrolled part is out of view, and the keys
// that bring it.
func moreLine(above, below, w int, keys string) string {
	var parts []string
	if above > 0 {
		parts = append(parts, fmt.Sprintf("↑ %d more above", above))
	}
	if below > 0 {
		parts = append(parts, fmt.Sprintf("↓ %d more below", below))
	}
	s := strings.Join(parts, " · ") + " · " + keys
	if lipgloss.Width(s) > w {
		s = strings.Join(parts, " · ")
	}
	return s
}

// scrollKey scrolls the pane when msg is a scroll key and the pane does
// not fit: pgup/pgdn always, ↑/↓ home/end ←/→ on screens without a
// question (which takes those keys).
func (p *pane) scrollKey(m *Model, msg tea.KeyMsg) bool {
	if !p.scrolls {
		return false
	}
	page := max(p.vp.Height-1, 1)
	switch {
	case key.Matches(msg, m.keys.PageDown):
		p.vp.ScrollDown(page)
	case key.Matches(msg, m.keys.PageUp):
		p.vp.ScrollUp(page)
	case m.form != nil:
		return false
	case msg.String() == "down" || msg.String() == "j":
		p.vp.ScrollDown(1)
	case msg.String() == "up" || msg.String() == "k":
		p.vp.ScrollUp(1)
	case msg.String() == "home" || msg.String() == "g":
		p.vp.GotoTop()
	case msg.String() == "end" || msg.String() == "G":
		p.vp.GotoBottom()
	case msg.String() == "right" || msg.String() == "l":
		p.vp.ScrollRight(8)
	case msg.String() == "left" || msg.String() == "h":
		p.vp.ScrollLeft(8)
	default:
		return false
	}
	p.moved = true
	return true
}

// percent is how far the pane is scrolled, 0 to 100.
func (p *pane) percent() int { return int(p.vp.ScrollPercent() * 100) }

// layout lays b out in w×h by the rule: top and bottom whole, scroll in
// what they leave. When even they do not fit, top gives way to the
// question (its end is cut), never the question.
func (m *Model) layout(b body, w, h int) string {
	top := strings.TrimRight(b.top, "\n ")
	bottom := strings.TrimRight(b.bottom, "\n ")
	scroll := strings.Trim(b.scroll, "\n")
	height := func(s string) int {
		if s == "" {
			return 0
		}
		return lipgloss.Height(s) + 1 // and the blank line after it
	}
	room := h - height(top) - height(bottom)
	if scroll != "" && room < 2 {
		// No room for the scrolled part: one line says it is there.
		if room >= 1 {
			m.pane.scrolls = true
			m.pane.vp.Width, m.pane.vp.Height = w, 1
			m.pane.vp.SetContent(scroll)
			scroll = m.st.Subtle.Render(moreLine(m.pane.vp.YOffset, max(lipgloss.Height(scroll)-m.pane.vp.YOffset, 0), w, "pgup/pgdn scroll"))
		} else {
			scroll = ""
		}
	} else if scroll != "" {
		scroll = m.pane.window(m, scroll, w, room, b.follow)
	} else {
		m.pane.scrolls = false
	}
	parts := []string{top, scroll, bottom}
	if b.scrollLast {
		parts = []string{top, bottom, scroll}
	}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	out := strings.Join(kept, "\n\n")
	if lipgloss.Height(out) <= h || bottom == "" {
		return out
	}
	// The question alone takes the screen: the top gives way.
	rest := h - lipgloss.Height(bottom) - 1
	if rest < 1 || top == "" {
		return lastLines(bottom, h)
	}
	lines := strings.Split(top, "\n")
	if len(lines) > rest {
		lines = append(lines[:rest-1], m.st.Subtle.Render("…"))
	}
	return strings.Join(lines, "\n") + "\n" + bottom
}

// lastLines is the last h lines of s.
func lastLines(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[len(lines)-h:]
	}
	return strings.Join(lines, "\n")
}

// prose is text in style, wrapped to w under indent, with every command it
// quotes on lines of its own, whole and with \ continuations (render.
// Command), so that it can be copied from the screen. w 0 (plain
// prompts) leaves it as it is: a command in a line is copied whole.
func (m *Model) prose(style lipgloss.Style, text string, w int, indent string) string {
	if w <= 0 {
		return indent + text
	}
	inner := max(w-len(indent), 20)
	var parts []string
	for text != "" {
		before, cmd, after := render.SplitCommand(text)
		if b := strings.TrimSpace(before); b != "" {
			parts = append(parts, style.Render(indent+strings.ReplaceAll(render.Wrap(b, inner), "\n", "\n"+indent)))
		}
		if cmd == "" {
			break
		}
		parts = append(parts, m.st.Strong.Render(render.Command(cmd, len(indent)+2, w)))
		text = strings.TrimSpace(after)
		if text == "." {
			break
		}
		text = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, ","), ";"))
	}
	return strings.Join(parts, "\n")
}
