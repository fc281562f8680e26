#!/bin/bash
# e2e-review-read.sh - `invigil review attempts|flags|decisions|export` on a
# database written by the real feed (--simulate) and a headless console
# whose proctor decided flags, plus an imported journal row: the three
# formats with hostile strings (a name with ESC[31m and the bidi override
# U+202E, a candidate "=cmd|..."): the table sanitised, the CSV RFC 4180
# with the formula neutralised, the JSON raw (compared with what SQLite
# holds); every filter against a count made by SQL here; the usage errors
# (a filter that does not apply names where it does).
# run-e2e timeout: 120
. "$(dirname "$0")/lib.sh"
watchdog 110

rv() { timeout 60 "$INVIGIL" review "$@"; }

expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	cases=$((${cases:-0} + 1))
	out=$(rv "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "review $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "review $*: output lacks /$pat/: $out"
}

# Usage errors come before the database is opened.
expect 2 "give --db PATH" attempts
expect 2 "--format is table, csv or jsonl, not \"xml\"" attempts --db x.db --format xml
expect 2 "unknown option --state \(decisions are filtered by .*--state, --flagged, --decided and --rule filter attempts and flags\)" decisions --db x.db --state open
expect 2 "unknown option --flagged \(flags are filtered by .*--flagged filters attempts\)" flags --db x.db --flagged
expect 2 "--flagged does not apply to journal \(it filters attempts\)" export --db x.db --what journal --format jsonl --flagged
expect 2 "--decided does not apply to answers \(it filters attempts and flags\)" export --db x.db --what answers --format jsonl --decided
expect 2 "--rule does not apply to messages" export --db x.db --what messages --format csv --rule r
expect 2 "give --format csv or jsonl" export --db x.db --what messages
expect 2 "give --format csv or jsonl" export --db x.db --what messages --format table
expect 2 "give --what attempts, messages" export --db x.db --format csv
expect 2 "--what is attempts, messages, answers, flags or journal, not \"decisions\"" export --db x.db --what decisions --format csv
expect 2 "--since is a time in UTC" attempts --db x.db --since yesterday
expect 2 "--until is a time in UTC" attempts --db x.db --until 2026-12-07T10:00:00+02:00
expect 2 "--since must come before --until" flags --db x.db --since 2026-12-08 --until 2026-12-07
expect 2 "unexpected argument" attempts --db x.db A0001
expect 0 "--centre" attempts --help
expect 1 "none.db does not exist" attempts --db "$T/none.db"

# A real session: the simulator through a headless console whose proctor
# dismisses one flag (a reason that is a formula), confirms another and
# warns a candidate through the feed.
start_feed --simulate 30 --seed 5 --rate 400 --id sim
mkfifo "$T/in"
"$INVIGIL" --headless --db "$T/x.db" --proctor ana \
    --feed "ws://127.0.0.1:$FEED_PORT/" <"$T/in" >"$T/out" 2>"$T/err" &
c=$!
PIDS="$PIDS $c"
exec 3<>"$T/in"
ready() {
	n=$(sqlite3 -readonly "$T/x.db" "select (select count(*) from flags) >= 4 and (select count(*) from messages where type = 'answer') >= 100" 2>/dev/null)
	[ "$n" = 1 ]
}
wait_for 40 ready || { cat "$T/err" >&2; fail "the console stored too little"; }
echo '{"id":"r1","op":"decide","flag":1,"action":"dismiss","reason":"=HYPERLINK(\"http://evil\")","reason_code":"technical.false_positive"}' >&3
echo '{"id":"r2","op":"decide","flag":2,"action":"confirm","reason":"phone in hand","reason_code":"security.prohibited_aid"}' >&3
# A warning sent to the feed: the feed's acknowledgement is journaled too
# (role "feed"), and is no decision.
echo '{"id":"r3","op":"command","feed":"sim","attempt":"A0004","action":"warn","reason":"eyes on screen"}' >&3
acked() { [ "$(grep -c '"t":"ack".*"ok":true' "$T/out")" -ge 3 ] && grep -q '"t":"done","id":"r3".*"ok":true' "$T/out"; }
wait_for 10 acked || { cat "$T/out" "$T/err" >&2; fail "the decisions were not acknowledged"; }
kill "$c"; wait "$c" 2>/dev/null
kill "$FEED_PID"

