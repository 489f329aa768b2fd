package wizard

import (
	"bytes"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/dind"
)

// largeTemplate is one.yaml padded over CloudFormation's inline limit.
func largeTemplate(t *testing.T) []byte {
	body := fixture(t, "sudo.yaml")
	pad := "\n# " + strings.Repeat("padding over the inline limit ", 20)
	for len(body) <= changeset.MaxTemplateBody+1000 {
		body = append(body, pad...)
	}
	return append(body, '\n')
}

// A stack template over 51,200 bytes without --s3-bucket: the review says
// a bucket is asked, enter asks it (a wrong name refused), and the change
// set reads the template from it.
func TestStackAsksBucket(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = largeTemplate(t)
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("name an S3 bucket")
	r.key(tea.KeyEnter)
	r.waitFor("S3 bucket for the patched template")
	if created, _, _ := f.State(); len(created) != 0 {
		t.Fatalf("change set created before the bucket was named: %v", created)
	}
	r.typeText("Not_A_Bucket")
	r.key(tea.KeyEnter)
	r.waitFor("not an S3 bucket name")
	for range "Not_A_Bucket" {
		r.key(tea.KeyBackspace)
	}
	r.typeText("s3://tc-templates/")
	r.key(tea.KeyEnter)
	r.waitFor("s3://tc-templates/tcdind/teamcity/")
	r.final()
	if !strings.Contains(f.TemplateURL, "tc-templates") {
		t.Errorf("TemplateURL %q", f.TemplateURL)
	}
}

// esc on the bucket question goes back to the review; --s3-bucket asks
// nothing.
func TestStackBucketGiven(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = largeTemplate(t)
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode, cfg.S3Bucket = "teamcity", dind.ModePrivileged, "given-bucket"
	r := startStack(t, cfg)
	r.waitFor("Press enter to create a change set")
	r.key(tea.KeyEnter)
	r.waitFor("s3://given-bucket/tcdind/teamcity/")
	r.final()
}

func TestStackBucketBack(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = largeTemplate(t)
	cfg := stackConfig(f, nil)
	cfg.Stack, cfg.Mode = "teamcity", dind.ModePrivileged
	r := startStack(t, cfg)
	r.waitFor("name an S3 bucket")
	r.key(tea.KeyEnter)
	r.waitFor("S3 bucket for the patched template")
	r.key(tea.KeyEsc)
	r.waitFor("name an S3 bucket")
	r.final()
}

// Accessible mode asks the same bucket question.
func TestAccessibleStackAsksBucket(t *testing.T) {
	f := newFake(t)
	f.Templates["teamcity"] = largeTemplate(t)
	text, err := accessibleStack(t, f, nil, "2", "", "1", "2", "", "n", "", "tc-templates", "")
	if !strings.Contains(text, "over CloudFormation's limit") || !strings.Contains(text, "S3 bucket for the patched template") ||
		!strings.Contains(text, "uploaded to s3://tc-templates/") {
		t.Errorf("outcome %v:\n%s", err, text)
	}
	if !bytes.Contains([]byte(f.TemplateURL), []byte("tc-templates")) {
		t.Errorf("TemplateURL %q", f.TemplateURL)
	}
}

// A template run's warnings are printed after exit with the summary; a
// run that wrote nothing has none to print.
func TestSummaryWarnings(t *testing.T) {
	out := t.TempDir() + "/out.yaml"
	// An --agent-version that pins nothing is a warning.
	r := start(t, Config{Template: "testdata/sudo.yaml", Mode: dind.ModePrivileged, SudoImage: true, AgentVersion: "2025.07", Output: out}, termW, termH)
	r.waitFor("Press enter to write")
	r.key(tea.KeyEnter)
	r.waitFor("Saved")
	m := r.final()
	if s := m.Summary(); !strings.HasPrefix(s, "tcdind: warning: AgentTaskDefinition/teamcity-agent: --agent-version 2025.07 was not used") || !strings.Contains(s, "wrote "+out) {
		t.Errorf("summary %q", s)
	}

	r = start(t, Config{Template: "testdata/sudo.yaml", Mode: dind.ModePrivileged}, termW, termH)
	r.waitFor("Press enter to choose where to save")
	if s := r.final().Summary(); s != "" {
		t.Errorf("quit before saving: summary %q", s)
	}
}
