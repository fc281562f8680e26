/*
 * view-detail.c - one attempt in detail (Enter on the attempts table, Esc
 * back): its facts, its risk score and what each flag adds to it, the
 * attempts its flags link it to (shared device, shared network: the
 * evidence of a link flag is the members' messages), and its timeline,
 * scrollable, with the evidence of the selected flag highlighted.  The
 * acts of decide.h work here on this attempt (view_act(), shared with the
 * attempts table), on the selected flag when it is open.
 *
 * The timeline is the database's (store/timeline.h, as `invigil review
 * timeline` prints it), read on a read-only connection of the view's own
 * (a store_reader: in WAL mode it never waits for the console's writes
 * nor holds them), bounded twice: the newest DETAIL_ITEMS items only (the
 * heading says when older ones are left out) and a cap on SQLite's steps.
 * It is read when the view opens; when the attempt changes in the model
 * or the journal grows (at most once a second), and once more a second
 * later (what was still in the store's queue then is committed by now);
 * and every DETAIL_REREAD_MS while the view is drawn (what another
 * process journals).  Never on every frame: a read costs about as much as
 * the attempt has messages (some 150 ms for 50,000).
 *
 * The model is read for what it holds live (the flags and their weights,
 * the state, the feed's connection); the database for the rest.  Every
 * string drawn goes through ui_put(), which sanitises and clips by
 * display columns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/console.h"
#include "console/decide.h"
#include "console/view-detail.h"
#include "console/view.h"
#include "proto/xmalloc.h"
#include "store/timeline.h"

#define KEY_ESCAPE		27
/* A read's bound in SQLite steps: far more than DETAIL_ITEMS of any
 * attempt need, so that reaching it means a file made to loop. */
#define DETAIL_STEPS		(200ULL * 1000 * 1000)
#define DETAIL_CHANGED_MS	1000	/* on changes, at most this often */
#define DETAIL_SETTLE_MS	1000	/* once more after a change */
#define DETAIL_REREAD_MS	10000	/* and this often whatever happens */
#define DETAIL_LINK_FLAGS	32	/* flags whose evidence is followed */
#define DETAIL_TEXT		(STORE_TL_SUMMARY_MAX + 2 * PROTO_ID_MAX + 64)

struct detail_item {
	int64_t			order_ms;	/* on the feed's clock */
	enum store_tl_kind	kind;
	int64_t			seq;		/* messages: their seq, else 0 */
	int64_t			flag_id;
	char			text[DETAIL_TEXT];	/* raw */
};

struct detail_linked {
	struct attempt	       *a;
	const char	       *rule;		/* interned: the flag's */
};

struct detail_view {
	struct attempt	       *a;
	struct store_reader    *reader;
	char			err[512];	/* the last read's, or "" */

	struct store_tl_facts	facts;
	int			have_facts;
	struct detail_item     *items;		/* oldest first */
	size_t			n;
	int			cut;		/* older items left out */
	struct detail_linked	linked[DETAIL_LINKED];
	size_t			nlinked;

	int64_t			flag_id;	/* the selected flag, 0 none */
	size_t			top;		/* first timeline row shown */
	int			follow;		/* stick to the newest */
	int			jump;		/* scroll to the flag's evidence
						   at the next draw */
	size_t			shown;		/* timeline rows last drawn */
	int			flags_y;	/* the first flag row's line */
	int			flags_rows;	/* flag rows last drawn */
	size_t			flags_first;	/* the flag on flags_y */

	uint64_t		sig;		/* the attempt as last read */
	int64_t			read_ms;	/* 0: read at the next draw */
	int			settle;		/* read once more (a change) */
};

static view_key_fn	key_scroll, key_flag, key_linked, key_act, key_back;
static int		detail_on_key(struct ui *, void *, int, int);
static void		detail_draw(struct ui *, void *, int, int);
static void		detail_free(void *);
static int		detail_mouse(struct ui *, void *, int);

