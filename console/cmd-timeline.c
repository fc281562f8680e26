/*
 * cmd-timeline.c - `invigil review timeline ATTEMPT`: everything that
 * happened to one attempt, in time order (store/timeline.h says what and
 * in which order), written by the review commands' one writer
 * (console/out.h) as a table, CSV or JSON lines.
 *
 * The table shows what a reader scans (time, clock, kind, what, actor,
 * code, summary, origin); CSV and JSON lines carry every field of an
 * item, ids included, for a spreadsheet or a script, and "order": the
 * item's place on the feed's clock, which is the order of the rows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/app.h"
#include "console/commands.h"
#include "console/out.h"
#include "proto/proto.h"
#include "store/store.h"
#include "store/timeline.h"

/* The columns of a table, and of the files (every field). */
static const struct out_column timeline_table_cols[] = {
	{ "time", OUT_T_TIME, -24 },
	{ "clock", OUT_T_STR, -5 },
	{ "kind", OUT_T_STR, -13 },
	{ "what", OUT_T_STR, -18 },
	{ "actor", OUT_T_STR, -12 },
	{ "code", OUT_T_STR, -10 },
	{ "summary", OUT_T_STR, -48 },
	{ "origin", OUT_T_STR, -12 },
};
#define TIMELINE_TABLE_N \
	((int)(sizeof timeline_table_cols / sizeof timeline_table_cols[0]))

static const struct out_column timeline_file_cols[] = {
	{ "time", OUT_T_TIME, 0 },
	{ "order", OUT_T_TIME, 0 },
	{ "clock", OUT_T_STR, 0 },
	{ "kind", OUT_T_STR, 0 },
	{ "what", OUT_T_STR, 0 },
	{ "actor", OUT_T_STR, 0 },
	{ "role", OUT_T_STR, 0 },
	{ "code", OUT_T_STR, 0 },
	{ "reason", OUT_T_STR, 0 },
	{ "summary", OUT_T_STR, 0 },
	{ "origin", OUT_T_STR, 0 },
	{ "epoch", OUT_T_INT, 0 },
	{ "seq", OUT_T_INT, 0 },
	{ "to_seq", OUT_T_INT, 0 },
	{ "flag", OUT_T_INT, 0 },
	{ "journal_seq", OUT_T_INT, 0 },
	{ "command", OUT_T_STR, 0 },
};
#define TIMELINE_FILE_N \
	((int)(sizeof timeline_file_cols / sizeof timeline_file_cols[0]))

struct timeline_ctx {
	struct out	*out;
	enum out_format	 format;
};

/* An id cell: unknown when the item has none (0; to_seq: -1 open). */
static struct out_cell
timeline_id(int64_t v, int64_t none)
{
	return v == none ? OUT_NONE : OUT_INT(v);
}

/* One item, one row. */
static int
timeline_row(const struct store_tl_item *it, void *arg)
{
	struct timeline_ctx	*tc = arg;
	const char		*clock, *kind;
	const char		*origin;

	clock = it->clock == STORE_TL_FEED ? "feed" : "local";
	kind = store_tl_kind_name(it->kind);
	origin = it->origin != NULL ? out_origin(tc->out, it->origin) : NULL;
	if (tc->format == OUT_TABLE) {
		struct out_cell	c[TIMELINE_TABLE_N] = {
			OUT_TIME(it->time_ms), OUT_STR(clock), OUT_STR(kind),
			OUT_STR(it->what), OUT_STR(it->actor),
			OUT_STR(it->code), OUT_STR(it->summary),
			OUT_STR(origin)
		};
		out_row(tc->out, c);
	} else {
		struct out_cell	c[TIMELINE_FILE_N] = {
			OUT_TIME(it->time_ms), OUT_TIME(it->order_ms),
			OUT_STR(clock), OUT_STR(kind),
			OUT_STR(it->what), OUT_STR(it->actor),
			OUT_STR(it->role), OUT_STR(it->code),
			OUT_STR(it->reason), OUT_STR(it->summary),
			OUT_STR(origin), timeline_id(it->epoch, 0),
			timeline_id(it->seq, 0), timeline_id(it->to_seq, 0),
			timeline_id(it->flag_id, 0),
			timeline_id(it->journal_seq, 0),
			OUT_STR(it->command_id)
		};
		/* An open-ended gap: to_seq -1 is "unknown" in a file. */
		if (it->kind == STORE_TL_GAP && it->to_seq < 0)
			c[13] = OUT_NONE;
		out_row(tc->out, c);
	}
	return 0;
}

