/*
 * model.c - the console's model (see model.h): feed sessions, the attempt
 * index and display order, risk, the tail of recent events and the event
 * rate.
 *
 * Attempts are found by a hash on (session, id) and listed, in display
 * order, in one array that is sorted only when something changed the
 * order (order_dirty), at most once per frame.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/model.h"
#include "proto/xmalloc.h"

void
model_free(struct model *m)
{
	size_t	i;
	int	j;

	for (j = 0; j < m->nsessions; j++)
		free(m->sessions[j]);
	for (i = 0; i < m->nattempts; i++) {
		flags_free_list(m->attempts[i]->flags);
		flags_free_list(m->attempts[i]->closed);
		free(m->attempts[i]);
	}
	free(m->attempts);
	free(m->hash);
	flags_free(&m->flagset);
	memset(m, 0, sizeof *m);
}

/* ---- attempts: hash by (feed identity, id), array in display order */

static uint64_t
attempt_hash(int feed, const char *id)
{
	uint64_t	h = 1469598103934665603ULL ^ (uint64_t)feed;

	for (; *id != '\0'; id++) {
		h ^= (unsigned char)*id;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
attempt_rehash(struct model *m)
{
	size_t		 i, nsize = m->hash_size ? m->hash_size * 2 : 1024;
	struct attempt **nhash = xcalloc(nsize, sizeof *nhash), *a, *next;

	for (i = 0; i < m->hash_size; i++) {
		for (a = m->hash[i]; a != NULL; a = next) {
			size_t b = attempt_hash(a->feed->order, a->id) &
			    (nsize - 1);

			next = a->hnext;
			a->hnext = nhash[b];
			nhash[b] = a;
		}
	}
	free(m->hash);
	m->hash = nhash;
	m->hash_size = nsize;
}

struct attempt *
model_attempt_find(struct model *m, struct feed_session *fs, const char *id)
{
	struct attempt	*a;
	size_t		 b;

	if (m->hash_size != 0) {
		b = attempt_hash(fs->order, id) & (m->hash_size - 1);
		for (a = m->hash[b]; a != NULL; a = a->hnext) {
			if (a->feed == fs && strcmp(a->id, id) == 0)
				return a;
		}
	}
	return NULL;
}

struct attempt *
model_attempt_get(struct model *m, struct feed_session *fs, const char *id)
{
	struct attempt		*a;
	size_t			 b;

	if ((a = model_attempt_find(m, fs, id)) != NULL)
		return a;
	if (m->nattempts + 1 > m->hash_size * 3 / 4)
		attempt_rehash(m);
	a = xcalloc(1, sizeof *a);
	a->feed = fs;
	fs->nattempts++;
	snprintf(a->id, sizeof a->id, "%s", id);
	a->state = PROTO_STATE_SCHEDULED;
	a->top_severity = -1;
	a->recv_ms = proto_now_ms();
	b = attempt_hash(fs->order, id) & (m->hash_size - 1);
	a->hnext = m->hash[b];
	m->hash[b] = a;
	if (m->nattempts == m->attempts_cap) {
		m->attempts_cap = m->attempts_cap ? m->attempts_cap * 2 : 256;
		m->attempts = xreallocarray(m->attempts, m->attempts_cap,
		    sizeof *m->attempts);
	}
	m->attempts[m->nattempts++] = a;
	m->order_dirty = 1;
	return a;
}

/* By feed, then id: a total order, every other order's last word. */
static int
compare_attempt(const void *va, const void *vb)
{
	const struct attempt *a = *(struct attempt *const *)va;
	const struct attempt *b = *(struct attempt *const *)vb;

	if (a->feed->order != b->feed->order)
		return a->feed->order - b->feed->order;
	return strcmp(a->id, b->id);
}

/* Most urgent first: risk, severity of open flags, their number. */
static int
compare_risk(const void *va, const void *vb)
{
	const struct attempt *a = *(struct attempt *const *)va;
	const struct attempt *b = *(struct attempt *const *)vb;

	if (a->risk != b->risk)
		return a->risk < b->risk ? 1 : -1;
	if (a->top_severity != b->top_severity)
		return b->top_severity - a->top_severity;
	if (a->open_flags != b->open_flags)
		return b->open_flags - a->open_flags;
	return compare_attempt(va, vb);
}

/* The latest event first (the feed's time), attempts without one last. */
static int
compare_last(const void *va, const void *vb)
{
	const struct attempt *a = *(struct attempt *const *)va;
	const struct attempt *b = *(struct attempt *const *)vb;

	if (a->has_event != b->has_event)
		return b->has_event - a->has_event;
	if (a->has_event && a->last_ms != b->last_ms)
		return a->last_ms < b->last_ms ? 1 : -1;
	return compare_attempt(va, vb);
}

/* By name (bytes: names are UTF-8, not collated). */
static int
compare_name(const void *va, const void *vb)
{
	const struct attempt *a = *(struct attempt *const *)va;
	const struct attempt *b = *(struct attempt *const *)vb;
	int	c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return compare_attempt(va, vb);
}

/* By centre, then name; attempts with no centre last. */
static int
compare_center(const void *va, const void *vb)
{
	const struct attempt *a = *(struct attempt *const *)va;
	const struct attempt *b = *(struct attempt *const *)vb;
	int	c;

	if ((a->center[0] == '\0') != (b->center[0] == '\0'))
		return a->center[0] == '\0' ? 1 : -1;
	if ((c = strcmp(a->center, b->center)) != 0)
		return c;
	return compare_name(va, vb);
}

static const struct {
	const char	*name;
	int		(*compare)(const void *, const void *);
} model_orders[MODEL_ORDER_COUNT] = {
	[MODEL_ORDER_RISK] = { "risk", compare_risk },
	[MODEL_ORDER_LAST] = { "last event", compare_last },
	[MODEL_ORDER_ATTEMPT] = { "attempt", compare_attempt },
	[MODEL_ORDER_NAME] = { "name", compare_name },
	[MODEL_ORDER_CENTER] = { "centre", compare_center },
};

void
model_sort(struct model *m)
{
	if (!m->order_dirty)
		return;
	qsort(m->attempts, m->nattempts, sizeof *m->attempts,
	    model_orders[m->order].compare);
	m->order_dirty = 0;
}

void
model_set_order(struct model *m, enum model_order order)
{
	m->order = order < MODEL_ORDER_COUNT ? order : MODEL_ORDER_RISK;
	m->order_dirty = 1;
	m->dirty = 1;
}

const char *
model_order_name(enum model_order order)
{
	return model_orders[order < MODEL_ORDER_COUNT ? order :
	    MODEL_ORDER_RISK].name;
}

void
model_recount(struct model *m, struct attempt *a)
{
	struct flag	*f;

	a->open_flags = 0;
	a->top_severity = -1;
	for (f = a->flags; f != NULL; f = f->next) {
		a->open_flags++;
		if ((int)f->severity > a->top_severity)
			a->top_severity = (int)f->severity;
	}
	a->risk = attempt_risk(a, proto_now_ms());
	m->order_dirty = 1;
	m->dirty = 1;
}

#define RISK_HALF_LIFE_MS	(15 * 60 * 1000)

double
flag_risk(const struct flag *f, int64_t now_ms)
{
	if (f->state == STORE_FLAG_OPEN)
		return f->weight;
	if (f->state == STORE_FLAG_CONFIRMED)
		return 2 * f->weight;
	return f->weight * exp2(-(double)(now_ms - f->closed_ms) /
	    RISK_HALF_LIFE_MS);
}

double
attempt_risk(const struct attempt *a, int64_t now_ms)
{
	const struct flag	*f;
	double			 risk = 0;

	for (f = a->flags; f != NULL; f = f->next)
		risk += f->weight;
	for (f = a->closed; f != NULL; f = f->next)
		risk += flag_risk(f, now_ms);
	return risk;
}

void
model_fade(struct model *m, int64_t now_ms)
{
	size_t	i;

	for (i = 0; i < m->nattempts; i++) {
		if (m->attempts[i]->closed != NULL) {
			m->attempts[i]->risk = attempt_risk(m->attempts[i],
			    now_ms);
			m->order_dirty = 1;
		}
	}
}

struct flag *
model_flag_by_id(struct model *m, int64_t id)
{
	struct flag	*f;
	size_t		 i;

	for (i = 0; i < m->nattempts; i++) {
		if ((f = flags_find(m->attempts[i]->flags, id)) != NULL ||
		    (f = flags_find(m->attempts[i]->closed, id)) != NULL)
			return f;
	}
	return NULL;
}

/* ---- MISSING: in progress, on a live feed, and silent */

size_t
model_missing(struct model *m, int64_t now_ms, int64_t after_ms,
    int64_t (*live)(const struct attempt *, void *), void *arg)
{
	struct attempt	*a;
	int64_t		 since;
	size_t		 i, n = 0;
	int		 missing;

	for (i = 0; i < m->nattempts; i++) {
		a = m->attempts[i];
		missing = 0;
		if (after_ms > 0 && a->state == PROTO_STATE_IN_PROGRESS &&
		    now_ms - a->recv_ms >= after_ms &&
		    (since = live(a, arg)) >= 0 && now_ms - since >= after_ms)
			missing = 1;
		if (missing != a->missing) {
			a->missing = missing;
			m->dirty = 1;
		}
		n += (size_t)missing;
	}
	m->nmissing = n;
	return n;
}

/* Clear a mark (MISSING, unseen) and take it off its count. */
static void
mark_clear(struct model *m, int *mark, size_t *count)
{
	if (*mark) {
		*mark = 0;
		(*count)--;
		m->dirty = 1;
	}
}

void
model_heard(struct model *m, struct attempt *a, int64_t now_ms)
{
	a->recv_ms = now_ms;
	mark_clear(m, &a->missing, &m->nmissing);
}

/* ---- critical flags not yet seen */

void
model_unseen(struct model *m, struct flag *f)
{
	m->alerts++;
	if (!f->unseen) {
		f->unseen = 1;
		m->unseen++;
		m->dirty = 1;
	}
}

void
model_flag_seen(struct model *m, struct flag *f)
{
	mark_clear(m, &f->unseen, &m->unseen);
}

void
model_seen(struct model *m, struct attempt *a)
{
	struct flag	*f;

	for (f = a->flags; f != NULL; f = f->next)
		model_flag_seen(m, f);
}

/* ---- feed sessions: identities, bounded, one per feed id */

struct feed_session *
model_session_find(struct model *m, const char *id)
{
	int	i;

	for (i = 0; i < m->nsessions; i++) {
		if (strcmp(m->sessions[i]->id, id) == 0)
			return m->sessions[i];
	}
	return NULL;
}

struct feed_session *
model_session_new(struct model *m, const char *id,
    int (*in_use)(const struct feed_session *, void *), void *arg,
    char *err, size_t errlen)
{
	struct feed_session	*fs;
	int			 i, k;

	if (m->nsessions == CONSOLE_MAX_SESSIONS) {
		for (i = k = 0; i < m->nsessions; i++) {
			fs = m->sessions[i];
			if (fs->nattempts == 0 && (in_use == NULL ||
			    !in_use(fs, arg)))
				free(fs);
			else
				m->sessions[k++] = fs;
		}
		m->nsessions = k;
	}
	if (m->nsessions == CONSOLE_MAX_SESSIONS) {
		snprintf(err, errlen, "this console already follows %d feed "
		    "ids, the most it keeps; feed \"%.64s\" is refused (restart "
		    "the console to start afresh)", CONSOLE_MAX_SESSIONS, id);
		return NULL;
	}
	fs = xcalloc(1, sizeof *fs);
	fs->clock_ms = INT64_MIN;
	snprintf(fs->id, sizeof fs->id, "%s", id);
	fs->order = m->session_order++;
	m->sessions[m->nsessions++] = fs;
	return fs;
}

void
model_session_position(struct feed_session *fs, int64_t epoch,
    int64_t last_seq)
{
	fs->epoch = epoch;
	fs->last_seq = last_seq < 0 ? 0 : last_seq > CONSOLE_SEQ_MAX ?
	    CONSOLE_SEQ_MAX : last_seq;
}

/* ---- the tail of recent events, and the event rate */

void
model_tail_add(struct model *m, const char *feed, int64_t ts_ms,
    const char *fmt, ...)
{
	struct tail_line	*t = &m->tail[m->tail_next];
	va_list			 ap;
	int			 n;

	t->ts_ms = ts_ms;
	snprintf(t->feed, sizeof t->feed, "%s", feed);
	va_start(ap, fmt);
	n = vsnprintf(t->text, sizeof t->text, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof t->text)	/* never end inside a character */
		t->text[proto_utf8_boundary(t->text, strlen(t->text))] = '\0';
	m->tail_next = (m->tail_next + 1) % CONSOLE_TAIL;
	if (m->tail_count < CONSOLE_TAIL)
		m->tail_count++;
	m->dirty = 1;
}

void
model_rate_count(struct model *m, int64_t now_ms)
{
	int64_t	sec = now_ms / 1000, s;

	if (sec != m->ev_window_sec) {
		for (s = m->ev_window_sec + 1; s <= sec &&
		    s <= m->ev_window_sec + 8; s++)
			m->ev_window[s % 8] = 0;
		m->ev_window_sec = sec;
	}
	m->ev_window[sec % 8]++;
}

void
model_rate_update(struct model *m, int64_t now_ms)
{
	int64_t		sec = now_ms / 1000, s;
	uint64_t	sum = 0;

	if (sec - m->ev_window_sec >= 8)
		memset(m->ev_window, 0, sizeof m->ev_window);
	else {
		for (s = m->ev_window_sec + 1; s <= sec; s++)
			m->ev_window[s % 8] = 0;
	}
	m->ev_window_sec = sec;
	/* The last five complete seconds. */
	for (s = sec - 5; s < sec; s++)
		sum += m->ev_window[((s % 8) + 8) % 8];
	m->events_per_sec = (double)sum / 5.0;
}
