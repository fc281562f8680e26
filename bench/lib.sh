# bench/lib.sh - what the benchmark scripts share; sourced by ingest.sh,
# latency.sh and review.sh after they set NAME (their name in messages)
# and TMPNAME (their scratch directory's prefix).
#
# Sets ROOT (the tree), O (the build directory, absolute), INVIGIL, T (a
# fresh scratch directory, removed on exit unless KEEP is set) and PIDS
# (processes killed and reaped on exit; add to it); points
# XDG_CONFIG_HOME into T, so that the console's signing key stays there;
# defines fail, say, hwm, cpu_s, now_ms, stop_console and feed_listening; and builds
# bench-bin, because a stale binary would measure old code (make is quick
# when everything is up to date).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
case $O in /*) ;; *) O=$ROOT/$O ;; esac
INVIGIL=${INVIGIL:-$O/invigil}
T=$(mktemp -d "${TMPDIR:-/tmp}/$TMPNAME.XXXXXX")
PIDS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "$NAME: FAIL: $*" >&2; exit 1; }
say() { echo "$NAME: $*" >&2; }
# peak resident set of a live process, in MiB
hwm() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
now_ms() { date +%s%3N; }
# CPU seconds (user + system) a live process has used
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null; }
# Stop the console $1 with SIGTERM: it must exit 0, or its stderr
# ($T/console.err) is shown and the benchmark fails.
stop_console() {
	kill -TERM "$1"
	wait "$1"
	rc=$?
	[ $rc -eq 0 ] || { cat "$T/console.err" >&2; fail "console exited $rc on SIGTERM"; }
}
# Wait for the feed $FEED (stderr in $T/feed.log) to listen, and set PORT.
feed_listening() {
	while ! grep -q "listening on" "$T/feed.log"; do
		kill -0 "$FEED" 2>/dev/null || { cat "$T/feed.log" >&2; fail "feed died"; }
		sleep 0.02
	done
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/feed.log")
	[ -n "$PORT" ] || fail "feed port not found"
}
export XDG_CONFIG_HOME=$T/config

make -s -C "$ROOT" O="${O#$ROOT/}" bench-bin >&2 || fail "build failed"
