#!/bin/bash
# e2e-install.sh - `make install PREFIX=... DESTDIR=...` puts the binary and
# every man page where they belong, and the installed binary runs.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$TESTS/.." && pwd)
O=${O:-build}
# -o: the binary the suite tests is installed as it is, never rebuilt in
# the tree in the middle of the suite.
[ -x "$ROOT/$O/invigil" ] || fail "$O/invigil is not built: make $O/invigil"
make -s -C "$ROOT" -o "$O/invigil" install O="$O" PREFIX=/opt/inv DESTDIR="$T/dest" >"$T/make.log" 2>&1 ||
    { cat "$T/make.log" >&2; fail "make install failed"; }
"$T/dest/opt/inv/bin/invigil" --help | grep -q -- "--feed" || fail "installed binary does not run"
for m in "$ROOT"/man/*.[157]; do
	s=${m##*.}
	[ -f "$T/dest/opt/inv/share/man/man$s/$(basename "$m")" ] || fail "$(basename "$m") not installed"
done
echo "PASS: make install puts the binary and $(ls "$ROOT"/man/*.[157] | wc -l) man pages under DESTDIR/PREFIX"
