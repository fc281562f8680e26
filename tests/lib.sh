# lib.sh - helpers for the end-to-end tests (sourced).  Each test runs in
# its own temporary directory, uses ports the kernel picks, and cleans up
# every process it started, whatever happens.
set -u

INVIGIL=${INVIGIL:-$(cd "$(dirname "$0")/.." && pwd)/invigil}
TESTS=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/invigil-e2e.XXXXXX")
PIDS=""
# Signing keys are created on first use: in the test's directory, never in
# the user's own ~/.config.
export XDG_CONFIG_HOME=$T/config

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	# A process that ignores SIGTERM gets 5 s, then SIGKILL: a failing
	# test never hangs in its own cleanup.
	for _ in $(seq 1 50); do
		alive=""
		for p in $PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -n "$alive" ] || break
		sleep 0.1
	done
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Start `invigil feed ARGS...` on an ephemeral port; sets FEED_PID and
# FEED_PORT once it listens.
start_feed() {
	log=$T/feed.$$.$RANDOM.log
	FEED_LOG=$log
	"$INVIGIL" feed --listen 127.0.0.1:0 "$@" 2>"$log" &
	FEED_PID=$!
	PIDS="$PIDS $FEED_PID"
	FEED_PORT=""
	for _ in $(seq 1 $(( 200 * ${E2E_TIMEOUT_FACTOR:-1} ))); do
		FEED_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$FEED_PORT" ] && return 0
		kill -0 "$FEED_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$log" >&2
	fail "feed did not start"
}

# wait_for SECONDS COMMAND...: retry COMMAND until it succeeds.  The
# deadline is a test's patience, not a promise of the product: it stretches
# by E2E_TIMEOUT_FACTOR (3 under ASan, where everything runs slower).  A
# test that asserts a time measures it, never by a wait_for deadline.
wait_for() {
	secs=$(( $1 * ${E2E_TIMEOUT_FACTOR:-1} )); shift
	end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# tmux_setup: a tmux server of the test's own (tm runs tmux on it, SOCK is
# its socket), killed at exit before the rest is cleaned up.
tmux_setup() {
	command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
	SOCK="$T/tmux.sock"
	trap 'tm kill-server 2>/dev/null; cleanup' EXIT
}
# tm ARGS: tmux on the test's own server ($SOCK).  A new session right
# after the last one ended can reach that server while it exits ("server
# exited unexpectedly"): it is tried again, a new server then starting.
tm() {
	local i
	case " $* " in
	*" new-session "*)
		for i in 1 2 3 4 5 6 7 8 9 10; do
			tmux -S "$SOCK" "$@" 2>"$T/tm.err" && return 0
			grep -q "server exited unexpectedly" "$T/tm.err" || {
				cat "$T/tm.err" >&2
				return 1
			}
			sleep 0.2
		done
		cat "$T/tm.err" >&2
		return 1 ;;
	esac
	tmux -S "$SOCK" "$@"
}

# rows_at_least DB N [WHERE]: the database holds at least N messages.
rows_at_least() {
	n=$(sqlite3 -readonly "$1" "select count(*) from messages ${3:-}" 2>/dev/null)
	[ "${n:-0}" -ge "$2" ]
}

# peer_setup: Node's `ws` package for the independent peer in tests/peer/,
# installed once from its lock file by tests/peer/install (run-e2e does it
# before the suite); sets PEER.
peer_setup() {
	PEER=$TESTS/peer
	command -v node >/dev/null 2>&1 ||
	    fail "node not found: install Debian's nodejs and npm (scripts/install-deps)"
	[ -f "$PEER/node_modules/.invigil-installed" ] && return 0
	"$PEER/install" >"$T/npm.log" 2>&1 ||
	    { cat "$T/npm.log" >&2; fail "tests/peer/install failed"; }
}

# watchdog SECONDS: fail the whole test if it is still running by then
# (a wait that never returns is a failure, not a hung suite).
watchdog() {
	(
		trap 'kill $s 2>/dev/null; exit 0' TERM
		sleep "$1" & s=$!
		wait $s && { echo "FAIL: $(basename "$0") still running" \
		    "after $1 s" >&2; kill -TERM $$; }
	) &
	PIDS="$PIDS $!"
}

