/*
 * run.c - the whole analysis of one exam as one pure function: arrays in
 * (struct forensics_data), a report out (struct forensics_report).  Used
 * by `invigil review forensics` and by the benchmarks.  Each form is
 * calibrated on its own attempts and items (irt.c, rt.c), its persons
 * scored (person.c, preknow.c, changes.c); then similarity per form with
 * one Bonferroni factor over the pairs of all forms (similar.c), clusters
 * over the exam (cluster.c), and the combination with error control
 * (combine.c).  No I/O.  Contract in forensics.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

static const char reason_small[] = "too few attempts on its form to "
    "calibrate the models";
static const char reason_calibration[] = "its form's items could not be "
    "calibrated (no item with variance)";

/* One form's slice of the data and its models. */
struct run_form {
	int			 form;
	int			*att, na;	/* global attempt indices */
	int			*item, ni;	/* global item indices */
	signed char		*u, *chg;
	double			*t, *log_t;
	int			 calibrated;
	struct forensics_irt	 irt;
	struct forensics_rt	 rt;
	int			 have_rt;
	struct forensics_person	*pp;		/* [na] */
};

void
forensics_run_options_default(struct forensics_run_options *o)
{
	memset(o, 0, sizeof *o);
	o->alpha = 0.05;
	o->compromised = NULL;
	o->min_attempts = 50;
	o->combine = FORENSICS_COMBINE_CAUCHY;
	o->start_window = 600;
}

static int
form_of(const struct forensics_data *d, int j)
{
	return d->form != NULL ? d->form[j] : 0;
}

static void
attempt_nan(struct forensics_run_attempt *a, int form)
{
	a->form = form;
	a->reason = NULL;
	a->n_items = a->score = 0;
	a->theta = a->theta_se = a->tau = a->lz = a->lz_p = NAN;
	a->rt_fit_p = a->fast_share = a->rte = NAN;
	a->pk_known_p = a->pk_est_p = a->preknowledge_p = NAN;
	a->similarity_p = a->edi = a->edi_p = a->combined_p = a->q = NAN;
	a->partner = a->cluster = -1;
	a->n_changed = 0;
	a->wtr = -1;
	a->flagged = 0;
}

/* The attempts of form f and the items they answered, as sub-matrices. */
static void
form_build(const struct forensics_data *d, int f, struct run_form *rf)
{
	unsigned char	*on = xcalloc(d->n_items > 0 ? d->n_items : 1, 1);
	int		 j, i, k, r;

	memset(rf, 0, sizeof *rf);
	rf->form = f;
	rf->att = xcalloc(d->n_attempts > 0 ? d->n_attempts : 1,
	    sizeof *rf->att);
	for (j = 0; j < d->n_attempts; j++) {
		if (form_of(d, j) != f)
			continue;
		rf->att[rf->na++] = j;
		for (i = 0; i < d->n_items; i++)
			if (d->correct[(size_t)j * d->n_items + i] >= 0)
				on[i] = 1;
	}
	rf->item = xcalloc(d->n_items > 0 ? d->n_items : 1, sizeof *rf->item);
	for (i = 0; i < d->n_items; i++)
		if (on[i])
			rf->item[rf->ni++] = i;
	free(on);
	rf->u = xcalloc((size_t)rf->na * rf->ni + 1, 1);
	rf->chg = xcalloc((size_t)rf->na * rf->ni + 1, 1);
	rf->t = xcalloc((size_t)rf->na * rf->ni + 1, sizeof *rf->t);
	rf->log_t = xcalloc((size_t)rf->na * rf->ni + 1, sizeof *rf->log_t);
	for (r = 0; r < rf->na; r++)
		for (k = 0; k < rf->ni; k++) {
			size_t	g = (size_t)rf->att[r] * d->n_items + rf->item[k];
			size_t	l = (size_t)r * rf->ni + k;
			double	t = d->time != NULL ? d->time[g] : NAN;

			rf->u[l] = d->correct[g] < 0 ? -1 : d->correct[g] > 0;
			rf->chg[l] = d->changed != NULL && d->changed[g] > 0;
			if (!(isfinite(t) && t > 0))
				t = NAN;
			rf->t[l] = t;
			rf->log_t[l] = isnan(t) ? NAN : log(t);
		}
}

