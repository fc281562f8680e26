/*
 * export-ceiling.c - the ceiling of `invigil review export --what messages`:
 * the same SELECT (store_review_sql(), no filter) on a reader opened as
 * the command opens one, stepped with nothing done per row but reading
 * every column (as the export must).  What is left between this and the
 * export is the writer: formatting and escaping each row.
 *
 *	export-ceiling DB
 *
 * Prints "rows N seconds S rate R hwm_mib M" on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bench/bench.h"
#include "store/review.h"
#include "store/store.h"

/* This process's peak resident set (VmHWM), in MiB. */
static double
hwm_mib(void)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	double	 kib = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = atof(line + 6);
	fclose(f);
	return kib / 1024;
}

int
main(int argc, char **argv)
{
	struct store_review_filter	 none;
	struct store_reader		*r;
	sqlite3_stmt			*st;
	char				 sql[8192], err[1024];
	unsigned long long		 rows = 0, bytes = 0, sum = 0;
	double				 t0, t;
	int				 k, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: export-ceiling DB\n");
		return 2;
	}
	memset(&none, 0, sizeof none);
	if (store_reader_open(&r, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "export-ceiling: %s\n", err);
		return 1;
	}
	if (store_review_sql(STORE_REVIEW_MESSAGES, &none, sql,
	    sizeof sql) != 0 || sqlite3_prepare_v2(store_reader_db(r), sql, -1,
	    &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "export-ceiling: cannot prepare %s\n", sql);
		return 1;
	}
	t0 = bench_now_s();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		for (k = 0; k < sqlite3_column_count(st); k++) {
			if (sqlite3_column_type(st, k) == SQLITE_INTEGER)
				sum += (unsigned long long)
				    sqlite3_column_int64(st, k);
			else if (sqlite3_column_text(st, k) != NULL)
				bytes += (unsigned long long)
				    sqlite3_column_bytes(st, k);
		}
	}
	t = bench_now_s() - t0;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "export-ceiling: %s\n",
		    sqlite3_errmsg(store_reader_db(r)));
		return 1;
	}
	sqlite3_finalize(st);
	store_reader_close(r);
	printf("rows %llu seconds %.2f rate %.0f hwm_mib %.1f bytes %llu "
	    "check %llu\n", rows, t, t > 0 ? rows / t : 0, hwm_mib(), bytes,
	    sum % 1000);
	return 0;
}
