#!/bin/bash
# e2e-feed-attack.sh - `invigil feed` under attack by a hostile client on
# Node's `ws` (tests/peer/ws-attack.js), loopback only, every loop bounded:
#  1. resume.after_seq 2^63-1 (and -1, 2^63, 1e30) in the feed's epoch: the
#     feed stays up (it used to abort on after_seq + 1 overflowing);
#  2. ESC, OSC, C1 and bidi controls in hello.proctor and cmd id/attempt:
#     no raw ESC in the feed's log, the escaped form instead;
#  3. a client that offers no subprotocol is closed with 1002;
#  4. a flood of 40,000 junk commands: the feed's VmRSS and its --buffer-file
#     stay bounded (restarted on the file, no seq is given out twice), a
#     burst over the rate is closed with 1008, and the exam in a --buffer of
#     1000 is still there, whole, for a fresh console; a pause whose ack was
#     pushed out is a gap on resume and, re-sent, is answered again, once;
#  5. under `ulimit -n 256`, 800 idle connections from two addresses: the
#     feed refuses what is over --max-per-address, drops the rest when the
#     hello timeout passes, keeps its log small and its CPU idle, and a real
#     console connects and stores messages meanwhile; then 400 from ten
#     addresses fill its descriptors: it stops accepting (never EMFILE)
#     and serves a console once the hello timeout has freed them;
#  6. --name, --id and a --buffer-file epoch welcome could not carry are
#     refused at start-up.
# After each part a real console (invigil --headless) or the independent
# client (ws-client.js) is served.
. "$(dirname "$0")/lib.sh"

peer_setup

