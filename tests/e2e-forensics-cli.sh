#!/bin/bash
# e2e-forensics-cli.sh - `invigil review forensics` on a database written by
# the real feed and a headless console: the three formats, --items,
# --pairs, --compromised with a hostile id, hostile answers in the
# database (an item id with terminal escapes, a 2,000-byte response), answer
# changes sent as two messages, usage errors (exit 2), a database with no
# answers (exit 1 and the sentence).  The statistics themselves are
# validated by tests/check_fxrun.c; here, the command's behaviour.
# run-e2e timeout: 120
. "$(dirname "$0")/lib.sh"
watchdog 110

fx() { timeout 30 "$INVIGIL" review forensics "$@"; }

expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	cases=$((${cases:-0} + 1))
	out=$(fx "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "review forensics $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "review forensics $*: output lacks /$pat/: $out"
}

# Usage errors come before the database is opened.
expect 2 "give --db PATH" 
expect 2 "--alpha must be a number between 0 and 1" --db x.db --alpha 0
expect 2 "--alpha must be a number between 0 and 1" --db x.db --alpha 1e
expect 2 "--format is table, csv or jsonl, not \"xml\"" --db x.db --format xml
expect 2 "unknown option --bogus" --db x.db --bogus
expect 2 "unexpected argument|takes no" --db x.db extra
expect 0 "--compromised" --help
expect 1 "none.db does not exist" --db "$T/none.db"

# A real exam: the simulator through a headless console into the store.
start_feed --simulate 200 --seed 5 --rate 500 --id sim
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/x.db" \
    >"$T/flags.jsonl" 2>"$T/c.err" &
c=$!
PIDS="$PIDS $c"
done_at_least() {
	n=$(sqlite3 -readonly "$T/x.db" "select count(*) from attempts where state in ('submitted', 'terminated')" 2>/dev/null)
	[ "${n:-0}" -ge "$1" ]
}
wait_for 60 done_at_least 180 || fail "fewer than 180 attempts done after 60 s"
stop_ok $c "console"
stop_ok "$FEED_PID" "feed"
answers=$(sqlite3 -readonly "$T/x.db" "select count(*) from messages where type = 'answer'")
attempts=$(sqlite3 -readonly "$T/x.db" "select count(distinct attempt) from messages where type = 'answer'")
items=$(sqlite3 -readonly "$T/x.db" "select count(distinct json_extract(body, '$.item')) from messages where type = 'answer'")
[ "$answers" -gt 1000 ] || fail "only $answers answers stored"

# Hostile rows, as a crafted database could hold them, and a change sent as
# two messages (first wrong, then right) by an attempt with no other change
# (the simulator's own changes of A0002, replaced answers, are taken out).
cp "$T/x.db" "$T/h.db"
sqlite3 "$T/h.db" "
DELETE FROM messages WHERE type = 'answer' AND attempt = 'A0002' AND seq NOT IN
    (SELECT max(seq) FROM messages WHERE type = 'answer' AND attempt = 'A0002'
     GROUP BY json_extract(body, '\$.item'));
UPDATE messages SET body = json_set(body, '\$.changed', 0) WHERE type = 'answer' AND attempt = 'A0002';
INSERT INTO messages (feed, epoch, seq, type, attempt, kind, ts_ms, recv_ms, body)
SELECT feed, epoch, 900000 + n, 'answer', 'A0002', NULL, ts_ms, recv_ms,
    json_object('t', 'answer', 'seq', 900000 + n, 'attempt', 'A0002', 'item', 'QZ',
    'response', CASE n WHEN 1 THEN 'A' ELSE 'B' END, 'correct', json(CASE n WHEN 1 THEN 'false' ELSE 'true' END),
    'elapsed_ms', 1000, 'changed', 0)
FROM (SELECT feed, epoch, ts_ms, recv_ms FROM messages WHERE type = 'answer' AND attempt = 'A0002' LIMIT 1),
    (SELECT 1 AS n UNION SELECT 2);
INSERT INTO messages (feed, epoch, seq, type, attempt, kind, ts_ms, recv_ms, body)
SELECT feed, epoch, 910000, 'answer', attempt, NULL, ts_ms, recv_ms,
    json_object('t', 'answer', 'seq', 910000, 'attempt', attempt,
    'item', 'Q' || char(27) || '[2J' || char(10) || 'EVIL', 'response', printf('%.2000c', 'R'),
    'correct', json('true'), 'elapsed_ms', 1000, 'changed', 0)
FROM messages WHERE type = 'answer' AND attempt = 'A0003' LIMIT 1;
" || fail "cannot write the hostile rows"

# table: the header, then one row per attempt, ranked.
fx --db "$T/x.db" >"$T/table.txt" 2>"$T/table.err" || fail "table: exit $?: $(cat "$T/table.err")"
grep -qE "^forensics of .*x\.db: $attempts attempts \([0-9]+ analysed\) on [0-9]+ forms?, $items items$" "$T/table.txt" ||
    fail "table: header: $(head -1 "$T/table.txt")"
grep -q "evidence for a human review, never proof" "$T/table.txt" || fail "table: no 'never proof' sentence"
grep -q "Cauchy combination (Liu & Xie 2020)" "$T/table.txt" || fail "table: the combination is not named"
rows=$(grep -cE '^ +[0-9]+ ' "$T/table.txt")
[ "$rows" = "$attempts" ] || fail "table: $rows rows for $attempts attempts"

