package wizard

import (
	"context"
	"errors"
	"slices"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
)

// Client is what the wizard asks of AWS: the change-set workflow's calls,
// and the listing of a region's stacks. *awsclient.Client is one.
type Client interface {
	changeset.Client
	// ListStacks lists the region's stacks; Settled false ones are shown
	// as busy.
	ListStacks(ctx context.Context) ([]awsclient.StackSummary, error)
	// TaskDefinitionIDs are the stack's AWS::ECS::TaskDefinition resources.
	TaskDefinitionIDs(ctx context.Context, stack string) ([]string, error)
}

// errNoClient: the run has no way to AWS.
var errNoClient = errors.New("no AWS client: stacks cannot be reached from here")

// session is the run's AWS session: the clients, every change set made
// and not yet checked gone, the update started, the warnings for the
// summary, and the commands calling AWS. Run owns it and closes it once
// the program ended; the model reaches it through commands, which capture
// it (not the model) and return messages. It is safe for the commands'
// goroutines: a change set is held here as soon as CreateChangeSet
// answered, even when the message that says so is never read (a hangup).
type session struct {
	ctx       context.Context // cancelled by close
	cancel    context.CancelFunc
	newClient func(ctx context.Context, region string) (Client, error)

	mu       sync.Mutex
	clients  map[string]Client
	pending  []*changeset.Set // created, neither executed nor deleted (checked)
	executed bool             // ExecuteChangeSet started the update
	execErr  error            // why ExecuteChangeSet did not run, once it answered
	warnings []string
	closed   bool
	running  int
	work     sync.WaitGroup
}

func newSession(ctx context.Context, newClient func(context.Context, string) (Client, error)) *session {
	s := &session{newClient: newClient, clients: map[string]Client{}}
	s.ctx, s.cancel = context.WithCancel(ctx)
	return s
}

// do wraps a command that calls AWS: once close began, it does nothing;
// close waits for the ones running.
func (s *session) do(f func() tea.Msg) tea.Cmd {
	return func() tea.Msg {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil
		}
		s.work.Add(1)
		s.running++
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.running--
			s.mu.Unlock()
			s.work.Done()
		}()
		return f()
	}
}

// idle reports whether no command is calling AWS (tests).
func (s *session) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running == 0
}

// client returns the AWS client for region, made once.
func (s *session) client(ctx context.Context, region string) (Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[region]; ok {
		return c, nil
	}
	if s.newClient == nil {
		return nil, errNoClient
	}
	c, err := s.newClient(ctx, region)
	if err != nil {
		return nil, err
	}
	s.clients[region] = c
	return c, nil
}

// hold records a change set that leaving must delete.
func (s *session) hold(set *changeset.Set) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.pending, set) {
		s.pending = append(s.pending, set)
	}
}

// release forgets set once it is executed or deleted (checked); the others
// stay: a deletion that ends late must not forget a newer change set, nor
// a newer one an older that could not be deleted.
func (s *session) release(set *changeset.Set) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = slices.DeleteFunc(s.pending, func(p *changeset.Set) bool { return p == set })
}

// held are the change sets leaving must delete, oldest first.
func (s *session) held() []*changeset.Set {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pending)
}

func (s *session) setExecuted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.executed = true
}

// setExecErr keeps why ExecuteChangeSet did not run (the change set
// deleted and checked, or what may remain), for leaving: a signal can end
// the program before the message that carries it arrives.
func (s *session) setExecErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.execErr = err
}

func (s *session) lastExecErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.execErr
}

func (s *session) isExecuted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.executed
}

// warn keeps a problem that does not change the outcome (a change set that
// could not be deleted after a failure) for the summary.
func (s *session) warn(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warnings = append(s.warnings, text)
}

// Warnings are the warnings so far.
func (s *session) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.warnings)
}

// stop cancels the AWS calls and waits for the commands making them; no
// command starts after.
func (s *session) stop() {
	s.cancel()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.work.Wait()
}

// discardHeld deletes every change set still held and checks it is gone;
// the error is the one that counts (one left over beats one deleted).
func (s *session) discardHeld() error {
	var left error
	for _, set := range s.held() {
		err := set.Discard(s.ctx, nil)
		if !pending(err) {
			s.release(set)
		}
		if left == nil || !pending(left) {
			left = err
		}
	}
	return left
}
