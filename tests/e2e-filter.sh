#!/bin/bash
# e2e-filter.sh - find and filter (issue 17, item 4) in a real terminal
# (tmux, `invigil --demo=12`, 120x40 then 80x24, a console each): / and
# one candidate's name (read from the database, typed in lower case) shows
# only that row and "1 of 12 attempts shown"; a rule name shows exactly the
# attempts with that open flag (as sqlite3 has them), an IP address those
# with it; n moves to the next
# match and N wraps round; Esc clears; one attempt paused with the act,
# 2 shows only the paused ones, the header counting as many as the
# database holds, in brackets; b groups by centre, the headings in order;
# the journal view filters its acts; Tab round the views keeps the
# selection and the grouping.
# run-e2e timeout: 150
. "$(dirname "$0")/lib.sh"
watchdog 140
use_tmux

screen() { tm capture-pane -p -t "$S"; }
# The attempt ids the table shows, sorted; the selected one.
shown() { screen | sed -nE 's/^[> ](A[0-9]{4}) .*/\1/p' | sort; }
selected() { screen | sed -nE 's/^>(A[0-9]{4}) .*/\1/p'; }
see() { screen | grep -q -- "$1"; }
expect() { wait_for 4 see "$1" || { screen >&2; fail "${W}x$H: $2"; }; }
key() { tm send-keys -t "$S" "$@"; sleep 0.2; }
# The filter prompt with text typed as is (-l: no key names).
find_text() { key /; tm send-keys -t "$S" -l "$1"; sleep 0.3; }

