#!/bin/bash
# e2e-outcome-screen.sh - the live console shows attempts' outcomes (issue
# 16, item 6) in a real terminal (tmux, 120x40), on a database written by
# a real console from a real feed: while it runs, admins in another
# process open a case on A0001 (its row says REVIEW within a few seconds),
# propose and approve its invalidation (INVALID); A0002 stays unmarked and
# the feed's messages keep coming in meanwhile.  Restarted, the console
# shows INVALID from the start, and a later attempt of the same candidate
# on another feed (A0009 of hall-2, candidate C0001) carries the history
# marker, the line under the table naming A0001 and its state.  A
# headless console prints one outcome line when an appeal opens.
# run-e2e timeout: 150
. "$(dirname "$0")/lib.sh"
watchdog 140

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT
adm() { timeout 30 "$INVIGIL" admin "$@" --db "$T/x.db" --trust "$T/trust" </dev/null; }

# hall-1: two candidates and a steady stream of events (25 a second for
# two minutes); hall-2: a later session of candidate C0001.
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
with open(t + "/hall-1.jsonl", "w") as f:
    for a, c, n in (("A0001", "C0001", "Ann Lee"), ("A0002", "C0002", "Bo Chen")):
        f.write(json.dumps({"t": "attempt", "attempt": a, "candidate": c,
            "name": n, "exam": "EX-1", "modality": "remote",
            "state": "in_progress", "ip": "192.0.2.1", "device": "d-" + a}) + "\n")
    for i in range(3000):
        f.write(json.dumps({"t": "event", "attempt": "A0002",
            "kind": "focus_lost" if i % 2 == 0 else "focus_returned",
            "data": {}}) + "\n")
with open(t + "/hall-2.jsonl", "w") as f:
    f.write(json.dumps({"t": "attempt", "attempt": "A0009", "candidate": "C0001",
        "name": "Ann Lee", "exam": "EX-2", "modality": "remote",
        "state": "in_progress", "ip": "192.0.2.9", "device": "d-9"}) + "\n")
PY
start_feed --replay "$T/hall-1.jsonl" --rate 25 --id hall-1
P1=$FEED_PORT
start_feed --replay "$T/hall-2.jsonl" --id hall-2
P2=$FEED_PORT

