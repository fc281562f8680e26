#!/bin/bash
# e2e-peer-server.sh - `invigil --headless` against a second, independent
# implementation of protocol v1: a feed on Node's `ws` package
# (tests/peer/ws-server.js), not libwebsockets, serving a generated
# scenario of 2000 messages.  The console must store seq 1..2000 once each,
# byte for byte, with one flag line per (attempt, rule):
#   1. in one go;
#   2. when the feed is killed half-way and restarted: the console reconnects
#      by itself and resumes after its last seq (hello.resume);
#   3. when the console is stopped half-way and started again on its
#      database: it resumes from the stored position;
#   4. when the feed sends a 70 KB message (console closes 1009) or a text
#      frame that is not UTF-8 (1007): kept in rejects, its seq a gap, and the
#      console reconnects and resumes past it; a message that fails
#      validation: kept in rejects, the stream goes on;
#   5. with a bearer token: a wrong token gets nothing stored, the right one
#      everything.  Always runs: the console has --token-file.
. "$(dirname "$0")/lib.sh"

PEER=$TESTS/peer
N=2000
FEED=node-peer

peer_setup

python3 "$TESTS/gen-scenario.py" $N 50 >"$T/scenario.jsonl"


# start_console NAME [ARGS...]: invigil --headless on $PEER_PORT, database
# $T/NAME.db, flags appended to $T/NAME.flags; sets CONSOLE.
start_console() {
	name=$1; shift
	"$INVIGIL" --headless --feed "ws://127.0.0.1:$PEER_PORT/" \
	    --db "$T/$name.db" --proctor peer-e2e "$@" \
	    >>"$T/$name.flags" 2>>"$T/$name.err" &
	CONSOLE=$!
	PIDS="$PIDS $CONSOLE"
}

stop_console() {	# stop_console NAME: SIGTERM, expect exit 0 within 20 s
	stop "$CONSOLE"
	rc=$?
	[ $rc -ne 124 ] || fail "$1: console still running 20 s after SIGTERM"
	[ $rc -eq 0 ] || { cat "$T/$1.err" >&2; fail "$1: console exited $rc after SIGTERM"; }
}

count() {	# count DB: messages stored
	sqlite3 "$T/$1.db" "select count(*) from messages" 2>/dev/null || echo 0
}
stored_at_least() {	# stored_at_least DB N
	n=$(count "$1")
	[ "${n:-0}" -ge "$2" ]
}
stored_or_dead() {	# stored_or_dead DB N: enough stored, or the console is gone
	stored_at_least "$1" "$2" || ! kill -0 "$CONSOLE" 2>/dev/null
}
wait_stored() {	# wait_stored NAME N SECS
	wait_for "$3" stored_or_dead "$1" "$2" ||
	    { cat "$T/$1.err" >&2; fail "$1: only $(count "$1") of $2 messages stored after $3 s"; }
	if ! kill -0 "$CONSOLE" 2>/dev/null; then
		wait "$CONSOLE"
		rc=$?
		cat "$T/$1.err" >&2
		fail "$1: the console died (exit status $rc) with $(count "$1") of $2 messages stored"
	fi
}

