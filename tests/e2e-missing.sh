#!/bin/bash
# e2e-missing.sh - issue 17, item 7 and the `s` of item 4, in a real
# terminal (tmux, 120x40, then 80x24), on a real feed: a --replay feed
# sends three attempts in progress, then events of A0001 and A0002 only,
# four a second, while the feed stays live.  A0003, silent, shows MISSING
# within --missing-secs + 2 s and is counted in the header; A0001 and
# A0002 never do.  A critical flag (identity_mismatch) on A0002 rings the
# terminal's bell (the BEL byte in the pane's output, none before it) and
# counts as "1 critical unseen" until A0002 is selected.  `s` three times
# sorts by name: the first rows are those of sqlite3's ORDER BY name.
# A0003's detail says MISSING too.
# run-e2e timeout: 120
. "$(dirname "$0")/lib.sh"
watchdog 110
use_tmux

MISSING_SECS=3
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
with open(t + "/hall.jsonl", "w") as f:
    def w(o):
        f.write(json.dumps(o) + "\n")
    for i, (a, n) in enumerate((("A0001", "Cara Diaz"),
                                ("A0002", "Abe Ross"),
                                ("A0003", "Bea Holm"))):
        w({"t": "attempt", "attempt": a, "candidate": "C" + a[1:],
           "name": n, "exam": "EX-1", "modality": "remote",
           "state": "in_progress", "ip": ("192.0.2.1", "198.51.100.2", "203.0.113.3")[i],
           "device": "d-" + a})
    # 4 a second: A0001 and A0002 speak every half second, for 50 s; the
    # critical flag comes 10 s in.
    for i in range(200):
        if i == 40:
            w({"t": "event", "attempt": "A0002", "kind": "identity_mismatch",
               "data": {"similarity": 0.21}})
            continue
        w({"t": "event", "attempt": "A0001" if i % 2 == 0 else "A0002",
           "kind": "focus_returned", "data": {}})
PY
start_feed --replay "$T/hall.jsonl" --rate 4 --id hall

tm -f /dev/null new-session -d -x 120 -y 40 \
    "cd '$T' && TERM=xterm-256color NO_COLOR=1 '$INVIGIL' --db '$T/x.db' --proctor pat --missing-secs $MISSING_SECS --feed ws://127.0.0.1:$FEED_PORT/; echo \"exit=\$?\" > '$T/exit'; sleep 60"
# Everything the console writes to the terminal, for the BEL byte.
tm pipe-pane -t 0 -o "cat >> '$T/pane.log'"
screen() { tm capture-pane -p -t 0; }
row() { screen | grep -E "^[> ]$1 "; }
bels() { tr -cd '\007' < "$T/pane.log" | wc -c; }

# The three rows, then A0003 MISSING: the time from its row shown in
# progress (its last message) to MISSING is measured.
all_in() { [ "$(screen | grep -cE '^[> ]A000[123] .* in_progress ')" -ge 2 ]; }
wait_for 10 all_in || { screen >&2; fail "the attempts are not shown in progress"; }
t0=$(date +%s%N)
missing3() { row A0003 | grep -qE ' MISSING [0-9]+s '; }
wait_for $((MISSING_SECS + 5)) missing3 || { screen >&2; fail "A0003, silent, is not shown MISSING"; }
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# Not a benchmark: the margin is for a loaded machine (5,017 ms was seen
# under a full run), the bound still catches a missing mark that waits for
# something else (twice --missing-secs, a minute's tick).
margin=$(( 4 * ${E2E_TIMEOUT_FACTOR:-1} ))
[ "$took_ms" -le $(( (MISSING_SECS + margin) * 1000 )) ] ||
    fail "A0003 shown MISSING $took_ms ms after its last message shown, more than --missing-secs + $margin s"
screen | head -1 | grep -q '| 1 missing |' || { screen >&2; fail "the header does not count 1 missing"; }
for a in A0001 A0002; do
	row $a | grep -q ' in_progress ' || { screen >&2; fail "$a, speaking, is not in_progress"; }
	row $a | grep -q MISSING && fail "$a, speaking, is shown MISSING"
done

# No bell before the critical flag; one with it, and the header counts it
# unseen while the selection stays on A0001 (first by risk before it).
[ "$(bels)" = 0 ] || fail "the console rang the bell before any critical flag"
row A0001 | grep -q '^>' || { screen >&2; fail "A0001 is not the selected row at start"; }
flagged() { row A0002 | grep -qE ' [0-9] critical identi'; }
wait_for 15 flagged || { screen >&2; fail "no critical flag on A0002"; }
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | head -1 | grep -q '| 1 critical unseen |'" ||
    { screen >&2; fail "the header does not count 1 critical unseen"; }
rang() { [ "$(bels)" -ge 1 ]; }
wait_for 3 rang || fail "no BEL byte on the terminal after the critical flag"
nbel=$(bels)
# The 80x24 terminal: the same, narrower.
tm resize-window -t 0 -x 80 -y 24 2>/dev/null || tm resize-pane -t 0 -x 80 -y 24
narrow() { [ "$(screen | wc -l)" = 24 ] && row A0003 | grep -qE ' MISSING [0-9]+s' &&
    screen | head -1 | grep -q 'critical unseen'; }
wait_for 5 narrow || { screen >&2; fail "at 80x24: no MISSING row or unseen count"; }
# A0002 is first by risk now: select it (k from A0001), seen.
row A0002 | grep -q '^>' || tm send-keys -t 0 k
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '^>A0002 '" ||
    { screen >&2; fail "cannot select A0002"; }
seen() { ! screen | head -1 | grep -q 'critical unseen'; }
wait_for 3 seen || { screen >&2; fail "A0002 selected, its critical flag still counted unseen"; }

# s: last event, attempt, name.  The selection stays on A0002.
for want in "last event" attempt name; do
	tm send-keys -t 0 s
	wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | head -1 | grep -q '| by $want |'" ||
	    { screen >&2; fail "s did not sort by $want"; }
done
row A0002 | grep -q '^>' || { screen >&2; fail "the selection left A0002 on re-sorting"; }
want=$(sqlite3 "$T/x.db" "select attempt from attempts order by name, attempt" | tr '\n' ' ')
got=$(screen | grep -oE '^[> ]A000[1-3] ' | cut -c2-6 | tr '\n' ' ')
[ "$got" = "$want" ] || { screen >&2; fail "by name: rows $got, sqlite3 says $want"; }
[ "$want" = "A0002 A0003 A0001 " ] || fail "the database's names are not the scenario's ($want)"
# The detail of A0003 (just below A0002 by name) says MISSING too.
tm send-keys -t 0 j
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | grep -q '^>A0003 '" ||
    { screen >&2; fail "cannot select A0003"; }
tm send-keys -t 0 Enter
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t 0 | head -1 | grep -q 'ATTEMPT A0003 .*, candidate MISSING'" ||
    { screen >&2; fail "A0003's detail does not say MISSING"; }
tm send-keys -t 0 Escape

tm send-keys -t 0 q
wait_for 5 test -s "$T/exit" || { screen >&2; fail "q did not quit"; }
[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"

echo "PASS: a silent attempt on a live feed is MISSING ${took_ms} ms after its last message was shown (--missing-secs $MISSING_SECS), counted in the header, the speaking ones never; a critical flag rang the bell ($nbel BEL, none before) and was unseen until selected, at 120x40 and 80x24; s sorts by last event, attempt, name (rows as sqlite3 orders them); the detail says MISSING"
