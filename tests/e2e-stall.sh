#!/bin/bash
# e2e-stall.sh - a feed that takes the TCP connection but does not answer
# the WebSocket upgrade (stopped with SIGSTOP before the console starts, so
# the kernel accepts for it) is retried once libwebsockets gives up on the
# upgrade, and the console takes in the stream when the feed comes back.
# Before, lws ended that connection without CONNECTION_ERROR or CLOSED and
# the console never tried again: nothing was stored, ever.
. "$(dirname "$0")/lib.sh"
watchdog 90

python3 "$TESTS/gen-scenario.py" 500 20 >"$T/s.jsonl"
start_feed --replay "$T/s.jsonl" --rate 500 --id stall
kill -STOP "$FEED_PID"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/s.db" \
    </dev/null >/dev/null 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
# lws's own limit for an answer to the upgrade is 10 s: outlast it.
retried() { grep -q "did not answer the WebSocket upgrade in time; next try" "$T/console.err"; }
start=$(date +%s)
wait_for 30 retried || { kill -CONT "$FEED_PID"; cat "$T/console.err" >&2; fail "no retry after the feed left the upgrade unanswered"; }
waited=$(( $(date +%s) - start ))
kill -CONT "$FEED_PID"
stored() { sqlite3 "$T/s.db" "select count(*) from messages" 2>/dev/null || echo 0; }
all() { [ "$(stored)" -ge 500 ]; }
wait_for 30 all || { cat "$T/console.err" >&2; fail "only $(stored) of 500 stored after the feed came back"; }
kill -0 "$CONSOLE" || fail "the console died"
stop "$CONSOLE" || fail "console exited $? on SIGTERM"
echo "PASS: an unanswered upgrade was retried after ${waited} s; all 500 messages stored once the feed answered"
