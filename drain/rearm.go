package drain

import (
	"context"
	"fmt"
	"time"

	"github.com/tcdind/tcdind/teamcity"
)

// UpdateMargin is how long after executing TeamCity's switch-back time
// lies (Rearm): CloudFormation waits up to three hours for an ECS service
// to stabilise before it rolls back (README, "Following the agents"), and
// a drained agent enabled while its task may still be replaced would take
// a build the update then cuts off. Waiting longer costs little: with
// JetBrains' template (the agent service's MaximumPercent 100,
// MinimumHealthyPercent 0) ECS stops the old tasks first, so their agents
// disconnect in the update's first minutes and never come back (a
// rollback starts new tasks: new agents, enabled); only a service that
// keeps its old tasks running while the new ones fail
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html)
// has drained agents that outlive a rollback, and tcdind enables them at
// once when it sees the rollback end — the switch-back time matters only
// if tcdind was interrupted or killed, and then the next --drain run on
// the stack adopts them (Drain.Adopt).
const UpdateMargin = 3*time.Hour + 15*time.Minute

// Rearm, just before executing, disables again every agent tcdind
// disabled, with comment and a new switch-back time, so that TeamCity
// does not enable them while the update may still replace their tasks.
// The question at the drain's timeout may have waited past the first
// switch-back time: agents TeamCity (or a person) enabled meanwhile are
// returned — they may have taken a build — and disabled again too. One
// disabled meanwhile with someone else's comment is left as they set it;
// one TeamCity no longer knows is skipped.
func (d *Drain) Rearm(ctx context.Context, comment string, switchBack time.Time) (enabledMeanwhile []teamcity.Agent, err error) {
	old := d.Comment
	for _, a := range d.tried {
		info, err := d.Client.ReadEnabled(ctx, a.ID)
		switch {
		case teamcity.NotFound(err):
			continue
		case err != nil:
			return enabledMeanwhile, fmt.Errorf("read whether agent %s is enabled: %w", a.Name, err)
		case !info.Status && !sameRun(info.Comment, old):
			continue
		case info.Status:
			enabledMeanwhile = append(enabledMeanwhile, a)
		}
		got, err := d.Client.SetEnabled(ctx, a.ID, teamcity.EnabledInfo{Status: false, Comment: comment, SwitchTime: teamcity.FormatTime(switchBack)})
		if err != nil {
			return enabledMeanwhile, fmt.Errorf("disable agent %s until after the update: %w", a.Name, err)
		}
		if got.Status {
			return enabledMeanwhile, fmt.Errorf("disable agent %s until after the update: TeamCity answered that it is still enabled", a.Name)
		}
	}
	d.Comment, d.SwitchBack = comment, switchBack
	return enabledMeanwhile, nil
}

// RunningOn reads the builds running on agents now.
func (d *Drain) RunningOn(ctx context.Context, agents []teamcity.Agent) ([]Running, error) {
	var out []Running
	for _, a := range agents {
		builds, err := d.Client.RunningBuilds(ctx, a.ID)
		if err != nil {
			return out, fmt.Errorf("read the builds running on agent %s: %w", a.Name, err)
		}
		for _, b := range builds {
			out = append(out, Running{Build: b, Agent: a.Name})
		}
	}
	return out, nil
}

// sameRun reports whether two of tcdind's comments name the same stack
// and change set (their switch-back times may differ).
func sameRun(a, b string) bool {
	s1, c1, ok1 := ParseComment(a)
	s2, c2, ok2 := ParseComment(b)
	return ok1 && ok2 && s1 == s2 && c1 == c2
}

// BeforeExecute is the last step of a drain of stack's agents before
// executing changeSet, shared by both front ends: the agents are disabled
// again until UpdateMargin past now (Rearm), and the builds running on an
// agent TeamCity enabled meanwhile that the drain never saw are returned —
// executing would cut them off, which nobody was asked about: do not
// execute when there are any.
func (d *Drain) BeforeExecute(ctx context.Context, stack, changeSet string, now time.Time) (switchBack time.Time, meanwhile []teamcity.Agent, unseen []Running, err error) {
	if len(d.tried) == 0 {
		return time.Time{}, nil, nil, nil
	}
	switchBack = now.Add(UpdateMargin).UTC().Truncate(time.Second)
	meanwhile, err = d.Rearm(ctx, Comment(stack, changeSet, switchBack), switchBack)
	if err != nil || len(meanwhile) == 0 {
		return switchBack, meanwhile, nil, err
	}
	running, err := d.RunningOn(ctx, meanwhile)
	if err != nil {
		return switchBack, meanwhile, nil, err
	}
	for _, b := range running {
		if !d.seen[b.ID] {
			unseen = append(unseen, b)
		}
	}
	return switchBack, meanwhile, unseen, nil
}
