package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/source"
)

// startStackLoad reads the stack and its deployed template (as submitted)
// behind the loading spinner: the review diffs against it.
func (m *Model) startStackLoad() tea.Cmd {
	m.stopLoading()
	m.stopStacks()
	m.loadSeq++
	seq, region, name := m.loadSeq, m.a.region, m.a.stack
	ctx, cancel := context.WithCancel(m.awsCtx)
	m.cancelLoad, m.loadArg = cancel, "stack "+name
	m.step, m.form, m.err = stepLoading, nil, nil
	load := m.track(func() tea.Msg {
		c, err := m.client(ctx, region)
		if err != nil {
			return loadedMsg{seq: seq, arg: name, err: err, isStack: true}
		}
		st, err := c.DescribeStack(ctx, name)
		if err != nil {
			return loadedMsg{seq: seq, arg: name, err: err, isStack: true}
		}
		if err := changeset.Settled(st, m.where(c.Region())); err != nil {
			return loadedMsg{seq: seq, arg: name, err: err, isStack: true}
		}
		body, err := c.GetTemplate(ctx, st.Name)
		if err != nil {
			return loadedMsg{seq: seq, arg: name, err: err, isStack: true}
		}
		src := &source.Template{Bytes: body, Name: st.Name}
		t, err := parse(src)
		return loadedMsg{seq: seq, arg: name, src: src, tmpl: t, err: err, isStack: true, stack: st, region: c.Region()}
	})
	return tea.Batch(load, m.tick())
}

// stackLoaded takes the stack's template; an error leads back to the list.
func (m *Model) stackLoaded(msg loadedMsg) tea.Cmd {
	if msg.err != nil {
		e := errorFor(msg.err, "Could not read stack "+msg.arg, stepStacks)
		switch {
		case msg.src != nil && e.title == "No TeamCity build agent in this template":
			e.title = "No TeamCity build agent in stack " + msg.arg
			e.hint = "Press esc and choose another stack."
		case msg.src != nil:
			e.hint = "Nothing was changed. Press esc and choose another stack."
		default:
			e.hint = "Press esc to choose a stack."
		}
		return m.fail(e)
	}
	m.a.stackInfo, m.a.region = msg.stack, msg.region
	m.a.loaded(m.cfg, msg.src, msg.tmpl)
	if m.cfg.Output == "" {
		m.a.output = shellSafeName(msg.stack.Name) + ".dind.yaml"
		if msg.tmpl.IsJSON() {
			m.a.output = shellSafeName(msg.stack.Name) + ".dind.json"
		}
	}
	return m.enter(m.nextStep(stepLoading))
}

// shellSafeName makes a file name of a stack name (letters, digits, -).
func shellSafeName(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 { // an ARN
		s = s[i+1:]
	}
	return s
}

// csPhase is where the change set step is.
type csPhase int

const (
	csCreating csPhase = iota // behind a spinner
	csReady                   // shown, execute or discard?
	csDeleting                // discarding, behind a spinner
)

// afterDelete is where deleting the change set leads.
type afterDelete int

const (
	toDone   afterDelete = iota // discarded: the done screen
	toReview                    // esc: back to the review
	toQuit                      // ctrl+c: leave
)

// changeSet is the change set step's state.
type changeSet struct {
	seq    int
	phase  csPhase
	set    *changeset.Set
	s3Key  string
	made   *changeset.Created
	after  afterDelete
	cancel context.CancelFunc
	choice string // "execute" or "discard"
	// abandoned: esc while it was being created.
	abandoned bool
	// other are changes to resources the edit did not touch.
	other []awsclient.ResourceChange
}

type createdMsg struct {
	seq   int
	s3Key string
	made  *changeset.Created
	err   error
}

// deletedMsg ends a deletion; err is the outcome to report (nil: deleted
// and checked, on a way back to the review).
type deletedMsg struct {
	seq int
	err error
}