/* Read and write the timeline; the exit status. */
static int
timeline_run(const char *db, const char *feed, const char *attempt,
    enum out_format format, size_t limit)
{
	struct store_reader	*reader;
	struct store_tl_facts	 facts;
	struct timeline_ctx	 tc;
	char			 err[1024], werr[256], clean[4 * 1024];
	int			 found, rc = 0;

	if (store_reader_open(&reader, db, err, sizeof err) != 0)
		goto fail;
	found = store_tl_facts(reader, feed, attempt, &facts, err, sizeof err);
	if (found != 1) {
		store_reader_close(reader);
		goto fail;
	}
	tc.format = format;
	if (format == OUT_TABLE)
		tc.out = out_begin(stdout, format, timeline_table_cols,
		    TIMELINE_TABLE_N, NULL);
	else
		tc.out = out_begin(stdout, format, timeline_file_cols,
		    TIMELINE_FILE_N, NULL);
	if (store_timeline(reader, facts.feed, facts.attempt, limit,
	    timeline_row, &tc, err, sizeof err) == -1)
		rc = -1;
	store_tl_facts_free(&facts);
	store_reader_close(reader);
	/* A write error (a full disk, a closed pipe) is said unless a read
	 * error came first. */
	if (out_end(tc.out, werr, sizeof werr) == -1 && rc == 0) {
		snprintf(err, sizeof err, "%s", werr);
		rc = -1;
	}
	if (rc == 0)
		return 0;
fail:
	fprintf(stderr, "invigil review timeline: %s\n",
	    proto_clean(err, clean, sizeof clean));
	return EXIT_RUNTIME;
}

static int
review_timeline(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	enum out_format		 format = OUT_TABLE;
	const char		*db = NULL, *feed = NULL;
	unsigned long long	 limit = 0;
	char			*end;
	int			 ch;

	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'F':
			feed = optarg;
			break;
		case 'o':
			if (out_format_parse(optarg, &format) == -1)
				return cmd_usage_error(self, "--format is table, "
				    "csv or jsonl, not \"%s\"", optarg);
			break;
		case 'n':
			errno = 0;
			limit = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || limit == 0)
				return cmd_usage_error(self, "--limit is a "
				    "number of items, 1 or more, not \"%s\"",
				    optarg);
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (db == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote, or one review import merged)", NULL);
	if (optind == argc)
		return cmd_usage_error(self, "name the attempt: invigil review "
		    "timeline --db PATH ATTEMPT", NULL);
	if (optind + 1 != argc)
		return cmd_usage_error(self, "one attempt at a time, not also "
		    "\"%s\"", argv[optind + 1]);
	/* store_timeline's limit is a count: 0 gives nothing. */
	if (limit == 0 || limit > SIZE_MAX)
		limit = SIZE_MAX;
	return timeline_run(db, feed, argv[optind], format, (size_t)limit);
}

static const struct cmd_option timeline_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote, "
	    "or one review import merged" },
	{ "feed", 'F', 0, "ID", "the feed of the attempt, when its id is on "
	    "more than one feed" },
	{ "format", 'o', 0, "FORMAT", "table (the default: time, clock, "
	    "kind, what, actor, code, summary, origin), csv or jsonl (every "
	    "field, ids included)" },
	{ "limit", 'n', 0, "N", "at most N items (all by default)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_timeline_entry = {
	.name = "review timeline",
	.summary = "one attempt's messages, answers, flags, decisions, "
	    "commands and their acknowledgements, gaps and outages, in time "
	    "order, with the actor of each act",
	.usage = "review timeline --db PATH [--feed ID] "
	    "[--format table|csv|jsonl] [--limit N] ATTEMPT",
	.options = timeline_options,
	.opens = CMD_OPENS_STORE_READ,
	.exec = review_timeline,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};
