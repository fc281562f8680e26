/*
 * cmd-read.c - `invigil review attempts`, `review flags`, `review
 * decisions` and `review export`: an analyst finds and reads what a
 * database holds, filtered, as a table, CSV or JSON lines.
 *
 * The filters are parsed here into a struct store_review_filter; the
 * readers of store/review.c stream the rows; each row becomes one row of
 * the writer of out.c.  Nothing is gathered: an export of millions of
 * messages runs in the memory of one row.  A filter that means nothing for
 * what is read is a usage error naming where it applies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/app.h"
#include "console/commands.h"
#include "console/out.h"
#include "proto/proto.h"
#include "store/review.h"
#include "store/store.h"

/* ---- the columns of each table */

static const struct out_column attempt_cols[] = {
	{ "attempt", OUT_T_STR, -12 }, { "candidate", OUT_T_STR, -10 },
	{ "name", OUT_T_STR, -18 }, { "exam", OUT_T_STR, -8 },
	{ "form", OUT_T_STR, -6 }, { "center", OUT_T_STR, -8 },
	{ "state", OUT_T_STR, -11 }, { "open_flags", OUT_T_INT, 10 },
	{ "flags", OUT_T_INT, 5 }, { "risk", OUT_T_NUM, 6 },
	{ "decisions", OUT_T_INT, 9 }, { "first_seen", OUT_T_TIME, -24 },
	{ "last_seen", OUT_T_TIME, -24 }, { "feed", OUT_T_STR, -10 }
};

static const struct out_column flag_cols[] = {
	{ "id", OUT_T_INT, 6 }, { "attempt", OUT_T_STR, -12 },
	{ "rule", OUT_T_STR, -20 }, { "severity", OUT_T_STR, -8 },
	{ "state", OUT_T_STR, -9 }, { "count", OUT_T_INT, 5 },
	{ "first", OUT_T_TIME, -24 }, { "last", OUT_T_TIME, -24 },
	{ "decided_by", OUT_T_STR, -12 }, { "source", OUT_T_STR, -10 },
	{ "feed", OUT_T_STR, -10 }, { "weight", OUT_T_NUM, 6 },
	{ "message", OUT_T_STR, -30 }
};

static const struct out_column decision_cols[] = {
	{ "time", OUT_T_TIME, -24 }, { "origin", OUT_T_STR, -10 },
	{ "actor", OUT_T_STR, -12 }, { "role", OUT_T_STR, -8 },
	{ "kind", OUT_T_STR, -9 }, { "attempt", OUT_T_STR, -12 },
	{ "reason_code", OUT_T_STR, -11 }, { "reason", OUT_T_STR, -30 },
	{ "feed", OUT_T_STR, -10 }, { "flag_id", OUT_T_INT, 7 },
	{ "seq", OUT_T_INT, 6 }
};

/* The journal export: decisions' columns and what a chain check needs. */
static const struct out_column journal_cols[] = {
	{ "time", OUT_T_TIME, -24 }, { "origin", OUT_T_STR, -10 },
	{ "actor", OUT_T_STR, -12 }, { "role", OUT_T_STR, -8 },
	{ "kind", OUT_T_STR, -9 }, { "attempt", OUT_T_STR, -12 },
	{ "reason_code", OUT_T_STR, -11 }, { "reason", OUT_T_STR, -30 },
	{ "feed", OUT_T_STR, -10 }, { "flag_id", OUT_T_INT, 7 },
	{ "seq", OUT_T_INT, 6 }, { "evidence", OUT_T_STR, -20 },
	{ "detail", OUT_T_STR, -20 }, { "hash", OUT_T_STR, -64 }
};

static const struct out_column message_cols[] = {
	{ "id", OUT_T_INT, 8 }, { "feed", OUT_T_STR, -10 },
	{ "epoch", OUT_T_INT, 6 }, { "seq", OUT_T_INT, 8 },
	{ "type", OUT_T_STR, -8 }, { "attempt", OUT_T_STR, -12 },
	{ "kind", OUT_T_STR, -12 }, { "ts", OUT_T_TIME, -24 },
	{ "recv", OUT_T_TIME, -24 }, { "body", OUT_T_STR, -40 }
};