static void
form_free(struct run_form *rf)
{
	free(rf->att);
	free(rf->item);
	free(rf->u);
	free(rf->chg);
	free(rf->t);
	free(rf->log_t);
	free(rf->pp);
	if (rf->calibrated)
		forensics_irt_free(&rf->irt);
	if (rf->have_rt)
		forensics_rt_free(&rf->rt);
}

/* Estimated-list preknowledge and the item evidence of one form. */
static void
form_preknow(struct run_form *rf, struct forensics_report *rep)
{
	struct forensics_preknow_input	 in;
	struct forensics_preknow_result	 pk;
	double				*theta, *tau;
	char				 err[256];
	int				 r, k, base = rep->n_item_rows - rf->ni;

	if (!rf->have_rt)
		return;
	theta = xcalloc(rf->na, sizeof *theta);
	tau = xcalloc(rf->na, sizeof *tau);
	for (r = 0; r < rf->na; r++) {
		theta[r] = rf->pp[r].theta;
		tau[r] = rf->pp[r].tau;
	}
	memset(&in, 0, sizeof in);
	in.n_attempts = rf->na;
	in.n_items = rf->ni;
	in.u = (const int8_t *)rf->u;
	in.log_t = rf->log_t;
	in.a = rf->irt.a;
	in.b = rf->irt.b;
	in.beta = rf->rt.beta;
	in.alpha = rf->rt.alpha;
	in.theta = theta;
	in.tau = tau;
	if (forensics_preknow(&in, &pk, err, sizeof err) == 0) {
		for (r = 0; r < rf->na; r++)
			rep->attempts[rf->att[r]].pk_est_p = pk.persons[r].p;
		for (k = 0; k < rf->ni; k++) {
			struct forensics_run_item	*it = &rep->items[base + k];
			struct forensics_preknow_item	*pi = &pk.items[k];

			if (it->status != FORENSICS_RUN_ITEM_OK)
				continue;
			it->compromised = pi->compromised;
			it->fast_correct = pi->fast_correct;
			it->expected = pi->expected;
			it->z = pi->z;
			it->p = pi->p;
		}
		rep->n_compromised += pk.n_compromised;
		forensics_preknow_free(&pk);
	}
	free(theta);
	free(tau);
}

/* The item rows of one form (before the models: what the data say). */
static void
form_items(const struct forensics_data *d, const struct forensics_run_options
    *opt, struct run_form *rf, struct forensics_report *rep)
{
	int	k, r;

	for (k = 0; k < rf->ni; k++) {
		struct forensics_run_item *it = &rep->items[rep->n_item_rows++];
		int	n = 0, c = 0, i = rf->item[k];

		memset(it, 0, sizeof *it);
		it->form = rf->form;
		it->item = i;
		for (r = 0; r < rf->na; r++) {
			signed char v = rf->u[(size_t)r * rf->ni + k];

			if (v >= 0) {
				n++;
				c += v;
			}
		}
		it->n = n;
		it->p_correct = n ? (double)c / n : NAN;
		it->status = !rf->calibrated ? FORENSICS_RUN_ITEM_FORM_SMALL :
		    rf->irt.status[k] != FORENSICS_ITEM_OK ?
		    FORENSICS_RUN_ITEM_NO_VARIANCE : FORENSICS_RUN_ITEM_OK;
		it->a = rf->calibrated ? rf->irt.a[k] : NAN;
		it->b = rf->calibrated ? rf->irt.b[k] : NAN;
		it->beta = rf->have_rt ? rf->rt.beta[k] : NAN;
		it->alpha = rf->have_rt ? rf->rt.alpha[k] : NAN;
		it->outfit = NAN;
		it->known = opt->compromised != NULL && opt->compromised[i];
		it->expected = it->z = it->p = NAN;
	}
	(void)d;
}

