/*
 * out.h - the one writer of `invigil review`'s tables: `--format table`,
 * `csv` or `jsonl` from the same typed columns and cells.
 *
 * A table is declared as columns (name, type, width); rows are handed to
 * out_row() one by one and written at once, so that an export of millions
 * of rows runs in constant memory.  The three formats' rules (what each
 * does to a hostile string) are the OUTPUT FORMATS of invigil-review(1):
 *
 *   table  every string through proto_clean() (escapes, bidi controls and
 *          invalid bytes shown as \xHH / \u{HHHH}), cut to the column's
 *          width on a character boundary and marked with '~'; a header.
 *   csv    RFC 4180: a header record, CRLF record ends, a field holding
 *          , " CR or LF quoted, quotes doubled; a text cell that begins
 *          with = + - @ TAB or CR is prefixed with a single quote (OWASP's
 *          defence against spreadsheet formulas).  Strings otherwise raw.
 *   jsonl  one JSON object a line, keys the column names in order, strings
 *          exactly as stored (bytes that are not UTF-8 become U+FFFD: a
 *          JSON text is UTF-8), unknown values null.
 *
 * When the output is a terminal, csv and jsonl strings are also passed
 * through proto_clean(): raw bytes are for files and pipes, not screens.
 */
#ifndef INVIGIL_OUT_H
#define INVIGIL_OUT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

enum out_format { OUT_TABLE, OUT_CSV, OUT_JSONL };

enum out_type {
	OUT_T_STR,	/* text, raw */
	OUT_T_INT,	/* an integer (.i) */
	OUT_T_NUM,	/* a real (.d), 3 decimals in text */
	OUT_T_P,	/* a p-value (.d): 3 decimals, or 1.2e-05 below 0.001 */
	OUT_T_BOOL,	/* .i: yes/no in text, true/false in JSON */
	OUT_T_TIME	/* .i: ms since the epoch; RFC 3339 UTC in all */
};

struct out_column {
	const char	*name;
	enum out_type	 type;
	int		 width;		/* table: negative left-aligned */
};

/* One cell; its column says how to read it.  Unknown: known == 0. */
struct out_cell {
	int		 known;
	const char	*s;		/* OUT_T_STR, NUL-terminated */
	int64_t		 i;
	double		 d;
};

#define OUT_STR(x)	((struct out_cell){ (x) != NULL, (x), 0, 0 })
#define OUT_INT(x)	((struct out_cell){ 1, NULL, (int64_t)(x), 0 })
#define OUT_NUM(x)	((struct out_cell){ !isnan(x), NULL, 0, (x) })
#define OUT_NONE	((struct out_cell){ 0, NULL, 0, 0 })
/* A time in ms, unknown when 0 (no invigil row happens at the epoch). */
#define OUT_TIME(x)	((struct out_cell){ (x) != 0, NULL, (int64_t)(x), 0 })

/* Most columns a table may have. */
#define OUT_COLUMNS_MAX	32

struct out;

/*
 * Parse a --format value: 0 and *f set, or -1 (the caller's usage error
 * says "--format is table, csv or jsonl").
 */
int		 out_format_parse(const char *, enum out_format *f);
const char	*out_format_name(enum out_format);

/*
 * Begin a table of n columns (n <= OUT_COLUMNS_MAX; cols must outlive it)
 * on fp in format f; the header (table, csv) is written now.  kind, if not
 * NULL, is the first key of every JSON line ("kind":"pair"), for outputs
 * that mix tables in one stream.  Never fails (aborts on a bad n).
 */
struct out	*out_begin(FILE *fp, enum out_format f,
		    const struct out_column *cols, int n, const char *kind);
/* Write one row of n cells (the columns' n). */
void		 out_row(struct out *, const struct out_cell *cells);
/* Rows written so far. */
uint64_t	 out_rows(const struct out *);
/*
 * How a journal origin reads in o's format: "local" for NULL (this
 * database's own); in a table, the part after its last '/' (origins
 * share their leading "invigil.local/journal/", which a narrow column
 * would show and nothing else); in CSV and JSON lines, the origin.
 */
const char	*out_origin(const struct out *o, const char *origin);
/*
 * End the table and free o; flushes fp.  0, or -1 with a sentence in err
 * when fp saw a write error (a full disk, a closed pipe).
 */
int		 out_end(struct out *o, char *err, size_t errlen);

/* RFC 3339 UTC with milliseconds of ms ("2026-12-07T14:28:22.123Z") into
 * buf (at least 32 bytes); returns buf. */
const char	*out_time(int64_t ms, char *buf, size_t len);

#endif /* INVIGIL_OUT_H */
