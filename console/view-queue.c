/*
 * view-queue.c - the flags queue, the second top-level view (Tab from the
 * attempts table): every open flag of every attempt, one row each, the
 * most severe first and of equal ones the oldest first, with its age live
 * and LATE once it has waited past --response-secs.  The acts of decide.h
 * work on the selected flag (view_act(), as on the table); Enter opens its
 * attempt's detail.
 *
 * A candidate's request (a raised hand: a flag of a rule an act of
 * decide.h is for, act_for_rule()) is listed first, as REQUEST, until
 * that act (ack_request, key a) closes it.
 *
 * The rows are built from the model's open flags, not the database: at
 * most QUEUE_MAX (past them, those of the attempts last in the table's
 * risk order are counted, not listed), again only when the number of open flags or attempts
 * changed or a second has passed (so the ages and the order stay true),
 * never on every frame.  A flag decided since is left out when drawn.
 *
 * The age is on the console's clock: the flag was raised at its first
 * message's ts, taken back to this machine's clock by its feed's offset
 * as last measured (feed_session.skew_ms); --demo's feed, whose clock runs
 * --rate times ours, by its time since then slowed down to ours.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/console.h"
#include "console/decide.h"
#include "console/filter.h"
#include "console/view-queue.h"
#include "console/view.h"
#include "proto/xmalloc.h"

#define QUEUE_REBUILD_MS	1000	/* the order, at least this often */
#define QUEUE_RESPONSE_SECS	120	/* --response-secs unset (0) */

struct queue_view {
	struct queue_row       *rows;		/* sorted */
	size_t			n, cap;		/* cap <= QUEUE_MAX */
	uint64_t		total;		/* open flags, also those left
						   out past QUEUE_MAX */
	uint64_t		hidden;		/* open flags the filter hides */
	int64_t			sel;		/* the selected flag's id */
	size_t			top;		/* first row shown */
	int			page;		/* rows last shown */
	uint64_t		sig_flags;	/* the model as last built */
	size_t			sig_attempts;
	unsigned		sig_filter;	/* the filter's gen */
	int64_t			built_ms;	/* 0: build at the next draw */
};

static view_key_fn	key_move, key_act, key_open, key_next;
static void		queue_draw(struct ui *, void *, int, int);
static int		queue_key(struct ui *, void *, int, int);
static void		queue_free(void *);

static const struct view_key queue_keys[] = {
	VIEW_KEYS_LIST(key_move, "flag"),
	{ '\r', KEY_ENTER, "Enter", NULL,
	    "the selected flag's attempt: its detail and timeline", key_open,
	    NULL, 0 },
	/* Every act of decide.h; dismiss and confirm take this flag. */
	{ 0, 0, NULL, NULL, NULL, key_act, NULL, 1 },
	VIEW_KEYS_FIND(key_next),
	VIEW_KEYS_STATES,
	VIEW_KEYS_TOP("view"),
};

const struct view view_queue = {
	.title = "flags queue",
	.keys = queue_keys,
	.nkeys = sizeof queue_keys / sizeof queue_keys[0],
	.help_note = "Ages are on this console's clock; LATE: open longer "
	    "than --response-secs.",
	.draw = queue_draw,
	.on_key = queue_key,
	.free = queue_free,
};

int
view_queue_open(struct ui *ui)
{
	struct queue_view	*qv;

	qv = xcalloc(1, sizeof *qv);
	return ui_replace(ui, &view_queue, qv);
}

static void
queue_free(void *state)
{
	struct queue_view	*qv = state;

	free(qv->rows);
	free(qv);
}

/* ---- pure helpers (view-queue.h) */

int
queue_cmp(const void *pa, const void *pb)
{
	const struct queue_row	*a = pa, *b = pb;

	if (a->request != b->request)
		return a->request ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->raised_ms != b->raised_ms)
		return a->raised_ms < b->raised_ms ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