/* Outfit of each calibrated item at the persons' theta. */
static void
form_outfit(struct run_form *rf, struct forensics_report *rep)
{
	int	k, r, base = rep->n_item_rows - rf->ni;

	for (k = 0; k < rf->ni; k++) {
		double	sum = 0;
		int	n = 0;

		if (rf->irt.status[k] != FORENSICS_ITEM_OK)
			continue;
		for (r = 0; r < rf->na; r++) {
			signed char	v = rf->u[(size_t)r * rf->ni + k];
			double		p, th = rf->pp[r].theta;

			if (v < 0 || isnan(th))
				continue;
			p = 1 / (1 + exp(-(rf->irt.a[k] * th + rf->irt.d[k])));
			sum += (v - p) * (v - p) / (p * (1 - p));
			n++;
		}
		rep->items[base + k].outfit = n ? sum / n : NAN;
	}
}

/* Persons of a calibrated form: indices, EDI, changes. */
static void
form_persons(const struct forensics_data *d, const struct
    forensics_run_options *opt, struct run_form *rf,
    struct forensics_report *rep)
{
	struct forensics_person_options	 po;
	unsigned char			*list = NULL;
	int				 r, k;

	forensics_person_options_default(&po);
	if (opt->compromised != NULL) {
		list = xcalloc(rf->ni + 1, 1);
		for (k = 0; k < rf->ni; k++)
			list[k] = opt->compromised[rf->item[k]] != 0;
		po.compromised = list;
	}
	rf->pp = xcalloc(rf->na, sizeof *rf->pp);
	forensics_person_indices(&rf->irt, rf->have_rt ? &rf->rt : NULL,
	    rf->u, rf->t, rf->na, rf->ni, &po, rf->pp);
	free(list);
	for (r = 0; r < rf->na; r++) {
		struct forensics_run_attempt	*a = &rep->attempts[rf->att[r]];
		const struct forensics_person	*p = &rf->pp[r];
		const signed char		*row = rf->u + (size_t)r * rf->ni;
		const signed char		*chg = rf->chg + (size_t)r * rf->ni;
		struct forensics_edi		 e;

		a->n_items = p->n_answered;
		a->score = p->score;
		a->theta = p->theta;
		a->theta_se = p->theta_se;
		a->tau = p->tau;
		a->lz = p->lz;
		a->lz_p = p->lz_p;
		a->rt_fit_p = p->rt_fit_p;
		a->fast_share = p->fast_share;
		a->rte = p->rte;
		a->pk_known_p = p->pk_p;
		forensics_edi(&rf->irt, row, chg, &e);
		a->edi = e.edi;
		a->edi_p = e.p;
	}
	(void)d;
}

/* Changes and wrong-to-right counts straight from the data (any form). */
static void
attempt_changes(const struct forensics_data *d, int j,
    struct forensics_run_attempt *a)
{
	int	i, known = 1, w = 0, n = 0, c = 0;

	for (i = 0; i < d->n_items; i++) {
		size_t g = (size_t)j * d->n_items + i;

		if (d->correct[g] < 0)
			continue;
		n++;
		c += d->correct[g] > 0;
		if (d->changed == NULL || d->changed[g] <= 0)
			continue;
		a->n_changed++;
		if (d->wtr == NULL || d->wtr[g] < 0)
			known = 0;
		else
			w += d->wtr[g] > 0;
	}
	a->wtr = a->n_changed == 0 ? 0 : known ? w : -1;
	if (a->reason != NULL) {
		/* Counts are data, not models: shown even when not analysed. */
		a->n_items = n;
		a->score = c;
	}
}

/* Calibrate and score one form; items and attempts written to rep. */
static void
form_run(const struct forensics_data *d, const struct forensics_run_options
    *opt, struct run_form *rf, struct forensics_report *rep)
{
	struct forensics_rt_options	ro;
	const char			*reason = NULL;
	char				 err[256];
	int				 r;

	if (rf->na < opt->min_attempts || rf->ni < 2)
		reason = reason_small;
	else if (forensics_irt_calibrate(rf->u, rf->na, rf->ni, NULL,
	    &rf->irt, err, sizeof err) != 0)
		reason = reason_calibration;
	else {
		rf->calibrated = 1;
		rep->n_items_left_out += rf->irt.n_left_out;
		forensics_rt_options_default(&ro);
		if (forensics_rt_calibrate(rf->t, rf->na, rf->ni, &ro, &rf->rt,
		    NULL, NULL, err, sizeof err) == 0)
			rf->have_rt = 1;
	}
	form_items(d, opt, rf, rep);
	for (r = 0; r < rf->na; r++)
		rep->attempts[rf->att[r]].reason = reason;
	if (!rf->calibrated)
		return;
	rep->n_forms_calibrated++;
	rep->n_attempts_analysed += rf->na;
	form_persons(d, opt, rf, rep);
	form_outfit(rf, rep);
	form_preknow(rf, rep);
}

