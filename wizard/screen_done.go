package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
)

// doneScreen says what was written or applied, and what to do next; any
// key but ctrl+c leaves.
type doneScreen struct{}

func (*doneScreen) enter(*Model) tea.Cmd { return nil }

func (*doneScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if key.Matches(k, m.keys.Confirm, m.keys.Back) || k.String() == "q" {
			return tea.Quit, true
		}
	}
	// The other keys scroll (the model's pane).
	return nil, false
}

func (*doneScreen) hints(*Model) []hint { return []hint{{"enter", "quit"}} }

func (*doneScreen) view(m *Model, w, _ int) body {
	head, rest := m.doneParts(w)
	return body{top: head, scroll: m.withEvents(rest, w)}
}

// doneView says what was written and what to do next, for plain prompts
// (which said the events as they came): w 0 is unwrapped.
func (m *Model) doneView(w, _ int) string {
	head, rest := m.doneParts(w)
	if rest == "" {
		return head
	}
	return head + "\n" + rest
}

// headline is a done screen's first line, wrapped, in style.
func (m *Model) headline(style lipgloss.Style, text string, w int) string {
	return style.Render(render.Wrap(text, w))
}

// command is a command to copy, whole: wrapped with \ continuations in w
// (unwrapped when w is 0), indented 2.
func (m *Model) command(cmd string, w int) string {
	if w <= 0 {
		return "  " + cmd
	}
	return m.st.Strong.Render(render.Command(cmd, 2, w))
}

// doneParts say what was written and what to do next in w columns: the
// headline, which stays on screen, and the rest, which scrolls.
func (m *Model) doneParts(w int) (head, rest string) {
	var b strings.Builder
	if m.out.stack != outcomeNone {
		head, rest = m.stackDoneParts(w)
		if line, ok := m.seesDocker(); line != "" {
			// TeamCity's own word stays in view, under the headline.
			style := m.st.Success
			if !ok {
				style = m.st.ErrTitle
			}
			head += "\n" + m.headline(style, line, w)
		}
		if tc := m.teamCityDone(); len(tc) > 0 {
			rest = strings.TrimRight(rest, "\n") + "\n\n" + m.st.Section.Render("TeamCity") + "\n" + wrapItems(tc, w)
		}
		return head, rest
	}
	if m.out.written == "" && m.isStack() {
		return m.headline(m.st.Success, "Nothing to change.", w), render.Wrap("Stack "+m.a.stackInfo.Name+": "+m.outcome()+" No change set was created.", w)
	}
	if m.out.written == "" {
		return m.headline(m.st.Success, "Nothing written.", w), render.Wrap(m.outcome(), w)
	}
	head = m.headline(m.st.Success, m.mark("✓ ")+"Saved "+m.out.written, w)
	b.WriteString(render.Wrap(m.outcome(), w) + "\n\n")
	b.WriteString(m.st.Section.Render("Next") + "\n")
	for _, s := range m.nextSteps() {
		b.WriteString(render.Wrap(s[0], w) + "\n")
		b.WriteString(m.command(s[1], w) + "\n\n")
	}
	return head, strings.TrimRight(b.String(), "\n")
}

// mark is a decorative symbol on screen, nothing in plain prompts (a
// screen reader reads it aloud).
func (m *Model) mark(s string) string {
	if m.plain {
		return ""
	}
	return s
}

// outcome is one sentence on what happened.
func (m *Model) outcome() string {
	res := m.result
	if res == nil {
		return ""
	}
	targets := strings.Join(res.Targets, ", ")
	if !res.NeedsChange() {
		return targets + " is already in " + string(m.a.mode) + " mode."
	}
	s := fmt.Sprintf("%s in %s mode, %d %s", targets, m.a.mode, len(res.Changes), render.Plural(len(res.Changes), "change", "changes"))
	if r := recipeLabel(m.a.recipe, m.a.mode, res); r != "" {
		s += ", " + r
	}
	return s + "."
}

// nextSteps are commands worth running next: explanation, command.
func (m *Model) nextSteps() [][2]string {
	p := shellQuote(m.out.written)
	if m.isStack() {
		st := shellQuote(m.a.stackInfo.Name)
		return [][2]string{
			{"Apply it to the stack yourself:",
				"aws cloudformation deploy --template-file " + p + " --stack-name " + st + " --capabilities CAPABILITY_IAM" + m.whereFlags(m.a.region)},
			{"Or let tcdind apply it through a change set:",
				"tcdind --stack " + st + m.whereFlags(m.a.region) + m.a.flags()},
		}
	}
	return [][2]string{
		{"Deploy it to a new or existing stack:",
			"aws cloudformation deploy --template-file " + p + " --stack-name STACK --capabilities CAPABILITY_IAM"},
		{"Or change a running stack directly:",
			"tcdind --stack STACK" + m.a.flags()},
	}
}

