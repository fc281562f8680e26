#!/bin/bash
# e2e-queue.sh - the flags queue and the journal view in a real terminal
# (tmux, `invigil --demo`, 120x40 then 80x24): Tab shows the queue with
# the candidates' raised hands first, then the most severe open flag (as
# the database has it), the ages advance, a flag open longer than
# --response-secs is LATE, a raised hand acknowledged with a is journaled
# as ack_request and leaves the queue, a dismiss from the queue is
# journaled for the selected flag, the journal view
# shows it newest first with the seq and hash sqlite3 reads, Enter opens
# the attempt, and Tab comes round to the attempts table.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT
screen() { tm capture-pane -p -t 0; }
row() { screen | sed -n "${1}p"; }
q() { sqlite3 "$T/demo.db" "$1" 2>/dev/null; }
# The queue's rows: ">A0025 C0025 NAME FLAG SEVERITY RULE AGE [LATE] ...";
# names have spaces, so qf gives each as "S[>] ATTEMPT FLAG SEVERITY RULE
# AGE LATE." ("." when not late).
qrows() { screen | grep -E '^[> ]A[0-9]{4} '; }	# CANDID. is dropped at 80 columns
qf() { qrows | sed -nE 's/^([> ])(A[0-9]{4}) +(C[0-9]{4}) .* ([0-9]+) (REQUEST|critical|high|medium|low|info) +([^ ]+) +([0-9]+[smhd]([0-9]+[smh])?|long) (LATE|    )( .*)?$/S\1 \2 \4 \5 \6 \7 \9./p'; }
rank() { case $1 in critical) echo 4;; high) echo 3;; medium) echo 2;; low) echo 1;; *) echo 0;; esac; }

# act_on KEY ACT TYPED WORDS: press KEY, narrow the picker to the code
# TYPED selects, give WORDS; returns once the journal has one more act.
act_on() {
	n0=$(q "select count(*) from journal where actor='queue-e2e'")
	tm send-keys -t 0 "$1"
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'Reason code to $2'" ||
	    { screen >&2; fail "no reason-code picker after $1"; }
	tm send-keys -t 0 -l "$3"
	tm send-keys -t 0 Enter
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'Reason to $2'" ||
	    { screen >&2; fail "no reason prompt after the code of $2"; }
	tm send-keys -t 0 "$4" Enter
	wait_for 5 sh -c "[ \$(sqlite3 '$T/demo.db' \"select count(*) from journal where actor='queue-e2e'\") -gt ${n0:-0} ]" ||
	    { screen >&2; fail "the $2 was not recorded"; }
}

# closed_by FLAG ATTEMPT KIND CODE WORDS: the journal holds that act on
# FLAG (its "seq hash12" in $row), the flag is dismissed and has left the
# queue.
closed_by() {
	row=$(q "select seq || ' ' || substr(hash, 1, 12) from journal where actor='queue-e2e' and kind='$3' and flag_id=$1 and attempt='$2' and reason_code='$4' and reason='$5'")
	[ -n "$row" ] || fail "no $3 of flag $1 ($2) in the journal: $(q "select seq, kind, attempt, flag_id from journal")"
	[ "$(q "select state from flags where id=$1")" = dismissed ] || fail "flag $1 not closed by $3"
	gone() { ! qf | awk '{ print $3 }' | grep -qx "$1"; }
	wait_for 3 gone "$1" || { screen >&2; fail "flag $1 still in the queue after $3"; }
}

tm -f /dev/null new-session -d -x 120 -y 40 \
    "cd '$T' && TERM=xterm-256color '$INVIGIL' --demo --db '$T/demo.db' --proctor queue-e2e --response-secs 4 --no-config; echo \"exit=\$?\" > '$T/exit'; sleep 60"

flagged() { [ "$(q "select count(*) from flags where state='open' and severity <> 'info'")" -ge 3 ] 2>/dev/null &&
    [ "$(q "select count(*) from flags where state='open' and rule='raise_hand'")" -ge 1 ] 2>/dev/null; }
wait_for 30 flagged || { screen >&2; fail "no open flags in the database within 20 s"; }
tm send-keys -t 0 Tab
queue_shown() { row 1 | grep -q ' invigil  FLAGS QUEUE  proctor queue-e2e' && [ "$(qrows | wc -l)" -ge 3 ]; }
wait_for 5 queue_shown || { screen >&2; fail "Tab did not show the flags queue"; }
screen | tail -1 | grep -q ' Tab view ' || { screen >&2; fail "no Tab on the queue's key bar"; }

