#!/bin/bash
# e2e-clock.sh - one clock per feed, and --max-clock-skew, through real
# WebSockets: two Node `ws` peers play two feeds into one headless console.
# The honest feed's candidate A1 loses her face at "now"; the other feed
# stamps the year 9999 (kept in rejects, not taken in), then a time an hour
# ahead (taken in, shown as clock skew), then 1970 (more than the skew
# behind its own clock: rejected).  Its own hold completes by its own clock;
# A1's must not.  Restarted, the skewed feed is resumed past the rejected
# seqs: they are not fetched again.
. "$(dirname "$0")/lib.sh"

peer_setup
PEER=$TESTS/peer
now_ms=$(( $(date +%s) * 1000 ))
iso() { python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z')" "$1"; }
NOW=$(iso $now_ms)
HOUR=$(iso $(( now_ms + 3600 * 1000 )))

cat >"$T/honest.jsonl" <<JSONL
{"t":"attempt","ts":"$NOW","attempt":"A1","candidate":"C1","name":"Honest","exam":"EX","modality":"remote","state":"in_progress"}
{"t":"event","ts":"$NOW","attempt":"A1","kind":"face_missing","data":{}}
JSONL
cat >"$T/skewed.jsonl" <<JSONL
{"t":"attempt","ts":"$NOW","attempt":"B1","candidate":"C2","name":"Skewed","exam":"EX","modality":"remote","state":"in_progress"}
{"t":"event","ts":"$NOW","attempt":"B1","kind":"face_missing","data":{}}
{"t":"event","ts":"9999-12-31T23:59:59.999Z","attempt":"B1","kind":"gaze_away","data":{}}
{"t":"event","ts":"$HOUR","attempt":"B1","kind":"gaze_away","data":{}}
{"t":"event","ts":"1970-01-01T00:00:00.000Z","attempt":"B1","kind":"gaze_away","data":{}}
{"t":"event","ts":"$HOUR","attempt":"B1","kind":"raise_hand","data":{}}
JSONL


EVIL_ID=$(printf 'skewed\033[2J')
start_peer honest 0 "$T/honest.jsonl" --epoch 7 --feed honest; HP=$PEER_PORT
start_peer skewed fixed "$T/skewed.jsonl" --epoch 7 --feed "$EVIL_ID"; SP=$PEER_PORT; SPID=$PEER_PID
DB=$T/c.db
"$INVIGIL" --headless --feed "ws://127.0.0.1:$HP/" --feed "ws://127.0.0.1:$SP/" \
    --db "$DB" --proctor clock-e2e >"$T/flags.jsonl" 2>"$T/c.err" &
C=$!
PIDS="$PIDS $C"
q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }

# B1's own hold completes by its own feed's clock (an hour on): once that
# flag is in the database, the tick that would have ended A1's has run.
b1_flag() { [ "$(q "select count(*) from flags where attempt = 'B1' and rule = 'face_missing_long'")" = 1 ]; }
wait_for 20 b1_flag || { cat "$T/c.err" >&2; fail "B1's hold did not complete by its own feed's clock"; }
a1=$(q "select count(*) from flags where attempt = 'A1'")
b1=$(q "select message from flags where attempt = 'B1' and rule = 'face_missing_long'")
echo "measured: A1 flags $a1; B1: $b1"
[ "$a1" = 0 ] || fail "the skewed feed's clock completed the honest feed's hold: $(q "select message from flags where attempt = 'A1'")"
case $b1 in *"for 3600 s"*|*"for 3599 s"*|*"for 3601 s"*) ;; *) fail "B1's hold: $b1" ;; esac
rejected() { [ "$(q "select count(*) from rejects where reason like '%max-clock-skew%'")" = 2 ]; }
wait_for 10 rejected || fail "rejects: $(q "select reason from rejects")"

echo "measured: rejects"; q "select feed, reason from rejects" | sed 's/\x1b/\\e/g'
q "select reason from rejects" | grep -q "ts 9999-12-31T23:59:59.999Z is [0-9]* s ahead of this console's clock, more than --max-clock-skew 86400 s" ||
    fail "no reason for the year 9999"
q "select reason from rejects" | grep -q "ts 1970-01-01T00:00:00.000Z is [0-9]* s behind this console's clock, " ||
    fail "no reason for 1970"
# Their seqs (3 and 5) are accounted for, and the rest was taken in.
[ "$(q "select group_concat(from_seq || '-' || to_seq) from (select * from gaps order by from_seq)")" = "3-3,5-5" ] ||
    fail "gaps: $(q "select from_seq, to_seq, why from gaps")"
[ "$(q "select group_concat(seq) from (select seq from messages where feed != 'honest' order by seq)")" = "1,2,4,6" ] ||
    fail "messages of the skewed feed: $(q "select seq from messages where feed != 'honest'")"

# Headless: the skew said once on stderr, sanitised (no ESC from the feed id).
wait_for 5 grep -q "its clock is 3[56][0-9][0-9] s ahead of this console's" "$T/c.err" ||
    { cat "$T/c.err" >&2; fail "no clock skew line on stderr"; }
echo "measured: stderr: $(grep "s ahead" "$T/c.err" | head -2 | sed 's/\x1b/\\e/g')"
! grep -q $'\033' "$T/c.err" || fail "raw ESC from the wire on stderr"

# Restart the skewed feed on the same port: the console resumes after seq 6
# and the rejected seqs are not fetched again.
stop_ok $SPID "the skewed peer"
start_peer skewed "$SP" "$T/skewed.jsonl" --epoch 7 --feed "$EVIL_ID"
resumed() { grep -q '"ev":"hello".*"after_seq":6' "$T/skewed.log"; }
wait_for 30 resumed || { cat "$T/skewed.log" >&2; fail "the console did not resume after seq 6"; }
echo "measured: $(grep '"ev":"hello"' "$T/skewed.log" | tail -1)"
[ "$(q "select count(*) from rejects")" = 2 ] || fail "rejected seqs fetched again: $(q "select count(*) from rejects") rejects"
stop_ok $C console
echo "PASS: one clock per feed (a skewed feed ends only its own holds: A1 $a1 flags, B1 held $(echo "$b1" | grep -o 'for [0-9]* s')), ts beyond --max-clock-skew kept in rejects with a gap ($(q "select count(*) from rejects") rejects, gaps $(q "select group_concat(from_seq || '-' || to_seq) from gaps")), skew said on stderr sanitised ($(grep -o "its clock is 3[56][0-9][0-9] s ahead" "$T/c.err" | head -1)), resume goes past ($(grep -c '"ev":"hello"' "$T/skewed.log") hellos to the skewed feed, the last after seq 6)"
