#!/bin/bash
# e2e-trust.sh - the trust file and every journal act signed by its actor,
# on a database a real headless console wrote from `invigil feed
# --simulate`: `admin keys init` (0600 key, the trust line printed),
# `admin trust add|list|revoke` (the first admin, a proctor, a proctor's
# change refused, each change a signed journal act), `review verify
# --trust` (every entry's signer and role), and what an attacker with
# sqlite3(1) and a stolen key can do: a swapped signature, a proctor's key
# on an admin act forced in by hand, a revoked key, an unknown one.  Also
# hostile trust files: line:column errors, sanitised; a FIFO refused at
# once; a group-writable file refused.
. "$(dirname "$0")/lib.sh"
watchdog 150

command -v python3 >/dev/null || fail "python3 is not installed (scripts/install-deps)"
python3 -c 'import cryptography' 2>/dev/null ||
	fail "python3's cryptography is not installed (scripts/install-deps)"

start_feed --simulate 12 --seed 5 --rate 200 --id sim
mkfifo "$T/in"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/h.db" \
    --proctor pat --checkpoint-every 3 <"$T/in" >"$T/out.jsonl" \
    2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
wait_for 30 rows_at_least "$T/h.db" 20 ||
	fail "the simulated exam was not stored: $(cat "$T/console.err")"
A=$(sqlite3 -readonly "$T/h.db" "select attempt from attempts order by attempt limit 1")
echo "{\"id\":\"n1\",\"op\":\"note\",\"attempt\":\"$A\",\"reason\":\"called the centre\"}" >&3
echo "{\"id\":\"c1\",\"op\":\"command\",\"attempt\":\"$A\",\"action\":\"warn\",\"reason\":\"eyes on screen\"}" >&3
echo "{\"id\":\"n2\",\"op\":\"note\",\"attempt\":\"$A\",\"reason\":\"looked away\"}" >&3
acked() { [ "$(sqlite3 -readonly "$T/h.db" "select count(*) from journal where kind = 'cmd_ack'" 2>/dev/null)" -ge 1 ]; }
wait_for 20 acked || fail "the feed's acknowledgement was not journaled: $(tail -5 "$T/out.jsonl")"
exec 3>&-
stop_ok $CONSOLE console
stop_ok "$FEED_PID" feed
signed=$(sqlite3 -readonly "$T/h.db" "select count(*) from journal where sig is not null and sig_vkey like 'pat+%'")
total=$(sqlite3 -readonly "$T/h.db" "select count(*) from journal")
[ "$signed" = "$total" ] && [ "$total" -ge 4 ] ||
	fail "$signed of $total console entries signed with pat's key"
[ "$(sqlite3 -readonly "$T/h.db" "select actor || ' ' || role from journal where kind = 'cmd_ack'")" = "sim feed" ] ||
	fail "the acknowledgement is not the feed's"

# keys init: ana's key 0600, the trust line on stdout; pat's exists.
line=$("$INVIGIL" admin keys init ana --roles admin,analyst 2>"$T/init.err") ||
	fail "keys init: $(cat "$T/init.err")"
[ "$(stat -c %a "$XDG_CONFIG_HOME/invigil/ana.key")" = 600 ] || fail "ana.key is not 0600"
echo "$line" | grep -qE '^ana analyst,admin ana\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$' ||
	fail "keys init printed: $line"
grep -q "created" "$T/init.err" || fail "keys init did not say it created the key: $(cat "$T/init.err")"
patline=$("$INVIGIL" admin keys init pat 2>"$T/init.err")
grep -q "exists already" "$T/init.err" || fail "keys init of pat: $(cat "$T/init.err")"
[ "$(echo "$patline" | cut -d' ' -f3)" = "$(sqlite3 -readonly "$T/h.db" "select vkey from keys where name = 'pat'")" ] ||
	fail "pat's trust line is not the key the console signed with: $patline"

TRUST=$XDG_CONFIG_HOME/invigil/trust
run() {	# run WANT_STATUS PATTERN ARGS...: invigil ARGS, its output in $out
	want=$1 pat=$2; shift 2
	out=$(timeout 20 "$INVIGIL" "$@" 2>&1)
	rc=$?
	[ "$rc" = "$want" ] || fail "invigil $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "invigil $*: lacks /$pat/: $out"
}
# The first line must be the acting admin's own.
run 1 "no admin yet; its first line must be the acting admin's own" \
    admin trust add $patline --db "$T/h.db" --actor pat
run 0 "^trust_add: seq [0-9]+ hash [0-9a-f]{64}$" admin trust add $line --db "$T/h.db" --actor ana
run 0 "^trust_add: seq" admin trust add $patline --db "$T/h.db" --actor ana
[ "$(stat -c %a "$TRUST")" = 644 ] || fail "the trust file is mode $(stat -c %a "$TRUST")"
# A proctor changes nothing, and nothing is journaled.
n=$(sqlite3 -readonly "$T/h.db" "select count(*) from journal")
boline=$("$INVIGIL" admin keys init bo --roles admin 2>/dev/null)
run 1 "pat may not record this: trust_add needs the role admin, and its signer has proctor" \
    admin trust add $boline --db "$T/h.db" --actor pat
