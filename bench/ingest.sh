#!/bin/bash
# ingest.sh - ingest throughput of `invigil --headless`, with its ceilings,
# in one run.
#
#   bench/ingest.sh [EVENTS [ATTEMPTS]]     (default 1000000 10000)
#
# A scenario of ATTEMPTS attempt lines then EVENTS event lines
# (bench/gen-events.py) is served by `invigil feed --replay --rate 0` over
# loopback WebSocket into `invigil --headless` with the default rules and a
# fresh database.  Measured:
#   console  stored messages / (max(recv_ms) - min(recv_ms)) of the messages
#            table: first to last message received and committed;
#   ws       bench/ws-ceiling: the same feed, a client that only counts;
#   sqlite   bench/sqlite-ceiling: the same rows, one prepared insert,
#            transactions of 4096, the console's schema and pragmas; then
#            the plain event-table ceiling (one table, UNIQUE (feed, seq),
#            one index on (attempt, ts), 5,000-row transactions).
# Also the peak RSS (VmHWM) of the console and of the feed, and the CPU time
# the console used.  RULES=PATH runs the console with --rules PATH instead
# of the default rules (an empty file: no rules, for a diagnosis).
# CEILINGS=0 measures the console only (bench/memory.sh).  RESULT=FILE
# appends one line "attempts EVENTS ... rss_mib ..." to FILE, for the
# memory table.  Prints a Markdown section on stdout; progress on stderr.
# Exits non-zero only when something broke (a process failed, messages
# were missing), never on a figure.
set -u
NAME=ingest.sh TMPNAME=invigil-bench
. "$(dirname "$0")/lib.sh"
EVENTS=${1:-1000000}
ATTEMPTS=${2:-10000}
TOTAL=$((EVENTS + ATTEMPTS))
CEILINGS=${CEILINGS:-1}
RULE_ARGS=()
[ -n "${RULES:-}" ] && RULE_ARGS=(--rules "$RULES")

say "generating $EVENTS events over $ATTEMPTS attempts"
python3 "$ROOT/bench/gen-events.py" "$EVENTS" "$ATTEMPTS" >"$T/scenario.jsonl" ||
    fail "gen-events.py failed"

# The feed: the whole scenario numbered and buffered before anyone connects.
t0=$(now_ms)
"$INVIGIL" feed --listen 127.0.0.1:0 --replay "$T/scenario.jsonl" --rate 0 \
    --buffer $((TOTAL + 16)) --id bench 2>"$T/feed.log" &
FEED=$!
PIDS="$PIDS $FEED"
PORT=""
while :; do
	grep -q "scenario queued" "$T/feed.log" && break
	kill -0 $FEED 2>/dev/null || { cat "$T/feed.log" >&2; fail "feed died"; }
	sleep 0.1
done
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/feed.log")
[ -n "$PORT" ] || fail "feed port not found"
feed_load_s=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
say "feed ready on port $PORT (load, validate, number: $feed_load_s s)"

# The console.
"$INVIGIL" --headless --feed "ws://127.0.0.1:$PORT/" --db "$T/console.db" \
    --proctor bench "${RULE_ARGS[@]}" >"$T/flags.jsonl" 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
limit=$((60 + TOTAL / 2000))	# seconds: 500 messages/s would be a failure
start=$(date +%s)
n=0
while :; do
	n=$(sqlite3 "$T/console.db" "select count(*) from messages" 2>/dev/null)
	[ "${n:-0}" -ge $TOTAL ] && break
	kill -0 $CONSOLE 2>/dev/null || { cat "$T/console.err" >&2; fail "console died"; }
	[ $(( $(date +%s) - start )) -le $limit ] ||
	    fail "only ${n:-0} of $TOTAL messages stored after $limit s"
	sleep 0.5
done
console_rss=$(hwm $CONSOLE)
console_cpu=$(cpu_s $CONSOLE)
console_wall=$(( $(date +%s) - start ))
stop_console $CONSOLE
PIDS=${PIDS% $CONSOLE}
read -r stored span flags <<<"$(sqlite3 -separator ' ' "$T/console.db" \
    "select count(*), max(recv_ms) - min(recv_ms), (select count(*) from flags) from messages")"
[ "$stored" -eq $TOTAL ] || fail "$stored messages stored, $TOTAL expected"
console_eps=$(awk -v n="$stored" -v ms="$span" 'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }')
say "console: $stored messages in $span ms: $console_eps/s, $flags flags, peak RSS $console_rss MiB"

if [ -n "${RESULT:-}" ]; then
	echo "attempts $ATTEMPTS events $EVENTS rss_mib $console_rss flags $flags eps $console_eps cpu_s $console_cpu" >>"$RESULT"
fi
if [ "$CEILINGS" = 0 ]; then
	kill $FEED; wait $FEED 2>/dev/null
	PIDS=""
	exit 0
fi

# The WebSocket ceiling, on the same feed (it serves from its buffer).
ws_line=$("$O/bench/ws-ceiling" "$PORT" $TOTAL $limit) || fail "ws-ceiling failed"
say "$ws_line"
ws_eps=$(sed -n 's/.*: \([0-9]*\) messages\/s/\1/p' <<<"$ws_line")
feed_rss=$(hwm $FEED)
kill $FEED; wait $FEED 2>/dev/null
PIDS=""

# The SQLite ceiling, on a fresh database.
sq_line=$("$O/bench/sqlite-ceiling" "$T/scenario.jsonl" "$T/ceiling.db") ||
    fail "sqlite-ceiling failed"
say "$sq_line"
sq_eps=$(sed -n 's/^sqlite-ceiling: .*: \([0-9]*\) rows\/s/\1/p' <<<"$sq_line")
plain_eps=$(sed -n 's/^plain-ceiling: .*: \([0-9]*\) rows\/s/\1/p' <<<"$sq_line")

rules_label="default rules"
[ -n "${RULES:-}" ] && rules_label="rules from $RULES"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }'; }
r_sq=$(ratio "$console_eps" "$sq_eps")
r_plain=$(ratio "$console_eps" "$plain_eps")
r_ws=$(ratio "$console_eps" "$ws_eps")

cat <<EOM
### Ingest: $EVENTS events over $ATTEMPTS attempts ($TOTAL messages)

| | messages/s | console as % of it |
|---|---:|---:|
| console (\`invigil --headless\`, $rules_label) | $console_eps | |
| SQLite ceiling, the console's schema (\`bench/sqlite-ceiling\`) | $sq_eps | $r_sq |
| SQLite ceiling, a plain event table (\`bench/sqlite-ceiling\`, 5,000-row commits) | $plain_eps | $r_plain |
| WebSocket ceiling (\`bench/ws-ceiling\`) | $ws_eps | $r_ws |

- console: $stored messages stored in $span ms (first to last \`recv_ms\`), $flags flags raised
- console CPU time: $console_cpu s (user + system) in about $console_wall s of wall time from its start
- peak RSS (VmHWM): console $console_rss MiB, feed $feed_rss MiB
- feed start-up (load, validate, number $TOTAL lines): $feed_load_s s
- targets (not asserted): console >= 100000/s, and >= 50% of the plain event-table ceiling

EOM
