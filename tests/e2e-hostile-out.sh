#!/bin/bash
# e2e-hostile-out.sh - hostile wire strings never reach a terminal outside the
# screen either.  An independent feed (Node's `ws`, tests/peer/ws-server.js)
# calls itself by a feed id holding an OSC title sequence, and sends attempt
# ids with CSI clear-screen, bidi overrides and C1 controls, an invisible
# zero-width space, a gap whose reason holds an OSC, a message that fails
# validation, and an ack error quoting a hostile attempt id.  Everything
# the console prints (headless stdout and stderr), `review backtest
# --verbose`, `review verify` (also of a doctored checkpoints file) and
# `review checkpoints` (of a doctored database) is searched for a raw ESC,
# BEL, C1 control (as bytes or as UTF-8), bidi control or zero-width space:
# none may appear.  The database keeps the raw bytes.
# The whole test runs under a deadline: it drives FIFOs, which could hang.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=120 exec timeout 120 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

peer_setup
PEER=$TESTS/peer

# ESC ] 0 ; pwned BEL, U+202E, U+009B: the feed's id.
FEEDID=$(printf 'f\033]0;pwned\007\342\200\256\302\233')
cat >"$T/hostile.jsonl" <<'JSONL'
{"t":"attempt","attempt":"A\u001b[2J\u202e","candidate":"C\u009b1","name":"Ali\u200bce","exam":"E","modality":"remote","state":"in_progress"}
{"t":"event","attempt":"A\u001b[2J\u202e","kind":"object_detected","data":{"object":"phone","confidence":0.9,"note":"\u001b]0;pwned\u0007"}}
{"t":"gap","from_seq":3,"to_seq":3,"why":"\u001b]0;pwned\u0007 lost \u202e\u009b\u200b"}
{"t":"event","attempt":"Z\u001b]0;pwned\u0007","kind":"raise_hand"}
{"t":"event","attempt":"A\u001b[2J\u202e","kind":"\u001b]0;pwned\u0007"}
{"t":"event","attempt":"A\u001b[2J\u202e","kind":"identity_mismatch","data":{"score":0.1}}
JSONL
: >"$T/peer.err"
node "$PEER/ws-server.js" 0 "$T/hostile.jsonl" --feed "$FEEDID" \
    --name $'Evil\e[2J' >"$T/peer.log" 2>"$T/peer.err" &