void
queue_age(int64_t ms, char *out, size_t outsz)
{
	int64_t	s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		snprintf(out, outsz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, outsz, "%" PRId64 "m%02" PRId64 "s", s / 60,
		    s % 60);
	else if (s < 86400)
		snprintf(out, outsz, "%" PRId64 "h%02" PRId64 "m", s / 3600,
		    s / 60 % 60);
	else if (s / 86400 < 100)
		snprintf(out, outsz, "%" PRId64 "d%02" PRId64 "h", s / 86400,
		    s / 3600 % 24);
	else
		snprintf(out, outsz, "long");
}

int
queue_late(int64_t age_ms, int secs)
{
	return age_ms > (int64_t)secs * 1000;
}

/* --response-secs, or its default when a caller left it 0. */
static int
queue_secs(struct ui *ui)
{
	int	secs = ui_app(ui)->opt.response_secs;

	return secs > 0 ? secs : QUEUE_RESPONSE_SECS;
}

/* ---- the rows */

/* When f was raised, on the console's clock at now (see the top). */
static int64_t
queue_raised(struct ui *ui, const struct flag *f, int64_t now)
{
	const struct feed_session	*fs = f->attempt->feed;
	double				 rate = ui_app(ui)->opt.demo_rate;

	if (fs->clock_ms == INT64_MIN)
		return f->first_ms;
	/* --demo's clock runs --rate times ours: its time since the flag,
	 * slowed down to ours. */
	if (fs->simulated)
		return now - (int64_t)((double)(fs->clock_ms - f->first_ms) /
		    (rate > 0 ? rate : 1));
	return f->first_ms - fs->skew_ms;
}

/* The rows again from the model's open flags (of the attempts in the
 * table's order, so that past QUEUE_MAX the least urgent are left out),
 * sorted. */
static void
queue_build(struct ui *ui, struct queue_view *qv, int64_t now)
{
	const struct filter *fl = ui_filter(ui);
	struct attempt	**attempts;
	struct flag	 *f;
	size_t		  i, n;
	int		  offline;

	attempts = ui_attempts(ui, &n);
	qv->n = 0;
	qv->total = qv->hidden = 0;
	for (i = 0; i < n; i++) {
		offline = fl->states != 0 && attempts[i]->state ==
		    PROTO_STATE_IN_PROGRESS && ui_attempt_offline(ui,
		    attempts[i]);
		for (f = attempts[i]->flags; f != NULL; f = f->next) {
			if (f->state != STORE_FLAG_OPEN)
				continue;
			qv->total++;
			if (!filter_flag_match(fl, f, offline)) {
				qv->hidden++;
				continue;
			}
			if (qv->n == QUEUE_MAX)
				continue;
			if (qv->n == qv->cap) {
				qv->cap = qv->cap == 0 ? 256 : qv->cap * 2;
				if (qv->cap > QUEUE_MAX)
					qv->cap = QUEUE_MAX;
				qv->rows = xreallocarray(qv->rows, qv->cap,
				    sizeof *qv->rows);
			}
			qv->rows[qv->n].f = f;
			qv->rows[qv->n].request = act_for_rule(f->rule) != NULL;
			qv->rows[qv->n].severity = (int)f->severity;
			qv->rows[qv->n].raised_ms = queue_raised(ui, f, now);
			qv->rows[qv->n].id = f->id;
			qv->n++;
		}
	}
	qsort(qv->rows, qv->n, sizeof *qv->rows, queue_cmp);
	qv->sig_flags = ui_app(ui)->model.open_flags;
	qv->sig_attempts = n;
	qv->sig_filter = fl->gen;
	qv->built_ms = now;
}

/* Build the rows when the model changed or a second passed. */
static void
queue_refresh(struct ui *ui, struct queue_view *qv, int64_t now)
{
	struct app	*app = ui_app(ui);

	if (qv->built_ms == 0 || now - qv->built_ms >= QUEUE_REBUILD_MS ||
	    now < qv->built_ms || app->model.open_flags != qv->sig_flags ||
	    app->model.nattempts != qv->sig_attempts ||
	    ui_filter(ui)->gen != qv->sig_filter)
		queue_build(ui, qv, now);
}

