#!/bin/bash
# e2e-sim-seed.sh - the simulator over a real WebSocket: the same seed gives
# the same stream (every message but its timestamp), another seed another
# stream; the stream has every attempt, answers and events.
. "$(dirname "$0")/lib.sh"

record() {	# record SEED NAME: a 30-candidate session at 600x, until 300 messages are stored
	start_feed --simulate 30 --seed "$1" --rate 600 --id sim
	"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/$2.db" \
	    >/dev/null 2>"$T/$2.err" &
	c=$!
	PIDS="$PIDS $c"
	wait_for 30 rows_at_least "$T/$2.db" 300 ||
	    fail "seed $1: only $(count "$2" 2>/dev/null) messages stored after 30 s"
	stop_ok $c "console (seed $1)"
	stop_ok "$FEED_PID" "feed (seed $1)"
}
stream() {	# stream NAME LIMIT: the messages without their timestamps
	sqlite3 "$T/$1.db" "select seq, type, attempt, coalesce(kind, ''),
	    json_remove(body, '$.ts') from messages where seq <= $2 order by seq"
}
count() { sqlite3 "$T/$1.db" "select count(*) from messages"; }

record 42 a
record 42 b
record 43 c
n=$(count a); m=$(count b)
k=$(( n < m ? n : m ))
[ "$k" -ge 200 ] || fail "only $k messages in common"
stream a $k >"$T/a.txt"; stream b $k >"$T/b.txt"; stream c $k >"$T/c.txt"
cmp -s "$T/a.txt" "$T/b.txt" || { diff "$T/a.txt" "$T/b.txt" | head >&2; fail "seed 42 twice gave different streams"; }
cmp -s "$T/a.txt" "$T/c.txt" && fail "seeds 42 and 43 gave the same stream"

[ "$(sqlite3 "$T/a.db" "select count(*) from attempts")" = 30 ] || fail "not 30 attempts"
[ "$(sqlite3 "$T/a.db" "select count(*) from messages where type='answer'")" -gt 0 ] || fail "no answers"
[ "$(sqlite3 "$T/a.db" "select count(*) from messages where type='event'")" -gt 0 ] || fail "no events"
echo "PASS: same seed, same $k messages; another seed, another stream"
