// Package wizard is tcdind's interactive wizard: a bubbletea program whose
// screens are components (screen.go) listed in a table (flow.go), from
// "which template?" to a saved file or an updated stack. Every answer
// can come from a flag (Config), which skips its step; with every answer
// given it opens on the review screen, and nothing is written before enter
// there. Accessible mode asks the same questions as plain line prompts.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/source"
)

// Config holds the answers flags already gave, and how to talk to the user.
// A zero field is asked.
type Config struct {
	// Template is a path or https URL; empty asks.
	Template string
	// TaskDefinitions are logical IDs or {"all"}; empty asks when the
	// template has several agent task definitions.
	TaskDefinitions []string
	// Containers name the agent containers (--container); empty finds them
	// by the agent rule, and asks which container is the agent when the
	// rule finds none.
	Containers []string
	// Mode is empty to ask.
	Mode dind.Mode
	// Recipe flags. RecipeGiven says one of them was set on the command
	// line, which answers the recipe question.
	Minimal, BuildDirs, SudoImage bool
	RecipeGiven                   bool
	// AgentVersion pins an agent image tagged latest (--agent-version);
	// empty asks, when the -sudo image needs it.
	AgentVersion string
	// NoHealthCheck leaves out the docker info health check
	// (--health-check=false).
	NoHealthCheck bool
	// Arch is the agents' hosts' CPU architecture (--agent-arch).
	Arch string
	// Output is where to save; empty proposes <name>.dind<ext> and asks.
	// Given, it is written without a question once the review is confirmed.
	Output string
	// InPlace saves over the template file.
	InPlace bool
	// Region names the AWS region in the source question ("" when unknown):
	// --region, AWS_REGION. It is the region question's default.
	Region string
	// RegionGiven: --region was given, which answers the region question.
	RegionGiven bool
	// Stack names an existing stack (name or ARN) in Region (or the default
	// chain's region): the source, region and stack questions are skipped.
	Stack string
	// S3Bucket receives patched templates over 51,200 bytes for a change set.
	S3Bucket string
	// OnRolloutFailure is --on-rollout-failure: RolloutCancel cancels the
	// update as soon as the agents' ECS rollout is clearly failing;
	// anything else offers the c key (accessible mode says how to cancel).
	OnRolloutFailure string

	// TeamCityURL is --teamcity-url: the TeamCity server to ask about the
	// agents (drain, Docker on the new ones); empty proposes the URL the
	// stack shows and asks.
	TeamCityURL string
	// TeamCityToken is the access token, from TEAMCITY_TOKEN or
	// --teamcity-token-file (never a flag value); empty asks, not shown.
	// TeamCityTokenFrom says where it came from: "TEAMCITY_TOKEN" or the
	// file's path.
	TeamCityToken     string
	TeamCityTokenFrom string
	// Drain is --drain: draining the agents is the way to execute.
	// DrainTimeout is --drain-timeout (zero: the default).
	Drain        bool
	DrainTimeout time.Duration
	// TeamCityWait bounds waiting, after the update, for TeamCity to see
	// the new agents with Docker (zero: newagents.DefaultBound).
	TeamCityWait time.Duration

	// Client returns the AWS client for region ("": the SDK's default
	// chain). It is called only once the source is a stack. Nil: stacks
	// cannot be reached.
	Client func(ctx context.Context, region string) (Client, error)
	// ProfileRegion is the region of the profile's config, the region
	// question's default when Region is empty. Called only once the source
	// is a stack; nil: none.
	ProfileRegion func(ctx context.Context) string
	// Clock tells the time for change set names and elapsed times; nil:
	// time.Now.
	Clock func() time.Time
	// Poll are the delays before each DescribeStackEvents call while an
	// update runs, Wait bounds waiting for a change set, Settle, Lookups
	// and GiveUp bound cleaning up and following: as changeset's (zero:
	// their defaults).
	Poll []time.Duration
	Wait awsclient.Wait
	// PlacementGrace is how long the agents' new tasks may stay unplaced
	// once the old ones are gone (zero: rollout.DefaultPlacementGrace).
	PlacementGrace time.Duration
	Settle         time.Duration
	Lookups        []time.Duration
	GiveUp         time.Duration
	// Profile and EndpointURL are the AWS profile and endpoint, for the
	// commands the wizard prints.
	Profile, EndpointURL string
	// Random gives change set names their random part; nil: crypto/rand.
	Random io.Reader

	// still stops spinners from turning, for deterministic snapshots.
	still bool
	// tcHTTP sends the TeamCity requests (tests: a fixed URL for the
	// snapshots, served by the fake); nil: the client's own.
	tcHTTP *http.Client
	// noTeamCity: the TeamCity question is not offered even when the
	// stack shows the server (tests of the other screens).
	noTeamCity bool
	// drainPoll and tcWait pace the drain and the wait for the new
	// agents (tests); zero: their defaults.
	drainPoll, tcPoll time.Duration

	// Accessible asks plain line prompts instead of drawing screens.
	Accessible bool
	// NoColor draws the screens without colour.
	NoColor bool

	// Load reads a template; nil uses source.Load (files and https URLs).
	Load func(ctx context.Context, arg string) (*source.Template, error)
}

func (c Config) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

func (c Config) load(ctx context.Context, arg string) (*source.Template, error) {
	if c.Load != nil {
		return c.Load(ctx, arg)
	}
	if arg == source.Stdin {
		return nil, errors.New("standard input is the terminal here: give a file path or an https URL")
	}
	if source.IsURL(arg) {
		data, err := source.Download(ctx, http.DefaultClient, arg)
		if err != nil {
			return nil, err
		}
		return &source.Template{Bytes: data, Name: arg}, nil
	}
	return source.Load(ctx, arg, strings.NewReader(""))
}

// Streams are the terminal the wizard talks to. Err gets the closing
// summary, after the screens are gone.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Run runs the wizard until the user saves, quits or presses ctrl+c. It
// returns exitcode.ErrInterrupted when the user quit before anything was
// written.
func Run(ctx context.Context, cfg Config, s Streams) error {
	if cfg.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	if cfg.Accessible {
		return runAccessible(ctx, cfg, s)
	}
	// The run owns the AWS session: the model reaches it through the
	// commands it starts, and it is closed here once the program ended.
	sess := newSession(ctx, cfg.Client)
	m := newModel(ctx, cfg, sess)
	p := tea.NewProgram(m,
		tea.WithInput(s.In),
		tea.WithOutput(s.Out),
		tea.WithContext(ctx),
		tea.WithAltScreen(),
		// tcdind's own handler takes SIGINT, SIGTERM and SIGHUP and cancels
		// ctx, which ends the program. bubbletea's would take SIGINT and
		// SIGTERM too, and when ctx ended the event loop first its handler
		// blocked sending its quit message, and the program waited for it
		// for ever (TestTUISIGTERMEnds).
		tea.WithoutSignalHandler(),
	)
	final, err := p.Run()
	fm, ok := final.(*Model)
	if !ok || fm == nil {
		fm = m
	}
	// Nothing the wizard started goes on after it: AWS calls are
	// cancelled and waited for, and a change set not executed is deleted.
	closeErr := fm.Close()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("wizard: %w", err)
	}
	// The screens are gone (alternate screen): say what happened.
	fmt.Fprint(s.Err, fm.Summary())
	if closeErr != nil {
		return closeErr
	}
	return fm.Outcome()
}