/* The index of the selected row (the first when it is gone). */
static size_t
queue_sel(struct queue_view *qv)
{
	size_t	i;

	for (i = 0; i < qv->n; i++)
		if (qv->rows[i].id == qv->sel)
			return i;
	if (qv->n > 0)
		qv->sel = qv->rows[0].id;
	return 0;
}

/* The selected flag while open, or NULL. */
static struct flag *
queue_flag(struct ui *ui, struct queue_view *qv)
{
	size_t	i;

	queue_refresh(ui, qv, proto_now_ms());
	if (qv->n == 0)
		return NULL;
	i = queue_sel(qv);
	if (qv->rows[i].f->state != STORE_FLAG_OPEN)
		return NULL;
	return qv->rows[i].f;
}

/* ---- drawing */

static enum ui_role
queue_role(int severity)
{
	if (severity >= PROTO_SEV_CRITICAL)
		return UI_ROLE_CRITICAL;
	if (severity >= PROTO_SEV_HIGH)
		return UI_ROLE_HIGH;
	return UI_ROLE_MEDIUM;
}

/* The title line and the column titles; returns the first row below. */
static int
queue_header(struct ui *ui, struct queue_view *qv, int late, int cols)
{
	char		 line[512], clock[16], who[256];
	size_t		 i, requests = 0;
	int		 y = 1;

	for (i = 0; i < qv->n && qv->rows[i].request; i++)
		requests += qv->rows[i].f->state == STORE_FLAG_OPEN;
	ui_clock(proto_now_ms(), clock, sizeof clock);
	snprintf(line, sizeof line, " invigil  FLAGS QUEUE  %s | "
	    "requests: %zu (a acknowledges) | open flags: %" PRIu64 " | late: "
	    "%d (over %ds) | %s", ui_who(ui, who, sizeof who), requests, qv->total, late,
	    queue_secs(ui), clock);
	ui_role(ui, UI_ROLE_TITLE, 1);
	ui_put(0, 0, cols, line);
	ui_role(ui, UI_ROLE_TITLE, 0);
	/* The state classes and the filter, while it hides anything. */
	if (filter_active(ui_filter(ui)))
		y = view_filter_header(ui, y, cols, (size_t)(qv->total -
		    qv->hidden), (size_t)qv->total, "open flags");
	ui_role(ui, UI_ROLE_HEADING, 1);
	snprintf(line, sizeof line, " %-8s %-8s %-14s %6s %-8s %-18s %6s "
	    "%-4s %5s %s", "ATTEMPT", "CANDID.", "NAME", "FLAG", "SEVERITY",
	    "RULE", "AGE", "", "COUNT", "MESSAGE");
	ui_put(y, 0, cols, line);
	ui_role(ui, UI_ROLE_HEADING, 0);
	return y + 1;
}

/* Row r: the flag, its attempt, its age and LATE past the response
 * time. */
static void
queue_row_draw(struct ui *ui, const struct queue_row *r, int selected,
    int late, int64_t now, int y, int cols)
{
	const struct flag	*f = r->f;
	const struct attempt	*a = f->attempt;
	enum ui_role		 role;
	char			 line[1024], age[16];

	queue_age(now - r->raised_ms, age, sizeof age);
	snprintf(line, sizeof line, "%c%-8.8s %-8.8s %-14.14s %6" PRId64
	    " %-8s %-18.18s %6s %-4s %5" PRId64 " %s", selected ? '>' : ' ',
	    a->id, a->candidate, a->name, f->id, r->request ? "REQUEST" :
	    proto_severity_name(f->severity), f->rule, age, late ? "LATE" : "",
	    f->count, f->message);
	role = selected ? UI_ROLE_SELECTED : late ? UI_ROLE_CRITICAL :
	    r->request ? UI_ROLE_ALERT : queue_role((int)f->severity);
	ui_role(ui, role, 1);
	ui_put(y, 0, cols, line);
	ui_role(ui, role, 0);
	if (selected)
		ui_cursor(ui, y, 0);
}

