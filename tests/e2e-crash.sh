#!/bin/bash
# e2e-crash.sh - SIGKILL the headless console at random moments, 50 times,
# while it ingests a replay and takes scripted decisions on stdin; after
# every restart the database is intact, verify passes, every acknowledged
# decision is in the journal and the events resume without duplicate or
# hole (tests/crash-drive.py).  `make crash-test` runs a longer one:
# CRASH_ROUNDS=500 CRASH_MESSAGES=100000.
. "$(dirname "$0")/lib.sh"

ROUNDS=${CRASH_ROUNDS:-50}
N=${CRASH_MESSAGES:-20000}
RATE=${CRASH_RATE:-500}
SEED=${CRASH_SEED:-$RANDOM}
python3 "$TESTS/gen-scenario.py" "$N" 300 >"$T/scenario.jsonl"
start_feed --replay "$T/scenario.jsonl" --id crash-feed --rate "$RATE"

echo "crash test: $ROUNDS rounds, $N messages at $RATE/s, seed $SEED"
python3 "$TESTS/crash-drive.py" "$INVIGIL" "ws://127.0.0.1:$FEED_PORT/" \
    "$T/c.db" "$T" "$ROUNDS" "$N" "$SEED" ||
    fail "crash test failed (seed $SEED; rerun with CRASH_SEED=$SEED KEEP=1)"
echo "PASS: $ROUNDS SIGKILLs, nothing acknowledged lost, no duplicate or hole"
