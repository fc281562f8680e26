#!/bin/bash
# e2e-bundle.sh - `invigil review bundle` and `review verify-bundle` on a
# database written by the real simulated feed and a headless console with
# decisions, commands and checkpoints: the bundle of one flagged attempt
# verifies with invigil and with the independent Node verifier
# (tests/peer/verify-bundle.js, Node's crypto and tlog.js only); every
# single-byte change at sampled positions (at least one in each line, so
# in each section) and every removed line fail both; no other attempt's
# id, candidate id or name is in it; --key with a wrong key fails both,
# with the right keys both say so; the forensic indices are those of
# `review forensics` on the attempt's exam and form; usage errors exit 2.
# run-e2e timeout: 320
. "$(dirname "$0")/lib.sh"
watchdog $((310 * ${E2E_TIMEOUT_FACTOR:-1}))
peer_setup

start_feed --simulate 60 --seed 11 --rate 500 --id sim
mkfifo "$T/in"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/b.db" \
    --proctor ana --checkpoint-every 4 <"$T/in" >"$T/out.jsonl" \
    2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
flags_at_least() { [ "$(grep -c '"t":"flag"' "$T/out.jsonl")" -ge "$1" ]; }
wait_for 60 flags_at_least 3 ||
	fail "fewer than 3 flags raised: $(cat "$T/console.err")"

# The attempt of the first flag: a decision on it, a note, a command; and
# notes on two other attempts, so that their entries sit in the same tree.
first=$(grep -m1 '"t":"flag"' "$T/out.jsonl")
A=$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["attempt"])')
F=$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
others=$(sqlite3 -readonly "$T/b.db" "select attempt from attempts where attempt != '$A' order by attempt limit 2")
[ -n "$others" ] || fail "no other attempt stored"
echo "{\"id\":\"d1\",\"op\":\"decide\",\"flag\":$F,\"action\":\"confirm\",\"reason\":\"phone in view\",\"reason_code\":\"security.prohibited_aid\"}" >&3
echo "{\"id\":\"n1\",\"op\":\"note\",\"attempt\":\"$A\",\"reason\":\"called the centre\"}" >&3
echo "{\"id\":\"c1\",\"op\":\"command\",\"attempt\":\"$A\",\"action\":\"warn\",\"reason\":\"eyes on screen\"}" >&3
i=0
for o in $others; do
	i=$((i + 1))
	echo "{\"id\":\"o$i\",\"op\":\"note\",\"attempt\":\"$o\",\"reason\":\"note on $o\"}" >&3
done
acks_at_least() { [ "$(grep -c '"t":"ack".*"ok":true' "$T/out.jsonl")" -ge "$1" ]; }
wait_for 20 acks_at_least 5 ||
	fail "5 requests not acknowledged: $(grep '"t":"ack"' "$T/out.jsonl")"
wait_for 20 grep -q '"t":"done"' "$T/out.jsonl" ||
	fail "the command was not answered: $(tail -5 "$T/out.jsonl")"
# The exam runs to its end, so that the forensic models calibrate (a form
# needs 50 attempts).
done_at_least() {
	n=$(sqlite3 -readonly "$T/b.db" "select count(*) from attempts where state in ('submitted', 'terminated')" 2>/dev/null)
	[ "${n:-0}" -ge "$1" ]
}
wait_for 150 done_at_least 55 || fail "fewer than 55 attempts done after 150 s"
exec 3>&-
stop_ok $CONSOLE console
stop_ok "$FEED_PID" feed
entries=$(sqlite3 -readonly "$T/b.db" "select count(*) from journal where attempt = '$A'")
[ "$entries" -ge 3 ] || fail "only $entries journal entries of $A"

