#!/bin/bash
# e2e-bulk.sh - bulk acts and the newer acts at the keyboard (tmux, --demo),
# at 120x40 and at 80x24: Space marks three attempts ("3 marked", a * in
# each row's first cell), w warns all three (three journal entries, three
# commands, each acknowledged, "warn: 3 of 3 acknowledged"); a bulk pause
# with one of them already paused lists that failure until u; terminate
# with marks is refused; then on one attempt: message (its text in the
# command row), extend by 15 (minutes in the journal detail, acknowledged)
# and lock (LOCKED on the screen) then resume (in_progress again).
. "$(dirname "$0")/lib.sh"

tmux_setup
screen() { tm capture-pane -p -t "$S"; }
# on_screen REGEX: the screen shows it (within a few seconds).
on_screen() {
	wait_for 6 sh -c "tmux -S '$SOCK' capture-pane -p -t '$S' | grep -qE -- \"\$0\"" "$1" ||
	    { screen >&2; fail "$W x $H: not on the screen: $1"; }
}
q() { sqlite3 -readonly "$DB" "$1"; }
# want SQL VALUE WHAT: the database answers SQL with VALUE.
want() {
	n=$(q "$1")
	[ "$n" = "$2" ] || fail "$W x $H: $3: $n, not $2"
}
# act KEY CODE WORDS: an act at the keyboard, through the picker and prompt.
act() {
	tm send-keys -t "$S" "$1"
	on_screen "Reason code to "
	tm send-keys -t "$S" -l "$2"
	tm send-keys -t "$S" Enter
	on_screen "(Reason|Minutes \(1-240\), then the reason,) to "
	tm send-keys -t "$S" -l "$3"
	tm send-keys -t "$S" Enter
}

