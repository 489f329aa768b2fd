package wizard

import (
	"context"
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/ansi"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/render"
)

// probeBound is how many stacks are checked for a TeamCity agent at once;
// probeMax how many are checked at all (a large account is not read whole).
const (
	probeBound = 4
	probeMax   = 40
)

// probe is what is known of a stack's agent.
type probe int

const (
	probeWaiting  probe = iota // not checked yet
	probeChecking              // a call is out
	probeAgent                 // holds a TeamCity agent task definition
	probeNone                  // holds none
	probeUnknown               // could not tell (no permission, ...)
	probeSkipped               // not checked: over probeMax
)

// stackItem is a stack of the list and what is known of its agent.
type stackItem struct {
	sum    awsclient.StackSummary
	probe  probe
	agents []string  // logical IDs of the agent task definitions
	mode   dind.Mode // their current mode
	// refusal is why tcdind cannot apply Docker-in-Docker to the stack:
	// every agent runs where neither mode works (Fargate, Windows), or it
	// is a nested stack; empty when it can.
	refusal string
}

// stacksScreen is the stack question: the region's stacks, listed once per
// region, then checked for a TeamCity agent a few at a time. It keeps the
// listing while other screens are shown: back on it, the cursor is on the
// stack chosen before.
type stacksScreen struct {
	seq     int // tells a listing's answers from an older one's
	region  string
	loading bool
	items   []*stackItem
	hidden  []awsclient.StackSummary // busy or under review: not choosable now
	queue   []*stackItem             // waiting for a probe
	out     int                      // probes running
	client  Client
	touched bool // the user moved in the list, or came back: the cursor stays put
	cancel  context.CancelFunc
	ctx     context.Context
}

// stacksMsg ends the listing.
type stacksMsg struct {
	seq    int
	region string
	client Client
	list   []awsclient.StackSummary
	err    error
}

// probeMsg ends one stack's check.
type probeMsg struct {
	seq     int
	item    *stackItem
	agents  []string
	mode    dind.Mode
	probe   probe
	refusal string
}

func (stacksMsg) route() step { return stepStacks }
func (probeMsg) route() step  { return stepStacks }

func (s *stacksScreen) enter(m *Model) tea.Cmd {
	m.a.forgetLoaded()
	if s.region == m.a.region && s.items != nil {
		// Back on the list: the same stacks, the cursor on the answer.
		s.touched = true
		cmds := []tea.Cmd{m.setForm(s.form(m))}
		for len(s.queue) > 0 && s.out < probeBound {
			cmds = append(cmds, s.nextProbe(m))
		}
		return tea.Batch(append(cmds, m.tick())...)
	}
	s.leave(m)
	s.seq++
	*s = stacksScreen{seq: s.seq, region: m.a.region, loading: true}
	s.ctx, s.cancel = context.WithCancel(m.sess.ctx)
	seq, region, ctx, sess := s.seq, s.region, s.ctx, m.sess
	list := sess.do(func() tea.Msg {
		c, err := sess.client(ctx, region)
		if err != nil {
			return stacksMsg{seq: seq, region: region, err: err}
		}
		sums, err := c.ListStacks(ctx)
		return stacksMsg{seq: seq, region: region, client: c, list: sums, err: err}
	})
	return tea.Batch(list, m.tick())
}

// leave stops the listing and the probes running; the probes left are
// made when the list is shown again.
func (s *stacksScreen) leave(*Model) {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.loading {
		s.loading, s.items = false, nil
	}
	for _, it := range s.items {
		if it.probe == probeChecking {
			it.probe = probeWaiting
			s.queue = append([]*stackItem{it}, s.queue...)
		}
	}
	s.out = 0
	s.seq++
}

func (s *stacksScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case stacksMsg:
		return s.listed(m, msg), true
	case probeMsg:
		return s.probed(m, msg), true
	}
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.Type {
		case tea.KeyUp, tea.KeyDown, tea.KeyPgUp, tea.KeyPgDown:
			s.touched = true
		case tea.KeyCtrlR:
			// Read the region's stacks again; r itself types into the
			// filter.
			s.items = nil
			return m.enter(stepStacks), true
		}
	}
	return nil, m.filterUpdate(msg)
}

