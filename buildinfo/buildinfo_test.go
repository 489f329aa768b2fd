package buildinfo

import (
	"runtime/debug"
	"testing"
)

func stub(t *testing.T, v, c, d string, bi *debug.BuildInfo) {
	t.Helper()
	ov, oc, od, orb := version, commit, date, readBuildInfo
	t.Cleanup(func() { version, commit, date, readBuildInfo = ov, oc, od, orb })
	version, commit, date = v, c, d
	readBuildInfo = func() (*debug.BuildInfo, bool) { return bi, bi != nil }
}

func TestString(t *testing.T) {
	goInstall := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}
	localVCS := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"},
		{Key: "vcs.time", Value: "2026-11-28T22:10:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		name, v, c, d string
		bi            *debug.BuildInfo
		want          string
	}{
		{"ldflags", "1.2.3", "abc1234def5678", "2026-11-29T10:11:12Z", localVCS, "tcdind 1.2.3 (commit abc1234, built 2026-11-29)"},
		{"ldflags with v prefix", "v1.2.3", "", "", nil, "tcdind 1.2.3"},
		{"go install", "", "", "", goInstall, "tcdind 1.4.0"},
		{"local build with vcs", "", "", "", localVCS, "tcdind dev (commit 0123456-dirty, built 2026-11-28)"},
		{"nothing known", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "tcdind dev"},
		{"no build info", "", "", "", nil, "tcdind dev"},
		{"goreleaser without a commit", "0.0.1-next", "none", "0001-01-01T00:00:00Z", nil, "tcdind 0.0.1-next"},
		{"odd date", "1.0.0", "abc", "yesterday", nil, "tcdind 1.0.0 (commit abc, built yesterday)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub(t, tc.v, tc.c, tc.d, tc.bi)
			if got := String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	stub(t, "", "", "", nil)
	if got := Version(); got != "dev" {
		t.Errorf("Version() = %q, want dev", got)
	}
}
