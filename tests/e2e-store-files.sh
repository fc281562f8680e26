#!/bin/bash
# e2e-store-files.sh - the database as a file, with real consoles and real
# SQLite files (invigil-store(5), "Files, modes and the one writer" and
# "What a database may hold"):
#  - one writer: a second console on a database (or on a symbolic or hard
#    link to it) exits 1 naming the first's pid, while review verify still
#    reads it; after a SIGKILL of the first, a new console starts;
#  - modes: the database, -wal and -shm are 0600 under umask 022, and
#    a database others may read is named on stderr with the chmod to run;
#  - a key directory others may write stops the console ("chmod 700 DIR");
#  - paths: a FIFO or /dev/null as --db is refused at once (console and
#    readers), and no /dev/null-journal appears;
#  - crafted databases: messages, journal or checkpoints replaced by a
#    recursive view make backtest, verify and checkpoints exit at once with
#    a sentence, and a trigger that would run in the console stops it.
# Everything that could hang runs under timeout.
. "$(dirname "$0")/lib.sh"

umask 022
python3 "$TESTS/gen-scenario.py" 300 10 >"$T/scenario.jsonl"
start_feed --replay "$T/scenario.jsonl" --id files-feed --rate 50
FEED="ws://127.0.0.1:$FEED_PORT/"

# console NAME DB: a headless console whose stdin stays open; sets PID_NAME.
console() {
	mkfifo "$T/$1.in"
	"$INVIGIL" --headless --feed "$FEED" --db "$2" --proctor "$1" \
	    <"$T/$1.in" >"$T/$1.out" 2>"$T/$1.err" &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	exec {fd}>"$T/$1.in"
	eval "FD_$1=$fd"
}
# exits_within SECS PID: wait for PID to end; sets RC.
exits_within() {
	wait_for "$1" sh -c "! kill -0 $2 2>/dev/null" || return 1
	wait "$2"; RC=$?
}

# --- one writer
console one "$T/c.db"
wait_for 20 rows_at_least "$T/c.db" 1 || fail "console one stored nothing: $(cat "$T/one.err")"
for f in c.db c.db-wal c.db-shm; do
	[ "$(stat -c %a "$T/$f")" = 600 ] || fail "$f is mode $(stat -c %a "$T/$f") under umask 022, not 600"
done
start=$(date +%s%N)
console two "$T/c.db"
exits_within 10 "$PID_two" || fail "a second console on the same database is still running after 10 s"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$RC" = 1 ] || fail "second console: exit $RC, want 1: $(cat "$T/two.err")"
grep -q "c.db is in use by another invigil console or program (pid $PID_one, \"$INVIGIL --headless" "$T/two.err" ||
	fail "the second console does not name the first (pid $PID_one): $(cat "$T/two.err")"
echo "second console refused in $ms ms: $(cat "$T/two.err")"
MS_TWO=$ms
# Another name for the same file (a symbolic link, a hard link) is the same database.
ln -s c.db "$T/sym.db"; ln "$T/c.db" "$T/hard.db"
for alias in sym hard; do
	console "$alias" "$T/$alias.db"
	eval "p=\$PID_$alias"
	exits_within 10 "$p" && [ "$RC" = 1 ] || fail "a console on $alias.db, a $alias link to c.db, runs beside the first"
	grep -q "(pid $PID_one," "$T/$alias.err" || fail "$alias link: $(cat "$T/$alias.err")"
done
rm "$T/sym.db" "$T/hard.db"
kill -0 "$PID_one" || fail "console one died when two tried"
out=$(timeout 20 "$INVIGIL" review verify --db "$T/c.db" 2>&1) ||
	fail "verify beside the writer: $out"
kill -KILL "$PID_one"; wait "$PID_one" 2>/dev/null
n=$(sqlite3 -readonly "$T/c.db" "select count(*) from messages")
console three "$T/c.db"
wait_for 20 rows_at_least "$T/c.db" $((n + 1)) ||
	fail "no new console after a SIGKILL of the old one: $(cat "$T/three.err")"
kill -0 "$PID_three" || fail "console three died: $(cat "$T/three.err")"
kill -TERM "$PID_three"; exits_within 20 "$PID_three" && [ "$RC" = 0 ] ||
	fail "console three: exit ${RC:-?} on SIGTERM: $(cat "$T/three.err")"
grep -q "warning" "$T/three.err" && fail "a 0600 database was warned about: $(cat "$T/three.err")"

# --- a database others may read is named, with the chmod to run
chmod 644 "$T/c.db"
console four "$T/c.db"
wait_for 10 grep -q "run: chmod 600 $T/c.db\$" "$T/four.err" ||
	fail "no warning about a 0644 database: $(cat "$T/four.err")"
