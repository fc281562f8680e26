#!/usr/bin/env python3
"""check-replay.py SCENARIO DB FLAGS FEED - compare what a console stored
with the scenario the feed replayed: every message exactly once, seq 1..N
in file order, every field equal, the feed position at N, and one flag line
on stdout per flag in the database."""
import json
import sqlite3
import sys

def main():
    scenario, dbpath, flagspath, feed = sys.argv[1:5]
    lines = [json.loads(l) for l in open(scenario, encoding="utf-8")
             if l.strip() and not l.startswith("#")]
    db = sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True)
    rows = db.execute("select seq, type, attempt, kind, body from messages "
                      "where feed = ? order by seq", (feed,)).fetchall()
    errors = []
    if len(rows) != len(lines):
        errors.append("stored %d messages, scenario has %d"
                      % (len(rows), len(lines)))
    total = db.execute("select count(*) from messages").fetchone()[0]
    if total != len(lines):
        errors.append("messages table holds %d rows in all" % total)
    for i, (seq, typ, attempt, kind, body) in enumerate(rows):
        want = lines[i] if i < len(lines) else None
        if seq != i + 1:
            errors.append("row %d has seq %d" % (i, seq))
            break
        got = json.loads(body)
        if got.get("seq") != seq:
            errors.append("seq %d: body says seq %r" % (seq, got.get("seq")))
        got.pop("seq", None)
        if want is None or got != want:
            errors.append("seq %d: stored %r, scenario %r" % (seq, got, want))
        if typ != want["t"] or attempt != want.get("attempt") or \
                kind != want.get("kind"):
            errors.append("seq %d: columns %r %r %r" % (seq, typ, attempt, kind))
        if len(errors) > 5:
            break
    pos = db.execute("select last_seq from feeds where feed = ?",
                     (feed,)).fetchone()
    if pos is None or pos[0] != len(lines):
        errors.append("feed position is %r, want %d" % (pos, len(lines)))

    # Flags: one stdout line per flag raised, the same flags in the table,
    # each on a known attempt, each with the evidence that caused it; and
    # the count-1 rules of the defaults raised for every attempt whose
    # event they match outside an outage (identity_mismatch here).
    got_flags = [json.loads(l) for l in open(flagspath, encoding="utf-8")]
    got_set = {(f["attempt"], f["rule"]) for f in got_flags}
    table = db.execute("select attempt, rule, evidence from flags").fetchall()
    if len(got_flags) != len(got_set) or \
            got_set != {(a, r) for a, r, _ in table} or len(table) != len(got_set):
        errors.append("flags on stdout (%d lines, %d distinct) differ from "
                      "the flags table (%d rows)"
                      % (len(got_flags), len(got_set), len(table)))
    attempts = {m["attempt"] for m in lines if m["t"] == "attempt"}
    if any(a not in attempts for a, _ in got_set):
        errors.append("a flag names an attempt the scenario does not have")
    if any(not e for _, _, e in table):
        errors.append("a flag has no evidence")
    want_identity = {m["attempt"] for m in lines if m["t"] == "event"
                     and m["kind"] == "identity_mismatch"}
    got_identity = {a for a, r in got_set if r == "identity_mismatch"}
    if not got_identity or not got_identity <= want_identity:
        errors.append("identity_mismatch flags on %d attempts, events on %d"
                      % (len(got_identity), len(want_identity)))
    for e in errors:
        print("check-replay: " + e, file=sys.stderr)
    print("check-replay: %d messages, %d flags compared" %
          (len(rows), len(got_flags)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
