package drain

import (
	"context"
	"errors"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"sort"
	"time"

	"github.com/tcdind/tcdind/teamcity"
)

// Client is what a drain asks of TeamCity; *teamcity.Client is one.
type Client interface {
	ReadEnabled(ctx context.Context, id int) (teamcity.EnabledInfo, error)
	SetEnabled(ctx context.Context, id int, info teamcity.EnabledInfo) (teamcity.EnabledInfo, error)
	RunningBuilds(ctx context.Context, agentID int) ([]teamcity.Build, error)
}

// Defaults.
const (
	// DefaultTimeout is --drain-timeout's default: most CI builds end
	// within half an hour; a longer one is better waited for on purpose.
	DefaultTimeout = 30 * time.Minute
	// DefaultPoll is the pause between reads of the running builds.
	DefaultPoll = 10 * time.Second
	// SwitchBackMargin is how long after the drain's timeout TeamCity
	// enables the agents by itself (statusSwitchTime): time for the
	// question after the drain and for the update to replace the tasks
	// (whose agents then disconnect). It matters only if tcdind is killed
	// without cleaning up: every other way out re-enables them at once.
	SwitchBackMargin = time.Hour
	// RestoreTimeout bounds re-enabling the agents on the way out, which
	// runs even after the run's context was cancelled.
	RestoreTimeout = 2 * time.Minute
)

// Drain is one drain of the agents of one update.
type Drain struct {
	Client Client
	// Agents are the matched agents of the tasks being replaced.
	Agents []teamcity.Agent
	// Comment is the enabledInfo comment of the agents tcdind disables.
	Comment string
	// SwitchBack is when TeamCity enables them again by itself.
	SwitchBack time.Time
	Timeout    time.Duration // default DefaultTimeout
	Poll       time.Duration // default DefaultPoll
	Now        func() time.Time
	// Adopt, when set, decides about an agent found disabled: true takes
	// it as tcdind's own (an earlier tcdind run disabled it and ended
	// without enabling it again): it is disabled again with Comment and
	// SwitchBack, and enabled again at the end as the others. false (and
	// without Adopt) leaves it as it is, disabled before.
	Adopt func(ctx context.Context, a teamcity.Agent, info teamcity.EnabledInfo) bool

	// tried are the agents tcdind sent a disable for (the answer may
	// have been lost: Restore reads each back); before, those disabled
	// already.
	tried    []teamcity.Agent
	before   []teamcity.Agent
	adopted  []teamcity.Agent
	seen     map[int]bool // every build a poll of Wait read
	start    time.Time
	restored bool
}

// Comment is the enabledInfo comment for a drain of stack's agents before
// executing changeSet, with when TeamCity enables them by itself.
func Comment(stack, changeSet string, switchBack time.Time) string {
	return fmt.Sprintf("tcdind: disabled to let running builds finish before stack %s is updated (change set %s); tcdind enables it again when done, TeamCity at %s at the latest",
		stack, changeSet, switchBack.UTC().Format("2006-01-02 15:04 UTC"))
}

func (d *Drain) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Disabled are the agents tcdind disabled (or sent a disable for).
func (d *Drain) Disabled() []teamcity.Agent { return d.tried }

// Before are the agents that were disabled before the drain: left alone.
func (d *Drain) Before() []teamcity.Agent { return d.before }

// Disable disables the agents that are enabled now. An agent is read
// first (the list may be old); one disabled already is left alone. On an
// error the agents disabled so far stay recorded: Restore them.
func (d *Drain) Disable(ctx context.Context) error {
	d.start = d.now()
	for _, a := range d.Agents {
		info, err := d.Client.ReadEnabled(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("read whether agent %s is enabled: %w", a.Name, err)
		}
		adopt := false
		if !info.Status {
			a.EnabledInfo = info
			if adopt = d.Adopt != nil && d.Adopt(ctx, a, info); !adopt {
				d.before = append(d.before, a)
				continue
			}
		}
		d.tried = append(d.tried, a) // before the call: its answer may be lost
		got, err := d.Client.SetEnabled(ctx, a.ID, teamcity.EnabledInfo{Status: false, Comment: d.Comment, SwitchTime: teamcity.FormatTime(d.SwitchBack)})
		if err != nil {
			if refused(err) {
				// TeamCity answered no: the agent was not disabled.
				d.tried = d.tried[:len(d.tried)-1]
			}
			return fmt.Errorf("disable agent %s: %w", a.Name, err)
		}
		if got.Status {
			return fmt.Errorf("disable agent %s: TeamCity answered that it is still enabled", a.Name)
		}
		if adopt {
			d.adopted = append(d.adopted, a)
		}
	}
	return nil
}

// refused reports an answer that says the request was not carried out:
// 401, 403 or another 4xx. A timeout or a 5xx may have been.
func refused(err error) bool {
	var se *teamcity.StatusError
	return teamcity.IsAuth(err) || errors.As(err, &se) && se.Status >= 400 && se.Status < 500
}

// Running is a build running on one of the agents.
type Running struct {
	teamcity.Build
	Agent string // the agent's name
}

// Status is what a poll of the drain found.
type Status struct {
	Builds  []Running
	Elapsed time.Duration
	// TimedOut: the drain's timeout passed with Builds still running.
	TimedOut bool
}

// Wait reads the builds running on the agents (the disabled ones and
// those disabled before: a build runs on to its end either way) until none
// runs, the timeout passes, or ctx ends. progress gets every poll's
// Status. A read that fails (after the client's retries) ends the wait
// with the error.
func (d *Drain) Wait(ctx context.Context, progress func(Status)) (Status, error) {
	if d.start.IsZero() {
		d.start = d.now()
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	poll := d.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	for {
		st, err := d.read(ctx)
		if err != nil {
			return st, err
		}
		st.Elapsed = d.now().Sub(d.start)
		if len(st.Builds) > 0 && st.Elapsed >= timeout {
			st.TimedOut = true
		}
		if progress != nil {
			progress(st)
		}
		if len(st.Builds) == 0 || st.TimedOut {
			return st, nil
		}
		if err := pause.For(ctx, min(poll, timeout-st.Elapsed)); err != nil {
			return st, err
		}
	}
}

// read is one poll of the running builds, oldest first.
func (d *Drain) read(ctx context.Context) (Status, error) {
	var st Status
	for _, a := range d.Agents {
		builds, err := d.Client.RunningBuilds(ctx, a.ID)
		if err != nil {
			return st, fmt.Errorf("read the builds running on agent %s: %w", a.Name, err)
		}
		for _, b := range builds {
			st.Builds = append(st.Builds, Running{Build: b, Agent: a.Name})
			if d.seen == nil {
				d.seen = map[int]bool{}
			}
			d.seen[b.ID] = true
		}
	}
	sort.SliceStable(st.Builds, func(i, j int) bool { return st.Builds[i].Started.Before(st.Builds[j].Started) })
	return st, nil
}
