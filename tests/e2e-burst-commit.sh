#!/bin/bash
# e2e-burst-commit.sh - a burst, then silence: the console's group commit
# (console/loop.c loop_flush_due) lets a busy queue (256 rows or more) wait
# up to 50 ms for its COMMIT, but no longer: 1,500 messages sent at once
# (--rate 0, fewer than a full batch of 4,096, so nothing is committed for
# being full) must all be in the database while the console still runs,
# the feed quiet after them.  Measured: how long after the console's start
# the last of them was committed (no bound asserted beyond the patience).
. "$(dirname "$0")/lib.sh"

watchdog 120
python3 "$TESTS/gen-scenario.py" 1500 12 >"$T/s.jsonl"
start_feed --replay "$T/s.jsonl" --rate 0 --id burst
t0=$(date +%s%N)
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/c.db" \
    >/dev/null 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
total=$(grep -c '^{' "$T/s.jsonl")
wait_for 20 rows_at_least "$T/c.db" "$total" "where type != 'ack'" ||
    { cat "$T/console.err" >&2; fail "$(sqlite3 -readonly "$T/c.db" "select count(*) from messages") of $total burst messages committed after 20 s, the console running"; }
ms=$((($(date +%s%N) - t0) / 1000000))
kill -0 "$CONSOLE" 2>/dev/null || fail "the console is not running"
stop_ok "$CONSOLE" "console"
echo "PASS: a burst of $total messages then silence: all committed while the console ran ($ms ms after its start)"
