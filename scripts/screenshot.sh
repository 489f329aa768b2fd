#!/usr/bin/env bash
# Renders the wizard's review screen to docs/review.png (for the README):
# runs the real program in a detached 120x40 tmux session, waits for the review
# screen, captures it with its colours and renders it with charmbracelet/freeze.
# Nothing is written by tcdind: the session is ended with ctrl+c after the capture.
#
#   scripts/screenshot.sh                  (or: make screenshot)
#   TEMPLATE=testdata/templates/x.yaml MODE=socket OUT=docs/socket.png scripts/screenshot.sh
#   (FLAGS=... adds flags; privileged defaults to --sudo-image)
#   (NAME=teamcity-server.yaml is the file name shown in the picture)
#
# Needs tmux and Go (freeze is fetched through the module proxy the first time).
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPLATE=${TEMPLATE:-testdata/templates/blog.yaml}
MODE=${MODE:-privileged}
OUT=${OUT:-docs/review.png}
# Text that is on screen once the review is drawn: a unified diff hunk header.
WAIT_FOR=${WAIT_FOR:-@@}
TIMEOUT=${TIMEOUT:-30}
FREEZE=${FREEZE:-go run github.com/charmbracelet/freeze@v0.2.2}

command -v tmux >/dev/null || { echo "screenshot: tmux is not installed" >&2; exit 1; }
[ -f "$TEMPLATE" ] || { echo "screenshot: no template $TEMPLATE" >&2; exit 1; }

go build -o bin/tcdind .

tmp=$(mktemp -d)
# A private tmux server (own socket, no user configuration), so that neither a
# running tmux nor ~/.tmux.conf changes the picture.
sock="tcdind-shot-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	tm kill-server 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# Run in a scratch directory on a copy named like JetBrains' published
# template, so that the picture shows the names a user sees; the patched
# template is never written there (ctrl+c below).
name=${NAME:-teamcity-server.yaml}
cp "$TEMPLATE" "$tmp/$name"
# FLAGS: the recipe, so that the wizard goes straight to the review (the
# blog's template pins 2023.11.1, whose privileged agent needs the -sudo image).
FLAGS=${FLAGS:-$([ "$MODE" = privileged ] && echo --sudo-image)}
cmd="$PWD/bin/tcdind --template $name --mode $MODE $FLAGS --output ${name%.*}.dind.${name##*.}"
tm new-session -d -s shot -x 120 -y 40 -c "$tmp" \
	"env -u NO_COLOR TERM=xterm-256color COLORTERM=truecolor $cmd; sleep 5"
tm set-option -t shot status off >/dev/null

deadline=$((SECONDS + TIMEOUT))
until tm capture-pane -t shot -p 2>/dev/null | grep -qF -- "$WAIT_FOR"; do
	if ((SECONDS >= deadline)); then
		echo "screenshot: the review screen did not appear within ${TIMEOUT}s; the screen was:" >&2
		tm capture-pane -t shot -p >&2 || true
		exit 1
	fi
	sleep 0.2
done
sleep 1 # let the screen settle (spinners, the last frame)
tm capture-pane -t shot -e -p >"$tmp/review.ansi"
tm send-keys -t shot C-c

mkdir -p "$(dirname "$OUT")"
# shellcheck disable=SC2086 # FREEZE is a command with arguments
$FREEZE --language ansi --window --padding 20 --margin 0 --border.radius 8 \
	--font.size 14 --line-height 1.2 --output "$OUT" <"$tmp/review.ansi"
chmod 644 "$OUT" # freeze writes 0600
if command -v optipng >/dev/null; then optipng -quiet -o2 "$OUT"; fi
echo "screenshot: wrote $OUT" >&2
