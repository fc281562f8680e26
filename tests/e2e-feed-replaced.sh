#!/bin/bash
# e2e-feed-replaced.sh - a URL that starts answering as another feed id.
# Feed A (--id A) runs on a port; the console sends a pause that A never
# acknowledges (A is stopped, then killed); feed B (--id B, another seed,
# the SAME port and the same epoch) answers at the URL.  From the database
# and the headless output: B never receives the pause, not even after a
# console restart; A's attempts and flags keep feed A; B's attempts are rows
# of their own; the journal says the URL now answers as B; B's stream is
# taken in from its seq 1 although the console's hello asked to resume after
# A's last seq (same epoch); commands for A's candidates are refused with the
# reason, and notes on them are journaled against A.  When A answers at the
# URL again (after a console restart, in a new epoch), the pause is sent to
# A and acknowledged by A.
. "$(dirname "$0")/lib.sh"
watchdog 180

DB=$T/r.db
start_feed_fixed --simulate 12 --seed 1 --rate 200 --id A --epoch 1
PORT=$FEED_PORT
LOG_A=$FEED_LOG
URL="ws://127.0.0.1:$PORT/"
mkfifo "$T/in"
"$INVIGIL" --headless --feed "$URL" --db "$DB" <"$T/in" >"$T/out" \
    2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
req() { echo "$1" >&3; }
acked() { grep -q "\"id\":\"$1\"" "$T/out"; }

# An attempt of A in progress, to pause.
running() { X=$(q "select attempt from attempts where feed = 'A' and state = 'in_progress' order by attempt limit 1"); [ -n "$X" ]; }
wait_for 20 running || fail "feed A has no attempt in progress: $(q 'select count(*) from attempts')"
echo "attempt to pause: $X of feed A"
kill -STOP "$FEED_PID"
req "{\"id\":\"p1\",\"op\":\"command\",\"attempt\":\"$X\",\"action\":\"pause\",\"reason\":\"phone on the desk\"}"
wait_for 10 acked p1 || fail "the pause was not answered: $(cat "$T/out")"
grep -q '"id":"p1","ok":true' "$T/out" || fail "the pause was not recorded: $(grep p1 "$T/out")"
CMD=$(q "select id from commands where feed = 'A' and attempt = '$X' and action = 'pause'")
[ -n "$CMD" ] || fail "the pause is not in commands"
kill -KILL "$FEED_PID"; wait "$FEED_PID" 2>/dev/null
A_ATTEMPTS=$(q "select count(*) from attempts where feed = 'A'")
A_FLAGS=$(q "select count(*) from flags where feed = 'A'")
A_FLAG_IDS=$(q "select group_concat(id) from flags where feed = 'A'")
A_MSGS=$(q "select count(*) from messages where feed = 'A'")
echo "feed A: $A_ATTEMPTS attempts, $A_FLAGS flags, $A_MSGS messages; pause $CMD unacknowledged"

# Feed B on the same port, the same epoch, another seed.
feed_on "$PORT" --simulate 8 --seed 2 --rate 200 --id B --epoch 1
log=$FEED_LOG
b_in() { [ "$(q "select count(*) from messages where feed = 'B'")" -ge 40 ]; }
wait_for 60 b_in || fail "feed B's messages were not taken in: $(tail -5 "$T/err")"
grep -q "cmd " "$log" && fail "feed B received a command: $(grep 'cmd ' "$log")"
replaced() { [ "$(q "select count(*) from journal where kind = 'feed_replaced'")" -ge 1 ]; }
wait_for 10 replaced || fail "no feed_replaced journal entry"

# The journal: about A, by B, naming the URL and the unsent pause.
J=$(q "select feed || '|' || actor || '|' || detail from journal where kind = 'feed_replaced'")
echo "journal: $J"
case $J in
"A|B|"*"\"new_feed\":\"B\""*"$CMD"*"$URL"*) ;;
*) fail "the feed_replaced entry is wrong: $J" ;;
esac
grep -q "now answers as feed \"B\", not \"A\"" "$T/err" ||
    fail "the proctor was not told: $(cat "$T/err")"

# Nothing acknowledged the pause.
[ -z "$(q "select ok from commands where id = '$CMD'")" ] ||
    fail "the pause meant for A was acknowledged"
[ "$(q "select count(*) from journal where kind = 'cmd_ack'")" = 0 ] ||
    fail "an acknowledgement was journaled"

# A's rows stay A's; B's are their own.
[ "$(q "select count(*) from attempts where feed = 'A'")" = "$A_ATTEMPTS" ] ||
    fail "feed A's attempts changed"
[ "$(q "select count(*) from flags where id in (${A_FLAG_IDS:-0}) and feed = 'A'")" = "$A_FLAGS" ] ||
    fail "feed A's flags were filed under another feed: $(q "select id, feed from flags where id in (${A_FLAG_IDS:-0})")"
