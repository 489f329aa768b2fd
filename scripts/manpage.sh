#!/bin/sh
# Writes the manual page to manpages/tcdind.1.gz, generated from the command
# itself (tcdind man) so that it never drifts from --help. The page's date is
# the last commit's (SOURCE_DATE_EPOCH), so a release rebuilds it identically.
# Run by GoReleaser before each release (.goreleaser.yaml) and by `make man`.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || true)
fi
export SOURCE_DATE_EPOCH
rm -rf manpages
mkdir -p manpages
go run . man | gzip -c -9 -n >manpages/tcdind.1.gz