static const struct out_column answer_cols[] = {
	{ "id", OUT_T_INT, 8 }, { "feed", OUT_T_STR, -10 },
	{ "attempt", OUT_T_STR, -12 }, { "seq", OUT_T_INT, 8 },
	{ "ts", OUT_T_TIME, -24 }, { "item", OUT_T_STR, -10 },
	{ "response", OUT_T_STR, -12 }, { "correct", OUT_T_BOOL, 7 },
	{ "elapsed_ms", OUT_T_INT, 10 }, { "changed", OUT_T_BOOL, 7 },
	{ "candidate", OUT_T_STR, -10 }, { "exam", OUT_T_STR, -8 },
	{ "form", OUT_T_STR, -6 }
};

#define NCOLS(a)	((int)(sizeof (a) / sizeof (a)[0]))

/* ---- rows into cells */

/* Each reader's row as one row of cells of its table, to the writer (arg). */
static int
attempt_row(const struct store_review_attempt *a, void *arg)
{
	struct out_cell	c[NCOLS(attempt_cols)];

	c[0] = OUT_STR(a->attempt);
	c[1] = OUT_STR(a->candidate);
	c[2] = OUT_STR(a->name);
	c[3] = OUT_STR(a->exam);
	c[4] = OUT_STR(a->form);
	c[5] = OUT_STR(a->center);
	c[6] = OUT_STR(a->state);
	c[7] = OUT_INT(a->open_flags);
	c[8] = OUT_INT(a->flags);
	c[9] = OUT_NUM(a->risk);
	c[10] = OUT_INT(a->decisions);
	c[11] = OUT_TIME(a->first_ms);
	c[12] = OUT_TIME(a->last_ms);
	c[13] = OUT_STR(a->feed);
	out_row(arg, c);
	return 0;
}

static int
flag_row(const struct store_review_flag *rf, void *arg)
{
	const struct store_flag	*f = &rf->flag;
	struct out_cell		 c[NCOLS(flag_cols)];

	c[0] = OUT_INT(f->id);
	c[1] = OUT_STR(f->attempt);
	c[2] = OUT_STR(f->rule);
	c[3] = OUT_STR(proto_severity_name(f->severity));
	c[4] = OUT_STR(store_flag_state_name(f->state));
	c[5] = OUT_INT(f->count);
	c[6] = OUT_TIME(f->first_ms);
	c[7] = OUT_TIME(f->last_ms);
	c[8] = OUT_STR(rf->decided_by);
	c[9] = OUT_STR(out_origin(arg, rf->source));
	c[10] = OUT_STR(f->feed);
	c[11] = OUT_NUM(f->weight);
	c[12] = OUT_STR(f->message);
	out_row(arg, c);
	return 0;
}

/* A journal row: the decisions' columns, and with the journal's, the rest. */
static int
journal_row(const struct store_review_journal *j, void *arg)
{
	const struct store_journal_entry	*e = &j->row.entry;
	struct out_cell				 c[NCOLS(journal_cols)];

	c[0] = OUT_TIME(j->row.time_ms);
	c[1] = OUT_STR(out_origin(arg, j->origin));
	c[2] = OUT_STR(e->actor);
	c[3] = OUT_STR(e->role);
	c[4] = OUT_STR(e->kind);
	c[5] = OUT_STR(e->attempt);
	c[6] = OUT_STR(e->reason_code);
	c[7] = OUT_STR(e->reason);
	c[8] = OUT_STR(e->feed);
	c[9] = e->flag_id != 0 ? OUT_INT(e->flag_id) : OUT_NONE;
	c[10] = OUT_INT(j->row.seq);
	c[11] = OUT_STR(e->evidence);
	c[12] = OUT_STR(e->detail);
	c[13] = OUT_STR(j->row.hash);
	out_row(arg, c);
	return 0;
}

