#!/bin/bash
# e2e-feed-startup.sh - `invigil feed` starts where it is told or says in one
# sentence why not: host names resolve (and the address used is named), an
# address that is not this machine's or a port in use exits 1 instead of
# listening nowhere, an IPv4 address is bound as given (not every address),
# the default id comes from the port bound, a feed beyond loopback needs
# authentication or --no-auth, options the mode would ignore are refused,
# and the buffer file is private.  Every command runs under `timeout`; the whole test has a deadline.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=120 exec timeout 120 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

NREFUSED=0 NSTARTED=0 CODES=""

# refused STATUS SENTENCE ARGS...: `invigil feed ARGS` exits STATUS within
# 10 s and its first line on stderr is exactly SENTENCE.
refused() {
	want=$1 sentence=$2; shift 2
	timeout 10 "$INVIGIL" feed "$@" </dev/null >/dev/null 2>"$T/refused.err"
	rc=$?
	NREFUSED=$((NREFUSED + 1)); CODES="$CODES $rc"
	first=$(head -1 "$T/refused.err")
	echo "feed $*: exit $rc: $first"
	[ "$rc" = "$want" ] || fail "feed $*: exit $rc, want $want: $(cat "$T/refused.err")"
	[ "$first" = "$sentence" ] || fail "feed $*: said \"$first\", want \"$sentence\""
	# One sentence, then at most the pointer to --help.
	n=$(grep -vc "^Try 'invigil feed --help'.$" "$T/refused.err")
	[ "$n" = 1 ] || fail "feed $*: $n lines, want one: $(cat "$T/refused.err")"
}

# started NAME LISTEN ARGS...: `invigil feed --listen LISTEN ARGS` logs
# "listening on"; sets PORT, ADDR (as logged) and LOG.
started() {
	name=$1 listen=$2; shift 2
	LOG=$T/$name.log
	"$INVIGIL" feed --listen "$listen" "$@" 2>"$LOG" &
	pid=$!
	PIDS="$PIDS $pid"
	NSTARTED=$((NSTARTED + 1))
	wait_for 10 grep -q "listening on" "$LOG" ||
	    fail "$name: no \"listening on\": $(cat "$LOG")"
	line=$(grep "listening on" "$LOG")
	PORT=$(echo "$line" | sed -n 's/.*listening on .*:\([0-9]*\) as .*/\1/p')
	ADDR=$(echo "$line" | sed -n 's/.*listening on \(.*\):[0-9]* as .*/\1/p')
	echo "$name: $line"
}

# listens ADDR PORT: a listening socket bound to exactly ADDR:PORT.
listens() {
	ss -Hltn "sport = :$2" | awk '{print $4}' | grep -qxF "$1:$2"
}

# A host name resolves; the address used is named.
started name localhost:0 --simulate 1
LOCALHOST=$ADDR
grep -qxF "invigil feed: --listen localhost: using the address $ADDR" "$LOG" ||
    fail "no line naming the address: $(cat "$LOG")"
case $ADDR in 127.*|::1) ;; *) fail "localhost resolved to $ADDR";; esac

# The default id is the port bound, also with port 0: two feeds differ.
grep -qF "as \"feed-$PORT\"" "$LOG" || fail "id is not feed-$PORT: $(cat "$LOG")"
started second 127.0.0.1:0 --simulate 1
[ "$PORT" != 0 ] && grep -qF "as \"feed-$PORT\"" "$LOG" ||
    fail "second feed's id is not feed-$PORT: $(cat "$LOG")"
IN_USE=$PORT

# An IPv4 address is bound as given (lws 4.1 bound 127.0.0.2 as [::]).
if command -v ss >/dev/null 2>&1; then
	started loop2 127.0.0.2:0 --simulate 1
	listens 127.0.0.2 "$PORT" ||
	    fail "127.0.0.2:$PORT not bound as given: $(ss -Hltn "sport = :$PORT")"
	echo "bound: $(ss -Hltn "sport = :$PORT" | awk '{print $4}')"
else
	echo "ss not found: the bound address is not checked"
fi

# A port in use.
refused 1 "invigil feed: cannot listen on 127.0.0.1:$IN_USE: the port is in use; stop what holds it or give another port" \
    --simulate 1 --listen "127.0.0.1:$IN_USE"

# IPv6, with brackets.
if [ -r /proc/net/if_inet6 ] && grep -q "^00000000000000000000000000000001 " /proc/net/if_inet6; then
	started v6 '[::1]:0' --simulate 1
	[ "$ADDR" = "::1" ] || fail "[::1] logged as $ADDR"
	! grep -q "using the address" "$LOG" || fail "[::1] said it resolved: $(cat "$LOG")"
else
	echo "no IPv6 loopback: [::1] not checked"
fi

# Names and addresses that cannot be listened on: exit 1, one sentence.
timeout 10 "$INVIGIL" feed --simulate 1 --listen 256.1.1.1:7462 2>"$T/bad.err" </dev/null
rc=$?
echo "feed --listen 256.1.1.1:7462: exit $rc: $(cat "$T/bad.err")"
[ "$rc" = 1 ] || fail "256.1.1.1: exit $rc, want 1"
grep -qxE 'invigil feed: --listen: cannot resolve "256\.1\.1\.1" \([^)]*\); give an address of this machine, e\.g\. 127\.0\.0\.1:7450' "$T/bad.err" ||
    fail "256.1.1.1: wrong sentence"