static const struct view_key detail_keys[] = {
	{ KEY_ESCAPE, 'q', "Esc/q", "back", "back to the view this detail "
	    "was opened from (attempts, flags queue or journal)",
	    key_back, NULL, 0 },
	{ '\t', ']', "Tab/]", "flag",
	    "select the next flag: its evidence is highlighted", key_flag,
	    "next", 0 },
	{ KEY_BTAB, '[', "S-Tab/[", NULL, "select the previous flag",
	    key_flag, "prev", 0 },
	{ '1', 0, "1-9", NULL, "open the linked attempt of that number",
	    key_linked, NULL, 0 },
	{ KEY_UP, 'k', "Up/k", NULL, "scroll the timeline up", key_scroll,
	    "up", 0 },
	{ KEY_DOWN, 'j', "Down/j", NULL, "scroll the timeline down",
	    key_scroll, "down", 0 },
	{ KEY_PPAGE, 0, "PgUp", NULL, "timeline one page up", key_scroll,
	    "pgup", 0 },
	{ KEY_NPAGE, 0, "PgDn", NULL, "timeline one page down", key_scroll,
	    "pgdn", 0 },
	{ KEY_HOME, 'g', "Home/g", NULL, "the timeline's oldest item",
	    key_scroll, "home", 0 },
	{ KEY_END, 'G', "End/G", NULL, "the newest item (and follow it)",
	    key_scroll, "end", 0 },
	/* Every act of decide.h, on this attempt and the selected flag. */
	{ 0, 0, NULL, NULL, NULL, key_act, NULL, 1 },
	{ '?', KEY_F(1), "?/F1", "help", "show or hide this help",
	    view_key_help, NULL, 0 },
	{ KEY_F(10), 0, "F10", NULL, "quit (everything received is saved)",
	    view_key_quit, NULL, 0 },
};

const struct view view_detail = {
	.title = "attempt detail",
	.keys = detail_keys,
	.nkeys = sizeof detail_keys / sizeof detail_keys[0],
	.help_note = "*: the selected flag's evidence; >: its own rows",
	.draw = detail_draw,
	.on_key = detail_on_key,
	.free = detail_free,
	.on_mouse = detail_mouse,
};

/* ---- pure helpers (view-detail.h) */

void
detail_age(int64_t ms, char *out, size_t outsz)
{
	int64_t	s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		snprintf(out, outsz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, outsz, "%" PRId64 "m", s / 60);
	else if (s < 86400)
		snprintf(out, outsz, "%" PRId64 "h", s / 3600);
	else if (s / 86400 < 10000)
		snprintf(out, outsz, "%" PRId64 "d", s / 86400);
	else
		snprintf(out, outsz, "long");
}

void
detail_layout(int rows, size_t nflags, size_t nlinked,
    struct detail_layout *out)
{
	int	left, cap;

	memset(out, 0, sizeof *out);
	out->facts = rows >= 3 ? 3 : rows > 0 ? rows : 0;
	left = rows - out->facts - 1;		/* the risk line */
	cap = left > 0 ? left / 5 : 0;
	if (cap < 1 && left > 2)
		cap = 1;
	out->flags = nflags < (size_t)cap ? (int)nflags : cap;
	left -= out->flags;
	out->linked = nlinked > 0 && left > 2;
	left -= out->linked;
	out->timeline_y = out->facts + 1 + out->flags + out->linked;
	out->timeline = left > 1 ? left - 1 : 0;
}

size_t
detail_scroll_to(size_t n, size_t shown, size_t want)
{
	size_t	top;

	if (n <= shown)
		return 0;
	top = want > shown / 3 ? want - shown / 3 : 0;
	return detail_scroll_clamp(top, n, shown);
}

size_t
detail_scroll_clamp(size_t top, size_t n, size_t shown)
{
	if (n <= shown)
		return 0;
	return top > n - shown ? n - shown : top;
}

/* ---- the attempt's flags: open ones, then closed ones */

