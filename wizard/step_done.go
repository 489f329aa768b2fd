package wizard

import (
	"fmt"
	"strings"

	"github.com/tcdind/tcdind/render"
)

// doneView says what was written and what to do next.
func (m *Model) doneView(w int) string {
	var b strings.Builder
	if m.written == "" {
		b.WriteString(m.st.Success.Render("Nothing written."))
		b.WriteString("\n\n" + render.Wrap(m.outcome(), w))
		return b.String()
	}
	b.WriteString(m.st.Success.Render("✓ Saved " + m.written))
	b.WriteString("\n" + render.Wrap(m.outcome(), w) + "\n\n")
	b.WriteString(m.st.Section.Render("Next") + "\n")
	for _, s := range m.nextSteps() {
		b.WriteString(render.Wrap(s[0], w) + "\n")
		b.WriteString(m.st.Strong.Render(s[1]) + "\n\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// outcome is one sentence on what happened.
func (m *Model) outcome() string {
	res := m.result
	if res == nil {
		return ""
	}
	targets := strings.Join(res.Targets, ", ")
	if !res.Changed {
		return targets + " is already in " + string(m.a.mode) + " mode."
	}
	s := fmt.Sprintf("%s in %s mode, %d %s", targets, m.a.mode, len(res.Changes), plural(len(res.Changes), "change", "changes"))
	if r := recipeLabel(m.a.recipe, m.a.mode); r != "" {
		s += ", " + r
	}
	return s + "."
}

// nextSteps are commands worth running next: explanation, command.
func (m *Model) nextSteps() [][2]string {
	p := shellQuote(m.written)
	return [][2]string{
		{"Deploy it to a new or existing stack:",
			"  aws cloudformation deploy --template-file " + p + " \\\n" +
				"    --stack-name STACK --capabilities CAPABILITY_IAM"},
		{"Or change a running stack directly:",
			"  tcdind --stack STACK --mode " + string(m.a.mode)},
	}
}

// Summary is what the wizard did, as plain lines for standard error once
// the screens are gone.
func (m *Model) Summary() string {
	if m.written == "" {
		if o := m.outcome(); o != "" {
			return "nothing written: " + o + "\n"
		}
		return ""
	}
	s := "wrote " + m.written + ": " + m.outcome() + "\n"
	if m.result != nil && render.SecurityNotePlain(m.a.mode) != "" {
		s += render.SecurityNotePlain(m.a.mode) + "\n"
	}
	return s + "next: aws cloudformation deploy --template-file " + shellQuote(m.written) +
		" --stack-name STACK --capabilities CAPABILITY_IAM\n"
}

// shellQuote quotes a path for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+@%:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