# stop PID: SIGTERM, and the process's exit status within 20 s (124 if it
# is still running then).
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 $(( 200 * ${E2E_TIMEOUT_FACTOR:-1} ))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
		sleep 0.1
	done
	return 124
}

# start_script HOST SCRIPT [--no-pong]: the scripted feed tests/peer/
# ws-script.js on HOST and an ephemeral port; sets SCRIPT_PID, SCRIPT_PORT
# and SCRIPT_LOG (its JSON lines) once it listens.
start_script() {
	peer_setup
	SCRIPT_LOG=$T/script.$$.$RANDOM.log
	node "$PEER/ws-script.js" "$1" 0 "$2" ${3:-} >"$SCRIPT_LOG" 2>&1 &
	SCRIPT_PID=$!
	PIDS="$PIDS $SCRIPT_PID"
	script_port() { SCRIPT_PORT=$(sed -n 's/.*"listening","port":\([0-9]*\).*/\1/p' "$SCRIPT_LOG"); [ -n "$SCRIPT_PORT" ]; }
	wait_for 10 script_port || { cat "$SCRIPT_LOG" >&2; fail "ws-script.js did not start"; }
}

# A feed restarted on the port another held (same URL) needs a fixed port.
# It is taken below the kernel's ephemeral range, so that no `--listen :0`
# and no outgoing connection's source port ever lands on it while it is
# free between two feeds; two suites running at once pick at random and
# start_feed_fixed moves on if the first try is taken.
fixed_port() {
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	lo=${lo:-32768}
	[ "$lo" -gt 11000 ] || lo=11000
	echo $(( 10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000) ))
}

# feed_try PORT ARGS...: one `invigil feed` on 127.0.0.1:PORT; 0 once it
# listens, 1 if it exits (the port is in use), fails the test otherwise.
feed_try() {
	port=$1; shift
	FEED_LOG=$T/feed.$$.$RANDOM.log
	"$INVIGIL" feed --listen "127.0.0.1:$port" "$@" 2>"$FEED_LOG" &
	FEED_PID=$!
	PIDS="$PIDS $FEED_PID"
	feed_up() { grep -q "listening on" "$FEED_LOG" || ! kill -0 "$FEED_PID" 2>/dev/null; }
	wait_for 10 feed_up || fail "feed on port $port neither listens nor exits after 10 s"
	grep -q "listening on" "$FEED_LOG" && return 0
	wait "$FEED_PID" 2>/dev/null
	grep -q "the port is in use" "$FEED_LOG" && return 1
	fail "feed on port $port: $(cat "$FEED_LOG")"
}

# start_feed_fixed ARGS...: a feed on a fixed_port (another one if that is
# taken); sets FEED_PORT, FEED_PID and FEED_LOG.
start_feed_fixed() {
	for _ in $(seq 1 20); do
		FEED_PORT=$(fixed_port)
		feed_try "$FEED_PORT" "$@" && return 0
	done
	fail "no free port for a feed in 20 tries"
}

# feed_on PORT ARGS...: `invigil feed` on 127.0.0.1:PORT, a port a killed
# feed just held (tried again for up to 10 s); sets FEED_PID and FEED_LOG.
feed_on() {
	port=$1; shift
	end=$(( $(date +%s) + 10 ))
	while :; do
		feed_try "$port" "$@" && return 0
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.2
	done
	fail "no feed could listen on port $port within 10 s: $(cat "$FEED_LOG")"
}

# stop_ok PID WHAT: stop PID (SIGTERM, 20 s deadline) and fail the test
# unless it exits 0: a process that crashes on SIGTERM, or ignores it, is a
# failure, never a hung suite.
stop_ok() {
	stop "$1"
	rc=$?
	[ $rc -eq 124 ] && fail "$2 still running 20 s after SIGTERM"
	[ $rc -eq 0 ] || fail "$2 exited $rc after SIGTERM"
}

# log_has FILE PATTERN: FILE has a line matching PATTERN (for wait_for).
log_has() { grep -q -- "$2" "$1" 2>/dev/null; }

