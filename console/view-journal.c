/*
 * view-journal.c - the journal view, the third top-level view: this
 * console's acts (the journal rows whose actor is --proctor; in `review
 * browse`, the acts of people of every origin, read again whole), newest
 * first, with their seq, time, kind, attempt, flag, reason code, reason
 * and the start of their hash; Enter opens the attempt's detail.
 *
 * Read like the detail's timeline: on a read-only connection of the
 * view's own (a store_reader), never the writer's, and bounded: the rows
 * are read in seq order from the last seq seen, at most JOURNAL_PAGE per
 * query and JOURNAL_PAGES queries per frame, and only the newest
 * JOURNAL_ROWS are kept.  Read when the view opens, when the journal grows
 * (app->journal_unsigned changes) and every JOURNAL_REREAD_MS, never on
 * every frame.  Every string drawn goes through ui_put().
 *
 * The shared filter's text (filter.h, `/`) shows the acts whose attempt,
 * kind, reason code or reason contain it; its state classes are the
 * attempts', not the acts', and do not apply here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/console.h"
#include "console/decide.h"
#include "console/filter.h"
#include "console/view.h"
#include "proto/xmalloc.h"
#include "store/review.h"

#define JOURNAL_ROWS		500	/* the newest kept and shown */
#define JOURNAL_PAGE		1000	/* rows per query */
#define JOURNAL_PAGES		20	/* queries per frame, at most */
#define JOURNAL_REREAD_MS	2000	/* and this often whatever happens */
#define JOURNAL_HASH		12	/* hex digits of the hash shown */

struct journal_item {
	int64_t		seq, time_ms, flag_id;
	char		actor[PROTO_ID_MAX + 1];
	char		kind[32];
	char		feed[PROTO_ID_MAX + 1];
	char		attempt[PROTO_ID_MAX + 1];
	char		code[64];
	char		reason[256];
	char		hash[JOURNAL_HASH + 1];
};

struct journal_view {
	struct store_reader    *reader;
	char			err[512];	/* the last read's, or "" */
	struct journal_item    *ring;		/* JOURNAL_ROWS */
	size_t			next, count;	/* the ring's next slot, size */
	int64_t			after;		/* the last seq read */
	size_t			page_rows;	/* rows the last query gave */
	size_t			sel;		/* 0: the newest */
	size_t			top;		/* among those shown */
	size_t			shown[JOURNAL_ROWS];	/* the filter's */
	size_t			nshown;
	int			page;		/* rows last shown */
	int			sig;		/* journal_unsigned as read */
	int64_t			read_ms;	/* 0: read at the next draw */
};

static view_key_fn	key_move, key_open, key_next;
static void		journal_draw(struct ui *, void *, int, int);
static void		journal_free(void *);

static const struct view_key journal_keys[] = {
	VIEW_KEYS_LIST(key_move, "act"),
	{ '\r', KEY_ENTER, "Enter", "open",
	    "the selected act's attempt: its detail and timeline", key_open,
	    NULL, 0 },
	VIEW_KEYS_FIND(key_next),
	VIEW_KEYS_TOP("view"),
};

const struct view view_journal = {
	.title = "journal",
	.keys = journal_keys,
	.nkeys = sizeof journal_keys / sizeof journal_keys[0],
	.help_note = "This console's acts (actor --proctor; review browse: "
	    "every origin's acts of people), newest first; HASH: the "
	    "chain's, as `invigil review journal` prints it.",
	.draw = journal_draw,
	.free = journal_free,
};

int
view_journal_open(struct ui *ui)
{
	struct journal_view	*jv;

	jv = xcalloc(1, sizeof *jv);
	jv->ring = xcalloc(JOURNAL_ROWS, sizeof *jv->ring);
	return ui_replace(ui, &view_journal, jv);
}

static void
journal_free(void *state)
{
	struct journal_view	*jv = state;

	if (jv->reader != NULL)
		store_reader_close(jv->reader);
	free(jv->ring);
	free(jv);
}

/* ---- reading */

/* A copy of s (NULL: ""), cut to fit. */
static void
journal_copy(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s != NULL ? s : "");
}

/* One row, oldest first, into the ring (the oldest kept gives way). */
static int
journal_row(const struct store_journal_row *r, void *arg)
{
	struct journal_view	*jv = arg;
	struct journal_item	*it = &jv->ring[jv->next];

	it->seq = r->seq;
	it->time_ms = r->time_ms;
	it->flag_id = r->entry.flag_id;
	journal_copy(it->actor, sizeof it->actor, r->entry.actor);
	journal_copy(it->kind, sizeof it->kind, r->entry.kind);
	journal_copy(it->feed, sizeof it->feed, r->entry.feed);
	journal_copy(it->attempt, sizeof it->attempt, r->entry.attempt);
	journal_copy(it->code, sizeof it->code, r->entry.reason_code);
	journal_copy(it->reason, sizeof it->reason, r->entry.reason);
	journal_copy(it->hash, sizeof it->hash, r->hash);
	jv->next = (jv->next + 1) % JOURNAL_ROWS;
	if (jv->count < JOURNAL_ROWS)
		jv->count++;
	jv->after = r->seq;
	jv->page_rows++;
	return 0;
}