grep -q "other users may read it (mode 644)" "$T/four.err" || fail "unclear: $(cat "$T/four.err")"
kill -TERM "$PID_four"; exits_within 20 "$PID_four" && [ "$RC" = 0 ] ||
	fail "console four: exit ${RC:-?} on SIGTERM: $(cat "$T/four.err")"
chmod 600 "$T/c.db"

# --- a key directory others may write is refused, like a loose key file
chmod 777 "$XDG_CONFIG_HOME/invigil"
out=$(timeout 10 "$INVIGIL" --headless --feed "$FEED" --db "$T/k.db" --proctor one </dev/null 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "the key directory $XDG_CONFIG_HOME/invigil can be written by others (mode 777), who could replace the keys in it; run: chmod 700 $XDG_CONFIG_HOME/invigil" ||
	fail "console with a 0777 key directory: exit $rc: $out"
chmod 700 "$XDG_CONFIG_HOME/invigil"

# --- paths that are not regular files
mkfifo "$T/fifo.db"
had_journal=0; [ -e /dev/null-journal ] && had_journal=1
for db in "$T/fifo.db" /dev/null; do
	out=$(timeout 10 "$INVIGIL" --headless --feed "$FEED" --db "$db" </dev/null 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q "not a database file" ||
		fail "console --db $db: exit $rc: $out"
	for cmd in "verify" "checkpoints" "backtest --rules $T/none.rules"; do
		out=$(timeout 10 "$INVIGIL" review $cmd --db "$db" 2>&1); rc=$?
		[ $rc = 124 ] && fail "review $cmd --db $db hangs"
		echo "$out" | grep -qE "not a database file|cannot read|No such file" ||
			fail "review $cmd --db $db: exit $rc: $out"
	done
done
[ $had_journal = 1 ] || [ ! -e /dev/null-journal ] || fail "/dev/null-journal was created"

# --- crafted databases
"$INVIGIL" rules defaults >"$T/defaults.rules" || fail "rules defaults failed"
LOOP="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
craft() {	# craft NAME SQL: a copy of c.db with SQL run on it
	cp "$T/c.db" "$T/$1.db"
	sqlite3 "$T/$1.db" "$2" || fail "crafting $1 failed"
}
craft messages "DROP TABLE messages; CREATE VIEW messages AS $LOOP
    SELECT 'f' AS feed, 1 AS epoch, x AS seq, printf('%.*c', 10000, 'x') AS body FROM c"
craft journal "DROP TABLE journal; CREATE VIEW journal AS $LOOP
    SELECT x AS seq, 0 AS time_ms, 'a' AS actor, 'r' AS role, 'note' AS kind, NULL AS feed,
    NULL AS attempt, NULL AS flag_id, NULL AS reason_code, NULL AS reason, NULL AS evidence,
    NULL AS detail, '{}' AS body, '' AS prev_hash, '' AS hash FROM c"
craft checkpoints "DROP TABLE checkpoints; CREATE VIEW checkpoints AS $LOOP
    SELECT x AS id, 'n' AS note FROM c"
NCRAFTED=0 SLOWEST=0
for t in messages journal checkpoints; do
	for run in "backtest --rules $T/defaults.rules" "verify" "checkpoints"; do
		start=$(date +%s%N)
		out=$(timeout 20 "$INVIGIL" review $run --db "$T/$t.db" 2>&1); rc=$?
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		[ $rc = 124 ] && fail "review $run with $t a recursive view ran 20 s"
		[ $rc != 0 ] && echo "$out" | grep -q "$t.db is not an invigil database as invigil made it: its view \"$t\" should be a table" ||
			fail "review $run with $t a recursive view: exit $rc: $out"
		echo "review $run with $t a recursive view: exit $rc in $ms ms"
		NCRAFTED=$((NCRAFTED + 1))
		[ "$ms" -le "$SLOWEST" ] || SLOWEST=$ms
	done
done
craft trigger "CREATE TRIGGER evil AFTER INSERT ON messages BEGIN
    INSERT INTO rejects (recv_ms, raw, raw_len) $LOOP SELECT 0, 'x', x FROM c; END"
start=$(date +%s%N)
out=$(timeout 20 "$INVIGIL" --headless --feed "$FEED" --db "$T/trigger.db" </dev/null 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc = 1 ] && echo "$out" | grep -q "its trigger \"evil\" is not part of invigil's schema" ||
	fail "console on a database with a trigger of its own: exit $rc: $out"
echo "console on a crafted trigger: exit $rc in $ms ms"
echo "PASS: one console per database (the second names the first, refused in $MS_TWO ms, also through links; readers unaffected; SIGKILL after $n messages frees it); files 0600 and loose modes warned; a 0777 key directory refused; FIFO and /dev/null refused; crafted views and triggers refused at once ($NCRAFTED review runs on recursive views, the slowest $SLOWEST ms; the trigger in $ms ms)"
