/*
 * engine.c - running a rule set over the stream: per-attempt state (a hash
 * table keyed by feed and attempt), count windows, runs, holds, links and
 * outages, and the hits they produce.
 *
 * Cost per message: one hash lookup for the attempt, then only the rules
 * indexed under the message's type (and event kind), plus the duration
 * rules that end on that kind.  Links cost two hash lookups.  Per-attempt
 * state is allocated on first use: an attempt that matches nothing costs
 * its facts and nothing else.
 *
 * Semantics (invigil-rules(5), FIRING and OUTAGES):
 *  - count N within W: fires when N matching messages span at most W
 *    (last ts - first ts <= W); those N are then spent, so the next hit
 *    needs N fresh matches.  N = 1 fires on every match.
 *  - run N: N consecutive matches among the messages the rule is on; a
 *    message that does not match breaks the run; after a hit a new run
 *    starts from zero.
 *  - duration T until K: a matching event opens a hold (a second start
 *    while open is ignored); it fires once when it has lasted T, seen at
 *    the end event, at the attempt's end (submitted or terminated) or by
 *    rules_engine_tick, whichever comes first.
 *  - link V count N: the attempts in which V took one value; when the Nth
 *    distinct attempt joins, every member fires; each later one fires as it
 *    joins.  Membership is for good (an attempt whose IP moves on stays in
 *    the group it was seen in).
 *  - outage: from network_lost to network_restored of an attempt (both
 *    included), or to its end, and for late messages stamped inside that
 *    span, rules without `during outage` do not see the attempt's
 *    messages, and holds open when the outage begins are dropped.
 *  - clocks: one per feed, the latest ts taken from it.  A hold completes
 *    by its own feed's clock only, so a feed stamping the year 9999 (or
 *    running minutes ahead) cannot end another feed's candidates' holds.
 *  - end: submitted and terminated are final.  After either, the
 *    attempt's messages run no rules but those `on state`, which see
 *    every change of state so that an impossible one can be flagged.
 *  - bounds (struct rules_limits): attempts per feed and overall (a
 *    message about a new attempt over the limit is refused, RULES_FULL),
 *    distinct link values overall and per attempt and rule (a value over
 *    the limit joins no group and is counted in stats.unlinked).  Every
 *    other per-attempt table is bounded by the rule set: one slot per
 *    stateful rule, a count window that grows with matches to at most
 *    N <= 1000 entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules-int.h"

struct count_state {
	int64_t		*ts;
	int64_t		*seq;
	size_t		 head, n;	/* ring of the last N matches */
	size_t		 alloc;		/* grows to N as matches come */
};

struct run_state {
	int64_t		 len;
	int64_t		 ev[RULES_EVIDENCE_MAX];
	size_t		 nev;		/* ring: last RULES_EVIDENCE_MAX seqs */
};

struct hold {
	struct rules_att	*att;
	const struct rule	*r;
	int64_t			 start_ts, start_seq;
	int			 open, fired, listed;
	struct hold		*prev, *next;	/* open, not yet fired */
};

struct member {
	struct rules_att	*att;
	int64_t			 seq;
};

struct group {
	struct member	*m;
	size_t		 n, cap;
};

/* Per-attempt state of a link rule. */
struct link_state {
	size_t		 joined;	/* groups this attempt joined */
};

/* Per feed: its clock and how many attempts it has. */
struct rules_feed {
	int64_t		 clock;		/* latest ts taken, INT64_MIN none */
	size_t		 attempts;
};

struct rules_engine {
	const struct rules	*rules;
	struct rules_hash	 attempts;
	struct rules_hash	 feeds;
	struct rules_hash	 groups;
	struct rules_hash	 members;
	struct rule_list	 durations;
	struct hold		*holds;		/* waiting for their length */
	uint64_t		 evaluations;
	size_t			 outages;	/* attempts in an outage now */
	struct rules_limits	 limits;
	struct rules_stats	 stats;		/* counters; sizes filled on demand */
};

