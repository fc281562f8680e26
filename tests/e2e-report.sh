#!/bin/bash
# e2e-report.sh - `invigil review report`: a simulated exam (the real feed
# and a headless console on loopback, 200 candidates x 60 items), a
# proctor's real decisions through the headless API (a flag confirmed with
# a hostile reason, a warning, a note), a hostile candidate name written
# into the database (HTML, an event handler, an ESC sequence, U+202E); a
# report of two attempts (one with a network outage, and one made to copy
# its answers, so that they are a similarity pair) rendered in chromium by
# tests/peer/render-report.js: no console error, no exception, no request,
# no element made from a string, every plot drawn, the hostile strings on
# the page as text.  chromium missing is a FAILURE (scripts/install-deps
# installs it), never a skip.  And the usage and failure cases.
# run-e2e timeout: 150
. "$(dirname "$0")/lib.sh"
watchdog 140
peer_setup

rep() { timeout 60 "$INVIGIL" review report "$@"; }

expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	cases=$((${cases:-0} + 1))
	out=$(rep "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "review report $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "review report $*: output lacks /$pat/: $out"
}

# Usage errors come before the database is opened.
expect 2 "give --db PATH" --out r.html A1
expect 2 "give --out FILE.html" --db x.db A1
expect 2 "name at least one ATTEMPT" --db x.db --out r.html
expect 2 "unknown option --bogus" --db x.db --out r.html --bogus A1
expect 0 "--compromised" --help
expect 1 "none.db does not exist" --db "$T/none.db" --out "$T/r.html" A1

# The exam, with a proctor at the headless console.
start_feed --simulate 200 --seed 5 --rate 500 --id sim --truth "$T/truth.jsonl"
mkfifo "$T/in"
"$INVIGIL" --headless --proctor ana --feed "ws://127.0.0.1:$FEED_PORT/" \
    --db "$T/x.db" <"$T/in" >"$T/out.jsonl" 2>"$T/c.err" &
c=$!
PIDS="$PIDS $c"
exec 3<>"$T/in"
trap 'exec 3>&-; cleanup' EXIT
done_at_least() {
	n=$(sqlite3 -readonly "$T/x.db" "select count(*) from attempts where state in ('submitted', 'terminated')" 2>/dev/null)
	[ "${n:-0}" -ge "$1" ]
}
wait_for 90 done_at_least 180 || fail "fewer than 180 attempts done after 90 s"