# csv: RFC 4180, the columns the issue asks for, ranked by combined_p.
fx --db "$T/h.db" --format csv >"$T/out.csv" || fail "csv: exit $?"
python3 - "$T/out.csv" "$attempts" <<'PY' || fail "csv: see above"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, body = rows[0], rows[1:]
need = ("attempt candidate feed form center items score theta tau lz rt_fit_p "
        "fast_share preknowledge_p similarity_p partner cluster combined_p q "
        "flagged edi_p wtr").split()
missing = [c for c in need if c not in head]
if missing: sys.exit("csv: columns missing: %s" % missing)
if len(body) != int(sys.argv[2]): sys.exit("csv: %d rows for %s attempts" % (len(body), sys.argv[2]))
if any(len(r) != len(head) for r in body): sys.exit("csv: a row with another number of fields")
p = [float(r[head.index("combined_p")]) for r in body if r[head.index("combined_p")]]
if p != sorted(p) or not p: sys.exit("csv: not ranked by combined_p")
w = {r[head.index("attempt")]: r[head.index("wtr")] for r in body}
if w.get("A0002") != "1": sys.exit("csv: A0002 changed QZ wrong-to-right, wtr is %r" % w.get("A0002"))
PY

# jsonl: one object per line, NAN as null, flagged a boolean.
fx --db "$T/h.db" --format jsonl >"$T/out.jsonl" || fail "jsonl: exit $?"
python3 - "$T/out.jsonl" "$attempts" <<'PY' || fail "jsonl: see above"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
if len(objs) != int(sys.argv[2]): sys.exit("jsonl: %d objects" % len(objs))
for o in objs:
    if not isinstance(o["flagged"], bool): sys.exit("jsonl: flagged %r" % o["flagged"])
    for k in ("combined_p", "q", "theta", "lz", "edi_p"):
        if o[k] is not None and not isinstance(o[k], (int, float)): sys.exit("jsonl: %s %r" % (k, o[k]))
PY

# --items: one row per item; the hostile id shown escaped, the table intact;
# JSON lines keep it raw (the writer's rule, console/out.h).
fx --db "$T/h.db" --items >"$T/items.txt" || fail "--items: exit $?"
LC_ALL=C grep -q $'\x1b' "$T/items.txt" && fail "--items: a raw escape reached the output"
grep -q 'Q\\x1b\[2J' "$T/items.txt" || fail "--items: the hostile id is not shown escaped"
n=$(grep -cE '^[^ ]+ +[^ ]+ +(ok|no_variance|form_small) ' "$T/items.txt")
[ "$n" = "$((items + 2))" ] || fail "--items: $n item rows, want $((items + 2))"
grep -q "1 texts cut" "$T/items.txt" || fail "--items: the cut response is not counted"
fx --db "$T/h.db" --items --format jsonl | python3 -c '
import json, sys
ids = [json.loads(l)["item"] for l in sys.stdin]
assert "Q\x1b[2J\nEVIL" in ids, ids[-3:]' || fail "--items jsonl: the hostile id, raw"

# --pairs: the pairs, then the clusters.
fx --db "$T/x.db" --pairs >"$T/pairs.txt" || fail "--pairs: exit $?"
grep -q "^attempt .*partner .*same_wrong" "$T/pairs.txt" || fail "--pairs: no pair table"
grep -qE "^[0-9]+ clusters" "$T/pairs.txt" || fail "--pairs: no cluster table"

# --compromised: comments, blanks, a known id, a hostile unknown one.
{ echo "# leaked in the spring"; echo; echo "  Q01  "; printf 'Q\033]0;owned\007\n'; } >"$T/leak.txt"
fx --db "$T/x.db" --compromised "$T/leak.txt" --items >"$T/leak.out" 2>"$T/leak.err" ||
    fail "--compromised: exit $?: $(cat "$T/leak.err")"
LC_ALL=C grep -q $'\x1b' "$T/leak.err" && fail "--compromised: a raw escape on stderr"
grep -q 'leak.txt:4: item "Q\\x1b\]0;owned\\x07" is not among the answers' "$T/leak.err" ||
    fail "--compromised: the unknown id is not reported: $(cat "$T/leak.err")"
grep -q "a list was given" "$T/leak.out" || fail "--compromised: the header does not say so"
grep -qE '^[^ ]+ +Q01 .* yes ' "$T/leak.out" || fail "--compromised: Q01 not marked known"
expect 1 "cannot read" --db "$T/x.db" --compromised "$T/nonexistent"
mkfifo "$T/fifo"
expect 1 "is a FIFO, not a regular file" --db "$T/x.db" --compromised "$T/fifo"

# No answers: exit 1 with the sentence.
expect 1 "has no answers for that exam to analyse" --db "$T/x.db" --exam NO-SUCH-EXAM
cp "$T/x.db" "$T/empty.db"
sqlite3 "$T/empty.db" "DELETE FROM messages WHERE type = 'answer'"
expect 1 "empty.db has no answers to analyse" --db "$T/empty.db"

echo "PASS: review forensics on $attempts attempts x $items items ($answers answers): table, csv, jsonl, --items, --pairs, --compromised with a hostile id, hostile rows sanitised, a two-message change counted wrong-to-right, $cases usage and failure cases"