# Hostile strings as a feed could have sent them, and a journal row from
# another console as `review import` copies it.
sqlite3 "$T/x.db" <<'SQL' || fail "could not plant the hostile rows"
UPDATE attempts SET name = 'Eve' || char(27) || '[31mRED' || char(8238) || 'gnp.exe' WHERE attempt = 'A0001';
UPDATE attempts SET candidate = '=cmd|'' /C calc''!A0', center = 'Lyon' WHERE attempt = 'A0002';
INSERT INTO sources (origin, path, imported_ms, journal_size) VALUES ('other.example/journal/1', 'other.db', 1, 1);
INSERT INTO imported_journal (origin, seq, time_ms, actor, role, kind, feed, attempt, flag_id, reason_code, reason, body, prev_hash, hash)
    VALUES ('other.example/journal/1', 1, 1, 'bob', 'proctor', 'note', 'sim', 'A0003', NULL, NULL, '+SUM(1)', '{}', printf('%064d', 0), printf('%064d', 1));
SQL

cat >"$T/check.py" <<'PY'
import csv, io, json, sqlite3, subprocess, sys

inv, db = sys.argv[1], sys.argv[2]
q = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
q.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
def one(sql, *a): return q.execute(sql, a).fetchone()[0]
def run(*args):
    p = subprocess.run([inv, "review"] + list(args) + ["--db", db], capture_output=True, timeout=60)
    if p.returncode != 0: sys.exit("review %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode()))
    return p.stdout
def jsonl(*args): return [json.loads(l) for l in run(*args, "--format", "jsonl").decode("utf-8").splitlines()]
def csvrows(*args):
    raw = run(*args, "--format", "csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    return raw, rows
checks = 0
def check(cond, what):
    global checks
    checks += 1
    if not cond: sys.exit("FAIL: " + what)

hostile = one("select name from attempts where attempt = 'A0001'")
check("\x1b[31m" in hostile and "\u202e" in hostile, "the planted name")

# table: sanitised, one row per attempt under a header
t = run("attempts")
check(b"\x1b" not in t and "\u202e".encode() not in t, "table: a raw ESC or U+202E reached the terminal")
check(b"Eve\\x1b[31mRED" in t, "table: the name is not shown escaped")
check(len(t.splitlines()) == 1 + one("select count(*) from attempts"), "table: rows")
check(t.splitlines()[0].split()[:3] == [b"attempt", b"candidate", b"name"], "table: header")

# csv: RFC 4180 (CRLF, a header), the formula neutralised, the rest raw
raw, rows = csvrows("attempts")
n = one("select count(*) from attempts")
check(rows[0][:8] == ["attempt", "candidate", "name", "exam", "form", "center", "state", "open_flags"], "csv: header %r" % rows[0])
check(len(rows) == n + 1 and raw.count(b"\r\n") == n + 1 and raw.count(b"\n") == n + 1, "csv: CRLF records")
by = {r[0]: r for r in rows[1:]}
check(by["A0002"][1] == "'=cmd|' /C calc'!A0", "csv: the formula is not neutralised: %r" % by["A0002"][1])
check(by["A0001"][2] == hostile, "csv: the name is not raw")

# jsonl: raw, exactly as stored
objs = {o["attempt"]: o for o in jsonl("attempts")}
check(objs["A0001"]["name"] == hostile, "jsonl: the name is not raw")
check(objs["A0002"]["candidate"] == "=cmd|' /C calc'!A0", "jsonl: the candidate is changed")
for a, o in objs.items():
    check(o["flags"] == one("select count(*) from flags where attempt = ?", a), "jsonl: flags of " + a)
    check(o["open_flags"] == one("select count(*) from flags where attempt = ? and state = 'open'", a), "open flags of " + a)

# filters of attempts, each against SQL
check(len(jsonl("attempts", "--attempt", "A0001")) == 1, "--attempt")
check(len(jsonl("attempts", "--flagged")) == one("select count(distinct attempt) from flags"), "--flagged")
dec = jsonl("attempts", "--decided")
check(sorted(o["attempt"] for o in dec) == sorted(set([r[0] for r in q.execute("select attempt from journal where role <> 'feed' and attempt is not null")] + ["A0003"])), "--decided: %r" % [o["attempt"] for o in dec])
rule = one("select rule from flags group by rule order by count(*) desc limit 1")
check(len(jsonl("attempts", "--rule", rule)) == one("select count(distinct attempt) from flags where rule = ?", rule), "--rule")
check(len(jsonl("attempts", "--centre", "Lyon")) == 1 and len(jsonl("attempts", "--center", "Lyon")) == 1, "--centre / --center")
check(len(jsonl("attempts", "--exam", "EXAM-1")) == one("select count(*) from attempts where exam = 'EXAM-1'") > 0, "--exam")
check(jsonl("attempts", "--exam", "NO-SUCH") == [], "--exam NO-SUCH")
st = one("select state from attempts group by state order by count(*) desc limit 1")
check(len(jsonl("attempts", "--state", st)) == one("select count(*) from attempts where state = ?", st), "--state")

# flags: decided by the proctor, the source local
fl = jsonl("flags", "--decided")
check(sorted((f["id"], f["state"], f["decided_by"]) for f in fl) == [(1, "dismissed", "ana"), (2, "confirmed", "ana")], "flags --decided: %r" % fl)
check(all(f["source"] == "local" for f in jsonl("flags")), "flags: source")
check(len(jsonl("flags", "--state", "open")) == one("select count(*) from flags where state = 'open'"), "flags --state open")
check(len(jsonl("flags", "--rule", rule)) == one("select count(*) from flags where rule = ?", rule), "flags --rule")

# decisions: both origins, in time order, the formula reason raw in JSON and neutralised in CSV
d = jsonl("decisions")
check([(x["origin"], x["actor"], x["kind"]) for x in d] == [("other.example/journal/1", "bob", "note"), ("local", "ana", "dismiss"), ("local", "ana", "confirm"), ("local", "ana", "warn")], "decisions: %r" % d)
check(one("select count(*) from journal where role = 'feed' and kind = 'cmd_ack'") == 1, "the feed's acknowledgement is not journaled")
check(d[1]["reason"] == '=HYPERLINK("http://evil")' and d[1]["reason_code"] == "technical.false_positive", "decisions: reason")
raw, rows = csvrows("decisions")
check(rows[2][7] == "'=HYPERLINK(\"http://evil\")" and rows[1][7] == "'+SUM(1)", "decisions csv: %r" % rows)
check(len(jsonl("decisions", "--attempt", "A0004")) == 1, "decisions --attempt: the feed's acknowledgement is no decision")
check(len(jsonl("decisions", "--attempt", "A0003")) == 1 + one("select count(*) from journal where attempt = 'A0003' and role <> 'feed'"), "decisions --attempt")

# export: messages raw and complete, answers, journal, time ranges
m = jsonl("export", "--what", "messages")
check(len(m) == one("select count(*) from messages"), "export messages: count")
bodies = dict(q.execute("select id, body from messages"))
check(all(x["body"] == bodies[x["id"]] for x in m), "export messages: a body is not as stored")
mid = one("select ts_ms from messages order by ts_ms limit 1 offset (select count(*) / 2 from messages)")
since = "%s.%03dZ" % (__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(mid // 1000)), mid % 1000)
check(len(jsonl("export", "--what", "messages", "--since", since)) == one("select count(*) from messages where ts_ms >= ?", mid), "export --since")
check(len(jsonl("export", "--what", "messages", "--until", since)) == one("select count(*) from messages where ts_ms < ?", mid), "export --until")
a = jsonl("export", "--what", "answers", "--attempt", "A0005")
check(len(a) == one("select count(*) from messages where type = 'answer' and attempt = 'A0005'") > 0, "export answers --attempt")
check(all(isinstance(x["correct"], bool) and x["item"] for x in a), "export answers: fields")
raw, rows = csvrows("export", "--what", "answers")
check(len(rows) == 1 + one("select count(*) from messages where type = 'answer'"), "export answers csv")
j = jsonl("export", "--what", "journal")
check(len(j) == one("select count(*) from journal") + 1 and j[-1]["origin"] == "other.example/journal/1", "export journal")
check([x["seq"] for x in j if x["origin"] == "local"] == list(range(1, one("select count(*) from journal") + 1)), "export journal: seq order")
check(len(jsonl("export", "--what", "flags")) == one("select count(*) from flags"), "export flags")
# the attempt's facts filter the rows about it, whatever they are
facts = "exists (select 1 from attempts a where a.feed = t.feed and a.attempt = t.attempt and a.%s = ?)"
check(len(jsonl("export", "--what", "messages", "--exam", "EXAM-1")) == one("select count(*) from messages t where " + facts % "exam", "EXAM-1") > 0, "messages --exam")
check(len(jsonl("export", "--what", "answers", "--form", "F1")) == one("select count(*) from messages t where type = 'answer' and " + facts % "form", "F1") > 0, "answers --form")
check(len(jsonl("flags", "--centre", "Lyon")) == one("select count(*) from flags t where " + facts % "center", "Lyon"), "flags --centre")
check(len(jsonl("decisions", "--exam", "NO-SUCH")) == 0 and len(jsonl("export", "--what", "journal", "--feed", "sim")) == one("select count(*) from journal where feed = 'sim'") + 1, "journal --feed")
print("%d checks" % checks)
PY
checks=$(python3 "$T/check.py" "$INVIGIL" "$T/x.db") || fail "see above: $checks"

echo "PASS: review attempts/flags/decisions/export: hostile name and formula through table, csv and jsonl, filters against SQL ($checks), $cases usage and failure cases"