[ "$(sqlite3 -readonly "$T/h.db" "select count(*) from journal")" = "$n" ] ||
	fail "a refused change was journaled"
run 0 "^trust_add: seq" admin trust add $boline --db "$T/h.db" --actor ana
run 0 "^pat +proctor +trusted +pat\+" admin trust list
# Two admins' changes at once: both land (the file is locked for each).
for who in cy dee; do
	l=$("$INVIGIL" admin keys init $who --roles analyst 2>/dev/null)
	"$INVIGIL" admin trust add $l --db "$T/race.db" --actor ana >"$T/race.$who" 2>&1 &
	eval "R_$who=\$!"
done
wait "$R_cy" && wait "$R_dee" || fail "concurrent adds: $(cat "$T"/race.*)"
grep -q "^cy analyst " "$TRUST" && grep -q "^dee analyst " "$TRUST" ||
	fail "a concurrent change was lost: $(cat "$TRUST")"

run 0 "^signatures: $((n + 1)) entries signed by their actors, each by a key in the trust file .*trust with a role" \
    review verify --db "$T/h.db" --trust "$TRUST"
run 0 "^signatures: $((n + 1)) entries signed by their actors, each by a key in the trust file" \
    review verify --db "$T/h.db"
(
	export XDG_CONFIG_HOME=$T/elsewhere
	run 0 "keys table \(no trust file: give --trust FILE" review verify --db "$T/h.db"
) || exit 1
run 2 "there is no trust file" review verify --db "$T/h.db" --trust "$T/none"
grep -v '^pat ' "$TRUST" >"$T/nopat"
chmod 644 "$T/nopat"
run 1 "^FAILED \(entry-signer\) at seq 1: seq 1 \(.* by pat\) is signed by the key pat\+.*which the trust file does not have" \
    review verify --db "$T/h.db" --trust "$T/nopat"

# The attacker holds keys and sqlite3: sign() signs a seq's hash with KEY.
sign() {	# sign DB SEQ KEYFILE: the signature's hex
	python3 - "$@" <<'PYEOF'
import sqlite3, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
db, seq, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
h = sqlite3.connect(db).execute("select hash from journal where seq = ?", (seq,)).fetchone()[0]
k = load_pem_private_key(open(key, "rb").read(), None)
print(k.sign(b"invigil journal entry v1\0" + bytes.fromhex(h)).hex())
PYEOF
}
KD=$XDG_CONFIG_HOME/invigil
bo_seq=$(sqlite3 -readonly "$T/h.db" "select seq from journal where kind = 'trust_add' and detail like '%\"name\":\"bo\"%'")
# ana's act re-signed with pat's key: the signature under ana's key fails...
cp "$T/h.db" "$T/s.db"
sqlite3 "$T/s.db" "DROP TRIGGER journal_no_update; UPDATE journal SET sig = '$(sign "$T/s.db" "$bo_seq" "$KD/pat.key")' WHERE seq = $bo_seq"
run 1 "^FAILED \(entry-signature\) at seq $bo_seq: seq $bo_seq \(trust_add by ana\): its signature by ana\+.* does not hold" \
    review verify --db "$T/s.db" --trust "$TRUST"
# ... and with pat's key named too, it is pat's, not ana's.
sqlite3 "$T/s.db" "DROP TRIGGER IF EXISTS journal_no_update; UPDATE journal SET sig_vkey = (SELECT vkey FROM keys WHERE name = 'pat') WHERE seq = $bo_seq"
run 1 "^FAILED \(entry-signer\) at seq $bo_seq: seq $bo_seq \(trust_add by ana\) is signed by the key of pat, not by its actor" \
    review verify --db "$T/s.db" --trust "$TRUST"

# forge DB KEYFILE TIME_MS ACTOR ROLE KIND REASON: an entry appended by
# hand, chained right and signed with the key in KEYFILE (named ACTOR).
forge() {
	python3 - "$@" <<'PYEOF'
import hashlib, json, sqlite3, sys, time
from cryptography.hazmat.primitives.serialization import load_pem_private_key
path, keyfile, ms, actor, role, kind, reason = sys.argv[1:]
ms = int(ms)
db = sqlite3.connect(path)
k = load_pem_private_key(open(keyfile, "rb").read(), None)
seq, prev = db.execute("select seq, hash from journal order by seq desc limit 1").fetchone()
vkey = db.execute("select vkey from keys where name = ?", (actor,)).fetchone()[0]
seq += 1
t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)
row = {"v": 1, "seq": seq, "time": t, "actor": actor, "role": role, "kind": kind,
       "attempt": "A00001", "reason": reason}
