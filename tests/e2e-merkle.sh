#!/bin/bash
# e2e-merkle.sh - the journal as an RFC 6962 Merkle tree log, end to end
# on a journal a real console wrote: its checkpoints sign the tree hash of
# the bodies (recomputed here in Python), `review verify --key` trusts only
# keys given outside the database, `review checkpoints --prove-consistency`
# writes a proof that `--verify-consistency` and an independent Node
# implementation (tests/peer/tlog.js, itself tested on the RFC 6962
# reference vectors by tlog-test.js) both accept, and both refuse once any
# hash, size or note of it changes; an imported journal is verified as its
# own chain and can be proven too.
. "$(dirname "$0")/lib.sh"

command -v node >/dev/null 2>&1 ||
    fail "node not found: install Debian's nodejs (scripts/install-deps)"
PEER=$TESTS/peer
node "$PEER/tlog-test.js" >"$T/tlog-test.out" 2>&1 ||
	fail "tlog-test.js: $(cat "$T/tlog-test.out")"

python3 "$TESTS/gen-scenario.py" 200 10 >"$T/scenario.jsonl"
start_feed --replay "$T/scenario.jsonl" --id merkle-feed
mkfifo "$T/in"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/m.db" \
    --proctor ana --checkpoint-every 4 <"$T/in" >"$T/out.jsonl" \
    2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
wait_for 20 rows_at_least "$T/m.db" 200 ||
	fail "the replay was not stored: $(cat "$T/console.err")"
for i in $(seq 1 13); do
	echo "{\"id\":\"n$i\",\"op\":\"note\",\"attempt\":\"A$(printf %05d $((i % 10)))\",\"reason\":\"note $i\"}" >&3
done
wait_for 10 sh -c "[ \$(grep -c '\"ok\":true' '$T/out.jsonl') -ge 13 ]" ||
	fail "13 notes not acknowledged: $(grep ack "$T/out.jsonl")"
exec 3>&-
stop_ok $CONSOLE console

# Every checkpoint is an 'rfc6962' one whose root is the tree hash of the
# bodies, computed here from RFC 6962 section 2.1 without invigil.
python3 - "$T/m.db" <<'PYEOF' || fail "the checkpoints do not sign the tree hash"
import base64, hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
leaves = [hashlib.sha256(b"\0" + b.encode()).digest()
          for (b,) in db.execute("select body from journal order by seq")]
def mth(l):
    if len(l) == 1:
        return l[0]
    k = 1
    while k * 2 < len(l):
        k *= 2
    return hashlib.sha256(b"\1" + mth(l[:k]) + mth(l[k:])).digest()
n = 0
for size, tree, note in db.execute("select size, tree, note from checkpoints"):
    assert tree == "rfc6962", tree
    root = base64.b64decode(note.split("\n")[2])
    assert root == mth(leaves[:size]), size
    n += 1
assert n >= 3, n
print("tree hashes of %d checkpoints agree" % n)
PYEOF
SIZES=$(sqlite3 -readonly "$T/m.db" "select group_concat(size, ' ') from checkpoints")
OLD=$(echo $SIZES | cut -d' ' -f1)
NEW=$(echo $SIZES | awk '{print $NF}')
[ "$OLD" -lt "$NEW" ] || fail "want two checkpoints of different sizes: $SIZES"

run() {	# run WANT_STATUS PATTERN ARGS...: invigil review ARGS
	want=$1 pat=$2; shift 2
	out=$(timeout 20 "$INVIGIL" review "$@" 2>&1)
	rc=$?
	[ "$rc" = "$want" ] || fail "review $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "review $*: lacks /$pat/: $out"
}

