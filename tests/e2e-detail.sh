#!/bin/bash
# e2e-detail.sh - the attempt detail view (issue 17, item 1) in a real
# terminal (tmux), at 120x40 and at 80x24, on `invigil --demo`: Enter on
# the top attempt shows its facts (as the database holds them), its flags
# and its timeline, where the rows drawn in reverse video and marked "*"
# are the selected flag's evidence (their seqs are the flag's evidence in
# the database, and the first of them is on the screen); a note and a
# dismiss typed in the view land in the journal for that attempt and that
# flag; Esc goes back to the table; an attempt with a shared_* flag lists
# the attempt it is linked to, and its digit opens that attempt's detail;
# a resize to 80x24 redraws the detail to the new size.
# run-e2e timeout: 150
. "$(dirname "$0")/lib.sh"
watchdog 140
use_tmux

screen() { tm capture-pane -p -t "$S"; }
# The screen's lines, each after "R " when its first cell is drawn in
# reverse video, else "- " (capture-pane -e: attributes carry over from
# line to line until an SGR sequence changes them).
screen_rev() {
	tm capture-pane -e -p -t "$S" | python3 -c '
import re, sys
rev = False
for line in sys.stdin.read().split("\n"):
    first = None
    pos = 0
    text = ""
    for m in re.finditer(r"\x1b\[([0-9;]*)m|\x1b[^m]*m?|([^\x1b]+)", line):
        if m.group(2) is not None:
            if first is None:
                first = rev
            text += m.group(2)
        elif m.group(1) is not None:
            for p in (m.group(1) or "0").split(";"):
                if p in ("", "0", "27"):
                    rev = False
                elif p == "7":
                    rev = True
    print(("R " if first else "- ") + text)
'
}
q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
title_id() { screen | sed -n '1s/^ ATTEMPT \([A-Z0-9]*\) .*/\1/p'; }
in_detail() { [ -n "$(title_id)" ] && screen | grep -q '^ TIMELINE: '; }
in_table() { screen | grep -q '^ ATTEMPT  *CANDID\.'; }
key() { tm send-keys -t "$S" "$@"; sleep 0.3; }