# stored_minutes DB: minutes of feed time (ts_ms) between the first and the
# last message stored; minutes_at_least DB N: at least N of them.
stored_minutes() {
	m=$(sqlite3 -readonly "$1" "select coalesce((max(ts_ms) - min(ts_ms)) / 60000, 0) from messages" 2>/dev/null)
	echo "${m:-0}"
}
minutes_at_least() { [ "$(stored_minutes "$1")" -ge "$2" ]; }

# peer_try NAME PORT FILE ARGS...: one Node feed tests/peer/ws-server.js
# serving FILE on 127.0.0.1:PORT; 0 once it listens, 1 if the port is in
# use; fails the test on any other exit.  Sets PEER_PID and PEER_PORT.
peer_try() {
	name=$1 port=$2 file=$3; shift 3
	: >"$T/$name.peer.err"
	node "$PEER/ws-server.js" "$port" "$file" "$@" \
	    >>"$T/$name.log" 2>"$T/$name.peer.err" &
	PEER_PID=$!
	PIDS="$PIDS $PEER_PID"
	peer_up() { grep -q "^listening on" "$T/$name.peer.err" || ! kill -0 "$PEER_PID" 2>/dev/null; }
	wait_for 20 peer_up || fail "ws-server.js ($name) neither listens nor exits after 20 s"
	PEER_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/$name.peer.err")
	[ -n "$PEER_PORT" ] && return 0
	wait "$PEER_PID" 2>/dev/null
	grep -q EADDRINUSE "$T/$name.peer.err" && return 1
	fail "ws-server.js ($name) did not start: $(cat "$T/$name.peer.err")"
}

# start_peer NAME PORT FILE ARGS...: the independent Node feed (ws-server.js,
# ARGS passed on) on 127.0.0.1.  PORT 0: the kernel picks (a peer that is
# never restarted); "fixed": a fixed_port, another if taken (a peer that
# will be restarted at the same URL); a number: the port a stopped peer
# held, tried again for up to 10 s while it is still in use.  Its JSON
# event log is $T/NAME.log (appended to: a restart continues it), its
# stderr $T/NAME.peer.err.  Sets PEER_PID and PEER_PORT once it listens.
start_peer() {
	peer_setup
	name=$1 port=$2 file=$3; shift 3
	case $port in
	fixed)
		for _ in $(seq 1 20); do
			peer_try "$name" "$(fixed_port)" "$file" "$@" && return 0
		done
		fail "no free port for ws-server.js ($name) in 20 tries" ;;
	0)
		peer_try "$name" 0 "$file" "$@" ||
		    fail "ws-server.js ($name): no ephemeral port" ;;
	*)
		end=$(( $(date +%s) + 10 ))
		until peer_try "$name" "$port" "$file" "$@"; do
			[ "$(date +%s)" -lt "$end" ] ||
			    fail "ws-server.js ($name) could not listen on port $port within 10 s"
			sleep 0.2
		done ;;
	esac
}

# use_tmux: a private tmux server for a screen test: tm runs tmux on it
# (tm new-session ..., tm send-keys ...), and it is killed at exit with
# everything else.  Fails the test when tmux is not installed.
use_tmux() {
	command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
	SOCK="$T/tmux.sock"
	stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
	trap stop_tmux EXIT
}

# headless_on_fifo DB PROCTOR: a headless console on DB as PROCTOR, fed
# by the feed of start_feed (FEED_PORT), its requests from the FIFO
# $T/in held open on descriptor 3 (echo '{...}' >&3), its answers in
# $T/out and its errors in $T/err; sets HEADLESS_PID.
headless_on_fifo() {
	mkfifo "$T/in" || fail "mkfifo $T/in"
	"$INVIGIL" --headless --db "$1" --proctor "$2" \
	    --feed "ws://127.0.0.1:$FEED_PORT/" <"$T/in" >"$T/out" 2>"$T/err" &
	HEADLESS_PID=$!
	PIDS="$PIDS $HEADLESS_PID"
	exec 3<>"$T/in"
}
