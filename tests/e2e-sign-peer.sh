#!/bin/bash
# e2e-sign-peer.sh - the signed checkpoints of store/sign.c against a second,
# independent implementation of the C2SP signed-note format: Node's
# built-in crypto (tests/peer/verify-note.js), not OpenSSL.  The peer is
# first anchored to the published example of Go's sumdb/note package; then
# a fresh key's checkpoint, written by check_sign (SIGN_PEER_DIR), must
# verify, and must not once a byte of its text or of its signature changes.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$TESTS/.." && pwd)
O=${O:-build}
PEER=$TESTS/peer

command -v node >/dev/null 2>&1 ||
    fail "node not found: install Debian's nodejs (scripts/install-deps)"
# Built by `make check-e2e` before the suite: no make in the tree mid-run.
[ -x "$ROOT/$O/check_sign" ] ||
    fail "$O/check_sign is not built: make $O/check_sign (make check-e2e does)"

NVERIFY=0 NOK=0

# verify WANT VKEY NOTE: verify-note.js must exit with status WANT.
verify() {
	want=$1; shift
	node "$PEER/verify-note.js" "$@" >"$T/peer.out" 2>"$T/peer.err"
	got=$?
	NVERIFY=$((NVERIFY + 1)); [ "$got" -eq 0 ] && NOK=$((NOK + 1))
	[ "$got" -eq "$want" ] || fail "verify-note.js $* exited $got," \
	    "not $want: $(cat "$T/peer.out" "$T/peer.err")"
}

# 1. The peer itself, on the published example (golang.org/x/mod/sumdb/note).
GO_VKEY=PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW
GO_SIG=x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX
GO_SIG=${GO_SIG}gKvqfqdngotpRZb6KE6RyyBwJnAM=
printf '%s\n%s\n\n— PeterNeumann %s\n' \
    "If you think cryptography is the answer to your problem," \
    "then you don't know what your problem is." "$GO_SIG" >"$T/go-note.txt"
verify 0 "$GO_VKEY" "$T/go-note.txt"
sed 's/cryptography/cryptographY/' "$T/go-note.txt" >"$T/go-bad.txt"
verify 1 "$GO_VKEY" "$T/go-bad.txt"

# 2. A checkpoint signed by store/sign.c with a fresh key.
mkdir "$T/peer"
TESTS_DIR=$TESTS SIGN_PEER_DIR=$T/peer CK_RUN_CASE=keys "$ROOT/$O/check_sign" \
    >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "check_sign failed"; }
[ -s "$T/peer/note.txt" ] && [ -s "$T/peer/vkey.txt" ] ||
    fail "check_sign wrote no note.txt and vkey.txt into SIGN_PEER_DIR"
verify 0 "$T/peer/vkey.txt" "$T/peer/note.txt"
grep -q '^ok: checkpoint origin=invigil.example/journal size=42 ' \
    "$T/peer.out" || fail "the peer did not read the checkpoint: $(cat "$T/peer.out")"

# 3. One byte changed in the text (the size), then in the signature.
sed '2s/^42$/43/' "$T/peer/note.txt" >"$T/text-flip.txt"
cmp -s "$T/peer/note.txt" "$T/text-flip.txt" && fail "the text flip did nothing"
verify 1 "$T/peer/vkey.txt" "$T/text-flip.txt"
grep -q 'does not verify' "$T/peer.err" || fail "text flip: $(cat "$T/peer.err")"
# The 20th base64 character of the signature line is past the key id.
awk 'NR == 5 {
	c = substr($3, 20, 1)
	$3 = substr($3, 1, 19) (c == "A" ? "B" : "A") substr($3, 21)
} { print }' "$T/peer/note.txt" >"$T/sig-flip.txt"
cmp -s "$T/peer/note.txt" "$T/sig-flip.txt" && fail "the signature flip did nothing"
verify 1 "$T/peer/vkey.txt" "$T/sig-flip.txt"

echo "PASS: a Node (crypto) verifier accepts the checkpoints store/sign.c" \
    "signs, and rejects them changed by one byte ($NVERIFY notes verified:" \
    "$NOK accepted, $((NVERIFY - NOK)) refused; the checkpoint of size" \
    "$(sed -n 2p "$T/peer/note.txt") signed by key $(cut -d+ -f1,2 "$T/peer/vkey.txt"))"
