package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// enterReview applies the answers and shows the result. An engine refusal
// is an error screen leading back to the question that can fix it.
func (m *Model) enterReview() tea.Cmd {
	res, err := m.a.apply()
	if err != nil {
		back, _ := m.prevStep(stepReview)
		var sel *dind.SelectionError
		var refused *dind.RefusedError
		switch {
		case errors.As(err, &sel), errors.As(err, &refused):
			m.a.taskDefs = nil
			back = stepTemplate
			if m.applies(stepTaskDef) {
				back = stepTaskDef
			}
		}
		return m.fail(errorFor(err, "The change could not be made", back))
	}
	m.result = res
	m.step, m.form = stepReview, nil
	m.vp = viewport.New(0, 0)
	m.vp.SetHorizontalStep(8)
	m.layoutReview()
	return nil
}

// layoutReview sizes the viewport to the terminal and fills it.
func (m *Model) layoutReview() {
	w := m.contentWidth()
	m.vp.Width = w
	m.vp.SetContent(m.reviewContent(w))
	// The viewport takes what the header, the action lines and the footer
	// leave; the footer is measured at its widest, "scroll (100%)".
	header := m.header(w)
	footer := m.footer(w, m.reviewHintsFor(true, 100))
	m.vp.Height = max(m.bodyHeight(header, footer)-lipgloss.Height(m.reviewAction(w))-1, 1)
}

// reviewContent is the scrolling part of the review: the changes, the
// warnings, the security note, then the diff.
func (m *Model) reviewContent(w int) string {
	res := m.result
	tw := min(w, 90)
	var b strings.Builder
	targets := strings.Join(res.Targets, ", ")
	if !res.NeedsChange() {
		b.WriteString(render.Wrap(targets+" is already in "+string(m.a.mode)+" mode: nothing to change.", tw))
		if len(res.Warnings) > 0 {
			b.WriteString("\n\n" + m.st.Section.Render("Warnings") + "\n" + m.st.Warnings(res.Warnings, tw))
		}
		return b.String()
	}
	what := fmt.Sprintf("%d %s to %s: %s mode", len(res.Changes), plural(len(res.Changes), "change", "changes"), targets, m.a.mode)
	if r := recipeLabel(m.a.recipe, m.a.mode, res); r != "" {
		what += ", " + r
	}
	b.WriteString(m.st.Section.Render("What changes") + "\n")
	b.WriteString(render.Wrap(what, tw) + "\n\n")
	b.WriteString(m.st.Changes(res, tw))
	warnings := res.Warnings
	if m.isStack() {
		warnings = append([]string{"U" + strings.TrimPrefix(render.ReplacementWarning(m.a.stackInfo.Name), "warning: u")}, warnings...)
	}
	if len(warnings) > 0 {
		b.WriteString("\n\n" + m.st.Section.Render("Warnings") + "\n" + m.st.Warnings(warnings, tw))
	}
	b.WriteString("\n\n" + m.st.Section.Render("Diff") + "\n")
	b.WriteString(m.st.Diff(render.UnifiedDiff(m.diffName(), m.a.src.Bytes, res.Output)))
	if render.SecurityNote(m.a.mode).Risky {
		b.WriteString("\n\n" + m.st.SecurityNote(m.a.mode, min(w, 100)))
	}
	return b.String()
}

func (m *Model) diffName() string {
	if m.a.src.Path != "" {
		return m.a.src.Path
	}
	return m.a.src.Name
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// updateReview scrolls, or goes on with enter.
func (m *Model) updateReview(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Confirm) {
		switch {
		case !m.result.NeedsChange():
			m.finished = true
			m.step = stepDone
			return nil
		case m.a.explicitOut:
			return m.write()
		case m.isStack():
			return m.createChangeSet()
		}
		return m.enter(stepSave)
	}
	if msg.String() == "s" && m.isStack() && m.result.Changed {
		return m.enter(stepSave)
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return cmd
}

// reviewView is the action lines and the scrolling review.
func (m *Model) reviewView(w int) string {
	return m.reviewAction(w) + "\n\n" + m.vp.View()
}

// reviewAction says what enter does, and pins the security warning.
func (m *Model) reviewAction(w int) string {
	var action string
	switch {
	case !m.result.NeedsChange() && m.isStack():
		action = "Nothing to change in stack " + m.a.stackInfo.Name + ". Press enter to finish, or esc to choose another mode."
	case !m.result.NeedsChange():
		action = "Nothing to write. Press enter to finish, or esc to choose another mode."
	case m.isStack() && !m.a.explicitOut:
		action = "Press enter to create a change set; nothing changes before you execute it. s saves to a file instead."
	case m.a.explicitOut:
		action = "Press enter to write " + m.a.output + ". Nothing is written before."
	default:
		action = "Press enter to choose where to save. Nothing is written before."
	}
	action = fitWidth(m.st.Strong.Render(action), w)
	if n := render.SecurityNote(m.a.mode); n.Risky && m.result.NeedsChange() {
		action += "\n" + m.st.NoteTitle.Render(render.Wrap("! Security: builds on this agent get root on the EC2 host (note below the diff)", w))
	}
	return action
}

func (m *Model) reviewHints() []hint {
	return m.reviewHintsFor(m.vp.TotalLineCount() > m.vp.Height, int(m.vp.ScrollPercent()*100))
}

func (m *Model) reviewHintsFor(scrolls bool, percent int) []hint {
	hs := []hint{{"enter", "save"}}
	switch {
	case !m.result.NeedsChange():
		hs[0].action = "finish"
	case m.isStack() && !m.a.explicitOut:
		hs = []hint{{"enter", "create change set"}, {"s", "save to a file instead"}}
	}
	if scrolls {
		hs = append(hs, hint{"↑/↓ pgup/pgdn", fmt.Sprintf("scroll (%d%%)", percent)})
	}
	return append(hs, hint{"esc", "back"}, hint{"?", "help"}, hint{"ctrl+c", "quit"})
}

// fitWidth wraps a rendered line to w columns.
func fitWidth(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return render.Wrap(s, w)
}

// isStack reports whether the template is a deployed stack's.
func (m *Model) isStack() bool { return m.a.stackInfo != nil }