static int
message_row(const struct store_message_row *m, void *arg)
{
	struct out_cell	c[NCOLS(message_cols)];

	c[0] = OUT_INT(m->id);
	c[1] = OUT_STR(m->feed);
	c[2] = OUT_INT(m->epoch);
	c[3] = OUT_INT(m->seq);
	c[4] = OUT_STR(m->type);
	c[5] = OUT_STR(m->attempt);
	c[6] = OUT_STR(m->kind);
	c[7] = OUT_TIME(m->ts_ms);
	c[8] = OUT_TIME(m->recv_ms);
	c[9] = OUT_STR(m->body);
	out_row(arg, c);
	return 0;
}

static int
answer_row(const struct store_review_answer *x, void *arg)
{
	struct out_cell	c[NCOLS(answer_cols)];

	c[0] = OUT_INT(x->id);
	c[1] = OUT_STR(x->feed);
	c[2] = OUT_STR(x->attempt);
	c[3] = OUT_INT(x->seq);
	c[4] = OUT_TIME(x->ts_ms);
	c[5] = OUT_STR(x->item);
	c[6] = OUT_STR(x->response);
	c[7] = x->correct >= 0 ? OUT_INT(x->correct) : OUT_NONE;
	c[8] = x->elapsed_ms >= 0 ? OUT_INT(x->elapsed_ms) : OUT_NONE;
	c[9] = x->changed >= 0 ? OUT_INT(x->changed) : OUT_NONE;
	c[10] = OUT_STR(x->candidate);
	c[11] = OUT_STR(x->exam);
	c[12] = OUT_STR(x->form);
	out_row(arg, c);
	return 0;
}

/* ---- what can be read */

static const struct read_what {
	const char		*name;	/* --what, and in sentences */
	enum store_review_what	 what;
	const struct out_column	*cols;
	int			 ncols;
} read_whats[] = {
	{ "attempts", STORE_REVIEW_ATTEMPTS, attempt_cols,
	    NCOLS(attempt_cols) },
	{ "flags", STORE_REVIEW_FLAGS, flag_cols, NCOLS(flag_cols) },
	{ "decisions", STORE_REVIEW_DECISIONS, decision_cols,
	    NCOLS(decision_cols) },
	{ "messages", STORE_REVIEW_MESSAGES, message_cols,
	    NCOLS(message_cols) },
	{ "answers", STORE_REVIEW_ANSWERS, answer_cols, NCOLS(answer_cols) },
	{ "journal", STORE_REVIEW_JOURNAL, journal_cols, NCOLS(journal_cols) },
};
#define READ_WHATS	NCOLS(read_whats)

/* The filters' option names, by bit (STORE_REVIEW_F_*, lowest first). */
static const char *const filter_names[] = { "--exam", "--form", "--center",
	"--feed", "--state", "--flagged", "--decided", "--rule", "--since",
	"--until", "--attempt" };

/*
 * Parse t, an RFC 3339 time in UTC ("2026-12-07T14:28:22Z", fraction and
 * "+00:00" allowed) or a date ("2026-12-07": its midnight, or with
 * end_of_day the next midnight), into *ms.  0, or -1.
 */
