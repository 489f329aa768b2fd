package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/render"
	"github.com/tcdind/tcdind/rollout"
)

// csPhase is where the change set screen is.
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

// Execute and discard are the change set question's answers. Discard is
// the default: enter twice after the review never updates a stack.
const (
	choiceDiscard = "discard"
	choiceExecute = "execute"
	choiceDrain   = "drain" // disable the agents, wait for their builds, execute
)

// changeSetScreen creates the change set, shows what CloudFormation will
// change, and asks whether to execute it.
type changeSetScreen struct {
	seq    int
	phase  csPhase
	after  afterDelete
	cancel context.CancelFunc
	choice string
	// abandoned: esc while it was being created.
	abandoned bool
	// other are changes to resources the edit did not touch.
	other []awsclient.ResourceChange
	// name and stack of the change set, for the view: its Input is
	// written while it is placed and created (a TemplateURL).
	name, stack string
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

func (createdMsg) route() step { return stepChangeSet }
func (deletedMsg) route() step { return stepChangeSet }

// enter creates the change set behind a spinner.
func (s *changeSetScreen) enter(m *Model) tea.Cmd {
	st := m.a.stackInfo
	sess := m.sess
	c, err := sess.client(sess.ctx, m.a.region)
	if err != nil {
		return m.fail(errorFor(err, "Could not reach AWS", stepReview))
	}
	s.seq++
	set := &changeset.Set{
		Client:   c,
		Reviewed: changeset.Review(st, m.a.src.Bytes),
		Input:    changeset.NewInput(st, m.result, m.a.mode, m.cfg.now(), m.cfg.Random),
		Wait:     m.cfg.Wait,
		Settle:   m.cfg.Settle,
		Lookups:  m.cfg.Lookups,
		Where:    m.whereFlags(c.Region()),
	}
	ctx, cancel := context.WithCancel(sess.ctx)
	*s = changeSetScreen{seq: s.seq, phase: csCreating, cancel: cancel, choice: choiceDiscard, name: set.Input.Name, stack: set.Input.Stack}
	m.stack = stackRun{set: set}
	seq, bucket := s.seq, m.a.s3Bucket
	readsECS, _ := c.(rollout.Client)
	tmpl, res := m.a.tmpl, m.result
	create := sess.do(func() tea.Msg {
		// A CODE_DEPLOY or EXTERNAL service cannot take the new task
		// definition from CloudFormation: refused before any change set.
		if err := rollout.CheckControllers(ctx, readsECS, st.Name, tmpl, res); err != nil {
			return createdMsg{seq: seq, err: err}
		}
		key, err := changeset.Place(ctx, c, st, &set.Input, bucket)
		if err != nil {
			return createdMsg{seq: seq, err: err}
		}
		made, err := set.Create(ctx)
		if err == nil && made.ChangeSet != nil || pending(err) {
			// Until it is executed, leaving deletes it (Close); also
			// one whose cleanup could not be checked, which leaving
			// tries again and reports even when this message is not
			// read any more (a hangup).
			sess.hold(set)
		}
		return createdMsg{seq: seq, s3Key: key, made: made, err: err}
	})
	return tea.Batch(create, m.tick())
}

func (s *changeSetScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case createdMsg:
		return s.created(m, msg), true
	case deletedMsg:
		return s.deleted(m, msg), true
	case tea.KeyMsg:
		if msg.String() == "esc" {
			switch s.phase {
			case csCreating:
				// Cancelled; the creation deletes what it made.
				if s.cancel != nil {
					s.cancel()
				}
				s.abandoned = true
				return m.enter(stepReview), true
			case csReady:
				return s.delete(m, toReview), true
			}
			return nil, true
		}
		if s.phase != csReady {
			return nil, true
		}
		if msg.String() == "x" {
			// The explicit key: execute without moving the cursor; with
			// --drain, draining is the way to execute.
			s.choice = choiceExecute
			if m.cfg.Drain && m.canDrain() {
				s.choice = choiceDrain
			}
			return s.submit(m), true
		}
		if msg.String() == "d" {
			s.choice = choiceDiscard
			return s.submit(m), true
		}
	}
	return nil, false
}

