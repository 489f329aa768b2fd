// Package report is tcdind's machine-readable result: one JSON document per
// run (--json), written by one exporter, with a versioned schema
// (docs/result.schema.json, described in docs/json.md). Front ends fill a
// Document as the run goes; the command finishes it with the exit status
// and writes it, also when the run failed.
//
// The schema only grows within a version: a field is added, never renamed,
// retyped or removed; a change that would break a reader bumps
// SchemaVersion.
package report
