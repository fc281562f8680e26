#!/bin/bash
# e2e-u-headless-exit.sh - what invigil(1) promises of a headless console's
# standard input, of --key-dir and of the checkpoint signed at exit, on a
# real console and a real simulator feed:
#   - a request line of exactly 64 KiB is read (and answered); one byte more
#     is refused with an ack of ok false saying why, and the console goes on
#     answering the next line;
#   - "The end of standard input does not stop it": after stdin closes, the
#     console is still running and still taking in the feed's messages;
#   - on SIGTERM it exits 0 and leaves a checkpoint covering every journal
#     entry: `invigil review verify` prints a plain "OK";
#   - --key-dir DIR: the proctor's key is created there, the file 0600 in a
#     directory created 0700, and nothing under the default key directory.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=120 exec timeout 120 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

DB=$T/h.db
KEYS=$T/keys/sub	# neither directory exists yet

start_feed --simulate 10 --seed 7 --rate 50
mkfifo "$T/in"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$DB" \
    --proctor ana --key-dir "$KEYS" --checkpoint-every 1000 \
    <"$T/in" >"$T/out" 2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
trap 'exec 3>&- 2>/dev/null; cleanup' EXIT
has_attempt() { n=$(sqlite3 -readonly "$DB" "select count(*) from attempts" 2>/dev/null); [ "${n:-0}" -ge 1 ]; }
wait_for 20 has_attempt || { cat "$T/err" >&2; fail "the console took in no attempt"; }
ATTEMPT=$(sqlite3 -readonly "$DB" "select attempt from attempts limit 1")

# note_line ID LEN: a note request padded with spaces to exactly LEN bytes
# (newline not counted).
note_line() {
	body=$(printf '{"id":"%s","op":"note","attempt":"%s","reason":"r %s"}' \
	    "$1" "$ATTEMPT" "$1")
	pad=$(( $2 - ${#body} ))
	printf '%s%*s\n' "$body" "$pad" ""
}
acked() { grep -q "\"id\":\"$1\",\"ok\":$2" "$T/out"; }

# 1. 64 KiB exactly: a request; 64 KiB + 1: refused with the reason, skipped.
note_line n1 65536 >&3
wait_for 10 acked n1 true || { cat "$T/out" "$T/err" >&2; fail "a 65536-byte request line was not answered ok"; }
note_line n2 65537 >&3
note_line n3 100 >&3
wait_for 10 acked n3 true || { cat "$T/out" "$T/err" >&2; fail "the console did not go on after a line over 64 KiB"; }
grep -q '"id":"n2"' "$T/out" && fail "the line over 64 KiB was acted on: $(grep n2 "$T/out")"
grep -q '{"t":"ack","id":null,"ok":false,"error":"request line 2 is longer than 65536 bytes; skipped"}' "$T/out" ||
    { cat "$T/out" >&2; fail "no ok:false ack naming line 2 and the 64 KiB limit"; }
[ "$(sqlite3 -readonly "$DB" "select count(*) from journal where kind = 'note'")" = 2 ] ||
    fail "the journal does not hold exactly the two notes n1 and n3"
echo "64 KiB: $(grep '"id":null' "$T/out")"

# 2. End of standard input: the console keeps running and ingesting.
exec 3>&-
n0=$(sqlite3 -readonly "$DB" "select count(*) from messages")
more() { rows_at_least "$DB" $(( n0 + 20 )); }
wait_for 20 more || { kill -0 $CONSOLE 2>/dev/null ||
    fail "the console stopped at the end of stdin: $(cat "$T/err")"
    fail "no message taken in after stdin closed (still $n0)"; }
kill -0 $CONSOLE 2>/dev/null || fail "the console stopped at the end of stdin: $(cat "$T/err")"
echo "end of stdin: still running, messages $n0 -> $(sqlite3 -readonly "$DB" "select count(*) from messages")"

# 3. SIGTERM: exit 0, every journal entry covered by a signed checkpoint.
stop $CONSOLE
rc=$?
[ $rc = 0 ] || fail "the console exited $rc on SIGTERM, not 0: $(cat "$T/err")"
entries=$(sqlite3 -readonly "$DB" "select max(seq) from journal")
covered=$(sqlite3 -readonly "$DB" "select max(size) from checkpoints")
[ -n "$entries" ] && [ "$entries" = "$covered" ] ||
    fail "journal has $entries entries, the last checkpoint covers ${covered:-none}"
"$INVIGIL" review verify --db "$DB" >"$T/verify.out" 2>"$T/verify.err" ||
    fail "review verify failed: $(cat "$T/verify.out" "$T/verify.err")"
[ "$(tail -n 1 "$T/verify.out")" = OK ] ||
    fail "review verify's verdict is not a plain OK: $(cat "$T/verify.out")"
grep -q 'covered by no checkpoint' "$T/verify.out" &&
    fail "review verify found entries no checkpoint covers: $(cat "$T/verify.out")"
echo "exit: $entries entries, checkpoint of size $covered, verify: $(tr '\n' ' ' <"$T/verify.out")"

# 4. --key-dir: created 0700, the key 0600, nothing in the default place.
[ -f "$KEYS/ana.key" ] || fail "no $KEYS/ana.key: $(ls -la "$T/keys" "$KEYS" 2>&1)"
[ "$(stat -c %a "$KEYS")" = 700 ] || fail "$KEYS is mode $(stat -c %a "$KEYS"), not 700"
[ "$(stat -c %a "$KEYS/ana.key")" = 600 ] || fail "ana.key is mode $(stat -c %a "$KEYS/ana.key"), not 600"
[ ! -e "$XDG_CONFIG_HOME/invigil" ] || fail "a key was made in the default $XDG_CONFIG_HOME/invigil too"
echo "key-dir: $(stat -c '%a %n' "$T/keys" "$KEYS" "$KEYS/ana.key" | tr '\n' ' ')"

echo "PASS: a 64 KiB request line is read and one byte more refused with the reason; the console outlives its stdin (messages $n0 -> $(sqlite3 -readonly "$DB" "select count(*) from messages") after it closed); SIGTERM leaves every entry signed ($entries entries, the last checkpoint of size $covered; verify: OK); --key-dir holds the key 0600 in a 0700 directory"
