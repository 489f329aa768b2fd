package main

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/batch"
	"github.com/tcdind/tcdind/drain"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/internal/iostreams"
	"github.com/tcdind/tcdind/newagents"
	"github.com/tcdind/tcdind/teamcity"
)

// teamcityOptions are the TeamCity flags (--teamcity-url …).
type teamcityOptions struct {
	url            string
	tokenFile      string
	drain          bool
	drainTimeout   time.Duration
	onDrainTimeout string
	wait           time.Duration
}

// What --on-drain-timeout takes.
const (
	drainTimeoutStop    = "stop"
	drainTimeoutExecute = "execute"
)

func addTeamCityFlags(cmd *cobra.Command, o *teamcityOptions) {
	f := cmd.Flags()
	f.StringVar(&o.url, "teamcity-url", "", "with --stack: the TeamCity server's URL; the review shows which agents run in the tasks the update replaces, and after it TeamCity confirms Docker on the new agents (token: TEAMCITY_TOKEN or --teamcity-token-file)")
	f.StringVar(&o.tokenFile, "teamcity-token-file", "", "a file that holds the TeamCity access token (default: the TEAMCITY_TOKEN environment variable; never a flag value)")
	f.BoolVar(&o.drain, "drain", false, "with --apply or --execute and --teamcity-url: disable the stack's agents and wait for their running builds before executing; enable them again after")
	f.DurationVar(&o.drainTimeout, "drain-timeout", drain.DefaultTimeout, "with --drain: how long to wait for the running builds; then ask, or with --yes follow --on-drain-timeout")
	f.StringVar(&o.onDrainTimeout, "on-drain-timeout", drainTimeoutStop, "with --drain --yes: when builds still run at --drain-timeout, stop (execute nothing, enable the agents again, delete the change set, exit 1) or execute anyway")
	f.DurationVar(&o.wait, "teamcity-wait", newagents.DefaultBound, "with --teamcity-url: how long to wait after the update for the new agents to connect and report Docker")
}

// checkTeamCity refuses TeamCity flags that mean nothing with the others,
// and a URL without a token, before anything is read.
func (o *options) checkTeamCity(cmd *cobra.Command, wizard bool) error {
	changed := cmd.Flags().Changed
	tc := &o.teamcity
	if tc.url == "" {
		for _, name := range []string{"teamcity-token-file", "drain", "drain-timeout", "on-drain-timeout", "teamcity-wait"} {
			if changed(name) {
				return exitcode.UsageError("--%s goes with --teamcity-url URL", name)
			}
		}
		return nil
	}
	if o.stack == "" && !wizard {
		// The wizard reaches stacks: its TeamCity question proposes the URL.
		return exitcode.UsageError("--teamcity-url goes with --stack NAME: a template file runs no agents")
	}
	if _, err := teamcity.ParseURL(tc.url); err != nil {
		return exitcode.UsageError("--teamcity-url: %v", err)
	}
	if tc.drain && !o.apply && o.execute == "" && !wizard {
		// In the wizard, --drain makes draining the way to execute.
		return exitcode.UsageError("--drain goes with --apply or --execute: without them nothing is executed, so nothing needs draining")
	}
	if tc.drain && o.noExecute {
		return exitcode.UsageError("--drain excludes --no-execute: nothing is executed; pass --drain to the --execute run")
	}
	if !tc.drain {
		for _, name := range []string{"drain-timeout", "on-drain-timeout"} {
			if changed(name) {
				return exitcode.UsageError("--%s goes with --drain", name)
			}
		}
	}
	if tc.onDrainTimeout != drainTimeoutStop && tc.onDrainTimeout != drainTimeoutExecute {
		return exitcode.UsageError("--on-drain-timeout %q: pass stop or execute", tc.onDrainTimeout)
	}
	if tc.drainTimeout <= 0 {
		return exitcode.UsageError("--drain-timeout %s: pass a positive duration such as 30m", tc.drainTimeout)
	}
	if tc.wait <= 0 {
		return exitcode.UsageError("--teamcity-wait %s: pass a positive duration such as 10m", tc.wait)
	}
	return nil
}

// teamcityRun is the stack run's TeamCity side, nil without --teamcity-url.
// The token is read here: a missing one is a usage error before any call.
func (o *options) teamcityRun(ios *iostreams.IOStreams) (*batch.TeamCity, error) {
	tc := &o.teamcity
	if tc.url == "" {
		return nil, nil
	}
	token, err := teamcity.Token(os.Getenv, tc.tokenFile)
	if err != nil {
		return nil, exitcode.WithCode(exitcode.Usage, err)
	}
	c, err := teamcity.New(tc.url, token)
	if err != nil {
		return nil, exitcode.WithCode(exitcode.Usage, err)
	}
	c.Debug = o.debugOut(ios)
	flags := " --teamcity-url " + shellWord(c.URL())
	if tc.tokenFile != "" {
		flags += " --teamcity-token-file " + shellWord(tc.tokenFile)
	}
	return &batch.TeamCity{
		Flags:            flags,
		Client:           c,
		Drain:            tc.drain,
		DrainTimeout:     tc.drainTimeout,
		ExecuteOnTimeout: tc.onDrainTimeout == drainTimeoutExecute,
		Wait:             tc.wait,
	}, nil
}

// shellWord is s as one word of a POSIX shell command line: quoted when it
// holds anything but letters, digits and -_./:=@%+,
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