struct rules_engine *
rules_engine_new(const struct rules *rs)
{
	struct rules_engine	*e = xcalloc(1, sizeof *e);
	size_t			 i;

	e->rules = rs;
	e->limits.attempts_per_feed = RULES_ATTEMPTS_PER_FEED;
	e->limits.attempts = RULES_ATTEMPTS_ALL;
	e->limits.link_values = RULES_LINK_VALUES;
	e->limits.links_per_attempt = RULES_LINKS_PER_ATTEMPT;
	for (i = 0; i < rs->n; i++)
		if (rs->rule[i].mode == RULES_MODE_DURATION)
			rules_list_add(&e->durations, &rs->rule[i]);
	return e;
}

static void
att_free(const struct rules *rs, struct rules_att *a)
{
	const struct rule	*r;
	struct count_state	*cs;
	size_t			 i;

	if (a->slot != NULL) {
		for (i = 0; i < rs->n; i++) {
			r = &rs->rule[i];
			if (r->slot < 0 || a->slot[r->slot] == NULL)
				continue;
			if (r->mode == RULES_MODE_COUNT) {
				cs = a->slot[r->slot];
				free(cs->ts);
				free(cs->seq);
			}
			free(a->slot[r->slot]);
		}
		free(a->slot);
	}
	free(a->candidate);
	free(a->name);
	free(a->exam);
	free(a->form);
	free(a->center);
	free(a->ip);
	free(a->device);
	free(a);
}

static void
group_free(void *p)
{
	struct group	*g = p;

	free(g->m);
	free(g);
}

void
rules_engine_free(struct rules_engine *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->attempts.cap; i++)
		if (e->attempts.v[i].key != NULL)
			att_free(e->rules, e->attempts.v[i].val);
	rules_hash_free(&e->attempts, NULL);
	rules_hash_free(&e->feeds, free);
	rules_hash_free(&e->groups, group_free);
	rules_hash_free(&e->members, NULL);
	free(e->durations.v);
	free(e);
}

/*
 * Join parts with NULs into buf (size bytes) or, when they do not fit, into
 * a heap buffer left in *heap (free it).  Returns the key; *len its length.
 */
static const char *
key_join(char *buf, size_t size, char **heap, size_t *len,
    const char *const *parts, size_t n)
{
	size_t	i, l, total = 0;
	char	*k = buf;

	*heap = NULL;
	for (i = 0; i < n; i++)
		total += strlen(parts[i]) + (i > 0);
	if (total + 1 > size)
		k = *heap = xmalloc(total + 1);
	for (*len = 0, i = 0; i < n; i++) {
		if (i > 0)
			k[(*len)++] = '\0';
		l = strlen(parts[i]);
		memcpy(k + *len, parts[i], l);
		*len += l;
	}
	k[*len] = '\0';
	return k;
}

static struct rules_att *
att_find(const struct rules_engine *e, const char *feed, const char *id)
{
	const char		*parts[2] = { feed, id }, *k;
	char			 buf[2 * PROTO_ID_MAX + 8], *heap;
	size_t			 klen;
	struct rules_att	*a;

	k = key_join(buf, sizeof buf, &heap, &klen, parts, 2);
	a = rules_hash_get(&e->attempts, k, klen);
	free(heap);
	return a;
}

static struct rules_feed *
feed_find(const struct rules_engine *e, const char *feed)
{
	return rules_hash_get(&e->feeds, feed, strlen(feed));
}

/*
 * The attempt's state, made on first sight; NULL (nothing made) if it is
 * new and its feed or the engine is at its limit of attempts.
 */
static struct rules_att *
att_get(struct rules_engine *e, const char *feed, const char *id)
{
	const char		*parts[2] = { feed, id }, *k;
	char			 buf[2 * PROTO_ID_MAX + 8], *heap;
	size_t			 klen;
	struct rules_att	*a;
	struct rules_feed	*fd;

	k = key_join(buf, sizeof buf, &heap, &klen, parts, 2);
	if ((a = rules_hash_get(&e->attempts, k, klen)) == NULL) {
		fd = feed_find(e, feed);
		if (e->attempts.n >= e->limits.attempts || (fd != NULL &&
		    fd->attempts >= e->limits.attempts_per_feed)) {
			free(heap);
			return NULL;
		}
		if (fd == NULL) {
			fd = xcalloc(1, sizeof *fd);
			fd->clock = INT64_MIN;
			rules_hash_put(&e->feeds, feed, strlen(feed), fd);
		}
		fd->attempts++;
		a = xcalloc(1, sizeof *a);
		a->fd = fd;
		a->modality = -1;
		a->state = -1;
		a->restored_ts = INT64_MIN;
		k = rules_hash_put(&e->attempts, k, klen, a);
		a->feed = k;
		a->id = k + strlen(k) + 1;
	}
	free(heap);
	return a;
}

