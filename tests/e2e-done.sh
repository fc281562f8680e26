#!/bin/bash
# e2e-done.sh - headless outcomes of commands.  The ack line says a request
# is recorded; the done line says what the feed made of the command, and
# the unanswered line that it has said nothing within --command-timeout:
#  - a --replay feed refuses every command: ack ok:true, then done ok:false
#    with the feed's reason (before, only stderr said so);
#  - a --simulate feed obeys: done ok:true, with the request's integer id;
#  - a feed stopped (SIGSTOP) says nothing: unanswered after 2 s, and once
#    it runs again (the command stays pending) its done line still comes;
#  - extend (with its minutes) and lock, then resume, are obeyed by a
#    --simulate feed; a second lock is refused by it; extend without
#    minutes and message without words are refused before anything is
#    recorded;
#  - "action":"dismiss" is named as not an action of command requests.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=90 exec timeout 90 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

cat >"$T/replay.jsonl" <<'JSONL'
{"t":"attempt","attempt":"R1","candidate":"C1","name":"n","exam":"E","modality":"remote","state":"in_progress"}
JSONL
start_feed --replay "$T/replay.jsonl" --id replayfeed
REPLAY=$FEED_PORT
start_feed --simulate 3 --id simfeed
SIM=$FEED_PORT
start_feed --simulate 3 --id stopfeed
STOP=$FEED_PORT STOP_PID=$FEED_PID

mkfifo "$T/in"
"$INVIGIL" --headless --db "$T/d.db" --proctor ana --command-timeout 2 \
    --feed "ws://127.0.0.1:$REPLAY/" --feed "ws://127.0.0.1:$SIM/" \
    --feed "ws://127.0.0.1:$STOP/" <"$T/in" >"$T/out" 2>"$T/err" &
PIDS="$PIDS $!"
exec 3<>"$T/in"	# read-write: never blocks, even with no reader yet
trap 'exec 3>&-; kill -CONT $STOP_PID 2>/dev/null; cleanup' EXIT

# attempt_of FEED: an attempt the console holds of FEED, once it has one.
attempt_of() { sqlite3 -readonly "$T/d.db" "select attempt from attempts where feed = '$1' order by attempt limit 1" 2>/dev/null; }
known() { [ -n "$(attempt_of replayfeed)" ] && [ -n "$(attempt_of simfeed)" ] && [ -n "$(attempt_of stopfeed)" ]; }
wait_for 15 known || { cat "$T/err" >&2; fail "the three feeds' attempts never arrived"; }
S1=$(attempt_of simfeed)
P1=$(attempt_of stopfeed)
line() { grep "\"t\":\"$1\",\"id\":$2," "$T/out"; }	# line TYPE ID (as JSON)
has() { line "$1" "$2" >/dev/null; }
show() { cat "$T/out" "$T/err" >&2; }

# Refused by the feed.
echo '{"id":"r1","op":"command","attempt":"R1","action":"warn","reason":"eyes on screen"}' >&3
wait_for 10 has done '"r1"' || { show; fail "r1: no done line"; }
cmd=$(line ack '"r1"' | sed -n 's/.*"ok":true,.*"cmd":"\([^"]*\)".*/\1/p')
[ -n "$cmd" ] || { show; fail "r1: no ack ok:true naming the command"; }
line done '"r1"' | grep -qF "{\"t\":\"done\",\"id\":\"r1\",\"cmd\":\"$cmd\",\"action\":\"warn\",\"feed\":\"replayfeed\",\"attempt\":\"R1\",\"ok\":false,\"error\":\"this feed replays a scenario file and cannot act on attempts\",\"time\":\"" ||
    { show; fail "r1: the done line is not the refusal"; }
line done '"r1"' | grep -qE '"seq":[0-9]+,"hash":"[0-9a-f]{64}"\}$' || { show; fail "r1: the done line names no journal entry"; }

# Obeyed.
echo "{\"id\":2,\"op\":\"command\",\"feed\":\"simfeed\",\"attempt\":\"$S1\",\"action\":\"warn\",\"reason\":\"eyes on screen\"}" >&3
wait_for 10 has done 2 || { show; fail "request 2: no done line"; }
line done 2 | grep -qF "\"action\":\"warn\",\"feed\":\"simfeed\",\"attempt\":\"$S1\",\"ok\":true,\"time\":\"" ||
    { show; fail "request 2: the done line does not say ok"; }

