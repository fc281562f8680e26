#!/bin/bash
# e2e-stream-edges.sh - a hostile feed (tests/peer/ws-script.js, Node's ws)
# sends what a well-behaved feed never does, over a real WebSocket into a
# real SQLite file:
#   1st connection: seq 2 again, identical (a no-op) and with other content
#   (kept in rejects with both SHA-256); seq 6 after 2 (gap 3..5), then seq
#   4 late, inside that gap (kept in rejects; the gap stands); a gap
#   2..2^63-1 (refused; the stream goes on with seq 7); a second welcome
#   (kept in rejects; the console closes with 1002);
#   2nd: the console resumes after seq 7; a gap 8..2^63-1, then a 70,000-byte
#   frame (closed with 1009; seq 8 accounted for by a gap, no overflow; its
#   first 4096 bytes kept in rejects with raw_len 70000);
#   3rd: a welcome with an epoch above 2^53-1: kept in rejects, closed with
#   1002 "invalid welcome", nothing after it taken in;
#   4th: resumes after seq 8; seq 9 is taken in: the feed is not dead.
. "$(dirname "$0")/lib.sh"
watchdog 120

TS=2026-11-23T18:00:00.000Z
WELCOME='{"t":"welcome","ts":"'$TS'","feed":"evil","name":"Evil","epoch":5,"first_seq":1,"last_seq":7}'
BIGEPOCH='{"t":"welcome","ts":"'$TS'","feed":"evil","name":"Evil","epoch":9007199254740992,"first_seq":1,"last_seq":9}'
SEQ2='{"t":"event","seq":2,"ts":"'$TS'","attempt":"A0001","kind":"gaze_away","data":{"seconds":3}}'
SEQ2X='{"t":"event","seq":2,"ts":"'$TS'","attempt":"A0001","kind":"faces_multiple","data":{"count":2}}'
cat >"$T/script" <<EOS
$WELCOME
{"t":"attempt","seq":1,"ts":"$TS","attempt":"A0001","candidate":"C1","name":"Ana","exam":"E1","modality":"remote","state":"in_progress"}
$SEQ2
$SEQ2
$SEQ2X
{"t":"event","seq":6,"ts":"$TS","attempt":"A0001","kind":"idle","data":{"seconds":60}}
{"t":"event","seq":4,"ts":"$TS","attempt":"A0001","kind":"identity_mismatch","data":{"similarity":0.1,"threshold":0.6}}
{"t":"gap","ts":"$TS","from_seq":7,"to_seq":9223372036854775807,"why":"everything is lost"}
{"t":"event","seq":7,"ts":"$TS","attempt":"A0001","kind":"focus_lost"}
{"t":"welcome","ts":"$TS","feed":"other","name":"Other","epoch":6,"first_seq":1,"last_seq":0}
--- connection
$WELCOME
{"t":"gap","ts":"$TS","from_seq":8,"to_seq":9223372036854775807,"why":"everything is lost"}
#oversize 70000
--- connection
$BIGEPOCH
{"t":"event","seq":9,"ts":"$TS","attempt":"A0001","kind":"idle","data":{"seconds":1}}
--- connection
$WELCOME
{"t":"event","seq":9,"ts":"$TS","attempt":"A0001","kind":"focus_returned","data":{"seconds":4}}
EOS
start_script 127.0.0.1 "$T/script"
DB=$T/e.db
"$INVIGIL" --headless --feed "ws://127.0.0.1:$SCRIPT_PORT/" --db "$DB" \
    </dev/null >"$T/out" 2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
seq9() { [ "$(q "select count(*) from messages where seq = 9")" = 1 ]; }
wait_for 30 seq9 || fail "seq 9 never arrived: $(cat "$T/err")"
stop $CONSOLE; CONSOLE_RC=$?
[ $CONSOLE_RC = 0 ] || fail "console exited $CONSOLE_RC"
echo "rejects:"; q "select '  ' || reason from rejects order by id"
echo "gaps: $(q "select group_concat(from_seq || '..' || ifnull(to_seq, ''), ' ') from gaps")"

# Duplicates: identical is a no-op, different is kept with both hashes.
h1=$(printf '%s' "$SEQ2" | sha256sum | cut -d' ' -f1)
h2=$(printf '%s' "$SEQ2X" | sha256sum | cut -d' ' -f1)
[ "$(q "select count(*) from rejects where feed = 'evil' and reason like '%seq 2 of epoch 5 is already stored with other content (stored SHA-256 $h1, this one $h2)%'")" = 1 ] ||
    fail "the conflicting seq 2 is not in rejects with both hashes"
[ "$(q "select count(*) from rejects where reason like '%seq 2 %'")" = 1 ] ||
    fail "the identical seq 2 was not a silent no-op"
[ "$(q "select kind from messages where seq = 2")" = gaze_away ] ||
    fail "the stored seq 2 was replaced"
[ "$(q "select count(*) from flags where rule = 'faces_multiple'")" = 0 ] ||
    fail "the conflicting copy raised a flag"
