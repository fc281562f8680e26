#!/bin/bash
# e2e-resume.sh - what the console does across its own restart: it resumes
# a feed it has seen (remembered by URL) after its stored seq, not from the
# start; a hole the feed's buffer cannot cover arrives as a gap that is
# recorded and said out loud; and a command that was never acknowledged is
# sent again after the welcome, obeyed once, and its ack stored.  Each
# console run lasts until what it is for has happened (with a deadline),
# never a fixed number of seconds.
. "$(dirname "$0")/lib.sh"

# 1. A feed whose buffer keeps only the last 100 of 1000 messages.
python3 "$TESTS/gen-scenario.py" 1000 20 >"$T/s.jsonl"
start_feed --replay "$T/s.jsonl" --buffer 100 --id small
wait_for 10 log_has "$FEED_LOG" "scenario queued: all 1000 messages" ||
    fail "the feed did not queue its 1000 messages: $(cat "$FEED_LOG")"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/g.db" \
    >/dev/null 2>"$T/g.err" &
c=$!
PIDS="$PIDS $c"
got() { [ "$(sqlite3 "$T/g.db" "select count(*) from messages" 2>/dev/null)" = 100 ]; }
wait_for 10 got || fail "not the 100 buffered messages"
stop_ok $c "console (buffer hole)"
[ "$(sqlite3 "$T/g.db" "select from_seq || '-' || to_seq from gaps")" = "1-900" ] ||
    fail "gap 1-900 not recorded: $(sqlite3 "$T/g.db" 'select * from gaps')"
grep -q "lost seq 1..900" "$T/g.err" || fail "the gap was not reported: $(cat "$T/g.err")"
stop_ok "$FEED_PID" "feed (buffer hole)"

# 2. Restart resumes by URL: a second console run asks for seq > stored.
start_feed --simulate 10 --seed 5 --rate 60 --id sim
URL="ws://127.0.0.1:$FEED_PORT/"
maxseq() { m=$(sqlite3 -readonly "$T/r.db" "select max(seq) from messages" 2>/dev/null); echo "${m:-0}"; }
seq_beyond() { [ "$(maxseq)" -gt "$1" ]; }
runs=0
# run WHAT COND...: a console on r.db until COND holds (20 s at most), and
# then until the feed has sent it 10 more messages, so that every run is a
# real connection that streamed.
run() {
	what=$1; shift
	runs=$((runs + 1))
	"$INVIGIL" --headless --feed "$URL" --db "$T/r.db" >/dev/null 2>>"$T/r.err" &
	c=$!
	PIDS="$PIDS $c"
	connected() { [ "$(grep -c "resumes at seq" "$FEED_LOG")" -ge $runs ]; }
	wait_for 20 connected || fail "console run $runs ($what) never connected"
	wait_for 20 "$@" || fail "console run $runs: $what did not happen within 20 s"
	now=$(maxseq)
	wait_for 20 seq_beyond $((now + 10)) || fail "console run $runs ($what) stopped streaming at seq $now"
	stop_ok $c "console run $runs ($what)"
}
run "40 messages stored" seq_beyond 40
first=$(maxseq)
run "a resume after the stored seq" log_has "$FEED_LOG" "resumes at seq $((first + 1))"
grep -q "console of .* resumes at seq $((first + 1))" "$FEED_LOG" ||
    fail "the restarted console did not resume at seq $((first + 1)): $(grep resumes "$FEED_LOG")"
[ "$(sqlite3 "$T/r.db" "select count(*) = count(distinct seq) and max(seq) = count(*) from messages")" = 1 ] ||
    fail "holes or duplicates after the restart"

# 3. A command sent by a run that died before its ack is sent again.
in_progress() { [ "$(sqlite3 "$T/r.db" "select state from attempts where attempt = 'A0002'")" = in_progress ]; }
in_progress || run "A0002 in progress" in_progress
sqlite3 "$T/r.db" "insert into commands (id, feed, attempt, action, text, actor, sent_ms)
    values ('crashed-1', 'sim', 'A0002', 'pause', 'sent before a crash', 'e2e', 1)"
acked() { [ "$(sqlite3 -readonly "$T/r.db" "select ok from commands where id = 'crashed-1'" 2>/dev/null)" = 1 ]; }
run "the re-sent command acknowledged" acked
[ "$(sqlite3 "$T/r.db" "select ok from commands where id = 'crashed-1'")" = 1 ] ||
    fail "the unacknowledged command was not re-sent and acknowledged"
[ "$(sqlite3 "$T/r.db" "select count(*) from messages where type = 'state' and attempt = 'A0002' and body like '%paused%'")" = 1 ] ||
    fail "the re-sent pause was not obeyed exactly once"
run "a run after the ack" true	# acknowledged now: not sent again
[ "$(grep -c "cmd crashed-1" "$FEED_LOG")" = 1 ] || fail "an acknowledged command was sent again"
echo "PASS: buffer hole recorded as gap 1-900; restart resumes at seq $((first + 1)); an unacknowledged command is re-sent once ($runs console runs, $(maxseq) messages)"