[ "$(wc -l <"$T/bad.err")" = 1 ] || fail "256.1.1.1: more than one line"
# 203.0.113.0/24 is TEST-NET-3: documentation only, on no machine.
refused 1 "invigil feed: cannot listen on 203.0.113.7:7463: 203.0.113.7 is not an address of this machine; give one of its own" \
    --simulate 1 --listen 203.0.113.7:7463 --no-auth

# Beyond loopback: authentication or an explicit --no-auth.
refused 2 "invigil feed: refusing to listen on 0.0.0.0 without --token-file or --cert and --key, as anyone who can reach it would see candidates' names and addresses and could pause or end their attempts (give --no-auth to do so anyway)" \
    --simulate 1 --listen 0.0.0.0:0
started noauth 0.0.0.0:0 --simulate 1 --no-auth
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token"
chmod 600 "$T/token"
started token 0.0.0.0:0 --simulate 1 --token-file "$T/token"
grep -qF "token required" "$LOG" || fail "token feed: $(cat "$LOG")"

# Options the mode would ignore, malformed values: usage errors.
printf '{"t":"attempt","attempt":"A1","candidate":"C1","name":"n","exam":"E","modality":"remote","state":"scheduled"}\n' >"$T/one.jsonl"
refused 2 "invigil feed: --seed goes with --simulate: a scenario file has no randomness to seed" \
    --replay "$T/one.jsonl" --seed 3 --listen 127.0.0.1:0
refused 2 "invigil feed: --truth goes with --simulate: a scenario file has no ground truth to write" \
    --replay "$T/one.jsonl" --truth "$T/truth" --listen 127.0.0.1:0
refused 2 "invigil feed: --epoch wants a whole number from 1 to 9007199254740991 (2^53-1, exact in every JSON implementation), not \"abc\"" \
    --simulate 1 --epoch abc --listen 127.0.0.1:0
refused 2 "invigil feed: --epoch wants a whole number from 1 to 9007199254740991 (2^53-1, exact in every JSON implementation), not \"-5\"" \
    --simulate 1 --epoch -5 --listen 127.0.0.1:0
# An epoch a welcome cannot carry (the codec refuses above 2^53-1).
refused 2 "invigil feed: --epoch wants a whole number from 1 to 9007199254740991 (2^53-1, exact in every JSON implementation), not \"9007199254740992\"" \
    --simulate 1 --epoch 9007199254740992 --listen 127.0.0.1:0
refused 2 "invigil feed: $T/none.pem: cannot open the certificate file: No such file or directory" \
    --simulate 1 --cert "$T/none.pem" --key "$T/none.pem" --listen 127.0.0.1:0
long=$(printf 'n%.0s' $(seq 1 257))
refused 2 "invigil feed: --name wants 1 to 256 bytes of UTF-8 text, not \"$long\"" \
    --simulate 1 --name "$long" --listen 127.0.0.1:0

# --epoch against a buffer file that holds another: exit 1.
started buffered 127.0.0.1:0 --replay "$T/one.jsonl" --id hall --epoch 7 \
    --buffer-file "$T/buffer"
stop_ok "$pid" "feed $name"
refused 1 "invigil feed: --buffer-file $T/buffer holds epoch 7, not --epoch 8; drop --epoch to go on with the file's or give a new path" \
    --replay "$T/one.jsonl" --id hall --epoch 8 --buffer-file "$T/buffer" --listen 127.0.0.1:0
# The buffer file holds names and addresses: created 0600 whatever the
# umask; an existing one others can read is used with a warning; a link is
# refused (CI runs as root: modes are checked, not access).
mode=$(stat -c %a "$T/buffer")
echo "buffer file created mode $mode (umask $(umask))"
[ "$mode" = 600 ] || fail "buffer file created mode $mode, want 600"
chmod 644 "$T/buffer"
started loose 127.0.0.1:0 --replay "$T/one.jsonl" --id hall --buffer-file "$T/buffer"
grep -qxF "invigil feed: --buffer-file $T/buffer can be read by other users (mode 0644) though it holds candidates' names, addresses and events; chmod 600 $T/buffer" "$LOG" ||
    fail "no warning for a buffer file of mode 0644: $(cat "$LOG")"
stop_ok "$pid" "feed $name"
ln -s "$T/buffer" "$T/buffer.link"
refused 1 "invigil feed: --buffer-file $T/buffer.link is a symbolic link; give the file itself" \
    --replay "$T/one.jsonl" --id hall --buffer-file "$T/buffer.link" --listen 127.0.0.1:0

codes=$(echo $CODES | tr ' ' '\n' | sort | uniq -c | awk '{printf "%s%s x exit %s", (NR > 1 ? ", " : ""), $1, $2}')
echo "PASS: feed start-up: names resolve (localhost -> $LOCALHOST), bind failures exit 1, ids from the port, auth beyond loopback, ignored options refused, buffer file $mode; $NSTARTED feeds started, $NREFUSED refused with one sentence ($codes)"
