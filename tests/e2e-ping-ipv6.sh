#!/bin/bash
# e2e-ping-ipv6.sh - one console (--ping 1: hang up after 7 s without a
# pong) and three scripted feeds on Node's ws (tests/peer/ws-script.js):
#   talker  keeps sending messages but never answers a ping: the console
#           must say it answered no ping, not that it "closed the connection";
#   silent  says welcome and then nothing, answering no ping: "went silent";
#   v6      listens on [::1] only: ws://[::1]:PORT/ is accepted and its
#           messages are stored.
. "$(dirname "$0")/lib.sh"
watchdog 90

welcome() { echo '{"t":"welcome","ts":"$TS","feed":"'$1'","name":"'$1'","epoch":3,"first_seq":1,"last_seq":0}'; }
attempt='{"t":"attempt","seq":1,"ts":"$TS","attempt":"A0001","candidate":"C1","name":"Ana","exam":"E1","modality":"remote","state":"in_progress"}'
{ welcome talker; echo "$attempt"; echo "#stream 2 200 250 A0001"; } >"$T/talker"
{ welcome silent; echo "$attempt"; } >"$T/silent"
{ welcome v6; echo "$attempt"; echo "#stream 2 3 10 A0001"; } >"$T/v6"
start_script 127.0.0.1 "$T/talker" --no-pong
TALKER=$SCRIPT_PORT
start_script 127.0.0.1 "$T/silent" --no-pong
SILENT=$SCRIPT_PORT
start_script ::1 "$T/v6"
V6=$SCRIPT_PORT
DB=$T/p.db
"$INVIGIL" --headless --ping 1 --db "$DB" --feed "ws://127.0.0.1:$TALKER/" \
    --feed "ws://127.0.0.1:$SILENT/" --feed "ws://[::1]:$V6/" \
    </dev/null >/dev/null 2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
said() { grep -q "$1" "$T/err"; }
wait_for 20 said "ws://127.0.0.1:$TALKER/: the feed answered no ping for 7 s (its messages kept coming" ||
    fail "the talker's hang-up was not explained: $(grep "$TALKER" "$T/err")"
wait_for 20 said "ws://127.0.0.1:$SILENT/: the feed went silent (no answer to pings for 7 s); hung up" ||
    fail "the silent feed's hang-up was not explained: $(grep "$SILENT" "$T/err")"
said "closed without a close frame" && fail "a hang-up was reported as a lost connection: $(grep closed "$T/err")"
v6() { [ "$(sqlite3 -readonly "$DB" "select count(*) from messages where feed = 'v6'" 2>/dev/null)" = 4 ]; }
wait_for 10 v6 || fail "nothing from the feed on [::1]: $(grep -i "v6\|::1" "$T/err")"
stop $CONSOLE || fail "console exited $?"
echo "PASS: $(grep -c "answered no ping" "$T/err") no-pong hang-ups of a talking feed and $(grep -c "went silent" "$T/err") of a silent one named as such; 4 messages from ws://[::1]:$V6/"