run() {
	W=$1 H=$2 S=s$1 DB="$T/d$1.db"
	q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
	tm -f /dev/null new-session -d -s "$S" -x "$W" -y "$H" \
	    "cd '$T' && TERM=xterm-256color NO_COLOR=1 '$INVIGIL' --demo=12 --db '$DB' --proctor filter-e2e --no-config; sleep 60"
	listed() { see '12 candidates' && [ "$(q "select count(*) from attempts")" = 12 ]; }
	wait_for 20 listed || { screen >&2; fail "${W}x$H: the demo attempts are not listed"; }

	# One candidate's name, unique and plain ASCII, typed in lower case.
	set -- $(q "select attempt, lower(name) from attempts where name not glob '*[^ -~]*' group by name having count(*) = 1 order by attempt limit 1" | tr '|' ' ')
	att=$1; shift; name="$*"
	[ -n "$att" ] && [ -n "$name" ] || fail "${W}x$H: no unique name in the database"
	find_text "$name"
	only() { [ "$(shown)" = "$att" ]; }
	wait_for 3 only || { screen >&2; fail "${W}x$H: filtering by \"$name\" does not show only $att (shows: $(shown | tr '\n' ' '))"; }
	key Enter
	expect "filter \"$name\" | 1 of 12 attempts shown" "the header does not say 1 of 12 shown"
	[ "$(selected)" = "$att" ] || fail "${W}x$H: $att is not selected"
	echo "ok ${W}x$H: \"$name\" shows only $att"

	# n and N among several matches: the candidates C0001 to C0009.
	key / Escape
	find_text c000
	key Enter
	nine() { [ "$(shown | wc -l)" -ge 2 ] && ! shown | grep -qE 'A001[0-2]'; }
	wait_for 3 nine || { screen >&2; fail "${W}x$H: c000 shows $(shown | tr '\n' ' ')"; }
	first=$(screen | sed -nE 's/^[> ](A[0-9]{4}) .*/\1/p' | head -1)
	second=$(screen | sed -nE 's/^[> ](A[0-9]{4}) .*/\1/p' | sed -n 2p)
	key g
	[ "$(selected)" = "$first" ] || { screen >&2; fail "${W}x$H: g did not select the first match"; }
	key n
	moved() { [ "$(selected)" = "$second" ]; }
	wait_for 2 moved || { screen >&2; fail "${W}x$H: n did not move from $first to $second"; }
	key g N
	expect "(wrapped)" "N from the first match did not wrap round"
	[ "$(selected)" != "$first" ] || fail "${W}x$H: N did not move"
	echo "ok ${W}x$H: n $first -> $second, N wraps"

	# A rule name: exactly the attempts with an open flag of it.
	hasflag() { [ -n "$(q "select rule from flags where state = 'open' limit 1")" ]; }
	wait_for 30 hasflag || fail "${W}x$H: no open flag in the database"
	rule=$(q "select rule from flags where state = 'open' group by rule order by count(*) desc limit 1")
	key / Escape
	find_text "$rule"
	key Enter
	by_rule() { [ "$(shown)" = "$(q "select distinct attempt from flags where state = 'open' and instr(rule, '$rule') > 0 order by attempt")" ]; }
	wait_for 5 by_rule || { screen >&2; fail "${W}x$H: the rule $rule shows $(shown | tr '\n' ' '), the database: $(q "select distinct attempt from flags where state = 'open' and rule = '$rule'" | tr '\n' ' ')"; }
	echo "ok ${W}x$H: rule $rule shows $(shown | tr '\n' ' ')"

	# An IP address: the attempts the database says have it.
	ip=$(q "select ip from attempts where coalesce(ip, '') <> '' order by attempt limit 1")
	[ -n "$ip" ] || fail "${W}x$H: no IP in the database"
	key / Escape
	find_text "$ip"
	key Enter
	by_ip() { [ "$(shown)" = "$(q "select attempt from attempts where instr(ip, '$ip') > 0 order by attempt")" ]; }
	wait_for 3 by_ip || { screen >&2; fail "${W}x$H: the IP $ip shows $(shown | tr '\n' ' ')"; }
	echo "ok ${W}x$H: IP $ip shows $(shown | tr '\n' ' ')"

	# Esc clears: every attempt again (as many as fit), no filter line.
	key / Escape
	expect "filter cleared" "Esc did not say the filter is cleared"
	see "attempts shown" && { screen >&2; fail "${W}x$H: the filter line stays after Esc"; }
	[ "$(shown | wc -l)" -ge "$(( H > 30 ? 12 : 5 ))" ] || { screen >&2; fail "${W}x$H: Esc did not bring the rows back"; }

	# Pause an attempt in progress (1: the active ones) with the act,
	# then 2 alone: the paused ones only.
	key 1 g
	p_att=$(selected)
	[ "$(q "select state from attempts where attempt = '$p_att'")" = in_progress ] ||
	    { screen >&2; fail "${W}x$H: 1 selected $p_att, not in progress"; }
	key p
	expect "Reason code to pause" "no reason-code picker after p"
	tm send-keys -t "$S" -l wellbeing
	key Enter
	expect "Reason to pause" "no reason prompt for the pause"
	key "e2e pause" Enter
	paused() { [ "$(q "select state from attempts where attempt = '$p_att'")" = paused ]; }
	wait_for 10 paused || { screen >&2; fail "${W}x$H: $p_att was not paused"; }
	key 1 2
	only_paused() {
		n=$(q "select count(*) from attempts where state = 'paused'")
		screen | grep -q "\[2 PAUSED $n\]" &&
		    [ "$(shown)" = "$(q "select attempt from attempts where state = 'paused' order by attempt")" ]
	}
	wait_for 5 only_paused || { screen >&2; fail "${W}x$H: 2 does not show the paused ones ($(q "select attempt from attempts where state = 'paused'" | tr '\n' ' ')) with their count"; }
	shown | grep -qx "$p_att" || fail "${W}x$H: $p_att is not among the paused rows"
	echo "ok ${W}x$H: 2 shows the paused: $(shown | tr '\n' ' ')"

	# b: grouped by centre, the headings in order, none said last.
	key 0 b
	expect "grouped by centre" "b did not group by centre"
	screen | sed -nE 's/^ centre (.*) \| [0-9]+ attempts? \| [0-9]+ flagged.*/\1/p' > "$T/heads$W"
	[ -s "$T/heads$W" ] || { screen >&2; fail "${W}x$H: no group heading"; }
	want=$( (q "select distinct center from attempts where coalesce(center, '') <> '' order by center"
	    [ -n "$(q "select 1 from attempts where coalesce(center, '') = '' limit 1")" ] && echo "(none said)") |
	    head -n "$(wc -l < "$T/heads$W")")
	[ "$(cat "$T/heads$W")" = "$want" ] || { screen >&2; fail "${W}x$H: the headings are $(tr '\n' ' ' < "$T/heads$W"), not $(echo $want)"; }
	echo "ok ${W}x$H: grouped by centre: $(tr '\n' ' ' < "$T/heads$W")"

	# The journal view takes the same filter (its act's reason, kind);
	# Tab round the views keeps the table's selection and grouping.
	key j j
	sel=$(selected)
	key Tab Tab
	expect "JOURNAL  proctor filter-e2e" "Tab Tab did not show the journal"
	find_text "e2e paus"
	key Enter
	expect "1 of 1 acts shown" "the journal filter does not show the pause"
	screen | grep -qE "^>.* pause +$p_att " || { screen >&2; fail "${W}x$H: the pause of $p_att is not the act shown"; }
	key / Escape
	find_text "no such act"
	key Enter
	expect "no act matches the filter" "the journal shows acts that do not match"
	key / Escape Tab
	expect "grouped by centre" "the grouping did not survive Tab"
	[ "$(selected)" = "$sel" ] || { screen >&2; fail "${W}x$H: the selection $sel was lost on a Tab round trip ($(selected))"; }
	echo "ok ${W}x$H: the journal filtered; $sel still selected after Tab round the views"
	tm kill-session -t "$S"
}

run 120 40
run 80 24
echo PASS
