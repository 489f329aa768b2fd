package drain

import (
	"context"
	"fmt"

	"github.com/tcdind/tcdind/teamcity"
)

// Restored is what re-enabling found, agent by agent.
type Restored struct {
	// Enabled were enabled again and read back enabled.
	Enabled []teamcity.Agent
	// Found were enabled already when read (by TeamCity's switch-back
	// time, by hand, or a disable whose answer was lost never applied).
	Found []teamcity.Agent
	// Gone are agents TeamCity no longer knows (deleted): nothing to
	// enable.
	Gone []teamcity.Agent
	// Kept are agents someone else disabled meanwhile (another comment):
	// left as they set them.
	Kept []teamcity.Agent
	// Failed could not be enabled, or did not read back enabled.
	Failed []Failure
}

// Failure is an agent left disabled, and why.
type Failure struct {
	Agent teamcity.Agent
	Err   error
}

// OK reports that no agent tcdind disabled is left disabled by it.
func (r Restored) OK() bool { return len(r.Failed) == 0 }

// Restore enables again exactly the agents tcdind disabled: each is read
// first, enabled if it still carries tcdind's comment, and read back. It
// runs on a context of its own (RestoreTimeout) so that a cancelled run
// still cleans up. A second call does nothing more.
func (d *Drain) Restore(ctx context.Context, comment string) Restored {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RestoreTimeout)
	defer cancel()
	var r Restored
	if d.restored {
		return r
	}
	d.restored = true
	for _, a := range d.tried {
		info, err := d.Client.ReadEnabled(ctx, a.ID)
		switch {
		case teamcity.NotFound(err):
			r.Gone = append(r.Gone, a)
			continue
		case err != nil:
			r.Failed = append(r.Failed, Failure{a, fmt.Errorf("read whether it is enabled: %w", err)})
			continue
		case info.Status:
			// Enabled already: nothing to do, and it reads back enabled.
			r.Found = append(r.Found, a)
			continue
		case info.Comment != d.Comment && !sameRun(info.Comment, d.Comment):
			// Another comment than this run's (any of its switch-back
			// times): someone disabled it again.
			r.Kept = append(r.Kept, a)
			continue
		}
		if _, err := d.Client.SetEnabled(ctx, a.ID, teamcity.EnabledInfo{Status: true, Comment: comment}); err != nil {
			r.Failed = append(r.Failed, Failure{a, err})
			continue
		}
		back, err := d.Client.ReadEnabled(ctx, a.ID)
		switch {
		case err != nil:
			r.Failed = append(r.Failed, Failure{a, fmt.Errorf("read it back: %w", err)})
		case !back.Status:
			r.Failed = append(r.Failed, Failure{a, fmt.Errorf("TeamCity still shows it disabled")})
		default:
			r.Enabled = append(r.Enabled, a)
		}
	}
	return r
}