# A late message inside a recorded gap: in rejects, the gap stands.
[ "$(q "select count(*) from rejects where reason like '%seq 4 of epoch 5 arrived late%'")" = 1 ] ||
    fail "the late seq 4 is not in rejects"
[ "$(q "select count(*) from gaps where from_seq = 3 and to_seq = 5")" = 1 ] ||
    fail "gap 3..5 is not recorded"
[ "$(q "select count(*) from messages where seq = 4")" = 0 ] || fail "seq 4 was taken in"
# Gaps to 2^63-1 are refused; nothing overflows.
[ "$(q "select count(*) from rejects where reason like 'gap %..9223372036854775807 goes past seq 9007199254740991%'")" = 2 ] ||
    fail "a gap to 2^63-1 was not refused"
[ "$(q "select count(*) from gaps where from_seq < 1 or to_seq < from_seq or to_seq > 9007199254740991")" = 0 ] ||
    fail "an impossible gap row: $(q "select * from gaps")"
[ "$(q "select count(*) from gaps where epoch = 5 and from_seq = 8 and to_seq = 8 and why like '%65536%'")" = 1 ] ||
    fail "the refused frame's seq 8 is not accounted for"
# It is kept as the page says: its first 4096 bytes, and its true length.
[ "$(q "select length(raw) || ' ' || raw_len || ' ' || (raw like '{\"t\":\"event\",\"seq\":999,\"ts\":%') from rejects where reason like '%65536%'")" = "4096 70000 1" ] ||
    fail "the oversize frame's reject: length(raw), raw_len, head: $(q "select length(raw), raw_len, substr(raw, 1, 40) from rejects where reason like '%65536%'")"
[ "$(q "select group_concat(seq) from (select seq from messages order by seq)")" = "1,2,6,7,9" ] ||
    fail "stored seqs: $(q "select group_concat(seq) from messages")"
# A second welcome: in rejects, closed with 1002, nothing of it taken.
[ "$(q "select count(*) from rejects where reason like 'a second welcome%'")" = 1 ] ||
    fail "the second welcome is not in rejects"
grep -q '"ev":"closed","n":1,"code":1002,"reason":"second welcome"' "$SCRIPT_LOG" ||
    fail "the second welcome was not closed with 1002: $(grep closed "$SCRIPT_LOG")"
grep -q '"ev":"closed","n":2,"code":1009' "$SCRIPT_LOG" ||
    fail "the oversize frame was not closed with 1009"
[ "$(q "select count(*) from feeds where feed = 'other'")" = 0 ] ||
    fail "the second welcome's feed id was taken"
# Resumes: after 7 (1st), after 8 (2nd): each from its own position.
grep -q '"n":2,"msg":{"t":"hello".*"resume":{"epoch":5,"after_seq":7}' "$SCRIPT_LOG" ||
    fail "the 2nd connection did not resume after seq 7: $(grep hello "$SCRIPT_LOG")"
grep -q '"n":3,"msg":{"t":"hello".*"resume":{"epoch":5,"after_seq":8}' "$SCRIPT_LOG" ||
    fail "the 3rd connection did not resume after seq 8: $(grep hello "$SCRIPT_LOG")"
# An invalid welcome: in rejects, closed with 1002, nothing after it taken.
[ "$(q "select count(*) from rejects where reason like 'field \"epoch\": expected an integer from 1 to 9007199254740991%'")" = 1 ] ||
    fail "the welcome with epoch 2^53 is not in rejects"
grep -q '"ev":"closed","n":3,"code":1002,"reason":"invalid welcome"' "$SCRIPT_LOG" ||
    fail "the invalid welcome was not closed with 1002: $(grep closed "$SCRIPT_LOG")"
[ "$(q "select kind from messages where seq = 9")" = focus_returned ] ||
    fail "seq 9 came from the connection of the invalid welcome"
grep -q '"n":4,"msg":{"t":"hello".*"resume":{"epoch":5,"after_seq":8}' "$SCRIPT_LOG" ||
    fail "the 4th connection did not resume after seq 8: $(grep hello "$SCRIPT_LOG")"
codes=$(sed -n 's/.*"ev":"closed","n":[0-9]*,"code":\([0-9]*\).*/\1/p' "$SCRIPT_LOG" | tr '\n' ' ')
measured="$(grep -c '"ev":"connected"' "$SCRIPT_LOG") connections, closed with ${codes% }; $(q "select count(*) from rejects") rejects, $(q "select count(*) from gaps") gaps, seqs $(q "select group_concat(seq) from (select seq from messages order by seq)") stored"
echo "PASS: conflicting seq 2 kept with both hashes, identical one a no-op; late seq 4 and gaps to 2^63-1 refused with reasons; 1009 accounted as gap 8..8 without overflow, its first 4096 bytes kept with raw_len 70000; a second welcome closed with 1002; an invalid welcome (epoch 2^53) kept and closed with 1002; resumed after 7, 8, 8, and seq 9 taken in ($measured; console exited $CONSOLE_RC)"
