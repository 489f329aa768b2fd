package wizard

import (
	"context"
	"errors"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/agenthosts"
	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/source"
)

// loadingScreen reads the template (a file, a download, or a stack's
// deployed template) behind a spinner; esc cancels.
type loadingScreen struct {
	seq    int
	arg    string // what is read: a path, a URL, "stack NAME"
	cancel context.CancelFunc
}

// loadedMsg ends a load.
type loadedMsg struct {
	seq  int
	arg  string
	src  *source.Template
	tmpl *dind.Template
	err  error
	// A stack's: the stack and the region its client talks to.
	isStack bool
	stack   *awsclient.Stack
	region  string
	hosts   *agenthosts.Reading
	// tcFound is the TeamCity server's URL the stack shows.
	tcFound discovered
}

func (loadedMsg) route() step { return stepLoading }

func (s *loadingScreen) enter(m *Model) tea.Cmd {
	s.leave(m)
	s.seq++
	if m.a.source == sourceStack {
		return tea.Batch(s.loadStack(m), m.tick())
	}
	return tea.Batch(s.loadTemplate(m), m.tick())
}

// leave cancels a load in progress; its result is then ignored.
func (s *loadingScreen) leave(*Model) {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

func (s *loadingScreen) loadTemplate(m *Model) tea.Cmd {
	seq, arg, cfg := s.seq, m.a.templateArgOrDefault(), m.cfg
	ctx, cancel := context.WithCancel(m.ctx)
	s.cancel, s.arg = cancel, arg
	return m.sess.do(func() tea.Msg {
		src, err := cfg.load(ctx, arg)
		if err != nil {
			return loadedMsg{seq: seq, arg: arg, err: err}
		}
		t, err := parse(src, cfg.Containers)
		return loadedMsg{seq: seq, arg: arg, src: src, tmpl: t, err: err}
	})
}

// loadStack reads the stack and its deployed template (as submitted): the
// review diffs against it.
func (s *loadingScreen) loadStack(m *Model) tea.Cmd {
	seq, region, name, sess, profile, endpoint, names := s.seq, m.a.region, m.a.stack, m.sess, m.cfg.Profile, m.cfg.EndpointURL, m.cfg.Containers
	askURL := m.cfg.TeamCityURL == ""
	ctx, cancel := context.WithCancel(sess.ctx)
	s.cancel, s.arg = cancel, "stack "+name
	return sess.do(func() tea.Msg {
		fail := func(err error) tea.Msg { return loadedMsg{seq: seq, arg: name, err: err, isStack: true} }
		c, err := sess.client(ctx, region)
		if err != nil {
			return fail(err)
		}
		st, err := c.DescribeStack(ctx, name)
		if err != nil {
			return fail(err)
		}
		if err := changeset.Settled(st, whereFlags(c.Region(), profile, endpoint)); err != nil {
			return fail(err)
		}
		body, err := c.GetTemplate(ctx, st.Name)
		if err != nil {
			return fail(err)
		}
		src := &source.Template{Bytes: body, Name: st.Name}
		t, err := parse(src, names)
		var hosts *agenthosts.Reading
		var found discovered
		if err == nil {
			hosts = readHosts(ctx, c, st.Name, t, names, whereFlags(c.Region(), profile, endpoint))
			if askURL {
				found = discoverServerURL(ctx, c, st, body, t)
			}
		}
		return loadedMsg{seq: seq, arg: name, src: src, tmpl: t, err: err, isStack: true, stack: st, region: c.Region(), hosts: hosts, tcFound: found}
	})
}

// readHosts reads, once with the stack, the container instances of the
// clusters whose services run the agents, and the services' desired
// counts (the capacity check of one agent an instance): the review judges
// them for the mode and recipe chosen later, without reading again. A
// read that fails is kept for the review to say, never the end. When the
// container question will name the agent, the services of every
// container's task definition are read: the review judges those of the
// answer.
func readHosts(ctx context.Context, c Client, stack string, t *dind.Template, names []string, where string) *agenthosts.Reading {
	if len(names) == 0 && len(t.Agents()) == 0 {
		for _, ctr := range t.AllContainers() {
			names = append(names, ctr.Name)
		}
	}
	if len(names) > 0 {
		if named, err := t.WithContainers(names); err == nil {
			t = named
		}
	}
	var ids []string
	for _, td := range t.Agents() {
		ids = append(ids, td.LogicalID)
	}
	services := t.Services(ids)
	var all []string
	for _, s := range services {
		all = append(all, s.LogicalID)
	}
	return agenthosts.Read(ctx, c, stack, services, all, where)
}

func (s *loadingScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if msg, ok := msg.(loadedMsg); ok {
		return s.loaded(m, msg), true
	}
	return nil, false
}

// loaded takes a load's result.
func (s *loadingScreen) loaded(m *Model, msg loadedMsg) tea.Cmd {
	if msg.seq != s.seq || m.step != stepLoading || m.err != nil {
		return nil // cancelled: the user went back
	}
	s.cancel = nil
	if msg.isStack {
		return s.stackLoaded(m, msg)
	}
	if msg.err != nil {
		e := errorFor(msg.err, "Could not load the template", stepTemplate)
		var dl *source.DownloadError
		if errors.As(msg.err, &dl) {
			e.detail = dl.Short() // the advice is the hint below
		}
		switch {
		case msg.src == nil && source.IsURL(msg.arg) && source.Offline(msg.err):
			e.title = "Could not download the template"
			e.hint = "Offline? Press esc and give the path of a template file instead."
		case msg.src == nil && source.IsURL(msg.arg):
			e.title = "Could not download the template"
			e.hint = "Press esc and give another URL, or the path of a template file."
		case msg.src == nil:
			e.hint = "Press esc and give another path or URL."
		default:
			e.hint = "Nothing was written. Press esc and give another template."
		}
		return m.fail(e)
	}
	m.a.hosts = nil
	m.a.loaded(m.cfg, msg.src, msg.tmpl)
	return m.enter(m.nextStep(stepLoading))
}

// stackLoaded takes the stack's template; an error leads back to the list.
func (s *loadingScreen) stackLoaded(m *Model, msg loadedMsg) tea.Cmd {
	if msg.err != nil {
		back := stepStacks
		if m.cfg.Stack != "" {
			back = stepSource
		}
		e := errorFor(msg.err, "Could not read stack "+msg.arg, back)
		switch problemOf(msg.err) {
		case problemNoAgent:
			e.title = "No TeamCity build agent in stack " + msg.arg
			e.hint = "Press esc and choose another stack."
		case problemBusy:
			e.title = "Stack " + msg.arg + " is busy"
			e.hint = "Nothing was changed. Wait until its operation ends, then press enter to read it again, or esc to choose another stack."
			e.reload = true
		case problemCredentials:
			// errorFor's advice: sign in.
		default:
			if msg.src != nil {
				e.hint = "Nothing was changed. Press esc and choose another stack."
			} else {
				e.hint = "Press esc to choose a stack."
			}
		}
		return m.fail(e)
	}
	m.a.stackInfo, m.a.region, m.a.hosts, m.a.tc.found = msg.stack, msg.region, msg.hosts, msg.tcFound
	m.a.loaded(m.cfg, msg.src, msg.tmpl)
	if m.cfg.Output == "" {
		m.a.output = shellSafeName(msg.stack.Name) + ".dind.yaml"
		if msg.tmpl.IsJSON() {
			m.a.output = shellSafeName(msg.stack.Name) + ".dind.json"
		}
	}
	return m.enter(m.nextStep(stepLoading))
}

// shellSafeName makes a file name of a stack name or ARN.
func shellSafeName(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 { // an ARN
		s = s[i+1:]
	}
	return s
}

func (s *loadingScreen) spinning(*Model) bool { return true }

func (s *loadingScreen) view(m *Model, w, _ int) body {
	verb := "Reading "
	if source.IsURL(s.arg) {
		verb = "Downloading "
	}
	return body{top: m.spinView() + render.Wrap(verb+s.arg+" …", max(w-2, 10))}
}

func (s *loadingScreen) hints(*Model) []hint {
	return []hint{{"esc", "cancel"}, {"ctrl+c", "quit"}}
}

// whereFlags is " --region R [--profile P] [--endpoint-url U]" for the
// commands printed.
func whereFlags(region, profile, endpoint string) string {
	return awsclient.CLIFlags(region, profile, endpoint)
}
