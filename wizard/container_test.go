package wizard

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/exitcode"
)

// customAgent is a template whose agent runs an image of its own: the
// agent rule finds nothing, and the wizard asks which container it is.
const customAgent = "testdata/custom-image-agent.yaml"

func TestScreenContainer(t *testing.T) {
	r := start(t, Config{Template: customAgent}, termW, termH)
	r.waitFor("Which container is the TeamCity")
	r.snapshot()
}

// The container question names the agent; the flow goes on to the mode,
// the recipe and the review, and the file is what --container writes.
func TestRunContainerQuestion(t *testing.T) {
	out := filepath.Join(t.TempDir(), "custom.yaml")
	r := start(t, Config{Template: customAgent}, termW, termH)
	r.waitFor("Which container is the TeamCity")
	r.waitFor("…/ci/tc-agent-custom:1.2")
	r.key(tea.KeyDown) // agent, below log-router
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEsc) // back to the container question: the answer is kept
	r.waitFor("Which container is the TeamCity")
	r.key(tea.KeyEnter)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEnter) // socket
	r.waitFor("Which recipe for socket mode?")
	r.key(tea.KeyEnter) // complete
	r.waitFor("Press enter to choose where to save")
	var targets []string
	var containers []string
	r.tm.Send(peekMsg(func(m *Model) {
		targets = m.result.Targets
		for _, td := range m.a.tmpl.Agents() {
			for _, c := range td.Containers {
				containers = append(containers, c.Name)
			}
		}
	}))
	r.key(tea.KeyEnter)
	r.waitFor("Save the patched template as")
	r.key(tea.KeyCtrlU)
	r.typeText(out)
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	r.waitFor("--container agent")
	m := r.final()
	if strings.Join(targets, ",") != "AgentTaskDefinition" || strings.Join(containers, ",") != "agent" {
		t.Fatalf("reviewed task definitions %v, agent containers %v", targets, containers)
	}
	opts := dind.DefaultOptions(dind.ModeSocket)
	opts.Containers = []string{"agent"}
	assertFile(t, out, want(t, "custom-image-agent.yaml", opts))
	if !strings.Contains(m.Summary(), "agent container: agent (next time: --container agent)") {
		t.Errorf("summary %q", m.Summary())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	router, agent, _ := strings.Cut(got, "- Name: agent")
	if strings.Contains(router, "docker.sock") || !strings.Contains(agent, "docker.sock") {
		t.Errorf("want only the agent container edited:\n%s", got)
	}
}

// esc on the container question goes back to where the template was
// chosen.
func TestContainerQuestionBack(t *testing.T) {
	r := start(t, Config{}, termW, termH)
	r.waitFor("A template file or URL")
	r.key(tea.KeyEnter)
	r.waitFor("Template file or https URL")
	r.typeText(customAgent)
	r.key(tea.KeyEnter)
	r.waitFor("Which container is the TeamCity")
	r.key(tea.KeyEsc)
	r.waitFor("Template file or https URL")
	m := r.final()
	if m.step != stepTemplate {
		t.Fatalf("esc led to %s", m.step)
	}
}

// --container answers the question: the wizard never asks it, and the
// answers carry the name to the engine.
func TestContainerFlagSkipsQuestion(t *testing.T) {
	r := start(t, Config{Template: customAgent, Containers: []string{"agent"}}, termW, termH)
	r.waitFor("Which Docker-in-Docker mode?")
	r.key(tea.KeyEnter)
	r.waitFor("Which recipe for socket mode?")
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to choose where to save")
	m := r.final()
	if o := m.a.options(); strings.Join(o.Containers, ",") != "agent" {
		t.Fatalf("options carry containers %v", o.Containers)
	}
	if m.result == nil || strings.Join(m.result.Targets, ",") != "AgentTaskDefinition" {
		t.Fatalf("result %+v", m.result)
	}
	if !strings.Contains(m.a.flags(), " --container agent") {
		t.Errorf("flags %q", m.a.flags())
	}
}

// A --container name the template does not have is an error screen.
func TestContainerFlagUnknown(t *testing.T) {
	r := start(t, Config{Template: customAgent, Containers: []string{"nope"}}, termW, termH)
	r.waitFor("--container nope")
	m := r.final()
	if m.err == nil || m.err.back != stepTemplate || !strings.Contains(m.err.detail, "agent, log-router") && !strings.Contains(m.err.detail, "log-router, agent") {
		t.Fatalf("error %+v", m.err)
	}
}

// Accessible mode asks the container question as a plain prompt.
func TestAccessibleContainerQuestion(t *testing.T) {
	out := filepath.Join(t.TempDir(), "acc.yaml")
	answers := strings.Join([]string{
		"2", // agent
		"1", // socket
		"",  // the complete recipe
		"n", // no diff
		"",  // choose where to save, the default
		out, // save as
	}, "\n") + "\n"
	var stdout bytes.Buffer
	err := Run(context.Background(), Config{Accessible: true, Load: offlineLoad, Template: customAgent},
		Streams{In: strings.NewReader(answers), Out: &stdout, Err: &stdout})
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "Which container is the TeamCity agent?") {
		t.Errorf("no container question:\n%s", stdout.String())
	}
	opts := dind.DefaultOptions(dind.ModeSocket)
	opts.Containers = []string{"agent"}
	assertFile(t, out, want(t, "custom-image-agent.yaml", opts))
}

// A stack whose agent runs an image of its own gets the container
// question too; esc leads back to the stack list.
func TestStackContainerQuestion(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = fixture(t, "custom-image-agent.yaml")
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModeSocket
	r := startStack(t, cfg)
	r.waitFor("Which container is the TeamCity")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Press enter to create a change set")
	m := r.final()
	if m.result == nil || strings.Join(m.result.Targets, ",") != "AgentTaskDefinition" || !m.result.Changed {
		t.Fatalf("result %+v", m.result)
	}
	if got := m.a.flags(); !strings.Contains(got, " --container agent") {
		t.Errorf("flags %q", got)
	}
	if m.prevStepOf(stepContainer) != stepStacks {
		t.Errorf("esc from the container question leads to %s", m.prevStepOf(stepContainer))
	}
}

func (m *Model) prevStepOf(s step) step {
	p, _ := m.prevStep(s)
	return p
}

// Input that ends at a select (a lost answer) is an interruption, not a
// crash (huh's accessible select panics there).
func TestAccessibleInputEndsAtSelect(t *testing.T) {
	var stdout bytes.Buffer
	err := Run(context.Background(), Config{Accessible: true, Load: offlineLoad, Template: customAgent},
		Streams{In: strings.NewReader("2\n1\n\nn\nnot-a-number\n"), Out: &stdout, Err: &stdout})
	if exitcode.Code(err) != exitcode.Interrupted {
		t.Fatalf("err %v\n%s", err, stdout.String())
	}
}

// A template with no agent at all: "None of these" is the last answer,
// and leads to the no-agent error, back to the template question.
func TestContainerNoneOfThese(t *testing.T) {
	r := start(t, Config{Template: customAgent}, termW, termH)
	r.waitFor("None of these")
	r.keys(tea.KeyDown, tea.KeyDown)
	r.waitFor("> None of these")
	r.key(tea.KeyEnter)
	r.waitFor("No TeamCity build agent in this template")
	m := r.final()
	if m.err == nil || m.err.back != stepTemplate || m.a.containers != nil {
		t.Fatalf("error %+v, containers %v", m.err, m.a.containers)
	}
}