static void
set_fact(char **dst, const char *s)
{
	if (*dst != NULL && strcmp(*dst, s) == 0)
		return;
	free(*dst);
	*dst = xstrdup(s);
}

static void *
slot_get(const struct rules_engine *e, struct rules_att *a,
    const struct rule *r, size_t size)
{
	if (a->slot == NULL)
		a->slot = xcalloc(e->rules->nslots, sizeof *a->slot);
	if (a->slot[r->slot] == NULL)
		a->slot[r->slot] = xcalloc(1, size);
	return a->slot[r->slot];
}

/* ---- hits */

static void
fire(const struct rule *r, struct eval_ctx *c, const struct hit_vars *hv,
    int64_t seq, int64_t ts, const int64_t *ev, size_t nev,
    rules_hit_fn *fn, void *arg)
{
	struct rules_hit	h;
	char			msg[PROTO_TEXT_MAX + 1];

	if (fn == NULL)
		return;
	rules_template_format(r, c, hv, msg, sizeof msg);
	h.rule = r->name;
	h.severity = r->severity;
	h.weight = r->weight;
	h.message = msg;
	h.feed = c->att->feed;
	h.attempt = c->att->id;
	h.seq = seq;
	h.ts_ms = ts;
	h.evidence = ev;
	h.nevidence = nev > RULES_EVIDENCE_MAX ? RULES_EVIDENCE_MAX : nev;
	fn(&h, arg);
}

/* ---- holds */

static void
hold_unlist(struct rules_engine *e, struct hold *h)
{
	if (!h->listed)
		return;
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		e->holds = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	h->prev = h->next = NULL;
	h->listed = 0;
}

static void
hold_start(struct rules_engine *e, struct hold *h, struct rules_att *a,
    const struct rule *r, const struct proto_msg *m)
{
	if (h->open)
		return;
	h->att = a;
	h->r = r;
	h->open = 1;
	h->fired = 0;
	h->start_ts = m->ts_ms;
	h->start_seq = m->seq;
	h->prev = NULL;
	h->next = e->holds;
	if (e->holds != NULL)
		e->holds->prev = h;
	e->holds = h;
	h->listed = 1;
}

/*
 * Close a hold at ts (an end event, the attempt's end), firing if it lasted
 * long enough and has not fired yet.  m is the closing message, or NULL.
 */
static void
hold_close(struct rules_engine *e, struct hold *h, struct eval_ctx *c,
    int64_t seq, int64_t ts, rules_hit_fn *fn, void *arg)
{
	struct hit_vars	hv;
	int64_t		ev[2];

	if (h == NULL || !h->open)
		return;
	hold_unlist(e, h);
	h->open = 0;
	if (h->fired || ts - h->start_ts < h->r->length)
		return;
	h->fired = 1;
	memset(&hv, 0, sizeof hv);
	hv.count = 1;
	hv.seconds = (ts - h->start_ts) / 1000;
	ev[0] = h->start_seq;
	ev[1] = seq;
	fire(h->r, c, &hv, seq, ts, ev, seq == h->start_seq ? 1 : 2, fn, arg);
}

static struct hold *
hold_of(const struct rules_att *a, const struct rule *r)
{
	return a->slot == NULL ? NULL : a->slot[r->slot];
}

/* ---- the four ways to fire */