# --key: a vkey string, or a file holding one.
VKEY=$(sqlite3 -readonly "$T/m.db" "select vkey from keys where name = 'ana'")
echo "$VKEY" >"$T/ana.vkey"
OTHER="PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
run 0 "every checkpoint is signed by one of the 1 key given" verify --db "$T/m.db" --key "$VKEY"
run 0 "of the 2 keys given" verify --db "$T/m.db" --key "$OTHER" --key "$T/ana.vkey"
run 1 "^FAILED \(untrusted\).*signed only by ana, and by none of the keys given" \
    verify --db "$T/m.db" --key "$OTHER"
run 2 "neither a verifier key" verify --db "$T/m.db" --key "ana+1234+nope"
# (The attacker's own key in the keys table, re-signing, is
# check_journal's test_trusted_keys.)

# The consistency proof between the first and the last checkpoint.
timeout 20 "$INVIGIL" review checkpoints --db "$T/m.db" --prove-consistency "$OLD" "$NEW" \
    >"$T/proof.txt" 2>"$T/proof.err" || fail "prove-consistency: $(cat "$T/proof.err")"
head -3 "$T/proof.txt" | tr '\n' '|' | grep -qx "invigil consistency proof v1|old $OLD|new $NEW|" ||
	fail "proof header: $(head -3 "$T/proof.txt")"
NHASH=$(grep -c '^hash ' "$T/proof.txt")
run 0 "^OK: the tree of $OLD entries is a prefix of the tree of $NEW" \
    checkpoints --verify-consistency "$T/proof.txt" --key "$T/ana.vkey"
echo "$out" | grep -q "both checkpoints are signed by ana" || fail "signers: $out"
run 0 "signatures were not checked" checkpoints --verify-consistency "$T/proof.txt"
run 1 "^FAILED: the old checkpoint \(size $OLD\) is signed by none of the keys given" \
    checkpoints --verify-consistency "$T/proof.txt" --key "$OTHER"
node "$PEER/tlog.js" consistency "$T/proof.txt" >"$T/node.out" 2>&1 ||
	fail "Node refuses the proof: $(cat "$T/node.out")"
grep -q "size $OLD is a prefix of size $NEW" "$T/node.out" || fail "node: $(cat "$T/node.out")"
# Node also checks both notes' signatures (verify-note.js), taking them
# out of the file with tlog.js used as a module.
node -e '
const fs = require("fs"), tlog = require(process.argv[1]);
const r = tlog.checkConsistencyFile(fs.readFileSync(process.argv[2], "utf8"));
r.notes.forEach((n, i) => fs.writeFileSync(process.argv[3] + i, n));
' "$PEER/tlog.js" "$T/proof.txt" "$T/pnote" || fail "tlog.js as a module"
for f in "$T/pnote0" "$T/pnote1"; do
	node "$PEER/verify-note.js" "$T/ana.vkey" "$f" >"$T/vn.out" 2>&1 ||
		fail "Node does not verify the note $f: $(cat "$T/vn.out" "$f")"
done

# Any change to the proof fails both.
NBAD=0
refuse() {	# refuse WHAT FILE: invigil and Node both refuse FILE
	out=$(timeout 20 "$INVIGIL" review checkpoints --verify-consistency "$2" --key "$VKEY" 2>&1)
	[ $? = 1 ] || fail "invigil accepts a proof with $1: $out"
	node "$PEER/tlog.js" consistency "$2" >"$T/node.out" 2>&1
	[ $? = 1 ] || fail "Node accepts a proof with $1: $(cat "$T/node.out")"
	NBAD=$((NBAD + 1))
}
[ "$NHASH" -ge 1 ] || fail "a proof from $OLD to $NEW with no hash"
python3 - "$T/proof.txt" "$T/bad" <<'PYEOF'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
def put(name, ls):
    open(sys.argv[2] + "-" + name, "w").write("\n".join(ls))
for i, l in enumerate(lines):
    if l.startswith("hash "):
        h = bytearray(base64.b64decode(l[5:]))
        h[7] ^= 4
        put("flip%d" % i, lines[:i] + ["hash " + base64.b64encode(bytes(h)).decode()] + lines[i + 1:])
        put("drop%d" % i, lines[:i] + lines[i + 1:])