// createChangeSet creates the change set behind a spinner.
func (m *Model) createChangeSet() tea.Cmd {
	st := m.a.stackInfo
	c, err := m.client(m.awsCtx, m.a.region)
	if err != nil {
		return m.fail(errorFor(err, "Could not reach AWS", stepReview))
	}
	m.cs.seq++
	set := &changeset.Set{
		Client:   c,
		Reviewed: changeset.Review(st, m.a.src.Bytes),
		Input:    changeset.NewInput(st, m.result, m.a.mode, m.cfg.now(), m.cfg.Random),
		Wait:     m.cfg.Wait,
		Settle:   m.cfg.Settle,
		Lookups:  m.cfg.Lookups,
		Where:    m.where(c.Region()),
	}
	ctx, cancel := context.WithCancel(m.awsCtx)
	m.cs = changeSet{seq: m.cs.seq, phase: csCreating, set: set, cancel: cancel, choice: "execute"}
	m.step, m.form, m.err = stepChangeSet, nil, nil
	seq, bucket := m.cs.seq, m.cfg.S3Bucket
	create := m.track(func() tea.Msg {
		key, err := changeset.Place(ctx, c, st, &set.Input, bucket)
		if err != nil {
			return createdMsg{seq: seq, err: err}
		}
		made, err := set.Create(ctx)
		if err == nil && made.ChangeSet != nil || exitcode.Code(err) == exitcode.Pending {
			// Until it is executed, leaving deletes it (Close); also
			// one whose cleanup could not be checked, which leaving
			// tries again and reports even when this message is not
			// read any more (a hangup).
			m.setPending(set)
		}
		return createdMsg{seq: seq, s3Key: key, made: made, err: err}
	})
	return tea.Batch(create, m.tick())
}

// created shows the change set, or says why there is none.
func (m *Model) created(msg createdMsg) tea.Cmd {
	if msg.seq != m.cs.seq {
		return nil
	}
	m.cs.cancel = nil
	made := msg.err == nil && msg.made.ChangeSet != nil
	if m.leaving {
		if made {
			m.cs.made = msg.made
			return m.deleteChangeSet(toQuit)
		}
		if msg.err != nil {
			m.exitErr = msg.err // what the interrupted creation checked
		}
		return tea.Quit
	}
	if m.cs.abandoned || m.step != stepChangeSet {
		// esc while it was created: cancelled, and cleaned up by the
		// creation; or made just before: delete it now, quietly.
		if made {
			return m.deleteQuietly(m.cs.set)
		}
		if msg.err != nil && exitcode.Code(msg.err) == exitcode.Pending {
			m.warn(msg.err)
		}
		return nil
	}
	if msg.err != nil {
		var moved *changeset.MovedError
		var tooLarge *changeset.TooLargeError
		e := errorFor(msg.err, "Could not create the change set", stepReview)
		switch {
		case errors.As(msg.err, &moved):
			e.title = "Stack " + m.a.stackInfo.Name + " changed since it was read"
			e.hint = "No change set was created. Press enter to read the stack again and review the change on it."
			e.reload = true
		case errors.As(msg.err, &tooLarge):
			e.hint = "Run tcdind again with --s3-bucket BUCKET, or press esc and then s to save the template to a file instead."
		case exitcode.Code(msg.err) == exitcode.Pending:
			e.hint = "Press esc to go back to the review."
		default:
			e.hint = "Stack " + m.a.stackInfo.Name + " is unchanged and no change set is left. Press esc to go back to the review."
		}
		return m.fail(e)
	}
	m.cs.s3Key, m.cs.made = msg.s3Key, msg.made
	if msg.made.NoChanges {
		m.finished, m.stackOutcome = true, outcomeNoChanges
		m.step, m.form = stepDone, nil
		return nil
	}
	m.cs.other = changeset.ScopeOf(m.a.tmpl, m.result).Unexpected(msg.made.ChangeSet.Changes)
	m.cs.phase = csReady
	m.form = m.executeForm()
	return m.enterForm()
}