[ "$(q "select count(*) from flags f where feed = 'B' and not exists (select 1 from messages m where m.feed = 'B' and m.attempt = f.attempt)")" = 0 ] ||
    fail "a flag of B is about an attempt B never sent"
[ "$(q "select count(*) from messages where feed = 'A'")" = "$A_MSGS" ] ||
    fail "messages were filed under feed A after the replacement"
[ "$(q "select count(*) from attempts where attempt = '$X'")" = 2 ] ||
    fail "$X of A and $X of B are not two rows: $(q "select feed, attempt from attempts where attempt = '$X'")"
# Same epoch: B's stream is whole from seq 1, not from after A's last seq.
[ "$(q "select min(seq) = 1 and count(distinct seq) = max(seq) from messages where feed = 'B'")" = 1 ] ||
    fail "feed B's stream has holes: $(q "select min(seq), max(seq), count(*) from messages where feed = 'B'")"
[ "$(q "select count(*) from gaps where feed = 'B'")" = 0 ] ||
    fail "gaps recorded for B: $(q "select * from gaps where feed = 'B'")"

# The headless API: A's candidate by feed id; commands refused, notes kept.
req "{\"id\":\"c2\",\"op\":\"command\",\"attempt\":\"$X\",\"action\":\"warn\",\"reason\":\"again\"}"
req "{\"id\":\"c3\",\"op\":\"command\",\"feed\":\"A\",\"attempt\":\"$X\",\"action\":\"pause\",\"reason\":\"again\"}"
req "{\"id\":\"n4\",\"op\":\"note\",\"feed\":\"A\",\"attempt\":\"$X\",\"reason\":\"called the centre\"}"
wait_for 10 acked n4 || fail "requests not answered: $(cat "$T/out")"
grep '"id":"c2"' "$T/out" | grep -q '"ok":false.*more than one feed' ||
    fail "an ambiguous attempt was not refused: $(grep c2 "$T/out")"
grep '"id":"c3"' "$T/out" | grep -q '"ok":false.*no longer answers' ||
    fail "a command for A's candidate was not refused: $(grep c3 "$T/out")"
grep -q '"id":"n4","ok":true' "$T/out" || fail "the note was refused: $(grep n4 "$T/out")"
[ "$(q "select count(*) from journal where kind = 'note' and feed = 'A' and attempt = '$X'")" = 1 ] ||
    fail "the note was not journaled against A"
[ "$(q "select count(*) from commands")" = 1 ] || fail "a command was recorded for A's candidate"

# The restart path: the pause is still A's, and still not sent to B.
exec 3>&-
stop $CONSOLE || fail "console exited $?"
"$INVIGIL" --headless --feed "$URL" --db "$DB" </dev/null >/dev/null 2>"$T/err2" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
more() { [ "$(q "select count(*) from messages where feed = 'B'")" -gt "$B_MSGS" ]; }
B_MSGS=$(q "select count(*) from messages where feed = 'B'")
wait_for 20 more || fail "the restarted console took in nothing from B"
grep -q "cmd " "$log" && fail "feed B received a command after the restart: $(grep 'cmd ' "$log")"
grep -q "cmd " "$LOG_A" && fail "feed A received the pause before it was stopped"

# Feed A answers at the URL again (a new run of it: same id, and a new
# epoch, as a feed that lost its stream must start; with the same epoch its
# new seqs would clash with the stored ones, the ack among them, whenever
# the console reconnects before the new run passes the old position): the
# pause is sent to A, its feed, and acknowledged by A.
kill -KILL "$FEED_PID"; wait "$FEED_PID" 2>/dev/null
feed_on "$PORT" --simulate 12 --seed 1 --rate 200 --id A --epoch 2
LOG_A2=$FEED_LOG
acked_by_a() { [ "$(q "select ok from commands where feed = 'A' and id = '$CMD'")" = 1 ]; }
wait_for 30 acked_by_a || fail "the pause was not re-sent to A when A answered again: $(tail -3 "$T/err2")"
grep -q "cmd $CMD pause $X" "$LOG_A2" || fail "feed A's log does not show the pause"
[ "$(q "select count(*) from journal where kind = 'cmd_ack' and actor = 'A'")" = 1 ] ||
    fail "A's acknowledgement was not journaled"
[ "$(q "select count(*) from journal where kind = 'feed_replaced'")" = 2 ] ||
    fail "B giving the URL back to A was not journaled"
stop $CONSOLE || fail "console exited $?"
grep -q "cmd " "$log" && fail "feed B received a command: $(grep 'cmd ' "$log")"
echo "PASS: A's $A_ATTEMPTS attempts and $A_FLAGS flags stay A's; B ($(q "select count(*) from attempts where feed = 'B'") attempts, seq 1..$(q "select max(seq) from messages where feed = 'B'") whole) never got pause $CMD, also after a restart; journal and proctor told; commands for A refused, notes kept; the pause went to A, and only A, when A answered again"
