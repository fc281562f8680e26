#!/bin/bash
# e2e-screen-keys.sh - the keys of invigil(1) KEYS in a real terminal (tmux,
# 120x40), on a replayed scenario whose order is known: 40 attempts with no
# flag (the table lists them A0001..A0040), a stretch of quiet answers, then
# remote_access for A0030, which puts it on top.
#   - g / G / PgDn / PgUp move the selected row marker '>' to the first
#     attempt, the last, and by a page (the table's height less one);
#   - the selection follows its attempt when the order changes;
#   - e (escalate) asks a reason code (the picker: letters narrow, Down
#     moves) and a reason, journaled with who, what, the code and why.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
watchdog 120
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT

# The scenario: at --rate 20, the answers take about 30 s.
python3 - >"$T/s.jsonl" <<'EOF'
import json
ts = "2026-11-23T09:00:00.000Z"
for i in range(1, 41):
    print(json.dumps({"t": "attempt", "ts": ts, "attempt": "A%04d" % i,
        "candidate": "C%04d" % i, "name": "Candidate %d" % i, "exam": "EX-1",
        "modality": "remote", "state": "in_progress",
        "ip": "192.0.2.%d" % i, "device": "dev-%04d" % i}))
for k in range(600):
    print(json.dumps({"t": "answer", "ts": ts, "attempt": "A%04d" % (k % 40 + 1),
        "item": "Q%d" % (k // 40 + 1), "response": "B", "correct": True,
        "elapsed_ms": 45000, "changed": 0}))
print(json.dumps({"t": "event", "ts": "2026-11-23T09:00:40.000Z",
    "attempt": "A0030", "kind": "remote_access",
    "data": {"tool": "AnyDesk"}}))
EOF
start_feed --replay "$T/s.jsonl" --rate 20 --id screen-keys

tm -f /dev/null new-session -d -x 120 -y 40 \
    "cd '$T' && '$INVIGIL' --feed ws://127.0.0.1:$FEED_PORT/ --db '$T/k.db' --proctor keys-e2e; echo \"exit=\$?\" > '$T/exit'; sleep 60"
screen() { tm capture-pane -p -t 0; }
rows() { screen | grep -E '^[> ]A[0-9]{4} '; }
# sel_index: the 1-based table row of the marker; sel_id: its attempt.
sel_index() { rows | grep -n '^>' | cut -d: -f1; }
sel_id() { rows | sed -n 's/^>\(A[0-9]\{4\}\) .*/\1/p'; }
first_id() { rows | head -1 | cut -c2-6; }
last_id() { rows | tail -1 | cut -c2-6; }
all_listed() { [ "$(rows | wc -l)" -ge 10 ] && screen | grep -q '40 candidates'; }
wait_for 15 all_listed || { screen >&2; fail "the 40 attempts were not listed within 15 s"; }
NROWS=$(rows | wc -l)
PAGE=$((NROWS - 1))
# key KEY EXPECT_INDEX EXPECT_ID: press KEY; the marker must come to table
# row EXPECT_INDEX on attempt EXPECT_ID.
key() {
	tm send-keys -t 0 "$1"
	at() { [ "$(sel_index)" = "$2" ] && [ "$(sel_id)" = "$3" ]; }
	wait_for 3 at "$@" || { screen >&2; fail "after $1 the marker is on row $(sel_index) ($(sel_id)), want row $2 ($3)"; }
}
key G "$NROWS" A0040
key g 1 A0001
key NPage "$((PAGE + 1))" "$(printf 'A%04d' $((PAGE + 1)))"
key PPage 1 A0001
key End "$NROWS" A0040
key PPage "$((NROWS - PAGE))" "$(printf 'A%04d' $((40 - PAGE)))"
key Home 1 A0001
echo "ok: g/Home, G/End, PgDn, PgUp move the marker to the first, the last attempt and by a page of $PAGE"

# Select A0005, then wait for A0030's remote_access to put it on top.
for _ in 1 2 3 4; do tm send-keys -t 0 j; done
sel5() { [ "$(sel_id)" = A0005 ]; }
wait_for 3 sel5 || { screen >&2; fail "j did not move the marker to A0005"; }
on_top() { [ "$(first_id)" = A0030 ]; }
t0=$(date +%s)
wait_for 60 on_top || { screen >&2; fail "A0030 never came on top"; }
[ "$(sel_id)" = A0005 ] && [ "$(sel_index)" = 6 ] ||
    { screen >&2; fail "after the order changed the marker is on $(sel_id) (row $(sel_index)), not on A0005 (row 6)"; }
rose=$(( $(date +%s) - t0 ))
echo "ok: the selection stays on A0005 when A0030 rises above it"

# Escalate from the keyboard.
tm send-keys -t 0 e
picker() { screen | grep -q 'Reason code to escalate A0005'; }
wait_for 3 picker || { screen >&2; fail "no reason-code picker after e"; }
# "tech" leaves the technical codes, the first selected; Down the second.
tm send-keys -t 0 tech
picked() { screen | grep -q '> technical.connection' && ! screen | grep -q 'security.collusion'; }
wait_for 3 picked || { screen >&2; fail "typing tech did not narrow the picker to technical.*"; }
tm send-keys -t 0 Down
picked() { screen | grep -q '> technical.camera'; }
wait_for 3 picked || { screen >&2; fail "Down did not select technical.camera"; }
tm send-keys -t 0 Enter
prompt() { screen | grep -q 'Reason to escalate A0005 \[technical.camera'; }
wait_for 3 prompt || { screen >&2; fail "no reason prompt after e"; }
tm send-keys -t 0 "needs a second look" Enter
recorded() { screen | grep -q 'recorded as journal #'; }
wait_for 5 recorded || { screen >&2; fail "escalate was not recorded"; }
entry=$(screen | grep -o 'recorded as journal #[0-9]*' | head -1)
tm send-keys -t 0 q
wait_for 10 test -s "$T/exit" || { screen >&2; fail "q did not quit within 10 s"; }
[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"
n=$(sqlite3 -readonly "$T/k.db" "select count(*) from journal where kind='escalate' and attempt='A0005' and reason='needs a second look' and reason_code='technical.camera' and actor='keys-e2e'")
[ "$n" = 1 ] || { sqlite3 -readonly "$T/k.db" "select * from journal" >&2; fail "escalate of A0005 is not in the journal ($n rows)"; }
echo "PASS: PgUp/PgDn/g/G move the selection as man/invigil.1 says (7 keys over $NROWS rows, a page of $PAGE), the selection follows its attempt (A0005 kept on row 6 when A0030 rose to the top after $rose s), e escalates into the journal (${entry#recorded as }, $n row)"