# The attempt of the case: one with a network outage and a flag.
A=$(sqlite3 -readonly "$T/x.db" "SELECT m.attempt FROM messages m
    JOIN flags f ON f.feed = m.feed AND f.attempt = m.attempt
    WHERE m.kind = 'network_lost' ORDER BY m.attempt LIMIT 1")
[ -n "$A" ] || fail "no attempt with a network outage and a flag"
FLAG=$(sqlite3 -readonly "$T/x.db" "SELECT min(id) FROM flags WHERE attempt = '$A'")
echo "{\"id\":\"d1\",\"op\":\"decide\",\"flag\":$FLAG,\"action\":\"confirm\",\"reason\":\"<img src=x onerror=alert(3)> seen \\u202e twice\",\"reason_code\":\"security.prohibited_aid\"}" >&3
echo "{\"id\":\"d2\",\"op\":\"command\",\"feed\":\"sim\",\"attempt\":\"$A\",\"action\":\"warn\",\"reason\":\"eyes on screen\"}" >&3
echo "{\"id\":\"d3\",\"op\":\"note\",\"feed\":\"sim\",\"attempt\":\"$A\",\"reason\":\"called the centre\"}" >&3
answered() { grep -q "\"id\":\"$1\"" "$T/out.jsonl"; }
for r in d1 d2 d3; do
	wait_for 10 answered $r || { cat "$T/c.err" >&2; fail "request $r: no answer"; }
done
grep '"id":"d1"' "$T/out.jsonl" | grep -q '"error"' && fail "the decision was refused: $(grep '"id":"d1"' "$T/out.jsonl")"
journal() { [ "$(sqlite3 -readonly "$T/x.db" "SELECT count(*) FROM journal WHERE attempt = '$A' AND kind IN ('confirm', 'warn', 'note')")" -ge 3 ]; }
wait_for 10 journal || fail "the three acts are not in the journal"
stop_ok $c "console"
stop_ok "$FEED_PID" "feed"

# The other attempt copies A's final answers (response and correctness,
# item by item; its own times): the pair A-B must be significant, and the
# report must show their answer strings side by side.
B=$(sqlite3 -readonly "$T/x.db" "SELECT attempt FROM attempts WHERE attempt <> '$A'
    AND attempt IN (SELECT attempt FROM messages WHERE type = 'answer')
    ORDER BY attempt LIMIT 1")
[ -n "$B" ] || fail "no second attempt"
sqlite3 "$T/x.db" "
CREATE TEMP TABLE final AS SELECT json_extract(body, '\$.item') AS item,
    json_extract(body, '\$.response') AS response, json_extract(body, '\$.correct') AS correct
    FROM messages WHERE attempt = '$A' AND type = 'answer' AND seq IN
    (SELECT max(seq) FROM messages WHERE attempt = '$A' AND type = 'answer' GROUP BY json_extract(body, '\$.item'));
UPDATE messages SET body = (SELECT json_set(messages.body, '\$.response', f.response,
    '\$.correct', json(CASE f.correct WHEN 1 THEN 'true' ELSE 'false' END))
    FROM final f WHERE f.item = json_extract(messages.body, '\$.item'))
    WHERE attempt = '$B' AND type = 'answer' AND json_extract(body, '\$.item') IN (SELECT item FROM final);" ||
    fail "cannot make $B copy $A"
"$INVIGIL" review forensics --db "$T/x.db" --pairs >"$T/pairs.txt" || fail "review forensics --pairs: exit $?"
grep -qE "^($A +$B|$B +$A) " "$T/pairs.txt" || fail "the copied pair $A-$B is not significant: $(cat "$T/pairs.txt")"

# The hostile name, as a crafted (or merged) database could hold it.
HOSTILE="<script>alert(1)</script><img src=x onerror=alert(2)>"
sqlite3 "$T/x.db" "
UPDATE attempts SET name = '$HOSTILE' || char(27) || '[31m' || char(8238) || 'evil' WHERE attempt = '$A';
UPDATE messages SET body = json_set(body, '\$.name', '$HOSTILE' || char(27) || '[31m' || char(8238) || 'evil')
    WHERE attempt = '$A' AND type = 'attempt';" || fail "cannot write the hostile name"

# The compromised items: the simulator's leaked ones.
sed -n 's/.*"item":"\([^"]*\)".*"leaked":true.*/\1/p' "$T/truth.jsonl" >"$T/leaked.txt"
[ -s "$T/leaked.txt" ] || fail "no leaked item in the truth file"

rep --db "$T/x.db" --out "$T/case.html" --compromised "$T/leaked.txt" "$A" "$B" \
    >"$T/rep.out" 2>"$T/rep.err" || fail "report: exit $?: $(cat "$T/rep.err")"
grep -q "wrote the report of 2 attempts to" "$T/rep.out" || fail "report: $(cat "$T/rep.out")"
[ "$(stat -c %a "$T/case.html")" = 600 ] || fail "the report is not mode 0600"
ls "$T" | grep -q 'case.html.' && fail "a temporary file was left beside the report"

# In the file: no raw hostile markup, the escapes instead.
grep -qi '<script\|<img' "$T/case.html" && fail "raw hostile markup in the HTML"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/case.html" || fail "the hostile name is not escaped"
LC_ALL=C grep -q $'\x1b' "$T/case.html" && fail "a raw ESC in the HTML"
grep -q $'\u202e' "$T/case.html" && fail "a raw U+202E in the HTML"
# What the database says is what the page says.
msgs=$(sqlite3 -readonly "$T/x.db" "SELECT count(*) FROM messages WHERE attempt = '$A'")
grep -q "<tr><th>Messages</th><td>$msgs, feed time" "$T/case.html" || fail "the facts do not say $msgs messages"
outages=$(sqlite3 -readonly "$T/x.db" "SELECT count(*) FROM messages WHERE attempt = '$A' AND kind = 'network_lost'")
shaded=$(sed -n '/id="timeline-1"/,/<\/svg>/p' "$T/case.html" | grep -c 'class="mark outage"')
[ "$shaded" = "$outages" ] || fail "$shaded outages shaded for $outages network_lost"
# The acts come where the console acted: after the messages of the attempt
# it had received by then and before the rest, although the simulation's
# clock runs 500 times faster than the console's.
python3 - "$T/case.html" "$T/x.db" "$A" <<'PY' || fail "the acts are not placed where the console acted"
import re, sqlite3, sys
html, db, a = sys.argv[1:]
sec = html and re.search(r'id="attempt-1".*?</section>', open(html).read(), re.S).group(0)
kinds = re.findall(r'<tr><td class=t>[^<]*</td><td>[FL]</td><td>([a-z_]+)</td>', sec)
messages = {"attempt", "state", "event", "outage_start", "outage_end", "answer", "message"}
first = kinds.index("decision")
before = sum(1 for k in kinds[:first] if k in messages)
c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
want = c.execute("SELECT count(*) FROM messages WHERE attempt = ? AND recv_ms <= "
    "(SELECT min(time_ms) FROM journal WHERE attempt = ?)", (a, a)).fetchone()[0]
total = c.execute("SELECT count(*) FROM messages WHERE attempt = ?", (a,)).fetchone()[0]
if before != want:
    sys.exit("%d messages before the first act in the report, %d received before it (of %d)" % (before, want, total))
PY
sed -n '/id="attempt-1"/,/<\/section>/p' "$T/case.html" | grep -q '<bdi>ana</bdi></td><td><bdi>confirm</bdi></td><td><bdi>security.prohibited_aid</bdi>' ||
    fail "the flag's decision by ana is not in the report"
answered_leaked=$(sqlite3 -readonly "$T/x.db" "SELECT count(DISTINCT json_extract(body, '\$.item')) FROM messages WHERE attempt = '$A' AND type = 'answer' AND json_extract(body, '\$.item') IN ($(sed "s/.*/'&'/" "$T/leaked.txt" | paste -sd,))")
marked=$(sed -n '/id="rt-1"/,/<\/svg>/p' "$T/case.html" | grep -c 'class="mark answer compromised"')
[ "$marked" = "$answered_leaked" ] || fail "$marked compromised items marked, $A answered $answered_leaked"
# The pair: both strings, each identical wrong answer highlighted in both.
sed -n '/id="attempt-1"/,/<\/section>/p' "$T/case.html" >"$T/a.html"
grep -q "<h4>With attempt <bdi>$B</bdi></h4>" "$T/a.html" || fail "no pair with $B in $A's section"
ii=$(sed -n 's/.*answered by both; \([0-9]*\) identical wrong.*/\1/p' "$T/a.html" | head -1)
cells=$(grep -o 'class=ii' "$T/a.html" | wc -l)
[ -n "$ii" ] && [ "$ii" -ge 3 ] && [ "$cells" = $((2 * ii)) ] ||
    fail "$cells cells highlighted for ${ii:-no} identical wrong answers"
# The cells are the responses as sent: A's row holds A's final responses.
python3 - "$T/a.html" "$T/x.db" "$A" <<'PY' || fail "the pair's cells are not the responses sent"
import re, sqlite3, sys
html, db, a = sys.argv[1:]
row = re.search(r'<table class=pair>\s*<tr><th><bdi>%s</bdi></th>(.*?)</tr>' % re.escape(a), open(html).read(), re.S)
if not row:
    sys.exit("no row of %s in the pair table" % a)
cells = [re.sub(r'<[^>]*>', '', c) for c in re.findall(r'<td[^>]*>(.*?)</td>', row.group(1))]
shown = sorted(c for c in cells if c != "-")
c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
final = {}
for item, resp in c.execute("SELECT json_extract(body, '$.item'), json_extract(body, '$.response') "
        "FROM messages WHERE attempt = ? AND type = 'answer' ORDER BY seq", (a,)):
    final[item] = resp
want = sorted(r for r in final.values() if r is not None)
if shown != want:
    sys.exit("%s's row shows %s, its final responses are %s" % (a, shown, want))
PY

# In a real browser.
node "$PEER/render-report.js" "$T/case.html" --sections 2 --plots 6 \
    --text "<script>alert(1)</script><img src=x onerror=alert(2)>\\x1b[31m\\u{202e}evil" \
    --text "<img src=x onerror=alert(3)> seen \\u{202e} twice" \
    --text "called the centre" >"$T/render.out" 2>&1 ||
    fail "render: $(cat "$T/render.out")"
cat "$T/render.out"

# Failures leave no file behind, and say what to do.
expect 1 "no attempt \"NOPE\"" --db "$T/x.db" --out "$T/n.html" "$A" NOPE
[ -e "$T/n.html" ] && fail "a failed report left a file"
mkdir "$T/dir.html"
expect 1 "exists and is not a regular file" --db "$T/x.db" --out "$T/dir.html" "$A"
expect 1 "no attempt \"$A\" on feed \"other\"" --db "$T/x.db" --out "$T/n.html" --feed other "$A"

echo "PASS: review report of $A (outages $outages, $msgs messages) and $B (copied: a pair, $ii identical wrong answers shown): escaped, rendered in chromium with no error or request, $cases usage and failure cases"
