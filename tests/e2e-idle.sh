#!/bin/bash
# e2e-idle.sh - a feed that goes silent (SIGSTOP: the socket stays open but
# nothing answers, not even pings) is hung up by the console after
# 2 x --ping + 5 seconds and retried; when it comes back (SIGCONT) the
# console reconnects by itself and resumes without loss.
. "$(dirname "$0")/lib.sh"

python3 "$TESTS/gen-scenario.py" 3000 50 >"$T/s.jsonl"
start_feed --replay "$T/s.jsonl" --rate 300 --id idle
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/i.db" \
    --ping 1 >/dev/null 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
stored() { sqlite3 "$T/i.db" "select count(*) from messages" 2>/dev/null || echo 0; }
some() { [ "$(stored)" -gt 100 ]; }
wait_for 10 some || fail "nothing stored"

kill -STOP "$FEED_PID"
hung_up() { grep -q "went silent (no answer to pings for 7 s); hung up; next try" "$T/console.err"; }
wait_for 15 hung_up || { cat "$T/console.err" >&2; kill -CONT "$FEED_PID"; fail "a silent feed was not hung up within 15 s"; }
kill -CONT "$FEED_PID"
all() { [ "$(stored)" -ge 3000 ]; }
wait_for 30 all || fail "only $(stored) of 3000 stored after the feed came back"
kill -TERM $CONSOLE; wait $CONSOLE || fail "console exited $?"
[ "$(sqlite3 "$T/i.db" "select count(distinct seq) from messages")" = 3000 ] || fail "duplicates or holes"
echo "PASS: a silent feed is hung up after the ping timeout and resumed without loss after 7 s"
