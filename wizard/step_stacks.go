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

// probeBound is how many stacks are checked for a TeamCity agent at once.
const probeBound = 4

// probe is what is known of a stack's agent.
type probe int

const (
	probeWaiting  probe = iota // not checked yet
	probeChecking              // a call is out
	probeAgent                 // holds a TeamCity agent task definition
	probeNone                  // holds none
	probeUnknown               // could not tell (no permission, ...)
)

// stackItem is a stack of the list and what is known of its agent.
type stackItem struct {
	sum    awsclient.StackSummary
	probe  probe
	agents []string // logical IDs of the agent task definitions
}

// stackList is the stack question's state: the listing, then the probes.
type stackList struct {
	seq     int // tells a listing's answers from an older one's
	region  string
	loading bool
	items   []*stackItem
	queue   []*stackItem // waiting for a probe
	out     int          // probes running
	field   *huh.Select[string]
	touched bool // the user moved in the list: the cursor stays put
	ctx     context.Context
	cancel  context.CancelFunc
}

// stacksMsg ends the listing.
type stacksMsg struct {
	seq    int
	region string
	client awsclient.CloudFormation
	list   []awsclient.StackSummary
	err    error
}

// probeMsg ends one stack's check.
type probeMsg struct {
	seq    int
	item   *stackItem
	agents []string
	probe  probe
}

// client returns the AWS client for region, made once.
func (m *Model) client(ctx context.Context, region string) (awsclient.CloudFormation, error) {
	m.clientsMu.Lock()
	defer m.clientsMu.Unlock()
	if c, ok := m.clients[region]; ok {
		return c, nil
	}
	if m.cfg.Client == nil {
		return nil, fmt.Errorf("no AWS client: stacks cannot be reached from here")
	}
	c, err := m.cfg.Client(ctx, region)
	if err != nil {
		return nil, err
	}
	m.clients[region] = c
	return c, nil
}

// startStacks lists the region's stacks behind a spinner.
func (m *Model) startStacks() tea.Cmd {
	m.stopStacks()
	l := &m.stacks
	l.seq++
	*l = stackList{seq: l.seq, region: m.a.region, loading: true}
	ctx, cancel := context.WithCancel(m.awsCtx)
	l.ctx, l.cancel = ctx, cancel
	seq, region := l.seq, l.region
	list := m.track(func() tea.Msg {
		c, err := m.client(ctx, region)
		if err != nil {
			return stacksMsg{seq: seq, region: region, err: err}
		}
		sums, err := c.ListStacks(ctx)
		return stacksMsg{seq: seq, region: region, client: c, list: sums, err: err}
	})
	return tea.Batch(list, m.tick())
}

// stopStacks cancels the listing and the probes: the user moved on.
func (m *Model) stopStacks() {
	if m.stacks.cancel != nil {
		m.stacks.cancel()
		m.stacks.cancel = nil
	}
	m.stacks.loading = false
	m.stacks.queue = nil
}

// listed takes the listing and starts the probes, a few at a time.
func (m *Model) listed(msg stacksMsg) tea.Cmd {
	l := &m.stacks
	if msg.seq != l.seq || m.step != stepStacks || !l.loading {
		return nil
	}
	l.loading = false
	if msg.err != nil {
		return m.fail(stacksError(msg.err, msg.region))
	}
	if msg.client != nil && m.a.region == "" {
		m.a.region = msg.client.Region()
	}
	if len(msg.list) == 0 {
		return m.fail(screenError{
			title:  "No stacks in " + msg.region,
			detail: "There is no CloudFormation stack in " + msg.region + " that can be updated now (in a settled *_COMPLETE state).",
			hint:   "Press esc to choose another region.",
			back:   stepRegion,
		})
	}
	for _, s := range msg.list {
		it := &stackItem{sum: s}
		l.items = append(l.items, it)
		l.queue = append(l.queue, it)
	}
	m.buildStackForm()
	var cmds []tea.Cmd
	for len(l.queue) > 0 && l.out < probeBound {
		cmds = append(cmds, m.nextProbe(msg.client))
	}
	cmds = append(cmds, m.enterForm())
	if l.out > 0 {
		cmds = append(cmds, m.tick())
	}
	return tea.Batch(cmds...)
}

