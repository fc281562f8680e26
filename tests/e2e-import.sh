#!/bin/bash
# e2e-import.sh - `invigil review import`: three consoles watch the same
# simulated session (`invigil feed --simulate`); one is killed with SIGKILL
# and restarted on its database, another's connection is cut by a proxy;
# each proctor journals notes, signed in checkpoints.  Merged into one
# case: every (feed, epoch, seq) once and the union of the three complete,
# bodies equal to the sources'; every imported chain and its checkpoints
# equal to its source's rows; `review verify` holds; importing again
# changes nothing (sqlite3 .dump before and after); a doctored source (a
# journal row changed with the triggers dropped) is refused naming the row,
# while the others still import (exit 1); a message stored with another
# body is kept in conflicts and reported; a command is one row from its
# sender completed with the acknowledgement; a live database imports, and its
# later journal rows append to its chain; a hostile origin is sanitised.
# run-e2e timeout: 240
. "$(dirname "$0")/lib.sh"
watchdog 220

start_feed --simulate 12 --seed 15 --rate 60 --id sim --buffer 100
URL="ws://127.0.0.1:$FEED_PORT/"
python3 "$TESTS/netcut-proxy.py" 0 "$FEED_PORT" "$T/proxy.conns" \
    >"$T/proxy.port" 2>"$T/proxy.log" &
PROXY=$!
PIDS="$PIDS $PROXY"
wait_for 10 test -s "$T/proxy.port" || fail "the proxy did not start"
PROXY_URL="ws://127.0.0.1:$(cat "$T/proxy.port")/"

# console K URL RUN: console K (proctor pK) on cK.db, its requests from the
# FIFO in.K.RUN (held open on descriptor 3K... by the caller), its answers
# in out.K.RUN; sets CPID.
console() {
	mkfifo "$T/in.$1.$3"
	"$INVIGIL" --headless --feed "$2" --db "$T/c$1.db" --proctor "p$1" \
	    --checkpoint-every 2 --ping 2 <"$T/in.$1.$3" >"$T/out.$1.$3" \
	    2>>"$T/err.$1" &
	CPID=$!
	PIDS="$PIDS $CPID"
}
stored() { sqlite3 -readonly "$T/c$1.db" "select count(*) from messages" 2>/dev/null || echo 0; }
grown() { [ "$(stored "$1")" -ge "$2" ]; }
acks() { grep -c '"ok":true' "$T/out.$1.$2" 2>/dev/null || echo 0; }
acked() { [ "$(acks "$1" "$2")" -ge "$3" ]; }
# notes K RUN FD FROM TO: notes FROM..TO by console K on descriptor FD.
notes() {
	for i in $(seq "$4" "$5"); do
		echo "{\"id\":\"k$1n$i\",\"op\":\"note\",\"attempt\":\"A000$(( i % 4 + 1 ))\",\"reason\":\"console $1 note $i\"}" >&"$3"
	done
	wait_for 20 acked "$1" "$2" $(( $5 - $4 + 1 )) ||
	    fail "console $1 did not acknowledge notes $4..$5: $(cat "$T/out.$1.$2" "$T/err.$1")"
}

maxseq() { sqlite3 -readonly "$T/c$1.db" "select coalesce(max(seq), 0) from messages" 2>/dev/null || echo 0; }
seq_at_least() { [ "$(maxseq "$1")" -ge "$2" ]; }
console 1 "$URL" a; C1=$CPID; exec 4>"$T/in.1.a"
console 3 "$URL" a; C3=$CPID; exec 6>"$T/in.3.a"
for k in 1 3; do
	wait_for 30 grown $k 60 || fail "console $k stored $(stored $k) messages: $(cat "$T/err.$k")"
done
notes 1 a 4 1 4
notes 3 a 6 1 3
# Console 3 warns A0002: the feed's acknowledgement reaches every console.
echo '{"id":"w1","op":"command","attempt":"A0002","action":"warn","reason":"eyes on the screen"}' >&6
wait_for 20 acked 3 a 4 || fail "console 3's warning was not recorded: $(cat "$T/out.3.a")"
warned() { [ "$(sqlite3 -readonly "$T/c$1.db" "select count(*) from commands where ok = 1" 2>/dev/null)" = 1 ]; }
wait_for 20 warned 3 || fail "the feed did not acknowledge console 3's warning"

