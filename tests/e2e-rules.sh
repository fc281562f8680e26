#!/bin/bash
# e2e-rules.sh - rules as data: `invigil rules defaults` and `rules check`;
# a bad rule file stops the console with file:line:col; a custom file
# drives the flags; SIGHUP reloads (a bad reload keeps the old rules and
# says so on screen); `invigil review backtest` replays the stored messages
# through a rule set: the live rules give no difference, others do.
. "$(dirname "$0")/lib.sh"

"$INVIGIL" rules defaults >"$T/defaults.rules" || fail "rules defaults failed"
out=$("$INVIGIL" rules check "$T/defaults.rules") || fail "the defaults do not check: $out"
echo "$out" | grep -qE "defaults.rules: [0-9]+ rules, OK" || fail "rules check said: $out"

printf 'rule r {\n    on event face_mising\n    fire count 1\n    severity high\n}\n' >"$T/bad.rules"
out=$("$INVIGIL" rules check "$T/bad.rules" 2>&1); rc=$?
[ $rc = 1 ] || fail "rules check of a bad file exited $rc"
echo "$out" | grep -qF "bad.rules:2:14: unknown event kind \"face_mising\" (did you mean \"face_missing\"?)" ||
    fail "rules check said: $out"
out=$("$INVIGIL" --headless --feed ws://127.0.0.1:1/ --db "$T/x.db" --rules "$T/bad.rules" 2>&1); rc=$?
[ $rc = 2 ] || fail "the console started with a bad rule file (exit $rc)"
echo "$out" | grep -q "bad.rules:2:14:" || fail "console said: $out"
[ ! -e "$T/x.db" ] || fail "the console created a database before refusing the rules"

# A custom rule drives the flags.
python3 "$TESTS/gen-scenario.py" 3000 40 >"$T/s.jsonl"
cat >"$T/custom.rules" <<'RULES'
rule every_raise_hand {
    on event raise_hand
    fire count 1
    during outage
    severity critical
    weight 99
    message "hand up ({data.n})"
}
RULES
start_feed --replay "$T/s.jsonl" --id rules
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/c.db" \
    --rules "$T/custom.rules" >"$T/flags.jsonl" 2>"$T/c.err" &
c=$!
PIDS="$PIDS $c"
all() { [ "$(sqlite3 "$T/c.db" "select count(*) from messages" 2>/dev/null)" = 3000 ]; }
wait_for 20 all || fail "scenario not stored"
stop_ok $c console
want=$(python3 -c "import json,sys; print(len({m['attempt'] for m in map(json.loads, open('$T/s.jsonl')) if m.get('kind') == 'raise_hand'}))")
[ "$(sqlite3 "$T/c.db" "select count(distinct rule) || ' ' || count(*) from flags")" = "1 $want" ] ||
    fail "custom rules: flags table $(sqlite3 "$T/c.db" "select rule, count(*) from flags group by rule"), want $want every_raise_hand"
grep -q '"message":"hand up (' "$T/flags.jsonl" || fail "message template not filled"

# Backtest: the rules that ran live change nothing; the defaults differ.
out=$("$INVIGIL" review backtest --db "$T/c.db" --rules "$T/custom.rules")
echo "$out" | grep -qE "^every_raise_hand +$want +$want +0 +0$" ||
    fail "backtest with the live rules: $out"
out=$("$INVIGIL" review backtest --db "$T/c.db" --rules "$T/defaults.rules")
echo "$out" | grep -qE "^every_raise_hand +$want +0 +0 +$want$" || fail "backtest with the defaults: $out"
echo "$out" | grep -qE "^identity_mismatch +0 +[1-9][0-9]* +[1-9]" || fail "backtest with the defaults: $out"

# SIGHUP in a live console: a bad file is refused on screen, a good one taken.
cp "$T/custom.rules" "$T/live.rules"
SOCK="$T/tmux.sock"
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
tm -f /dev/null new-session -d -x 140 -y 30 \
    "'$INVIGIL' --feed ws://127.0.0.1:$FEED_PORT/ --db '$T/live.db' --rules '$T/live.rules'; echo \$? >'$T/exit'; sleep 30"
screen() { tm capture-pane -p -t 0; }
# quit_console: q, then the console's exit status (written by the tmux
# command) within 20 s; anything but 0 fails.
quit_console() {
	tm send-keys -t 0 q
	wait_for 20 test -s "$T/exit" || { screen >&2; fail "the console did not quit within 20 s of q"; }
	[ "$(cat "$T/exit")" = 0 ] || fail "the console exited $(cat "$T/exit") on q"
}
shown() { screen | grep -qF "$1"; }
wait_for 10 shown "every_raise_hand" || { screen >&2; fail "custom rule flags not on screen"; }
PID=$(pgrep -f -- "--db $T/live.db" | head -1)
cp "$T/bad.rules" "$T/live.rules"
kill -HUP "$PID"
wait_for 5 shown "rules NOT reloaded, the old rules stay in force: $T/live.rules:2:14" ||
    { screen >&2; fail "a bad reload was not reported on screen"; }
cp "$T/defaults.rules" "$T/live.rules"
kill -HUP "$PID"
n=$(grep -c "^rule " "$T/defaults.rules")
wait_for 5 shown "rules reloaded from $T/live.rules: $n rules" ||
    { screen >&2; fail "a good reload was not reported on screen"; }
quit_console
echo "PASS: rules check/defaults, bad file refused with file:line:col, custom rules drive flags ($want attempts raised a hand, $want every_raise_hand in the backtest), backtest compares, SIGHUP reloads ($n rules)"
