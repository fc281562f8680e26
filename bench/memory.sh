#!/bin/bash
# memory.sh - peak RSS of `invigil --headless` after EVENTS events, and how
# it grows with the number of live attempts.
#
#   bench/memory.sh [EVENTS [ATTEMPTS...]]    (default 1000000 1000 2500 5000 10000)
#
# For each ATTEMPTS, bench/ingest.sh with CEILINGS=0: the scenario of
# bench/gen-events.py replayed over loopback WebSocket into the console
# with the default rules and a fresh database, and the console's VmHWM once
# every message is committed.  Prints a Markdown table on stdout, from the
# lines in RESULT (default: a new file) - bench/run passes the file its
# own ingest runs wrote, so that only the missing sizes are run here.
# Progress on stderr; exits non-zero only when something broke.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${1:-1000000}
[ $# -gt 0 ] && shift
SIZES=${*:-1000 2500 5000 10000}
OWN=""
if [ -z "${RESULT:-}" ]; then
	RESULT=$(mktemp "${TMPDIR:-/tmp}/invigil-memory.XXXXXX")
	OWN=$RESULT
fi
trap '[ -n "$OWN" ] && rm -f "$OWN"' EXIT
for at in $SIZES; do
	echo "memory.sh: $EVENTS events over $at attempts" >&2
	CEILINGS=0 RESULT=$RESULT "$ROOT/bench/ingest.sh" "$EVENTS" "$at" \
	    >/dev/null || exit 1
done

# "attempts A events E rss_mib R flags F eps X cpu_s C", one per run
echo "### Memory: peak RSS of the console"
echo
echo "\`invigil --headless\` (default rules, fresh database) after every message of the scenario is committed; VmHWM of the process."
echo
echo "| attempts | events | peak RSS MiB | MB | flags held | MiB per 1,000 more attempts |"
echo "|---:|---:|---:|---:|---:|---:|"
awk '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1)
       print v["attempts"], v["events"], v["rss_mib"], v["flags"] }' "$RESULT" |
    sort -n -k1,1 -k2,2 | awk '
	{ d = (n > 0 && $1 > pa) ? sprintf("%.1f", ($3 - pr) * 1000 / ($1 - pa)) : ""
	  printf "| %d | %d | %.1f | %.1f | %d | %s |\n", $1, $2, $3, $3 * 1.048576, $4, d
	  n++; pa = $1; pr = $3 }'
echo
echo "- target (not asserted): <= 150 MB at 10,000 attempts"
echo
