#!/bin/bash
# export.sh - `invigil review export --what messages --format jsonl` in
# constant memory, runnable alone.
#
#   bench/export.sh [MESSAGES...]      (default 1000000 10000000)
#
# For each size, bench/export-db writes a database of MESSAGES messages
# (raw SQL, see export-db.c); the export runs to /dev/null under
# /usr/bin/time -v (peak RSS, wall time), then bench/export-ceiling steps
# the same SELECT with nothing done per row: the ceiling, in the same run.
# Peak RSS must not grow with MESSAGES.  Prints a Markdown section on
# stdout; progress on stderr.  KEEP=1 keeps the databases.
set -u
NAME=export.sh TMPNAME=invigil-export
. "$(dirname "$0")/lib.sh"
SIZES=${*:-1000000 10000000}

rows=""
for n in $SIZES; do
	say "writing $n messages"
	start=$(date +%s)
	"$O/bench/export-db" "$T/export-$n.db" "$n" >/dev/null || fail "export-db failed"
	gen_s=$(( $(date +%s) - start ))
	size=$(du -m "$T/export-$n.db" | cut -f1)
	say "exporting $n messages ($size MB, written in $gen_s s)"
	/usr/bin/time -v -o "$T/time-$n" "$INVIGIL" review export \
	    --db "$T/export-$n.db" --what messages --format jsonl \
	    >/dev/null 2>"$T/err-$n" || { cat "$T/err-$n" >&2; fail "export failed"; }
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$T/time-$n")
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$T/time-$n")
	lines=$("$INVIGIL" review export --db "$T/export-$n.db" --what messages --format jsonl | wc -l)
	[ "$lines" = "$n" ] || fail "the export wrote $lines lines for $n messages"
	ceil=$("$O/bench/export-ceiling" "$T/export-$n.db") || fail "export-ceiling failed"
	say "ceiling: $ceil"
	crate=$(awk '{ print $6 }' <<<"$ceil")
	crss=$(awk '{ print $8 }' <<<"$ceil")
	rate=$(awk -v n="$n" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	ratio=$(awk -v a="$rate" -v b="$crate" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	rows="$rows| $n messages | $size MB | $wall s | $rate | $rss MiB | $crate | $crss MiB | $ratio |
"
	[ -n "${KEEP:-}" ] || rm -f "$T/export-$n.db" "$T/export-$n.db-wal" "$T/export-$n.db-shm"
done

cat <<EOM
### Export: messages as JSON lines, constant memory

\`invigil review export --what messages --format jsonl >/dev/null\` on a database of N event messages over 10,000 attempts (\`bench/export-db\`: raw SQL, bodies of about 200 bytes, one in 97 with an escape and U+202E), peak RSS and wall time by \`/usr/bin/time -v\`; the ceiling is the same SELECT stepped with every column read and nothing written (\`bench/export-ceiling\`), in the same run, hot OS cache.  Every line was counted (N lines).

| messages | database | export time | export rows/s | export peak RSS | ceiling rows/s | ceiling peak RSS | export / ceiling |
|---|---|---|---|---|---|---|---|
$rows
- target: peak RSS the same at every N (the export streams: one row in memory, plus SQLite's page cache, which grows to at most the reader's 64 MiB)

EOM
