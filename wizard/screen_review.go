package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/render"
)

// reviewScreen applies the answers and shows the result: what changes,
// the warnings, the diff and the security note, in a viewport. An engine
// refusal is an error screen leading back to the question that can fix it.
type reviewScreen struct{}

func (s *reviewScreen) enter(m *Model) tea.Cmd {
	res, err := m.a.apply()
	if err == nil && res.Refusal() != nil {
		// Privileged mode whose agent image cannot start Docker: never
		// written or applied, as on the command line. The recipe question
		// offers the -sudo image where that fixes it; otherwise the
		// template's image needs an edit by hand.
		e := errorFor(res.Refusal(), "", stepOptions)
		e.title = "Docker cannot start in this agent image"
		// In the wizard's terms: no flag can be passed here (review2).
		e.detail = wizardAdvice(e.detail)
		e.hint = "Nothing was written. Press esc and choose the recipe with the -sudo image, or socket mode; where no recipe offers it, edit the agent's image in the template as said above."
		return m.fail(e)
	}
	if err != nil {
		back, _ := m.prevStep(stepReview)
		switch problemOf(err) {
		case problemSelection, problemRefused:
			m.a.taskDefs = nil
			back = m.sourceStep()
			if m.asks(stepTaskDef) {
				back = stepTaskDef
			}
		}
		return m.fail(errorFor(err, "The change could not be made", back))
	}
	// The hosts read with the stack, judged as on the command line:
	// privileged where no host allows it is refused here, before any
	// change set, with the setting to change.
	hosts := m.a.hosts.Judge(m.a.options(), res.Targets, res.Services)
	if hosts.Refusal != nil {
		e := errorFor(hosts.Refusal, "", stepMode)
		e.title = "The hosts do not allow privileged mode"
		e.hint = "Nothing was created. Press esc and choose socket mode, or change the hosts' setting named above and run tcdind again."
		// Back on the mode question, socket is the answer proposed.
		m.a.mode = dind.ModeSocket
		return m.fail(e)
	}
	m.result, m.hosts = res, hosts
	return m.lookUpTeamCity()
}

// hostsLines are the review's lines about the agents' hosts: "Hosts: 2 ×
// Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed (cluster
// C)", one a cluster.
func (m *Model) hostsLines(w int) string {
	var lines []string
	for _, l := range m.hostsSaid() {
		lines = append(lines, render.Wrap(m.st.Subtle.Render("Hosts: ")+l, w))
	}
	return strings.Join(lines, "\n")
}

// hostsSaid are the hosts lines, and for what could not be read a line
// that points at the warning, so that the review never looks as if the
// hosts were fine.
func (m *Model) hostsSaid() []string {
	var out []string
	if len(m.hosts.Notes) > 0 {
		out = append(out, "not read (see the warnings)")
	}
	for _, c := range m.hosts.Clusters {
		switch {
		case c.Line != "":
			out = append(out, c.Line)
		case c.Hosts == nil:
			out = append(out, "not read in cluster "+c.Name+" (see the warnings)")
		}
	}
	return out
}

// reviewWarnings are the warnings of the review: the stack update's, the
// engine's, then the hosts'.
func (m *Model) reviewWarnings() []string {
	warnings := slices.Clone(m.result.Warnings)
	for i, w := range warnings {
		warnings[i] = wizardAdvice(w)
	}
	if m.isStack() && m.result.NeedsChange() {
		warnings = append([]string{m.reviewReplacement()}, warnings...)
	}
	for _, w := range m.hosts.Warnings() {
		warnings = append(warnings, render.Capitalize(w))
	}
	return warnings
}