// created shows the change set, or says why there is none.
func (s *changeSetScreen) created(m *Model, msg createdMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil
	}
	s.cancel = nil
	made := msg.err == nil && msg.made.ChangeSet != nil
	if m.stack.leaving {
		if made {
			m.stack.made = msg.made
			return s.delete(m, toQuit)
		}
		if msg.err != nil {
			m.out.err = msg.err // what the interrupted creation checked
		}
		return tea.Quit
	}
	if s.abandoned || m.step != stepChangeSet {
		// esc while it was created: cancelled, and cleaned up by the
		// creation; or made just before: delete it now, quietly.
		if made {
			return m.deleteQuietly(m.stack.set)
		}
		if pending(msg.err) {
			m.sess.warn(msg.err.Error())
		}
		return nil
	}
	if msg.err != nil {
		e := errorFor(msg.err, "Could not create the change set", stepReview)
		var controller *rollout.ControllerError
		switch problemOf(msg.err) {
		case problemMoved:
			e.title = "Stack " + m.a.stackInfo.Name + " changed since it was read"
			e.hint = "No change set was created. Press enter to read the stack again and review the change on it."
			e.reload = true
		case problemTooLarge:
			e.hint = "Run tcdind again with --s3-bucket BUCKET, or press esc and then s to save the template to a file instead."
		case problemPending:
			e.hint = "Press esc to go back to the review."
		default:
			e.hint = "Stack " + m.a.stackInfo.Name + " is unchanged and no change set is left. Press esc to go back to the review."
		}
		if errors.As(msg.err, &controller) {
			e.title = "CloudFormation cannot roll this out to service " + controller.Service
			e.hint = "No change set was created and stack " + m.a.stackInfo.Name + " is unchanged. Press esc and then s to save the template to a file, and deploy it as the service's controller does."
		}
		return m.fail(e)
	}
	m.stack.s3Key, m.stack.made = msg.s3Key, msg.made
	if msg.made.NoChanges {
		m.out.finished, m.out.stack = true, outcomeNoChanges
		return m.enter(stepDone)
	}
	s.other = changeset.ScopeOf(m.a.tmpl, m.result).Unexpected(msg.made.ChangeSet.Changes)
	s.phase = csReady
	return m.setForm(huh.NewForm(huh.NewGroup(s.field(m))))
}

// field asks whether to execute the change set shown above it; Discard is
// the default.
func (s *changeSetScreen) field(m *Model) huh.Field {
	opts := []huh.Option[string]{
		huh.NewOption("Discard: delete the change set, change nothing", choiceDiscard),
		huh.NewOption("Execute: update stack "+m.a.stackInfo.Name+" now", choiceExecute),
	}
	if m.canDrain() {
		drain := huh.NewOption(render.DrainChoice(len(m.tc.look.match.Pairs), m.drainTimeout()), choiceDrain)
		opts[1] = huh.NewOption("Execute now: running builds are cut off", choiceExecute)
		if m.cfg.Drain {
			// --drain: draining is the way to execute.
			opts = []huh.Option[string]{opts[0], drain}
		} else {
			opts = []huh.Option[string]{opts[0], drain, opts[1]}
		}
	}
	return selectOf(m, "Execute change set "+m.stack.set.Input.Name+"?", opts, &s.choice)
}

// submit executes or discards, as answered.
func (s *changeSetScreen) submit(m *Model) tea.Cmd {
	switch s.choice {
	case choiceDrain:
		return m.enter(stepDrain)
	case choiceExecute:
		return m.enter(stepProgress)
	}
	return s.delete(m, toDone)
}

// delete deletes the change set that will not be executed, behind a
// spinner, checks it is gone, then goes where after says.
func (s *changeSetScreen) delete(m *Model, after afterDelete) tea.Cmd {
	if m.stack.made == nil || m.stack.made.ChangeSet == nil {
		s.after = after
		return s.deleted(m, deletedMsg{seq: s.seq})
	}
	s.phase, s.after, m.form = csDeleting, after, nil
	m.step, m.err = stepChangeSet, nil
	seq, set, sess := s.seq, m.stack.set, m.sess
	ctx := sess.ctx
	var cause error
	switch after {
	case toDone:
		cause = errDiscarded
		if m.tc.drainErr != nil {
			// The drain ended before executing: its reason, as batch
			// reports it.
			cause = m.tc.drainErr
		}
	case toReview:
		// Not an interruption: the user goes back.
		ctx = context.WithoutCancel(ctx)
	}
	del := sess.do(func() tea.Msg {
		err := set.Discard(ctx, cause)
		if !pending(err) {
			sess.release(set)
		}
		return deletedMsg{seq: seq, err: err}
	})
	return tea.Batch(del, m.tick())
}

// deleteQuietly deletes a change set nobody looks at any more.
func (m *Model) deleteQuietly(set *changeset.Set) tea.Cmd {
	sess := m.sess
	ctx := context.WithoutCancel(sess.ctx)
	return sess.do(func() tea.Msg {
		if err := set.Discard(ctx, nil); err != nil {
			sess.warn(err.Error()) // Close tries again
			return nil
		}
		sess.release(set)
		return nil
	})
}

// deleted goes on after the change set was deleted.
func (s *changeSetScreen) deleted(m *Model, msg deletedMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil
	}
	pendingLeft := pending(msg.err)
	if !pendingLeft {
		m.stack.made = nil
	}
	switch {
	case s.after == toQuit || m.stack.leaving:
		m.out.err = msg.err
		if m.out.err == nil {
			m.out.err = changeset.Interrupted(render.ChangeSetDeleted(m.stack.set.Input.Name, m.stack.set.Input.Stack))
		}
		return tea.Quit
	case pendingLeft:
		return m.fail(errorFor(msg.err, "Could not delete the change set", stepReview))
	case s.after == toReview:
		return m.enter(stepReview)
	}
	m.out.stack = outcomeDiscarded
	m.out.err = msg.err
	if m.out.err == nil {
		m.out.err = m.drainOutcome()
	}
	return m.enter(stepDone)
}