static void
count_match(struct rules_engine *e, const struct rule *r, struct eval_ctx *c,
    rules_hit_fn *fn, void *arg)
{
	const struct proto_msg	*m = c->m;
	struct count_state	*cs;
	struct hit_vars		 hv;
	int64_t			 ev[RULES_EVIDENCE_MAX];
	size_t			 i, nev, from, cap = (size_t)r->n;

	memset(&hv, 0, sizeof hv);
	if (r->n == 1) {
		hv.count = 1;
		fire(r, c, &hv, m->seq, m->ts_ms, &m->seq, 1, fn, arg);
		return;
	}
	cs = slot_get(e, (struct rules_att *)c->att, r, sizeof *cs);
	if (cs->n == cs->alloc && cs->alloc < cap) {
		/*
		 * Room for N only as matches come: with N = 1000, an attempt
		 * with two matches costs 8 entries, not 1000 (16 KB).  While
		 * it grows the ring has not wrapped (head is 0), so realloc
		 * keeps it in order.
		 */
		cs->alloc = cs->alloc == 0 ? 8 : cs->alloc * 2;
		if (cs->alloc > cap)
			cs->alloc = cap;
		cs->ts = xreallocarray(cs->ts, cs->alloc, sizeof *cs->ts);
		cs->seq = xreallocarray(cs->seq, cs->alloc, sizeof *cs->seq);
	}
	i = (cs->head + cs->n) % cap;
	cs->ts[i] = m->ts_ms;
	cs->seq[i] = m->seq;
	if (cs->n < cap)
		cs->n++;
	else
		cs->head = (cs->head + 1) % cap;
	if (cs->n < cap)
		return;
	if (r->within >= 0 && m->ts_ms - cs->ts[cs->head] > r->within)
		return;
	from = cap > RULES_EVIDENCE_MAX ? cap - RULES_EVIDENCE_MAX : 0;
	for (nev = 0, i = from; i < cap; i++)
		ev[nev++] = cs->seq[(cs->head + i) % cap];
	cs->n = 0;
	cs->head = 0;
	hv.count = r->n;
	fire(r, c, &hv, m->seq, m->ts_ms, ev, nev, fn, arg);
}

static void
run_message(struct rules_engine *e, const struct rule *r, struct eval_ctx *c,
    int match, rules_hit_fn *fn, void *arg)
{
	const struct proto_msg	*m = c->m;
	struct run_state	*rs;
	struct hit_vars		 hv;
	int64_t			 ev[RULES_EVIDENCE_MAX];
	size_t			 i, n;

	rs = slot_get(e, (struct rules_att *)c->att, r, sizeof *rs);
	if (!match) {
		rs->len = 0;
		rs->nev = 0;
		return;
	}
	rs->ev[rs->nev % RULES_EVIDENCE_MAX] = m->seq;
	rs->nev++;
	if (++rs->len < r->n)
		return;
	n = rs->nev < RULES_EVIDENCE_MAX ? rs->nev : RULES_EVIDENCE_MAX;
	for (i = 0; i < n; i++)
		ev[i] = rs->ev[(rs->nev - n + i) % RULES_EVIDENCE_MAX];
	memset(&hv, 0, sizeof hv);
	hv.count = rs->len;
	rs->len = 0;
	rs->nev = 0;
	fire(r, c, &hv, m->seq, m->ts_ms, ev, n, fn, arg);
}

/* Fire link rule r for member mb of group g. */
static void
link_fire(const struct rule *r, struct eval_ctx *c, const struct group *g,
    const struct member *mb, const char *value, rules_hit_fn *fn, void *arg)
{
	const struct rules_att	*trigger = c->att;
	const char		*feed = c->feed;
	struct hit_vars		 hv;
	int64_t			 ev[RULES_EVIDENCE_MAX];
	size_t			 i, nev = 0;

	/* Evidence: the members' messages in the flagged attempt's feed. */
	for (i = g->n; i > 0 && nev < RULES_EVIDENCE_MAX; i--)
		if (strcmp(g->m[i - 1].att->feed, mb->att->feed) == 0)
			ev[nev++] = g->m[i - 1].seq;
	for (i = 0; i < nev / 2; i++) {
		int64_t t = ev[i];

		ev[i] = ev[nev - 1 - i];
		ev[nev - 1 - i] = t;
	}
	memset(&hv, 0, sizeof hv);
	hv.count = (int64_t)g->n;
	hv.value = value;
	c->att = mb->att;
	c->feed = mb->att->feed;
	fire(r, c, &hv, c->m->seq, c->m->ts_ms, ev, nev, fn, arg);
	c->att = trigger;
	c->feed = feed;
}