# Usage errors.
"$INVIGIL" review bundle --db "$T/b.db" --out "$T/x" >/dev/null 2>&1
[ $? = 2 ] || fail "bundle without ATTEMPT: not exit 2"
"$INVIGIL" review verify-bundle >/dev/null 2>&1
[ $? = 2 ] || fail "verify-bundle without FILE: not exit 2"
cp "$T/b.db" "$T/same.db"
out=$("$INVIGIL" review bundle "$A" --db "$T/same.db" --out "$T/same.db" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "names the database itself" ||
	fail "--out the database: $out"
cmp -s "$T/b.db" "$T/same.db" || fail "--out the database changed it"
out=$("$INVIGIL" review bundle NOPE --db "$T/b.db" --out "$T/x" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "no attempt NOPE" ||
	fail "an unknown attempt: $out"

# The bundle, by the analyst eve.
out=$("$INVIGIL" review bundle "$A" --db "$T/b.db" --out "$T/a.bundle" --actor eve 2>&1) ||
	fail "review bundle: $out"
echo "$out" | grep -q "journal entries proven" || fail "review bundle said: $out"
[ "$(stat -c %a "$T/a.bundle")" = 600 ] || fail "the bundle is not mode 600"
for t in bundle attempt checkpoint key message flag entry forensics; do
	grep -q "^{.*\"type\":\"$t\"" "$T/a.bundle" || fail "no $t line in the bundle"
done

# The forensic indices: the model's version, and this attempt's row of
# `review forensics` on its exam and form, value for value.
EXAM=$(sqlite3 -readonly "$T/b.db" "select exam from attempts where attempt = '$A'")
FORM=$(sqlite3 -readonly "$T/b.db" "select form from attempts where attempt = '$A'")
"$INVIGIL" review forensics --db "$T/b.db" --exam "$EXAM" --form "$FORM" --format jsonl >"$T/fx.jsonl" ||
	fail "review forensics"
python3 - "$T/a.bundle" "$T/fx.jsonl" "$A" <<'PYEOF' || fail "the forensic indices differ from review forensics'"
import json, sys
fx = [json.loads(l) for l in open(sys.argv[1]) if '"type":"forensics"' in l]
assert len(fx) == 1, "no forensics line"
fx = fx[0]
assert fx["model"] == "invigil-forensics/1", fx
assert "reason" not in fx, fx
row = [r for r in map(json.loads, open(sys.argv[2])) if r.get("attempt") == sys.argv[3]][0]
n = 0
for k in ("theta", "tau", "lz", "rt_fit_p", "fast_share", "preknowledge_p",
          "similarity_p", "edi_p", "combined_p", "q", "flagged", "score"):
    a, b = fx[k], row[k]
    if isinstance(a, float) and isinstance(b, float):
        assert abs(a - b) <= 1e-6 * max(1, abs(b)), (k, a, b)
    else:
        assert a == b, (k, a, b)
    n += a is not None
assert n >= 8, "only %d indices computed: %s" % (n, fx)
PYEOF

CONSOLE_KEY=$(sqlite3 -readonly "$T/b.db" "select vkey from keys where actor = 'ana'")
EVE_KEY=$(sed -n 1p "$T/a.bundle" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vkey"])')
ok_both() {	# ok_both FILE ARGS...: both verifiers accept
	f=$1; shift
	out=$("$INVIGIL" review verify-bundle "$f" "$@" 2>&1) ||
		fail "verify-bundle $f $*: $out"
	node "$PEER/verify-bundle.js" "$@" "$f" >"$T/node.out" 2>&1 ||
		fail "verify-bundle.js $f $*: $(cat "$T/node.out")"
}
bad_both() {	# bad_BOTH WHAT FILE ARGS...: both refuse, exit 1
	what=$1 f=$2; shift 2
	out=$("$INVIGIL" review verify-bundle "$f" "$@" 2>&1)
	rc=$?
	[ $rc = 1 ] || fail "$what: invigil verify-bundle exit $rc: $out"
	node "$PEER/verify-bundle.js" "$@" "$f" >"$T/node.out" 2>&1
	rc=$?
	[ $rc = 1 ] || fail "$what: verify-bundle.js exit $rc: $(cat "$T/node.out")"
}
ok_both "$T/a.bundle"
echo "$out" | grep -q "^OK$" || fail "no OK: $out"
echo "$out" | grep -q "good, by the key the bundle names" || fail "the key used is not said: $out"
grep -q "^ok: " "$T/node.out" || fail "node: $(cat "$T/node.out")"
ok_both "$T/a.bundle" --key "$CONSOLE_KEY" --key "$EVE_KEY"
echo "$out" | grep -q "checked against the --key given" || fail "--key not said: $out"
echo "$out" | grep -q "signature: good, by the --key given" || fail "exporter --key: $out"

# Wrong keys: another key of the console's name, another of eve's.
"$INVIGIL" review bundle "$A" --db "$T/b.db" --out "$T/m.bundle" --actor mallory >/dev/null ||
	fail "bundle by mallory"
MALLORY_KEY=$(sed -n 1p "$T/m.bundle" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vkey"])')
bad_both "a wrong console key" "$T/a.bundle" --key "$MALLORY_KEY"
XDG_CONFIG_HOME=$T/other "$INVIGIL" review bundle "$A" --db "$T/b.db" --out "$T/e2.bundle" --actor eve >/dev/null ||
	fail "bundle by another eve"
bad_both "the bundle by another key named eve" "$T/e2.bundle" --key "$EVE_KEY" --key "$CONSOLE_KEY"

# Whoever holds eve's key can change the bundle and sign it again: then
# the checks behind the signature must hold.  resign IN OUT JS: the lines
# of IN (parsed, in a variable L) changed by JS, signed again with eve's
# key file by Node's crypto.
resign() {
	node -e '
const fs = require("fs"), crypto = require("crypto");
const [file, keyfile, out, js] = process.argv.slice(1);
const s = fs.readFileSync(file, "utf8");
const L = s.slice(0, s.lastIndexOf("\n\n")).split("\n").map((l) => JSON.parse(l));
eval(js);
const text = L.map((o) => JSON.stringify(o)).join("\n") + "\n";
const id = Buffer.from(L[0].vkey.split("+")[1], "hex");
const sig = crypto.sign(null, Buffer.from(text), fs.readFileSync(keyfile));
fs.writeFileSync(out, text + "\n\u2014 eve " +
    Buffer.concat([id, sig]).toString("base64") + "\n");
' "$1" "$XDG_CONFIG_HOME/invigil/eve.key" "$2" "$3" || fail "resign $3"
}
resign "$T/a.bundle" "$T/same.bundle" ""
ok_both "$T/same.bundle"
resign "$T/a.bundle" "$T/hostile.bundle" 'L[0].format = "invigil-bundle/1\u001b]0;pwned\u0007\u001b[2J";'
bad_both "a hostile format" "$T/hostile.bundle"
echo "$out" | grep -q 'FAILED: line 1 of the bundle: format' || fail "hostile format: $out"
printf '%s' "$out" | grep -q "$(printf '\033')" && fail "an escape printed raw: $out"
resign "$T/a.bundle" "$T/other.bundle" 'const m = L.find((o) => o.type === "message"); L.push(Object.assign({}, m, {attempt: "'"$(echo "$others" | head -1)"'"}));
L[0].messages++;'
bad_both "a message of another attempt" "$T/other.bundle"
echo "$out" | grep -q "not about the bundle's attempt" || fail "another attempt's message: $out"
resign "$T/a.bundle" "$T/entry.bundle" 'const e = L.find((o) => o.type === "entry"); e.body = e.body.replace(/"reason":"[^"]*"/, "\"reason\":\"nothing happened\"");'
bad_both "a changed entry" "$T/entry.bundle"
echo "$out" | grep -q "inclusion proof" || fail "a changed entry: $out"

# A case database merged by `review import`: the attempt's entries come
# from the console's imported journal, proven in its imported checkpoint.
"$INVIGIL" review import --db "$T/case.db" --actor eve "$T/b.db" >"$T/import.out" 2>&1 ||
	fail "review import: $(cat "$T/import.out")"
out=$("$INVIGIL" review bundle "$A" --db "$T/case.db" --out "$T/case.bundle" --actor eve 2>&1) ||
	fail "review bundle on the case: $out"
ok_both "$T/case.bundle" --key "$CONSOLE_KEY" --key "$EVE_KEY"
origin=$(sqlite3 -readonly "$T/b.db" "select value from meta where key = 'journal_origin'")
n=$(grep '"type":"entry"' "$T/case.bundle" | grep -c "\"origin\":\"$origin\"")
[ "$n" = "$entries" ] || fail "$n entries of the console's journal in the case's bundle, want $entries"

# Nothing about any other attempt: ids, candidate ids, names.
mine=$(sqlite3 -readonly "$T/b.db" "select coalesce(candidate,''), coalesce(name,'') from attempts where attempt = '$A'")
sqlite3 -readonly "$T/b.db" "select attempt from attempts where attempt != '$A'
    union select candidate from attempts where attempt != '$A' and candidate is not null
    union select name from attempts where attempt != '$A' and name is not null
    union select distinct attempt from journal where attempt is not null and attempt != '$A'
    union select distinct attempt from messages where attempt is not null and attempt != '$A'" >"$T/others"
n=0
while IFS= read -r s; do
	[ -n "$s" ] || continue
	case "|$mine|" in *"|$s|"*) continue ;; esac	# this attempt's own
	n=$((n + 1))
	grep -qF -- "$s" "$T/a.bundle" && fail "the bundle names another attempt's \"$s\""
done <"$T/others"
[ "$n" -ge 40 ] || fail "only $n other strings checked"

# Every line removed, and single bytes changed at sampled positions (250
# spread evenly, and in every line its first, middle and last byte): both
# fail.
python3 "$TESTS/mutate-file.py" "$T/a.bundle" "$T/mut" || fail "mutate-file.py"
nmut=0
for m in "$T"/mut/*; do
	out=$("$INVIGIL" review verify-bundle "$m" 2>&1)
	rc=$?
	[ $rc = 1 ] || fail "$(basename "$m"): invigil verify-bundle exit $rc: $out"
	nmut=$((nmut + 1))
done
# The Node verifier, once over all of them (a process each is slow).
node "$PEER/refuse-all.js" "$PEER/verify-bundle.js" "$T/mut" >"$T/node.out" 2>&1 ||
	fail "verify-bundle.js accepts a changed bundle: $(cat "$T/node.out")"
[ "$(cat "$T/node.out")" = "$nmut" ] || fail "node checked $(cat "$T/node.out") of $nmut"
lines=$(wc -l <"$T/a.bundle")
[ "$nmut" -gt $((lines * 3)) ] || fail "only $nmut mutations of $lines lines"

echo "PASS: e2e-bundle ($A: $entries entries; $n other strings absent; $nmut changes refused by both)"
