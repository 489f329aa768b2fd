package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/wizard"
)

// The wizard gets the token from --teamcity-token-file or TEAMCITY_TOKEN,
// says which, and asks for it (not shown) when there is none; an empty
// token file is a usage error before any question.
func TestWizardTeamCityToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, env, file    string
		wantToken, wantVia string
		usage              bool
	}{
		{name: "file", env: "from-env", file: file, wantToken: "from-file", wantVia: file},
		{name: "env", env: "from-env", wantToken: "from-env", wantVia: "TEAMCITY_TOKEN"},
		{name: "none: asked"},
		{name: "empty file", file: empty, usage: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("TEAMCITY_TOKEN", c.env)
			o := &options{teamcity: teamcityOptions{url: "https://tc.example.com", tokenFile: c.file, drain: true, drainTimeout: 5 * time.Minute, wait: time.Minute}}
			var cfg wizard.Config
			err := o.wizardTeamCity(&cfg)
			if c.usage {
				if exitcode.Code(err) != exitcode.Usage {
					t.Fatalf("err %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.TeamCityToken != c.wantToken || cfg.TeamCityTokenFrom != c.wantVia || cfg.TeamCityURL != "https://tc.example.com" ||
				!cfg.Drain || cfg.DrainTimeout != 5*time.Minute || cfg.TeamCityWait != time.Minute {
				t.Errorf("config %+v", cfg)
			}
		})
	}
}
