#!/bin/bash
# e2e-token.sh - a feed that requires a token: a console that gives none is
# told so and to give --token-file; one that gives a wrong token is told the
# feed refused it; neither tries again within 6 s (the next try is
# announced 45..75 s away, and consoles refused together do not announce
# the same delay: the jitter is drawn afresh in each process); the right
# one is let in.
. "$(dirname "$0")/lib.sh"
watchdog 60

head -c 24 /dev/urandom | base64 >"$T/token"; chmod 600 "$T/token"
head -c 24 /dev/urandom | base64 >"$T/wrong"; chmod 600 "$T/wrong"
start_feed --simulate 3 --token-file "$T/token" --id locked
URL=ws://127.0.0.1:$FEED_PORT/

# console NAME ARGS...: headless in the background, stderr in $T/NAME.err
console() {
	name=$1; shift
	"$INVIGIL" --headless --db "$T/$name.db" --feed "$URL" "$@" \
	    </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	CONSOLE_PID=$!
	PIDS="$PIDS $CONSOLE_PID"
}
said() { grep -qF -- "$2" "$T/$1.err"; }

console none
NONE_PID=$CONSOLE_PID
wait_for 15 said none "invigil: feed $URL: the feed requires a token and none was given (HTTP 401); give --token-file PATH; next try in" ||
    { cat "$T/none.err" >&2; fail "no token: not told the feed requires one"; }
said none "refused the token" && fail "no token: told the token was refused: $(cat "$T/none.err")"

console wrong --token-file "$T/wrong"
WRONG_PID=$CONSOLE_PID
wait_for 15 said wrong "invigil: feed $URL: feed refused the token (HTTP 401); check --token-file; next try in" ||
    { cat "$T/wrong.err" >&2; fail "wrong token: not told it was refused"; }
# Two more without a token, refused at about the same time.
console none2
NONE2_PID=$CONSOLE_PID
console none3
NONE3_PID=$CONSOLE_PID
wait_for 15 said none2 "(HTTP 401)" && wait_for 15 said none3 "(HTTP 401)" ||
    fail "more consoles without a token: not told: $(cat "$T/none2.err" "$T/none3.err")"
# A refused console waits 60 s (+-25 %) before it tries again, doubling to
# 10 min: over a window of several seconds the feed sees exactly one
# upgrade from each, and each says when it tries next, 45..75 s away.
sleep 6
refusals() { grep -c "refused a console: $1 token" "$FEED_LOG"; }
[ "$(refusals no)" = 3 ] && [ "$(refusals wrong)" = 1 ] ||
    fail "refused consoles retried within 6 s: $(refusals no) upgrades without a token from 3 consoles, $(refusals wrong) with the wrong one from 1"
next_try() { sed -n 's/.*(HTTP 401);.*next try in \([0-9]*\)\.[0-9] s.*/\1/p' "$T/$1.err" | head -1; }
delay() { sed -n 's/.*(HTTP 401);.*next try in \([0-9.]*\) s.*/\1/p' "$T/$1.err" | head -1; }
# Four draws of 51 jitter steps all equal by chance: 1 in 132,651.
delays="$(delay none) $(delay wrong) $(delay none2) $(delay none3)"
[ "$(echo $delays | tr ' ' '\n' | sort -u | wc -l)" -ge 2 ] ||
    fail "four consoles refused together all wait the same time ($delays s): the jitter is not drawn per process"
for c in none wrong none2 none3; do
	n=$(next_try $c)
	[ -n "$n" ] && [ "$n" -ge 45 ] && [ "$n" -le 75 ] ||
	    fail "$c: the next try is announced in '${n:-?}' s, not 45..75: $(cat "$T/$c.err")"
	[ "$(grep -c "HTTP 401" "$T/$c.err")" = 1 ] ||
	    fail "$c: told of the refusal $(grep -c "HTTP 401" "$T/$c.err") times in 6 s"
done
stop "$NONE_PID" || fail "no token: the console did not stop cleanly"
stop "$WRONG_PID" || fail "wrong token: the console did not stop cleanly"
stop "$NONE2_PID" && stop "$NONE3_PID" || fail "no token: a console did not stop cleanly"

console right --token-file "$T/token"
wait_for 15 rows_at_least "$T/right.db" 1 || { cat "$T/right.err" >&2; fail "right token: nothing stored"; }
stop "$CONSOLE_PID" || fail "right token: the console did not stop cleanly"
echo "PASS: no token, a wrong token and the right one are each told apart; refused: 1 upgrade each in 6 s, next tries in $delays s ($(sqlite3 -readonly "$T/right.db" "select count(*) from messages") messages stored with the right token, $(sqlite3 -readonly "$T/wrong.db" "select count(*) from messages" 2>/dev/null || echo 0) with the wrong one)"
