#!/bin/bash
# e2e-readers.sh - review commands read the database while a console writes
# to it at full speed: none of them fails (no SQLITE_BUSY, no "locked"), each
# sees a consistent journal (verify passes mid-ingest), and the WAL stays
# bounded (invigil-store(5), "Readers and the WAL").
. "$(dirname "$0")/lib.sh"

N=${READERS_MESSAGES:-150000}
python3 "$TESTS/../bench/gen-events.py" "$N" 2000 >"$T/scenario.jsonl"
start_feed --replay "$T/scenario.jsonl" --id readers-feed

# A fifo keeps the console's stdin open for the decisions sent below.
mkfifo "$T/in"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/r.db" \
    --proctor reader-test --checkpoint-every 3 <"$T/in" >"$T/out.jsonl" \
    2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
exec 3>"$T/in"

total=$(wc -l <"$T/scenario.jsonl")
stored() { sqlite3 -readonly "$T/r.db" "select count(*) from messages" 2>/dev/null; }
wait_for 30 rows_at_least "$T/r.db" 1 ||
	fail "nothing stored after 30 s: $(cat "$T/console.err")"

runs=0 maxwal=0 k=0
while :; do
	n=$(stored)
	[ "${n:-0}" -ge "$total" ] && break
	kill -0 $CONSOLE 2>/dev/null || fail "the console died: $(cat "$T/console.err")"
	# A decision now and then, so the journal grows while it is read.
	k=$((k + 1))
	a=$(printf 'A%05d' $((k % 2000)))
	echo "{\"id\":\"n$k\",\"op\":\"note\",\"attempt\":\"$a\",\"reason\":\"reader test $k\"}" >&3
	out=$("$INVIGIL" review verify --db "$T/r.db" 2>&1) ||
		fail "verify failed beside the writer (run $runs): $out"
	out=$("$INVIGIL" review checkpoints --db "$T/r.db" 2>&1 >/dev/null) ||
		fail "checkpoints failed beside the writer: $out"
	echo "$out" | grep -qiE "busy|locked" && fail "a reader saw: $out"
	w=$(stat -c %s "$T/r.db-wal" 2>/dev/null || echo 0)
	[ "$w" -gt "$maxwal" ] && maxwal=$w
	runs=$((runs + 1))
done
exec 3>&-
[ $runs -ge 5 ] || fail "only $runs reader runs during the ingest; make it longer"
grep -c '"ok":true' "$T/out.jsonl" >/dev/null || fail "no note was acknowledged"
limit=$((160 * 1024 * 1024))
[ "$maxwal" -le $limit ] || fail "the WAL grew to $maxwal bytes (limit $limit)"
stop_ok $CONSOLE console
"$INVIGIL" review verify --db "$T/r.db" >/dev/null || fail "verify after the stop"
[ ! -e "$T/r.db-wal" ] || [ "$(stat -c %s "$T/r.db-wal")" -eq 0 ] ||
	fail "the WAL was left behind after the console stopped"
echo "PASS: $runs verify+checkpoints runs beside a writer storing $total messages, none failed; largest WAL $((maxwal / 1048576)) MiB"