// nextProbe checks the next waiting stack: its resources first (one small
// call); only a stack with an ECS task definition has its template read
// and parsed for a TeamCity agent.
func (m *Model) nextProbe(c awsclient.CloudFormation) tea.Cmd {
	l := &m.stacks
	it := l.queue[0]
	l.queue = l.queue[1:]
	l.out++
	it.probe = probeChecking
	seq := l.seq
	ctx := l.ctx
	name := it.sum.Name
	return m.track(func() tea.Msg {
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
		for _, td := range t.Agents() {
			agents = append(agents, td.LogicalID)
		}
		if len(agents) == 0 {
			return probeMsg{seq: seq, item: it, probe: probeNone}
		}
		return probeMsg{seq: seq, item: it, probe: probeAgent, agents: agents}
	})
}

// probed takes a stack's check and starts the next.
func (m *Model) probed(msg probeMsg) tea.Cmd {
	l := &m.stacks
	if msg.seq != l.seq {
		return nil
	}
	l.out--
	msg.item.probe, msg.item.agents = msg.probe, msg.agents
	var cmd tea.Cmd
	if len(l.queue) > 0 && m.step == stepStacks {
		if c, err := m.client(m.awsCtx, l.region); err == nil {
			cmd = m.nextProbe(c)
		}
	}
	m.refreshStacks()
	return cmd
}

// probing reports whether stacks are still being checked.
func (m *Model) probing() bool { return m.stacks.out > 0 || len(m.stacks.queue) > 0 }

// sortedStacks are the stacks with a TeamCity agent first, then by name.
func (m *Model) sortedStacks() []*stackItem {
	items := append([]*stackItem(nil), m.stacks.items...)
	sort.SliceStable(items, func(i, j int) bool {
		ai, aj := items[i].probe == probeAgent, items[j].probe == probeAgent
		if ai != aj {
			return ai
		}
		return items[i].sum.Name < items[j].sum.Name
	})
	return items
}

func (m *Model) stackOptions() []huh.Option[string] {
	items := m.sortedStacks()
	w, sw := 0, 0
	for _, it := range items {
		w, sw = max(w, len(it.sum.Name)), max(sw, len(it.sum.Status))
	}
	w = min(w, 40)
	var opts []huh.Option[string]
	for _, it := range items {
		label := padRight(it.sum.Name, w) + "  " + padRight(it.sum.Status, sw)
		switch it.probe {
		case probeAgent:
			label += "  ★ TeamCity agent"
			if n := len(it.agents); n > 1 {
				label += fmt.Sprintf(" ×%d", n)
			}
		case probeWaiting, probeChecking:
			label += "  …"
		}
		label = ansi.Truncate(label, max(m.formWidth()-6, 20), "…")
		opts = append(opts, huh.NewOption(label, it.sum.Name))
	}
	return opts
}

// buildStackForm makes the stack question from the list.
func (m *Model) buildStackForm() {
	if !m.stacks.touched {
		m.a.stack = ""
	}
	m.form = m.newList("Which stack?", &m.a.stack, m.stackOptions, m.stacksDescription)
	m.stacks.field = m.list.field
}

func (m *Model) stacksDescription() string {
	d := "Stacks in " + m.stacks.region + " that can be updated now. Type to filter."
	if m.probing() {
		done := 0
		for _, it := range m.stacks.items {
			if it.probe != probeWaiting && it.probe != probeChecking {
				done++
			}
		}
		d += fmt.Sprintf(" Looking for TeamCity agents: %d of %d checked.", done, len(m.stacks.items))
	}
	return d
}

// refreshStacks redraws the marks and the order; the cursor stays on its
// stack, or goes to the first while the user has not moved.
func (m *Model) refreshStacks() {
	if m.stacks.field == nil || m.step != stepStacks || m.list == nil || m.form == nil {
		return
	}
	if !m.stacks.touched {
		m.a.stack = ""
	}
	m.refreshList()
}

// stacksError explains a failed listing on screen.
func stacksError(err error, region string) screenError {
	e := screenError{title: "Could not list the stacks in " + region, detail: err.Error(), back: stepRegion,
		hint: "Press esc to choose another region, or ctrl+c to quit and check the credentials (aws sts get-caller-identity)."}
	switch awsclient.ErrorCode(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		e.title = "Not allowed to list the stacks in " + region
		e.hint = "The credentials in use need cloudformation:ListStacks (and DescribeStacks, GetTemplate and the change set calls to update one). Press esc to choose another region, or quit and run again with --profile."
	}
	return e
}

// stacksView is the spinner while listing, then the question.
func (m *Model) stacksView(w int) string {
	if m.stacks.loading || m.form == nil {
		return m.spinView() + render.Wrap("Listing the stacks in "+m.stacks.region+" …", max(w-2, 10))
	}
	return strings.TrimRight(m.form.View(), "\n ")
}
