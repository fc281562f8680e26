#!/bin/bash
# e2e-flag-quality.sh - the default rules scored against the simulator's
# ground truth: 200 candidates, about 30 simulated minutes (180x for ten
# seconds), three seeds.  Each must reach recall >= 0.95 for every injected
# misconduct type (pre-knowledge: >= 0.75, see below), precision >= 0.90
# over attempts flagged at medium or
# above (what asks the proctor for a decision; low and info flags are notes
# that only add to the risk score), and raise no flag at all, at any
# severity, on an honest or flaky-network candidate for network trouble.
# The tables are printed: they are the figures behind the defaults.  How
# much exam each seed gets is measured, not slept for: the console runs until
# it has stored 30 minutes of feed time.
#
# Pre-knowledge's bar is lower since the simulator answers from the
# response-time model (issue 14): a leaked item takes 40-60 % of the
# model's time, about 25 s, no longer 3-8 s, so the default rule
# "preknowledge" (correct in under 8 s) does not see it; what flags a
# pre-knowledge attempt now is its clipboard episodes.  Its statistical
# detection (response times against the model) is the forensics module's.
# run-e2e timeout: 400
. "$(dirname "$0")/lib.sh"

for seed in ${SEEDS:-1 2 3}; do
	truth=$T/truth-$seed.jsonl
	start_feed --simulate 200 --seed "$seed" --rate 180 --id sim --truth "$truth"
	"$INVIGIL" --headless --feed "ws://127.0.0.1:$FEED_PORT/" \
	    --db "$T/c-$seed.db" >"$T/flags-$seed.jsonl" 2>"$T/c-$seed.err" &
	c=$!
	PIDS="$PIDS $c"
	wait_for 90 minutes_at_least "$T/c-$seed.db" 30 ||
	    fail "seed $seed: only $(stored_minutes "$T/c-$seed.db") minutes of feed time stored after 90 s"
	stop_ok $c "console (seed $seed)"
	stop_ok "$FEED_PID" "feed (seed $seed)"
	echo "== seed $seed: $(stored_minutes "$T/c-$seed.db") minutes," \
	    "$(sqlite3 "$T/c-$seed.db" "select count(*) from messages") messages stored"
	python3 "$TESTS/score-flags.py" "$truth" "$T/flags-$seed.jsonl" \
	    >"$T/score-$seed.txt" || fail "score-flags.py exited $?"
	sed -n '/^misconduct/,/^network trouble/p' "$T/score-$seed.txt"
	python3 - "$T/score-$seed.txt" >"$T/bar-$seed.txt" <<'PY' || fail "seed $seed below the bar"
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
bar = {"preknowledge": 0.75}
bad = ["%s recall %.2f" % (t, r["recall"]) for t, r in s["types"].items()
       if r["recall"] < bar.get(t, 0.95)]
if s["precision"] < 0.90:
    bad.append("precision %.2f" % s["precision"])
if s["network_trouble_flagged"] != 0:
    bad.append("%d network-trouble flags" % s["network_trouble_flagged"])
if bad:
    sys.exit("below the bar: " + ", ".join(bad))
print("seed %s: precision %.2f, lowest recall %.2f" % (sys.argv[1].split("-")[-1][:-4],
      s["precision"], min(r["recall"] for r in s["types"].values())))
PY
	MEASURED="${MEASURED:+$MEASURED; }$(cat "$T/bar-$seed.txt")"
done
echo "PASS: default rules on seeds ${SEEDS:-1 2 3}, 30 feed minutes each: recall >= 0.95 per misconduct type (pre-knowledge >= 0.75), precision >= 0.90, no flag for network trouble ($MEASURED)"