body = json.dumps(row, sort_keys=True, separators=(",", ":"))
h = hashlib.sha256(bytes.fromhex(prev) + body.encode()).hexdigest()
sig = k.sign(b"invigil journal entry v1\0" + bytes.fromhex(h)).hex()
db.execute("insert into journal (seq, time_ms, actor, role, kind, attempt, reason, body, "
           "prev_hash, hash, sig, sig_vkey) values (?, ?, ?, ?, ?, 'A00001', ?, ?, ?, ?, ?, ?)",
           (seq, ms, actor, role, kind, reason, body, prev, h, sig, vkey))
db.commit()
PYEOF
}

# A proctor's key on an admin act, forced in by hand with a right chain.
cp "$T/h.db" "$T/p.db"
forge "$T/p.db" "$KD/pat.key" 1767225600000 pat admin propose_invalidation forced ||
	fail "cannot forge an entry"
run 1 "^FAILED \(role\) at seq $((n + 2)): seq $((n + 2)) \(propose_invalidation by pat\): propose_invalidation needs the role admin, and its signer has proctor$" \
    review verify --db "$T/p.db" --trust "$TRUST"
# Without a signature, the trigger refuses it; with the trigger dropped,
# verify does.
cp "$T/h.db" "$T/u.db"
sqlite3 "$T/u.db" "INSERT INTO journal (seq, time_ms, actor, role, kind, body, prev_hash, hash)
    SELECT seq + 1, 0, 'pat', 'proctor', 'note', '{}', hash, 'x' FROM journal ORDER BY seq DESC LIMIT 1" 2>"$T/trig.err" &&
	fail "an unsigned entry was inserted"
grep -q "must be signed" "$T/trig.err" || fail "the trigger said: $(cat "$T/trig.err")"

# Revoked after its entries: they stand, counted; a proctor cannot revoke.
run 1 "pat may not record this: trust_revoke needs the role admin" \
    admin trust revoke bo --db "$T/h.db" --actor pat
run 0 "^trust_revoke: seq" admin trust revoke pat --reason "laptop lost" --db "$T/h.db" --actor ana
grep -qE "^@revoked 20[0-9-]+T[0-9:]+Z pat proctor pat\+.* laptop lost$" "$TRUST" ||
	fail "the revoked line: $(cat "$TRUST")"
run 0 "^signatures: [0-9]+ signed before their key was revoked \(the first: seq 1, pat's key, revoked on " \
    review verify --db "$T/h.db" --trust "$TRUST"
run 0 "^pat +proctor +revoked .*\(revoked .*: laptop lost\)$" admin trust list
# An entry signed with the revoked key after the revocation does not stand.
cp "$T/h.db" "$T/r.db"
forge "$T/r.db" "$KD/pat.key" $(( $(date +%s) * 1000 + 5000 )) pat proctor note \
    "after the revocation" || fail "cannot forge an entry"
run 1 "^FAILED \(entry-signer\) at seq .* is signed by the key of pat, revoked on .*, before the entry was made" \
    review verify --db "$T/r.db" --trust "$TRUST"

# Hostile trust files.
printf 'ana admin %s\nbo\033]0;pwned\007 admin x\n' "$(echo "$line" | cut -d' ' -f3)" >"$T/evil"
chmod 644 "$T/evil"
run 2 "evil:2:3: a control character \(0x1b\)" review verify --db "$T/h.db" --trust "$T/evil"
printf '%s' "$out" | grep -q $'\e' && fail "an escape sequence reached the output: $out"
run 1 "evil:2:3: a control character" admin trust list --trust "$T/evil"
printf 'ana root %s\n' "$(echo "$line" | cut -d' ' -f3)" >"$T/role"
chmod 644 "$T/role"
run 1 "role:1:5: unknown role \"root\"; the roles are proctor, supervisor, analyst and admin" \
    admin trust list --trust "$T/role"
cp "$TRUST" "$T/loose"
chmod 664 "$T/loose"
run 2 "may be written by group or others; chmod go-w" review verify --db "$T/h.db" --trust "$T/loose"
mkfifo "$T/fifo"
start=$(date +%s%N)
run 1 "is a FIFO, not a regular file" admin trust list --trust "$T/fifo"
run 1 "not a regular file" admin trust add $boline --db "$T/h.db" --actor ana --trust "$T/fifo"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ -p "$T/fifo" ] || fail "the FIFO was replaced"

echo "PASS: $total console entries (notes, a command, the feed's acknowledgement) signed with pat's key; admin keys init and trust add|list|revoke (first admin, proctor refused, each change a signed act); verify --trust holds, then names a swapped signature, another's key, a proctor's propose forced in, an entry after its key's revocation, an unknown key; unsigned rows refused by the trigger; hostile, loose and FIFO trust files refused (FIFO in $ms ms)"
