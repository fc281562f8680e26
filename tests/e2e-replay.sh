#!/bin/bash
# e2e-replay.sh - a fixed scenario of 10,000 messages goes through
# `invigil feed --replay` over a real WebSocket into `invigil --headless`;
# the database must then hold exactly those 10,000 messages, once each and
# byte for byte what the feed sent, and stdout one line per raised flag.
. "$(dirname "$0")/lib.sh"

N=10000
python3 "$TESTS/gen-scenario.py" $N 200 >"$T/scenario.jsonl"
start_feed --replay "$T/scenario.jsonl" --id replay-test

"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/r.db" \
    --proctor e2e >"$T/flags.jsonl" 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"

stored() {
	n=$(sqlite3 "$T/r.db" "select count(*) from messages" 2>/dev/null)
	[ "${n:-0}" -ge $N ]
}
wait_for 60 stored || fail "only $(sqlite3 "$T/r.db" 'select count(*) from messages') of $N messages stored after 60 s"

stop $CONSOLE
rc=$?
[ $rc -eq 124 ] && fail "console still running 20 s after SIGTERM"
[ $rc -eq 0 ] || { cat "$T/console.err" >&2; fail "console exited $rc after SIGTERM"; }

python3 "$TESTS/check-replay.py" "$T/scenario.jsonl" "$T/r.db" "$T/flags.jsonl" \
    replay-test || fail "stored messages differ from the scenario"
echo "PASS: $N messages replayed, stored once each, content and flags match"