// Summary is what the wizard did, as plain lines for standard error once
// the screens are gone: the warnings first, which vanished with them.
func (m *Model) Summary() string {
	var b strings.Builder
	for _, w := range m.summaryWarnings() {
		b.WriteString(render.WarningLine(w) + "\n")
	}
	b.WriteString(m.summary())
	// TeamCity's word comes last: the agents enabled again, then what it
	// sees on the new agents.
	if run := m.tc.drain; run != nil {
		for _, l := range run.notes(m.stack.set.Input.Stack) {
			b.WriteString(l + "\n")
		}
	}
	if l := m.restoredLine(); l != "" {
		b.WriteString(l + "\n")
	}
	if run := m.tc.drain; run != nil && m.tc.staysDisabled {
		b.WriteString(render.DrainStaysDisabled(run.d.Disabled(), run.d.SwitchBack, strings.TrimRight(m.a.tc.url, "/")) + "\n")
	}
	if l, _ := m.seesDocker(); l != "" {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// summaryWarnings are the warnings still worth reading after exit: the
// session's (a change set that could not be deleted), and the engine's on
// what was written or applied (an image tag left alone, ...) and the
// hosts' (too few instances for one agent an instance, ...).
func (m *Model) summaryWarnings() []string {
	ws := m.sess.Warnings()
	applied := m.out.written != "" || m.out.stack == outcomeUpdated || m.out.stack == outcomeFailed || m.out.stack == outcomeUnknown
	if applied && m.result != nil {
		ws = append(ws, m.result.Warnings...)
		ws = append(ws, m.hosts.Warnings()...)
	}
	return ws
}

func (m *Model) summary() string {
	if m.out.stack != outcomeNone {
		return m.stackSummary()
	}
	if m.out.written == "" && !m.out.finished {
		return ""
	}
	if m.out.written == "" && m.isStack() {
		return "nothing to change in stack " + m.a.stackInfo.Name + ": " + m.outcome() + " No change set was created.\n"
	}
	if m.out.written == "" {
		if o := m.outcome(); o != "" {
			return "nothing written: " + o + "\n"
		}
		return ""
	}
	s := "wrote " + m.out.written + ": " + m.outcome() + "\n"
	if len(m.a.containers) > 0 {
		s += "agent container: " + strings.Join(m.a.containers, ", ") + " (next time: --container " + shellQuote(strings.Join(m.a.containers, ",")) + ")\n"
	}
	if m.result != nil && render.SecurityNotePlain(m.a.mode) != "" {
		s += render.SecurityNotePlain(m.a.mode) + "\n"
	}
	return s + "next: aws cloudformation deploy --template-file " + shellQuote(m.out.written) +
		" --stack-name STACK --capabilities CAPABILITY_IAM\n"
}

// flags are the command-line options that repeat the answers: the mode and
// every option that changes what is written.
func (a *answers) flags() string {
	o := a.options()
	s := " --mode " + string(o.Mode)
	if len(o.TaskDefinitions) > 0 {
		s += " --task-definition " + shellQuote(strings.Join(o.TaskDefinitions, ","))
	}
	if len(o.Containers) > 0 {
		s += " --container " + shellQuote(strings.Join(o.Containers, ","))
	}
	if o.Minimal && recipeApplies(o.Mode) {
		s += " --minimal"
	}
	if !o.Minimal && !o.BuildDirs && o.Mode == dind.ModeSocket {
		s += " --build-dirs=false"
	}
	if !o.Minimal && o.SudoImage && o.Mode == dind.ModePrivileged {
		s += " --sudo-image"
		if o.AgentVersion != "" {
			s += " --agent-version " + shellQuote(o.AgentVersion)
		}
	}
	if !o.Minimal && !o.HealthCheck && recipeApplies(o.Mode) {
		s += " --health-check=false"
	}
	if o.Arch != "" {
		s += " --agent-arch " + o.Arch
	}
	return s
}

// shellQuote quotes a path for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+@%:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// stackDoneParts say how the stack run ended (updated, rolled back,
// nothing to change, or the change set discarded): the headline and the
// rest.
func (m *Model) stackDoneParts(w int) (head, rest string) {
	var b strings.Builder
	name := m.a.stackInfo.Name
	switch m.out.stack {
	case outcomeNoChanges:
		return m.headline(m.st.Success, "Nothing to change.", w), render.Wrap(render.NothingToChange(name, m.stack.made.Cleanup.String())+".", w)
	case outcomeDiscarded:
		if m.out.err != nil {
			b.WriteString(render.Wrap(render.Capitalize(m.out.err.Error())+".", w))
		}
		return m.headline(m.st.Strong, "Change set discarded.", w), b.String()
	case outcomeUnknown:
		if m.out.err != nil {
			b.WriteString(render.Wrap(render.Capitalize(m.out.err.Error())+".", w))
		}
		return m.headline(m.st.ErrTitle, "Stopped following the update of stack "+name, w), b.String()
	case outcomeUpdated:
		var mismatch *rollout.MismatchError
		if errors.As(m.out.err, &mismatch) {
			head = m.headline(m.st.ErrTitle, m.mark("✗ ")+"Stack "+name+" updated (UPDATE_COMPLETE), but ECS shows otherwise", w)
			b.WriteString(render.Wrap(m.outcome()+" Took "+m.elapsed()+".", w) + "\n")
			b.WriteString("\n" + m.st.Section.Render("What differs") + "\n")
			for _, d := range mismatch.Diffs {
				b.WriteString(m.prose(m.st.ErrTitle, m.mark("✗ ")+d, w, "  ") + "\n")
			}
			b.WriteString(m.verifiedView(w))
			b.WriteString("\n" + render.Wrap("Check with:", w))
			// One command a line: Check joins them with " and ".
			for _, c := range strings.Split(mismatch.Check, " and ") {
				b.WriteString("\n" + m.command(c, w))
			}
			return head, b.String()
		}
		head = m.headline(m.st.Success, m.mark("✓ ")+"Stack "+name+" updated: UPDATE_COMPLETE", w)
		if m.tc.afterErr != nil {
			head = m.headline(m.st.ErrTitle, m.mark("✗ ")+"Stack "+name+" updated: UPDATE_COMPLETE, but TeamCity does not confirm Docker on every new agent", w)
			b.WriteString(m.prose(m.st.ErrTitle, render.Capitalize(m.tc.afterErr.Error())+".", w, "") + "\n\n")
		}
		b.WriteString(render.Wrap(m.outcome()+" Took "+m.elapsed()+".", w) + "\n\n")
		if v := m.verifiedView(w); v != "" {
			b.WriteString(v + "\n")
		}
		b.WriteString(m.st.Section.Render("Next") + "\n")
		next := "ECS starts new agent tasks from the new task definition; they reconnect to the TeamCity server. A build step that runs docker info shows it works."
		if m.agentsVerified() {
			next = "The agents run the new task definition and reconnect to the TeamCity server. A build step that runs docker info shows Docker works."
		}
		b.WriteString(render.Wrap(next, w) + "\n")
		b.WriteString(render.Wrap("The stack's history:", w) + "\n")
		b.WriteString(m.command("aws cloudformation describe-stack-events --stack-name "+shellQuote(name)+m.whereFlags(m.a.region), w))
		return head, b.String()
	}
	u := m.stack.update
	title := m.mark("✗ ") + "The update of stack " + name + " failed: " + u.Final
	what := "The stack was rolled back: it runs its previous template."
	if u.CancelledByTcdind() && u.Final == "UPDATE_ROLLBACK_COMPLETE" {
		title = m.mark("✗ ") + "tcdind cancelled the update of stack " + name + ": " + u.Final
		what = "The agents' rollout was failing (see below), so tcdind cancelled the update and CloudFormation rolled it back: the stack runs its previous template."
	}
	if u.BreakerTriggered() && u.Final == "UPDATE_ROLLBACK_COMPLETE" {
		// The rollback is CloudFormation's, whoever else asked for one.
		what = "ECS's deployment circuit breaker failed the agents' rollout, so CloudFormation failed the service and rolled the update back: the stack runs its previous template."
	}
	head = m.headline(m.st.ErrTitle, title, w)
	switch u.Final {
	case "UPDATE_ROLLBACK_FAILED":
		what = "The rollback failed too: continue it with aws cloudformation continue-update-rollback --stack-name " + shellQuote(name) + m.whereFlags(m.a.region) + "."
	case "UPDATE_FAILED":
		what = "It failed and was not rolled back."
	}
	b.WriteString(m.prose(m.st.Text, what+" Took "+m.elapsed()+".", w, "") + "\n")
	if len(u.Failed) > 0 {
		b.WriteString("\n" + m.st.Section.Render("Failed resources") + "\n")
		for _, f := range u.Failed {
			b.WriteString(m.st.Strong.Render("  "+f.LogicalID) + m.st.Subtle.Render(" ("+f.ResourceType+", "+f.Status+")") + "\n")
			b.WriteString("    " + strings.ReplaceAll(render.Wrap(f.Reason, inner(w, 4)), "\n", "\n    ") + "\n")
		}
	}
	// Accessible mode said it as it came.
	if p := m.progress(); p != nil && p.failing != "" && !m.plain {
		b.WriteString("\n" + m.st.Section.Render("Agents (ECS)") + "\n")
		b.WriteString("  " + strings.ReplaceAll(render.Wrap(render.Capitalize(p.failing)+".", inner(w, 2)), "\n", "\n  ") + "\n")
	}
	if u.StackReason != "" {
		b.WriteString("\n" + m.st.Section.Render("Stack status reason") + "\n")
		b.WriteString("  " + strings.ReplaceAll(render.Wrap(u.StackReason, inner(w, 2)), "\n", "\n  ") + "\n")
	}
	b.WriteString("\n" + render.Wrap("Fix the cause shown above and run tcdind again.", w))
	return head, b.String()
}

// progress is the progress screen, once it was shown.
func (m *Model) progress() *progressScreen {
	p, _ := m.screens[stepProgress].(*progressScreen)
	return p
}

// verifiedView is the "Agents (ECS)" section of an update that completed:
// what ECS showed the agents run, and what could not be read. Accessible
// mode said them as they came: "" there, as when there is nothing.
// agentsVerified reports that ECS showed every followed service on the new
// revision (a Verified line about a service, and no note).
func (m *Model) agentsVerified() bool {
	p := m.progress()
	if p == nil {
		return false
	}
	services := false
	for _, l := range p.verified {
		if l.Kind != rollout.Verified {
			return false
		}
		services = services || l.Service != ""
	}
	return services
}

// agentsConfirmed says ECS showed the mode asked (rollout.Confirmed).
func (m *Model) agentsConfirmed() bool {
	p := m.progress()
	return p != nil && rollout.Confirmed(p.verified, m.out.err)
}

func (m *Model) verifiedView(w int) string {
	p := m.progress()
	if m.plain || p == nil || len(p.verified) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(m.st.Section.Render("Agents (ECS)") + "\n")
	for _, l := range p.verified {
		mark, style := m.mark("✓ ")+"verified: ", m.st.Success
		if l.Kind != rollout.Verified {
			mark, style = "note: ", m.st.Subtle
		}
		b.WriteString(m.prose(style, mark+l.Text, w, "  ") + "\n")
	}
	return b.String()
}

// withEvents adds the update's events under body: the done screen keeps
// what the progress screen showed, and they scroll.
func (m *Model) withEvents(body string, w int) string {
	p, ok := m.screens[stepProgress].(*progressScreen)
	if !ok || len(p.events) == 0 {
		return body
	}
	return strings.TrimRight(body, "\n") + "\n\n" + m.st.Section.Render("Events") + "\n" + p.eventLines(m, p.events, w)
}

// stackSummary is the stack run's closing lines for standard error.
func (m *Model) stackSummary() string {
	var b strings.Builder
	name := m.a.stackInfo.Name
	switch m.out.stack {
	case outcomeNoChanges:
		b.WriteString(render.NothingToChange(name, m.stack.made.Cleanup.String()) + "\n")
	case outcomeUpdated:
		if p := m.progress(); p != nil {
			for _, l := range p.verified {
				b.WriteString(render.RolloutLinePlain(l) + "\n")
			}
		}
		// One outcome line, after what it depends on: updated as asked,
		// or (the run's error) updated but not as asked; never both.
		var mismatch *rollout.MismatchError
		switch {
		case errors.As(m.out.err, &mismatch):
		case m.agentsConfirmed():
			b.WriteString(m.stack.update.Success() + " (took " + m.elapsed() + ")\n")
		default:
			b.WriteString(m.stack.update.Unconfirmed() + " (took " + m.elapsed() + ")\n")
		}
	case outcomeFailed, outcomeUnknown:
		if p := m.progress(); p != nil && p.failing != "" {
			b.WriteString(render.RolloutLinePlain(rollout.Line{Kind: rollout.Failing, Text: p.failing}) + "\n")
		}
		if m.out.stack == outcomeFailed {
			u := m.stack.update
			b.WriteString(render.FailedResources(u.Failed, u.StackReason))
		}
	}
	return b.String()
}

// inner is the width of text indented by n in w columns; w 0 (plain
// prompts, a screen reader) leaves it unwrapped.
func inner(w, n int) int {
	if w <= 0 {
		return 0
	}
	return max(w-n, 20)
}
