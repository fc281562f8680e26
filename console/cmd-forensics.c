/*
 * cmd-forensics.c - `invigil review forensics`: an exam's answers read
 * from a database a console wrote (store/answers.c), analysed by the
 * forensics module (forensics_run) and printed one row per attempt,
 * ranked by the combined p-value; with --items the item table, with
 * --pairs the significant pairs and the clusters (printed by
 * forensics-out.c).  Here: the options, the compromised-item file, and
 * the store's strings turned into the module's keys.  Everything read
 * from the database or the file is sanitised before it is printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/app.h"
#include "console/commands.h"
#include "console/forensics-out.h"
#include "forensics/forensics.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/store.h"

/* ---- from the store's answers to the module's data */

/* qsort's comparison reads the strings from here (no qsort_r in C11). */
static char *const *group_strings;

static int
group_compare(const void *x, const void *y)
{
	const char	*a = group_strings[*(const int *)x];
	const char	*b = group_strings[*(const int *)y];
	int		 c;

	if (a == NULL || b == NULL)
		c = (a != NULL) - (b != NULL);
	else
		c = strcmp(a, b);
	return c != 0 ? c : *(const int *)x - *(const int *)y;
}

/*
 * Number the distinct strings of v[0..n) (NULL is one of them) in sorted
 * order: index[j] receives v[j]'s number, names[number] one of its
 * strings.  Returns how many.  A sort, not a search per row: a hostile
 * database may give every attempt a form of its own.
 */
static int
group(char *const *v, int n, int *index, const char **names)
{
	int	*order = xcalloc(n + 1, sizeof *order), j, count = 0;

	for (j = 0; j < n; j++)
		order[j] = j;
	group_strings = v;
	qsort(order, n, sizeof *order, group_compare);
	for (j = 0; j < n; j++) {
		const char *s = v[order[j]];

		if (j == 0 || (s == NULL) != (names[count - 1] == NULL) ||
		    (s != NULL && strcmp(s, names[count - 1]) != 0))
			names[count++] = s;
		index[order[j]] = count - 1;
	}
	free(order);
	return count;
}

static int64_t
text_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	h &= INT64_MAX;
	return h == 0 ? 1 : (int64_t)h;
}

static void
fx_data(struct review_fx *fx)
{
	const struct store_answers	*s = &fx->ans;
	struct in_addr			 in;
	int				 j, n = s->n_attempts;

	fx->form = xcalloc(n + 1, sizeof *fx->form);
	fx->center = xcalloc(n + 1, sizeof *fx->center);
	fx->date = xcalloc(n + 1, sizeof *fx->date);
	fx->ip24 = xcalloc(n + 1, sizeof *fx->ip24);
	fx->device = xcalloc(n + 1, sizeof *fx->device);
	fx->start = xcalloc(n + 1, sizeof *fx->start);
	fx->form_name = xcalloc(n + 1, sizeof *fx->form_name);
	fx->center_name = xcalloc(n + 1, sizeof *fx->center_name);
	group(s->form, n, fx->form, fx->form_name);
	group(s->center, n, fx->center, fx->center_name);
	for (j = 0; j < n; j++) {
		/* Centre key 0 is "unknown" for the roll-ups and clusters. */
		fx->center[j] = s->center[j] == NULL ? 0 : fx->center[j] + 1;
		fx->date[j] = s->start_ms[j] > 0 ?
		    (int)(s->start_ms[j] / 86400000) : -1;
		fx->start[j] = s->start_ms[j] > 0 ? s->start_ms[j] / 1000 : 0;
		if (s->ip[j] != NULL && inet_pton(AF_INET, s->ip[j], &in) == 1)
			fx->ip24[j] = ntohl(in.s_addr) >> 8;
		fx->device[j] = s->device[j] != NULL && *s->device[j] != '\0' ?
		    text_hash(s->device[j]) : 0;
	}
	memset(&fx->data, 0, sizeof fx->data);
	fx->data.n_attempts = n;
	fx->data.n_items = s->n_items;
	fx->data.option = s->option;
	fx->data.correct = s->correct;
	fx->data.time = s->time;
	fx->data.changed = s->changed;
	fx->data.wtr = s->wtr;
	fx->data.key = s->key;
	fx->data.form = fx->form;
	fx->data.center = fx->center;
	fx->data.date = fx->date;
	fx->data.ip24 = fx->ip24;
	fx->data.device = fx->device;
	fx->data.start = fx->start;
}