# check_db NAME: everything stored once, as sent, flags as expected.
check_db() {
	python3 "$TESTS/check-replay.py" "$T/scenario.jsonl" "$T/$1.db" \
	    "$T/$1.flags" $FEED >"$T/$1.check" 2>&1 ||
	    { cat "$T/$1.check" >&2; fail "$1: stored messages differ from the scenario"; }
	s=$(sqlite3 "$T/$1.db" "select count(*), count(distinct seq), min(seq), max(seq)
	    from messages where feed = '$FEED'")
	[ "$s" = "$N|$N|1|$N" ] || fail "$1: count, distinct seq, min, max = $s"
}

# ev NAME JS-FILTER: the server events matching a filter, one JSON per line.
ev() {
	node -e '
		const f = new Function("e", "return " + process.argv[2]);
		for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n"))
			if (l && f(JSON.parse(l))) console.log(l);
	' "$T/$1.log" "$2"
}

# 1. In one go.
start_peer one 0 "$T/scenario.jsonl"
start_console one
wait_stored one $N 60
stop_console one
check_db one
hellos=$(ev one 'e.ev === "hello"')
[ "$(echo "$hellos" | wc -l)" = 1 ] || fail "one: expected one hello, got: $hellos"
echo "$hellos" | grep -q '"resume":null' || fail "one: a fresh database resumed: $hellos"
[ "$(sqlite3 "$T/one.db" 'select count(*) from gaps')" = 0 ] || fail "one: gaps recorded"
stop_ok "$PEER_PID" ws-server.js
echo "ok: $N messages from a ws feed stored once each, as sent"

# 2. The feed dies half-way and comes back on the same port.
start_peer crash fixed "$T/scenario.jsonl" --rate 400
port=$PEER_PORT
start_console crash
wait_stored crash 800 30
retries=$(grep -c 'next try in' "$T/crash.err")
kill -KILL "$PEER_PID"; wait "$PEER_PID" 2>/dev/null
at_kill=$(count crash)
# The console notices (says when it tries next) before the feed is back.
noticed() { [ "$(grep -c 'next try in' "$T/crash.err")" -gt "$retries" ]; }
wait_for 20 noticed || fail "crash: the console did not notice the feed died: $(tail -3 "$T/crash.err")"
start_peer crash "$port" "$T/scenario.jsonl"
wait_stored crash $N 60
stop_console crash
check_db crash
h2=$(ev crash 'e.ev === "hello" && e.conn === 1' | tail -n 1)
s2=$(ev crash 'e.ev === "start" && e.conn === 1' | tail -n 1)
after=$(echo "$h2" | sed -n 's/.*"resume":{"epoch":7,"after_seq":\([0-9]*\)}.*/\1/p')
[ -n "$after" ] || fail "crash: the console did not resume in epoch 7 after the restart: $h2"
[ "$after" -ge "$at_kill" ] && [ "$after" -lt $N ] ||
    fail "crash: resumed after seq $after; $at_kill were stored when the feed died"
echo "$s2" | grep -q "\"from\":$((after + 1))}" || fail "crash: restart sent from $s2"
echo "ok: feed killed at $at_kill stored; the console reconnected by itself, resumed after seq $after, $N stored once each"

# 3. The console stops half-way and starts again on its database.
start_peer restart 0 "$T/scenario.jsonl" --rate 400
start_console restart
wait_stored restart 600 30
stop_console restart
at_stop=$(count restart)
start_console restart
wait_stored restart $N 60
stop_console restart
s=$(sqlite3 "$T/restart.db" "select count(*), count(distinct seq), min(seq), max(seq) from messages")
[ "$s" = "$N|$N|1|$N" ] || fail "restart: count, distinct seq, min, max = $s"
h3=$(ev restart 'e.ev === "hello" && e.conn === 2')
echo "$h3" | grep -q "\"resume\":{\"epoch\":7,\"after_seq\":$at_stop}" ||
    fail "restart: $at_stop stored, the second console said $h3"
ev restart 'e.ev === "start" && e.conn === 2' | grep -q "\"from\":$((at_stop + 1))}" ||
    fail "restart: second console not served from $((at_stop + 1))"
stop_ok "$PEER_PID" ws-server.js
echo "ok: console restarted on its database resumed after seq $at_stop, $N stored once each"

# 4. A hostile feed.  A message the console cannot take (over 64 KiB: close
# 1009; not UTF-8: close 1007) is kept in rejects and its seq recorded as a
# gap, so that the resume goes past it; a message that fails validation is
# kept in rejects, its seq recorded as rejected (a gap naming the reason,
# not a jump), and the stream goes on.
# check_partial NAME SEQ: all but SEQ stored once each, as sent; one gap SEQ.
check_partial() {
	python3 - "$T/scenario.jsonl" "$T/$1.db" "$2" $FEED <<-'EOF' ||
	import json, sqlite3, sys
	scenario, db, skip, feed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
	lines = [json.loads(l) for l in open(scenario, encoding="utf-8") if l.strip()]
	db = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
	rows = db.execute("select seq, body from messages where feed = ? order by seq",
	                  (feed,)).fetchall()
	want = [s for s in range(1, len(lines) + 1) if s != skip]
	if [r[0] for r in rows] != want:
	    sys.exit("stored %d messages, want seq 1..%d without %d" % (len(rows), len(lines), skip))
	for seq, body in rows:
	    got = json.loads(body)
	    got.pop("seq")
	    if got != lines[seq - 1]:
	        sys.exit("seq %d: stored %r, sent %r" % (seq, got, lines[seq - 1]))
	gaps = db.execute("select from_seq, to_seq from gaps").fetchall()
	if skip and gaps != [(skip, skip)]:
	    sys.exit("gaps %r, want [(%d, %d)]" % (gaps, skip, skip))
	if not skip and gaps:
	    sys.exit("gaps %r, want none" % gaps)
	EOF
	    fail "$1: stored messages"
}
# evil NAME KIND@SEQ CODE: one hostile message, then the console carries on.
evil() {
	name=$1 what=$2 code=$3 seq=${2#*@}
	start_peer "$name" 0 "$T/scenario.jsonl" --evil "$what"
	start_console "$name"
	wait_stored "$name" $((N - 1)) 60
	sleep 0.3
	kill -0 "$CONSOLE" 2>/dev/null || { cat "$T/$name.err" >&2; fail "$name: the console died after $what"; }
	stop_console "$name"
	stop_ok "$PEER_PID" ws-server.js
	if [ "$code" = none ]; then
		check_partial "$name" "$seq"
		r=$(sqlite3 "$T/$name.db" "select count(*) from rejects where raw like '%teleported%'")
		[ "$r" = 1 ] || fail "$name: the invalid message is in rejects $r times, want 1"
		r=$(sqlite3 "$T/$name.db" "select count(*) from gaps where why like 'seq $seq kept in rejects: field \"kind\": unknown event kind%'")
		[ "$r" = 1 ] || fail "$name: seq $seq is not recorded as rejected: $(sqlite3 "$T/$name.db" "select why from gaps")"
		return
	fi
	check_partial "$name" "$seq"
	closed=$(ev "$name" 'e.ev === "closed" && e.conn === 1')
	echo "$closed" | grep -q "\"code\":$code," ||
	    fail "$name: after $what the console's close code was not $code: $closed"
	ev "$name" 'e.ev === "hello" && e.conn === 2' | grep -q "\"after_seq\":$seq}" ||
	    fail "$name: after $what the console did not resume after $seq: $(ev "$name" 'e.ev === "hello"')"
	r=$(sqlite3 "$T/$name.db" "select count(*) from rejects")
	[ "$r" = 1 ] || fail "$name: $r rejects, want 1"
}
evil oversize oversize@500 1009
evil badutf8 bad-utf8@900 1007
evil invalid invalid@1300 none
echo "ok: oversized -> console closed 1009, bad UTF-8 -> 1007, each kept in rejects with a gap and resumed past; invalid -> rejects, its seq a gap with the reason, stream went on"

# 5. Bearer tokens.
TOKEN=peer-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077; printf '%s\n' "$TOKEN" >"$T/token"
 printf 'peer-wrong-%s\n' "${TOKEN#peer-}" >"$T/wrong")
start_peer auth 0 "$T/scenario.jsonl" --token "$TOKEN"
start_console noauth
noauth=$CONSOLE
start_console wrong --token-file "$T/wrong"
wrong=$CONSOLE
refused() { [ "$(ev auth 'e.ev === "refused" && e.status === 401' | wc -l)" -ge 2 ]; }
wait_for 20 refused || fail "auth: consoles without or with a wrong token were not refused: $(cat "$T/auth.log")"
sleep 1
[ "$(count wrong)" = 0 ] || fail "auth: a wrong token got $(count wrong) messages stored"
[ "$(count noauth)" = 0 ] || fail "auth: no token got $(count noauth) messages stored"
kill -0 "$wrong" || fail "auth: the console gave up after a 401 instead of retrying"
stop_console wrong
CONSOLE=$noauth stop_console noauth
start_console right --token-file "$T/token"
wait_stored right $N 60
stop_console right
check_db right
ev auth 'e.ev === "refused"' | grep -q '"why":"wrong token"' ||
    fail "auth: no refusal of a wrong token was seen"
echo "ok: bearer token: none and wrong -> 401 and nothing stored; right -> $N stored"

echo "PASS: invigil console and a ws (Node) feed interoperate: $N messages stored once each, resume after a feed crash (SIGKILL at $at_kill stored, resumed after seq $after) and a console restart (resumed after seq $at_stop), limits 1009/1007, rejects, bearer token auth (2 consoles refused 401, 0 messages stored by them)"