static void
link_match(struct rules_engine *e, const struct rule *r, struct eval_ctx *c,
    rules_hit_fn *fn, void *arg)
{
	struct rules_att	*a = (struct rules_att *)c->att;
	struct group		*g;
	struct link_state	*ls;
	struct rv		 v;
	char			 value[PROTO_NAME_MAX + 1], index[32];
	char			 buf[sizeof value + PROTO_ID_MAX + 40], *heap;
	const char		*parts[3], *key;
	const void		*pair[2];
	size_t			 klen, i;

	rules_term_eval(&r->link, c, &v);
	if (v.type != RV_STR && v.type != RV_NUM)
		return;
	rules_format_rv(&v, value, sizeof value);
	snprintf(index, sizeof index, "%zu", r->index);
	parts[0] = index;
	parts[1] = r->scope == SCOPE_FEED ? a->feed : "";
	parts[2] = value;
	key = key_join(buf, sizeof buf, &heap, &klen, parts, 3);
	g = rules_hash_get(&e->groups, key, klen);
	ls = slot_get(e, a, r, sizeof *ls);
	pair[0] = g;
	pair[1] = a;
	if (g != NULL && rules_hash_get(&e->members, pair, sizeof pair) != NULL) {
		free(heap);
		return;
	}
	if (ls->joined >= e->limits.links_per_attempt ||
	    (g == NULL && e->groups.n >= e->limits.link_values)) {
		/*
		 * Full: an attempt hopping from value to value joins no more
		 * groups, and a full table takes no new value.  Nothing held
		 * is evicted (that would unlink what it proves); the value
		 * links nothing, and stats.unlinked says so.
		 */
		e->stats.unlinked++;
		free(heap);
		return;
	}
	if (g == NULL) {
		g = xcalloc(1, sizeof *g);
		rules_hash_put(&e->groups, key, klen, g);
		pair[0] = g;
	}
	free(heap);
	ls->joined++;
	rules_hash_put(&e->members, pair, sizeof pair, g);
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 2 : g->cap * 2;
		g->m = xreallocarray(g->m, g->cap, sizeof *g->m);
	}
	g->m[g->n].att = a;
	g->m[g->n].seq = c->m->seq;
	g->n++;
	if (g->n == (size_t)r->n) {
		for (i = 0; i < g->n; i++)
			link_fire(r, c, g, &g->m[i], value, fn, arg);
	} else if (g->n > (size_t)r->n)
		link_fire(r, c, g, &g->m[g->n - 1], value, fn, arg);
}

/* ---- messages */

static int
suppressed(const struct rules_att *a, int64_t ts)
{
	if (a->outage)
		return 1;
	return a->restored_ts != INT64_MIN && ts >= a->lost_ts &&
	    ts <= a->restored_ts;
}

/* Evaluate the rules of one list against the message in c. */
static void
run_list(struct rules_engine *e, const struct rule_list *l, struct eval_ctx *c,
    rules_hit_fn *fn, void *arg)
{
	const struct rule	*r;
	struct rules_att	*a = (struct rules_att *)c->att;
	int			 quiet = suppressed(a, c->m->ts_ms), match;
	size_t			 i;

	for (i = 0; i < l->n; i++) {
		r = l->v[i];
		e->evaluations++;
		if (quiet && !r->during_outage)
			continue;
		match = r->where == NULL ||
		    rules_expr_eval(r->where, c) == TV_TRUE;
		switch (r->mode) {
		case RULES_MODE_COUNT:
			if (match)
				count_match(e, r, c, fn, arg);
			break;
		case RULES_MODE_RUN:
			run_message(e, r, c, match, fn, arg);
			break;
		case RULES_MODE_DURATION:
			if (match)
				hold_start(e, slot_get(e, a, r,
				    sizeof(struct hold)), a, r, c->m);
			break;
		case RULES_MODE_LINK:
			if (match)
				link_match(e, r, c, fn, arg);
			break;
		default:
			break;
		}
	}
}

/*
 * Drop the attempt's holds that an outage makes meaningless.  A hold that
 * had already lasted long enough fires first, at the time it reached its
 * length: whether a tick happened to come between is not the rule's
 * business, and the result must not depend on it.
 */