static void
queue_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct queue_view	*qv = state;
	int64_t			 now = proto_now_ms();
	int			 secs = queue_secs(ui);
	size_t			 i, sel;
	int			 y, late = 0, shown;

	queue_refresh(ui, qv, now);
	for (i = 0; i < qv->n; i++)
		late += queue_late(now - qv->rows[i].raised_ms, secs);
	y = queue_header(ui, qv, late, cols);
	shown = rows - y - 2;	/* the manager's status and key bar */
	if (shown < 1)
		return;
	qv->page = shown;
	if (qv->n == 0) {
		ui_put(y, 1, cols - 1, qv->hidden > 0 ? "no open flag matches "
		    "the filter (/ then Esc clears the text, 0 the states)" :
		    "no open flags");
		return;
	}
	sel = queue_sel(qv);
	if (sel < qv->top)
		qv->top = sel;
	if (sel >= qv->top + (size_t)shown)
		qv->top = sel - (size_t)shown + 1;
	if (qv->top >= qv->n)
		qv->top = 0;
	for (i = qv->top; i < qv->n && i < qv->top + (size_t)shown; i++) {
		if (qv->rows[i].f->state != STORE_FLAG_OPEN)
			continue;	/* decided since the build */
		queue_row_draw(ui, &qv->rows[i], i == sel,
		    queue_late(now - qv->rows[i].raised_ms, secs), now,
		    y + (int)(i - qv->top), cols);
	}
	if (qv->total - qv->hidden > qv->n) {
		char	line[128];

		snprintf(line, sizeof line, " ... and %" PRIu64 " more open "
		    "flags (the queue lists %d)", qv->total - qv->hidden -
		    qv->n, QUEUE_MAX);
		ui_put(rows - 3, 0, cols, line);
	}
}

/* ---- keys */

static void
key_move(struct ui *ui, void *state, const struct view_binding *b)
{
	struct queue_view	*qv = state;
	const char		*how = b->arg;
	size_t			 i, page;

	queue_refresh(ui, qv, proto_now_ms());
	if (qv->n == 0)
		return;
	i = queue_sel(qv);
	page = qv->page > 1 ? (size_t)qv->page - 1 : 1;
	i = view_list_move(how, i, qv->n, page);
	qv->sel = qv->rows[i].id;
	ui_dirty(ui);
}

/* n and N: the next or previous flag the filter shows, round the end. */
static void
key_next(struct ui *ui, void *state, const struct view_binding *b)
{
	struct queue_view	*qv = state;
	size_t			 j;
	int			 wrapped;

	queue_refresh(ui, qv, proto_now_ms());
	if (!view_filter_set(ui, 1))
		return;
	if (qv->n == 0) {
		ui_status(ui, 1, "no open flag matches the filter");
		return;
	}
	j = filter_step(queue_sel(qv), qv->n, strcmp(b->arg, "prev") == 0 ?
	    -1 : 1, &wrapped);
	qv->sel = qv->rows[j].id;
	ui_status(ui, 0, "match flag %" PRId64 " of %zu%s", qv->sel, qv->n,
	    wrapped ? " (wrapped)" : "");
	ui_dirty(ui);
}

/* An act on the selected flag's attempt; dismiss and confirm take it. */
static void
key_act(struct ui *ui, void *state, const struct view_binding *b)
{
	struct flag	*f = queue_flag(ui, state);

	if (f == NULL) {
		ui_status(ui, 1, "no open flag selected");
		return;
	}
	view_act(ui, b->act, f->attempt, f);
}

/* Enter: the selected flag's attempt in detail. */
static void
key_open(struct ui *ui, void *state, const struct view_binding *b)
{
	struct flag	*f = queue_flag(ui, state);

	(void)b;
	if (f == NULL) {
		ui_status(ui, 1, "no open flag selected");
		return;
	}
	view_detail_open(ui, f->attempt);
}

/* The keys 2 to 6 (1 stands for them in the key table). */
static int
queue_key(struct ui *ui, void *state, int is_key, int ch)
{
	(void)state;
	return view_filter_digit(ui, is_key, ch);
}