/* A row of any origin (review browse). */
static int
journal_any(const struct store_review_journal *r, void *arg)
{
	return journal_row(&r->row, arg);
}

/* Read the rows after the last seq seen, a few pages at most. */
static void
journal_read(struct ui *ui, struct journal_view *jv, int64_t now)
{
	struct app	*app = ui_app(ui);
	size_t		 before = jv->count;
	int		 i;

	jv->read_ms = now;
	jv->sig = app->journal_unsigned;
	if (jv->reader == NULL && store_reader_open(&jv->reader, app->opt.db,
	    jv->err, sizeof jv->err) == -1) {
		jv->reader = NULL;
		return;
	}
	jv->err[0] = '\0';
	/* review browse: every origin's acts of people, read again whole
	 * (the ring keeps the newest), in time order. */
	if (app->browse != NULL) {
		jv->next = jv->count = 0;
		if (store_review_journal(jv->reader, &(struct
		    store_review_filter){ .feed = NULL }, 1, journal_any, jv,
		    jv->err, sizeof jv->err) == -1)
			return;
	}
	for (i = 0; app->browse == NULL && i < JOURNAL_PAGES; i++) {
		jv->page_rows = 0;
		if (store_query_actor_journal(jv->reader, app->opt.proctor,
		    jv->after, JOURNAL_PAGE, journal_row, jv, jv->err,
		    sizeof jv->err) == -1 || jv->page_rows < JOURNAL_PAGE)
			break;
	}
	/* Keep the selection on the same act as newer ones come in. */
	if (jv->sel > 0 && jv->count > before)
		jv->sel += jv->count - before;
	if (jv->count > 0 && jv->sel >= jv->count)
		jv->sel = jv->count - 1;
}

/* The i-th kept act, newest first. */
static struct journal_item *
journal_at(struct journal_view *jv, size_t i)
{
	if (i >= jv->count)
		return NULL;
	return &jv->ring[(jv->next + JOURNAL_ROWS - 1 - i) % JOURNAL_ROWS];
}

/* The acts the filter's text shows, newest first, into jv->shown; the
 * selection goes to the first of them when it is not one. */
static void
journal_filter(struct ui *ui, struct journal_view *jv)
{
	const char		*text = ui_filter(ui)->text;
	struct journal_item	*it;
	size_t			 i, sel = 0;

	jv->nshown = 0;
	for (i = 0; (it = journal_at(jv, i)) != NULL; i++) {
		if (text[0] != '\0' && !filter_contains(it->attempt, text) &&
		    !filter_contains(it->kind, text) &&
		    !filter_contains(it->code, text) &&
		    !filter_contains(it->reason, text))
			continue;
		if (i == jv->sel)
			sel = jv->nshown;
		jv->shown[jv->nshown++] = i;
	}
	if (jv->nshown > 0)
		jv->sel = jv->shown[sel];
}

/* The selection's place among the acts shown. */
static size_t
journal_pos(struct journal_view *jv)
{
	size_t	i;

	for (i = 0; i < jv->nshown; i++)
		if (jv->shown[i] == jv->sel)
			return i;
	return 0;
}

/* ---- drawing */