PIDS="$PIDS $!"
peer_port() { PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/peer.err"); [ -n "$PORT" ]; }
wait_for 10 peer_port || { cat "$T/peer.err" >&2; fail "ws-server.js did not start"; }

mkfifo "$T/in"
timeout 30 "$INVIGIL" --headless --feed "ws://127.0.0.1:$PORT/" --db "$T/h.db" \
    --proctor ana <"$T/in" >"$T/console.out" 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3<>"$T/in"	# read-write: never blocks, even with no reader yet

flagged() { grep -q '"t":"flag"' "$T/console.out"; }
wait_for 10 flagged || { cat "$T/console.out" "$T/console.err" >&2; fail "no flag printed"; }
# A command to an attempt the feed never introduced: the feed's ack error
# quotes its hostile id back.
printf '{"id":"r1","op":"command","attempt":"Z\\u001b]0;pwned\\u0007","action":"warn","reason":"r\\u001b[2J"}\n' >&3
refused() { grep -q 'feed refused warn' "$T/console.err"; }
wait_for 10 refused || { cat "$T/console.out" "$T/console.err" >&2; fail "the feed's ack error never came back"; }
gap_said() { grep -q 'lost seq 3..3' "$T/console.err" && grep -q 'rejected a message' "$T/console.err"; }
wait_for 10 gap_said || { cat "$T/console.err" >&2; fail "gap and reject not reported on stderr"; }
exec 3>&-
stop_ok $CONSOLE console
echo "console: $(wc -l <"$T/console.out") stdout lines, $(wc -l <"$T/console.err") stderr lines"

# backtest with other rules: live flags show as removed, new ones as added.
cp "$TESTS/fixtures/rules/hand-up.rules" "$T/other.rules"
"$INVIGIL" review backtest --db "$T/h.db" --rules "$T/other.rules" --verbose \
    >"$T/backtest.out" 2>"$T/backtest.err"
echo "backtest: exit $?, $(grep -c '^    [-+]' "$T/backtest.out") attempt lines"

# A doctored database: a flag whose rule name is 200 bytes of hostile text
# (backtest compared keys with a copy cut at 127 bytes and never ended).
cp "$T/h.db" "$T/longrule.db"
sqlite3 "$T/longrule.db" "insert into flags (feed, attempt, rule, severity, count, state)
    values ('f', 'A', char(27) || ']0;pwned' || char(7) || printf('%.200c', 'r'), 'low', 1, 'open')" ||
    fail "cannot add a doctored flag to a copy of the database"
timeout 10 "$INVIGIL" review backtest --db "$T/longrule.db" --rules "$T/other.rules" --verbose \
    >"$T/backtest2.out" 2>"$T/backtest2.err"
rc=$?
echo "backtest of a 209-byte hostile rule name: exit $rc"
[ $rc = 0 ] || fail "backtest on a long rule name: exit $rc (124: it never ended)"

"$INVIGIL" review verify --db "$T/h.db" >"$T/verify.out" 2>"$T/verify.err"
echo "verify: exit $?"
"$INVIGIL" review checkpoints --db "$T/h.db" --export "$T/ck.txt" >"$T/export.out" 2>"$T/export.err" ||
    fail "checkpoints --export failed: $(cat "$T/export.err")"
# A checkpoints file whose origin line is hostile (no control characters,
# which the note parser refuses: a bidi override and a zero-width space).
{ printf 'evil\342\200\256nigiro\342\200\213\n'; tail -n +2 "$T/ck.txt"; } >"$T/evil-ck.txt"
"$INVIGIL" review verify --db "$T/h.db" --checkpoints "$T/evil-ck.txt" >"$T/verify2.out" 2>"$T/verify2.err"
echo "verify of a doctored checkpoints file: exit $? ($(head -c 200 "$T/verify2.out" "$T/verify2.err" | tr -d '\n'))"
# A database whose stored checkpoint note is hostile.
cp "$T/h.db" "$T/evil.db"
sqlite3 "$T/evil.db" "insert into checkpoints (size, root, signer, time_ms, note)
    select size, root, signer, time_ms, char(27) || ']0;pwned' || char(7) || char(10) ||
    char(8238) || char(155) || char(8203) || note from checkpoints limit 1" ||
    fail "cannot add a doctored checkpoint to a copy of the database"
"$INVIGIL" review checkpoints --db "$T/evil.db" >"$T/ckpts.out" 2>"$T/ckpts.err"
ckpts_rc=$?
echo "checkpoints of a doctored database: exit $ckpts_rc, $(wc -l <"$T/ckpts.out") lines"
"$INVIGIL" review verify --db "$T/evil.db" >"$T/verify3.out" 2>"$T/verify3.err"
echo "verify of a doctored database: exit $?"

# invigil rules check: a file named with an OSC, and one whose text is
# hostile (quoted back in the error).
RF="$T/r$(printf '\033]0;pwned\007\342\200\256').rules"
cp "$T/other.rules" "$RF"
printf 'rule x\033[2J\342\200\256 {\n' >"$T/bad.rules"
"$INVIGIL" rules check "$RF" "$T/bad.rules" >"$T/rules.out" 2>"$T/rules.err"
echo "rules check: exit $? ($(cat "$T/rules.out" "$T/rules.err" | tr '\n' ' ' | cut -c1-300))"

# Nothing raw anywhere: ESC, BEL, C1 (raw byte 0x80-0x9f after a non-lead,
# or UTF-8 C2 80..C2 9F), U+202E, U+200B.
bad=0 NOUT=0 BYTES=0
for f in console.out console.err backtest.out backtest.err backtest2.out backtest2.err \
    verify.out verify.err \
    export.out export.err verify2.out verify2.err ckpts.out ckpts.err verify3.out verify3.err \
    rules.out rules.err; do
	n=$(python3 - "$T/$f" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
t = b.decode('utf-8', 'replace')
bad = [c for c in t if ord(c) < 0x20 and c not in '\n\t' or 0x7f <= ord(c) <= 0x9f
       or c in '\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200b\u200e\u200f\ufffd']
print(len(bad))
PY
)
	echo "  $f: $(wc -c <"$T/$f") bytes, $n raw control/bidi/invisible characters"
	NOUT=$((NOUT + 1)); BYTES=$((BYTES + $(wc -c <"$T/$f")))
	[ "$n" = 0 ] || { bad=1; od -c "$T/$f" | head -20 >&2; }
done
[ "$bad" = 0 ] || fail "a raw control, bidi or invisible character reached an output"
# and the things were there to be found, escaped.
grep -qF 'r\x1b]0;pwned\x07\u{202e}.rules: 1 rules, OK' "$T/rules.out" || fail "rules check does not name the file escaped"
grep -q '^    + f\\x1b' "$T/backtest.out" || { cat "$T/backtest.out" >&2; fail "backtest --verbose does not list the hostile attempt (escaped)"; }
grep -q '^    - f\\x1b' "$T/backtest.out" || { cat "$T/backtest.out" >&2; fail "backtest --verbose does not list the live flags (escaped)"; }
# A stored note that is not a signed note is refused (nothing of it is
# exported); the good note before it is shown.
[ "$ckpts_rc" = 1 ] || fail "checkpoints of a doctored database exited $ckpts_rc, not 1"
grep -q "is not a signed note" "$T/ckpts.err" || { cat "$T/ckpts.err" >&2; fail "the doctored note is not refused with the reason"; }
grep -q 'f\\x1b\]0;pwned\\x07\\u{202e}\\u{009b}' "$T/console.err" || fail "stderr does not name the feed escaped"
grep -qi '"feed":"f\\u001b\]0;pwned\\u0007\\u202e\\u009b"' "$T/console.out" || fail "stdout flag line does not carry the feed id escaped"
# The database keeps the raw bytes.
[ "$(sqlite3 "$T/h.db" "select count(*) from gaps where instr(why, char(27)) > 0")" -ge 1 ] ||
    fail "the gap's raw reason is not in the database"
# Usage errors quote the command line: a hostile --proctor or --feed is
# escaped there too.
"$INVIGIL" --proctor "$(printf 'a\033[2Jb+')" --demo --db "$T/u.db" 2>"$T/usage1.err"
"$INVIGIL" --feed "$(printf 'ws://\033]0;x\007/')" --db "$T/u.db" 2>"$T/usage2.err"
"$INVIGIL" --ping "$(printf '1\033[2J')" --demo --db "$T/u.db" 2>"$T/usage3.err"
"$INVIGIL" review backtest "$(printf '\033[2J')" 2>"$T/usage4.err"
for f in usage1.err usage2.err usage3.err usage4.err; do
	[ -s "$T/$f" ] || fail "$f: no usage error"
	! grep -q "$(printf '\033')" "$T/$f" || fail "$f: a raw ESC in a usage error"
done
grep -qF 'a\x1b[2Jb+' "$T/usage1.err" || fail "the hostile proctor id is not shown escaped"
echo "PASS: hostile feed id, attempt ids, gap reason and ack error escaped on headless stdout/stderr, backtest --verbose, verify and checkpoints; raw in the database ($NOUT outputs, $BYTES bytes, 0 raw control/bidi/invisible characters; 4 usage errors escaped; checkpoints of the doctored database exited $ckpts_rc)"
