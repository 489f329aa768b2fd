package wizard

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/internal/faketeamcity"
)

// A screen-reader user drains: the review says the agents in plain text,
// the drain is chosen by its number, the waiting is said once, and the
// outcome ends with what TeamCity sees.
func TestAccessibleDrain(t *testing.T) {
	s := newTCStack(t)
	c := &clock{t: t0}
	cfg := s.drainConfig(c)
	cfg.Accessible = true
	s.tc.AddBuild(faketeamcity.Build{AgentID: s.agent1, Name: "Integration tests", FinishAfterPolls: 2})
	s.newAgentsOnExecute(c, "27.3.1", "27.3.1")
	answers := []string{
		"n", // no diff
		"",  // create the change set
		"2", // drain, then execute
		"",  // leave the done screen
	}
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), cfg, Streams{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out, Err: &out})
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("accessible run still going:\n%s", out.String())
	}
	text := out.String()
	if err != nil {
		t.Fatalf("outcome %v\n%s", err, text)
	}
	for _, want := range []string{
		"2 agents run in the 3 tasks the update replaces:",
		"  agent-a1b2 in task 1111aaaa, enabled",
		"Not matched, so never disabled:",
		"2. Drain first: disable 2 agents, wait up to 30m",
		"Disabling 2 agents in TeamCity.",
		"Waiting for the builds on the disabled agents to finish (up to 30m 00s).",
		"TeamCity sees Docker on 2 of 2 new agents (docker 27.3.1)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the run lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "Waiting for the builds") != 1 {
		t.Errorf("the waiting is said more than once:\n%s", text)
	}
	if got, want := enabledPuts(s.tc), []string{"agent-a1b2=false", "agent-0f0e=false", "agent-a1b2=false", "agent-0f0e=false", "agent-a1b2=true", "agent-0f0e=true"}; !slices.Equal(got, want) {
		t.Errorf("PUTs %v, want %v", got, want)
	}
	if strings.Contains(text, s.tc.Token) {
		t.Error("the token was said")
	}
}

// Accessible prompts on a pipe never ask the token (it would be shown):
// they say how to give it, and go on without TeamCity.
func TestAccessibleTokenNotOnAPipe(t *testing.T) {
	f := withServerOutput(newFake(t))
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.RecipeGiven, cfg.noTeamCity = "teamcity", "socket", true, false
	cfg.Accessible = true
	var out bytes.Buffer
	err := Run(context.Background(), cfg, Streams{In: strings.NewReader("1\nn\n3\n"), Out: &out, Err: &out})
	text := out.String()
	for _, want := range []string{"Ask TeamCity about the agents?", "The TeamCity token is not asked here", "Review: "} {
		if !strings.Contains(text, want) {
			t.Errorf("the run lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Access token for") {
		t.Errorf("the token was asked on a pipe:\n%s", text)
	}
	_ = err // the review's third option goes back; the input then ends
}