/* How many flags a has, open and closed. */
static size_t
detail_nflags(const struct attempt *a)
{
	const struct flag	*f;
	size_t			 n = 0;

	for (f = a->flags; f != NULL; f = f->next)
		n++;
	for (f = a->closed; f != NULL; f = f->next)
		n++;
	return n;
}

/* a's i-th flag, open ones first (newest first), then closed ones; NULL
 * past the last. */
static struct flag *
detail_flag_at(const struct attempt *a, size_t i)
{
	struct flag	*f;

	for (f = a->flags; f != NULL; f = f->next)
		if (i-- == 0)
			return f;
	for (f = a->closed; f != NULL; f = f->next)
		if (i-- == 0)
			return f;
	return NULL;
}

/* The selected flag and its index, or NULL (the flag is gone: the first
 * is selected). */
static struct flag *
detail_flag(struct detail_view *dv, size_t *index)
{
	struct flag	*f;
	size_t		 i;

	for (i = 0; (f = detail_flag_at(dv->a, i)) != NULL; i++) {
		if (f->id == dv->flag_id) {
			*index = i;
			return f;
		}
	}
	*index = 0;
	if ((f = detail_flag_at(dv->a, 0)) != NULL)
		dv->flag_id = f->id;
	return f;
}

/* Whether seq (0: not a message) is one of f's evidence seqs (f NULL:
 * no). */
static int
detail_evidence(const struct flag *f, int64_t seq)
{
	size_t	i;

	for (i = 0; f != NULL && seq != 0 && i < f->nevidence; i++)
		if (f->evidence[i] == seq)
			return 1;
	return 0;
}

/* ---- reading the database */

/* What of the model's attempt a, and of the journal, changed makes worth
 * a new read. */