put("sizes", [lines[0], lines[1].replace("old ", "old 1"), lines[2]] + lines[3:])
extra = [l for l in lines if l.startswith("hash ")][0]
put("extra", lines[:3] + [extra] + lines[3:])
# The old note's root changed (its signature breaks too).
i = [k for k, l in enumerate(lines) if l == ""][0] + 3
r = bytearray(base64.b64decode(lines[i]))
r[0] ^= 1
put("root", lines[:i] + [base64.b64encode(bytes(r)).decode()] + lines[i + 1:])
PYEOF
for f in "$T"/bad-*; do
	refuse "$(basename "$f")" "$f"
done

# No proof for a size that has no checkpoint, nor backwards.
run 1 "has no checkpoint of size $((NEW + 1))" checkpoints --db "$T/m.db" \
    --prove-consistency "$OLD" $((NEW + 1))
run 1 "the old one first" checkpoints --db "$T/m.db" --prove-consistency "$NEW" "$OLD"
run 2 "takes two checkpoint sizes" checkpoints --db "$T/m.db" --prove-consistency "$OLD"
run 2 "needs no database" checkpoints --db "$T/m.db" --verify-consistency "$T/proof.txt"

# An imported journal: m.db's, inside a database of another origin, is its
# own chain: verified, proven, and a change in it is named by its origin.
ORIGIN=$(sqlite3 -readonly "$T/m.db" "select value from meta where key = 'journal_origin'")
cp "$T/m.db" "$T/case.db"
sqlite3 "$T/case.db" "DROP TRIGGER checkpoints_no_delete;
    DELETE FROM checkpoints;
    UPDATE meta SET value = 'invigil.local/journal/case' WHERE key = 'journal_origin';
    ATTACH '$T/m.db' AS src;
    INSERT INTO sources VALUES ('$ORIGIN', 'm.db', 0, (SELECT count(*) FROM src.journal));
    INSERT INTO imported_journal SELECT '$ORIGIN', * FROM src.journal ORDER BY seq;
    INSERT INTO imported_checkpoints SELECT '$ORIGIN', size, root, signer, time_ms, note, tree
        FROM src.checkpoints ORDER BY id;" || fail "cannot build the case database"
NCK=$(echo $SIZES | wc -w)
NJ=$(sqlite3 -readonly "$T/m.db" "select count(*) from journal")
run 0 "^imported: 1 journal, $NJ entries, $NCK checkpoints, all intact" verify --db "$T/case.db"
run 0 "every checkpoint is signed by one of the 1 key" verify --db "$T/case.db" --key "$VKEY"
timeout 20 "$INVIGIL" review checkpoints --db "$T/case.db" --origin "$ORIGIN" \
    --prove-consistency "$OLD" "$NEW" >"$T/iproof.txt" 2>"$T/iproof.err" ||
	fail "prove-consistency --origin: $(cat "$T/iproof.err")"
cmp -s "$T/iproof.txt" "$T/proof.txt" || fail "the imported chain's proof differs from the source's"
run 1 "has no checkpoint of size $OLD" checkpoints --db "$T/case.db" --prove-consistency "$OLD" "$NEW"
sqlite3 "$T/case.db" "DROP TRIGGER imported_journal_no_update;
    UPDATE imported_journal SET reason = 'rewritten' WHERE seq = 2 AND reason IS NOT NULL" ||
	fail "cannot alter the imported journal"
run 1 "^FAILED \(altered\) at seq 2: in the journal imported from \"$ORIGIN\"" verify --db "$T/case.db"

echo "PASS: checkpoints sign the RFC 6962 tree hash (checked in Python); --key trusts only keys given; a consistency proof $OLD -> $NEW ($NHASH hashes) verifies with invigil and Node (tlog.js, $(cat "$T/tlog-test.out" | sed 's/tlog-test: //')) and $NBAD altered copies fail both; an imported chain verifies, proves and names its origin"