# detail_check W H: the detail of the top attempt at W x H.
detail_check() {
	W=$1 H=$2 S=s$1 DB="$T/d$1.db"
	tm -f /dev/null new-session -d -s "$S" -x "$W" -y "$H" \
	    "cd '$T' && TERM=xterm-256color '$INVIGIL' --demo --db '$DB' --proctor e2e-detail 2>'$T/err$W'; echo \"exit=\$?\" > '$T/exit$W'; sleep 60"
	flagged() { [ "$(q 'select count(*) from flags')" -ge 4 ] 2>/dev/null; }
	wait_for 20 flagged || { screen >&2; fail "${W}x$H: no flags raised within 20 s"; }
	in_table || { screen >&2; fail "${W}x$H: no attempts table"; }

	# The top attempt (Home selects it), opened with Enter.
	key g
	key Enter
	wait_for 3 in_detail || { screen >&2; fail "${W}x$H: Enter did not open the detail"; }
	id=$(title_id)
	[ "$(q "select count(*) from flags where attempt = '$id'")" -ge 1 ] ||
	    { screen >&2; fail "${W}x$H: the top attempt $id has no flags"; }

	# Its facts, as the database holds them.
	exam=$(q "select exam from attempts where attempt = '$id'")
	ip=$(q "select ip from attempts where attempt = '$id'")
	device=$(q "select device from attempts where attempt = '$id'")
	screen | sed -n 2p | grep -qF "exam $exam " ||
	    { screen >&2; fail "${W}x$H: $id's exam ($exam) is not on line 2"; }
	screen | sed -n 3p | grep -qF " ip $ip  device ${device:0:12}" ||
	    { screen >&2; fail "${W}x$H: $id's ip/device ($ip $device) not on line 3"; }

	# The selected flag (its line in reverse video, marked ">") and its
	# evidence in the timeline (reverse video, marked "*").
	fid=$(screen | sed -n 's/^> [ +0-9.-]*  flag \([0-9]*\) .*/\1/p' | head -1)
	[ -n "$fid" ] || { screen >&2; fail "${W}x$H: no selected flag line"; }
	[ "$(q "select attempt from flags where id = $fid")" = "$id" ] ||
	    fail "${W}x$H: flag $fid is not $id's"
	ev=",$(q "select evidence from flags where id = $fid"),"
	# Wait for a message of the attempt that is not evidence: the marks
	# must tell the two apart.
	plain() { screen_rev | grep -qE '^-   [0-9:]+ [a-z_]+ +#[0-9]+ '; }
	wait_for 20 plain || { screen_rev >&2; fail "${W}x$H: no timeline row of $id that is not flag $fid's evidence"; }
	marked=$(screen_rev | sed -n 's/^R \* [0-9:]* *[a-z_]* *#\([0-9]*\) .*/\1/p')
	[ -n "$marked" ] || { screen_rev >&2; fail "${W}x$H: no evidence highlighted for flag $fid"; }
	for s in $marked; do
		case "$ev" in *",$s,"*) ;; *) screen >&2
		    fail "${W}x$H: row #$s is highlighted but not flag $fid's evidence ($ev)";; esac
	done
	first=$(q "select min(seq) from messages where attempt = '$id' and ',' || (select evidence from flags where id = $fid) || ',' like '%,' || seq || ',%'")
	echo "$marked" | grep -qx "$first" ||
	    { screen >&2; fail "${W}x$H: flag $fid's first evidence #$first is not highlighted"; }
	# The marks and the reverse video go together.
	if screen_rev | grep -qE '^(- \* [0-9]|R   [0-9]|R > [0-9])'; then
		screen_rev >&2; fail "${W}x$H: a timeline row's mark and reverse video disagree"
	fi
	screen_rev | grep -qE "^R > [ +0-9.-]*  flag $fid " ||
	    { screen_rev >&2; fail "${W}x$H: the selected flag's line is not in reverse video"; }

	# Acts from the view: a note on the attempt, a dismiss of the flag.
	# (each through the reason-code picker: letters narrow, Enter picks)
	key o
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t $S | grep -q 'Reason code to note'" ||
	    { screen >&2; fail "${W}x$H: no reason-code picker after o"; }
	key o t h e r Enter
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t $S | grep -q 'Reason to note'" ||
	    { screen >&2; fail "${W}x$H: no reason prompt after the code"; }
	key "seen in detail $W" Enter
	key d
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t $S | grep -q 'Reason code to dismiss flag $fid of $id'" ||
	    { screen >&2; fail "${W}x$H: d does not ask to dismiss flag $fid of $id"; }
	key t e c h . f a l Enter
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t $S | grep -q 'Reason to dismiss flag $fid of $id'" ||
	    { screen >&2; fail "${W}x$H: no reason prompt to dismiss flag $fid of $id"; }
	key "dismissed in detail $W" Enter
	journaled() { [ "$(q "select count(*) from journal where attempt = '$id' and actor = 'e2e-detail' and ((kind = 'note' and reason_code = 'other' and reason = 'seen in detail $W') or (kind = 'dismiss' and flag_id = $fid and reason_code = 'technical.false_positive' and reason = 'dismissed in detail $W'))")" = 2 ]; }
	wait_for 5 journaled || { screen >&2; fail "${W}x$H: the note and the dismiss are not in the journal"; }
	# The view reads its timeline again: the decision is on it.
	decided() { screen | grep -qE "^[> ] [0-9:]+ decision +dismiss flag $fid \[technical\.false_pos"; }
	wait_for 5 decided || { screen >&2; fail "${W}x$H: the dismiss is not on the timeline"; }

	# Esc: back to the table.
	key Escape
	wait_for 3 in_table || { screen >&2; fail "${W}x$H: Esc did not go back to the table"; }

	# An attempt with a link flag lists the other; its digit opens it.
	linkable=" $(q "select group_concat(attempt, ' ') from flags where rule like 'shared_%'") "
	[ "$linkable" != "  " ] || fail "${W}x$H: the demo raised no shared_* flag"
	key g
	found=
	for _ in $(seq 1 45); do
		sel=$(screen | sed -n 's/^>\(A[0-9]*\) .*/\1/p')
		case "$linkable" in *" $sel "*) found=$sel; break;; esac
		tm send-keys -t "$S" j
		sleep 0.1
	done
	[ -n "$found" ] || { screen >&2; fail "${W}x$H: no attempt with a shared_* flag reached with j"; }
	key Enter
	wait_for 3 in_detail || { screen >&2; fail "${W}x$H: Enter did not open $found"; }
	[ "$(title_id)" = "$found" ] || { screen >&2; fail "${W}x$H: opened $(title_id), not $found"; }
	has_linked() { screen | grep -q '^ LINKED  1 A[0-9]* '; }
	wait_for 3 has_linked || { screen >&2; fail "${W}x$H: $found lists no linked attempt"; }
	other=$(screen | sed -n 's/^ LINKED  1 \(A[0-9]*\) [^(]*(\(shared_[a-z]*\)).*/\1 \2/p')
	rule=${other#* } other=${other% *}
	# The database agrees: both carry that rule, the one's evidence is
	# the other's message.
	[ "$(q "select count(*) from flags f join messages m on m.feed = f.feed and m.attempt = '$other' and ',' || f.evidence || ',' like '%,' || m.seq || ',%' where f.attempt = '$found' and f.rule = '$rule'")" -ge 1 ] ||
	    fail "${W}x$H: $other is listed as linked to $found by $rule, the database says not"
	key 1
	wait_for 3 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t $S | sed -n '1s/^ ATTEMPT \\([A-Z0-9]*\\) .*/\\1/p')\" = '$other' ]" ||
	    { screen >&2; fail "${W}x$H: 1 did not open the linked attempt $other"; }
	screen | grep -qE "^ LINKED .* $found " ||
	    { screen >&2; fail "${W}x$H: $other does not list $found back"; }

	# Resized, the view is drawn again to the new size without a key.
	if [ "$W" = 120 ]; then
		tm resize-window -t "$S" -x 80 -y 24 2>/dev/null || tm resize-pane -t "$S" -x 80 -y 24
		redrawn() { [ "$(screen | wc -l)" = 24 ] && screen | sed -n 24p | grep -q '^ Esc/q back  Tab/] flag' &&
		    screen | grep -q '^ TIMELINE: ' && [ "$(title_id)" = "$other" ]; }
		wait_for 3 redrawn || { screen >&2; fail "the detail is not redrawn at 80x24"; }
	fi
	key Escape
	wait_for 3 in_table || { screen >&2; fail "${W}x$H: Esc did not go back to the table"; }
	key q
	wait_for 5 test -s "$T/exit$W" || { screen >&2; fail "${W}x$H: q did not quit"; }
	[ "$(cat "$T/exit$W")" = "exit=0" ] || { cat "$T/err$W" >&2; fail "${W}x$H: console $(cat "$T/exit$W")"; }
	echo "${W}x$H: $id flag $fid evidence [$(echo $marked)] highlighted; $found -> $other ($rule)"
}

detail_check 120 40
detail_check 80 24
echo "PASS: the detail view: facts, the flag's evidence highlighted, acts journaled, linked attempts, Esc back (120x40, 80x24)"
