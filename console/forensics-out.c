/*
 * forensics-out.c - the tables of `invigil review forensics`: attempts
 * ranked by the combined p-value, items, pairs and clusters.  Every table
 * is one list of typed columns, printed as an aligned table (cut to the
 * column widths), RFC 4180 CSV or JSON lines (jansson; NAN is null) from
 * the same cells.  Every string from the database passes proto_clean().
 */
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/forensics-out.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"

enum cell_type { CELL_STR, CELL_INT, CELL_NUM, CELL_P, CELL_BOOL };

struct cell {
	enum cell_type	 type;
	const char	*s;	/* CELL_STR: raw, NULL unknown */
	double		 d;	/* the others: NAN unknown */
};

struct column {
	const char	*name;
	int		 width;	/* table format; negative: left-aligned */
};

typedef void (*row_fn)(const struct review_fx *, int row, struct cell *cells);

#define STR(x)		((struct cell){ CELL_STR, (x), 0 })
#define INT(x)		((struct cell){ CELL_INT, NULL, (double)(x) })
#define NUM(x)		((struct cell){ CELL_NUM, NULL, (x) })
#define PVAL(x)		((struct cell){ CELL_P, NULL, (x) })
#define BOOL(x)		((struct cell){ CELL_BOOL, NULL, (double)(x) })

#define COLUMNS_MAX	24

/* ---- printing one table in three formats */

static const char *
cell_text(const struct cell *c, char *buf, size_t len, int table)
{
	const char *none = table ? "-" : "";

	if (c->type == CELL_STR)
		return c->s == NULL ? none : proto_clean(c->s, buf, len);
	if (isnan(c->d))
		return none;
	if (c->type == CELL_INT)
		snprintf(buf, len, "%.0f", c->d);
	else if (c->type == CELL_BOOL)
		snprintf(buf, len, "%s", c->d != 0 ? "yes" : "no");
	else if (c->type == CELL_P && c->d < 0.001)
		snprintf(buf, len, "%.1e", c->d);
	else
		snprintf(buf, len, "%.3f", c->d);
	return buf;
}

static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static json_t *
cell_json(const struct cell *c)
{
	char	buf[4 * STORE_ANSWERS_TEXT_MAX + 8];

	if (c->type == CELL_STR)
		return c->s == NULL ? json_null() :
		    json_string(proto_clean(c->s, buf, sizeof buf));
	if (isnan(c->d))
		return json_null();
	if (c->type == CELL_INT)
		return json_integer((json_int_t)c->d);
	if (c->type == CELL_BOOL)
		return json_boolean(c->d != 0);
	return json_real(c->d);
}

/* One row: a table row cut to the widths, a CSV record, or a JSON line. */
static void
emit_row(const struct review_fx *fx, const struct column *cols, int n,
    const struct cell *cells, const char *kind)
{
	char	buf[4 * STORE_ANSWERS_TEXT_MAX + 8], cutbuf[sizeof buf];
	json_t	*o;
	char	*line;
	int	 k;

	if (fx->format == FX_JSONL) {
		o = json_object();
		if (kind != NULL)
			json_object_set_new(o, "kind", json_string(kind));
		for (k = 0; k < n; k++)
			json_object_set_new(o, cols[k].name,
			    cell_json(&cells[k]));
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line != NULL)
			puts(line);
		free(line);
		json_decref(o);
		return;
	}
	for (k = 0; k < n; k++) {
		const char	*t = cell_text(&cells[k], buf, sizeof buf,
				    fx->format == FX_TABLE);
		int		 w = abs(cols[k].width);

		if (fx->format == FX_CSV) {
			if (k > 0)
				putchar(',');
			csv_field(t);
			continue;
		}
		if ((int)strlen(t) > w) {
			/* Cut on a character boundary, marked. */
			size_t cut = proto_utf8_boundary(t, w - 1);

			memcpy(cutbuf, t, cut);
			cutbuf[cut] = '~';
			cutbuf[cut + 1] = '\0';
			t = cutbuf;
		}
		printf(k > 0 ? " %*s" : "%*s", cols[k].width, t);
	}
	putchar('\n');
}

static void
emit_table(const struct review_fx *fx, const struct column *cols, int n,
    const int *order, int rows, row_fn fn, const char *kind)
{
	struct cell	cells[COLUMNS_MAX];
	int		r, k;

	if (fx->format == FX_TABLE)
		for (k = 0; k < n; k++)
			printf(k > 0 ? " %*s" : "%*s", cols[k].width,
			    cols[k].name);
	if (fx->format == FX_CSV)
		for (k = 0; k < n; k++)
			printf(k > 0 ? ",%s" : "%s", cols[k].name);
	if (fx->format != FX_JSONL)
		putchar('\n');
	for (r = 0; r < rows; r++) {
		fn(fx, order != NULL ? order[r] : r, cells);
		emit_row(fx, cols, n, cells, kind);
	}
}