[ "$(qf | wc -l)" = "$(qrows | wc -l)" ] || { qrows >&2; qf >&2; fail "rows not as the test reads them"; }
# Requests first (every raise_hand flag, and only those), then severity:
# the rows never go up in severity, and the first is as severe as the most
# severe open flag the database holds.
[ "$(qf | awk '$4 == "REQUEST" { print $5 }' | sort -u)" = raise_hand ] ||
    { screen >&2; fail "no raised hand as a REQUEST"; }
[ "$(qf | awk '{ print $4 }' | uniq | grep -c REQUEST)" = 1 ] && qf | head -1 | grep -q ' REQUEST ' ||
    { screen >&2; fail "requests are not all at the top"; }
qf | awk '$4 != "REQUEST" && $5 == "raise_hand"' | grep -q . && { screen >&2; fail "a raised hand not a request"; }
sevs=$(qf | awk '$4 != "REQUEST" { print $4 }')
prev=9
for s in $sevs; do
	r=$(rank "$s")
	[ "$r" -le "$prev" ] || { screen >&2; fail "queue not in severity order: $s after rank $prev"; }
	prev=$r
done
first_sev=$(qf | awk '$4 != "REQUEST"' | head -1 | awk '{ print $4 }')
first_id=$(qf | awk '$4 != "REQUEST"' | head -1 | awk '{ print $3 }')
db_top=$(q "select severity from flags where state='open' and rule <> 'raise_hand' order by case severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end desc limit 1")
[ "$(rank "$first_sev")" = "$(rank "$db_top")" ] ||
    { screen >&2; fail "first row is $first_sev, the database's most severe open flag is $db_top"; }
# The row is that flag: its rule and severity as stored.
[ "$(q "select severity || ' ' || rule from flags where id=$first_id")" = "$(qf | awk -v id="$first_id" '$3 == id { print $4, $5 }')" ] ||
    { screen >&2; fail "flag $first_id on the screen is not the database's"; }

