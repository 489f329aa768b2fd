package wizard

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/tcdind/tcdind/render"
)

// helpView is the help overlay: the keys, and what this screen is for.
func (m *Model) helpView(w, h int) string {
	rows := [][2]string{
		{"enter", "confirm the answer, go on"},
		{"esc", "back one step (answers are kept)"},
		{"↑/↓  j/k", "move in a list; scroll the review"},
		{"pgup/pgdn", "scroll the review a page"},
		{"←/→", "scroll long diff lines sideways"},
		{"/", "filter a list"},
		{"?  f1", "this help (f1 on the template question)"},
		{"ctrl+c", "quit; nothing is written"},
	}
	inner := max(min(w, 80)-m.st.HelpBox.GetHorizontalFrameSize(), 20)
	var b strings.Builder
	b.WriteString(m.st.Section.Render("Keys") + "\n")
	for _, r := range rows {
		b.WriteString(m.st.Key.Render(padRight(r[0], 11)) + " " + render.Wrap(r[1], max(inner-12, 10)) + "\n")
	}
	b.WriteString("\n" + m.st.Section.Render("This step") + "\n")
	b.WriteString(render.Wrap(m.stepHelp(), inner))
	keysAndStep := b.String()
	b.WriteString("\n\n" + render.Wrap("Nothing is written before you press enter on the review. "+
		"Every question has a flag (tcdind --help); flags given skip their questions.", inner))
	box := m.st.HelpBox.Width(inner + m.st.HelpBox.GetHorizontalPadding())
	if full := box.Render(b.String()); lipgloss.Height(full) <= h {
		return full
	}
	// A short terminal: no box, no closing paragraph.
	return render.Wrap(keysAndStep, w)
}

func (m *Model) stepHelp() string {
	switch m.step {
	case stepSource:
		return "Choose where the TeamCity stack's template comes from. tcdind edits the template; it does not need AWS credentials for a file or URL."
	case stepRegion:
		return "The region of the TeamCity stack. Type to filter the list. Flag: --region (also AWS_REGION)."
	case stepStacks:
		return "The region's stacks that can be updated now; those holding a TeamCity agent task definition are marked and listed first. Type to filter. Flag: --stack."
	case stepChangeSet:
		return "CloudFormation's change set: what it will change if executed. Execute updates the stack and replaces the agent tasks (running builds are interrupted); Discard deletes the change set. Flag: --apply."
	case stepProgress:
		return "The update's events as CloudFormation reports them. ctrl+c leaves; the update goes on in AWS."
	case stepTemplate, stepLoading:
		return "Give a template file (YAML or JSON) or an https URL. Empty downloads JetBrains' published template, a fresh start. A template over 1 MB is refused. Flag: --template."
	case stepTaskDef:
		return "Several task definitions run a TeamCity agent; choose one or all. Flag: --task-definition."
	case stepMode:
		return "socket mounts the host's /var/run/docker.sock; privileged runs the agent privileged with its own Docker daemon; none undoes both. Flag: --mode."
	case stepOptions:
		return "The complete recipe follows JetBrains' documented docker run lines, so Docker really works in builds; minimal writes only the original blog post's edits. Flags: --minimal, --build-dirs, --sudo-image."
	case stepReview:
		return "The diff shows every line that changes; everything else in the file stays byte for byte. Scroll with ↑/↓ and pgup/pgdn. Flag: --diff prints it without the wizard."
	case stepSave, stepOverwrite:
		return "The file is written atomically (a temporary file, then a rename) and keeps the mode of a file it replaces. Flags: --output, --in-place."
	case stepDone:
		return "Press enter to leave."
	}
	return ""
}

func padRight(s string, n int) string {
	if l := len([]rune(s)); l < n {
		return s + strings.Repeat(" ", n-l)
	}
	return s
}
