#!/bin/bash
# e2e-fifo.sh - files named on the command line that are not regular files
# are refused at once, never waited on: a FIFO (no writer ever comes) or a
# directory as the --rules file (at start, on SIGHUP, in `invigil rules
# check`), as the --token-file of the feed and of the console, as the
# console's --ca and the feed's --cert/--key.  Every
# command runs under `timeout`; exit 124 would mean it hung.
# The whole test runs under a deadline: it drives FIFOs, which could hang.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=120 exec timeout 120 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

NREFUSED=0 SLOWEST=0

# run_refused WANT_STATUS PATTERN NAME ARGS...: invigil ARGS exits WANT_STATUS
# within 10 s, saying PATTERN on stderr.
run_refused() {
	want=$1 pat=$2 name=$3; shift 3
	start=$(date +%s%N)
	timeout 10 "$INVIGIL" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	NREFUSED=$((NREFUSED + 1))
	[ "$ms" -le "$SLOWEST" ] || SLOWEST=$ms
	echo "$name: exit $rc after $ms ms: $(head -1 "$T/$name.err")"
	[ $rc != 124 ] || fail "$name: hung (killed by timeout)"
	[ $rc = "$want" ] || fail "$name: exit $rc, want $want: $(cat "$T/$name.err")"
	grep -q -- "$pat" "$T/$name.err" || fail "$name: stderr lacks /$pat/: $(cat "$T/$name.err")"
}

mkfifo "$T/rules.fifo" "$T/token.fifo" "$T/ca.fifo" "$T/cert.fifo"
mkdir "$T/token.dir"
run_refused 1 'rules.fifo: is a FIFO, not a regular file; give the rule file as a regular file' \
    rules-check rules check "$T/rules.fifo"
run_refused 2 'rules.fifo: is a FIFO, not a regular file' \
    console-rules --headless --feed ws://127.0.0.1:1/ --db "$T/a.db" --rules "$T/rules.fifo"
run_refused 2 'token.fifo: is a FIFO, not a regular file; give the token file as a regular file' \
    feed-token feed --simulate 2 --listen 127.0.0.1:0 --token-file "$T/token.fifo"
run_refused 2 'token.fifo: is a FIFO, not a regular file' \
    console-token --headless --feed ws://127.0.0.1:1/ --db "$T/b.db" --token-file "$T/token.fifo"
run_refused 2 'token.dir: is a directory; give the token file itself' \
    feed-token-dir feed --simulate 2 --listen 127.0.0.1:0 --token-file "$T/token.dir"
run_refused 2 'token.dir: is a directory; give the token file itself' \
    console-token-dir --headless --feed ws://127.0.0.1:1/ --db "$T/c.db" --token-file "$T/token.dir"
# Files libwebsockets reads by path: checked before it could block on them.
run_refused 2 'ca.fifo: is a FIFO, not a regular file; give the CA file as a regular file' \
    console-ca --headless --feed wss://127.0.0.1:1/ --db "$T/d.db" --ca "$T/ca.fifo"
run_refused 2 'cert.fifo: is a FIFO, not a regular file; give the certificate file as a regular file' \
    feed-cert feed --simulate 2 --listen 127.0.0.1:0 --cert "$T/cert.fifo" --key "$T/cert.fifo"
# Files the feed reads itself: a scenario and a buffer file.
mkfifo "$T/scenario.fifo" "$T/buffer.fifo"
run_refused 1 'scenario.fifo: is a FIFO, not a regular file; give the scenario file as a regular file' \
    feed-replay feed --replay "$T/scenario.fifo" --listen 127.0.0.1:0
run_refused 1 "buffer.fifo is not a regular file (a FIFO or a device?); give a regular file" \
    feed-buffer feed --replay "$TESTS/fixtures/scenario-small.jsonl" --listen 127.0.0.1:0 --buffer-file "$T/buffer.fifo"

# SIGHUP with the rule file replaced by a FIFO: the console keeps running on
# the old rules, says why, and goes on answering requests.
cp "$TESTS/fixtures/rules/hand-up.rules" "$T/live.rules"
start_feed --simulate 3 --seed 5
mkfifo "$T/in"
timeout 30 "$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/live.db" \
    --proctor ana --rules "$T/live.rules" <"$T/in" >"$T/live.out" 2>"$T/live.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3<>"$T/in"	# read-write: never blocks, even with no reader yet
trap 'exec 3>&-; cleanup' EXIT
has_attempt() { n=$(sqlite3 -readonly "$T/live.db" "select count(*) from attempts" 2>/dev/null); [ "${n:-0}" -ge 1 ]; }
wait_for 10 has_attempt || fail "the console took in no attempt"
ATTEMPT=$(sqlite3 -readonly "$T/live.db" "select attempt from attempts limit 1")

rm "$T/live.rules"
mkfifo "$T/live.rules"
kill -HUP $CONSOLE
hup=$(date +%s%N)
said() { grep -q 'rules NOT reloaded, the old rules stay in force: .*live.rules: is a FIFO, not a regular file' "$T/live.err"; }
wait_for 10 said || { cat "$T/live.err" >&2; fail "SIGHUP on a FIFO: no 'rules NOT reloaded ... is a FIFO'"; }
hup_ms=$(( ($(date +%s%N) - hup) / 1000000 ))
echo "SIGHUP: $(grep 'NOT reloaded' "$T/live.err")"
printf '{"id":"n1","op":"note","attempt":"%s","reason":"after SIGHUP"}\n' "$ATTEMPT" >&3
answered() { grep -q '"id":"n1","ok":true' "$T/live.out"; }
wait_for 10 answered || { cat "$T/live.out" "$T/live.err" >&2; fail "the console stopped answering after SIGHUP on a FIFO"; }
kill -0 $CONSOLE 2>/dev/null || fail "the console is gone"
echo "PASS: FIFOs and directories as rule, token, scenario and buffer files refused at once with the reason ($NREFUSED refusals, the slowest after $SLOWEST ms); SIGHUP on a FIFO keeps the old rules and the console running (said within $hup_ms ms, a request answered after it)"