static void
outage_begin(struct rules_engine *e, struct rules_att *a, int64_t ts,
    struct eval_ctx *c, rules_hit_fn *fn, void *arg)
{
	struct hold	*h;
	size_t		 i;

	if (!a->outage) {
		a->lost_ts = ts;
		e->outages++;
	}
	a->outage = 1;
	for (i = 0; i < e->durations.n; i++) {
		if (e->durations.v[i]->during_outage)
			continue;
		if ((h = hold_of(a, e->durations.v[i])) == NULL || !h->open)
			continue;
		if (!h->fired && ts - h->start_ts >= h->r->length)
			hold_close(e, h, c, h->start_seq, h->start_ts +
			    h->r->length, fn, arg);
		else {
			hold_unlist(e, h);
			h->open = 0;
		}
	}
}

static void
outage_end(struct rules_engine *e, struct rules_att *a, int64_t ts)
{
	if (!a->outage)
		return;
	a->outage = 0;
	e->outages--;
	a->restored_ts = ts;
}

/* Submitted or terminated: close every hold, end any outage. */
static void
attempt_end(struct rules_engine *e, struct eval_ctx *c, rules_hit_fn *fn,
    void *arg)
{
	struct rules_att	*a = (struct rules_att *)c->att;
	size_t			 i;

	for (i = 0; i < e->durations.n; i++)
		hold_close(e, hold_of(a, e->durations.v[i]), c, c->m->seq,
		    c->m->ts_ms, fn, arg);
	outage_end(e, a, c->m->ts_ms);
}

/*
 * A message reports state `to` for the attempt: note the transition in c
 * (for attempt.previous_state and attempt.transition) and apply it.  A
 * transition is unexpected if the table does not allow it or the attempt
 * has ended (submitted -> in_progress -> terminated: both are).  The
 * feed is the authority on the state, so even an impossible transition is
 * applied; it is counted, and rules on state can flag it.  Returns 1 if
 * the state changed.
 */
static int
state_change(struct rules_engine *e, struct rules_att *a, struct eval_ctx *c,
    int to)
{
	c->prev_state = a->state;
	if (a->state == to)
		return 0;
	if (a->state >= 0) {
		/* Ended is final: any change after it is unexpected. */
		if (!a->ended && rules_transition_allowed(a->state, to))
			c->transition = "allowed";
		else {
			c->transition = "unexpected";
			e->stats.transitions++;
		}
	}
	a->state = to;
	return 1;
}

enum rules_take
rules_engine_message(struct rules_engine *e, const char *feed,
    const struct proto_msg *m, rules_hit_fn *fn, void *arg)
{
	const struct rules		*rs = e->rules;
	const struct proto_attempt	*pa = &m->u.attempt;
	struct rules_att		*a;
	struct eval_ctx			 c;
	const struct rule		*r;
	const char			*id;
	enum proto_event_kind		 k;
	size_t				 i;
	int				 changed, done;

	if ((id = proto_msg_attempt(m)) == NULL)
		return RULES_TAKEN;
	if (feed == NULL)
		feed = "";
	if ((a = att_get(e, feed, id)) == NULL) {
		e->stats.refused++;
		return RULES_FULL;
	}
	if (m->ts_ms > a->fd->clock)
		a->fd->clock = m->ts_ms;
	memset(&c, 0, sizeof c);
	c.feed = a->feed;
	c.m = m;
	c.att = a;
	c.now = m->ts_ms;
	c.prev_state = a->state;
	done = a->ended;

	switch (m->type) {
	case PROTO_ATTEMPT:
		set_fact(&a->candidate, pa->candidate);
		set_fact(&a->name, pa->name);
		set_fact(&a->exam, pa->exam);
		set_fact(&a->form, pa->form);
		set_fact(&a->center, pa->center);
		set_fact(&a->ip, pa->ip);
		set_fact(&a->device, pa->device);
		a->modality = (int)pa->modality;
		changed = state_change(e, a, &c, (int)pa->state);
		if (!done)
			run_list(e, &rs->by_type[PROTO_ATTEMPT], &c, fn, arg);
		/* A change of state rides on an attempt message too. */
		if (changed && c.transition != NULL)
			run_list(e, &rs->by_type[PROTO_STATE], &c, fn, arg);
		break;
	case PROTO_STATE:
		state_change(e, a, &c, (int)m->u.state.state);
		run_list(e, &rs->by_type[PROTO_STATE], &c, fn, arg);
		break;
	case PROTO_ANSWER:
		if (!done)
			run_list(e, &rs->by_type[PROTO_ANSWER], &c, fn, arg);
		break;
	case PROTO_EVENT:
		k = m->u.event.kind;
		if ((unsigned)k >= PROTO_EV_COUNT || done)
			break;
		if (k == PROTO_EV_NETWORK_LOST)
			outage_begin(e, a, m->ts_ms, &c, fn, arg);
		for (i = 0; i < rs->by_until[k].n; i++) {
			r = rs->by_until[k].v[i];
			e->evaluations++;
			hold_close(e, hold_of(a, r), &c, m->seq, m->ts_ms, fn,
			    arg);
		}
		run_list(e, &rs->by_kind[k], &c, fn, arg);
		if (k == PROTO_EV_NETWORK_RESTORED)
			outage_end(e, a, m->ts_ms);
		break;
	default:
		break;
	}
	if (done)
		e->stats.after_end++;
	else if (rules_state_final(a->state)) {
		a->ended = 1;
		attempt_end(e, &c, fn, arg);
	}
	rules_ctx_done(&c);
	return RULES_TAKEN;
}