# Never answered while the feed is stopped; answered once it runs again.
kill -STOP "$STOP_PID"
echo "{\"id\":\"r3\",\"op\":\"command\",\"feed\":\"stopfeed\",\"attempt\":\"$P1\",\"action\":\"warn\",\"reason\":\"eyes on screen\"}" >&3
wait_for 10 has ack '"r3"' || { show; fail "r3: no ack"; }
line ack '"r3"' | grep -q '"ok":true' || { show; fail "r3: not recorded"; }
wait_for 10 has unanswered '"r3"' || { show; fail "r3: no unanswered line"; }
line unanswered '"r3"' | grep -qE "\"feed\":\"stopfeed\",\"attempt\":\"$P1\",\"after\":2,\"time\":\"[^\"]+\"\}$" ||
    { show; fail "r3: the unanswered line is wrong"; }
has done '"r3"' && { show; fail "r3: done while the feed was stopped"; }
kill -CONT "$STOP_PID"
wait_for 15 has done '"r3"' || { show; fail "r3: no done line once the feed ran again"; }
line done '"r3"' | grep -q '"ok":true' || { show; fail "r3: the late answer is not ok"; }

# An action that is not one of command requests' is named.
echo '{"id":"r4","op":"command","attempt":"R1","action":"dismiss","reason":"hi"}' >&3
wait_for 10 has ack '"r4"' || { show; fail "r4: no ack"; }
line ack '"r4"' | grep -qxF '{"t":"ack","id":"r4","ok":false,"error":"\"dismiss\" is not an action of command requests; give one of warn,pause,resume,terminate,message,extend,lock"}' ||
    { show; fail "r4: wrong refusal"; }
echo '{"id":"r5","op":"command","attempt":"R1","reason":"hi"}' >&3
wait_for 10 has ack '"r5"' || { show; fail "r5: no ack"; }
line ack '"r5"' | grep -qF 'command requests need an \"action\": one of warn,pause,resume,terminate,message,extend,lock' || { show; fail "r5: wrong refusal"; }

# extend, lock and resume on an attempt in progress of the simulator.
running() { [ "$(sqlite3 -readonly "$T/d.db" "select state from attempts where feed='simfeed' and attempt='$S1'" 2>/dev/null)" = in_progress ]; }
wait_for 30 running || { show; fail "$S1 never in progress"; }
cmd() { echo "{\"id\":\"$1\",\"op\":\"command\",\"feed\":\"simfeed\",\"attempt\":\"$S1\",$2}" >&3; }
# refused ID FIELDS ERROR: request ID is refused before anything is sent.
refused() {
	cmd "$1" "$2"
	wait_for 10 has ack "\"$1\"" || { show; fail "$1: no ack"; }
	line ack "\"$1\"" | grep -qF "\"ok\":false,\"error\":\"$3" || { show; fail "$1: not refused with: $3"; }
}
refused x0 '"action":"extend","reason":"platform outage"' 'extend needs the minutes of extra time, a whole number from 1 to 240 (got 0); nothing recorded'
refused x1 '"action":"extend","minutes":241,"reason":"platform outage"' 'extend needs the minutes of extra time, a whole number from 1 to 240 (got 241)'
refused x2 '"action":"message","reason_code":"technical.connection"' 'message needs words: they are what the candidate sees; nothing recorded'
cmd x3 '"action":"extend","minutes":15,"reason":"platform outage"'
wait_for 10 has done '"x3"' || { show; fail "x3: no done line"; }
line done '"x3"' | grep -qF "\"action\":\"extend\",\"feed\":\"simfeed\",\"attempt\":\"$S1\",\"ok\":true," ||
    { show; fail "x3: extend not obeyed"; }
n=$(sqlite3 -readonly "$T/d.db" "select count(*) from journal where kind='extend' and json_extract(detail, '\$.minutes')=15 and reason='platform outage'")
[ "$n" = 1 ] || fail "x3: the journal has $n extend entries with 15 minutes"
cmd x4 '"action":"lock","reason":"wait"'
wait_for 10 has done '"x4"' || { show; fail "x4: no done line"; }
line done '"x4"' | grep -qF '"action":"lock","feed":"simfeed"' || { show; fail "x4: wrong done line"; }
line done '"x4"' | grep -qF '"ok":true' || { show; fail "x4: lock not obeyed"; }
cmd x5 '"action":"lock","reason":"again"'
wait_for 10 has done '"x5"' || { show; fail "x5: no done line"; }
line done '"x5"' | grep -qF "\"ok\":false,\"error\":\"attempt $S1 is already locked\"" || { show; fail "x5: a second lock not refused"; }
cmd x6 '"action":"resume","reason":"go on"'
wait_for 10 has done '"x6"' || { show; fail "x6: no done line"; }
line done '"x6"' | grep -qF '"ok":true' || { show; fail "x6: resume of a locked attempt not obeyed"; }
echo "PASS: done lines say a feed refused or obeyed a command, unanswered says it did not answer in time, and the late answer still comes ($(grep -c '"t":"done"' "$T/out") done, $(grep -c '"t":"ack"' "$T/out") ack lines)"
