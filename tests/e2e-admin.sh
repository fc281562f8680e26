#!/bin/bash
# e2e-admin.sh - the outcome of an attempt (invigil-admin(1)) on a database
# written by the real feed (--simulate) and a headless console that keeps
# running while the admins act: an analyst opens a case, admin amy
# proposes, amy's own approval is refused, bob approves, an appeal comes,
# amy's reinstatement is refused (she proposed), cat reinstates; a
# proctor's proposal is refused at the act; a collusion group is proposed
# and approved in one act each; every act is in the journal with its actor
# and `review verify` passes; two admins racing to approve one proposal
# (two processes started together, many rounds) record exactly one
# approval per round, and the other is refused naming the state.
# run-e2e timeout: 180
. "$(dirname "$0")/lib.sh"
watchdog 170
peer_setup

ROUNDS=${ADMIN_RACE_ROUNDS:-12}
adm() { timeout 30 "$INVIGIL" admin "$@"; }

# act NAME STATUS PATTERN SUBCOMMAND ARGS...: run it, check the exit
# status and that the output (stdout and stderr) matches PATTERN.
act() {
	who=$1 want=$2 pat=$3 sub=$4; shift 4
	out=$(adm "$sub" --db "$T/x.db" --trust "$T/trust" --actor "$who" \
	    "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "$who: admin $sub $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "$who: admin $sub $*: output lacks /$pat/: $out"
}

# Usage errors before anything runs.
out=$(adm propose --db "$T/none.db" --code cheating --reason x A 2>&1)
[ $? = 1 ] || fail "a missing database: $out"
out=$(adm appeal --db x.db --received yesterday --ref R A 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "YYYY-MM-DD" || fail "a bad --received: $out"
out=$(adm reject --db x.db --reason x A B 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "one attempt at a time" || fail "reject of two: $out"
out=$(adm cases --db x.db --state rejected 2>&1)
[ $? = 2 ] || fail "an unknown --state: $out"

start_feed --simulate 40 --seed 5 --rate 200 --id sim
mkfifo "$T/in"
"$INVIGIL" --headless --db "$T/x.db" --proctor pat \
    --feed "ws://127.0.0.1:$FEED_PORT/" <"$T/in" >"$T/out" 2>"$T/err" &
c=$!
PIDS="$PIDS $c"
exec 3<>"$T/in"
enough() {
	n=$(sqlite3 -readonly "$T/x.db" "select count(*) >= $((ROUNDS + 6)) from attempts" 2>/dev/null)
	[ "$n" = 1 ]
}
wait_for 60 enough || { cat "$T/err" >&2; fail "the console stored too few attempts"; }
wait_for 30 test -n "$(sqlite3 -readonly "$T/x.db" "select attempt from flags where attempt is not null limit 1")" ||
    fail "no flag was raised"
FL=$(sqlite3 -readonly "$T/x.db" "select attempt from flags where attempt is not null order by id limit 1")
mapfile -t ATT < <(sqlite3 -readonly "$T/x.db" "select attempt from attempts where attempt <> '$FL' order by attempt")

# The actors: keys in the default directory, lines in the trust file.
: >"$T/trust"
for a in pat:proctor ann:analyst amy:admin bob:admin cat:admin,analyst pia:proctor; do
	line=$(adm keys init "${a%%:*}" --roles "${a#*:}" 2>"$T/keys.err") ||
	    { cat "$T/keys.err" >&2; fail "keys init ${a%%:*}"; }
	echo "$line" >>"$T/trust"
done
chmod 644 "$T/trust"

A=${ATT[0]}
# The scripted case, while the console writes.
act ann 0 "open_case $A: under_review, journal seq [0-9]+ hash [0-9a-f]{64}" \
    open --reason "identical answers to a neighbour" \
    --evidence '{"flags":[1,2],"bundle":"case-1.bundle"}' "$A"
act ann 1 "already|allows propose" open --reason again "$A"
act pia 1 "propose_invalidation needs the role admin, and its signer has proctor" \
    propose --code collusion --reason "I think so" "$A"
act ann 1 "propose_invalidation needs the role admin, and its signer has analyst" propose --code collusion --reason x "$A"
act amy 1 "propose needs --code, one of proxy_testing" \
    propose --code cheating --reason x "$A"
act amy 0 "propose_invalidation $A: invalidation_proposed, journal seq" \
    propose --code collusion --reason "40 identical responses" "$A"
act amy 1 "amy proposed this invalidation and may not approve it" approve "$A"
act bob 0 "approve_invalidation $A: invalidated, journal seq" approve "$A"
act cat 1 "the attempt is invalidated: approve is not allowed there; invalidated allows appeal" approve "$A"
act bob 0 "appeal_open $A: appeal_open" appeal --received 2026-12-01 --ref APL-7 "$A"
act amy 1 "amy proposed this invalidation and may not reinstate it" \
    reinstate --reason "the neighbour copied" "$A"
act cat 0 "reinstate $A: reinstated, journal seq" reinstate --reason "the neighbour copied" "$A"
act bob 1 "the attempt is reinstated: uphold is not allowed there" uphold --reason x "$A"
# A case opened without --evidence holds the attempt's flags.
act ann 0 "open_case $FL: under_review" open --reason "flags" "$FL"
got=$(sqlite3 -readonly "$T/x.db" "select json_extract(evidence, '$.flags[0]') from journal where attempt = '$FL' and kind = 'open_case'")
want=$(sqlite3 -readonly "$T/x.db" "select min(id) from flags where attempt = '$FL'")
[ -n "$got" ] && [ "$got" = "$want" ] || fail "the case of $FL has evidence flag '$got', want $want"
# A key that is not the one the trust file names is refused.
mkdir -p "$T/other" && chmod 700 "$T/other"
adm keys init amy --roles admin --key-dir "$T/other" >/dev/null 2>&1
act amy 1 "is not the one the trust file" propose --key-dir "$T/other" \
    --code misconduct --reason x "${ATT[1]}"

# A collusion group: one proposal, one approval, an outcome each.
G1=${ATT[1]} G2=${ATT[2]} G3=${ATT[3]}
act amy 0 "propose_invalidation $G3: invalidation_proposed" \
    propose --code collusion --reason "a cluster of three" "$G1" "$G2" "$G3"
# All or nothing: one attempt not proposed refuses the whole approval.
act bob 1 "${ATT[4]}: the attempt is valid: approve is not allowed" approve "$G1" "${ATT[4]}"
act bob 0 "approve_invalidation $G2: invalidated" approve "$G1" "$G2" "$G3"
out=$(adm cases --db "$T/x.db" --state invalidated) || fail "cases: $out"
for g in "$G1" "$G2" "$G3"; do
	echo "$out" | grep -qE "^invalidated +sim +$g +collusion +amy" || fail "cases lacks $g: $out"
done
echo "$out" | grep -q "$A" && fail "cases --state invalidated shows the reinstated $A: $out"
out=$(adm show --db "$T/x.db" "$A") || fail "show: $out"
for p in "open_case +ann +analyst" "propose_invalidation +amy +admin +collusion 40 identical" \
    "approve_invalidation +bob" "appeal_open +bob" "reinstate +cat" \
    '"bundle":"case-1.bundle"' '"ref":"APL-7"' "^state reinstated" "case opened by ann" \
    "proposed by amy \(collusion\), approved by bob"; do
	echo "$out" | grep -qE -- "$p" || fail "show lacks /$p/: $out"
done

# The race: bob and cat approve the same proposal at the same moment.
for r in $(seq 1 "$ROUNDS"); do
	R=${ATT[$((r + 4))]}
	act amy 0 "invalidation_proposed" propose --code preknowledge --reason "round $r" "$R"
	# Both wait for one file, and start when it appears.
	racers=""
	for who in bob cat; do
		( while [ ! -e "$T/go.$r" ]; do sleep 0.005; done
		  adm approve --db "$T/x.db" --trust "$T/trust" --actor "$who" "$R" \
		    >"$T/race.$who" 2>&1
		  echo $? >"$T/race.$who.rc" ) &
		racers="$racers $!"
	done
	sleep 0.2
	: >"$T/go.$r"
	for p in $racers; do wait "$p"; done
	n=$(sqlite3 -readonly "$T/x.db" "select count(*) from journal where attempt = '$R' and kind = 'approve_invalidation'")
	[ "$n" = 1 ] || fail "round $r: $n approvals of $R"
	ok=$(cat "$T/race.bob.rc" "$T/race.cat.rc" | sort | tr '\n' ' ')
	[ "$ok" = "0 1 " ] || fail "round $r: exit statuses $ok: $(cat "$T/race.bob" "$T/race.cat")"
	cat "$T/race.bob" "$T/race.cat" | grep -q "the attempt is invalidated: approve is not allowed" ||
	    fail "round $r: the loser was not refused for the state: $(cat "$T/race.bob" "$T/race.cat")"
done

# The signed outcome list, exported while the console writes: a proctor
# may not, an admin may; both verifiers hold it, with the exporter's key
# kept apart too; the pseudonymous list names no candidate id, and the
# platform finds a candidate by computing the pseudonym itself.
act pia 1 "export_outcomes needs the role admin" export --out "$T/list"
act amy 0 "^export_outcomes: journal seq [0-9]+ hash [0-9a-f]{64}" export --out "$T/list"
act bob 0 "candidates as pseudonyms" export --pseudonymous --out "$T/plist"
AMYKEY=$(grep '^amy ' "$T/trust" | cut -d' ' -f3)
BOBKEY=$(grep '^bob ' "$T/trust" | cut -d' ' -f3)
for f in list plist; do
	out=$(adm verify-export "$T/$f" 2>&1) || fail "verify-export $f: $out"
	echo "$out" | grep -q "^OK$" || fail "verify-export $f: $out"
	out=$(node "$PEER/verify-outcomes.js" "$T/$f" 2>&1) || fail "verify-outcomes.js $f: $out"
done
out=$(adm verify-export --key "$AMYKEY" "$T/list" 2>&1) &&
    echo "$out" | grep -q "list signature: good, by the --key given" || fail "verify-export --key amy: $out"
out=$(adm verify-export --key "$BOBKEY" "$T/list" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "signed by none of the keys given" || fail "verify-export --key bob (not a checkpoint signer): $out"
out=$(node "$PEER/verify-outcomes.js" --key "$BOBKEY" "$T/list" 2>&1)
[ $? = 1 ] || fail "verify-outcomes.js --key bob: $out"
# What the list says: every attempt with an act, in its state now.
got=$(python3 - "$T/list" <<'PYEOF'
import json, sys
text = open(sys.argv[1]).read().split('\n\n')[0]
rows = [json.loads(l) for l in text.split('\n')]
print(' '.join(sorted('%s:%s:%s' % (o['attempt'], o['state'], o['invalid'])
    for o in rows if o['type'] == 'outcome')))
PYEOF
)
want=$(adm cases --db "$T/x.db" | awk 'NR > 1 { print $3 ":" $1 ":" ($1 == "invalidated" || $1 == "upheld" ? "True" : "False") }' | sort | tr '\n' ' ')
[ "$got " = "$want" ] || fail "the list holds $got, admin cases says $want"
echo "$got" | grep -q "$A:reinstated:False" || fail "the list lacks $A reinstated: $got"
cand=$(sqlite3 -readonly "$T/x.db" "select candidate from attempts where attempt = '$G1'")
grep -q "\"$cand\"" "$T/plist" && fail "the pseudonymous list names candidate $cand"
grep -q "\"candidate\":\"$cand\"" "$T/list" || fail "the list lacks candidate $cand of $G1"
out=$(node "$PEER/verify-outcomes.js" --pseudonym-key "$XDG_CONFIG_HOME/invigil/pseudonym.key" \
    --candidate "$cand" "$T/plist" 2>&1) && echo "$out" | grep -q "^candidate \"$cand\": $G1 invalidated$" ||
    fail "the platform's lookup of $cand: $out"
# Another export with the same key: the same pseudonyms.
act bob 0 "candidates as pseudonyms" export --pseudonymous --out "$T/plist2"
[ "$(grep -o '"pseudonym":"[0-9a-f]*"' "$T/plist" | sort)" = \
    "$(grep -o '"pseudonym":"[0-9a-f]*"' "$T/plist2" | sort)" ] || fail "two exports gave other pseudonyms"
chmod 644 "$XDG_CONFIG_HOME/invigil/pseudonym.key"
act bob 1 "can be read or written by others" export --pseudonymous --out "$T/plist3"

# A change to the trust file is an act too, recorded beside the running
# console (a short transaction of its own, not the console's writer lock).
line=$(adm keys init dan --roles analyst 2>/dev/null) || fail "keys init dan"
out=$(adm trust add $line --db "$T/x.db" --trust "$T/trust" --actor amy 2>&1) &&
    echo "$out" | grep -qE "^trust_add: seq [0-9]+ hash [0-9a-f]{64}$" ||
    fail "trust add beside a running console: $out"
grep -q "^dan analyst " "$T/trust" || fail "dan is not in the trust file: $(cat "$T/trust")"

# The console ran beside all this, and no commit of its own failed.
kill -0 "$c" || fail "the console died: $(cat "$T/err")"
grep -qiE "locked|busy|cannot commit" "$T/err" && fail "the console was blocked: $(cat "$T/err")"
kill "$c"; wait "$c" 2>/dev/null
kill "$FEED_PID"

# Every act in the journal, with its actor and role, in order.
got=$(sqlite3 -readonly -separator ' ' "$T/x.db" "select kind, actor, role from journal where attempt = '$A' order by seq" | tr '\n' ';')
want="open_case ann analyst;propose_invalidation amy admin;approve_invalidation bob admin;appeal_open bob admin;reinstate cat admin;"
[ "$got" = "$want" ] || fail "the journal of $A: $got, want $want"
n=$(sqlite3 -readonly "$T/x.db" "select count(*) from journal where actor = 'pia' or (actor = 'amy' and kind = 'approve_invalidation')")
[ "$n" = 0 ] || fail "a refused act was journaled"
n=$(sqlite3 -readonly "$T/x.db" "select count(*) from journal where kind = 'approve_invalidation' and json_extract(detail, '$.group') is not null")
[ "$n" = 3 ] || fail "the group approval is $n entries, want 3"
# Each act is inside a checkpoint its actor signed in the same
# transaction (an admin's database may have no console to sign one).
n=$(sqlite3 -readonly "$T/x.db" "select count(*) from checkpoints where signer = 'cat' and tree = 'rfc6962' and size >= (select max(seq) from journal where actor = 'cat')")
[ "$n" -ge 1 ] || fail "cat's reinstatement is in no checkpoint cat signed"
out=$(timeout 60 "$INVIGIL" review verify --db "$T/x.db" --trust "$T/trust" 2>&1) || fail "verify: $out"
echo "$out" | grep -qE "^signatures: [0-9]+ entries signed by their actors?, each by a key in the trust file .* with a role that may make it" ||
    fail "verify does not vouch for the signatures: $out"

# bob's approval re-signed with amy's key (she proposed): verify fails and
# says whose signature does not hold; named as amy's, that it is not bob's.
seq=$(sqlite3 -readonly "$T/x.db" "select seq from journal where attempt = '$A' and kind = 'approve_invalidation'")
sig=$(python3 - "$T/x.db" "$seq" "$XDG_CONFIG_HOME/invigil/amy.key" <<'PYEOF'
import sqlite3, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
db, seq, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
h = sqlite3.connect(db).execute("select hash from journal where seq = ?", (seq,)).fetchone()[0]
k = load_pem_private_key(open(key, "rb").read(), None)
print(k.sign(b"invigil journal entry v1\0" + bytes.fromhex(h)).hex())
PYEOF
) || fail "could not sign as amy"
cp "$T/x.db" "$T/s.db"
sqlite3 "$T/s.db" "DROP TRIGGER journal_no_update; UPDATE journal SET sig = '$sig' WHERE seq = $seq" ||
    fail "could not swap the signature"
out=$(timeout 60 "$INVIGIL" review verify --db "$T/s.db" --trust "$T/trust" 2>&1)
[ $? = 1 ] && echo "$out" | grep -qE "FAILED \(entry-signature\) at seq $seq: .*approve_invalidation by bob.*does not hold" ||
    fail "verify of a swapped approval signature: $out"
sqlite3 "$T/s.db" "UPDATE journal SET sig_vkey = '$(grep '^amy ' "$T/trust" | cut -d' ' -f3)' WHERE seq = $seq"
out=$(timeout 60 "$INVIGIL" review verify --db "$T/s.db" --trust "$T/trust" 2>&1)
[ $? = 1 ] && echo "$out" | grep -qE "FAILED \(entry-signer\) at seq $seq: .*is signed by the key of amy, not by its actor" ||
    fail "verify of an approval signed by amy: $out"
# One changed byte or one line taken out, anywhere: both verifiers refuse.
# And lists re-signed with the exporter's own key after a change (an outcome's
# state, an act's body, a proof hash, a count, a candidate in a
# pseudonymous list): the signature holds, and both still refuse, naming
# what does not fit.
python3 "$TESTS/mutate-file.py" "$T/list" "$T/mut" || fail "mutate-file.py"
python3 - "$T/list" "$T/plist" "$T/mut" "$XDG_CONFIG_HOME/invigil" <<'PYEOF'
import base64, json, os, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
lst, plst, out, keydir = sys.argv[1:5]
def resign(name, src, change):
    text, sigs = open(src).read().split('\n\n', 1)
    rows = [json.loads(l) for l in text.split('\n')]
    change(rows)
    text = '\n'.join(json.dumps(r, sort_keys=True, separators=(',', ':'))
        for r in rows) + '\n'
    who = rows[0]['exporter']
    key = load_pem_private_key(open(f'{keydir}/{who}.key', 'rb').read(), None)
    kid = bytes.fromhex(rows[0]['vkey'].split('+')[1])
    sig = base64.b64encode(kid + key.sign(text.encode())).decode()
    open(f'{out}/resigned-{name}', 'w').write(text + f'\n\u2014 {who} ' + sig + '\n')
def first(rows, f):
    return next(r for r in rows if f(r))
def state(rows):
    o = first(rows, lambda r: r['type'] == 'outcome' and r['state'] == 'reinstated')
    o['state'] = 'invalidated'; o['invalid'] = True
def invalid(rows):
    first(rows, lambda r: r['type'] == 'outcome' and r['invalid'])['invalid'] = False
def body(rows):
    o = first(rows, lambda r: r['type'] == 'outcome' and r['state'] == 'reinstated')
    b = json.loads(o['body']); b['kind'] = 'approve_invalidation'
    o['body'] = json.dumps(b, sort_keys=True, separators=(',', ':'))
    o['state'] = 'invalidated'; o['invalid'] = True; rows[0]['invalid'] += 1
def proof(rows):
    o = first(rows, lambda r: r['type'] == 'outcome')
    o['proof'][0] = o['proof'][0][::-1]
def count(rows):
    rows[0]['outcomes'] -= 1
def drop(rows):
    rows.remove(first(rows, lambda r: r['type'] == 'outcome'))
def export_act(rows):
    rows.remove(first(rows, lambda r: r['type'] == 'entry'))
def candidate(rows):
    first(rows, lambda r: r['type'] == 'outcome')['candidate'] = 'C0001'
def attempt(rows):
    o = first(rows, lambda r: r['type'] == 'outcome' and r['state'] == 'reinstated')
    o['attempt'] = 'A9999'
for f in (state, invalid, body, proof, count, drop, export_act, attempt):
    resign(f.__name__, lst, f)
resign('candidate', plst, candidate)
PYEOF
nmut=0
for m in "$T"/mut/*; do
	out=$(timeout 30 "$INVIGIL" admin verify-export "$m" 2>&1)
	rc=$?
	[ $rc = 1 ] || fail "$(basename "$m"): invigil verify-export exit $rc: $out"
	nmut=$((nmut + 1))
done
for w in "state:does not leave|not an act that leaves" "body:inclusion proof" "proof:inclusion proof" \
    "count:count of outcomes" "drop:count of outcomes" "export_act:export act" \
    "attempt:another attempt" "candidate:candidate" "invalid:is not true exactly for invalidated"; do
	out=$("$INVIGIL" admin verify-export "$T/mut/resigned-${w%%:*}" 2>&1)
	echo "$out" | grep -qE "${w#*:}" || fail "resigned-${w%%:*}: invigil says: $out"
done
node "$PEER/refuse-all.js" "$PEER/verify-outcomes.js" "$T/mut" >"$T/node.out" 2>&1 ||
	fail "verify-outcomes.js accepts a changed list: $(cat "$T/node.out")"
[ "$(cat "$T/node.out")" = "$nmut" ] || fail "node checked $(cat "$T/node.out") of $nmut"
[ "$nmut" -gt 250 ] || fail "only $nmut changed lists"

echo "PASS: the scripted case (open, propose, own approval refused, approve, appeal, proposer's reinstatement refused, reinstate) beside a running console; a proctor's propose refused; a group of 3; $ROUNDS races, one approval each; verify --trust holds, and names amy's signature on bob's approval; the outcome list ($(grep -c '"type":"outcome"' "$T/list") attempts) verified by invigil and Node, pseudonyms looked up by the platform, $nmut changed or re-signed lists refused by both"