# Console 1: SIGKILL in the middle of the stream; console 2 starts late,
# after the feed's buffer (100 messages) has moved past the start; console
# 1 comes back once it has moved past where console 1 stopped: each of the
# three misses part of the session.
kill -KILL $C1
wait $C1 2>/dev/null
[ $? = 137 ] || fail "console 1 was not killed by its SIGKILL"
exec 4>&-
killed_at=$(maxseq 1)
wait_for 60 seq_at_least 3 $(( killed_at + 130 )) || fail "the session stalled at seq $(maxseq 3)"
console 2 "$PROXY_URL" a; C2=$CPID; exec 5>"$T/in.2.a"
wait_for 30 grown 2 40 || fail "console 2 stored $(stored 2) messages: $(cat "$T/err.2")"
notes 2 a 5 1 4
wait_for 60 seq_at_least 3 $(( killed_at + 180 )) || fail "the session stalled at seq $(maxseq 3)"
console 1 "$URL" b; C1=$CPID; exec 4>"$T/in.1.b"
wait_for 30 seq_at_least 1 $(( killed_at + 230 )) || fail "console 1 did not resume after its SIGKILL ($(maxseq 1))"
notes 1 b 4 5 7
# Console 1's database imported while it is still writing; its notes after
# that are appended to its chain by the final import.
"$INVIGIL" review import --db "$T/case.db" --actor ana "$T/c1.db" >"$T/live.out" 2>&1 ||
    fail "importing a live database exited $?: $(cat "$T/live.out")"
grep -q ", [1-9][0-9]* journal rows$" "$T/live.out" || fail "the live import: $(cat "$T/live.out")"
notes 1 b 4 8 9
[ "$(sqlite3 "$T/c1.db" "select count(*) from gaps")" -ge 1 ] || fail "console 1 recorded no gap for the messages it missed"

# Console 3 stops early; console 2's connection is cut, and it comes back.
exec 6>&-
stop_ok $C3 "console 3"
stopped_at=$(maxseq 3)
wait_for 10 sh -c "[ \"\$(cat '$T/proxy.conns' 2>/dev/null)\" -ge 1 ]" || fail "no connection through the proxy"
kill -USR1 $PROXY
wait_for 10 log_has "$T/proxy.log" "^cut [1-9]" || fail "the proxy cut nothing"
before=$(stored 2)
wait_for 30 grown 2 $(( before + 40 )) || fail "console 2 did not come back after the cut ($(stored 2) stored)"
notes 2 a 5 5 6
wait_for 30 seq_at_least 1 $(( stopped_at + 60 )) || fail "console 1 stopped at seq $(maxseq 1)"
exec 4>&- 5>&-
for c in $C1 $C2; do stop_ok $c "console"; done
stop_ok "$FEED_PID" feed
for k in 1 2 3; do
	[ "$(sqlite3 "$T/c$k.db" "select count(*) from checkpoints")" -ge 1 ] ||
	    fail "console $k signed no checkpoint"
done

# Merge.
"$INVIGIL" review import --db "$T/case.db" --actor ana "$T/c1.db" \
    "$T/c2.db" "$T/c3.db" >"$T/import.out" 2>"$T/import.err" ||
    fail "import exited $?: $(cat "$T/import.out" "$T/import.err")"
[ "$(wc -l <"$T/import.out")" = 3 ] || fail "not one line per source: $(cat "$T/import.out")"
q() { sqlite3 "$T/case.db" "attach '$T/c1.db' as c1; attach '$T/c2.db' as c2; attach '$T/c3.db' as c3; $1"; }
union="select feed, epoch, seq, body from c1.messages union select feed, epoch, seq, body from c2.messages union select feed, epoch, seq, body from c3.messages"
[ "$(q "select count(*) from messages")" = "$(q "select count(*) from (select distinct feed, epoch, seq from messages)")" ] ||
    fail "a (feed, epoch, seq) is stored twice"
[ "$(q "select count(*) from ($union)")" = "$(q "select count(*) from messages")" ] ||
    fail "the union of the sources is $(q "select count(*) from ($union)") messages, the case holds $(q "select count(*) from messages")"
[ "$(q "select count(*) from ($union except select feed, epoch, seq, body from main.messages)")" = 0 ] ||
    fail "messages of the sources are missing from the case, or differ"
total=$(q "select count(*) from messages")
for k in 1 2 3; do
	[ "$(q "select count(*) from c$k.messages")" -lt "$total" ] ||
	    fail "console $k alone holds every message: the merge was not tested"
done
[ "$(q "select count(*) from messages")" = "$(q "select max(seq) from messages")" ] &&
[ "$(q "select count(distinct epoch) from messages")" = 1 ] ||
    fail "the union has holes: $(q "select count(*), max(seq) from messages")"
