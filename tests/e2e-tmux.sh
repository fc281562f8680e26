#!/bin/bash
# e2e-tmux.sh - `invigil --demo` in a real terminal (tmux, 120x40): the
# attempts table fills with candidates, a decision typed at the keyboard is
# recorded and acknowledged, q quits with status 0 and the terminal is
# given back.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT

tm -f /dev/null new-session -d -x 120 -y 40 \
    "cd '$T' && TERM=xterm-256color '$INVIGIL' --demo --db '$T/demo.db' --proctor tmux-e2e; echo \"exit=\$?\" > '$T/exit'; sleep 60"
screen() { tm capture-pane -p -t 0; }
has_candidates() { [ "$(screen | grep -cE '^[> ]A[0-9]{4} +C[0-9]{4}')" -ge 20 ]; }

t0=$(date +%s%N)
wait_for 10 has_candidates || { screen >&2; fail "no candidates on screen within 10 s"; }
shown_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ncand=$(screen | grep -cE '^[> ]A[0-9]{4} +C[0-9]{4}')
screen | grep -q "feed demo-[0-9]*  live" || { screen >&2; fail "header does not show the feed live"; }
screen | grep -q "RECENT EVENTS" || fail "no recent events pane"

# Once candidates are under way, select the second one and pause it.
in_progress() { [ "$(screen | grep -c ' in_progress ')" -ge 20 ]; }
wait_for 20 in_progress || { screen >&2; fail "attempts never got in progress"; }
# Move down to a candidate who is in progress (the order follows risk).
for _ in $(seq 1 20); do
	tm send-keys -t 0 j
	sleep 0.2
	screen | grep -qE '^>.* in_progress ' && break
done
screen | grep -qE '^>.* in_progress ' || { screen >&2; fail "no attempt in progress to select"; }
tm send-keys -t 0 p
# The reason-code picker first: "left" narrows it to examinee.left_view.
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'Reason code to pause'" ||
    { screen >&2; fail "no reason-code picker after p"; }
tm send-keys -t 0 -l left
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '^.*> examinee.left_view'" ||
    { screen >&2; fail "typing left did not select examinee.left_view"; }
tm send-keys -t 0 Enter
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'Reason to pause'" ||
    { screen >&2; fail "no reason prompt after the code"; }
tm send-keys -t 0 "left the room" Enter
t1=$(date +%s%N)
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'feed acknowledged pause of'" ||
    { screen >&2; fail "pause was not acknowledged"; }
ack_ms=$(( ($(date +%s%N) - t1) / 1000000 ))
screen | grep -qE 'paused .*pause ok' || { screen >&2; fail "attempt not shown paused"; }

# Help overlay comes from the key table.
tm send-keys -t 0 '?'
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'terminate the attempt'" ||
    { screen >&2; fail "help overlay missing"; }
tm send-keys -t 0 Escape
wait_for 3 sh -c "! tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'terminate the attempt'" ||
    { screen >&2; fail "Esc did not close the help overlay"; }

# Resize: the screen redraws to the new size without a key press.  Only a
# redraw at 100x30 can put the key legend on row 30 (it was on row 40, and
# tmux keeps only the top 30 rows of the old picture) and lay the columns
# out for 100 (EVENTS is dropped there, man/invigil.1 THE SCREEN; the NAME
# column takes some of what it leaves).
name_width() { screen | sed -n 's/^ ATTEMPT .*\(NAME *\)STATE.*/\1/p' | awk '{ print length }'; }
legend_on() { [ "$(screen | sed -n "${1}p" | grep -c ' d dismiss .* q quit')" = 1 ]; }
wide=$(name_width)
legend_on 40 || { screen >&2; fail "the key legend is not on row 40 of 40"; }
screen | grep -q '^ ATTEMPT .* EVENTS ' || { screen >&2; fail "no EVENTS column at 120x40"; }
tm resize-window -t 0 -x 100 -y 30 2>/dev/null || tm resize-pane -t 0 -x 100 -y 30
redrawn() { legend_on 30 && [ "$(screen | wc -l)" = 30 ] && screen | grep -q '^ ATTEMPT  ' &&
    ! screen | grep -q '^ ATTEMPT .* EVENTS '; }
wait_for 3 redrawn || { screen >&2; fail "not redrawn at 100x30: EVENTS still shown or legend not on row 30"; }
[ "$(screen | head -1 | grep -c 'invigil')" -eq 1 ] || { screen >&2; fail "no header after resize"; }
narrow=$(name_width)

tm send-keys -t 0 q
wait_for 5 test -s "$T/exit" || { screen >&2; fail "q did not quit within 5 s"; }
[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"

n=$(sqlite3 "$T/demo.db" "select count(*) from journal where kind='pause' and reason_code='examinee.left_view' and reason='left the room' and actor='tmux-e2e'")
[ "$n" = 1 ] || fail "pause decision not in the journal ($n rows)"
a=$(sqlite3 "$T/demo.db" "select count(*) from commands where action='pause' and ok=1")
[ "$a" = 1 ] || fail "pause command not acknowledged in the database ($a rows)"
# A terminal that goes away (tmux killed, as an SSH drop) ends the console,
# after committing what it received.
tm -f /dev/null new-session -d -s hup -x 100 -y 30 \
    "'$INVIGIL' --demo --db '$T/hup.db'"
stored() { [ "$(sqlite3 "$T/hup.db" 'select count(*) from messages' 2>/dev/null || echo 0)" -gt 40 ]; }
wait_for 10 stored || fail "the second console stored nothing"
tm kill-server
gone() { ! pgrep -f -- "--db $T/hup.db" >/dev/null; }
wait_for 5 gone || fail "the console outlived its terminal"

echo "PASS: demo on a 120x40 terminal shows candidates ($ncand rows within $shown_ms ms), records a pause (acknowledged on screen within $ack_ms ms; $n journal entry, $a command acknowledged), redraws at 100x30 (EVENTS dropped, NAME column $wide -> $narrow wide), quits with 0"
