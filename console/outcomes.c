/*
 * outcomes.c - the console's table of attempts' outcomes (see outcomes.h):
 * marks found by a hash on (feed, attempt) and chained by a hash on the
 * candidate, each holding the fold of its acts.
 *
 * Both hashes have the same number of buckets and grow together, so a
 * mark is in exactly one chain of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/outcomes.h"
#include "proto/xmalloc.h"

static const char *const outcomes_markers[OUTCOME_NSTATES] = {
	[OUTCOME_VALID] = NULL,
	[OUTCOME_UNDER_REVIEW] = "REVIEW",
	[OUTCOME_PROPOSED] = "PROPOSED",
	[OUTCOME_INVALIDATED] = "INVALID",
	[OUTCOME_APPEAL_OPEN] = "APPEAL",
	[OUTCOME_REINSTATED] = NULL,
	[OUTCOME_UPHELD] = "UPHELD",
};

const char *
outcomes_marker(enum outcome_state s)
{
	if ((unsigned)s >= OUTCOME_NSTATES)
		return NULL;
	return outcomes_markers[s];
}

/* FNV-1a of the strings a and b (b may be NULL), a NUL between them. */
static uint64_t
outcomes_hash(const char *a, const char *b)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *a != '\0'; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	h *= 1099511628211ULL;
	for (; b != NULL && *b != '\0'; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h;
}

static size_t
outcomes_byid_bucket(const struct outcomes *t, const char *feed,
    const char *attempt)
{
	return outcomes_hash(feed, attempt) & (t->size - 1);
}

static size_t
outcomes_cand_bucket(const struct outcomes *t, const char *candidate)
{
	return outcomes_hash(candidate, NULL) & (t->size - 1);
}

void
outcomes_init(struct outcomes *t, size_t max)
{
	memset(t, 0, sizeof *t);
	t->max = max < OUTCOMES_MAX ? max : OUTCOMES_MAX;
}

void
outcomes_free(struct outcomes *t)
{
	struct outcome_mark	*m, *next;
	size_t			 i;

	for (i = 0; i < t->size; i++) {
		for (m = t->byid[i]; m != NULL; m = next) {
			next = m->hnext;
			free(m);
		}
	}
	free(t->byid);
	free(t->bycand);
	t->byid = t->bycand = NULL;
	t->size = t->n = 0;
}

/* Put m in its chain by candidate (one with a candidate only). */
static void
outcomes_link_cand(struct outcomes *t, struct outcome_mark *m)
{
	size_t	b;

	if (m->candidate[0] == '\0')
		return;
	b = outcomes_cand_bucket(t, m->candidate);
	m->cnext = t->bycand[b];
	t->bycand[b] = m;
}

/* Take m out of its chain by candidate. */
static void
outcomes_unlink_cand(struct outcomes *t, struct outcome_mark *m)
{
	struct outcome_mark	**pp;

	if (m->candidate[0] == '\0')
		return;
	pp = &t->bycand[outcomes_cand_bucket(t, m->candidate)];
	for (; *pp != NULL; pp = &(*pp)->cnext) {
		if (*pp == m) {
			*pp = m->cnext;
			break;
		}
	}
	m->cnext = NULL;
}

/* Twice the buckets (1024 at first), every mark hashed again. */
static void
outcomes_grow(struct outcomes *t)
{
	struct outcome_mark	**old = t->byid, *m, *next;
	size_t			  i, oldsize = t->size, b;

	t->size = oldsize != 0 ? oldsize * 2 : 1024;
	t->byid = xcalloc(t->size, sizeof *t->byid);
	free(t->bycand);
	t->bycand = xcalloc(t->size, sizeof *t->bycand);
	for (i = 0; i < oldsize; i++) {
		for (m = old[i]; m != NULL; m = next) {
			next = m->hnext;
			b = outcomes_byid_bucket(t, m->feed, m->attempt);
			m->hnext = t->byid[b];
			t->byid[b] = m;
			outcomes_link_cand(t, m);
		}
	}
	free(old);
}

const struct outcome_mark *
outcomes_find(const struct outcomes *t, const char *feed,
    const char *attempt)
{
	const struct outcome_mark	*m;

	if (t->size == 0 || attempt == NULL)
		return NULL;
	if (feed == NULL)
		feed = "";
	m = t->byid[outcomes_byid_bucket(t, feed, attempt)];
	for (; m != NULL; m = m->hnext) {
		if (strcmp(m->feed, feed) == 0 &&
		    strcmp(m->attempt, attempt) == 0)
			return m;
	}
	return NULL;
}

/* A new mark for (feed, attempt), or NULL when there is no room for it. */
static struct outcome_mark *
outcomes_add(struct outcomes *t, const char *feed, const char *attempt,
    int held)
{
	struct outcome_mark	*m;
	size_t			 b;

	if (t->n >= t->max || (!held && t->n >= t->max / 2))
		return NULL;
	if (t->n + 1 > t->size * 3 / 4)
		outcomes_grow(t);
	m = xcalloc(1, sizeof *m);
	snprintf(m->feed, sizeof m->feed, "%s", feed);
	snprintf(m->attempt, sizeof m->attempt, "%s", attempt);
	outcome_init(&m->fold);
	b = outcomes_byid_bucket(t, feed, attempt);
	m->hnext = t->byid[b];
	t->byid[b] = m;
	t->n++;
	return m;
}

int
outcomes_fold(struct outcomes *t, const char *feed, const char *attempt,
    const char *candidate, int64_t seq, const struct outcome_act_rec *act,
    int held)
{
	struct outcome_mark	*m;
	enum outcome_state	 before;
	char			 why[512];

	if (feed == NULL)
		feed = "";
	/* Longer than any id the console holds: no attempt it shows. */
	if (attempt == NULL || strlen(feed) > PROTO_ID_MAX ||
	    strlen(attempt) > PROTO_ID_MAX)
		return -1;
	m = (struct outcome_mark *)outcomes_find(t, feed, attempt);
	if (m == NULL && (m = outcomes_add(t, feed, attempt, held)) == NULL) {
		t->dropped++;
		return -1;
	}
	if (candidate != NULL && *candidate != '\0' &&
	    strlen(candidate) <= PROTO_ID_MAX &&
	    strcmp(candidate, m->candidate) != 0) {
		outcomes_unlink_cand(t, m);
		snprintf(m->candidate, sizeof m->candidate, "%s", candidate);
		outcomes_link_cand(t, m);
	}
	if (seq <= m->last_seq)
		return 0;
	m->last_seq = seq;
	before = m->fold.state;
	if (outcome_fold(&m->fold, act, why, sizeof why) == -1)
		return 0;
	return m->fold.state != before;
}

const struct outcome_mark *
outcomes_history(const struct outcomes *t, const char *candidate,
    const char *feed, const char *attempt, int64_t now_ms)
{
	const struct outcome_mark	*m, *best = NULL;

	if (t->size == 0 || candidate == NULL || *candidate == '\0')
		return NULL;
	if (feed == NULL)
		feed = "";
	m = t->bycand[outcomes_cand_bucket(t, candidate)];
	for (; m != NULL; m = m->cnext) {
		if (strcmp(m->candidate, candidate) != 0 ||
		    (strcmp(m->feed, feed) == 0 &&
		    strcmp(m->attempt, attempt) == 0))
			continue;
		if (outcomes_marker(outcome_at(&m->fold, now_ms)) == NULL)
			continue;
		if (best == NULL || m->fold.since_ms > best->fold.since_ms)
			best = m;
	}
	return best;
}
