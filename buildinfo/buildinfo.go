// Package buildinfo reports which tcdind this is: version, commit and build
// date.
//
// Release builds stamp them through the linker:
//
//	go build -ldflags "-X github.com/tcdind/tcdind/buildinfo.version=1.2.3
//	  -X github.com/tcdind/tcdind/buildinfo.commit=abc1234...
//	  -X github.com/tcdind/tcdind/buildinfo.date=2026-11-29T10:00:00Z"
//
// Without them (go install, go build) the module version and the VCS
// revision and time recorded by the Go toolchain are used when present;
// whatever is still unknown is left out, and the version is "dev".
package buildinfo

import (
	"runtime/debug"
	"strings"
	"time"
)

// Set with -ldflags -X; empty when not stamped.
var (
	version string
	commit  string
	date    string
)

// Info describes one build.
type Info struct {
	Version  string // "1.2.3", or "dev" when unknown
	Commit   string // full VCS revision, or ""
	Date     string // RFC 3339 build or commit time, or ""
	Modified bool   // built from a working tree with uncommitted changes
}

// readBuildInfo is debug.ReadBuildInfo, replaceable in tests.
var readBuildInfo = debug.ReadBuildInfo

// Get returns the build's information: the linker-stamped values first, then
// what the Go toolchain recorded.
func Get() Info {
	i := Info{Version: version, Commit: commit, Date: date}
	if bi, ok := readBuildInfo(); ok {
		if i.Version == "" {
			if v := bi.Main.Version; v != "" && v != "(devel)" {
				i.Version = v
			}
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.time":
				if i.Date == "" {
					i.Date = s.Value
				}
			case "vcs.modified":
				i.Modified = s.Value == "true" && commit == ""
			}
		}
	}
	// GoReleaser stamps "none" and the zero time when it finds no commit.
	if c := strings.TrimSpace(i.Commit); c == "none" || c == "unknown" {
		i.Commit = ""
	}
	if t, ok := i.Time(); ok && t.IsZero() {
		i.Date = ""
	}
	i.Version = strings.TrimPrefix(strings.TrimSpace(i.Version), "v")
	if i.Version == "" {
		i.Version = "dev"
	}
	return i
}

// Version is the version alone: "1.2.3", or "dev".
func Version() string { return Get().Version }

// String is the one-line version banner, for example
// "tcdind 1.2.3 (commit abc1234, built 2026-11-29)".
func String() string { return Get().String() }

// String formats i as "tcdind VERSION (commit SHORT, built DAY)", leaving
// out what is unknown.
func (i Info) String() string {
	var parts []string
	if c := shortCommit(i.Commit); c != "" {
		if i.Modified {
			c += "-dirty"
		}
		parts = append(parts, "commit "+c)
	}
	if d := day(i.Date); d != "" {
		parts = append(parts, "built "+d)
	}
	s := "tcdind " + i.Version
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

func shortCommit(c string) string {
	c = strings.TrimSpace(c)
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

// Time is the build (or commit) time, if known and parseable.
func (i Info) Time() (time.Time, bool) {
	d := strings.TrimSpace(i.Date)
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, d); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// day turns an RFC 3339 time or a bare date into YYYY-MM-DD in UTC; anything
// else is shown as given.
func day(d string) string {
	if t, ok := (Info{Date: d}).Time(); ok {
		return t.Format(time.DateOnly)
	}
	return strings.TrimSpace(d)
}
