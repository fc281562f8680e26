/*
 * headless.c - `invigil --headless`: the console's pipeline without a
 * screen.  Each flag raised is one JSON line on stdout, for scripts, tests
 * and benchmarks; the line is flushed at once so a reader sees it live.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "console/console.h"

void
headless_flag(struct app *app, const struct flag *f)
{
	json_t	*o;
	char	*line, ts[32];

	(void)app;
	proto_time_format(f->first_ms, ts);
	json_t	*ev;
	size_t	 i;

	ev = json_array();
	for (i = 0; i < f->nevidence; i++)
		json_array_append_new(ev, json_integer(f->evidence[i]));
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:s, s:I, s:s, s:o}",
	    "t", "flag",
	    "id", (json_int_t)f->id,
	    "feed", f->attempt->feed->id,
	    "attempt", f->attempt->id,
	    "rule", f->rule,
	    "severity", store_severity_name(f->severity),
	    "weight", f->weight,
	    "message", f->message,
	    "seq", (json_int_t)f->first_seq,
	    "ts", ts,
	    "evidence", ev);
	if (o == NULL) {
		fprintf(stderr, "invigil: cannot print flag %" PRId64 "\n",
		    f->id);
		return;
	}
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line == NULL)
		abort();
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	free(line);
}