static void
journal_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct journal_view	*jv = state;
	struct app		*app = ui_app(ui);
	struct journal_item	*it;
	int64_t			 now = proto_now_ms();
	char			 line[1024], clock[16], flag[24], who[256];
	char			 what[64] = "";
	size_t			 i, pos;
	int			 y = 2, shown;

	if (jv->read_ms == 0 || now - jv->read_ms >= JOURNAL_REREAD_MS ||
	    app->journal_unsigned != jv->sig)
		journal_read(ui, jv, now);
	journal_filter(ui, jv);
	if (ui_filter(ui)->text[0] != '\0')
		snprintf(what, sizeof what, " of %zu", jv->count);
	ui_clock(now, clock, sizeof clock);
	snprintf(line, sizeof line, " invigil  JOURNAL  %s | %zu%s acts "
	    "shown, newest first (the newest %d kept) | %s", ui_who(ui, who,
	    sizeof who), jv->nshown, what, JOURNAL_ROWS, clock);
	ui_role(ui, UI_ROLE_TITLE, 1);
	ui_put(0, 0, cols, line);
	ui_role(ui, UI_ROLE_TITLE, 0);
	if (ui_filter(ui)->text[0] != '\0') {
		snprintf(line, sizeof line, " filter \"%s\" | %zu of %zu acts "
		    "shown (attempt, kind, code, reason)", ui_filter(ui)->text,
		    jv->nshown, jv->count);
		ui_role(ui, UI_ROLE_ALERT, 1);
		ui_put(1, 0, cols, line);
		ui_role(ui, UI_ROLE_ALERT, 0);
		y = 3;
	}
	ui_role(ui, UI_ROLE_HEADING, 1);
	snprintf(line, sizeof line, " %7s %-8s %-10s %-12s %-8s %6s %-*s "
	    "%-26s %s", "SEQ", "TIME", "ACTOR", "KIND", "ATTEMPT", "FLAG",
	    JOURNAL_HASH, "HASH", "CODE", "REASON");
	ui_put(y - 1, 0, cols, line);
	ui_role(ui, UI_ROLE_HEADING, 0);
	if (jv->err[0] != '\0') {
		ui_role(ui, UI_ROLE_ERROR, 1);
		ui_put(y++, 1, cols - 1, jv->err);
		ui_role(ui, UI_ROLE_ERROR, 0);
	}
	shown = rows - y - 2;
	if (shown < 1)
		return;
	jv->page = shown;
	if (jv->nshown == 0) {
		ui_put(y, 1, cols - 1, jv->count != 0 ? "no act matches the "
		    "filter (/ then Esc clears it)" : app->browse != NULL ?
		    "no acts in the journal" : "no acts of this proctor in the "
		    "journal");
		return;
	}
	pos = journal_pos(jv);
	if (pos < jv->top)
		jv->top = pos;
	if (pos >= jv->top + (size_t)shown)
		jv->top = pos - (size_t)shown + 1;
	if (jv->top >= jv->nshown)
		jv->top = 0;
	for (pos = jv->top; pos < jv->nshown &&
	    pos < jv->top + (size_t)shown; pos++) {
		i = jv->shown[pos];
		it = journal_at(jv, i);
		ui_clock(it->time_ms, clock, sizeof clock);
		if (it->flag_id != 0)
			snprintf(flag, sizeof flag, "%" PRId64, it->flag_id);
		else
			snprintf(flag, sizeof flag, "-");
		snprintf(line, sizeof line, "%c%7" PRId64 " %-8s %-10.10s "
		    "%-12.12s %-8.8s %6s %-*s %-26.26s %s", i == jv->sel ?
		    '>' : ' ', it->seq, clock, it->actor, it->kind,
		    it->attempt[0] ? it->attempt : "-", flag, JOURNAL_HASH,
		    it->hash, it->code[0] ? it->code : "-", it->reason);
		if (i == jv->sel)
			ui_role(ui, UI_ROLE_SELECTED, 1);
		ui_put(y + (int)(pos - jv->top), 0, cols, line);
		if (i == jv->sel) {
			ui_role(ui, UI_ROLE_SELECTED, 0);
			ui_cursor(ui, y + (int)(pos - jv->top), 0);
		}
	}
}

/* ---- keys */

static void
key_move(struct ui *ui, void *state, const struct view_binding *b)
{
	struct journal_view	*jv = state;
	const char		*how = b->arg;
	size_t			 i, page;

	journal_filter(ui, jv);
	if (jv->nshown == 0)
		return;
	page = jv->page > 1 ? (size_t)jv->page - 1 : 1;
	i = view_list_move(how, journal_pos(jv), jv->nshown, page);
	jv->sel = jv->shown[i];
	ui_dirty(ui);
}

/* n and N: the next or previous act the filter shows, round the end. */
static void
key_next(struct ui *ui, void *state, const struct view_binding *b)
{
	struct journal_view	*jv = state;
	size_t			 j;
	int			 wrapped;

	journal_filter(ui, jv);
	if (!view_filter_set(ui, 0))
		return;
	if (jv->nshown == 0) {
		ui_status(ui, 1, "no act matches the filter");
		return;
	}
	j = filter_step(journal_pos(jv), jv->nshown, strcmp(b->arg, "prev") ==
	    0 ? -1 : 1, &wrapped);
	jv->sel = jv->shown[j];
	ui_status(ui, 0, "match %zu of %zu%s", j + 1, jv->nshown,
	    wrapped ? " (wrapped)" : "");
	ui_dirty(ui);
}

/* Enter: the selected act's attempt, when the model holds it. */
static void
key_open(struct ui *ui, void *state, const struct view_binding *b)
{
	struct journal_view	*jv = state;
	struct journal_item	*it = journal_at(jv, jv->sel);
	struct model		*m = &ui_app(ui)->model;
	struct feed_session	*fs;
	struct attempt		*a = NULL;

	(void)b;
	if (it == NULL) {
		ui_status(ui, 1, "no act selected");
		return;
	}
	if ((fs = model_session_find(m, it->feed)) != NULL)
		a = model_attempt_find(m, fs, it->attempt);
	if (a == NULL) {
		ui_status(ui, 1, "journal #%" PRId64 ": attempt %s of feed %s "
		    "is not on this console", it->seq, it->attempt[0] ?
		    it->attempt : "-", it->feed[0] ? it->feed : "-");
		return;
	}
	view_detail_open(ui, a);
}