// listed takes the listing and starts the probes, a few at a time.
func (s *stacksScreen) listed(m *Model, msg stacksMsg) tea.Cmd {
	if msg.seq != s.seq || !s.loading {
		return nil
	}
	s.loading = false
	if msg.err != nil {
		return m.fail(stacksError(msg.err, msg.region))
	}
	s.client = msg.client
	if msg.client != nil && m.a.region == "" {
		m.a.region = msg.client.Region()
	}
	s.items = []*stackItem{}
	for _, sum := range msg.list {
		if !sum.Settled() {
			s.hidden = append(s.hidden, sum)
			continue
		}
		it := &stackItem{sum: sum}
		if sum.ParentID != "" {
			// The root's next update would undo an edit of the child.
			it.refusal = nestedRefusal
		}
		s.items = append(s.items, it)
	}
	if len(s.items) == 0 {
		return m.fail(screenError{
			title:  "No stacks in " + msg.region + " can be updated now",
			detail: render.NoStacks(msg.region, hiddenNames(s.hidden)),
			hint:   "Press esc to choose another region.",
			back:   stepRegion,
		})
	}
	// The first probeMax by name are checked; the others are listed.
	byName := append([]*stackItem(nil), s.items...)
	sort.SliceStable(byName, func(i, j int) bool { return byName[i].sum.Name < byName[j].sum.Name })
	for i, it := range byName {
		if i >= probeMax {
			it.probe = probeSkipped
			continue
		}
		s.queue = append(s.queue, it)
	}
	if m.step != stepStacks {
		return nil
	}
	if !s.touched {
		m.a.stack = ""
	}
	cmds := []tea.Cmd{m.setForm(s.form(m))}
	for len(s.queue) > 0 && s.out < probeBound {
		cmds = append(cmds, s.nextProbe(m))
	}
	if s.out > 0 {
		cmds = append(cmds, m.tick())
	}
	return tea.Batch(cmds...)
}

func hiddenNames(sums []awsclient.StackSummary) []string {
	var out []string
	for _, s := range sums {
		out = append(out, s.Name+" ("+s.Status+")")
	}
	return out
}

// nextProbe checks the next waiting stack: its resources first (one small
// call); only a stack with an ECS task definition has its template read
// and parsed for a TeamCity agent.
func (s *stacksScreen) nextProbe(m *Model) tea.Cmd {
	it := s.queue[0]
	s.queue = s.queue[1:]
	s.out++
	it.probe = probeChecking
	seq, ctx, c, name := s.seq, s.ctx, s.client, it.sum.Name
	if ctx == nil || ctx.Err() != nil {
		s.ctx, s.cancel = context.WithCancel(m.sess.ctx)
		ctx = s.ctx
	}
	return m.sess.do(func() tea.Msg {
		ids, err := c.TaskDefinitionIDs(ctx, name)
		if err != nil {
			return probeMsg{seq: seq, item: it, probe: probeUnknown}
		}
		if len(ids) == 0 {
			return probeMsg{seq: seq, item: it, probe: probeNone}
		}
		body, err := c.GetTemplate(ctx, name)
		if err != nil {
			return probeMsg{seq: seq, item: it, probe: probeUnknown}
		}
		t, err := dind.Parse(body)
		if err != nil {
			return probeMsg{seq: seq, item: it, probe: probeUnknown}
		}
		var agents []string
		var mode dind.Mode
		refusal := ""
		for i, td := range t.Agents() {
			agents = append(agents, td.LogicalID)
			switch {
			case i == 0:
				mode, refusal = td.Mode(), refusalOf(td.Refusal)
			case td.Mode() != mode:
				mode = dind.ModeMixed
			}
			if td.Refusal == "" {
				refusal = "" // one agent tcdind can edit is enough
			}
		}
		if len(agents) == 0 {
			return probeMsg{seq: seq, item: it, probe: probeNone}
		}
		return probeMsg{seq: seq, item: it, probe: probeAgent, agents: agents, mode: mode, refusal: refusal}
	})
}

// probed takes a stack's check and starts the next.
func (s *stacksScreen) probed(m *Model, msg probeMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil
	}
	s.out--
	msg.item.probe, msg.item.agents, msg.item.mode = msg.probe, msg.agents, msg.mode
	if msg.refusal != "" {
		msg.item.refusal = msg.refusal
	}
	var cmd tea.Cmd
	if len(s.queue) > 0 && m.step == stepStacks && m.err == nil {
		cmd = s.nextProbe(m)
	}
	if m.step == stepStacks && m.list != nil && m.form != nil {
		if !s.touched {
			m.a.stack = "" // the first, agents first
		}
		m.refreshList()
	}
	return cmd
}

// probing reports whether stacks are still being checked.
func (s *stacksScreen) probing() bool { return s.out > 0 || len(s.queue) > 0 }

func (s *stacksScreen) spinning(*Model) bool { return s.loading || s.probing() }

// sorted are the stacks with a TeamCity agent tcdind can edit first, then
// those it cannot, then the others, each by name.
func (s *stacksScreen) sorted() []*stackItem {
	items := append([]*stackItem(nil), s.items...)
	rank := func(it *stackItem) int {
		switch {
		case it.probe == probeAgent && it.refusal == "":
			return 0
		case it.probe == probeAgent:
			return 1
		}
		return 2
	}
	sort.SliceStable(items, func(i, j int) bool {
		if ri, rj := rank(items[i]), rank(items[j]); ri != rj {
			return ri < rj
		}
		return items[i].sum.Name < items[j].sum.Name
	})
	return items
}

// refusalOf is an engine refusal as the stack list says it, in a few
// words.
func refusalOf(why string) string {
	switch {
	case why == "":
		return ""
	case strings.Contains(why, "Fargate"):
		return "Fargate"
	case strings.Contains(why, "Linux"):
		return "Windows containers"
	}
	return why
}