/*
 * The compromised-item file: one item id a line, '#' starts a comment
 * line, blank lines skipped, spaces around an id ignored.  An id that is
 * not among the answers' items is reported on stderr (sanitised).
 * Returns 0, or -1 when the file cannot be read.
 */
#define FX_COMPROMISED_MAX	(16 * 1024 * 1024)	/* bytes of the file */
#define FX_ID_MAX		1023	/* longer ids are reported, not matched */

static int
fx_compromised(struct review_fx *fx, const char *who, const char *path)
{
	char	 clean[4 * (FX_ID_MAX + 1)], err[1024], eclean[4 * 1024];
	char	*buf, *line, *next, *end, *s;
	size_t	 len;
	int	 k, lineno = 0, longline;

	/* proto_file_read: never blocks on a FIFO or a device (e2e-fifo). */
	if (proto_file_read(path, "compromised-item file", FX_COMPROMISED_MAX,
	    &buf, &len, NULL, err, sizeof err) == -1) {
		fprintf(stderr, "%s: cannot read %s\n", who,
		    proto_clean(err, eclean, sizeof eclean));
		return -1;
	}
	fx->compromised = xcalloc(fx->ans.n_items + 1, 1);
	for (line = buf; line < buf + len; line = next) {
		lineno++;
		if ((end = memchr(line, '\n', buf + len - line)) == NULL)
			end = buf + len;
		next = end + 1;
		*end = '\0';
		while (end > line && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		longline = end - s > FX_ID_MAX;
		if (longline)
			s[FX_ID_MAX] = '\0';
		for (k = 0; k < fx->ans.n_items && !longline; k++)
			if (strcmp(fx->ans.item[k], s) == 0)
				break;
		if (!longline && k < fx->ans.n_items) {
			fx->compromised[k] = 1;
			continue;
		}
		fx->n_unknown_ids++;
		fprintf(stderr, "%s: %s:%d: item \"%s\"%s is not among the "
		    "answers read; ignored\n", who, proto_clean(path,
		    eclean, sizeof eclean), lineno, proto_clean(s, clean,
		    sizeof clean), longline ? "... (too long)" : "");
	}
	free(buf);
	return 0;
}

void
review_fx_free(struct review_fx *fx)
{
	if (fx->rep.attempts != NULL)
		forensics_report_free(&fx->rep);
	store_answers_free(&fx->ans);
	free(fx->compromised);
	free(fx->form);
	free(fx->center);
	free(fx->date);
	free(fx->ip24);
	free(fx->device);
	free(fx->start);
	free(fx->form_name);
	free(fx->center_name);
}

int
review_fx_load(struct review_fx *fx, const char *who, const char *exam,
    const char *form, const char *compromised, double alpha)
{
	struct forensics_run_options	 o;
	struct store_reader		*reader;
	char				 err[1024], clean[4 * 1024];
	int				 rc;

	if (store_reader_open(&reader, fx->db, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", who, proto_clean(err, clean,
		    sizeof clean));
		return -1;
	}
	rc = store_answers_read(reader, exam, form, &fx->ans, err, sizeof err);
	store_reader_close(reader);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", who, proto_clean(err, clean,
		    sizeof clean));
		return -1;
	}
	if (fx->ans.n_attempts == 0 || fx->ans.n_items == 0)
		return 1;
	if (compromised != NULL && fx_compromised(fx, who, compromised) != 0)
		return -1;
	fx_data(fx);
	forensics_run_options_default(&o);
	o.alpha = alpha;
	o.compromised = fx->compromised;
	if (forensics_run(&fx->data, &o, &fx->rep, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", who, proto_clean(err, clean,
		    sizeof clean));
		return -1;
	}
	return 0;
}