// quit deletes the change set before leaving; one being created is
// cancelled, and the creation deletes what it made.
func (s *changeSetScreen) quit(m *Model) tea.Cmd {
	switch {
	case s.phase == csCreating && s.cancel != nil:
		m.stack.leaving = true
		s.cancel()
		return m.tick()
	case m.stack.made != nil && m.stack.made.ChangeSet != nil:
		m.stack.leaving = true
		return s.delete(m, toQuit)
	case s.phase == csDeleting:
		m.stack.leaving = true
		return nil
	}
	return tea.Quit
}

func (s *changeSetScreen) spinning(m *Model) bool { return s.phase != csReady || m.stack.leaving }

// view is the spinner, or what CloudFormation will change.
func (s *changeSetScreen) view(m *Model, w, _ int) body {
	in := struct{ Name, Stack string }{s.name, s.stack}
	switch s.phase {
	case csCreating:
		text := "Creating change set " + in.Name + " on stack " + in.Stack + " …"
		if m.stack.leaving {
			text = "Deleting the change set before leaving …"
		}
		return body{top: m.spinView() + render.Wrap(text, max(w-2, 10))}
	case csDeleting:
		return body{top: m.spinView() + render.Wrap("Deleting change set "+in.Name+" …", max(w-2, 10))}
	}
	cs := m.stack.made.ChangeSet
	n := len(cs.Changes)
	top := m.st.Section.Render("What CloudFormation will change") + "\n" +
		render.Wrap(fmt.Sprintf("Change set %s on stack %s: %s.", in.Name, in.Stack, render.Count(n, "resource change", "resource changes")), w)
	var b strings.Builder
	if m.stack.s3Key != "" {
		b.WriteString(render.Wrap("The template was uploaded to s3://"+m.a.s3Bucket+"/"+m.stack.s3Key+".", w) + "\n\n")
	}
	b.WriteString(strings.TrimRight(render.ChangeSetTableWidth(cs.Changes, m.st, w), "\n") + "\n\n")
	if len(s.other) > 0 {
		b.WriteString(m.st.Warnings([]string{"This change set also changes resources tcdind did not edit: " + changeset.DescribeChanges(s.other) + ". Discard it unless you expected that."}, min(w, 90)) + "\n\n")
	}
	b.WriteString(m.st.Warnings([]string{m.replaceWarning()}, min(w, 90)))
	return body{top: top, scroll: b.String(), bottom: m.formBody()}
}

func (s *changeSetScreen) hints(*Model) []hint {
	switch s.phase {
	case csReady:
		return []hint{{"↑/↓", "choose"}, {"enter", "confirm"}, {"x", "execute"}, {"esc", "discard and go back"}, {"ctrl+c", "quit (deletes the change set)"}}
	case csCreating:
		return []hint{{"esc", "cancel"}, {"ctrl+c", "quit (deletes the change set)"}}
	}
	return []hint{{"ctrl+c", "quit"}}
}

// intro is the change set as plain text, for plain prompts: what
// CloudFormation will change, and the warnings.
func (s *changeSetScreen) intro(m *Model) string {
	in := m.stack.set.Input
	cs := m.stack.made.ChangeSet
	n := len(cs.Changes)
	var b strings.Builder
	b.WriteString(fmt.Sprintf("Change set %s on stack %s: %d resource %s.\n", in.Name, in.Stack, n, render.Plural(n, "change", "changes")))
	if m.stack.s3Key != "" {
		b.WriteString("The template was uploaded to s3://" + m.a.s3Bucket + "/" + m.stack.s3Key + ".\n")
	}
	b.WriteString(strings.TrimRight(render.ChangeSetTablePlain(cs.Changes), "\n") + "\n")
	if len(s.other) > 0 {
		b.WriteString("Warning: this change set also changes resources tcdind did not edit: " + changeset.DescribeChanges(s.other) + ". Discard it unless you expected that.\n")
	}
	b.WriteString("Warning: " + render.Uncapitalize(m.replaceWarning()) + "\n")
	b.WriteString("Discard, the default, deletes the change set and changes nothing.")
	return b.String()
}

// replaceWarning warns that executing replaces the agent tasks; a drain,
// when offered, lets their builds finish first.
func (m *Model) replaceWarning() string {
	if m.canDrain() {
		return "Executing it replaces the TeamCity agent tasks: builds running on them are cut off. Drain first to let them finish."
	}
	return "Executing it replaces the TeamCity agent tasks: builds running on them are interrupted. Run it when the agents are idle."
}