# Ages advance on the console's clock, and past 4 s a flag is LATE.
age_of() { qf | awk -v id="$1" '$3 == id { print $6 }'; }
secs() { case $1 in *m*s) m=${1%%m*}; s=${1#*m}; echo $(( m * 60 + 10#${s%s} ));; *s) echo "${1%s}";; *) echo -1;; esac; }
a0=$(secs "$(age_of "$first_id")")
sleep 2.5
a1=$(secs "$(age_of "$first_id")")
[ "$a1" -ge $(( a0 + 2 )) ] || { screen >&2; fail "flag $first_id's age went from $a0 s to $a1 s in 2.5 s"; }
late_shown() { qf | awk '$7 == "LATE." { n++ } END { exit !n }'; }
wait_for 10 late_shown || { screen >&2; fail "no row LATE past --response-secs 4"; }
qf | awk '$7 == "LATE."' | while read -r line; do
	age=$(echo "$line" | awk '{ print $6 }')
	[ "$(secs "$age")" -ge 4 ] || { echo "$line" >&2; exit 1; }
done || fail "a row LATE before 4 s"
qf | awk '$7 != "LATE." && $6 ~ /m/' | grep -q . && { screen >&2; fail "a row minutes old is not LATE"; }

# The first row, a raised hand, acknowledged with a: journaled as
# ack_request for that flag, which leaves the queue.
sel() { qf | awk -v f="$1" '$1 == "S>" { print $f }'; }
tm send-keys -t 0 g
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -qE '^>A[0-9]{4} .* REQUEST +raise_hand '" ||
    { screen >&2; fail "g did not select the first request"; }
ack_id=$(sel 3)
ack_att=$(sel 2)
act_on a ack_request instruction "coming over"
closed_by "$ack_id" "$ack_att" ack_request proctor_staff.instruction "coming over"
ackrow=${row%% *}

# A dismiss from the queue takes the selected flag (not a request).
for _ in $(seq 1 20); do
	[ -n "$(sel 4)" ] && [ "$(sel 4)" != REQUEST ] && break
	tm send-keys -t 0 j
	sleep 0.2
done
[ "$(sel 4)" != REQUEST ] && [ -n "$(sel 3)" ] || { screen >&2; fail "no flag to select past the requests"; }
sel_id=$(sel 3)
sel_att=$(sel 2)
act_on d dismiss false_pos "queued dismiss"
closed_by "$sel_id" "$sel_att" dismiss technical.false_positive "queued dismiss"
jrow=$row

# A note, journaled after it: the journal view is newest first.
act_on o note handover "second act"

tm send-keys -t 0 Tab
journal_shown() { row 1 | grep -q ' invigil  JOURNAL  proctor queue-e2e'; }
wait_for 5 journal_shown || { screen >&2; fail "Tab from the queue did not show the journal"; }
jrows() { screen | grep -E '^[> ] *[0-9]+ [0-9:]{8} queue-e2e'; }
wait_for 5 sh -c "[ \$(tmux -S '$SOCK' capture-pane -p -t 0 | grep -cE '^[> ] *[0-9]+ [0-9:]{8} queue-e2e') = 3 ]" ||
    { screen >&2; fail "the journal view does not show the three acts"; }
jrows | sed -n 3p | grep -q " ack_request .* $ack_att .* $ack_id .*proctor_staff.instruction *coming over" ||
    { screen >&2; fail "the journal's oldest row is not the acknowledgement"; }
newest=$(q "select seq || ' ' || substr(hash, 1, 12) from journal where actor='queue-e2e' order by seq desc limit 1")
[ "$(jrows | head -1 | awk '{ print substr($0, 2) }' | awk '{ print $1, $7 }')" = "$newest" ] ||
    { screen >&2; fail "the journal's first row is not the newest act ($newest)"; }
[ "$(jrows | sed -n 2p | awk '{ print $1, $7 }')" = "$jrow" ] ||
    { screen >&2; fail "the journal's second row is not the dismiss ($jrow)"; }
jrows | sed -n 2p | grep -q " dismiss .* $sel_att .* $sel_id .*technical.false_positive *queued dismiss" ||
    { screen >&2; fail "the dismiss row does not say its attempt, flag, code and reason"; }

# Enter on the dismiss opens its attempt's detail; Esc comes back.
tm send-keys -t 0 j
sleep 0.3
tm send-keys -t 0 Enter
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | head -1 | grep -q ' ATTEMPT $sel_att '" ||
    { screen >&2; fail "Enter in the journal did not open $sel_att"; }
tm send-keys -t 0 Escape
wait_for 3 journal_shown || { screen >&2; fail "Esc did not come back to the journal"; }
tm send-keys -t 0 Tab
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | head -1 | grep -q ' invigil  proctor queue-e2e |'" ||
    { screen >&2; fail "Tab from the journal did not come back to the attempts"; }
tm send-keys -t 0 BTab
wait_for 3 journal_shown || { screen >&2; fail "Shift-Tab from the attempts did not show the journal"; }

# 80x24: the queue still fits, the selection row and the key bar shown.
tm resize-window -t 0 -x 80 -y 24 2>/dev/null || tm resize-pane -t 0 -x 80 -y 24
tm send-keys -t 0 BTab
small() { [ "$(screen | wc -l)" = 24 ] && row 1 | grep -q 'FLAGS QUEUE' && qrows | grep -q '^>' &&
    row 24 | grep -q ' d dismiss'; }
wait_for 5 small || { screen >&2; fail "the queue at 80x24"; }
tm send-keys -t 0 Enter
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | head -1 | grep -q ' ATTEMPT A[0-9]'" ||
    { screen >&2; fail "Enter in the queue did not open the attempt"; }
tm send-keys -t 0 F10
wait_for 5 test -s "$T/exit" || { screen >&2; fail "F10 did not quit"; }
[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"

# The acknowledgement is an act a proctor may sign: verify --trust passes
# with queue-e2e trusted as a proctor, and would name a role it lacked.
ana=$("$INVIGIL" admin keys init ana --roles admin 2>/dev/null) || fail "keys init ana"
qe=$("$INVIGIL" admin keys init queue-e2e 2>/dev/null) || fail "keys init queue-e2e"
for l in "$ana" "$qe"; do
	out=$("$INVIGIL" admin trust add $l --db "$T/demo.db" --actor ana 2>&1) || fail "trust add: $out"
done
out=$(timeout 60 "$INVIGIL" review verify --db "$T/demo.db" --trust "$XDG_CONFIG_HOME/invigil/trust" 2>&1) ||
	fail "review verify --trust with an ack_request: $out"
echo "$out" | grep -q "^signatures: .* each by a key in the trust file .*trust with a role" ||
	fail "review verify --trust: $out"

echo "PASS: flags queue (raised hands first as REQUEST; request $ack_id of $ack_att acknowledged with a as journal #$ackrow ack_request and gone from the queue; first flag $first_id $first_sev = the database's most severe, age ${a0}s -> ${a1}s in 2.5 s, LATE past --response-secs 4), dismiss of flag $sel_id from the queue journaled as $jrow, journal view newest first ($newest), Enter opens $sel_att, Tab/Shift-Tab cycle, 80x24"