/* Read, analyse, print; the exit status. */
static int
fx_run(struct review_fx *fx, const char *exam, const char *form,
    const char *compromised, double alpha, int items, int pairs)
{
	char	clean[4 * 1024];
	int	rc;

	rc = review_fx_load(fx, "invigil review forensics", exam, form,
	    compromised, alpha);
	if (rc == -1)
		return EXIT_RUNTIME;
	if (rc == 1) {
		fprintf(stderr, "invigil review forensics: %s has no answers%s%s"
		    "%s%s to analyse (answer messages are stored when a feed "
		    "sends them)\n", proto_clean(fx->db, clean, sizeof clean),
		    exam || form ? " for" : "", exam ? " that exam" : "",
		    exam && form ? " and" : "", form ? " that form" : "");
		return EXIT_RUNTIME;
	}
	if (fx->format == FX_TABLE)
		review_fx_header(fx, exam, form);
	review_fx_print(fx, items, pairs);
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

static int
review_forensics(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct review_fx		 fx;
	const char		*exam = NULL, *form = NULL, *compromised = NULL;
	char			*end;
	double			 alpha = 0.05;
	int			 ch, items = 0, pairs = 0, rc;

	memset(&fx, 0, sizeof fx);
	fx.format = FX_TABLE;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			fx.db = optarg;
			break;
		case 'e':
			exam = optarg;
			break;
		case 'f':
			form = optarg;
			break;
		case 'c':
			compromised = optarg;
			break;
		case 'a':
			errno = 0;
			alpha = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(alpha > 0 && alpha < 1))
				return cmd_usage_error(self, "--alpha must be a "
				    "number between 0 and 1 (exclusive), not "
				    "\"%s\"", optarg);
			break;
		case 'o':
			if (strcmp(optarg, "table") == 0)
				fx.format = FX_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				fx.format = FX_CSV;
			else if (strcmp(optarg, "jsonl") == 0)
				fx.format = FX_JSONL;
			else
				return cmd_usage_error(self, "--format is table, "
				    "csv or jsonl, not \"%s\"", optarg);
			break;
		case 'i':
			items = 1;
			break;
		case 'p':
			pairs = 1;
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (optind != argc)
		return cmd_usage_error(self, "unexpected argument \"%s\"; give "
		    "the database with --db", argv[optind]);
	if (fx.db == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote)", NULL);
	rc = fx_run(&fx, exam, form, compromised, alpha, items, pairs);
	review_fx_free(&fx);
	return rc;
}

static const struct cmd_option forensics_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" },
	{ "exam", 'e', 0, "X", "only the attempts of exam X" },
	{ "form", 'f', 0, "F", "only the attempts of form F" },
	{ "compromised", 'c', 0, "FILE", "items known to be compromised, one "
	    "id a line ('#' comments): preknowledge is scored against them "
	    "instead of an estimated list" },
	{ "alpha", 'a', 0, "A", "false discovery rate of the flagged "
	    "attempts and family-wise level of the pairs (0.05)" },
	{ "format", 'o', 0, "FORMAT", "table (the default, with a header), "
	    "csv or jsonl" },
	{ "items", 'i', 0, NULL, "print the item table instead: difficulty, "
	    "discrimination, time intensity, fit, estimated compromise" },
	{ "pairs", 'p', 0, NULL, "print the significant pairs and the "
	    "clusters instead" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_forensics_entry = {
	.name = "review forensics",
	.summary = "data forensics on the stored answers: person fit, "
	    "response times, preknowledge, answer changes, similarity and "
	    "clusters, one row per attempt ranked by a combined p-value",
	.usage = "review forensics --db PATH [--exam X] [--form F] "
	    "[--compromised FILE] [--alpha A] [--format table|csv|jsonl] "
	    "[--items] [--pairs]",
	.options = forensics_options,
	.opens = CMD_OPENS_STORE_READ,
	.flags = CMD_NO_OPERANDS,
	.exec = review_forensics,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};