/* ---- the three tables */

static const struct column attempt_cols[] = {
	{ "rank", 4 }, { "attempt", -12 }, { "candidate", -10 },
	{ "feed", -10 }, { "form", -6 }, { "center", -8 }, { "items", 5 },
	{ "score", 5 }, { "theta", 6 }, { "tau", 6 }, { "lz", 6 },
	{ "rt_fit_p", 8 }, { "fast_share", 10 }, { "preknowledge_p", 14 },
	{ "similarity_p", 12 }, { "partner", -12 }, { "cluster", 7 },
	{ "edi_p", 7 }, { "wtr", 3 }, { "combined_p", 10 }, { "q", 7 },
	{ "flagged", 7 }, { "note", -10 }
};
#define ATTEMPT_COLS	(int)(sizeof attempt_cols / sizeof attempt_cols[0])

static int rank_of_row;	/* emit_table's rows are ranks */

static void
attempt_row(const struct review_fx *fx, int j, struct cell *c)
{
	const struct forensics_run_attempt	*a = &fx->rep.attempts[j];
	const struct store_answers		*s = &fx->ans;

	c[0] = INT(++rank_of_row);
	c[1] = STR(s->attempt[j]);
	c[2] = STR(s->candidate[j]);
	c[3] = STR(s->feed[j]);
	c[4] = STR(s->form[j]);
	c[5] = STR(s->center[j]);
	c[6] = INT(a->n_items);
	c[7] = INT(a->score);
	c[8] = NUM(a->theta);
	c[9] = NUM(a->tau);
	c[10] = NUM(a->lz);
	c[11] = PVAL(a->rt_fit_p);
	c[12] = NUM(a->fast_share);
	c[13] = PVAL(a->preknowledge_p);
	c[14] = PVAL(a->similarity_p);
	c[15] = STR(a->partner >= 0 ? s->attempt[a->partner] : NULL);
	c[16] = a->cluster >= 0 ? INT(a->cluster + 1) : INT(NAN);
	c[17] = PVAL(a->edi_p);
	c[18] = a->wtr >= 0 ? INT(a->wtr) : INT(NAN);
	c[19] = PVAL(a->combined_p);
	c[20] = PVAL(a->q);
	c[21] = BOOL(a->flagged);
	c[22] = STR(a->reason != NULL ? "not analysed" : NULL);
}

static const struct column item_cols[] = {
	{ "form", -6 }, { "item", -12 }, { "status", -11 }, { "n", 5 },
	{ "p_correct", 9 }, { "difficulty", 10 }, { "discrimination", 14 },
	{ "time_intensity", 14 }, { "time_precision", 14 }, { "outfit", 6 },
	{ "known", 5 }, { "compromised", 11 }, { "fast_correct", 12 },
	{ "expected", 8 }, { "z", 6 }, { "p", 7 }
};
#define ITEM_COLS	(int)(sizeof item_cols / sizeof item_cols[0])

static const char *const item_status[] = { "ok", "no_variance",
	"form_small" };

static void
item_row(const struct review_fx *fx, int r, struct cell *c)
{
	const struct forensics_run_item	*it = &fx->rep.items[r];

	c[0] = STR(fx->form_name[it->form]);
	c[1] = STR(fx->ans.item[it->item]);
	c[2] = STR(item_status[it->status]);
	c[3] = INT(it->n);
	c[4] = NUM(it->p_correct);
	c[5] = NUM(it->b);
	c[6] = NUM(it->a);
	c[7] = NUM(it->beta);
	c[8] = NUM(it->alpha);
	c[9] = NUM(it->outfit);
	c[10] = BOOL(it->known);
	c[11] = BOOL(it->compromised);
	c[12] = it->status == FORENSICS_RUN_ITEM_OK && !isnan(it->z) ?
	    INT(it->fast_correct) : INT(NAN);
	c[13] = NUM(it->expected);
	c[14] = NUM(it->z);
	c[15] = PVAL(it->p);
}