static int
read_time(const char *t, int end_of_day, int64_t *ms)
{
	struct tm	tm;
	char		tail[16];
	const char	*p;
	int		y, mo, d, h = 0, mi = 0, s = 0, n = 0, frac = 0, digits;
	time_t		secs;

	memset(&tm, 0, sizeof tm);
	if (sscanf(t, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = t + 10;
	if (*p == '\0') {
		if (end_of_day)
			d++;	/* timegm() normalises the day after */
	} else {
		if ((*p != 'T' && *p != 't') || sscanf(p + 1,
		    "%2d:%2d:%2d%n", &h, &mi, &s, &n) != 3 || n != 8)
			return -1;
		p += 9;
		if (*p == '.') {
			for (p++, digits = 0; *p >= '0' && *p <= '9'; p++)
				if (digits++ < 3)
					frac = frac * 10 + (*p - '0');
			if (digits == 0)
				return -1;
			for (; digits < 3; digits++)
				frac *= 10;
		}
		snprintf(tail, sizeof tail, "%s", p);
		if (strcmp(tail, "Z") != 0 && strcmp(tail, "z") != 0 &&
		    strcmp(tail, "+00:00") != 0 && strcmp(tail, "-00:00") != 0)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 32 || h > 23 || mi > 59 ||
	    s > 60 || y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	if ((secs = timegm(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)secs * 1000 + frac;
	return 0;
}

/* The usage error of a --since or --until that is not a time. */
#define READ_TIME_ERROR(opt, date) \
	opt " is a time in UTC (2026-12-07T09:30:00Z) or a date " \
	"(2026-12-07" date "), not \"%s\""

/* One command's parsed options. */
struct read_args {
	const char			*db;
	const struct read_what		*what;
	enum out_format			 format;
	int				 format_given;
	struct store_review_filter	 filter;
};

/*
 * Parse argv for e; what is the command's (NULL for export: --what says).
 * -1 when parsed, else the exit status (help printed, or a usage error).
 */
static int
read_parse(const struct cmd_entry *e, int argc, char **argv,
    struct read_args *a)
{
	struct cmd_getopt		 g;
	struct store_review_filter	*f = &a->filter;
	unsigned			 bad;
	size_t				 k;
	int				 ch, bit;

	cmd_getopt_start(&g, e, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			a->db = optarg;
			break;
		case 'e':
			f->exam = optarg;
			break;
		case 'f':
			f->form = optarg;
			break;
		case 'c':
		case 'C':
			f->center = optarg;
			break;
		case 'F':
			f->feed = optarg;
			break;
		case 's':
			f->state = optarg;
			break;
		case 'g':
			f->flagged = 1;
			break;
		case 'D':
			f->decided = 1;
			break;
		case 'r':
			f->rule = optarg;
			break;
		case 'a':
			f->attempt = optarg;
			break;
		case 'S':
		case 'U':
			if (read_time(optarg, ch == 'U', ch == 'S' ?
			    &f->since_ms : &f->until_ms) != 0)
				return cmd_usage_error(e, ch == 'S' ?
				    READ_TIME_ERROR("--since", "") :
				    READ_TIME_ERROR("--until",
				    ", up to its end"), optarg);
			if (ch == 'S')
				f->has_since = 1;
			else
				f->has_until = 1;
			break;
		case 'o':
			if (out_format_parse(optarg, &a->format) != 0)
				return cmd_usage_error(e, "--format is table, "
				    "csv or jsonl, not \"%s\"", optarg);
			a->format_given = 1;
			break;
		case 'w':
			for (k = 0; k < READ_WHATS; k++)
				if (strcmp(optarg, read_whats[k].name) == 0 &&
				    read_whats[k].what !=
				    STORE_REVIEW_DECISIONS)
					a->what = &read_whats[k];
			if (a->what == NULL)
				return cmd_usage_error(e, "--what is attempts, "
				    "messages, answers, flags or journal, not "
				    "\"%s\"", optarg);
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (optind != argc)
		return cmd_usage_error(e, "unexpected argument \"%s\"; the "
		    "filters are options (see the usage)", argv[optind]);
	if (a->db == NULL)
		return cmd_usage_error(e, "give --db PATH (the database a "
		    "console wrote)", NULL);
	if (a->what == NULL)
		return cmd_usage_error(e, "give --what attempts, messages, "
		    "answers, flags or journal", NULL);
	if (f->has_since && f->has_until && f->since_ms >= f->until_ms)
		return cmd_usage_error(e, "--since must come before --until",
		    NULL);
	bad = store_review_given(f) & ~store_review_applies(a->what->what);
	for (bit = 0; bad != 0; bit++, bad >>= 1)
		if (bad & 1) {
			char	msg[256];

			snprintf(msg, sizeof msg, "%s does not apply to %s "
			    "(it filters %s)", filter_names[bit],
			    a->what->name, (1u << bit) & (STORE_REVIEW_F_STATE |
			    STORE_REVIEW_F_DECIDED | STORE_REVIEW_F_RULE) ?
			    "attempts and flags" : "attempts");
			return cmd_usage_error(e, msg, NULL);
		}
	return -1;
}

/* Read what a names from its database into the writer. */
static int
read_run(const struct read_args *a)
{
	struct store_reader	*reader;
	struct out		*o;
	char			 err[1024], werr[256], clean[4 * 1024];
	int64_t			 n = 0;
	int			 rc = 0;

	if (store_reader_open(&reader, a->db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	o = out_begin(stdout, a->format, a->what->cols, a->what->ncols, NULL);
	switch (a->what->what) {
	case STORE_REVIEW_ATTEMPTS:
		n = store_review_attempts(reader, &a->filter, attempt_row, o,
		    err, sizeof err);
		break;
	case STORE_REVIEW_FLAGS:
		n = store_review_flags(reader, &a->filter, flag_row, o, err,
		    sizeof err);
		break;
	case STORE_REVIEW_DECISIONS:
	case STORE_REVIEW_JOURNAL:
		n = store_review_journal(reader, &a->filter, a->what->what ==
		    STORE_REVIEW_DECISIONS, journal_row, o, err, sizeof err);
		break;
	case STORE_REVIEW_MESSAGES:
		n = store_review_messages(reader, &a->filter, message_row, o,
		    err, sizeof err);
		break;
	case STORE_REVIEW_ANSWERS:
		n = store_review_answers(reader, &a->filter, answer_row, o,
		    err, sizeof err);
		break;
	case STORE_REVIEW_WHATS:
		abort();
	}
	if (n < 0)
		rc = EXIT_RUNTIME;
	/* A write error matters when the read went well. */
	if (out_end(o, werr, sizeof werr) != 0 && rc == 0) {
		snprintf(err, sizeof err, "%s", werr);
		rc = EXIT_RUNTIME;
	}
	if (rc != 0)
		fprintf(stderr, "invigil review: %s\n",
		    proto_clean(err, clean, sizeof clean));
	store_reader_close(reader);
	return rc;
}

/* attempts, flags, decisions: the command names what is read. */
static int
review_read(const struct cmd_entry *self, int argc, char **argv)
{
	struct read_args	a;
	size_t			k;
	int			rc;

	memset(&a, 0, sizeof a);
	a.format = OUT_TABLE;
	for (k = 0; k < READ_WHATS; k++)
		if (strcmp(self->name + strlen("review "),
		    read_whats[k].name) == 0)
			a.what = &read_whats[k];
	if ((rc = read_parse(self, argc, argv, &a)) != -1)
		return rc;
	return read_run(&a);
}

/* export: --what says what is read; --format must be csv or jsonl. */
static int
review_export(const struct cmd_entry *self, int argc, char **argv)
{
	struct read_args	a;
	int			rc;

	memset(&a, 0, sizeof a);
	if ((rc = read_parse(self, argc, argv, &a)) != -1)
		return rc;
	if (!a.format_given || a.format == OUT_TABLE)
		return cmd_usage_error(self, "give --format csv or jsonl (an "
		    "export is for programs; for a table, use review "
		    "attempts, flags or decisions)", NULL);
	return read_run(&a);
}

/* ---- the entries */

#define READ_FILTER_OPTIONS \
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" }, \
	{ "exam", 'e', 0, "X", "only attempts of exam X (and what is about " \
	    "them)" }, \
	{ "form", 'f', 0, "F", "only attempts of form F" }, \
	{ "center", 'c', 0, "C", "only attempts at centre C (--centre too)" }, \
	{ "centre", 'C', 0, "C", "the same as --center" }, \
	{ "feed", 'F', 0, "FEED", "only rows of feed FEED" }, \
	{ "attempt", 'a', 0, "ID", "only attempt ID (and what is about it)" }, \
	{ "since", 'S', 0, "TIME", "from TIME on (RFC 3339 UTC, or a date)" }, \
	{ "until", 'U', 0, "TIME", "before TIME (a date: up to its end)" }

#define READ_STATE(what) \
	{ "state", 's', 0, "STATE", what }
#define READ_DECIDED(what) \
	{ "decided", 'D', 0, NULL, what }
#define READ_RULE(what) \
	{ "rule", 'r', 0, "RULE", what }
#define READ_FLAGGED \
	{ "flagged", 'g', 0, NULL, "only attempts with a flag" }
#define READ_FORMAT \
	{ "format", 'o', 0, "FORMAT", "table (the default, sanitised), csv " \
	    "(RFC 4180, formulas neutralised) or jsonl (strings raw)" }

static const struct cmd_option attempts_options[] = {
	READ_FILTER_OPTIONS,
	READ_STATE("only attempts in STATE"),
	READ_FLAGGED,
	READ_DECIDED("only attempts with a decision"),
	READ_RULE("only attempts with a flag of RULE"),
	READ_FORMAT,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cmd_option flags_options[] = {
	READ_FILTER_OPTIONS,
	READ_STATE("only flags in STATE (open, dismissed, confirmed)"),
	READ_DECIDED("only flags dismissed or confirmed"),
	READ_RULE("only flags of RULE"),
	READ_FORMAT,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cmd_option decisions_options[] = {
	READ_FILTER_OPTIONS,
	READ_FORMAT,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cmd_option export_options[] = {
	READ_FILTER_OPTIONS,
	READ_STATE("attempts or flags in STATE"),
	READ_FLAGGED,
	READ_DECIDED("attempts with a decision; flags closed"),
	READ_RULE("flags of RULE; attempts with a flag of it"),
	{ "what", 'w', 0, "WHAT", "attempts, messages, answers, flags or "
	    "journal" },
	{ "format", 'o', 0, "FORMAT", "csv (RFC 4180, formulas neutralised) "
	    "or jsonl (strings raw)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_attempts_entry = {
	.name = "review attempts",
	.summary = "the attempts, filtered: candidate, exam, form, centre, "
	    "state, flags open and in all, risk, decisions, first and last "
	    "seen",
	.usage = "review attempts --db PATH [options] "
	    "[--format table|csv|jsonl]",
	.options = attempts_options,
	.opens = CMD_OPENS_STORE_READ,
	.flags = CMD_NO_OPERANDS,
	.exec = review_read,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};

const struct cmd_entry cmd_review_flags_entry = {
	.name = "review flags",
	.summary = "the flags, filtered: rule, severity, state, count, first "
	    "and last, who decided, from which console",
	.usage = "review flags --db PATH [options] "
	    "[--format table|csv|jsonl]",
	.options = flags_options,
	.badopt = " (flags are filtered by --exam, --form, --center, --feed, "
	    "--attempt, --since, --until, --state, --decided and --rule; "
	    "--flagged filters attempts)",
	.opens = CMD_OPENS_STORE_READ,
	.flags = CMD_NO_OPERANDS,
	.exec = review_read,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};

const struct cmd_entry cmd_review_decisions_entry = {
	.name = "review decisions",
	.summary = "the decisions of every journal in the database (its own "
	    "and imported ones), in time order: actor, role, kind, reason",
	.usage = "review decisions --db PATH [options] "
	    "[--format table|csv|jsonl]",
	.options = decisions_options,
	.badopt = " (decisions are filtered by --exam, --form, --center, "
	    "--feed, --attempt, --since and --until; --state, --flagged, "
	    "--decided and --rule filter attempts and flags)",
	.opens = CMD_OPENS_STORE_READ,
	.flags = CMD_NO_OPERANDS,
	.exec = review_read,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};

const struct cmd_entry cmd_review_export_entry = {
	.name = "review export",
	.summary = "stream attempts, messages, answers, flags or the journal "
	    "as CSV or JSON lines, in constant memory, for SIEMs and "
	    "spreadsheets",
	.usage = "review export --db PATH --what "
	    "attempts|messages|answers|flags|journal --format csv|jsonl "
	    "[options]",
	.options = export_options,
	.opens = CMD_OPENS_STORE_READ,
	.flags = CMD_NO_OPERANDS,
	.exec = review_export,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};
