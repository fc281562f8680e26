#!/bin/bash
# e2e-u-feed-limit.sh - the console takes at most 32 feeds (invigil(1),
# --feed): 33 --feed options are a usage error (exit 2) naming the limit,
# before anything is opened; 32 are accepted, and the console then tries
# every one of them, backing off 0.5 s doubling with +-25 % jitter.  The feeds are distinct paths on a loopback port where
# nothing listens, so every attempt is refused at once and retried.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=60 exec timeout 60 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

# feeds N: N --feed options, ws://127.0.0.1:1/f1 ... /fN.
feeds() {
	for i in $(seq 1 "$1"); do printf -- '--feed\nws://127.0.0.1:1/f%d\n' "$i"; done
}

# 33: refused, naming the limit; no database made.
mapfile -t F33 < <(feeds 33)
timeout 10 "$INVIGIL" --headless "${F33[@]}" --db "$T/33.db" \
    </dev/null >"$T/33.out" 2>"$T/33.err"
rc=$?
[ $rc = 2 ] || fail "33 feeds: exit $rc, not 2 (usage): $(cat "$T/33.err")"
grep -q 'at most 32 feeds' "$T/33.err" || fail "33 feeds: the error does not name the limit: $(cat "$T/33.err")"
[ ! -e "$T/33.db" ] || fail "33 feeds: a database was made before the usage error"
echo "33 feeds: exit $rc: $(head -1 "$T/33.err")"

# 32 and --demo: the simulator counts as a feed.
mapfile -t F32 < <(feeds 32)
timeout 10 "$INVIGIL" --headless --demo=2 "${F32[@]}" --db "$T/demo.db" \
    </dev/null >"$T/demo.out" 2>"$T/demo.err"
rc=$?
[ $rc = 2 ] && grep -q 'at most 32 feeds, --demo' "$T/demo.err" ||
    fail "32 feeds and --demo: exit $rc: $(cat "$T/demo.err")"

# 32: accepted; every feed is tried (its refusal reported with a retry).
mkfifo "$T/in"
"$INVIGIL" --headless "${F32[@]}" --db "$T/32.db" \
    <"$T/in" >"$T/32.out" 2>"$T/32.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"
trap 'exec 3>&- 2>/dev/null; cleanup' EXIT
tried() {
	n=$(grep -o 'feed ws://127\.0\.0\.1:1/f[0-9]*: ' "$T/32.err" | sort -u | wc -l)
	[ "$n" -eq 32 ]
}
wait_for 20 tried || { kill -0 $CONSOLE 2>/dev/null || fail "32 feeds: the console exited: $(cat "$T/32.err")"
    fail "32 feeds: not every feed was tried: $(grep -o 'feed ws://127\.0\.0\.1:1/f[0-9]*: ' "$T/32.err" | sort -u | wc -l) of 32"; }
kill -0 $CONSOLE 2>/dev/null || fail "32 feeds: the console exited: $(cat "$T/32.err")"

# The backoff as the running console applies it (client_retry_delay() is
# unit-tested in check_console): each feed's k-th "next try in X s" is
# 0.5 s x 2^k within +-25 % (X is rounded to 0.1 s), and the jitter really
# is drawn: the 32 feeds' first delays are not all the same.
fourth() { [ "$(grep -c 'feed ws://127\.0\.0\.1:1/f1: .*next try in' "$T/32.err")" -ge 4 ]; }
wait_for 30 fourth || fail "32 feeds: feed f1 was not retried 4 times: $(grep 'f1:' "$T/32.err")"
awk '
match($0, /feed ws:\/\/127\.0\.0\.1:1\/f[0-9]+: .*next try in [0-9.]+ s/) {
	s = substr($0, RSTART, RLENGTH)
	split(s, w, " "); f = w[2]
	x = s; sub(/.*next try in /, "", x); sub(/ s$/, "", x)
	k = n[f]++
	nominal = 0.5 * 2 ^ k; if (nominal > 30) nominal = 30
	if (x + 0 < 0.75 * nominal - 0.05 || x + 0 > 1.25 * nominal + 0.05) {
		printf "%s retry %d: %s s, not %.3g s +-25 %%\n", f, k, x, nominal
		bad = 1
	}
	if (k == 0) first[x] = 1
}
END {
	for (x in first) d++
	if (d < 2) { print "the first delays of the 32 feeds are all " x " s: no jitter"; bad = 1 }
	exit bad
}' "$T/32.err" >"$T/backoff.txt" || fail "32 feeds: backoff: $(cat "$T/backoff.txt")"
echo "backoff: f1 $(grep -o 'f1: .*' "$T/32.err" | sed -n 's/.*next try in \([0-9.]*\) s.*/\1/p' | tr '\n' ' ')s; first delays seen: $(grep -o 'f[0-9]*: .*' "$T/32.err" | awk -F'next try in ' '!seen[$1]++ {print $2}' | sort -u | tr '\n' ' ')"
stop $CONSOLE
rc=$?
[ $rc = 0 ] || fail "32 feeds: exit $rc on SIGTERM, not 0: $(cat "$T/32.err")"
echo "32 feeds: accepted, all 32 tried, exit 0 on SIGTERM"

nretries=$(grep -c 'feed ws://127\.0\.0\.1:1/f[0-9]*: .*next try in' "$T/32.err")
nfirst=$(grep -o 'f[0-9]*: .*' "$T/32.err" | awk -F'next try in ' '!seen[$1]++ {print $2}' | sort -u | wc -l)
echo "PASS: 33 --feed options are a usage error naming the limit of 32 (and 32 with --demo); 32 are accepted and all tried ($nretries retries within 0.5 s doubling +-25 %, $nfirst distinct first delays; exit 0 on SIGTERM)"