static const struct column pair_cols[] = {
	{ "attempt", -12 }, { "partner", -12 }, { "form", -6 },
	{ "common", 6 }, { "same_wrong", 10 }, { "expected_wrong", 14 },
	{ "same_right", 10 }, { "expected_right", 14 }, { "p", 8 },
	{ "p_adjusted", 10 }, { "cluster", 7 }
};
#define PAIR_COLS	(int)(sizeof pair_cols / sizeof pair_cols[0])

static void
pair_row(const struct review_fx *fx, int r, struct cell *c)
{
	const struct forensics_pair	*p = &fx->rep.pairs[r];
	int				 cl = fx->rep.attempts[p->j].cluster;

	c[0] = STR(fx->ans.attempt[p->j]);
	c[1] = STR(fx->ans.attempt[p->k]);
	c[2] = STR(fx->ans.form[p->j]);
	c[3] = INT(p->n_common);
	c[4] = INT(p->identical_incorrect);
	c[5] = NUM(p->expected_incorrect);
	c[6] = INT(p->identical_correct);
	c[7] = NUM(p->expected_correct);
	c[8] = PVAL(p->p);
	c[9] = PVAL(p->p_adjusted);
	c[10] = cl >= 0 ? INT(cl + 1) : INT(NAN);
}

static const struct column cluster_cols[] = {
	{ "cluster", 7 }, { "members", 7 }, { "pairs", 5 },
	{ "min_p_adjusted", 14 }, { "same_ip24", 9 }, { "same_device", 11 },
	{ "same_center", 11 }, { "started_together", 16 },
	{ "start_span_s", 12 }, { "attempts", -40 }
};
#define CLUSTER_COLS	(int)(sizeof cluster_cols / sizeof cluster_cols[0])

static char cluster_members[1024];

static void
cluster_row(const struct review_fx *fx, int r, struct cell *c)
{
	const struct forensics_cluster	*cl = &fx->rep.clusters.clusters[r];
	size_t				 used = 0;
	int				 m;

	cluster_members[0] = '\0';
	for (m = 0; m < cl->n_members; m++) {
		const char *id = fx->ans.attempt[cl->members[m]];

		if (used + strlen(id) + 2 >= sizeof cluster_members - 4) {
			strcat(cluster_members, " ...");
			break;
		}
		if (m > 0)
			strcat(cluster_members, " ");
		strcat(cluster_members, id);
		used = strlen(cluster_members);
	}
	c[0] = INT(r + 1);
	c[1] = INT(cl->n_members);
	c[2] = INT(cl->n_pairs);
	c[3] = PVAL(cl->min_p_adjusted);
	c[4] = INT(cl->shared_ip24);
	c[5] = INT(cl->shared_device);
	c[6] = INT(cl->shared_center);
	c[7] = INT(cl->shared_start);
	c[8] = cl->shared_start > 0 ? INT(cl->start_span) : INT(NAN);
	c[9] = STR(cluster_members);
}

/* ---- output */

/* qsort's comparison reads the attempts from here (no qsort_r in C11). */
static const struct forensics_run_attempt *rank_attempts;

static int
rank_compare(const void *x, const void *y)
{
	const struct forensics_run_attempt *at = rank_attempts;
	int	a = *(const int *)x, b = *(const int *)y;
	double	pa = at[a].combined_p, pb = at[b].combined_p;

	if (isnan(pa) != isnan(pb))
		return isnan(pa) ? 1 : -1;
	if (!isnan(pa) && pa != pb)
		return pa < pb ? -1 : 1;
	return a - b;
}

