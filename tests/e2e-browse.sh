#!/bin/bash
# e2e-browse.sh - `invigil review browse`: a short simulated exam recorded
# by a headless console whose proctor dismissed one flag and confirmed
# another, then browsed in a real terminal (tmux) at 120x40 and 80x24:
# the header says REVIEW (read-only) and the path; the rows shown are the
# database's (attempt, candidate, state, events and the last one's kind,
# the open flags, compared with sqlite3), the totals too; Enter opens the detail with its timeline (the
# decision in it); Tab shows the flags queue and the journal with both
# decisions (actor, kind, code); an act key says acts are disabled, on
# every view, and records nothing: the database is byte-identical after
# the session (sha256) and no -wal or -shm was made beside it; q exits 0.
# A merged case database from `review import` browses too (the attempts
# of its feed), and one a console is still writing shows a new attempt
# within seconds.  Errors: no --db, a missing file, a file that is not
# invigil's, a newer schema, no terminal: exit 2 with a sentence.
# run-e2e timeout: 150
. "$(dirname "$0")/lib.sh"
watchdog 140
use_tmux

expect2() {	# expect2 PATTERN ARGS...: exit 2 and the sentence
	pat=$1; shift
	out=$("$INVIGIL" review browse "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = 2 ] || fail "review browse $*: exit $rc, want 2: $out"
	echo "$out" | grep -qE -- "$pat" || fail "review browse $*: lacks /$pat/: $out"
}
expect2 "give --db PATH"
expect2 "none.db does not exist" --db "$T/none.db"
sqlite3 "$T/other.db" "CREATE TABLE t (a)" || fail "sqlite3"
expect2 "other.db is not an invigil database" --db "$T/other.db"
expect2 "wants auto, color or mono" --db "$T/none.db" --theme pink

# The exam: 30 candidates, flags, two decisions and a warning.
start_feed --simulate 30 --seed 5 --rate 400 --id sim
headless_on_fifo "$T/x.db" ana
stored() { [ "$(sqlite3 -readonly "$T/x.db" "select count(*) >= 4 from flags" 2>/dev/null)" = 1 ] &&
    [ "$(sqlite3 -readonly "$T/x.db" "select count(*) from attempts" 2>/dev/null)" = 30 ]; }
wait_for 40 stored || { cat "$T/err" >&2; fail "the console stored too little"; }
echo '{"id":"r1","op":"decide","flag":1,"action":"dismiss","reason":"looked fine","reason_code":"technical.false_positive"}' >&3
echo '{"id":"r2","op":"decide","flag":2,"action":"confirm","reason":"phone in hand","reason_code":"security.prohibited_aid"}' >&3
acked() { [ "$(grep -c '"t":"ack".*"ok":true' "$T/out")" -ge 2 ]; }
wait_for 10 acked || { cat "$T/out" "$T/err" >&2; fail "the decisions were not acknowledged"; }
kill "$HEADLESS_PID"; wait "$HEADLESS_PID" 2>/dev/null
kill "$FEED_PID"
# A hostile name and a centre, as a feed could have sent them.
sqlite3 "$T/x.db" "UPDATE attempts SET name = 'Eve' || char(27) || '[31mRED', center = 'Lyon' WHERE attempt = 'A0003'" ||
    fail "could not plant the hostile name"
[ ! -e "$T/x.db-wal" ] && [ ! -e "$T/x.db-shm" ] || fail "the console left a -wal or -shm"
sha_before=$(sha256sum <"$T/x.db")
# sqlite3 reads a copy: its read-only open makes a -wal and -shm too.
mkdir "$T/ref" && cp "$T/x.db" "$T/ref/x.db" || fail "cp"
q() { sqlite3 -readonly "$T/ref/x.db" "$1"; }
dump() { tm capture-pane -p -t 0; }
on_screen() { dump | grep -qE -- "$1"; }
browse() {	# browse COLS ROWS DB: the browser in a new tmux session
	rm -f "$T/exit"
	tm kill-server 2>/dev/null
	wait_for 5 sh -c "! tmux -S '$SOCK' has-session 2>/dev/null" || fail "tmux did not stop"
	rm -f "$SOCK"
	tm -f /dev/null new-session -d -x "$1" -y "$2" \
	    "cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$INVIGIL' review browse --db '$3' 2>'$T/browse.err'; echo \"exit=\$?\" > '$T/exit'; sleep 60"
	wait_for 10 on_screen "REVIEW \(read-only\) $3" || { dump >&2; cat "$T/browse.err" >&2; fail "no REVIEW (read-only) header at $1x$2 for $3"; }
}
key() { tm send-keys -t 0 "$@"; sleep 0.3; }
disabled() {	# an act key on this view says so, and records nothing
	tm send-keys -t 0 "$1"
	wait_for 3 on_screen "read-only review browser: acts are disabled" ||
	    { dump >&2; fail "$2: act key $1 did not say acts are disabled"; }
	on_screen "Reason code to|Reason to" && { dump >&2; fail "$2: act key $1 opened a prompt"; }
	key Escape	# clear the line for the next check
}
quit_ok() {
	key q
	wait_for 5 test -s "$T/exit" || { dump >&2; fail "q did not quit"; }
	[ "$(cat "$T/exit")" = "exit=0" ] || { cat "$T/browse.err" >&2; fail "browse $(cat "$T/exit")"; }
}

# ---- 120x40: the table, the detail, the queue, the journal.
browse 120 40 "$T/x.db"
n=$(q "select count(*) from attempts")
open=$(q "select count(*) from flags where state = 'open'")
on_screen "\| $n candidates \|" || { dump >&2; fail "header does not count the $n attempts"; }
on_screen "\| $open open flags \|" || { dump >&2; fail "header does not count the $open open flags"; }
dump | grep -q $'\e' && fail "an escape reached the screen"
# Every row shown is the database's attempt: candidate, state, open flags.
rows=0
while read -r att cand state; do
	rows=$((rows + 1))
	want=$(q "select candidate || ' ' || state from attempts where attempt = '$att'")
	[ "$cand $state" = "$want" ] || fail "row $att: shown '$cand $state', stored '$want'"
	nf=$(q "select count(*) from flags where attempt = '$att' and state = 'open'")
	line=$(dump | grep -E "^[> ]$att ")
	ne=$(q "select count(*) from messages where attempt = '$att' and type = 'event'")
	lk=$(q "select kind from messages where attempt = '$att' and type = 'event' order by ts_ms desc, seq desc limit 1")
	if [ "$ne" = 0 ]; then last=" $state +[^ ]+ +0  - "; else last=" $state +[^ ]+ +$ne  [0-9:]{8} $lk"; fi
	echo "$line" | grep -qE "$last" || fail "row $att: stored $ne events, the last $lk; shown: $line"
	if [ "$nf" = 0 ]; then
		echo "$line" | grep -qE ' - *$| -$' || fail "row $att: stored no open flag, shown: $line"
	else
		echo "$line" | grep -qE " $nf (critical|high|medium|low|info) " || fail "row $att: stored $nf open flags, shown: $line"
	fi
done < <(dump | sed -n 's/^[> ]\(A[0-9]\{4\}\) \+\(C[0-9]\{4\}\) .* \(scheduled\|checked_in\|in_progress\|paused\|submitted\|terminated\|abandoned\) .*/\1 \2 \3/p')
[ "$rows" -ge 20 ] || { dump >&2; fail "only $rows attempt rows shown at 120x40"; }
# RECENT EVENTS: the newest stored event first.
read -r latt lkind < <(q "select attempt || ' ' || kind from messages where type = 'event' order by id desc limit 1")
dump | sed -n '/RECENT EVENTS/{n;p;}' | grep -qE "^ [0-9:]{8} +$latt $lkind" || { dump >&2; fail "RECENT EVENTS does not start with the newest event ($latt $lkind)"; }
on_screen "^[> ]A0003 +C0003 +Eve\\\\x1b\\[31mRED" || { dump >&2; fail "the hostile name is not shown sanitised"; }
dump | tail -1 | grep -qE ' d dismiss| c confirm' && { dump >&2; fail "the key bar offers acts"; }
disabled d "attempts"
disabled p "attempts"

# Enter: the detail of the top row, with its timeline from the database.
top=$(dump | sed -n 's/^>\(A[0-9]\{4\}\) .*/\1/p')
[ -n "$top" ] || { dump >&2; fail "no selected row"; }
key Enter
wait_for 3 on_screen "^ ATTEMPT $top " || { dump >&2; fail "Enter did not open the detail of $top"; }
on_screen "TIMELINE: [0-9]+ items" || { dump >&2; fail "the detail has no timeline"; }
first=$(q "select min(seq) from messages where attempt = '$top' and type = 'attempt'")
on_screen "#$first " || { dump >&2; fail "the timeline lacks $top's attempt message #$first"; }
disabled c "detail"
key Escape

# The confirmed flag's attempt: its detail has the decision.
cattempt=$(q "select attempt from flags where id = 2")
cseq=$(dump | grep -nE "^[> ]$cattempt " | cut -d: -f1)
[ -n "$cseq" ] || { dump >&2; fail "$cattempt is not on the screen"; }
sel=$(dump | grep -nE "^>" | cut -d: -f1)
while [ "$sel" -lt "$cseq" ]; do key j; sel=$((sel + 1)); done
while [ "$sel" -gt "$cseq" ]; do key k; sel=$((sel - 1)); done
key Enter
wait_for 3 on_screen "decision +confirm flag 2 \[security.prohibited_aid\]: phone in hand +\(by ana, proctor\)" ||
    { dump >&2; fail "the detail of $cattempt lacks the confirmation"; }
key Escape

# Tab: the flags queue, as many open flags as stored.
key Tab
wait_for 3 on_screen "FLAGS QUEUE  REVIEW \(read-only\)" || { dump >&2; fail "Tab did not open the queue"; }
on_screen "open flags: $open( |$)" || { dump >&2; fail "the queue does not count $open open flags"; }
disabled d "queue"
# Tab: the journal, every act of every proctor.
key Tab
wait_for 3 on_screen "JOURNAL  REVIEW \(read-only\)" || { dump >&2; fail "Tab did not open the journal"; }
acts=$(q "select count(*) from journal where role <> 'feed'")
on_screen "\| $acts acts shown" || { dump >&2; fail "the journal does not show the $acts acts"; }
on_screen "^[> ] +[0-9]+ [0-9:]{8} ana +dismiss +A[0-9]{4} +1 [0-9a-f]{12} technical.false_positive +looked fine" ||
    { dump >&2; fail "the journal lacks the dismissal"; }
on_screen "^[> ] +[0-9]+ [0-9:]{8} ana +confirm +A[0-9]{4} +2 [0-9a-f]{12} security.prohibited_aid +phone in hand" ||
    { dump >&2; fail "the journal lacks the confirmation"; }
quit_ok

# ---- 80x24: the same header and rows, a key and quit.
browse 80 24 "$T/x.db"
on_screen "^>A[0-9]{4} +C[0-9]{4}" || { dump >&2; fail "no rows at 80x24"; }
disabled t "attempts at 80x24"
quit_ok

sha_after=$(sha256sum <"$T/x.db")
[ "$sha_before" = "$sha_after" ] || fail "the database changed under the browser"
[ ! -e "$T/x.db-wal" ] || fail "the browser made x.db-wal"
[ ! -e "$T/x.db-shm" ] || fail "the browser made x.db-shm"
[ "$(q "select count(*) from journal")" = "$(q "select max(seq) from journal")" ] || fail "journal"

# A newer schema is refused (on a copy).
cp "$T/x.db" "$T/new.db"
sqlite3 "$T/new.db" "PRAGMA user_version = 99" || fail "sqlite3"
expect2 "new.db has schema version 99|newer" --db "$T/new.db"
# No terminal: a sentence, not a screen.
expect2 "wants a terminal" --db "$T/x.db"

# ---- a merged case database: review import.
"$INVIGIL" review import --db "$T/case.db" "$T/x.db" >"$T/import.out" 2>&1 ||
    { cat "$T/import.out" >&2; fail "review import"; }
browse 120 40 "$T/case.db"
nc=$(sqlite3 -readonly "$T/case.db" "select count(*) from attempts")
on_screen "\| $nc candidates \|" || { dump >&2; fail "the case database's $nc attempts are not counted"; }
# Its journal: the acts of every origin (the imported proctor's too).
cacts=$(sqlite3 -readonly "$T/case.db" "select (select count(*) from journal where role <> 'feed') + (select count(*) from imported_journal where role <> 'feed')")
[ "$cacts" -ge 2 ] || fail "the case database holds $cacts acts"
key Tab; key Tab
wait_for 3 on_screen "JOURNAL  REVIEW \(read-only\) .*\| $cacts acts shown" || { dump >&2; fail "the case journal does not show its $cacts acts"; }
on_screen " ana +confirm +A[0-9]{4} +2 " || { dump >&2; fail "the case journal lacks the imported confirmation"; }
quit_ok

# ---- a console starts writing while the browser shows its database: the
# browser opened it with no writer (no -wal), and sees the new attempts.
start_feed --simulate 3 --seed 7 --rate 100 --id live
"$INVIGIL" --headless --db "$T/live.db" --proctor bo \
    --feed "ws://127.0.0.1:$FEED_PORT/" </dev/null >"$T/live.out" 2>"$T/live.err" &
lc=$!
PIDS="$PIDS $lc"
live_ready() { [ "$(sqlite3 -readonly "$T/live.db" "select count(*) from attempts" 2>/dev/null)" = 3 ]; }
wait_for 20 live_ready || { cat "$T/live.err" >&2; fail "the live console stored no attempts"; }
kill "$lc"; wait "$lc" 2>/dev/null
kill "$FEED_PID"
rm -f "$T/live.db-wal" "$T/live.db-shm"	# sqlite3's, above
browse 120 40 "$T/live.db"
on_screen "\| 3 candidates \|" || { dump >&2; fail "the live database's 3 attempts are not counted"; }
[ ! -e "$T/live.db-wal" ] || fail "the browser made live.db-wal"
start_feed --simulate 4 --seed 8 --rate 100 --id live2
"$INVIGIL" --headless --db "$T/live.db" --proctor bo \
    --feed "ws://127.0.0.1:$FEED_PORT/" </dev/null >>"$T/live.out" 2>>"$T/live.err" &
lc=$!
PIDS="$PIDS $lc"
wait_for 20 on_screen "\| 7 candidates \|" || { dump >&2; cat "$T/live.err" >&2; fail "the new attempts did not appear"; }
on_screen "^[> ]A[0-9]{4} +C[0-9]{4} .*" || fail "no rows"
quit_ok
kill "$lc"; wait "$lc" 2>/dev/null

echo "PASS: review browse at 120x40 and 80x24: $rows rows equal to sqlite3, detail with timeline and decision, queue ($open open), journal ($acts acts), acts disabled on every view, database byte-identical without -wal/-shm; a merged case ($nc attempts) and a live database (3 then 7) browse too"