static int
n_options_of(const struct forensics_data *d)
{
	size_t	g, n = (size_t)d->n_attempts * d->n_items;
	int	m = 1, i;

	for (g = 0; g < n; g++)
		if (d->option[g] + 1 > m && d->option[g] < 8)
			m = d->option[g] + 1;
	for (i = 0; i < d->n_items; i++)
		if (d->key[i] + 1 > m && d->key[i] < 8)
			m = d->key[i] + 1;
	return m < 2 ? 2 : m;
}

static int
pair_compare(const void *x, const void *y)
{
	const struct forensics_pair *a = x, *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	if (a->j != b->j)
		return a->j - b->j;
	return a->k - b->k;
}

/* Similarity of one calibrated form; its pairs appended to rep in global
 * indices, with the exam's Bonferroni factor. */
static int
form_similar(const struct forensics_data *d, const struct
    forensics_run_options *opt, struct run_form *rf, int n_options,
    int64_t n_total, struct forensics_report *rep, char *err, size_t errlen)
{
	struct forensics_similar_input	 in;
	struct forensics_similar_result	 sr;
	int8_t				*o, *key;
	double				*theta;
	int64_t				 nf = (int64_t)rf->na * (rf->na - 1) / 2;
	size_t				 s;
	int				 r, k, rc;

	if (nf == 0)
		return 0;
	o = xcalloc((size_t)rf->na * rf->ni + 1, 1);
	key = xcalloc(rf->ni + 1, 1);
	theta = xcalloc(rf->na, sizeof *theta);
	for (k = 0; k < rf->ni; k++) {
		int8_t kv = d->key[rf->item[k]];

		key[k] = rf->irt.status[k] == FORENSICS_ITEM_OK &&
		    kv >= 0 && kv < n_options ? kv : -1;
	}
	for (r = 0; r < rf->na; r++) {
		theta[r] = isnan(rf->pp[r].theta) ? 0 : rf->pp[r].theta;
		for (k = 0; k < rf->ni; k++) {
			int8_t v = d->option[(size_t)rf->att[r] * d->n_items +
			    rf->item[k]];

			o[(size_t)r * rf->ni + k] = v >= 0 && v < n_options ?
			    v : -1;
		}
	}
	memset(&in, 0, sizeof in);
	in.n_attempts = rf->na;
	in.n_items = rf->ni;
	in.n_options = n_options;
	in.option = o;
	in.key = key;
	in.theta = theta;
	in.a = rf->irt.a;
	in.b = rf->irt.b;
	in.alpha = opt->alpha * (double)nf / (double)n_total;
	in.no_screen = opt->no_screen;
	rc = forensics_similar(&in, &sr, err, errlen);
	if (rc == 0) {
		for (r = 0; r < rf->na; r++) {
			struct forensics_run_attempt *a =
			    &rep->attempts[rf->att[r]];

			a->similarity_p = sr.best_p_adjusted[r];
			a->partner = sr.best_partner[r] >= 0 ?
			    rf->att[sr.best_partner[r]] : -1;
		}
		rep->pairs = xreallocarray(rep->pairs, rep->n_pairs +
		    sr.n_significant + 1, sizeof *rep->pairs);
		for (s = 0; s < sr.n_significant; s++) {
			struct forensics_pair *p = &rep->pairs[rep->n_pairs++];

			*p = sr.pairs[s];
			p->j = rf->att[sr.pairs[s].j];
			p->k = rf->att[sr.pairs[s].k];
			p->p_adjusted = fmin(1, p->p * (double)n_total);
		}
		forensics_similar_free(&sr);
	}
	free(o);
	free(key);
	free(theta);
	return rc;
}

