#!/bin/bash
# e2e-restart.sh - a console restarted on its database shows what it showed
# before: the feed (remembered by URL) resumes after the stored seq and sends
# nothing old, yet every candidate is on screen with its name, and the open
# flags and the risk order are back, without a flag raised twice.
. "$(dirname "$0")/lib.sh"

python3 "$TESTS/gen-scenario.py" 2000 30 >"$T/s.jsonl"
start_feed --replay "$T/s.jsonl" --id again
URL="ws://127.0.0.1:$FEED_PORT/"
"$INVIGIL" --headless --feed "$URL" --db "$T/r.db" >"$T/flags1.jsonl" 2>/dev/null &
c=$!
PIDS="$PIDS $c"
all() { [ "$(sqlite3 "$T/r.db" "select count(*) from messages" 2>/dev/null)" = 2000 ]; }
wait_for 20 all || fail "first run did not store the scenario"
stop_ok $c "first console"
open=$(sqlite3 "$T/r.db" "select count(*) from flags where state = 'open'")
[ "$open" -gt 0 ] || fail "no flags in the first run"

# A lock the feed acknowledged in the first run (no resume since): the
# restarted console shows that attempt LOCKED (a lock is no state on the
# wire, only its acknowledged command says it).
locked=$(sqlite3 "$T/r.db" "select attempt from attempts where state = 'in_progress' order by attempt limit 1")
[ -n "$locked" ] || fail "no attempt in progress to lock"
sqlite3 "$T/r.db" "insert into commands (id, feed, attempt, action, text, actor, sent_ms, ack_ms, ok) values ('lock-e2e', 'again', '$locked', 'lock', 'wait', 'p', 1, 2, 1)" ||
    fail "cannot record the first run's lock"
SOCK="$T/tmux.sock"
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
tm -f /dev/null new-session -d -x 160 -y 50 \
    "'$INVIGIL' --feed '$URL' --db '$T/r.db'; echo \$? >'$T/exit'; sleep 30"
screen() { tm capture-pane -p -t 0; }
# quit_console: q, then the console's exit status (written by the tmux
# command) within 20 s; anything but 0 fails.
quit_console() {
	tm send-keys -t 0 q
	wait_for 20 test -s "$T/exit" || { screen >&2; fail "the console did not quit within 20 s of q"; }
	[ "$(cat "$T/exit")" = 0 ] || fail "the console exited $(cat "$T/exit") on q"
}
back() { screen | grep -q "30 candidates | .* | $open open flags"; }
wait_for 10 back || { screen >&2; fail "after a restart the header does not show 30 candidates and $open open flags"; }
screen | grep -q "Candidate 5 " || { screen >&2; fail "names missing after a restart"; }
tm send-keys -t 0 /
tm send-keys -t 0 -l "$locked"
tm send-keys -t 0 Enter
lockedrow() { screen | grep -qE "^[> ]$locked .* LOCKED "; }
wait_for 5 lockedrow || { screen >&2; fail "$locked, locked before the restart, is not shown LOCKED"; }
# "/" then Esc clears the filter; under ASan the redraw may come a moment
# later, so wait for the filter line to go before reading the top row.
tm send-keys -t 0 / Escape
unfiltered() { ! screen | grep -q '^ *filter "'; }
wait_for 5 unfiltered || { screen >&2; fail "/ then Esc did not clear the filter"; }
grep -q "resumes at seq 2001" "$FEED_LOG" || fail "the restarted console did not resume after seq 2000"
# The top row is the riskiest attempt in the database.
top=$(sqlite3 "$T/r.db" "select attempt from flags where state = 'open' group by attempt order by sum(weight) desc, attempt limit 1")
toprow() { screen | grep -E '^[> ]A[0-9]{5} ' | head -1 | grep -q "^.$top "; }
wait_for 5 toprow || { screen >&2; fail "top row is not $top"; }
quit_console
[ "$(sqlite3 "$T/r.db" "select count(*) from flags")" = "$(wc -l <"$T/flags1.jsonl")" ] ||
    fail "flags were raised again after the restart"
echo "PASS: a restarted console shows every candidate and its $open open flags, resuming after seq 2000"