// refusalSaid is a refusal as a stack's option says it: in full in plain
// prompts, which are never cut.
func (m *Model) refusalSaid(short string) string {
	if !m.plain {
		return short
	}
	switch short {
	case "Fargate":
		return "it runs on Fargate, which has neither privileged containers nor host volumes"
	case "Windows containers":
		return "Windows containers; Docker-in-Docker needs Linux"
	case nestedRefusal:
		return "a nested stack; save its template and update the root stack"
	}
	return short
}

// nestedRefusal marks a nested stack: the root's next update would undo
// an edit of the child.
const nestedRefusal = "nested stack"

func (s *stacksScreen) options(m *Model) []huh.Option[string] {
	items := s.sorted()
	w, sw := 0, 0
	for _, it := range items {
		w, sw = max(w, len(it.sum.Name)), max(sw, len(it.sum.Status))
	}
	w = min(w, 40)
	// On a narrow screen the status column goes first: what tcdind can do
	// with the stack matters more, and every stack listed is settled.
	avail := max(m.formWidth()-6, 20)
	withStatus := m.plain
	if !withStatus {
		widest := 0
		for _, it := range items {
			widest = max(widest, ansi.StringWidth(s.about(m, it)))
		}
		withStatus = w+2+sw+2+widest <= avail
	}
	var opts []huh.Option[string]
	for _, it := range items {
		label := padRight(it.sum.Name, w)
		if withStatus {
			label += "  " + padRight(it.sum.Status, sw)
		}
		if about := s.about(m, it); about != "" {
			label += "  " + about
		}
		if !m.plain {
			label = ansi.Truncate(label, avail, "…")
		}
		opts = append(opts, huh.NewOption(strings.TrimRight(label, " "), it.sum.Name))
	}
	return opts
}

// about is what the list says of a stack after its name and status: the
// TeamCity agent it holds and its mode, why tcdind cannot edit it, or that
// it is still being checked.
func (s *stacksScreen) about(m *Model, it *stackItem) string {
	switch {
	case it.refusal != "":
		return "cannot edit: " + m.refusalSaid(it.refusal)
	case it.probe == probeAgent:
		about := m.mark("★ ") + "TeamCity agent"
		if n := len(it.agents); n > 1 && m.plain {
			about = fmt.Sprintf("%d TeamCity agents", n) // "×" is read "times"
		} else if n > 1 {
			about += fmt.Sprintf(" ×%d", n)
		}
		return about + ", now " + string(it.mode)
	case it.probe == probeWaiting || it.probe == probeChecking:
		return m.mark("…")
	}
	return ""
}

// form is the stack question from the list, the cursor on the answer
// given before (the first stack otherwise).
func (s *stacksScreen) form(m *Model) *huh.Form {
	return m.newList("Which stack?", &m.a.stack, func() []huh.Option[string] { return s.options(m) }, func() string { return s.description() })
}

func (s *stacksScreen) description() string {
	checked := 0
	for _, it := range s.items {
		if it.probe != probeWaiting && it.probe != probeChecking {
			checked++
		}
	}
	skipped := 0
	for _, it := range s.items {
		if it.probe == probeSkipped {
			skipped++
		}
	}
	return render.StacksDescription(s.region, checked-skipped, len(s.items)-skipped, skipped, s.probing(), hiddenNames(s.hidden))
}

// stacksError explains a failed listing on screen.
func stacksError(err error, region string) screenError {
	e := screenError{title: "Could not list the stacks in " + region, detail: err.Error(), back: stepRegion,
		hint: "Press esc to choose another region, or ctrl+c to quit."}
	switch problemOf(err) {
	case problemAccess:
		e.title = "Not allowed to list the stacks in " + region
		e.hint = "The credentials in use need cloudformation:ListStacks (and DescribeStacks, GetTemplate and the change set calls to update one). Press esc to choose another region, or quit and run again with --profile."
	case problemCredentials:
		e.title = "No valid AWS credentials"
		e.hint = "Another region will not help: quit with ctrl+c, sign in (aws sso login, aws configure, or --profile) and run tcdind again."
	case problemNetwork:
		e.hint = "AWS could not be reached: check the network, a proxy or --endpoint-url. Press esc to choose another region."
	}
	return e
}

func (s *stacksScreen) view(m *Model, w, _ int) body {
	if s.loading || m.form == nil {
		return body{top: m.spinView() + render.Wrap("Listing the stacks in "+s.region+" …", max(w-2, 10))}
	}
	return body{bottom: m.formBody()}
}

func (s *stacksScreen) hints(m *Model) []hint {
	if m.form == nil {
		return []hint{{"esc", "back"}, {"ctrl+c", "quit"}}
	}
	hs := m.formHints()
	return append(hs[:len(hs)-2:len(hs)-2], append([]hint{{"ctrl+r", "read again"}}, hs[len(hs)-2:]...)...)
}

func (s *stacksScreen) submit(m *Model) tea.Cmd { return m.enter(stepLoading) }

// field is the stack question as a plain prompt: the same list, the
// stacks with a TeamCity agent first.
func (s *stacksScreen) field(m *Model) huh.Field {
	return selectOf(m, "Which stack?", s.options(m), &m.a.stack)
}

func (s *stacksScreen) intro(*Model) string {
	return strings.Replace(s.description(), " Type to filter.", "", 1)
}
