package wizard

import (
	"context"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/source"
)

// sourceForm asks where the template is: a file or URL, or a stack.
func (m *Model) sourceForm() *huh.Form {
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[sourceKind]().
			Title("Where is the TeamCity stack's template?").
			Description("tcdind edits the ECS task definition of the TeamCity build agent so that builds can run docker.").
			Options(
				huh.NewOption("A template file or URL", sourceTemplate),
				huh.NewOption(m.stackLabel(), sourceStack),
			).
			Value(&m.a.source),
	))
}

func (m *Model) stackLabel() string {
	if m.cfg.Region != "" {
		return "An existing stack in " + m.cfg.Region
	}
	return "An existing CloudFormation stack"
}

// templateForm asks for the template's path or URL.
func (m *Model) templateForm() *huh.Form {
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().
			Title("Template file or https URL").
			Description("A CloudFormation template in YAML or JSON. Leave it empty to start from JetBrains' published template, downloaded from:\n" + source.JetBrainsTemplateURL).
			Placeholder("empty: JetBrains' template").
			Value(&m.a.templateArg),
	))
}

// intro is text above a step's form, if any.
func (m *Model) intro(w int) string {
	switch m.step {
	case stepTaskDef:
		n := len(m.a.tmpl.Agents())
		return m.st.Subtle.Render(render.Wrap(
			"This template has "+strconv.Itoa(n)+" task definitions that run a TeamCity agent.", w))
	case stepSave:
		return m.st.Subtle.Render(render.Wrap("Nothing has been written yet. The input file is never changed unless you name it here.", w))
	}
	return ""
}

// startLoad reads or downloads the template behind a spinner.
func (m *Model) startLoad() tea.Cmd {
	m.stopLoading()
	m.loadSeq++
	seq, arg, cfg := m.loadSeq, m.a.templateArgOrDefault(), m.cfg
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelLoad, m.loadArg = cancel, arg
	m.step, m.form, m.err = stepLoading, nil, nil
	load := func() tea.Msg {
		src, err := cfg.load(ctx, arg)
		if err != nil {
			return loadedMsg{seq: seq, arg: arg, err: err}
		}
		t, err := parse(src)
		return loadedMsg{seq: seq, arg: arg, src: src, tmpl: t, err: err}
	}
	return tea.Batch(m.track(load), m.tick())
}

// stopLoading cancels a load in progress; its result is then ignored.
func (m *Model) stopLoading() {
	if m.cancelLoad != nil {
		m.cancelLoad()
		m.cancelLoad = nil
	}
}

// loaded takes a load's result.
func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	if msg.seq != m.loadSeq || m.step != stepLoading || m.err != nil {
		return nil // cancelled: the user went back
	}
	m.cancelLoad = nil
	if msg.isStack {
		return m.stackLoaded(msg)
	}
	if msg.err != nil {
		e := errorFor(msg.err, "Could not load the template", stepTemplate)
		if msg.src == nil && source.IsURL(msg.arg) {
			e.detail = strings.TrimSuffix(e.detail, " (offline? pass a file path instead)")
			e.title = "Could not download the template"
			e.hint = "Offline? Press esc and give the path of a template file instead."
		} else if msg.src == nil {
			e.hint = "Press esc and give another path or URL."
		} else {
			e.hint = "Nothing was written. Press esc and give another template."
		}
		return m.fail(e)
	}
	m.a.loaded(m.cfg, msg.src, msg.tmpl)
	return m.enter(m.nextStep(stepLoading))
}

func (m *Model) loadingView(w int) string {
	verb := "Reading "
	if source.IsURL(m.loadArg) {
		verb = "Downloading "
	}
	return m.spinView() + render.Wrap(verb+m.loadArg+" …", max(w-2, 10))
}