void
review_fx_header(const struct review_fx *fx, const char *exam, const char *form)
{
	const struct forensics_report	*r = &fx->rep;
	const struct store_answers	*s = &fx->ans;
	char				 a[1024], b[1024], c[1024];
	const char			**why;
	int				 f, k, shown, *count;

	printf("forensics of %s%s%s%s%s: %d attempts (%d analysed) on %d "
	    "form%s, %d items\n", proto_clean(fx->db, a, sizeof a),
	    exam ? ", exam " : "", exam ? proto_clean(exam, b, sizeof b) : "",
	    form ? ", form " : "", form ? proto_clean(form, c, sizeof c) : "",
	    r->n_attempts, r->n_attempts_analysed, r->n_forms,
	    r->n_forms == 1 ? "" : "s", r->n_items);
	/* Per form: attempts, and why a form was not analysed (one pass:
	 * a hostile database may have a form per attempt). */
	count = xcalloc(r->n_forms + 1, sizeof *count);
	why = xcalloc(r->n_forms + 1, sizeof *why);
	for (k = 0; k < r->n_attempts; k++) {
		count[fx->form[k]]++;
		why[fx->form[k]] = r->attempts[k].reason;
	}
	for (f = 0, shown = 0; f < r->n_forms; f++) {
		if (why[f] == NULL)
			continue;
		if (shown++ == 10) {
			printf("  (more forms not analysed)\n");
			break;
		}
		printf("  form %s: %d attempts not analysed: %s\n",
		    fx->form_name[f] ? proto_clean(fx->form_name[f], a,
		    sizeof a) : "(none)", count[f], why[f]);
	}
	free(count);
	free(why);
	printf("  items left out (all right or all wrong): %d; estimated "
	    "compromised: %d%s\n", r->n_items_left_out, r->n_compromised,
	    fx->compromised != NULL ? " (a list was given: it is used)" : "");
	if (s->n_unreadable || s->n_beyond_options || s->n_cut)
		printf("  set aside: %lld answers without an item or a "
		    "true/false correct, %lld responses beyond an item's %d "
		    "most common (counted as no option), %lld texts cut\n",
		    (long long)s->n_unreadable, (long long)s->n_beyond_options,
		    STORE_ANSWERS_OPTIONS, (long long)s->n_cut);
	printf("  combined p: %s over lz*, RT fit, preknowledge, similarity "
	    "and EDI; q: Benjamini-Hochberg over the attempts; flagged: q <= "
	    "%g (%d)\n", r->combine == FORENSICS_COMBINE_CAUCHY ? "Cauchy "
	    "combination (Liu & Xie 2020)" : "Bonferroni", r->alpha,
	    r->n_flagged);
	printf("  An index is evidence for a human review, never proof; "
	    "small groups are noisy.\n\n");
}

/* The roll-ups (table format): share flagged and means per group, with N. */
static void
rollup_print(const struct review_fx *fx, const char *what,
    const struct forensics_rollup *g, int n, int dates)
{
	char		name[64], clean[4 * 64];
	struct tm	tm;
	time_t		t;
	int		k;

	printf("\nby %s (small groups are noisy: mind N):\n%-12s %6s %7s %6s "
	    "%10s %7s %10s\n", what, what, "N", "flagged", "share",
	    "mean_theta", "mean_lz", "mean_p");
	for (k = 0; k < n; k++) {
		if (dates && g[k].key >= 0) {
			t = (time_t)g[k].key * 86400;
			gmtime_r(&t, &tm);
			strftime(name, sizeof name, "%Y-%m-%d", &tm);
		} else if (!dates && g[k].key > 0)
			snprintf(name, sizeof name, "%.40s", proto_clean(
			    fx->center_name[g[k].key - 1], clean, sizeof clean));
		else
			snprintf(name, sizeof name, "(unknown)");
		printf("%-12s %6d %7d %6.3f %10.3f %7.3f %10.3g\n", name, g[k].n,
		    g[k].n_flagged, g[k].share_flagged, g[k].mean[0],
		    g[k].mean[1], g[k].mean[3]);
	}
}

void
review_fx_print(const struct review_fx *fx, int items, int pairs)
{
	int	*order, j, n = fx->rep.n_attempts;

	if (!items && !pairs) {
		order = xcalloc(n + 1, sizeof *order);
		for (j = 0; j < n; j++)
			order[j] = j;
		rank_attempts = fx->rep.attempts;
		qsort(order, n, sizeof *order, rank_compare);
		rank_of_row = 0;
		emit_table(fx, attempt_cols, ATTEMPT_COLS, order, n,
		    attempt_row, NULL);
		free(order);
		if (fx->format == FX_TABLE) {
			rollup_print(fx, "center", fx->rep.by_center,
			    fx->rep.n_center, 0);
			rollup_print(fx, "date", fx->rep.by_date,
			    fx->rep.n_date, 1);
		}
	}
	if (items)
		emit_table(fx, item_cols, ITEM_COLS, NULL, fx->rep.n_item_rows,
		    item_row, "item");
	if (items && pairs && fx->format == FX_TABLE)
		putchar('\n');
	if (pairs) {
		emit_table(fx, pair_cols, PAIR_COLS, NULL, (int)fx->rep.n_pairs,
		    pair_row, "pair");
		if (fx->format == FX_CSV)
			return;	/* one table per CSV: the pairs carry their
				   cluster */
		if (fx->format == FX_TABLE)
			printf("\n%zu clusters (connected significant pairs, "
			    "what their members share):\n",
			    fx->rep.clusters.n_clusters);
		emit_table(fx, cluster_cols, CLUSTER_COLS, NULL,
		    (int)fx->rep.clusters.n_clusters, cluster_row, "cluster");
	}
}