run() {
	W=$1 H=$2 S=s$1
	DB=$T/demo-$W.db
	tm -f /dev/null new-session -d -s "$S" -x "$W" -y "$H" \
	    "cd '$T' && TERM=xterm-256color '$INVIGIL' --demo --db '$DB' --proctor bulk-e2e; echo \"exit=\$?\" > '$T/exit-$W'; sleep 60"
	# By attempt id: the rows stay put while risk changes.
	on_screen "^[> ]A0001 "
	tm send-keys -t "$S" s s g
	on_screen "by attempt"
	first4() { [ "$(screen | grep -cE '^[> *]A000[1-4] .* in_progress ')" = 4 ]; }
	wait_for 20 first4 || { screen >&2; fail "$W x $H: A0001-A0004 never in progress"; }

	# A0001 paused on its own first: the bulk pause will find it paused.
	act p left "away"
	on_screen "feed acknowledged pause of A0001"

	tm send-keys -t "$S" Space j Space j Space
	on_screen "\| 3 marked \|"
	[ "$(screen | grep -cE '^\*A000[1-3] ')" = 3 ] ||
	    { screen >&2; fail "$W x $H: the three marked rows do not start with *"; }
	screen | grep -qE '^\*A0004 ' && fail "$W x $H: A0004 is marked"
	# Marks are by identity: once round the five orders, still there.
	tm send-keys -t "$S" s
	on_screen "by name"
	tm send-keys -t "$S" s s s s
	on_screen "by attempt \| .*3 marked"
	# The top of the table again (the selection scrolled it), then back
	# on A0003 (a marked row shows * rather than >: A0004's > says where).
	tm send-keys -t "$S" g
	three() { [ "$(screen | grep -cE '^\*A000[1-3] ')" = 3 ]; }
	wait_for 5 three || { screen >&2; fail "$W x $H: the marks did not survive re-sorting"; }
	tm send-keys -t "$S" j j

	act w left "look at your screen"
	on_screen "warn: 3 of 3 acknowledged"
	want "select count(distinct attempt) from journal where kind='warn' and actor='bulk-e2e' and reason='look at your screen' and reason_code='examinee.left_view' and attempt in ('A0001','A0002','A0003')" 3 "journal entries of the bulk warn"
	want "select count(distinct id) from commands where action='warn' and ok=1 and text='look at your screen' and attempt in ('A0001','A0002','A0003')" 3 "acknowledged warn commands"
	want "select count(*) from journal where kind='cmd_ack' and json_extract(detail, '\$.cmd') in (select id from commands where action='warn')" 3 "cmd_ack journal entries of the warns"

	act p left "bulk pause"
	on_screen "pause: 2 of 3 acknowledged, 1 refused"
	on_screen "^ +A0001: attempt A0001 cannot be paused: it is paused"
	want "select group_concat(attempt || ':' || ok, ',') from (select attempt, ok from commands where action='pause' and text='bulk pause' order by attempt)" "A0001:0,A0002:1,A0003:1" "the bulk pause's commands"
	# Not in bulk: said, nothing recorded.
	tm send-keys -t "$S" t
	on_screen "terminate is not taken on marked attempts"
	want "select count(*) from journal where kind='terminate'" 0 "terminates recorded with marks"
	tm send-keys -t "$S" u
	on_screen "no attempt marked"
	screen | grep -q "u dismisses" && { screen >&2; fail "$W x $H: the failures stay after u"; }
	screen | grep -qE '^\*A000' && { screen >&2; fail "$W x $H: marks stay after u"; }

	# One attempt: message, extend 15, lock, resume.
	tm send-keys -t "$S" j
	on_screen "^>A0004 "
	act m left "Five minutes left"
	on_screen "feed acknowledged message of A0004"
	want "select count(*) from commands where action='message' and attempt='A0004' and text='Five minutes left' and ok=1" 1 "message command rows"
	# Words that do not start with the minutes: said, the prompt stays.
	act x tech.lost "platform outage"
	on_screen "extend: start the words with the minutes, 1 to 240"
	on_screen "Minutes \(1-240\), then the reason, to extend A0004"
	tm send-keys -t "$S" Escape
	on_screen "cancelled; nothing recorded"
	want "select count(*) from journal where kind='extend'" 0 "extends recorded without minutes"
	act x tech.lost "15 platform outage"
	on_screen "feed acknowledged extend of A0004"
	want "select count(*) from journal where kind='extend' and attempt='A0004' and reason='platform outage' and reason_code='technical.lost_time' and json_extract(detail, '\$.minutes')=15" 1 "extend journal entries with minutes 15"
	want "select count(*) from commands where action='extend' and text='15 minutes: platform outage' and ok=1" 1 "extend commands acknowledged"
	act l left "please wait"
	on_screen "feed acknowledged lock of A0004"
	on_screen "^>A0004 .* LOCKED "
	tm send-keys -t "$S" Enter
	on_screen "^ state in_progress \(screen LOCKED\) "
	tm send-keys -t "$S" Escape
	on_screen "^>A0004 .* LOCKED "
	act r left "go on"
	on_screen "feed acknowledged resume of A0004"
	on_screen "^>A0004 .* in_progress "
	want "select group_concat(action || ':' || ok, ',') from (select action, ok from commands where attempt='A0004' order by sent_ms)" "message:1,extend:1,lock:1,resume:1" "A0004's commands"

	tm send-keys -t "$S" q
	wait_for 5 test -s "$T/exit-$W" || { screen >&2; fail "$W x $H: q did not quit"; }
	[ "$(cat "$T/exit-$W")" = "exit=0" ] || fail "$W x $H: console $(cat "$T/exit-$W")"
	# Every act is one the roles table lets a proctor record.
	"$INVIGIL" review verify --db "$DB" >/dev/null 2>"$T/verify-$W" ||
	    { cat "$T/verify-$W" >&2; fail "$W x $H: review verify failed"; }
}

run 120 40
run 80 24
echo "PASS: at 120x40 and 80x24, Space marked 3 attempts and w warned them (3 journal entries, 3 commands acknowledged, 3 cmd_ack), a bulk pause listed A0001's refusal until u, terminate with marks was refused, message/extend 15/lock/resume on A0004 were each acknowledged (LOCKED shown, then in_progress)"