[ "$(q "select count(*) from gaps where source is not null")" = \
    "$(q "select (select count(*) from c1.gaps) + (select count(*) from c2.gaps) + (select count(*) from c3.gaps)")" ] ||
    fail "the sources' gaps were not all imported with their source"
[ "$(q "select count(*) from conflicts")" = 0 ] || fail "conflicts between honest consoles"
[ "$(q "select count(*) from journal where kind = 'import' and actor = 'ana' and role = 'analyst'")" = 4 ] ||
    fail "not one import act per import with something new"
o1=$(sqlite3 "$T/c1.db" "select value from meta where key = 'journal_origin'")
grep -q "^$o1: [0-9]* new messages, [0-9]* already present, 0 conflicts, [0-9]* flags, 2 journal rows$" "$T/import.out" ||
    fail "console 1's notes after the live import were not appended: $(cat "$T/import.out")"
cols="seq, time_ms, actor, role, kind, feed, attempt, flag_id, reason_code, reason, evidence, detail, body, prev_hash, hash"
for k in 1 2 3; do
	origin=$(sqlite3 "$T/c$k.db" "select value from meta where key = 'journal_origin'")
	sqlite3 "$T/c$k.db" "select $cols from journal order by seq" >"$T/src.$k"
	sqlite3 "$T/case.db" "select $cols from imported_journal where origin = '$origin' order by seq" >"$T/dst.$k"
	[ -s "$T/src.$k" ] || fail "console $k journaled nothing"
	cmp -s "$T/src.$k" "$T/dst.$k" || fail "console $k's imported chain differs from its journal: $(diff "$T/src.$k" "$T/dst.$k" | head -5)"
	sqlite3 "$T/c$k.db" "select size, root, signer, time_ms, note, tree from checkpoints order by id" >"$T/srck.$k"
	sqlite3 "$T/case.db" "select size, root, signer, time_ms, note, tree from imported_checkpoints where origin = '$origin' order by rowid" >"$T/dstk.$k"
	cmp -s "$T/srck.$k" "$T/dstk.$k" || fail "console $k's imported checkpoints differ from its own"
	[ "$(sqlite3 "$T/case.db" "select count(*) from flags where source = '$origin'")" = \
	    "$(sqlite3 "$T/c$k.db" "select count(*) from flags")" ] || fail "console $k's flags not all imported"
done
[ "$(q "select count(*) from commands where source = '$(sqlite3 "$T/c3.db" "select value from meta where key = 'journal_origin'")' and actor = 'p3' and action = 'warn' and ok = 1")" = 1 ] &&
[ "$(q "select count(*) from commands")" = 1 ] ||
    fail "console 3's warning is not one complete row from its sender: $(q "select * from commands")"
"$INVIGIL" review verify --db "$T/case.db" >"$T/verify.out" 2>&1 ||
    fail "review verify on the case exited $?: $(cat "$T/verify.out")"
[ "$(tail -1 "$T/verify.out")" = OK ] || fail "the case's import acts are not all signed: $(cat "$T/verify.out")"
grep -q "signatures good (ana[,)]" "$T/verify.out" || fail "not signed by the analyst: $(cat "$T/verify.out")"
grep -q "^imported: 3 journals, .*all intact and covered$" "$T/verify.out" ||
    fail "verify did not check the three imported chains: $(cat "$T/verify.out")"
[ "$(sqlite3 "$T/case.db" "select count(*) from keys where actor = 'ana' and role = 'analyst'")" = 1 ] ||
    fail "the analyst's key is not recorded"

# Importing again changes nothing.
sqlite3 "$T/case.db" .dump >"$T/dump.1"
"$INVIGIL" review import --db "$T/case.db" --actor ana "$T/c1.db" \
    "$T/c2.db" "$T/c3.db" >"$T/again.out" 2>&1 || fail "the second import exited $?: $(cat "$T/again.out")"
sqlite3 "$T/case.db" .dump >"$T/dump.2"
cmp -s "$T/dump.1" "$T/dump.2" || fail "the second import changed the case: $(diff "$T/dump.1" "$T/dump.2" | head -5)"
[ "$(grep -c "0 new messages, [0-9]* already present, 0 conflicts, 0 flags, 0 journal rows (nothing new)" "$T/again.out")" = 3 ] ||
    fail "the second import did not say nothing was new: $(cat "$T/again.out")"

