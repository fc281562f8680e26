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

# The documented window: hung up 2 x --ping + 5 = 7 s after the feed's last
# word.  The last message came just before SIGSTOP; lws checks its timers
# about once a second, so the hang-up line must come 6 to 9 s after it.
now_ms() { date +%s%3N; }
t0=$(now_ms)
kill -STOP "$FEED_PID"
hung_up() { grep -q "went silent (no answer to pings for 7 s); hung up; next try" "$T/console.err"; }
wait_for 15 hung_up || { cat "$T/console.err" >&2; kill -CONT "$FEED_PID"; fail "a silent feed was not hung up within 15 s"; }
ms=$(( $(now_ms) - t0 ))
kill -CONT "$FEED_PID"
[ "$ms" -ge 6000 ] && [ "$ms" -le 9000 ] ||
    fail "hung up $ms ms after the feed went silent, outside the documented 7 s (6000..9000 ms)"
all() { [ "$(stored)" -ge 3000 ]; }
wait_for 30 all || fail "only $(stored) of 3000 stored after the feed came back"
stop $CONSOLE || fail "console exited $? on SIGTERM (124: still running after 20 s)"
counts=$(sqlite3 -readonly "$T/i.db" "select count(*), count(distinct seq) from messages")
[ "$counts" = "3000|3000" ] ||
    fail "messages stored (all | distinct seq): $counts, expected 3000|3000: duplicates or holes"
echo "PASS: a silent feed is hung up $ms ms after it went silent (documented: 2 x --ping + 5 = 7 s) and resumed without loss or duplicates"
