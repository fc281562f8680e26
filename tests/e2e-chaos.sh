#!/bin/bash
# e2e-chaos.sh - exactly-once through crashes and network cuts: a scenario
# of N messages (default 100,000) replays through `invigil feed` with a
# persistent buffer (--buffer-file) into `invigil --headless`, through a TCP
# proxy on loopback.  Meanwhile the feed is killed with SIGKILL and restarted
# KILLS times, and the proxy cuts every connection CUTS times.  At the end
# the database must hold seq 1..N exactly once each, equal to the scenario,
# with no gap (the buffer file loses nothing, so nothing may be missing).
# The console must be back (a new session the feed logs as "resumes at seq")
# after every kill and every cut, and every process stopped here must exit
# as expected: the feed 137 on its SIGKILL (not dead before it), the console
# and the last feed 0 on SIGTERM within a deadline.
. "$(dirname "$0")/lib.sh"

N=${CHAOS_MESSAGES:-100000}
KILLS=${CHAOS_KILLS:-20}
CUTS=${CHAOS_CUTS:-20}
RATE=${CHAOS_RATE:-2500}
python3 "$TESTS/gen-scenario.py" "$N" 500 >"$T/scenario.jsonl"

FEED_ARGS=(--replay "$T/scenario.jsonl" --rate "$RATE" --id chaos
    --buffer-file "$T/feed.buffer")
start_feed "${FEED_ARGS[@]}"
PORT=$FEED_PORT
# stop_within PID SECONDS: SIGTERM, then PID's exit status within SECONDS
# (124 if it is still running then).
stop_within() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 $(( $2 * 10 ))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
		sleep 0.1
	done
	return 124
}
# sessions: how many times a console session began at the feed (each
# connection that completes the handshake logs where it resumes).
sessions() { cat "$FEED_LOG" "$T/feed.restarts.log" 2>/dev/null | grep -c "resumes at seq"; }
# back_after N: the console opened a session after the N-th one.
back_after() { [ "$(sessions)" -gt "$1" ]; }
restart_feed() {
	kill -KILL "$FEED_PID" 2>/dev/null
	wait "$FEED_PID" 2>/dev/null
	rc=$?
	[ "$rc" = 137 ] || fail "the feed exited $rc before its SIGKILL (137 expected)"
	"$INVIGIL" feed --listen "127.0.0.1:$PORT" "${FEED_ARGS[@]}" \
	    2>>"$T/feed.restarts.log" &
	FEED_PID=$!
	PIDS="$PIDS $FEED_PID"
}

python3 "$TESTS/netcut-proxy.py" 0 "$PORT" "$T/proxy.conns" >"$T/proxy.port" 2>"$T/proxy.log" &
PROXY=$!
PIDS="$PIDS $PROXY"
wait_for 10 test -s "$T/proxy.port" || fail "proxy did not start"
PROXY_PORT=$(cat "$T/proxy.port")

"$INVIGIL" --headless --feed "ws://127.0.0.1:$PROXY_PORT/" --db "$T/c.db" \
    --ping 2 >"$T/flags.jsonl" 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"

stored() { sqlite3 "$T/c.db" "select count(*) from messages" 2>/dev/null || echo 0; }
rounds=$(( KILLS > CUTS ? KILLS : CUTS ))
# Half a step between a kill and a cut, so that the console has reconnected
# (0.5 s backoff) before its connection is cut.
half=$(awk -v n="$N" -v r="$RATE" -v k="$rounds" 'BEGIN { printf "%.2f", n / r / (k + 2) / 2 }')
connected() { [ "$(cat "$T/proxy.conns" 2>/dev/null || echo 0)" -ge 1 ]; }
wait_for 20 back_after 0 || fail "the console never opened a session with the feed"
for i in $(seq 1 "$rounds"); do
	sleep "$half"
	if [ "$i" -le "$KILLS" ]; then
		before=$(sessions)
		restart_feed
		wait_for 20 back_after "$before" ||
		    { tail -5 "$T/console.err" >&2; fail "round $i: the console did not reconnect within 20 s of the feed's restart"; }
	fi
	sleep "$half"
	# Cut only a live connection: wait until the console is back.
	wait_for 20 connected || fail "round $i: no live connection through the proxy to cut"
	if [ "$i" -le "$CUTS" ]; then
		before=$(sessions)
		kill -USR1 $PROXY
		wait_for 20 back_after "$before" ||
		    { tail -5 "$T/console.err" >&2; fail "round $i: the console did not reconnect within 20 s of the network cut"; }
	fi
	echo "round $i: $(stored) stored, $(sessions) sessions" >>"$T/rounds.log"
done

done_all() { [ "$(stored)" -ge "$N" ]; }
wait_for 180 done_all || { tail -5 "$T/console.err" >&2; fail "only $(stored) of $N stored"; }
stop_within $CONSOLE 20 || fail "console exited $? on SIGTERM (124: still running after 20 s)"
stop_within "$FEED_PID" 20 || fail "the feed exited $? on SIGTERM (124: still running after 20 s)"

cuts=$(grep -c "^cut [1-9]" "$T/proxy.log")
[ "$cuts" -eq "$CUTS" ] || fail "only $cuts of $CUTS cuts hit a live connection"
kills=$(grep -c "listening on" "$T/feed.restarts.log")
[ "$kills" -eq "$KILLS" ] || fail "the feed restarted $kills times, not $KILLS"
reconnects=$(( $(sessions) - 1 ))
[ "$reconnects" -ge $(( KILLS + CUTS )) ] ||
    fail "the console reconnected $reconnects times through $KILLS kills and $CUTS cuts"
python3 "$TESTS/check-replay.py" "$T/scenario.jsonl" "$T/c.db" "$T/flags.jsonl" chaos ||
    fail "stored messages differ from the scenario"
gaps=$(sqlite3 "$T/c.db" "select count(*) from gaps")
[ "$gaps" = 0 ] || fail "$gaps gap rows, but the feed's buffer file lost nothing"
echo "PASS: $N messages through $KILLS feed kills and $CUTS network cuts ($reconnects reconnects): seq 1..$N stored once each, no gap"