# A doctored source: refused, naming the file and the row; the others import.
sqlite3 "$T/c3.db" ".backup '$T/doctored.db'"
sqlite3 "$T/doctored.db" "drop trigger journal_no_update; update journal set reason = 'never happened' where seq = 2"
"$INVIGIL" review import --db "$T/case2.db" "$T/c1.db" "$T/doctored.db" \
    "$T/c2.db" >"$T/doc.out" 2>"$T/doc.err"
rc=$?
[ $rc = 1 ] || fail "a doctored source: exit $rc, want 1"
grep -q "doctored.db's journal does not verify (altered): seq 2 was altered" "$T/doc.err" ||
    fail "the refusal does not name the file and the row: $(cat "$T/doc.err")"
[ "$(wc -l <"$T/doc.out")" = 2 ] || fail "the other sources were not imported: $(cat "$T/doc.out")"
o3=$(sqlite3 "$T/c3.db" "select value from meta where key = 'journal_origin'")
[ "$(sqlite3 "$T/case2.db" "select count(*) from sources where origin = '$o3'")" = 0 ] ||
    fail "something of the doctored source was imported"

# A source at schema version 1: refused with how to import it untouched;
# a FIFO: refused at once, never waited on.
sqlite3 "$T/old.db" <"$TESTS/fixtures/schema-v1.sql"
mkfifo "$T/fifo.db"
cp "$T/old.db" "$T/old.copy"
timeout 20 "$INVIGIL" review import --db "$T/case4.db" "$T/old.db" "$T/fifo.db" >/dev/null 2>"$T/old.err"
rc=$?
[ $rc = 1 ] || fail "an old source and a FIFO: exit $rc, want 1: $(cat "$T/old.err")"
grep -q "old.db has schema version 1, older than .*upgrade a copy: sqlite3 $T/old.db '.backup COPY'" "$T/old.err" &&
    grep -q "fifo.db is a FIFO" "$T/old.err" || fail "refusals: $(cat "$T/old.err")"
cmp -s "$T/old.db" "$T/old.copy" || fail "the old source was changed"

# A source's origin is hostile text: shown sanitised, stored as it is.
sqlite3 "$T/c3.db" ".backup '$T/hostile.db'"
sqlite3 "$T/hostile.db" "drop trigger checkpoints_no_delete; delete from checkpoints;
    update meta set value = 'evil' || char(27) || ']0;owned' || char(7) || char(10) || 'x' where key = 'journal_origin'"
"$INVIGIL" review import --db "$T/case3.db" "$T/hostile.db" >"$T/hostile.out" 2>&1 ||
    fail "a source with a hostile origin: exit $?: $(cat "$T/hostile.out")"
[ "$(wc -l <"$T/hostile.out")" = 1 ] && ! grep -q "$(printf '\033')" "$T/hostile.out" &&
    ! grep -q "$(printf '\007')" "$T/hostile.out" || fail "the hostile origin reached the terminal: $(od -c "$T/hostile.out" | head)"
[ "$(sqlite3 "$T/case3.db" "select count(*) from imported_journal where origin = 'evil' || char(27) || ']0;owned' || char(7) || char(10) || 'x'")" -ge 1 ] ||
    fail "the hostile origin was not kept as it is"

# A message stored with another body: kept in conflicts, reported.
sqlite3 "$T/c2.db" ".backup '$T/other.db'"
key=$(sqlite3 "$T/other.db" "select epoch || ' seq ' || seq from messages order by seq limit 1 offset 20")
seq=${key##* }
sqlite3 "$T/other.db" "update messages set body = replace(body, '\"ts\"', '\"ts\" ') where seq = $seq"
"$INVIGIL" review import --db "$T/case.db" --format jsonl "$T/other.db" >"$T/conflict.out" 2>&1 ||
    fail "importing a conflicting copy exited $?: $(cat "$T/conflict.out")"
grep -q "\"conflicts\":1,\"conflict_keys\":\[{\"feed\":\"sim\",\"epoch\":[0-9]*,\"seq\":$seq}\]" "$T/conflict.out" ||
    fail "the conflict was not reported with its key: $(cat "$T/conflict.out")"
[ "$(sqlite3 "$T/case.db" "select count(*) from conflicts where seq = $seq and body = (select body from messages where seq = $seq) || ''")" = 0 ] &&
[ "$(sqlite3 "$T/case.db" "select count(*) from conflicts c join messages m using (feed, epoch, seq) where c.body <> m.body and seq = $seq")" = 1 ] ||
    fail "the other body was not kept beside the first"
echo "PASS: 3 consoles (1 SIGKILL + restart, 1 network cut), $total messages merged once each, 3 chains equal to their sources, verify OK, re-import a no-op, doctored source refused at seq 2, conflict at seq $seq kept"
