#!/bin/bash
# e2e-text.sh - text at the protocol's 1024-byte limit, end to end.
#  - A flag whose message is cut at the limit next to multi-byte characters
#    is still printed on headless stdout (it was "cannot print flag").
#  - A command whose reason (its text on the wire) is over the limit is
#    refused with ok:false and nothing recorded; one at the limit is
#    acknowledged, reaches the feed and is acknowledged by it.  Never ok:true
#    with the command stuck pending (it was cut inside a character, journaled,
#    acknowledged, and could then never be encoded).
# The whole test runs under a deadline: it drives FIFOs, which could hang.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=90 exec timeout 90 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

# 1023 ASCII bytes, then 3-byte characters (U+20AC): over the limit.
X1023=$(printf 'x%.0s' $(seq 1 1023))
EUROS=$(printf '\xe2\x82\xac%.0s' $(seq 1 300))
cat >"$T/long.jsonl" <<JSONL
{"t":"attempt","attempt":"A1","candidate":"C1","name":"n","exam":"E","modality":"remote","state":"in_progress"}
{"t":"event","attempt":"A1","kind":"object_detected","data":{"object":"$X1023$EUROS"}}
JSONL
cat >"$T/long.rules" <<'RULES'
rule long_object {
	on event object_detected
	fire count 1 within 1m
	severity high
	message "{data.object}"
}
RULES
start_feed --replay "$T/long.jsonl" --id textfeed
FEED=$FEED_LOG

mkfifo "$T/in"
timeout 30 "$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" \
    --db "$T/t.db" --proctor ana --rules "$T/long.rules" \
    <"$T/in" >"$T/out" 2>"$T/err" &
PIDS="$PIDS $!"
exec 3<>"$T/in"	# read-write: never blocks, even with no reader yet
trap 'exec 3>&-; cleanup' EXIT

flag_printed() { grep -q '"t":"flag".*"rule":"long_object"' "$T/out"; }
wait_for 10 flag_printed || { cat "$T/out" "$T/err" >&2; fail "the flag with a 1024-byte message was not printed"; }
grep -q 'cannot print flag' "$T/err" && fail "stderr says: $(cat "$T/err")"
msglen=$(grep '"rule":"long_object"' "$T/out" | python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["message"].encode()))')
echo "flag message: $msglen bytes"
[ "$msglen" -le 1024 ] && [ "$msglen" -ge 1021 ] || fail "flag message is $msglen bytes, want 1021..1024"

# r1: 1023 ASCII + one 3-byte character = 1026 bytes; r2: 5000 bytes;
# r3: 1021 ASCII + one 3-byte character = exactly 1024 bytes.
A1023=$(printf 'a%.0s' $(seq 1 1023))
A1021=$(printf 'a%.0s' $(seq 1 1021))
A5000=$(printf 'b%.0s' $(seq 1 5000))
printf '{"id":"r1","op":"command","attempt":"A1","action":"warn","reason":"%s\xe2\x82\xac"}\n' "$A1023" >&3
printf '{"id":"r2","op":"command","attempt":"A1","action":"pause","reason":"%s"}\n' "$A5000" >&3
printf '{"id":"r3","op":"command","attempt":"A1","action":"warn","reason":"%s\xe2\x82\xac"}\n' "$A1021" >&3

acked() { [ "$(grep -c '"t":"ack"' "$T/out")" -ge 3 ]; }
wait_for 10 acked || { cat "$T/out" "$T/err" >&2; fail "three requests were not answered"; }
ack() { grep "\"t\":\"ack\",\"id\":\"$1\"" "$T/out"; }	# not its done line
for r in r1 r2 r3; do echo "$r: $(ack $r | cut -c1-200)"; done

for r in r1 r2; do
	ack $r | grep -q '"ok":false' || fail "$r over the limit was not refused: $(ack $r | cut -c1-300)"
	ack $r | grep -q 'may be at most 1024 bytes' || fail "$r: the reason does not say why: $(ack $r | cut -c1-300)"
done
ack r3 | grep -q '"ok":true' || fail "r3 at the limit was refused: $(ack r3 | cut -c1-300)"
cmd=$(ack r3 | sed -n 's/.*"cmd":"\([^"]*\)".*/\1/p')
[ -n "$cmd" ] || fail "r3's ack names no command"

# r3 reached the feed and the feed's ack came back; r1 and r2 are nowhere.
feed_got() { grep -qF "cmd $cmd warn A1" "$FEED"; }
wait_for 10 feed_got || { cat "$FEED" >&2; fail "the feed never received $cmd"; }
ack_stored() { [ "$(sqlite3 -readonly "$T/t.db" "select count(*) from commands where id = '$cmd' and ack_ms is not null" 2>/dev/null)" = 1 ]; }
wait_for 10 ack_stored || fail "the feed's ack of $cmd is not in the commands table"
n=$(sqlite3 -readonly "$T/t.db" "select count(*) || ' ' || coalesce(max(length(cast(text as blob))), 0) from commands")
echo "commands table: rows, longest text in bytes: $n"
[ "$n" = "1 1024" ] || fail "the commands table holds '$n', want one command of 1024 bytes"
j=$(sqlite3 -readonly "$T/t.db" "select count(*) from journal where kind in ('warn', 'pause')")
[ "$j" = 1 ] || fail "$j warn/pause entries in the journal, want 1 (the refused ones recorded?)"
grep -q 'cannot encode\|cannot send' "$T/err" && fail "stderr: $(cat "$T/err")"

# Refusals that quote what was sent, cut at 64 or 40 bytes inside a 2-byte
# character, still say what was wrong (they said "the request was refused").
E35=$(printf '\xc3\xa9%.0s' $(seq 1 35))
printf '{"id":"r4","op":"command","attempt":"x%s","action":"warn","reason":"r"}\n' "$E35" >&3
printf '{"id":"r5","op":"command","attempt":"A1","action":"warn","reason":"r","x%s":1}\n' "$E35" >&3
answered() { grep -q '"id":"r5"' "$T/out"; }
wait_for 10 answered || fail "r4 and r5 were not answered"
for r in r4 r5; do echo "$r: $(ack $r)"; done
ack r4 | grep -q '"ok":false,"error":"no attempt \\"x' || fail "r4: the refusal lost its reason: $(ack r4)"
ack r5 | grep -q '"ok":false,"error":"\\"x.*is not a field of command requests' || fail "r5: the refusal lost its reason: $(ack r5)"
echo "PASS: a flag cut at 1024 bytes is printed ($msglen bytes); commands over the limit (1026 and 5000 bytes) refused with a reason, one at the limit sent and acknowledged (commands table: $n bytes; $j journal entry); $(grep -c '"t":"ack"' "$T/out") ack lines, $(grep '"t":"ack"' "$T/out" | grep -c '"ok":false') of them refusals"
