#!/bin/bash
# e2e-bad-utf8.sh - a hostile feed (tests/peer/ws-script.js, Node's ws)
# sends the console a text message whose bytes are not UTF-8, split so
# that the bad byte ends one fragment (a 0xC3 lead byte the next fragment
# does not continue).  The console must close that connection with 1007
# and the reason "text is not UTF-8", keep what the bytes were in rejects,
# account for their seq with a gap, keep running, lose nothing of what came
# before (seq 1..5 in the database), and resume after the refused seq on
# the next connection, where seq 7 is taken in.
# run-e2e timeout: 60
. "$(dirname "$0")/lib.sh"
watchdog 50

# "$TS" is left for ws-script.js, which writes the time of sending there.
TS='$TS'
WELCOME='{"t":"welcome","ts":"'$TS'","feed":"evil","name":"Evil","epoch":3,"first_seq":1,"last_seq":7}'
cat >"$T/script" <<EOF
$WELCOME
{"t":"attempt","seq":1,"ts":"$TS","attempt":"A0001","candidate":"C1","name":"Ana","exam":"E1","modality":"remote","state":"in_progress"}
#stream 2 4 10 A0001
#badutf8 6
{"t":"event","seq":7,"ts":"$TS","attempt":"A0001","kind":"idle","data":{"seconds":1}}
--- connection
$WELCOME
{"t":"event","seq":7,"ts":"$TS","attempt":"A0001","kind":"focus_returned","data":{"seconds":4}}
EOF
start_script 127.0.0.1 "$T/script"
DB=$T/u.db
start=$(date +%s%N)
"$INVIGIL" --headless --feed "ws://127.0.0.1:$SCRIPT_PORT/" --db "$DB" \
    </dev/null >"$T/out" 2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
seq7() { [ "$(q "select count(*) from messages where seq = 7")" = 1 ]; }
wait_for 30 seq7 || fail "seq 7 never arrived: $(cat "$T/err"; grep closed "$SCRIPT_LOG")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -0 $CONSOLE 2>/dev/null || fail "the console is gone"

closed=$(grep '"ev":"closed","n":1,' "$SCRIPT_LOG")
case $closed in
*'"code":1007,"reason":"text is not UTF-8"'*) ;;
*) fail "the bad text was not closed with 1007 'text is not UTF-8': ${closed:-no close}" ;;
esac
stop_ok $CONSOLE console

[ "$(q "select group_concat(seq) from (select seq from messages order by seq)")" = "1,2,3,4,5,7" ] ||
    fail "stored seqs (want 1..5 and 7): $(q "select group_concat(seq) from messages")"
[ "$(q "select kind from messages where seq = 7")" = focus_returned ] ||
    fail "seq 7 came from the connection that sent the bad text"
[ "$(q "select count(*) from rejects where reason like '%text that is not UTF-8 (connection closed with 1007)%'")" = 1 ] ||
    fail "no reject for the bad text: $(q "select reason from rejects")"
[ "$(q "select count(*) from rejects where raw like '{\"t\":\"event\",\"seq\":6,%'")" = 1 ] ||
    fail "the reject does not keep the bad text's bytes"
[ "$(q "select count(*) from gaps where epoch = 3 and from_seq = 6 and to_seq = 6 and why like '%1007%'")" = 1 ] ||
    fail "seq 6 is not accounted for by a gap: $(q "select * from gaps")"
grep -q '"n":2,"msg":{"t":"hello".*"resume":{"epoch":3,"after_seq":6}' "$SCRIPT_LOG" ||
    fail "the 2nd connection did not resume after seq 6: $(grep hello "$SCRIPT_LOG")"
[ "$(grep -c '"ev":"connected"' "$SCRIPT_LOG")" = 2 ] ||
    fail "connections: $(grep -c '"ev":"connected"' "$SCRIPT_LOG") (want 2)"
echo "PASS: bad UTF-8 split across 2 fragments closed with 1007 'text is not UTF-8'; 1 reject, gap 6..6; 6 messages stored (1..5, 7); 2 connections, resumed after 6; seq 7 stored $ms ms after start; console exited 0"
