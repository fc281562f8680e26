#!/bin/bash
# e2e-u-checkpoint-minutes.sh - --checkpoint-minutes T: a running console
# signs a checkpoint of its journal every T minutes (invigil(1)), not only
# every --checkpoint-every entries and at exit.  With T = 1 and
# --checkpoint-every 1000, one journal entry is not signed when it is made;
# it is covered by a checkpoint about a minute after the console started,
# while the console is still running (so not by the one signed at exit).
# That a tick signs nothing when the journal did not grow is checked at the
# store (check_journal: "A checkpoint is signed only when the journal
# grew").  Takes a little over a minute.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=150 exec timeout 150 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

DB=$T/m.db
start_feed --simulate 5 --seed 3 --rate 20
mkfifo "$T/in"
T0=$(date +%s)
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$DB" \
    --proctor ana --checkpoint-every 1000 --checkpoint-minutes 1 \
    <"$T/in" >"$T/out" 2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
trap 'exec 3>&- 2>/dev/null; cleanup' EXIT
has_attempt() { n=$(sqlite3 -readonly "$DB" "select count(*) from attempts" 2>/dev/null); [ "${n:-0}" -ge 1 ]; }
wait_for 20 has_attempt || { cat "$T/err" >&2; fail "the console took in no attempt"; }
ATTEMPT=$(sqlite3 -readonly "$DB" "select attempt from attempts limit 1")

printf '{"id":"n1","op":"note","attempt":"%s","reason":"timed"}\n' "$ATTEMPT" >&3
acked() { grep -q '"id":"n1","ok":true' "$T/out"; }
wait_for 10 acked || { cat "$T/out" "$T/err" >&2; fail "the note was not acknowledged"; }
SEQ=$(sed -n 's/.*"id":"n1","ok":true,"seq":\([0-9]*\).*/\1/p' "$T/out")
[ -n "$SEQ" ] || fail "no seq in the ack: $(cat "$T/out")"
covered() { n=$(sqlite3 -readonly "$DB" "select count(*) from checkpoints where size >= $SEQ" 2>/dev/null); [ "${n:-0}" -ge 1 ]; }
covered && fail "entry $SEQ was signed at once, with --checkpoint-every 1000 (after $(( $(date +%s) - T0 )) s)"

# The minute's tick: within the deadline, and not long before the minute.
wait_for 100 covered || fail "no checkpoint covers entry $SEQ $(( $(date +%s) - T0 )) s after the start (--checkpoint-minutes 1)"
took=$(( $(date +%s) - T0 ))
kill -0 $CONSOLE 2>/dev/null || fail "the console is gone: $(cat "$T/err")"
[ "$took" -ge 55 ] || fail "entry $SEQ was signed after $took s, before the minute was up"
echo "checkpoint covering entry $SEQ signed $took s after the start: $(sqlite3 -readonly "$DB" "select size, signer from checkpoints")"

stop $CONSOLE
rc=$?
[ $rc = 0 ] || fail "exit $rc on SIGTERM: $(cat "$T/err")"
echo "PASS: --checkpoint-minutes 1 signs the journal's new entry about a minute after the start ($took s), while the console runs; exit 0 on SIGTERM"