console() {
	tm -f /dev/null new-session -d -x 120 -y 40 \
	    "cd '$T' && TERM=xterm-256color NO_COLOR=1 '$INVIGIL' --db '$T/x.db' --proctor pat $*; echo \"exit=\$?\" > '$T/exit'; sleep 60"
}
screen() { tm capture-pane -p -t 0; }
# row ID: the attempts table's row of attempt ID.
row() { screen | grep -E "^[> ]$1 "; }
# outcome_of ID: the OUTCOME cell of ID's row, where the column title is.
outcome_of() {
	screen | awk -v id="$1" '/^ ATTEMPT .* OUTCOME / { p = index($0, "OUTCOME") }
	    p && $0 ~ ("^[> ]" id " ") { s = substr($0, p, 14); sub(/ +$/, "", s); print s; exit }'
}
has_outcome() { [ "$(outcome_of "$1")" = "$2" ]; }
# select_says ID PATTERN: move the selection down to ID's row; the
# screen must then match PATTERN (the line under the table).
select_says() {
	for _ in 1 2 3 4; do
		row "$1" | grep -q '^>' && break
		tm send-keys -t 0 j
		sleep 0.3
	done
	row "$1" | grep -q '^>' || { screen >&2; fail "cannot select $1"; }
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '$2'" ||
	    { screen >&2; fail "no line /$2/ for $1"; }
}
quit_console() {
	tm send-keys -t 0 q
	wait_for 5 test -s "$T/exit" || { screen >&2; fail "q did not quit"; }
	[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"
	tm kill-server
}
seq_of() { screen | sed -n 's/.* seq \([0-9]*\) .*/\1/p' | head -1; }

console --feed "ws://127.0.0.1:$P1/"
wait_for 15 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '^[> ]A0002 '" ||
    { screen >&2; fail "A0002 not on screen"; }
screen | grep -q "OUTCOME" || { screen >&2; fail "no OUTCOME column"; }
has_outcome A0001 - || { screen >&2; fail "A0001 is marked before any act: '$(outcome_of A0001)'"; }

# The admins: keys and the trust file (as in e2e-admin.sh).
: >"$T/trust"
for a in ann:analyst amy:admin bob:admin; do
	line=$(timeout 30 "$INVIGIL" admin keys init "${a%%:*}" --roles "${a#*:}" 2>"$T/keys.err") ||
	    { cat "$T/keys.err" >&2; fail "keys init ${a%%:*}"; }
	echo "$line" >>"$T/trust"
done
chmod 644 "$T/trust"

s0=$(seq_of)
t0=$(date +%s%N)
adm open --actor ann --reason "second face in view" A0001 >"$T/act" 2>&1 ||
    fail "admin open: $(cat "$T/act")"
wait_for 6 has_outcome A0001 REVIEW || { screen >&2; fail "A0001 not marked REVIEW within 6 s: '$(outcome_of A0001)'"; }
review_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
has_outcome A0002 - || { screen >&2; fail "A0002 marked: '$(outcome_of A0002)'"; }

adm propose --actor amy --code identity_fraud --reason "another person sat it" A0001 >"$T/act" 2>&1 ||
    fail "admin propose: $(cat "$T/act")"
wait_for 6 has_outcome A0001 PROPOSED || { screen >&2; fail "A0001 not marked PROPOSED: '$(outcome_of A0001)'"; }
adm approve --actor bob A0001 >"$T/act" 2>&1 || fail "admin approve: $(cat "$T/act")"
wait_for 6 has_outcome A0001 INVALID || { screen >&2; fail "A0001 not marked INVALID: '$(outcome_of A0001)'"; }
has_outcome A0002 - || { screen >&2; fail "A0002 marked: '$(outcome_of A0002)'"; }
# The console was not held up: the stream went on while the admins wrote.
s1=$(seq_of)
[ -n "$s0" ] && [ -n "$s1" ] && [ "$s1" -gt $((s0 + 25)) ] ||
    { screen >&2; fail "the feed's seq moved from '$s0' to '$s1' only"; }
sleep 1
s2=$(seq_of)
[ "$s2" -gt "$s1" ] || { screen >&2; fail "messages stopped arriving ($s1, then $s2)"; }

# The line under the table for the selected attempt.
select_says A0001 'OUTCOME A0001: invalidated since .*; opened by ann; proposed by amy [0-9:]* (identity_fraud); approved by bob$'
quit_console

# Restarted, with the later session on hall-2: INVALID from the first
# frame that shows A0001, and the history marker on A0009.
rm -f "$T/exit"
console --feed "ws://127.0.0.1:$P1/" --feed "ws://127.0.0.1:$P2/"
wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '^[> ]A0001 '" ||
    { screen >&2; fail "A0001 not on screen after the restart"; }
has_outcome A0001 INVALID || { screen >&2; fail "A0001 not INVALID at start: '$(outcome_of A0001)'"; }
wait_for 10 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '^[> ]A0009 '" ||
    { screen >&2; fail "A0009 not on screen"; }
wait_for 3 has_outcome A0009 hist || { screen >&2; fail "A0009 has no history marker: '$(outcome_of A0009)'"; }
has_outcome A0002 - || { screen >&2; fail "A0002 marked: '$(outcome_of A0002)'"; }
select_says A0009 'OUTCOME A0009: valid | history: candidate C0001 also A0001 on feed hall-1, invalidated'
quit_console

# Headless: one outcome line when an act changes an attempt's outcome.
mkfifo "$T/in"
"$INVIGIL" --headless --db "$T/x.db" --proctor pat --feed "ws://127.0.0.1:$P1/" \
    <"$T/in" >"$T/out" 2>"$T/err" &
h=$!
PIDS="$PIDS $h"
exec 3<>"$T/in"
sleep 1
adm appeal --actor bob --received 2026-12-01 --ref APL-7 A0001 >"$T/act" 2>&1 ||
    fail "admin appeal: $(cat "$T/act")"
wait_for 6 grep -q '"t":"outcome"' "$T/out" || { cat "$T/err" >&2; fail "no headless outcome line"; }
line=$(grep '"t":"outcome"' "$T/out")
[ "$(echo "$line" | wc -l)" = 1 ] || fail "more than one outcome line: $line"
echo "$line" | grep -qE '^\{"t":"outcome","feed":"hall-1","attempt":"A0001","state":"appeal_open","seq":[0-9]+,"time":"[^"]+","opened_by":"ann","proposer":"amy","code":"identity_fraud","approver":"bob"\}$' ||
    fail "headless outcome line: $line"
stop_ok "$h" "the headless console"
grep -q "Sanitizer" "$T/err" && fail "the headless console: $(cat "$T/err")"

echo "PASS: REVIEW on A0001 ${review_ms} ms after admin open, PROPOSED, INVALID; seq $s0 -> $s2 meanwhile; INVALID after restart; hist on A0009 (C0001, hall-2); headless outcome line"