static int
run_similar(const struct forensics_data *d, const struct
    forensics_run_options *opt, struct run_form *forms, int n_forms,
    struct forensics_report *rep, char *err, size_t errlen)
{
	int64_t	n_total = 0;
	int	f, n_options;

	if (d->option == NULL || d->key == NULL)
		return 0;
	for (f = 0; f < n_forms; f++)
		if (forms[f].calibrated)
			n_total += (int64_t)forms[f].na * (forms[f].na - 1) / 2;
	rep->n_pairs_compared = n_total;
	if (n_total == 0)
		return 0;
	n_options = n_options_of(d);
	for (f = 0; f < n_forms; f++)
		if (forms[f].calibrated && form_similar(d, opt, &forms[f],
		    n_options, n_total, rep, err, errlen) != 0)
			return -1;
	if (rep->n_pairs > 1)
		qsort(rep->pairs, rep->n_pairs, sizeof *rep->pairs,
		    pair_compare);
	return 0;
}

/* Clusters, the combination, BH, flags, roll-ups. */
static int
run_finish(const struct forensics_data *d, const struct
    forensics_run_options *opt, struct forensics_report *rep, char *err,
    size_t errlen)
{
	struct forensics_cluster_keys	 keys;
	struct forensics_person		*pp;
	int64_t				*center64;
	double				*extra, *p, *q, *values;
	unsigned char			*flag;
	int				*ckey, *dkey, j, n = d->n_attempts, rc;

	center64 = xcalloc(n + 1, sizeof *center64);
	for (j = 0; j < n; j++)
		center64[j] = d->center != NULL ? d->center[j] : 0;
	memset(&keys, 0, sizeof keys);
	keys.ip24 = d->ip24;
	keys.device = d->device;
	keys.center = center64;
	keys.start = d->start;
	keys.window = opt->start_window;
	rc = forensics_clusters(n, rep->pairs, rep->n_pairs, &keys,
	    &rep->clusters, err, errlen);
	free(center64);
	if (rc != 0)
		return -1;

	pp = xcalloc(n + 1, sizeof *pp);
	extra = xcalloc(3 * (size_t)n + 1, sizeof *extra);
	p = xcalloc(n + 1, sizeof *p);
	q = xcalloc(n + 1, sizeof *q);
	for (j = 0; j < n; j++) {
		struct forensics_run_attempt *a = &rep->attempts[j];

		a->cluster = rep->clusters.cluster_of[j];
		a->preknowledge_p = opt->compromised != NULL ? a->pk_known_p :
		    a->pk_est_p;
		pp[j].lz_p = a->lz_p;
		pp[j].rt_fit_p = a->rt_fit_p;
		pp[j].pk_p = opt->compromised != NULL ? a->pk_known_p : NAN;
		extra[3 * (size_t)j] = opt->compromised != NULL ? NAN :
		    a->pk_est_p;
		extra[3 * (size_t)j + 1] = a->similarity_p;
		extra[3 * (size_t)j + 2] = a->edi_p;
		if (a->reason != NULL)
			pp[j].lz_p = pp[j].rt_fit_p = pp[j].pk_p =
			    extra[3 * (size_t)j] = extra[3 * (size_t)j + 1] =
			    extra[3 * (size_t)j + 2] = NAN;
	}
	forensics_combine_persons(pp, n, extra, 3, opt->combine);
	for (j = 0; j < n; j++)
		p[j] = rep->attempts[j].combined_p = pp[j].combined_p;
	forensics_bh(p, n, q);
	flag = xcalloc(n + 1, 1);
	values = xcalloc((size_t)n * FORENSICS_RUN_ROLLUP_VALUES + 1,
	    sizeof *values);
	ckey = xcalloc(n + 1, sizeof *ckey);
	dkey = xcalloc(n + 1, sizeof *dkey);
	for (j = 0; j < n; j++) {
		struct forensics_run_attempt *a = &rep->attempts[j];
		double *v = values + (size_t)j * FORENSICS_RUN_ROLLUP_VALUES;

		a->q = q[j];
		a->flagged = flag[j] = !isnan(q[j]) && q[j] <= opt->alpha;
		rep->n_flagged += a->flagged;
		v[0] = a->theta;
		v[1] = a->lz;
		v[2] = a->fast_share;
		v[3] = a->combined_p;
		ckey[j] = d->center != NULL ? d->center[j] : 0;
		dkey[j] = d->date != NULL ? d->date[j] : -1;
	}
	if (n > 0) {
		rep->n_center = forensics_rollup(ckey, n, flag, values,
		    FORENSICS_RUN_ROLLUP_VALUES, &rep->by_center);
		rep->n_date = forensics_rollup(dkey, n, flag, values,
		    FORENSICS_RUN_ROLLUP_VALUES, &rep->by_date);
	}
	free(pp);
	free(extra);
	free(p);
	free(q);
	free(flag);
	free(values);
	free(ckey);
	free(dkey);
	return 0;
}