attack() {
	timeout 150 node "$PEER/ws-attack.js" "$@" 2>"$T/attack.err" ||
	    fail "$1: $(cat "$T/attack.err")"
}
alive() {
	kill -0 "$FEED_PID" 2>/dev/null || { tail -5 "$FEED_LOG" >&2; fail "the feed died: $1"; }
}
served() {	# served WHAT: the independent client reads 20 messages
	timeout 60 node "$PEER/ws-client.js" stream "ws://127.0.0.1:$FEED_PORT/" \
	    --count 20 >/dev/null 2>"$T/client.err" ||
	    fail "after $1 the feed no longer serves a client: $(cat "$T/client.err")"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# --- 1, 2, 3 on the simulator.
start_feed --simulate 10 --seed 5 --rate 50 --id attack
URL=ws://127.0.0.1:$FEED_PORT/
attack resume "$URL"
alive "a hello with resume.after_seq 2^63-1"
served "the resume attack"

attack inject "$URL"
alive "hostile strings"
if LC_ALL=C grep -q $'\x1b' "$FEED_LOG"; then
	LC_ALL=C grep -n $'\x1b' "$FEED_LOG" | cat -v | head -3 >&2
	fail "a raw ESC byte reached the feed's log"
fi
for form in 'p\x1b[2J' 'inj0\x1b[2J' 'A\x1b[2J\x1b]0;pwned\x07' '\u{202e}evil'; do
	grep -qF -- "$form" "$FEED_LOG" || fail "the log lacks the escaped form $form"
done
echo "ok: no raw ESC in the feed's log ($(wc -l <"$FEED_LOG") lines); proctor, cmd id and attempt appear escaped"

attack noproto "$URL"
served "a client without a subprotocol"
alive "the subprotocol check"

# --- 4. A flood of commands against an exam in a small buffer.  Under
# AddressSanitizer, freed memory waits in a quarantine (256 MB by default)
# before it is reused: keep that small, or VmRSS measures the quarantine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
python3 "$TESTS/gen-scenario.py" 500 20 >"$T/exam.jsonl"
start_feed --replay "$T/exam.jsonl" --buffer 1000 --id flood \
    --buffer-file "$T/flood.buf"
URL=ws://127.0.0.1:$FEED_PORT/
wait_for 10 grep -q "scenario queued" "$FEED_LOG" || fail "the scenario was not queued"
rss0=$(rss_kb "$FEED_PID")
size0=$(stat -c %s "$T/flood.buf")
attack flood "$URL" --count 40000 --per 200
alive "a flood of 40,000 commands"
rss1=$(rss_kb "$FEED_PID")
grow=$(( (rss1 - rss0) / 1024 ))
echo "ok: VmRSS ${rss0} kB before the flood, ${rss1} kB after (+${grow} MB)"
[ "$grow" -le 24 ] || fail "the flood grew the feed by $grow MB (bound 24 MB)"
OVER=1000 attack overrate "$URL"
alive "a burst of commands"
attack count "$URL" >"$T/count"
cat "$T/count"
exam=$(sed -n 's/.*exam \([0-9]*\).*/\1/p' "$T/count")
[ "$exam" = 500 ] || fail "a fresh console got $exam of the 500 exam messages after the flood (--buffer 1000)"
echo "ok: after 40,000 junk commands the whole exam (500 messages) is still in --buffer 1000"
# The buffer file keeps no acks, only the newest seq in its header: the
# flood does not grow it.  Restarted on it, the feed gives out no seq twice
# (last_seq as before) and serves the whole exam, the acks' seqs as gaps.
size1=$(stat -c %s "$T/flood.buf")
echo "ok: --buffer-file ${size0} bytes before the flood, ${size1} after"
[ "$size1" = "$size0" ] || fail "the flood grew the buffer file from $size0 to $size1 bytes"
last0=$(sed -n 's/.*last_seq \([0-9]*\).*/\1/p' "$T/count")
stop_ok "$FEED_PID" "the flooded feed"
start_feed --replay "$T/exam.jsonl" --buffer 1000 --id flood \
    --buffer-file "$T/flood.buf"
attack count "ws://127.0.0.1:$FEED_PORT/" >"$T/count2"
echo "after a restart: $(cat "$T/count2")"
last1=$(sed -n 's/.*last_seq \([0-9]*\).*/\1/p' "$T/count2")
exam=$(sed -n 's/.*exam \([0-9]*\).*/\1/p' "$T/count2")
[ "$last1" = "$last0" ] || fail "restarted on its buffer file, the feed's last_seq is $last1, not $last0"
[ "$exam" = 500 ] || fail "restarted on its buffer file, the feed served $exam of the 500 exam messages"
log_lines=$(wc -l <"$FEED_LOG")
[ "$log_lines" -le 2000 ] || fail "the flood wrote $log_lines log lines"
echo "ok: the flood left $log_lines log lines"

# --- 4a. Restarted mid-scenario after commands: the replay goes on after the
# scenario messages kept, acks not counted (it skipped one message per ack).
python3 "$TESTS/gen-scenario.py" 300 10 >"$T/mid.jsonl"
start_feed --replay "$T/mid.jsonl" --rate 50 --id mid --buffer-file "$T/mid.buf"
attack flood "ws://127.0.0.1:$FEED_PORT/" --count 100 --per 100
kept=$(( $(wc -l <"$T/mid.buf") - 1 ))
kill -KILL "$FEED_PID"; wait "$FEED_PID" 2>/dev/null
echo "killed mid-scenario with $kept of 300 messages in the buffer file"
[ "$kept" -lt 300 ] || fail "the scenario was over before the kill: not a restart mid-scenario"
start_feed --replay "$T/mid.jsonl" --rate 50 --id mid --buffer-file "$T/mid.buf"
wait_for 30 grep -q "scenario queued" "$FEED_LOG" || fail "the restarted scenario was not queued"
attack count "ws://127.0.0.1:$FEED_PORT/" >"$T/count3"
echo "restarted mid-scenario: $(cat "$T/count3")"
exam=$(sed -n 's/.*exam \([0-9]*\).*/\1/p' "$T/count3")
[ "$exam" = 300 ] || fail "restarted mid-scenario after 100 commands, the feed served $exam of the 300 scenario messages"

# --- 4b. Acks have a buffer of their own (10000): a pause's ack pushed out
# by 15000 junk commands is a gap for a console resuming from before it, and
# re-sending the pause (its id is within the 16384 remembered) is answered
# ok again, not carried out twice.
start_feed --simulate 30 --seed 3 --rate 20 --id window
attack window "ws://127.0.0.1:$FEED_PORT/" --junk 15000
alive "the window attack"
served "the window attack"

# --- 5. Descriptor exhaustion: a low ulimit, many idle connections.
start_feed_ulimit() {	# like start_feed, under ulimit -n $1
	lim=$1; shift
	FEED_LOG=$T/feed-ulimit.log
	bash -c 'ulimit -n "$1" || exit 99; shift; exec "$@"' _ "$lim" \
	    "$INVIGIL" feed --listen 127.0.0.1:0 "$@" 2>"$FEED_LOG" &
	FEED_PID=$!
	PIDS="$PIDS $FEED_PID"
	wait_for 10 grep -q "listening on" "$FEED_LOG" || { cat "$FEED_LOG" >&2; fail "feed did not start"; }
	FEED_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$FEED_LOG")
}
start_feed_ulimit 256 --simulate 10 --seed 5 --rate 20 --id idle
URL=ws://127.0.0.1:$FEED_PORT/
cpu0=$(cpu_ticks "$FEED_PID")
t0=$(date +%s)
# Not through attack(): a function in the background is a subshell, and
# would run lib.sh's EXIT trap (which removes $T) when it ends.
timeout 150 node "$PEER/ws-attack.js" idle "$URL" --count 400 \
    --local 127.0.0.2 --hold 25 >"$T/idle2" 2>&1 &
I2=$!
timeout 150 node "$PEER/ws-attack.js" idle "$URL" --count 400 \
    --local 127.0.0.3 --hold 25 >"$T/idle3" 2>&1 &
I3=$!
PIDS="$PIDS $I2 $I3"
# While they are held: a real console connects and stores messages.
wait_for 10 grep -q "refused a connection from 127.0.0.[23]" "$FEED_LOG" ||
    fail "the feed did not refuse connections over --max-per-address"
"$INVIGIL" --headless --feed "$URL" --db "$T/console.db" >/dev/null 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
wait_for 8 rows_at_least "$T/console.db" 20 ||
    fail "a real console stored no messages while 800 idle connections were held: $(tail -3 "$T/console.err")"
echo "ok: a real console stored $(sqlite3 "$T/console.db" 'select count(*) from messages') messages $(( $(date +%s) - t0 )) s into the idle attack"
wait "$I2" || fail "idle from 127.0.0.2: $(cat "$T/idle2")"
wait "$I3" || fail "idle from 127.0.0.3: $(cat "$T/idle3")"
cat "$T/idle2" "$T/idle3"
for f in "$T/idle2" "$T/idle3"; do
	grep -q ", 0 still open after" "$f" ||
	    fail "idle connections outlived the hello timeout (10 s): $(cat "$f")"
done
alive "800 idle connections under ulimit -n 256"
cpu=$(( $(cpu_ticks "$FEED_PID") - cpu0 ))
secs=$(( $(date +%s) - t0 ))
hz=$(getconf CLK_TCK)
echo "ok: the feed used $(awk -v c="$cpu" -v h="$hz" 'BEGIN { printf "%.2f", c / h }') s of CPU in ${secs} s of the idle attack"
[ "$cpu" -le $(( secs * hz / 4 )) ] || fail "the feed was busy: $cpu ticks of CPU in $secs s"
bytes=$(wc -c <"$FEED_LOG")
emfile=$(grep -c "accept" "$FEED_LOG")
echo "ok: the feed's log is $bytes bytes, $(wc -l <"$FEED_LOG") lines, $emfile about accept"
[ "$bytes" -le 200000 ] || fail "the feed's log grew to $bytes bytes"
n0=$(sqlite3 "$T/console.db" 'select count(*) from messages')
wait_for 10 rows_at_least "$T/console.db" $(( n0 + 5 )) ||
    fail "the console stopped receiving after the idle attack"
served "the idle attack"

# --- 5b. More addresses than the descriptors can hold: 10 x 40 idle
# connections reach the feed's limit (256 less a reserve of 32).  It closes
# what is over at once instead of spinning on EMFILE, keeps its CPU and log
# small, drops the idle ones when the hello timeout passes and then serves
# a real console.  (The console is started afterwards: a console whose
# connection waits ~10 s for an answer does not retry - a console bug,
# reported.)
stop_ok "$CONSOLE" "the console of the idle attack"
cpu0=$(cpu_ticks "$FEED_PID")
t0=$(date +%s)
IDLERS=""
for a in 10 11 12 13 14 15 16 17 18 19; do
	timeout 150 node "$PEER/ws-attack.js" idle "$URL" --count 40 \
	    --local 127.0.0.$a --hold 40 >"$T/idle.$a" 2>&1 &
	IDLERS="$IDLERS $!"
done
PIDS="$PIDS $IDLERS"
fds_open() { ls "/proc/$FEED_PID/fd" | wc -l; }
fds_at_least() { [ "$(fds_open)" -ge "$1" ]; }
fds_below() { [ "$(fds_open)" -lt "$1" ]; }
wait_for 10 fds_at_least 200 ||
    fail "the idle connections did not fill the feed's descriptors ($(fds_open) open)"
FDS_FULL=$(fds_open)
echo "ok: the feed holds $FDS_FULL descriptors under ulimit -n 256"
wait_for 10 grep -q "what its descriptor limit allows" "$FEED_LOG" ||
    fail "the feed did not refuse connections over its descriptor limit"
wait_for 40 fds_below 50 ||
    fail "the feed still holds $(fds_open) descriptors 40 s into the attack (hello timeout 10 s)"
FDS_DOWN=$(fds_open)
echo "ok: $(( $(date +%s) - t0 )) s into the attack the feed is down to $FDS_DOWN descriptors"
for p in $IDLERS; do wait "$p"; done
sed 's/^/  /' "$T"/idle.1?
alive "descriptor exhaustion"
cpu=$(( $(cpu_ticks "$FEED_PID") - cpu0 ))
secs=$(( $(date +%s) - t0 ))
echo "ok: the feed used $(awk -v c="$cpu" -v h="$hz" 'BEGIN { printf "%.2f", c / h }') s of CPU in ${secs} s with its descriptors full"
[ "$cpu" -le $(( secs * hz / 10 )) ] || fail "the feed was busy with its descriptors full: $cpu ticks of CPU in $secs s"
bytes=$(wc -c <"$FEED_LOG")
emfile=$(grep -c "accept" "$FEED_LOG")
echo "ok: the feed's log is $bytes bytes, $(wc -l <"$FEED_LOG") lines, $emfile about accept"
[ "$bytes" -le 400000 ] || fail "the feed's log grew to $bytes bytes"
# It stops accepting before the process runs out: accept never fails.
[ "$emfile" = 0 ] || fail "accept failed $emfile times (logged): the feed ran out of descriptors instead of backing off"
"$INVIGIL" --headless --feed "$URL" --db "$T/console2.db" >/dev/null 2>"$T/console2.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
wait_for 10 rows_at_least "$T/console2.db" 10 ||
    fail "a real console stored nothing after the descriptors were freed: $(tail -3 "$T/console2.err")"
echo "ok: a real console stored messages after the descriptor attack"
stop_ok "$CONSOLE" "the console after the descriptor attack"
served "descriptor exhaustion"

# --- 6. What welcome carries is checked at start-up, not at each hello
# (a value welcome cannot encode closed every console).
python3 "$TESTS/gen-scenario.py" 10 2 >"$T/small.jsonl"
expect_refused() {	# expect_refused STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	out=$(timeout 10 "$INVIGIL" feed --listen 127.0.0.1:0 --replay "$T/small.jsonl" "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "invigil feed $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "invigil feed $*: output lacks /$pat/: $out"
}
expect_refused 2 "--name wants 1 to 256 bytes" --name "$(printf 'n%.0s' $(seq 1 300))"
expect_refused 2 "--name wants 1 to 256 bytes of UTF-8" --name "$(printf 'bad\xff')"
expect_refused 2 "--id wants 1 to 64 bytes of UTF-8" --id "$(printf 'bad\xc3')"
printf 'invigil-feed-buffer 1 ep0 0\n' >"$T/ep0.buf"
expect_refused 1 "its epoch 0 is not a whole number from 1" --id ep0 --buffer-file "$T/ep0.buf"
printf 'invigil-feed-buffer 1 epneg -5\n' >"$T/epneg.buf"
expect_refused 1 "its epoch -5 is not" --id epneg --buffer-file "$T/epneg.buf"
echo "ok: --name, --id and a --buffer-file epoch that welcome could not carry are refused at start-up"

echo "PASS: the feed survives resume overflow, hostile strings, no subprotocol, a command flood (bounded memory: VmRSS +${grow} MB, exam kept; buffer file ${size0} -> ${size1} bytes) and descriptor exhaustion (held $FDS_FULL descriptors under ulimit -n 256, down to $FDS_DOWN after), and serves consoles throughout"