// executeForm asks whether to execute the change set shown above it.
func (m *Model) executeForm() *huh.Form {
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().
			Title("Execute change set "+m.cs.set.Input.Name+"?").
			Options(
				huh.NewOption("Execute: update stack "+m.a.stackInfo.Name+" now", "execute"),
				huh.NewOption("Discard: delete the change set, change nothing", "discard"),
			).
			Value(&m.cs.choice),
	))
}

// errDiscarded is the outcome of a change set the user chose not to execute.
var errDiscarded = errors.New("not executed: you chose to discard it")

// deleteChangeSet deletes the change set that will not be executed,
// behind a spinner, checks it is gone, then goes where after says.
func (m *Model) deleteChangeSet(after afterDelete) tea.Cmd {
	if m.cs.made == nil || m.cs.made.ChangeSet == nil {
		return m.deleted(deletedMsg{seq: m.cs.seq})
	}
	m.cs.phase, m.cs.after, m.form = csDeleting, after, nil
	m.step, m.err = stepChangeSet, nil
	seq, set := m.cs.seq, m.cs.set
	ctx := m.awsCtx
	var cause error
	switch {
	case after == toDone:
		cause = errDiscarded
	case after == toReview:
		// Not an interruption: the user goes back.
		ctx = context.WithoutCancel(ctx)
	}
	del := m.track(func() tea.Msg {
		err := set.Discard(ctx, cause)
		if exitcode.Code(err) != exitcode.Pending {
			m.unsetPending(set)
		}
		return deletedMsg{seq: seq, err: err}
	})
	return tea.Batch(del, m.tick())
}

// deleteQuietly deletes a change set nobody looks at any more.
func (m *Model) deleteQuietly(set *changeset.Set) tea.Cmd {
	ctx := context.WithoutCancel(m.awsCtx)
	return m.track(func() tea.Msg {
		if err := set.Discard(ctx, nil); err != nil {
			m.warn(err) // Close tries again
			return nil
		}
		m.unsetPending(set)
		return nil
	})
}

// deleted goes on after the change set was deleted.
func (m *Model) deleted(msg deletedMsg) tea.Cmd {
	if msg.seq != m.cs.seq {
		return nil
	}
	pendingLeft := exitcode.Code(msg.err) == exitcode.Pending
	if !pendingLeft {
		m.cs.made = nil
	}
	switch {
	case m.cs.after == toQuit || m.leaving:
		m.exitErr = msg.err
		if m.exitErr == nil {
			m.exitErr = changeset.Interrupted("change set " + m.cs.set.Input.Name + " deleted, stack " + m.cs.set.Input.Stack + " unchanged")
		}
		return tea.Quit
	case pendingLeft:
		return m.fail(errorFor(msg.err, "Could not delete the change set", stepReview))
	case m.cs.after == toReview:
		return m.enter(stepReview)
	}
	m.stackOutcome = outcomeDiscarded
	m.exitErr = msg.err
	m.step, m.form = stepDone, nil
	return nil
}

// updateChangeSet handles keys on the change set step.
func (m *Model) updateChangeSet(msg tea.KeyMsg) tea.Cmd {
	if key := msg.String(); key == "esc" {
		switch m.cs.phase {
		case csCreating:
			// Cancelled; the creation deletes what it made.
			if m.cs.cancel != nil {
				m.cs.cancel()
			}
			m.cs.abandoned = true
			return m.enter(stepReview)
		case csReady:
			return m.deleteChangeSet(toReview)
		}
	}
	return nil
}

// changeSetSubmitted executes or discards, as answered.
func (m *Model) changeSetSubmitted() tea.Cmd {
	if m.cs.choice == "discard" {
		return m.deleteChangeSet(toDone)
	}
	return m.execute()
}

