#!/bin/bash
# e2e-truth.sh - the simulator's ground truth and the flag scorer: a
# 200-candidate session at 180x for ten seconds (half an hour of exam), a
# headless console recording its flags, --truth kept current while the feed
# runs and written when it stops, and tests/score-flags.py scoring the one
# against the other.  Nothing is slept for: the test waits (with deadlines)
# for the truth to be rewritten with a phone episode, then for the console to
# store 30 minutes of feed time.  Only the structure is judged here, not the scores: the
# table is printed for the record (SEED=S picks another session).
. "$(dirname "$0")/lib.sh"

seed=${SEED:-1}
truth=$T/truth.jsonl
start_feed --simulate 200 --seed "$seed" --rate 180 --id sim --truth "$truth"
"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" --db "$T/c.db" \
    >"$T/flags.jsonl" 2>"$T/console.err" &
c=$!
PIDS="$PIDS $c"

attempts() { grep -c '"t":"attempt"' "$1"; }
as_of() { sed -n '1s/.*"as_of":"\([^"]*\)".*/\1/p' "$1"; }

# Written at the start, then rewritten while the feed runs.
[ -s "$truth" ] || fail "no truth file once the feed listens"
[ "$(attempts "$truth")" = 200 ] || fail "the first truth has $(attempts "$truth") attempts"
first=$(as_of "$truth")
rewritten() { [ "$(as_of "$truth")" != "$first" ] && log_has "$truth" '"profile":"phone".*"signal":"phone_seen"'; }
wait_for 30 rewritten ||
    fail "the truth was not rewritten with a phone episode within 30 s (as_of $(as_of "$truth"))"
kill -0 "$FEED_PID" || fail "feed died"
mid=$(as_of "$truth")
[ "$(attempts "$truth")" = 200 ] || fail "the running truth has $(attempts "$truth") attempts"
grep -q '"profile":"phone".*"signal":"phone_seen"' "$truth" ||
    fail "no phone episode in the running truth"
wait_for 90 minutes_at_least "$T/c.db" 30 ||
    fail "only $(stored_minutes "$T/c.db") minutes of feed time stored after 90 s"

stop_ok $c "console"
stop "$FEED_PID" || { rc=$?; cat "$FEED_LOG" >&2; fail "feed exited $rc after SIGTERM"; }
[ -e "$truth.tmp" ] && fail "$truth.tmp left behind"
ls "$truth".?????? >/dev/null 2>&1 && fail "a temporary left behind: $(ls "$truth".??????)"
# It names each attempt's profile and misconduct: the feed's user only.
mode=$(stat -c %a "$truth")
echo "truth file mode $mode"
[ "$mode" = 600 ] || fail "the truth file has mode $mode, not 600"
end=$(as_of "$truth")
[[ "$end" > "$mid" ]] || fail "the truth at exit ($end) is not newer than while running ($mid)"

# Structure: 200 attempts, every profile, misconduct only where cheating.
python3 - "$truth" <<'PY' || fail "truth structure"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ses = lines[0]
items = [l for l in lines[1:] if l["t"] == "item"]
att = lines[1 + len(items):]
assert ses["t"] == "session" and ses["candidates"] == 200, ses
assert len(items) == ses["items"] * ses["forms"] == 60, len(items)
assert all(l["t"] == "item" for l in lines[1:1 + len(items)])
assert len(att) == 200 and all(a["t"] == "attempt" for a in att)
assert all("theta" in a and "tau" in a for a in att)
profiles = {a["profile"] for a in att}
want = {"honest", "distracted", "phone", "proxy", "colluding",
        "preknowledge", "flaky_network", "rapid_guesser"}
assert profiles == want, profiles
for a in att:
    assert bool(a["misconduct"]) == a["cheating"], a["attempt"]
    for m in a["misconduct"]:
        assert m["type"] == a["profile"], (a["attempt"], m)
    if a["profile"] in ("proxy", "colluding"):
        assert len(a["links"]) == 1, a["attempt"]
print("truth: %d attempts, %s to %s" % (len(att), ses["start"], ses["as_of"]))
PY

nflags=$(grep -c '"t":"flag"' "$T/flags.jsonl")
[ "$nflags" -gt 0 ] || fail "the console raised no flags"
python3 "$TESTS/score-flags.py" "$truth" "$T/flags.jsonl" >"$T/score.txt" ||
    fail "score-flags.py exited $?"
cat "$T/score.txt"
python3 - "$T/score.txt" <<'PY' || fail "score summary"
import json, sys
last = open(sys.argv[1]).read().splitlines()[-1]
s = json.loads(last)
assert s["t"] == "score" and s["attempts"] == 200, s
assert set(s["types"]) == {"phone", "proxy", "colluding", "preknowledge"}
for t, r in s["types"].items():
    assert r["attempts"] > 0, t
PY
for t in phone proxy colluding preknowledge; do
	grep -q "^$t " "$T/score.txt" || fail "no $t row in the table"
done
# Asked for more than it can have, the scorer says no.
python3 "$TESTS/score-flags.py" "$truth" "$T/flags.jsonl" \
    --require-recall 1.01 >/dev/null && fail "--require-recall 1.01 passed"
echo "PASS: truth of 200 attempts kept while running ($first, $mid) and at exit ($end); $nflags flags over $(stored_minutes "$T/c.db") feed minutes scored (seed $seed)"