static uint64_t
detail_sig(struct ui *ui, const struct attempt *a)
{
	uint64_t	 h = 1469598103934665603ULL;
	const char	*p;

	/* It grows with each entry (and starts again at a checkpoint). */
	h = (h ^ (uint64_t)ui_app(ui)->journal_unsigned) * 1099511628211ULL;
	h = (h ^ a->events) * 1099511628211ULL;
	h = (h ^ (uint64_t)a->open_flags) * 1099511628211ULL;
	h = (h ^ (uint64_t)detail_nflags(a)) * 1099511628211ULL;
	h = (h ^ (uint64_t)a->state) * 1099511628211ULL;
	for (p = a->pending_cmd; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

/* One timeline item (newest first) into dv->items, its line made now;
 * stops (non-zero) past DETAIL_ITEMS, with dv->cut set. */
static int
detail_item_add(const struct store_tl_item *it, void *arg)
{
	struct detail_view	*dv = arg;
	struct detail_item	*d;
	const char		*s = it->summary != NULL ? it->summary : "";

	if (dv->n == DETAIL_ITEMS) {
		dv->cut = 1;
		return 1;
	}
	d = &dv->items[dv->n++];
	d->order_ms = it->order_ms;
	d->kind = it->kind;
	d->seq = it->kind <= STORE_TL_MESSAGE ? it->seq : 0;
	d->flag_id = it->flag_id;
	if (d->seq != 0)
		snprintf(d->text, sizeof d->text, "#%" PRId64 " %s", d->seq, s);
	else if (it->actor != NULL && (it->kind == STORE_TL_DECISION ||
	    it->kind == STORE_TL_COMMAND_SENT))
		snprintf(d->text, sizeof d->text, "%s  (by %s%s%s%s)", s,
		    it->actor, it->role != NULL ? ", " : "",
		    it->role != NULL ? it->role : "",
		    it->origin != NULL ? ", imported" : "");
	else
		snprintf(d->text, sizeof d->text, "%s", s);
	return 0;
}

/* Attempt id of a's feed as a linked attempt from flag f, if the model
 * holds it and it is not listed yet. */
static void
detail_link(struct ui *ui, struct detail_view *dv, const char *id,
    const struct flag *f)
{
	struct attempt	*b;
	size_t		 i;

	if (dv->nlinked == DETAIL_LINKED || strcmp(id, dv->a->id) == 0)
		return;
	b = model_attempt_find(&ui_app(ui)->model, dv->a->feed, id);
	if (b == NULL)
		return;
	for (i = 0; i < dv->nlinked; i++)
		if (dv->linked[i].a == b)
			return;
	dv->linked[dv->nlinked].a = b;
	dv->linked[dv->nlinked].rule = f->rule;
	dv->nlinked++;
}

/* The attempts a's flags link it to: the attempts of their evidence
 * messages other than a's own.  0, or -1 with a sentence in dv->err. */
static int
detail_read_linked(struct ui *ui, struct detail_view *dv)
{
	const struct flag	*f;
	char			 id[PROTO_ID_MAX + 1];
	size_t			 i, k;
	int			 rc;

	dv->nlinked = 0;
	for (i = 0; i < DETAIL_LINK_FLAGS &&
	    (f = detail_flag_at(dv->a, i)) != NULL; i++) {
		for (k = 0; k < f->nevidence; k++) {
			rc = store_tl_seq_attempt(dv->reader, dv->a->feed->id,
			    dv->a->feed->epoch, f->evidence[k], id, sizeof id,
			    dv->err, sizeof dv->err);
			if (rc == -1)
				return -1;
			if (rc == 1)
				detail_link(ui, dv, id, f);
		}
	}
	return 0;
}

/* Read the facts, the newest items and the links again.  A failed read
 * keeps what was read before and says why in dv->err. */
static void
detail_read(struct ui *ui, struct detail_view *dv)
{
	const char	*feed = dv->a->feed->id, *id = dv->a->id;
	size_t		 i;
	int		 rc;

	dv->read_ms = proto_now_ms();
	dv->sig = detail_sig(ui, dv->a);
	if (dv->reader == NULL && store_reader_open(&dv->reader,
	    ui_app(ui)->opt.db, dv->err, sizeof dv->err) == -1) {
		dv->reader = NULL;
		return;
	}
	dv->err[0] = '\0';
	store_reader_limit(dv->reader, DETAIL_STEPS);
	if (dv->have_facts)
		store_tl_facts_free(&dv->facts);
	/* Not stored yet (the first commit is on its way): no facts. */
	dv->have_facts = store_tl_facts(dv->reader, feed, id, &dv->facts,
	    dv->err, sizeof dv->err) == 1;
	dv->err[0] = '\0';
	dv->n = 0;
	dv->cut = 0;
	rc = store_timeline_last(dv->reader, feed, id, DETAIL_ITEMS + 1,
	    detail_item_add, dv, dv->err, sizeof dv->err);
	/* Newest first as read: oldest first as shown. */
	for (i = 0; i < dv->n / 2; i++) {
		struct detail_item t = dv->items[i];

		dv->items[i] = dv->items[dv->n - 1 - i];
		dv->items[dv->n - 1 - i] = t;
	}
	if (rc == -1)
		return;
	detail_read_linked(ui, dv);
}

/* Whether to read again before this frame (see the top). */
static int
detail_due(struct ui *ui, struct detail_view *dv, int64_t now)
{
	if (dv->read_ms == 0 || now - dv->read_ms >= DETAIL_REREAD_MS)
		return 1;
	if (detail_sig(ui, dv->a) != dv->sig) {
		if (now - dv->read_ms < DETAIL_CHANGED_MS)
			return 0;
		dv->settle = 1;
		return 1;
	}
	if (dv->settle && now - dv->read_ms >= DETAIL_SETTLE_MS) {
		dv->settle = 0;
		return 1;
	}
	return 0;
}

/* ---- opening */

/* Show attempt a in dv: the top flag selected, its evidence in view. */
static void
detail_show(struct detail_view *dv, struct attempt *a)
{
	struct flag	*f;

	dv->a = a;
	f = ui_flag_top(a);
	if (f == NULL)
		f = detail_flag_at(a, 0);
	dv->flag_id = f != NULL ? f->id : 0;
	dv->top = 0;
	dv->follow = 1;
	dv->jump = 1;
	dv->read_ms = 0;
	dv->nlinked = 0;
}

int
view_detail_open(struct ui *ui, struct attempt *a)
{
	struct detail_view	*dv;

	dv = xcalloc(1, sizeof *dv);
	dv->items = xcalloc(DETAIL_ITEMS, sizeof *dv->items);
	detail_show(dv, a);
	return ui_push(ui, &view_detail, dv);
}

/* The view popped: its reader, its facts, its items. */
static void
detail_free(void *state)
{
	struct detail_view	*dv = state;

	if (dv->reader != NULL)
		store_reader_close(dv->reader);
	if (dv->have_facts)
		store_tl_facts_free(&dv->facts);
	free(dv->items);
	free(dv);
}

/* ---- drawing */

/* s, or "-" when unknown or empty. */
static const char *
fact(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* a's outcome (outcomes.h) as the OUTCOME column's state, in words:
 * "valid" when no case was opened. */
static const char *
detail_outcome(struct ui *ui, const struct attempt *a)
{
	struct app			*app = ui_app(ui);
	const struct outcome_mark	*m;

	m = outcomes_find(&app->outcomes, a->feed->id, a->id);
	if (m == NULL)
		return outcome_state_name(OUTCOME_VALID);
	return outcome_state_name(outcome_at(&m->fold, proto_now_ms()));
}

/* The facts block: the title line and two more. */
static void
draw_facts(struct ui *ui, struct detail_view *dv, int cols)
{
	const struct attempt		*a = dv->a;
	const struct store_tl_facts	*fc = dv->have_facts ? &dv->facts :
					    NULL;
	const struct feed_link		*link = a->feed->link;
	char				 line[1024], first[16] = "-",
					 last[16] = "-";

	snprintf(line, sizeof line, " ATTEMPT %s  %s (%s)  feed %s %s%s",
	    a->id, fact(a->name), fact(a->candidate), a->feed->id,
	    a->feed->replaced_by[0] != '\0' ? "REPLACED" : link != NULL ?
	    ui_feed_state(link->state) : "-",
	    a->state == PROTO_STATE_IN_PROGRESS && ui_attempt_offline(ui, a) ?
	    ", candidate OFFLINE" : a->missing ? ", candidate MISSING" : "");
	ui_role(ui, UI_ROLE_TITLE, 1);
	ui_put(0, 0, cols, line);
	ui_role(ui, UI_ROLE_TITLE, 0);
	snprintf(line, sizeof line, " state %s%s  outcome %s  exam %s  form %s"
	    "  centre %s  modality %s", proto_state_name(a->state), a->locked &&
	    a->state == PROTO_STATE_IN_PROGRESS ? " (screen LOCKED)" : "",
	    detail_outcome(ui, a),
	    fact(fc != NULL ? fc->exam : NULL), fact(fc != NULL ? fc->form :
	    NULL), fact(fc != NULL ? fc->center : NULL), fact(fc != NULL ?
	    fc->modality : NULL));
	ui_put(1, 0, cols, line);
	if (fc != NULL && fc->n_messages > 0) {
		ui_clock(fc->first_ms, first, sizeof first);
		ui_clock(fc->last_ms, last, sizeof last);
	}
	snprintf(line, sizeof line, " ip %s  device %s  first %s  last %s  "
	    "%" PRId64 " messages", fact(fc != NULL ? fc->ip : NULL),
	    fact(fc != NULL ? fc->device : NULL), first, last,
	    fc != NULL ? fc->n_messages : 0);
	ui_put(2, 0, cols, line);
}

/* Flag f's line: what it adds to the risk, its weight, state and age. */
static void
draw_flag(struct ui *ui, struct detail_view *dv, const struct flag *f,
    int selected, int y, int cols)
{
	const struct feed_session	*fs = dv->a->feed;
	int64_t				 now = proto_now_ms(), clock;
	char				 line[1024], age[16], closed[32] = "";

	/* Raised on the feed's clock: its age on the feed's clock. */
	clock = fs->clock_ms != INT64_MIN && fs->clock_ms > 0 ? fs->clock_ms :
	    now;
	detail_age(clock - f->first_ms, age, sizeof age);
	if (f->state != STORE_FLAG_OPEN) {
		char	ago[16];

		detail_age(now - f->closed_ms, ago, sizeof ago);
		snprintf(closed, sizeof closed, " %s ago", ago);
	}
	snprintf(line, sizeof line, "%c %+5.1f  flag %" PRId64 " %s %s  "
	    "weight %.0f  %s%s  raised %s ago, x%" PRId64 ": %s",
	    selected ? '>' : ' ', flag_risk(f, now), f->id,
	    proto_severity_name(f->severity), f->rule, f->weight,
	    store_flag_state_name(f->state), closed, age, f->count,
	    f->message);
	if (selected)
		ui_role(ui, UI_ROLE_SELECTED, 1);
	ui_put(y, 0, cols, line);
	if (selected) {
		ui_role(ui, UI_ROLE_SELECTED, 0);
		ui_cursor(ui, y, 0);
	}
}

/* The risk line and the flags, the selected one in view. */
static void
draw_risk(struct ui *ui, struct detail_view *dv, int y, int nrows,
    int cols)
{
	struct flag	*sel, *f;
	size_t		 i, first, n = detail_nflags(dv->a), selx;
	char		 line[256];

	sel = detail_flag(dv, &selx);
	snprintf(line, sizeof line, " RISK %.0f: %zu flag%s (each: what it adds;"
	    " open = weight, confirmed = 2x, dismissed halves every 15 min)",
	    dv->a->risk, n, n == 1 ? "" : "s");
	ui_role(ui, UI_ROLE_HEADING, 1);
	ui_put(y++, 0, cols, line);
	ui_role(ui, UI_ROLE_HEADING, 0);
	dv->flags_rows = 0;
	if (nrows <= 0)
		return;
	first = selx >= (size_t)nrows ? selx - (size_t)nrows + 1 : 0;
	dv->flags_y = y;
	dv->flags_rows = nrows;
	dv->flags_first = first;
	for (i = 0; i < (size_t)nrows; i++) {
		if ((f = detail_flag_at(dv->a, first + i)) == NULL)
			break;
		/* The last line says what is left out below. */
		if (i == (size_t)nrows - 1 && first + i + 1 < n && f != sel) {
			snprintf(line, sizeof line, "   ... and %zu more flags "
			    "(Tab)", n - first - i);
			ui_put(y + (int)i, 0, cols, line);
			break;
		}
		draw_flag(ui, dv, f, f == sel, y + (int)i, cols);
	}
}

/* The LINKED line: each linked attempt after its digit, with the rule. */
static void
draw_linked(struct ui *ui, struct detail_view *dv, int y, int cols)
{
	char	line[1024];
	size_t	i, used;

	used = (size_t)snprintf(line, sizeof line, " LINKED");
	for (i = 0; i < dv->nlinked && used < sizeof line; i++)
		used += (size_t)snprintf(line + used, sizeof line - used,
		    "  %zu %s %s (%s)", i + 1, dv->linked[i].a->id,
		    dv->linked[i].a->name, dv->linked[i].rule);
	ui_role(ui, UI_ROLE_EMPHASIS, 1);
	ui_put(y, 0, cols, line);
	ui_role(ui, UI_ROLE_EMPHASIS, 0);
}

/* The timeline's heading at y and nrows of items under it: scrolled to
 * the selected flag's evidence after a choice, else following the newest
 * unless scrolled; evidence rows "*" in reverse video, the flag's own
 * rows ">" in bold. */
static void
draw_timeline(struct ui *ui, struct detail_view *dv, int y, int nrows,
    int cols)
{
	const struct flag	*sel;
	const struct detail_item *d;
	char			 line[DETAIL_TEXT + 1024], clock[16];
	size_t			 selx, want;
	int			 r, evidence, own;

	sel = detail_flag(dv, &selx);
	dv->shown = (size_t)nrows;
	/* Opened or another flag chosen: its first evidence in view. */
	if (dv->jump && dv->n > 0) {
		for (want = 0; want < dv->n; want++)
			if (detail_evidence(sel, dv->items[want].seq))
				break;
		if (want < dv->n) {
			dv->top = detail_scroll_to(dv->n, dv->shown, want);
			dv->follow = 0;
		}
		dv->jump = 0;
	}
	if (dv->follow)
		dv->top = dv->n > dv->shown ? dv->n - dv->shown : 0;
	dv->top = detail_scroll_clamp(dv->top, dv->n, dv->shown);

	if (dv->err[0] != '\0')
		snprintf(line, sizeof line, " TIMELINE: %s", dv->err);
	else if (dv->cut)
		snprintf(line, sizeof line, " TIMELINE: the newest %zu items "
		    "(older ones: invigil review timeline %s)  %zu-%zu",
		    dv->n, dv->a->id, dv->top + 1, dv->top + (size_t)nrows <
		    dv->n ? dv->top + (size_t)nrows : dv->n);
	else
		snprintf(line, sizeof line, " TIMELINE: %zu items  %zu-%zu%s",
		    dv->n, dv->n > 0 ? dv->top + 1 : 0, dv->top +
		    (size_t)nrows < dv->n ? dv->top + (size_t)nrows : dv->n,
		    dv->follow ? "  (following)" : "");
	ui_role(ui, dv->err[0] != '\0' ? UI_ROLE_ERROR : UI_ROLE_HEADING, 1);
	ui_put(y++, 0, cols, line);
	ui_role(ui, dv->err[0] != '\0' ? UI_ROLE_ERROR : UI_ROLE_HEADING, 0);

	for (r = 0; r < nrows && dv->top + (size_t)r < dv->n; r++) {
		d = &dv->items[dv->top + (size_t)r];
		evidence = detail_evidence(sel, d->seq);
		own = sel != NULL && d->flag_id == sel->id;
		ui_clock(d->order_ms, clock, sizeof clock);
		snprintf(line, sizeof line, "%c %s %-12s %s", evidence ? '*' :
		    own ? '>' : ' ', clock, store_tl_kind_name(d->kind),
		    d->text);
		if (evidence)
			ui_role(ui, UI_ROLE_SELECTED, 1);
		else if (own)
			ui_role(ui, UI_ROLE_EMPHASIS, 1);
		ui_put(y + r, 0, cols, line);
		if (evidence)
			ui_role(ui, UI_ROLE_SELECTED, 0);
		else if (own)
			ui_role(ui, UI_ROLE_EMPHASIS, 0);
	}
	if (dv->n == 0 && dv->err[0] == '\0')
		ui_put(y, 1, cols - 1, "nothing stored yet");
}

/* The view: read again if due, then the blocks of detail_layout(). */
static void
detail_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct detail_view	*dv = state;
	struct detail_layout	 l;

	if (detail_due(ui, dv, proto_now_ms()))
		detail_read(ui, dv);
	ui_seen(ui, dv->a);	/* its critical flags are looked at */
	/* The two bottom lines are the manager's: status, keys. */
	detail_layout(rows - 2, detail_nflags(dv->a), dv->nlinked, &l);
	if (l.facts < 3)
		return;
	draw_facts(ui, dv, cols);
	draw_risk(ui, dv, l.facts, l.flags, cols);
	if (l.linked)
		draw_linked(ui, dv, l.facts + 1 + l.flags, cols);
	if (l.timeline_y < rows - 2)
		draw_timeline(ui, dv, l.timeline_y, l.timeline, cols);
}

/* ---- keys */

/* Up, Down, PgUp, PgDn, Home, End: scroll the timeline; End (or
 * scrolling to the last row) follows the newest item again. */
static void
key_scroll(struct ui *ui, void *state, const struct view_binding *b)
{
	struct detail_view	*dv = state;
	const char		*how = b->arg;
	size_t			 page = dv->shown > 1 ? dv->shown - 1 : 1;

	dv->follow = 0;
	if (strcmp(how, "up") == 0 && dv->top > 0)
		dv->top--;
	else if (strcmp(how, "down") == 0)
		dv->top++;
	else if (strcmp(how, "pgup") == 0)
		dv->top = dv->top > page ? dv->top - page : 0;
	else if (strcmp(how, "pgdn") == 0)
		dv->top += page;
	else if (strcmp(how, "home") == 0)
		dv->top = 0;
	else if (strcmp(how, "end") == 0)
		dv->follow = 1;
	dv->top = detail_scroll_clamp(dv->top, dv->n, dv->shown);
	/* Down to the last row: follow what arrives. */
	if (dv->n <= dv->shown || dv->top + dv->shown >= dv->n)
		dv->follow = 1;
	ui_dirty(ui);
}

/* Tab and ]: the next flag; S-Tab and [: the previous; its evidence is
 * scrolled into view. */
static void
key_flag(struct ui *ui, void *state, const struct view_binding *b)
{
	struct detail_view	*dv = state;
	struct flag		*f;
	size_t			 i, n = detail_nflags(dv->a);

	if (n == 0) {
		ui_status(ui, 1, "%s has no flags", dv->a->id);
		return;
	}
	detail_flag(dv, &i);
	i = strcmp(b->arg, "next") == 0 ? (i + 1) % n : (i + n - 1) % n;
	f = detail_flag_at(dv->a, i);
	dv->flag_id = f->id;
	dv->jump = 1;
	ui_dirty(ui);
}

/* Linked attempt number i (from 0) shown in this view instead. */
static void
detail_go(struct ui *ui, struct detail_view *dv, size_t i)
{
	struct attempt	*b;

	if (i >= dv->nlinked) {
		ui_status(ui, 1, "no linked attempt %zu", i + 1);
		return;
	}
	b = dv->linked[i].a;
	ui_status(ui, 0, "%s: linked to %s by %s (Esc: back)",
	    b->id, dv->a->id, dv->linked[i].rule);
	detail_show(dv, b);
	ui_dirty(ui);
}

/* 1: the first linked attempt. */
static void
key_linked(struct ui *ui, void *state, const struct view_binding *b)
{
	detail_go(ui, state, (size_t)(b->key - '1'));
}

/* The digits 2-9 (1 is in the table, for the help). */
static int
detail_on_key(struct ui *ui, void *state, int is_key, int ch)
{
	if (is_key || ch < '2' || ch > '9')
		return 0;
	detail_go(ui, state, (size_t)(ch - '1'));
	return 1;
}

/* A click on a flag's line selects it (its evidence highlighted). */
static int
detail_mouse(struct ui *ui, void *state, int y)
{
	struct detail_view	*dv = state;
	struct flag		*f;

	(void)ui;
	if (y < dv->flags_y || y >= dv->flags_y + dv->flags_rows)
		return 0;
	f = detail_flag_at(dv->a, dv->flags_first + (size_t)(y - dv->flags_y));
	if (f == NULL)
		return 0;
	dv->flag_id = f->id;
	dv->jump = 1;
	return 1;
}

/* An act on this attempt, on the selected flag when it is open. */
static void
key_act(struct ui *ui, void *state, const struct view_binding *b)
{
	struct detail_view	*dv = state;
	size_t			 i;

	view_act(ui, b->act, dv->a, detail_flag(dv, &i));
}

/* Esc, q: back to the view below (attempts, flags queue, journal). */
static void
key_back(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	ui_pop(ui);
}