// reviewContent is the scrolling part of the review: the changes, the
// warnings, the security note, then the diff.
func (m *Model) reviewContent(w int) string {
	res := m.result
	tw := min(w, 90)
	var b strings.Builder
	targets := strings.Join(res.Targets, ", ")
	hosts := m.hostsLines(tw)
	if hosts != "" {
		hosts += "\n"
	}
	warnings := m.reviewWarnings()
	if !res.NeedsChange() {
		b.WriteString(render.Wrap(targets+" is already in "+string(m.a.mode)+" mode: nothing to change.", tw))
		if hosts != "" {
			b.WriteString("\n" + strings.TrimSuffix(hosts, "\n"))
		}
		if len(warnings) > 0 {
			b.WriteString("\n\n" + m.st.Section.Render("Warnings") + "\n" + m.st.Warnings(warnings, tw))
		}
		return b.String()
	}
	what := fmt.Sprintf("%d %s to %s: %s mode", len(res.Changes), render.Plural(len(res.Changes), "change", "changes"), targets, m.a.mode)
	if r := recipeLabel(m.a.recipe, m.a.mode, res); r != "" {
		what += ", " + r
	}
	b.WriteString(m.st.Section.Render("What changes") + "\n")
	b.WriteString(render.Wrap(what, tw) + "\n" + hosts + "\n")
	b.WriteString(m.st.Changes(res, tw))
	if tc := m.teamCityLines(); len(tc) > 0 {
		b.WriteString("\n\n" + m.st.Section.Render("TeamCity") + "\n" + wrapItems(tc, tw))
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

// update scrolls, or goes on with enter; esc goes back.
func (s *reviewScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if msg, ok := msg.(tcLookedMsg); ok {
		m.tcLooked(msg)
		// The change set's question came first: it gets the drain now.
		if cs, ok := m.screens[stepChangeSet].(*changeSetScreen); ok && m.step == stepChangeSet && cs.phase == csReady && m.err == nil && m.canDrain() {
			return m.setForm(huh.NewForm(huh.NewGroup(cs.field(m)))), true
		}
		return nil, true
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok || key.Matches(k, m.keys.Back) {
		return nil, false
	}
	if key.Matches(k, m.keys.Confirm) {
		return m.reviewed(), true
	}
	if k.String() == "s" && m.isStack() && m.result.Changed {
		return m.enter(stepSave), true
	}
	// The other keys scroll the review (the model's pane).
	return nil, false
}

// reviewed goes on from the review: finish, save, or create the change set.
func (m *Model) reviewed() tea.Cmd {
	switch {
	case !m.result.NeedsChange():
		// One enter leaves: the review said there is nothing to change,
		// and the summary after exit says it again. Plain prompts say the
		// done screen instead.
		m.out.finished = true
		if m.plain {
			return m.enter(stepDone)
		}
		return tea.Quit
	case m.a.explicitOut:
		return m.write()
	case m.isStack() && m.a.stackInfo != nil && m.a.stackInfo.ParentID != "":
		// The root's next update would undo a change made on the child.
		e := errorFor(&changeset.NestedError{Stack: m.a.stackInfo.Name, Parent: m.a.stackInfo.ParentID}, "Stack "+m.a.stackInfo.Name+" is a nested stack", stepReview)
		e.hint = "No change set was created. Press esc, then s to save the patched template, and put it where the root stack gets the child's template."
		return m.fail(e)
	case m.needsBucket():
		return m.enter(stepBucket)
	case m.isStack():
		return m.enter(stepChangeSet)
	}
	return m.enter(stepSave)
}

// view is the action lines and the scrolling review.
func (s *reviewScreen) view(m *Model, w, _ int) body {
	if m.result == nil {
		return body{}
	}
	return body{top: m.reviewAction(w), scroll: m.reviewContent(w)}
}

func (s *reviewScreen) hints(m *Model) []hint {
	return m.reviewHintsFor(m.pane.scrolls)
}

// reviewAction says what enter does, and pins the security warning.
func (m *Model) reviewAction(w int) string {
	var action string
	switch {
	case !m.result.NeedsChange() && m.isStack():
		action = "Nothing to change in stack " + m.a.stackInfo.Name + ". Press enter to finish, or esc to choose another mode."
	case !m.result.NeedsChange():
		action = "Nothing to write. Press enter to finish, or esc to choose another mode."
	case m.needsBucket() && !m.a.explicitOut:
		action = render.ReviewNeedsBucket
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

func (m *Model) reviewHintsFor(scrolls bool) []hint {
	hs := []hint{{"enter", "save"}}
	switch {
	case !m.result.NeedsChange():
		hs[0].action = "finish"
	case m.isStack() && !m.a.explicitOut:
		hs = []hint{{"enter", "create change set"}, {"s", "save to a file instead"}}
	}
	if scrolls {
		hs = append(hs, hint{"↑/↓ pgup/pgdn", "scroll"})
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

// wrapItems wraps lines to w: a line indented two spaces is a list item,
// whose continuation lines are indented four.
func wrapItems(lines []string, w int) string {
	if w <= 0 {
		return strings.Join(lines, "\n") // plain prompts: unwrapped
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		item, ok := strings.CutPrefix(l, "  ")
		if !ok {
			out = append(out, render.Wrap(l, w))
			continue
		}
		wrapped := strings.Split(render.Wrap(item, max(w-4, 10)), "\n")
		for i, x := range wrapped {
			if i == 0 {
				wrapped[i] = "  " + x
			} else {
				wrapped[i] = "    " + x
			}
		}
		out = append(out, strings.Join(wrapped, "\n"))
	}
	return strings.Join(out, "\n")
}

// reviewReplacement warns that the update replaces the agent tasks; with
// agents to drain, it says the drain is offered.
func (m *Model) reviewReplacement() string {
	if m.canDrain() {
		return render.ReplacementDrainOffered(m.a.stackInfo.Name)
	}
	return render.Capitalize(render.Replacement(m.a.stackInfo.Name))
}
