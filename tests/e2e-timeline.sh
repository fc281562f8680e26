#!/bin/bash
# e2e-timeline.sh - `invigil review timeline ATTEMPT` on a database written
# by the real feed (--simulate) and a headless console whose proctor
# confirmed a flag and warned the candidate through the feed: every stored
# message of the attempt once, its flags raised and closed, the decision
# with its actor, the command and the feed's acknowledgement, outages, in
# the order the rows say; a hostile name raw in JSON lines and sanitised in
# the table; CSV is RFC 4180; the usage and failure cases.
# run-e2e timeout: 120
. "$(dirname "$0")/lib.sh"
watchdog 110

tl() { timeout 60 "$INVIGIL" review timeline "$@"; }

expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	cases=$((${cases:-0} + 1))
	out=$(tl "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "timeline $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "timeline $*: output lacks /$pat/: $out"
}

expect 2 "give --db PATH" A0001
expect 2 "name the attempt" --db x.db
expect 2 "one attempt at a time, not also \"A0002\"" --db x.db A0001 A0002
expect 2 "--format is table, csv or jsonl, not \"xml\"" --db x.db --format xml A0001
expect 2 "--limit is a number of items, 1 or more, not \"0\"" --db x.db --limit 0 A0001
expect 2 "--limit is a number of items, 1 or more, not \"-3\"" --db x.db --limit -3 A0001
expect 1 "none.db does not exist" --db "$T/none.db" A0001

# A session with flaky networks (outages) and flags.
start_feed --simulate 40 --seed 3 --rate 400 --id sim
mkfifo "$T/in"
"$INVIGIL" --headless --db "$T/x.db" --proctor ana \
    --feed "ws://127.0.0.1:$FEED_PORT/" <"$T/in" >"$T/out" 2>"$T/err" &
c=$!
PIDS="$PIDS $c"
exec 3<>"$T/in"
ready() {
	n=$(sqlite3 -readonly "$T/x.db" "select (select count(*) from flags where attempt is not null) >= 2 and (select count(*) from messages where kind = 'network_restored') >= 1" 2>/dev/null)
	[ "$n" = 1 ]
}
wait_for 60 ready || { cat "$T/err" >&2; fail "the console stored too little"; }
read -r flag att < <(sqlite3 -readonly -separator ' ' "$T/x.db" "select id, attempt from flags where attempt is not null order by id limit 1")
[ -n "$att" ] || fail "no flagged attempt"
echo "{\"id\":\"r1\",\"op\":\"decide\",\"flag\":$flag,\"action\":\"confirm\",\"reason\":\"phone in hand\",\"reason_code\":\"security.prohibited_aid\"}" >&3
echo "{\"id\":\"r2\",\"op\":\"command\",\"feed\":\"sim\",\"attempt\":\"$att\",\"action\":\"warn\",\"reason\":\"eyes on screen\"}" >&3
acked() { grep -q '"t":"ack","id":"r1","ok":true' "$T/out" && grep -q '"t":"done","id":"r2".*"ok":true' "$T/out"; }
wait_for 20 acked || { cat "$T/out" "$T/err" >&2; fail "the acts were not done"; }
sleep 1
kill "$c"; wait "$c" 2>/dev/null
kill "$FEED_PID"

# An attempt with an outage, and a hostile name on the flagged one.
out_att=$(sqlite3 -readonly "$T/x.db" "select attempt from messages where kind = 'network_restored' limit 1")
sqlite3 "$T/x.db" "UPDATE attempts SET name = 'Eve' || char(27) || '[31mRED' || char(8238) || 'gnp.exe' WHERE attempt = '$att'" ||
    fail "could not plant the hostile name"
sqlite3 "$T/x.db" "UPDATE messages SET body = json_set(body, '$.name', 'Eve' || char(27) || '[31mRED' || char(8238) || 'gnp.exe') WHERE attempt = '$att' AND type = 'attempt'" ||
    fail "could not plant the hostile body"

tl --db "$T/x.db" --format jsonl "$att" >"$T/tl.jsonl" || fail "timeline jsonl failed"
tl --db "$T/x.db" --format csv "$att" >"$T/tl.csv" || fail "timeline csv failed"
tl --db "$T/x.db" "$att" >"$T/tl.txt" || fail "timeline table failed"
tl --db "$T/x.db" --format jsonl "$out_att" >"$T/out.jsonl" || fail "timeline of $out_att failed"
tl --db "$T/x.db" --format jsonl --limit 5 "$att" >"$T/five.jsonl" || fail "timeline --limit failed"