// changeSetView is the spinner, or what CloudFormation will change.
func (m *Model) changeSetView(w int) string {
	switch m.cs.phase {
	case csCreating:
		text := "Creating change set " + m.cs.set.Input.Name + " on stack " + m.cs.set.Input.Stack + " …"
		if m.leaving {
			text = "Deleting the change set before leaving …"
		}
		return m.spinView() + render.Wrap(text, max(w-2, 10))
	case csDeleting:
		return m.spinView() + render.Wrap("Deleting change set "+m.cs.set.Input.Name+" …", max(w-2, 10))
	}
	cs := m.cs.made.ChangeSet
	var b strings.Builder
	n := len(cs.Changes)
	b.WriteString(m.st.Section.Render("What CloudFormation will change") + "\n")
	b.WriteString(render.Wrap(fmt.Sprintf("Change set %s on stack %s: %d resource %s.", m.cs.set.Input.Name, m.cs.set.Input.Stack, n, plural(n, "change", "changes")), w) + "\n")
	if m.cs.s3Key != "" {
		b.WriteString(render.Wrap("The template was uploaded to s3://"+m.cfg.S3Bucket+"/"+m.cs.s3Key+".", w) + "\n")
	}
	b.WriteString("\n" + strings.TrimRight(render.ChangeSetTable(cs.Changes, m.st), "\n") + "\n\n")
	if len(m.cs.other) > 0 {
		b.WriteString(m.st.Warnings([]string{"This change set also changes resources tcdind did not edit: " + changeset.DescribeChanges(m.cs.other) + ". Discard it unless you expected that."}, min(w, 90)) + "\n\n")
	}
	b.WriteString(m.st.Warnings([]string{"Executing it replaces the TeamCity agent tasks: builds running on them are interrupted. Run it when the agents are idle."}, min(w, 90)) + "\n\n")
	b.WriteString(strings.TrimRight(m.form.View(), "\n "))
	return b.String()
}

func (m *Model) changeSetHints() []hint {
	switch m.cs.phase {
	case csReady:
		return []hint{{"enter", "confirm"}, {"esc", "discard and go back"}, {"ctrl+c", "quit (deletes the change set)"}}
	case csCreating:
		return []hint{{"esc", "cancel"}, {"ctrl+c", "quit (deletes the change set)"}}
	}
	return []hint{{"ctrl+c", "quit"}}
}

// setPending records a change set that leaving must delete. The AWS
// commands call it from their goroutines.
func (m *Model) setPending(set *changeset.Set) {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	if !slices.Contains(m.pending, set) {
		m.pending = append(m.pending, set)
	}
}

// unsetPending forgets set once it is executed or deleted (checked); the
// others stay: a deletion that ends late must not forget a newer change
// set, nor a newer one an older that could not be deleted.
func (m *Model) unsetPending(set *changeset.Set) {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	m.pending = slices.DeleteFunc(m.pending, func(s *changeset.Set) bool { return s == set })
}

// getPending is the latest change set leaving must delete, or nil.
func (m *Model) getPending() *changeset.Set {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	if len(m.pending) == 0 {
		return nil
	}
	return m.pending[len(m.pending)-1]
}

func (m *Model) allPending() []*changeset.Set {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	return slices.Clone(m.pending)
}

// where is " --region R [--profile P]" for the commands the wizard prints.
func (m *Model) where(region string) string {
	s := ""
	if region != "" {
		s += " --region " + region
	}
	if m.cfg.Profile != "" {
		s += " --profile " + m.cfg.Profile
	}
	return s
}

// warn keeps a problem that does not change the outcome (a change set that
// could not be deleted after a failure) for the summary.
func (m *Model) warn(err error) {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	m.warnings = append(m.warnings, err.Error())
}

func interruptedf(format string, args ...any) error {
	return exitcode.WithCode(exitcode.Interrupted, errors.New("interrupted: "+fmt.Sprintf(format, args...)))
}
