#!/bin/bash
# e2e-screen-backtest.sh - `invigil review backtest --verbose` as
# invigil-review(1) shows it: under each rule's row, one "+ FEED ATTEMPT"
# line per attempt the new rules would add and one "- FEED ATTEMPT" per
# attempt they would remove, as many as the row's ADDED and REMOVED say, and
# no such line anywhere else.  The database comes from a replay through the
# default rules; the new rules make clipboard_often stricter (count 3 -> 1:
# attempts added) and remote_access laxer (count 1 -> 1000: all removed).
. "$(dirname "$0")/lib.sh"

watchdog 120
python3 "$TESTS/gen-scenario.py" 1500 12 >"$T/s.jsonl"
start_feed --replay "$T/s.jsonl" --rate 3000 --id bt
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/c.db" \
    >/dev/null 2>"$T/console.err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
wait_for 30 rows_at_least "$T/c.db" 1500 "where type != 'ack'" ||
    { cat "$T/console.err" >&2; fail "the replay was not stored within 30 s"; }
stop "$CONSOLE" || fail "console exited $? on SIGTERM (124: still running after 20 s)"

"$INVIGIL" rules defaults | awk '
	/^rule clipboard_often /	{ r = 1 }
	/^rule remote_access /		{ q = 1 }
	r && /fire count 3 within 10m/	{ sub(/count 3/, "count 1"); r = 0 }
	q && /fire count 1$/		{ sub(/count 1/, "count 1000"); q = 0 }
	{ print }' >"$T/new.rules"
[ "$(diff <("$INVIGIL" rules defaults) "$T/new.rules" | grep -c '^>')" = 2 ] ||
    fail "could not derive the new rules from the defaults"

"$INVIGIL" review backtest --db "$T/c.db" --rules "$T/new.rules" --verbose \
    >"$T/out" 2>"$T/err" || fail "backtest exited $?: $(cat "$T/err")"

# Each +/- line belongs to the rule row above it; the counts must match.
awk '
	function close_rule() {
		if (rule != "" && (plus != added || minus != removed)) {
			printf "%s: ADDED %d REMOVED %d, but %d + and %d - lines under it\n",
			    rule, added, removed, plus, minus; bad = 1
		}
	}
	/^RULE +LIVE +BACKTEST +ADDED +REMOVED$/ { table = 1; next }
	table && /^[a-z_][a-z0-9_]* +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$/ {
		close_rule()
		rule = $1; added = $4; removed = $5; plus = minus = 0
		if (rule == "total") { rule = ""; done = 1 }
		next
	}
	/^    [+-] bt\tA[0-9]+$/ {
		if (rule == "" || done) { printf "a +/- line outside a rule: %s\n", $0; bad = 1; next }
		if ($1 == "+") plus++; else minus++
		print rule, $1, $3 > "'"$T/listed"'"
		next
	}
	/^    [+-]/ { printf "a +/- line not as FEED<TAB>ATTEMPT: %s\n", $0; bad = 1 }
	END { close_rule(); if (!done) { print "no total row"; bad = 1 } exit bad }
' "$T/out" >"$T/why" || { cat "$T/out" >&2; fail "backtest --verbose: $(cat "$T/why")"; }

# What is listed is what the rules changed.
removed=$(sed -n 's/^remote_access - //p' "$T/listed" | sort | tr '\n' ' ')
live=$(sqlite3 -readonly "$T/c.db" "select distinct attempt from flags where rule = 'remote_access' order by 1" | tr '\n' ' ')
[ -n "$live" ] && [ "$removed" = "$live" ] ||
    { cat "$T/out" >&2; fail "under remote_access, '-' lists '$removed'; the attempts it flagged live are '$live'"; }
added=$(sed -n 's/^clipboard_often + //p' "$T/listed" | sort)
[ -n "$added" ] || { cat "$T/out" >&2; fail "clipboard_often at count 1 adds no attempt"; }
for a in $added; do
	n=$(sqlite3 -readonly "$T/c.db" "select (select count(*) from flags where rule = 'clipboard_often' and attempt = '$a'), (select count(*) from messages where attempt = '$a' and kind = 'clipboard')")
	[ "${n%|*}" = 0 ] && [ "${n#*|}" -ge 1 ] ||
	    fail "clipboard_often + $a: live flags | clipboard events = $n, want 0 | >= 1"
done
grep -v '^clipboard_often +\|^remote_access -' "$T/listed" &&
    fail "+/- lines under rules the new file did not change"
echo "PASS: backtest --verbose lists under each rule's row exactly the attempts it adds (+) and removes (-): $(echo $added | wc -w) added by clipboard_often, $(echo $removed | wc -w) removed by remote_access"
