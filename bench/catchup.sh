#!/bin/bash
# catchup.sh - how long a console that was away takes to be live again:
# the feed has sent for AWAY seconds at RATE events/s before the console
# starts, and goes on sending at RATE; the console is live again when what
# it has committed is within 200 ms of what the feed has sent.
#
#   bench/catchup.sh [AWAY [RATE [ATTEMPTS [LIMIT]]]]   (default 60 20000 10000 60)
#
# A scenario of ATTEMPTS attempt lines then RATE x (AWAY + LIMIT + 5)
# events (bench/gen-events.py, feed time advancing at RATE events/s) is
# served by `invigil feed --replay --rate RATE`, whose clock starts when it
# listens; AWAY seconds later `invigil --headless` starts on a fresh
# database with the default rules.  Every 200 ms the committed position
# (feeds.last_seq) is read and set against what the feed has released by
# then (ATTEMPTS + elapsed x RATE): the lag.  Measured: the backlog at the
# console's start, the time until the lag is at most RATE / 5 messages
# (200 ms of the stream), and the rate the console committed at meanwhile.
# A console that is not live after LIMIT seconds is reported as such with
# its lag then.  Flags are raised when a message is taken in, before its
# commit, so a committed backlog has raised its flags.  Prints a Markdown
# section on stdout; progress on stderr.  Exits non-zero only when
# something broke, never on a figure.
set -u
NAME=catchup.sh TMPNAME=invigil-catchup
. "$(dirname "$0")/lib.sh"
AWAY=${1:-60}
RATE=${2:-20000}
ATTEMPTS=${3:-10000}
LIMIT=${4:-60}
EVENTS=$((RATE * (AWAY + LIMIT + 5)))
TOTAL=$((EVENTS + ATTEMPTS))
NEAR=$((RATE / 5))

say "generating $EVENTS events over $ATTEMPTS attempts at $RATE/s"
python3 "$ROOT/bench/gen-events.py" "$EVENTS" "$ATTEMPTS" "$RATE" \
    >"$T/scenario.jsonl" || fail "gen-events.py failed"

"$INVIGIL" feed --listen 127.0.0.1:0 --replay "$T/scenario.jsonl" \
    --rate "$RATE" --buffer $((TOTAL + 16)) --id catchup \
    2>"$T/feed.log" &
FEED=$!
PIDS="$PIDS $FEED"
feed_listening
feed_t0=$(now_ms)	# the feed's clock started just before it listened
say "feed on port $PORT; the console starts in $AWAY s"
sleep "$AWAY"

# What the feed has released by now (ms), at most the whole scenario.
released() {
	awk -v a="$ATTEMPTS" -v r="$RATE" -v t="$1" -v n="$TOTAL" \
	    'BEGIN { x = a + int(t * r / 1000); print (x > n ? n : x) }'
}
position() {
	sqlite3 "$T/console.db" "select coalesce(max(last_seq), 0) from feeds" \
	    2>/dev/null || echo 0
}

"$INVIGIL" --headless --feed "ws://127.0.0.1:$PORT/" --db "$T/console.db" \
    --proctor bench >/dev/null 2>"$T/console.err" </dev/null &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
t0=$(now_ms)
backlog=$(released $((t0 - feed_t0)))
say "console started; backlog $backlog messages"
live_ms="" lag=$backlog pos=0
while :; do
	sleep 0.2
	kill -0 $CONSOLE 2>/dev/null || { cat "$T/console.err" >&2; fail "console died"; }
	pos=$(position)
	now=$(now_ms)
	lag=$(( $(released $((now - feed_t0))) - ${pos:-0} ))
	if [ $lag -le $NEAR ]; then
		live_ms=$((now - t0))
		break
	fi
	[ $((now - t0)) -lt $((LIMIT * 1000)) ] || break
done
elapsed=$(( $(now_ms) - t0 ))
rss=$(hwm $CONSOLE)
stop_console $CONSOLE
PIDS=${PIDS% $CONSOLE}
kill $FEED; wait $FEED 2>/dev/null
PIDS=""
commit_rate=$(awk -v p="$pos" -v ms="$elapsed" 'BEGIN { printf "%.0f", (ms > 0 ? p * 1000 / ms : 0) }')
if [ -n "$live_ms" ]; then
	result=$(awk -v ms="$live_ms" 'BEGIN { printf "%.1f s", ms / 1000 }')
	say "live again after $result (backlog $backlog, committed $commit_rate/s meanwhile)"
else
	result="not live after $LIMIT s (lag $lag messages)"
	say "$result; committed $commit_rate/s meanwhile"
fi

cat <<EOM
### Catch-up: away $AWAY s at $RATE events/s over $ATTEMPTS attempts

| | figure |
|---|---:|
| backlog when the console started | $backlog messages |
| live again (committed within 200 ms of the feed) | $result |
| console commit rate meanwhile | $commit_rate messages/s |
| feed rate meanwhile | $RATE events/s |

- a console catches up at its commit rate minus the feed's: it needs $((backlog / 15 + RATE)) messages/s or more to be live within 15 s
- peak RSS (VmHWM) of the console: $rss MiB
- target (not asserted): live again in <= 15 s after 60 s away at 20,000 events/s

EOM
