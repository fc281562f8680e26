#!/bin/bash
# latency.sh - latency of `invigil --headless` at a steady event rate: the
# time from the feed's send of an event to its commit in the database, and
# to the flag it raised on the console's stdout.
#
#   bench/latency.sh [RATE [SECONDS [ATTEMPTS]]]   (default 20000 30 10000)
#
# A scenario of ATTEMPTS attempt lines then RATE x SECONDS events
# (bench/gen-events.py, feed time advancing at RATE events/s) is served by
# `invigil feed --replay --rate RATE --stamp`: every message carries the
# feed's CLOCK_MONOTONIC at its send ("sent_mono_ns").  The console writes
# a fresh database with the default rules; its stdout goes to
# bench/latency-probe, which notes when each flag line arrives and polls
# the database every millisecond for the committed position, then joins
# both with the stored stamps (see latency-probe.c for the method and its
# resolution).  The first 2 s of events are warm-up and not counted.
# Prints a Markdown section on stdout; progress on stderr.  Exits non-zero
# only when something broke.
set -u
NAME=latency.sh TMPNAME=invigil-latency
. "$(dirname "$0")/lib.sh"
RATE=${1:-20000}
SECONDS_RUN=${2:-30}
ATTEMPTS=${3:-10000}
WARMUP=${WARMUP:-2}
EVENTS=$((RATE * SECONDS_RUN))
TOTAL=$((EVENTS + ATTEMPTS))
PROBE=$O/bench/latency-probe

say "generating $EVENTS events over $ATTEMPTS attempts ($RATE/s for $SECONDS_RUN s)"
python3 "$ROOT/bench/gen-events.py" "$EVENTS" "$ATTEMPTS" "$RATE" \
    >"$T/scenario.jsonl" || fail "gen-events.py failed"

"$INVIGIL" feed --listen 127.0.0.1:0 --replay "$T/scenario.jsonl" \
    --rate "$RATE" --stamp --buffer $((TOTAL + 16)) --id latency \
    2>"$T/feed.log" &
FEED=$!
PIDS="$PIDS $FEED"
feed_listening

# The console's stdout reaches the probe through a FIFO, so that both pids
# are known.
mkfifo "$T/stdout"
"$PROBE" "$T/console.db" latency $TOTAL "$T/done" "$WARMUP" <"$T/stdout" \
    >"$T/probe.out" 2>"$T/probe.err" &
PROBE_PID=$!
PIDS="$PIDS $PROBE_PID"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$PORT/" --db "$T/console.db" \
    --proctor bench >"$T/stdout" 2>"$T/console.err" </dev/null &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
say "feed on port $PORT, console and probe started"

limit=$((SECONDS_RUN * 3 + 60))
start=$(date +%s)
while [ ! -e "$T/done" ]; do
	kill -0 $CONSOLE 2>/dev/null || { cat "$T/console.err" >&2; fail "console died"; }
	kill -0 $PROBE_PID 2>/dev/null || { cat "$T/probe.err" >&2; fail "probe died"; }
	[ $(( $(date +%s) - start )) -le $limit ] ||
	    fail "the console had not committed seq $TOTAL after $limit s"
	sleep 0.2
done
console_cpu=$(cpu_s $CONSOLE)
stop_console $CONSOLE
wait $PROBE_PID || { cat "$T/probe.err" >&2; fail "latency-probe failed"; }
PIDS="$FEED"
kill $FEED; wait $FEED 2>/dev/null
PIDS=""
cat "$T/probe.err" >&2

# "commit n N p50 X p90 X p99 X p99.9 X max X"
field() { awk -v k="$1" -v f="$2" '$1 == k { for (i = 2; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$T/probe.out"; }
counted=$(field events counted)
say "commit p50 $(field commit p50) p99 $(field commit p99) max $(field commit max) ms;" \
    "flag p50 $(field flag p50) p99 $(field flag p99) max $(field flag max) ms"
row() {
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(field "$1" n)" \
	    "$(field "$1" p50)" "$(field "$1" p90)" "$(field "$1" p99)" \
	    "$(field "$1" p99.9)" "$(field "$1" max)"
}
cat <<EOM
### Latency: $RATE events/s for $SECONDS_RUN s over $ATTEMPTS attempts

| from the feed's send to | samples | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |
|---|---:|---:|---:|---:|---:|---:|
$(row commit "commit (stored, position committed)")
$(row flag "flag line on the console's stdout")

- $(field events n) events sent by \`invigil feed --replay --rate $RATE --stamp\`; the first $WARMUP s are warm-up, $counted events counted
- commit: the probe polled \`feeds.last_seq\` every $(field polls interval_ms) ms on average (longest gap $(field polls max_gap_ms) ms, $(field polls query_ms) ms per query); a commit is timed at the first poll that sees it.  The console committed every $(field commits interval_ms) ms on average after the warm-up (longest interval $(field commits max_interval_ms) ms)
- flag: $(field flags n) flag lines, of which $(field flags clock_holds) were holds fired by the clock (not counted)
- console CPU time: $console_cpu s (user + system)
- targets (not asserted): p99 to commit <= 50 ms at 20000 events/s

EOM
