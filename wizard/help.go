package wizard

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// helpView is the help overlay: the keys, and what this screen is for.
func (m *Model) helpView(w, h int) body {
	rows := [][2]string{
		{"enter", "confirm the answer, go on"},
		{"esc", "back one step (answers are kept)"},
		{"↑/↓", "move in a list (it stops at its ends); scroll where there is no question"},
		{"pgup/pgdn", "scroll what does not fit (a line says what is above and below)"},
		{"←/→", "scroll long diff lines sideways"},
		{"type", "filter a long list (regions, stacks); paste works"},
		{"?  f1", "this help (f1 where an answer is typed)"},
		{"ctrl+c", "quit; nothing is written"},
	}
	if p, ok := m.screens[stepProgress].(*progressScreen); ok && m.step == stepProgress && p.cancelOffered(m) {
		rows = append(rows, [2]string{"c", cancelAction})
	}
	inner := max(min(w, 80)-m.st.HelpBox.GetHorizontalFrameSize(), 20)
	var b strings.Builder
	b.WriteString(m.st.Section.Render("Keys") + "\n")
	for _, r := range rows {
		// A description that wraps goes on under itself, not under the key.
		desc := strings.ReplaceAll(render.Wrap(r[1], max(inner-12, 10)), "\n", "\n"+strings.Repeat(" ", 12))
		b.WriteString(m.st.Key.Render(padRight(r[0], 11)) + " " + desc + "\n")
	}
	b.WriteString("\n" + m.st.Section.Render("This step") + "\n")
	b.WriteString(render.Wrap(m.stepHelp(), inner))
	keysAndStep := b.String()
	b.WriteString("\n\n" + render.Wrap("Nothing is written before you press enter on the review. "+
		"Every question has a flag (tcdind --help); flags given skip their questions.", inner))
	box := m.st.HelpBox.Width(inner + m.st.HelpBox.GetHorizontalPadding())
	if full := box.Render(b.String()); lipgloss.Height(full) <= h {
		return body{top: full}
	}
	// A short terminal: no box, no closing paragraph, and it scrolls.
	return body{scroll: keysAndStep}
}

func (m *Model) stepHelp() string {
	help := rowOf(m.step).help
	if m.step == stepOptions {
		// The flags of the mode's own recipe: --sudo-image is
		// privileged mode's, --build-dirs socket mode's.
		help += " " + recipeFlags(m.a.mode)
	}
	return help
}

// recipeFlags names the flags that choose mode's recipe.
func recipeFlags(mode dind.Mode) string {
	switch mode {
	case dind.ModeSocket:
		return "Flags: --minimal, --build-dirs."
	case dind.ModePrivileged:
		return "Flags: --minimal, --sudo-image."
	}
	return "Flag: --minimal."
}

func padRight(s string, n int) string {
	if l := len([]rune(s)); l < n {
		return s + strings.Repeat(" ", n-l)
	}
	return s
}