python3 - "$T" "$att" "$flag" "$out_att" <<'PY' || fail "the timeline is not the database's"
import csv, io, json, sqlite3, sys
T, att, flag, out_att = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
db = sqlite3.connect(T + "/x.db")
def load(p):
    return [json.loads(l) for l in open(p, encoding="utf-8")]
rows = load(T + "/tl.jsonl")
def check(cond, what):
    if not cond:
        sys.exit("timeline: " + what)
# Every message of the attempt exactly once, by seq.
seqs = [r["seq"] for r in rows if r["kind"] in ("attempt", "state", "event",
        "outage_start", "outage_end", "answer", "message")]
want = [s for (s,) in db.execute("select seq from messages where attempt = ? order by seq", (att,))]
check(sorted(seqs) == want, "messages %d of %d, or twice" % (len(seqs), len(want)))
# The rows are in order.
order = [r["order"] for r in rows]
check(order == sorted(order), "rows out of order")
# Every flag raised; the confirmed one closed, after it was raised.
flags = [i for (i,) in db.execute("select id from flags where attempt = ?", (att,))]
raised = [r["flag"] for r in rows if r["kind"] == "flag_raised"]
check(sorted(raised) == sorted(flags), "flags raised %s, want %s" % (raised, flags))
closed = [r for r in rows if r["kind"] == "flag_closed" and r["flag"] == flag]
check(len(closed) == 1 and closed[0]["code"] == "confirmed", "flag %d not closed as confirmed" % flag)
# The decision, with its actor, reason code and reason; then the command
# and the feed's acknowledgement.
dec = [r for r in rows if r["kind"] == "decision" and r["what"] == "confirm"]
check(len(dec) == 1 and dec[0]["actor"] == "ana" and dec[0]["role"] == "proctor"
      and dec[0]["code"] == "security.prohibited_aid" and dec[0]["reason"] == "phone in hand"
      and dec[0]["flag"] == flag, "the confirmation: %s" % dec)
sent = [r for r in rows if r["kind"] == "command_sent" and r["what"] == "warn"]
ack = [r for r in rows if r["kind"] == "command_ack" and r["what"] == "warn"]
check(len(sent) == 1 and sent[0]["actor"] == "ana", "the warning sent: %s" % sent)
check(len(ack) == 1 and ack[0]["code"] == "ok" and ack[0]["command"] == sent[0]["command"],
      "the warning's acknowledgement: %s" % ack)
check(rows.index(sent[0]) < rows.index(ack[0]), "the acknowledgement before the command")
# The hostile name is raw in JSON lines.
hostile = "Eve\x1b[31mRED\u202egnp.exe"
check(any(hostile in (r["summary"] or "") for r in rows if r["kind"] == "attempt"),
      "the attempt's name is not raw in JSON")
# CSV: RFC 4180, the same rows.
raw = open(T + "/tl.csv", "rb").read()
check(raw.count(b"\r\n") >= len(rows) + 1, "CSV records do not end in CRLF")
recs = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
check(recs[0][:4] == ["time", "order", "clock", "kind"] and len(recs) == len(rows) + 1,
      "CSV: %d records for %d items" % (len(recs), len(rows)))
# The table: sanitised, nothing raw.
txt = open(T + "/tl.txt", encoding="utf-8").read()
check("\x1b" not in txt and "\u202e" not in txt, "the table prints raw controls")
check("\\x1b" in txt or "\\u{202e}" in txt, "the table does not show the controls escaped")
# Outages: a start and an end, on the attempt that had one.
orow = load(T + "/out.jsonl")
kinds = [r["kind"] for r in orow]
check("outage_start" in kinds and "outage_end" in kinds, "no outage in %s's timeline" % out_att)
check(kinds.index("outage_start") < kinds.index("outage_end"), "an outage ends before it starts")
# --limit.
check(len(load(T + "/five.jsonl")) == 5, "--limit 5 did not give 5 items")
print("%d items for %s (%d messages, %d flags), outages on %s" % (len(rows), att, len(want), len(flags), out_att))
PY

expect 1 "A9999" --db "$T/x.db" A9999
expect 0 "decision +confirm +ana" --db "$T/x.db" "$att"
echo "    PASS: review timeline of $att in three formats: every message once, flags raised and closed, the decision with its actor, the command and its ack, outages, a hostile name raw in JSON and escaped in the table; $cases usage and failure cases"
