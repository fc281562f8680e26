#!/bin/bash
# review.sh - review queries on a large database, runnable alone.
#
#   bench/review.sh [EVENTS [ATTEMPTS [JOURNAL [RUNS]]]]
#                                   (default 10000000 10000 10000 20)
#
# bench/review-db writes the database an exam of EVENTS events over
# ATTEMPTS attempts would leave (the console's schema, the events' flags
# by the default rules, JOURNAL decisions by 20 proctors; see
# review-db.c for what goes through the store and what is bulk-loaded),
# then bench/queries times the three review queries, median of RUNS.
# Prints a Markdown section on stdout; progress on stderr.  KEEP=1 keeps
# the database (a few GB at full size).
set -u
NAME=review.sh TMPNAME=invigil-review
. "$(dirname "$0")/lib.sh"
EVENTS=${1:-10000000}
ATTEMPTS=${2:-10000}
JOURNAL=${3:-10000}
RUNS=${4:-20}

say "generating $EVENTS events over $ATTEMPTS attempts, $JOURNAL decisions"
start=$(date +%s)
rows=$("$O/bench/review-db" "$T/review.db" "$EVENTS" "$ATTEMPTS" "$JOURNAL") ||
    fail "review-db failed"
gen_s=$(( $(date +%s) - start ))
size=$(du -m "$T/review.db" | cut -f1)
out=$("$O/bench/queries" "$T/review.db" "$RUNS") || fail "queries failed"
echo "$out" | sed 's/^/review.sh: /' >&2
cat <<EOM
### Review queries: $EVENTS events over $ATTEMPTS attempts

A database as the console leaves it (\`bench/review-db\`: $(awk '{ printf "%s events, %s attempts, %s flags, %s journal entries", $3, $5, $7, $9 }' <<<"$rows"); $size MB, written in $gen_s s), opened as \`invigil review\` opens one (\`store_reader_open\`); each query run $RUNS times through its typed reader (\`store/query.c\`, statements prepared once per reader), stepping through every row and reading every column (\`bench/queries\`), hot OS cache:

\`\`\`
$out
\`\`\`

- target (not asserted): each review query <= 20 ms

EOM
