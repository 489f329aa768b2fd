#!/bin/sh
# Writes the shell completion scripts into completions/, generated from the
# command itself (tcdind completion SHELL) so that they never drift from it.
# Run by GoReleaser before each release (.goreleaser.yaml) and by `make completions`.
set -eu
cd "$(dirname "$0")/.."
rm -rf completions
mkdir -p completions
for shell in bash zsh fish; do
	go run . completion "$shell" >"completions/tcdind.$shell"
done