static int
run_check(const struct forensics_data *d, char *err, size_t errlen)
{
	int j;

	if (d->n_attempts < 0 || d->n_items < 0 || d->correct == NULL ||
	    (d->n_attempts > 0 && d->n_items > 0 &&
	    (size_t)d->n_attempts > SIZE_MAX / 16 / (size_t)d->n_items)) {
		snprintf(err, errlen, "forensics: no data or a matrix too "
		    "large (%d attempts x %d items)", d->n_attempts,
		    d->n_items);
		return -1;
	}
	if (d->form != NULL)
		for (j = 0; j < d->n_attempts; j++)
			if (d->form[j] < 0 || d->form[j] >= d->n_attempts) {
				snprintf(err, errlen, "forensics: attempt %d "
				    "has form %d, outside 0..%d", j,
				    d->form[j], d->n_attempts - 1);
				return -1;
			}
	return 0;
}

int
forensics_run(const struct forensics_data *d,
    const struct forensics_run_options *opt_in, struct forensics_report *rep,
    char *err, size_t errlen)
{
	struct forensics_run_options	 def;
	const struct forensics_run_options *opt = opt_in;
	struct run_form			*forms;
	size_t				 rows = 0;
	int				 f, j, rc;

	memset(rep, 0, sizeof *rep);
	if (opt == NULL) {
		forensics_run_options_default(&def);
		opt = &def;
	}
	if (run_check(d, err, errlen) != 0)
		return -1;
	rep->n_attempts = d->n_attempts;
	rep->n_items = d->n_items;
	rep->alpha = opt->alpha;
	rep->combine = opt->combine;
	for (j = 0; j < d->n_attempts; j++)
		if (form_of(d, j) + 1 > rep->n_forms)
			rep->n_forms = form_of(d, j) + 1;
	rep->attempts = xcalloc(d->n_attempts + 1, sizeof *rep->attempts);
	for (j = 0; j < d->n_attempts; j++)
		attempt_nan(&rep->attempts[j], form_of(d, j));
	forms = xcalloc(rep->n_forms + 1, sizeof *forms);
	for (f = 0; f < rep->n_forms; f++) {
		form_build(d, f, &forms[f]);
		rows += forms[f].ni;
	}
	rep->items = xcalloc(rows + 1, sizeof *rep->items);
	for (f = 0; f < rep->n_forms; f++)
		form_run(d, opt, &forms[f], rep);
	for (j = 0; j < d->n_attempts; j++)
		attempt_changes(d, j, &rep->attempts[j]);
	rc = run_similar(d, opt, forms, rep->n_forms, rep, err, errlen);
	for (f = 0; f < rep->n_forms; f++)
		form_free(&forms[f]);
	free(forms);
	if (rc == 0)
		rc = run_finish(d, opt, rep, err, errlen);
	if (rc != 0)
		forensics_report_free(rep);
	return rc;
}

void
forensics_report_free(struct forensics_report *rep)
{
	free(rep->attempts);
	free(rep->items);
	free(rep->pairs);
	forensics_clusters_free(&rep->clusters);
	forensics_rollup_free(rep->by_center, rep->n_center);
	forensics_rollup_free(rep->by_date, rep->n_date);
	memset(rep, 0, sizeof *rep);
}