void
rules_engine_clock(struct rules_engine *e, const char *feed, int64_t now_ms)
{
	struct rules_feed	*fd = feed_find(e, feed != NULL ? feed : "");

	if (fd != NULL && now_ms > fd->clock)
		fd->clock = now_ms;
}

int64_t
rules_engine_feed_clock(const struct rules_engine *e, const char *feed)
{
	const struct rules_feed	*fd = feed_find(e, feed != NULL ? feed : "");

	return fd != NULL ? fd->clock : INT64_MIN;
}

void
rules_engine_tick(struct rules_engine *e, rules_hit_fn *fn, void *arg)
{
	struct hold	*h, *next;
	struct eval_ctx	 c;
	struct hit_vars	 hv;
	int64_t		 at, now;

	for (h = e->holds; h != NULL; h = next) {
		next = h->next;
		/* Only the attempt's own feed's clock completes its hold. */
		now = h->att->fd->clock;
		if (now - h->start_ts < h->r->length)
			continue;
		hold_unlist(e, h);
		h->fired = 1;
		at = h->start_ts + h->r->length;
		memset(&c, 0, sizeof c);
		c.feed = h->att->feed;
		c.att = h->att;
		c.now = now;
		c.prev_state = h->att->state;
		memset(&hv, 0, sizeof hv);
		hv.count = 1;
		hv.seconds = (now - h->start_ts) / 1000;
		fire(h->r, &c, &hv, h->start_seq, at, &h->start_seq, 1, fn,
		    arg);
	}
}

int
rules_engine_outage(const struct rules_engine *e, const char *feed,
    const char *attempt)
{
	const struct rules_att	*a;

	/* The screen asks for every attempt, every frame: mostly none is
	 * in an outage, and then no lookup is needed. */
	if (e->outages == 0)
		return 0;
	a = att_find(e, feed != NULL ? feed : "", attempt);
	return a != NULL && a->outage;
}

size_t
rules_engine_attempts(const struct rules_engine *e)
{
	return e->attempts.n;
}

void
rules_engine_limits(struct rules_engine *e, const struct rules_limits *l)
{
	if (l->attempts_per_feed != 0)
		e->limits.attempts_per_feed = l->attempts_per_feed;
	if (l->attempts != 0)
		e->limits.attempts = l->attempts;
	if (l->link_values != 0)
		e->limits.link_values = l->link_values;
	if (l->links_per_attempt != 0)
		e->limits.links_per_attempt = l->links_per_attempt;
}

void
rules_engine_stats(const struct rules_engine *e, struct rules_stats *st)
{
	*st = e->stats;
	st->attempts = e->attempts.n;
	st->link_values = e->groups.n;
}

uint64_t
rules_engine_evaluations(const struct rules_engine *e)
{
	return e->evaluations;
}
