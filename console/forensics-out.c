/*
 * forensics-out.c - the tables of `invigil review forensics`: attempts
 * ranked by the combined p-value, items, pairs and clusters.  Every table
 * is one list of typed columns, written by the review commands' one
 * writer (console/out.h): an aligned table, sanitised and cut to the
 * column widths; RFC 4180 CSV with formulas neutralised; JSON lines with
 * the strings raw, as stored (NAN is null).
 */
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/forensics-out.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"

typedef void (*row_fn)(const struct review_fx *, int row,
    struct out_cell *cells);

#define STR(x)		OUT_STR(x)
#define INT(x)		OUT_INT(x)
#define NUM(x)		OUT_NUM(x)
#define PVAL(x)		OUT_NUM(x)	/* in a column of type OUT_T_P */
#define BOOL(x)		OUT_INT(x)	/* in a column of type OUT_T_BOOL */
#define NONE		OUT_NONE

#define S	OUT_T_STR
#define I	OUT_T_INT
#define N	OUT_T_NUM
#define P	OUT_T_P
#define B	OUT_T_BOOL

/* One table through the writer (console/out.h), rows in order's order. */
static void
emit_table(const struct review_fx *fx, const struct out_column *cols, int n,
    const int *order, int rows, row_fn fn, const char *kind)
{
	struct out_cell	 cells[OUT_COLUMNS_MAX];
	struct out	*o;
	char		 err[256];
	int		 r;

	o = out_begin(stdout, fx->format, cols, n, kind);
	for (r = 0; r < rows; r++) {
		fn(fx, order != NULL ? order[r] : r, cells);
		out_row(o, cells);
	}
	/* A write error stays on stdout: the command's last fflush sees it. */
	(void)out_end(o, err, sizeof err);
}

/* ---- the three tables */

static const struct out_column attempt_cols[] = {
	{ "rank", I, 4 }, { "attempt", S, -12 }, { "candidate", S, -10 },
	{ "feed", S, -10 }, { "form", S, -6 }, { "center", S, -8 },
	{ "items", I, 5 }, { "score", I, 5 }, { "theta", N, 6 },
	{ "tau", N, 6 }, { "lz", N, 6 }, { "rt_fit_p", P, 8 },
	{ "fast_share", N, 10 }, { "preknowledge_p", P, 14 },
	{ "similarity_p", P, 12 }, { "partner", S, -12 }, { "cluster", I, 7 },
	{ "edi_p", P, 7 }, { "wtr", I, 3 }, { "combined_p", P, 10 },
	{ "q", P, 7 }, { "flagged", B, 7 }, { "note", S, -10 }
};
#define ATTEMPT_COLS	(int)(sizeof attempt_cols / sizeof attempt_cols[0])

static int rank_of_row;	/* emit_table's rows are ranks */

static void
attempt_row(const struct review_fx *fx, int j, struct out_cell *c)
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
	c[16] = a->cluster >= 0 ? INT(a->cluster + 1) : NONE;
	c[17] = PVAL(a->edi_p);
	c[18] = a->wtr >= 0 ? INT(a->wtr) : NONE;
	c[19] = PVAL(a->combined_p);
	c[20] = PVAL(a->q);
	c[21] = BOOL(a->flagged);
	c[22] = STR(a->reason != NULL ? "not analysed" : NULL);
}

static const struct out_column item_cols[] = {
	{ "form", S, -6 }, { "item", S, -12 }, { "status", S, -11 },
	{ "n", I, 5 }, { "p_correct", N, 9 }, { "difficulty", N, 10 },
	{ "discrimination", N, 14 }, { "time_intensity", N, 14 },
	{ "time_precision", N, 14 }, { "outfit", N, 6 }, { "known", B, 5 },
	{ "compromised", B, 11 }, { "fast_correct", I, 12 },
	{ "expected", N, 8 }, { "z", N, 6 }, { "p", P, 7 }
};
#define ITEM_COLS	(int)(sizeof item_cols / sizeof item_cols[0])

static const char *const item_status[] = { "ok", "no_variance",
	"form_small" };

static void
item_row(const struct review_fx *fx, int r, struct out_cell *c)
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
	    INT(it->fast_correct) : NONE;
	c[13] = NUM(it->expected);
	c[14] = NUM(it->z);
	c[15] = PVAL(it->p);
}

static const struct out_column pair_cols[] = {
	{ "attempt", S, -12 }, { "partner", S, -12 }, { "form", S, -6 },
	{ "common", I, 6 }, { "same_wrong", I, 10 },
	{ "expected_wrong", N, 14 }, { "same_right", I, 10 },
	{ "expected_right", N, 14 }, { "p", P, 8 }, { "p_adjusted", P, 10 },
	{ "cluster", I, 7 }
};
#define PAIR_COLS	(int)(sizeof pair_cols / sizeof pair_cols[0])

static void
pair_row(const struct review_fx *fx, int r, struct out_cell *c)
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
	c[10] = cl >= 0 ? INT(cl + 1) : NONE;
}

static const struct out_column cluster_cols[] = {
	{ "cluster", I, 7 }, { "members", I, 7 }, { "pairs", I, 5 },
	{ "min_p_adjusted", P, 14 }, { "same_ip24", I, 9 },
	{ "same_device", I, 11 }, { "same_center", I, 11 },
	{ "started_together", I, 16 }, { "start_span_s", I, 12 },
	{ "attempts", S, -40 }
};
#define CLUSTER_COLS	(int)(sizeof cluster_cols / sizeof cluster_cols[0])

static char cluster_members[1024];

static void
cluster_row(const struct review_fx *fx, int r, struct out_cell *c)
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
	c[8] = cl->shared_start > 0 ? INT(cl->start_span) : NONE;
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
