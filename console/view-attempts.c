/*
 * view-attempts.c - the first view: a header with the feeds and totals, the
 * attempts table in priority order, and the tail of recent events; its keys
 * move the selection and take the acts of decide.h on the selected attempt
 * (each through the reason prompt, prompt.c).
 *
 * The rows are those the shared filter shows (filter.h: `/`, 1 to 6,
 * grouped by `b` under heading rows the selection skips), built once per
 * frame or key into an index (filter_rows()); the header counts the state
 * classes.  The selected attempt is kept in the ui (ui_select()), so that
 * it is still selected when the view opens again after Tab.
 *
 * It reads the console's model (struct app: the feeds, the sessions, the
 * attempts, the tail, the totals) and nothing else; every call into the
 * rest of the console goes through ui.c's adapter section.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/bulk.h"
#include "console/console.h"
#include "console/decide.h"
#include "console/filter.h"
#include "console/view-cols.h"
#include "console/view.h"
#include "proto/xmalloc.h"

struct attempts_view {
	struct attempt	       *sel;		/* selected attempt */
	size_t			top;		/* first row shown */
	int			table_y, table_rows;
	struct filter_row      *rows;		/* as filtered and grouped */
	size_t			nrows, cap, shown;
};

static view_key_fn	key_move, key_act, key_open, key_sort, key_next,
			key_group, key_mark, key_unmark;

static const struct view_key attempts_keys[] = {
	VIEW_KEYS_LIST(key_move, "attempt"),
	{ '\r', KEY_ENTER, "Enter", NULL,
	    "the selected attempt's detail and timeline", key_open, NULL, 0 },
	{ 's', 0, "s", NULL, "sort by the next of: risk, last event, attempt, "
	    "name, centre (the header says which)", key_sort, NULL, 0 },
	{ 'b', 0, "b", NULL, "group by: none, centre, feed (a heading per "
	    "group)", key_group, NULL, 0 },
	VIEW_KEYS_FIND(key_next),
	VIEW_KEYS_STATES,
	/* Every act of decide.h, with its key, word and help. */
	{ 0, 0, NULL, NULL, NULL, key_act, NULL, 1 },
	{ ' ', 0, "Space", NULL, "mark/unmark: w m p r then act on all marked",
	    key_mark, NULL, 0 },
	{ 'u', 0, "u", NULL, "unmark all, dismiss the bulk act's failures",
	    key_unmark, NULL, 0 },
	/* Tab is not on the bar: at 100 columns it has no room left. */
	VIEW_KEYS_TOP(NULL),
};

static void	attempts_draw(struct ui *, void *, int, int);
static int	attempts_key(struct ui *, void *, int, int);
static void	attempts_free(void *);
static int	attempts_mouse(struct ui *, void *, int);

/* The OUTCOME column: the longest marker, a space, "hist", a space. */
#define OUTCOME_W	(OUTCOMES_MARKER_LEN + 6)

/*
 * The table's columns, each with the gap after it, and the order they give
 * way in as the terminal narrows (man/invigil.1, THE SCREEN): OUTCOME's
 * history marker, EVENTS, LAST EVENT's kind, CANDID., LAST EVENT, OUTCOME;
 * ATTEMPT, NAME, STATE, RISK and FLAGS stay.  NAME grows to 24 and FLAGS
 * takes the rest; the first cell (the selection) is before them.
 */
enum { COL_ATTEMPT, COL_CANDIDATE, COL_NAME, COL_STATE, COL_OUTCOME,
    COL_EVENTS, COL_LAST, COL_RISK, COL_FLAGS, COL_COUNT };
static const struct view_col attempt_cols[COL_COUNT] = {
	[COL_ATTEMPT] = { "ATTEMPT", 9, 0, 0, 0, 0, 0, 0 },
	[COL_CANDIDATE] = { "CANDID.", 9, 0, 0, 4, 0, 0, 0 },
	[COL_NAME] = { "NAME", 13, 0, 0, 0, 25, 0, 0 },
	[COL_STATE] = { "STATE", 12, 0, 0, 0, 0, 0, 0 },
	[COL_OUTCOME] = { "OUTCOME", OUTCOME_W, OUTCOMES_MARKER_LEN + 1, 1, 6,
	    0, 0, 0 },
	[COL_EVENTS] = { "EVENTS", 8, 0, 0, 2, 0, 0, 1 },
	[COL_LAST] = { "LAST EVENT", 28, 9, 3, 5, 0, 0, 0, "LAST" },
	[COL_RISK] = { "RISK", 5, 0, 0, 0, 0, 0, 1 },
	[COL_FLAGS] = { "FLAGS", 16, 0, 0, 0, -1, 20, 0 },
};
/* Where the columns start: after the selection's cell. */
#define COLS_X		1

int
view_attempts_layout(int cols, struct view_col_pos *pos)
{
	return view_cols_layout(attempt_cols, COL_COUNT, COLS_X, cols, pos);
}

const struct view view_attempts = {
	.title = "attempts",
	.keys = attempts_keys,
	.nkeys = sizeof attempts_keys / sizeof attempts_keys[0],
	.help_note = "An act asks a reason code (a picker), then words; "
	    "saved before \"recorded\".",
	.draw = attempts_draw,
	.on_key = attempts_key,
	.free = attempts_free,
	.on_mouse = attempts_mouse,
};

int
view_attempts_open(struct ui *ui)
{
	struct attempts_view	*av;

	av = xcalloc(1, sizeof *av);
	av->sel = ui_selected(ui);	/* as left before Tab */
	return ui_replace(ui, &view_attempts, av);
}

static void
attempts_free(void *state)
{
	struct attempts_view	*av = state;

	free(av->rows);
	free(av);
}

/*
 * The rows as the filter shows them, in the table's order, grouped; the
 * selection stays on its attempt while shown, else goes to the first one
 * shown (and is kept for the next time the view opens).
 */
static void
attempts_rows(struct ui *ui, struct attempts_view *av)
{
	struct attempt	**attempts;
	size_t		  n, i;

	attempts = ui_attempts(ui, &n);
	av->nrows = filter_rows(ui_filter(ui), attempts, n, ui_offline_of, ui,
	    &av->rows, &av->cap, &av->shown);
	if (filter_find(av->rows, av->nrows, av->sel) == av->nrows) {
		av->sel = NULL;
		for (i = 0; i < av->nrows && av->sel == NULL; i++)
			av->sel = av->rows[i].a;
	}
	ui_select(ui, av->sel);
}

static enum ui_role
severity_role(int severity)
{
	if (severity >= PROTO_SEV_CRITICAL)
		return UI_ROLE_CRITICAL;
	if (severity >= PROTO_SEV_HIGH)
		return UI_ROLE_HIGH;
	return UI_ROLE_MEDIUM;
}

/* ---- the header */

/* One line per feed: its state (coloured), URL and counts. */
static void
draw_feed(struct ui *ui, const struct feed_link *cf, int y, int cols)
{
	const struct feed_session	*fs = cf->session;
	enum ui_role			 role;
	char				 line[512], when[64] = "";

	if (cf->state == CONN_RETRYING || cf->state == CONN_REFUSED) {
		int64_t left = cf->next_try_ms - proto_now_ms();

		snprintf(when, sizeof when, " in %.1fs",
		    left > 0 ? (double)left / 1000.0 : 0.0);
	}
	snprintf(line, sizeof line, " feed %s  %s%s", fs != NULL ?
	    fs->id : "-", ui_feed_state(cf->state), when);
	role = cf->state == CONN_LIVE ? UI_ROLE_LIVE : UI_ROLE_OFFLINE;
	ui_role(ui, role, 1);
	ui_put(y, 0, 34, line);
	ui_role(ui, role, 0);
	snprintf(line, sizeof line, "%s  seq %" PRId64 "  rejects %"
	    PRIu64 "  gaps %" PRIu64 "%s%s", cf->url, fs != NULL ?
	    fs->last_seq : 0, cf->early_rejects + (fs != NULL ?
	    fs->rejects : 0), fs != NULL ? fs->gaps : 0,
	    cf->last_error[0] && cf->state != CONN_LIVE ? "  " : "",
	    cf->state != CONN_LIVE ? cf->last_error : "");
	ui_put(y, 34, cols - 34, line);
}

/* What the bounds did: clock skew, refused messages, full links; a few
 * lines at most, however many feed ids a feed made up. */
static int
draw_notices(struct ui *ui, int y, int cols)
{
	char	line[512];
	size_t	n;
	int	shown, more;

	for (shown = more = n = 0; ui_notice(ui, n, line, sizeof line) == 0;
	    n++) {
		if (line[0] == '\0')
			continue;
		if (shown == 4) {
			more++;
			continue;
		}
		shown++;
		ui_role(ui, UI_ROLE_ALERT, 1);
		ui_put(y++, 0, cols, line);
		ui_role(ui, UI_ROLE_ALERT, 0);
	}
	if (more > 0) {
		snprintf(line, sizeof line, " ... and %d more notices like these",
		    more);
		ui_put(y++, 0, cols, line);
	}
	return y;
}

/* The last bulk act's failures, until u dismisses them: a few lines. */
static int
draw_bulk(struct ui *ui, int y, int cols)
{
	const struct bulk	*b = ui_bulk(ui);
	char			 line[512], sum[160];
	size_t			 i;

	if (b->nfail == 0)
		return y;
	bulk_summary(b, sum, sizeof sum);
	ui_role(ui, UI_ROLE_ERROR, 1);
	snprintf(line, sizeof line, " %s (u dismisses):", sum);
	ui_put(y++, 0, cols, line);
	for (i = 0; i < b->nfail && i < 3; i++) {
		snprintf(line, sizeof line, "   %s: %s", b->fail[i].attempt,
		    b->fail[i].why);
		ui_put(y++, 0, cols, line);
	}
	if (b->nfail > 3) {
		snprintf(line, sizeof line, "   ... and %zu more", b->nfail - 3);
		ui_put(y++, 0, cols, line);
	}
	ui_role(ui, UI_ROLE_ERROR, 0);
	return y;
}

/* The header; returns the first row below it. */
static int
draw_header(struct ui *ui, struct attempts_view *av, int cols)
{
	struct app		*app = ui_app(ui);
	struct feed_session	*fs;
	char			 line[512], clock[16], alerts[80], who[256];
	int			 i, y = 1, shown;

	ui_clock(proto_now_ms(), clock, sizeof clock);
	/* The order, then what wants the proctor's eyes: first, to fit in
	 * 80 columns. */
	alerts[0] = '\0';
	if (app->model.unseen > 0)
		snprintf(alerts, sizeof alerts, " | %zu critical unseen",
		    app->model.unseen);
	if (app->model.nmissing > 0)
		snprintf(alerts + strlen(alerts), sizeof alerts -
		    strlen(alerts), " | %zu missing", app->model.nmissing);
	if (app->bulk.nmarks > 0)
		snprintf(alerts + strlen(alerts), sizeof alerts -
		    strlen(alerts), " | %zu marked", app->bulk.nmarks);
	snprintf(line, sizeof line, " invigil  %s | by %s%s | %zu "
	    "candidates | %.1f events/s | %" PRIu64 " open flags | %s",
	    ui_who(ui, who, sizeof who), ui_sort_name(ui), alerts, app->model.nattempts,
	    app->model.events_per_sec, app->model.open_flags, clock);
	ui_role(ui, UI_ROLE_TITLE, 1);
	ui_put(0, 0, cols, line);
	ui_role(ui, UI_ROLE_TITLE, 0);
	y = view_filter_header(ui, y, cols, av->shown, app->model.nattempts,
	    "attempts");

	if (app->opt.insecure) {
		ui_role(ui, UI_ROLE_ALERT, 1);
		ui_put(y++, 0, cols, " WARNING: --insecure: wss:// certificates "
		    "and host names are NOT verified");
		ui_role(ui, UI_ROLE_ALERT, 0);
	}
	for (i = 0; i < app->nfeeds; i++)
		draw_feed(ui, &app->feeds[i], y++, cols);
	/* A feed whose URL now answers as another: its attempts stay. */
	for (shown = i = 0; i < app->model.nsessions; i++) {
		fs = app->model.sessions[i];
		if (fs->replaced_by[0] == '\0' || fs->nattempts == 0)
			continue;
		if (++shown > 3)
			continue;
		snprintf(line, sizeof line, " feed %.64s  REPLACED: %.200s "
		    "answers as feed %.64s now; its %zu attempts are kept, commands to them "
		    "are not sent", fs->id, fs->replaced_url, fs->replaced_by,
		    fs->nattempts);
		ui_role(ui, UI_ROLE_ERROR, 1);
		ui_put(y++, 0, cols, line);
		ui_role(ui, UI_ROLE_ERROR, 0);
	}
	if (shown > 3) {
		snprintf(line, sizeof line, " ... and %d more replaced feeds",
		    shown - 3);
		ui_put(y++, 0, cols, line);
	}
	return draw_bulk(ui, draw_notices(ui, y, cols), cols);
}

/* ---- the table */

/* The FLAGS cell of a: the command in flight, the open flags, the top. */
static void
draw_flags(struct ui *ui, const struct attempt *a, int selected, int y,
    int x, int cols)
{
	const struct flag	*f, *top = a->flags;
	enum ui_role		 role;
	char			 buf[512];

	if (a->open_flags == 0) {
		snprintf(buf, sizeof buf, "-%s%s", a->pending_cmd[0] ?
		    "  " : "", a->pending_cmd);
		ui_put(y, x, cols - x, buf);
		return;
	}
	for (f = a->flags; f != NULL; f = f->next) {
		if (f->severity > top->severity)
			top = f;
	}
	snprintf(buf, sizeof buf, "%s%s%d %s %s: %s",
	    a->pending_cmd, a->pending_cmd[0] ? " | " : "",
	    a->open_flags, proto_severity_name(a->top_severity),
	    top->rule, top->message);
	/* On the selected row the reverse video is the colour. */
	role = selected ? UI_ROLE_EMPHASIS : severity_role(a->top_severity);
	ui_role(ui, role, 1);
	ui_put(y, x, cols - x, buf);
	ui_role(ui, role, 0);
}

/* The OUTCOME cell of a: its own marker (outcomes.h), then "hist" when
 * another attempt of its candidate carries one. */
static void
draw_outcome(struct ui *ui, const struct attempt *a, int selected, int y,
    const struct view_col_pos *p)
{
	struct app			*app = ui_app(ui);
	const struct outcome_mark	*m;
	const char			*marker = NULL;
	enum outcome_state		 s = OUTCOME_VALID;
	enum ui_role			 role;
	char				 buf[32];
	int				 hist;

	m = outcomes_find(&app->outcomes, a->feed->id, a->id);
	if (m != NULL) {
		s = outcome_at(&m->fold, proto_now_ms());
		marker = outcomes_marker(s);
	}
	/* Narrowed: the marker only (the line under the table says the
	 * history). */
	hist = !p->narrowed && outcomes_history(&app->outcomes, a->candidate,
	    a->feed->id, a->id, proto_now_ms()) != NULL;
	snprintf(buf, sizeof buf, "%s%s%s", marker != NULL ? marker : "",
	    marker != NULL && hist ? " " : "", hist ? OUTCOMES_HISTORY : "");
	if (buf[0] == '\0') {
		ui_cell(y, p->x, p->w, "-");
		return;
	}
	/* On the selected row the reverse video is the colour. */
	role = selected ? UI_ROLE_SELECTED : s == OUTCOME_INVALIDATED ||
	    s == OUTCOME_UPHELD ? UI_ROLE_ERROR : UI_ROLE_ALERT;
	ui_role(ui, role, 1);
	ui_cell(y, p->x, p->w, buf);
	ui_role(ui, role, 0);
}

/*
 * The selected attempt's outcome in words, for the line under the table:
 * its state and since when, who opened the case, proposed (with the code)
 * and approved; then the candidate's other attempt that carries a marker.
 * 1 with line filled (raw: ui_put sanitises), 0 when there is nothing to
 * say (valid, and no history).
 */
static int
outcome_line(struct ui *ui, const struct attempt *a, char *line,
    size_t len)
{
	struct app			*app = ui_app(ui);
	const struct outcome_mark	*m, *h;
	const struct outcome		*o;
	int64_t				 now = proto_now_ms();
	char				 since[16], when[16];
	size_t				 n;

	if (a == NULL)
		return 0;
	m = outcomes_find(&app->outcomes, a->feed->id, a->id);
	h = outcomes_history(&app->outcomes, a->candidate, a->feed->id, a->id,
	    now);
	if ((m == NULL || m->fold.acts == 0) && h == NULL)
		return 0;
	n = (size_t)snprintf(line, len, " OUTCOME %s: ", a->id);
	if (n >= len)
		return 1;
	if (m != NULL && m->fold.acts > 0) {
		o = &m->fold;
		ui_clock(o->since_ms, since, sizeof since);
		ui_clock(o->proposed_ms, when, sizeof when);
		n += (size_t)snprintf(line + n, n < len ? len - n : 0,
		    "%s since %s%s%s%s%s%s%s%s%s%s%s%s",
		    outcome_state_name(outcome_at(o, now)), since,
		    o->opened_by[0] ? "; opened by " : "", o->opened_by,
		    o->proposer[0] ? "; proposed by " : "", o->proposer,
		    o->proposer[0] ? " " : "", o->proposer[0] ? when : "",
		    o->code[0] ? " (" : "", o->code, o->code[0] ? ")" : "",
		    o->approver[0] ? "; approved by " : "", o->approver);
	} else
		n += (size_t)snprintf(line + n, n < len ? len - n : 0, "valid");
	if (h != NULL && n < len)
		snprintf(line + n, len - n, " | history: "
		    "candidate %s also %s on feed %s, %s", a->candidate,
		    h->attempt, h->feed, outcome_state_name(outcome_at(&h->fold,
		    now)));
	return 1;
}

/*
 * The STATE cell of a: REPLACED, OFFLINE (a candidate in a network outage
 * is not misbehaving), MISSING and for how long (in progress on a live
 * feed, and silent: model_missing()), LOCKED (a lock acknowledged, in
 * progress), else the protocol's state.
 */
static void
draw_state(struct ui *ui, const struct attempt *a, int selected, int y,
    int x, int w)
{
	char	buf[32];
	int64_t	secs;

	if (a->feed->replaced_by[0] != '\0')
		snprintf(buf, sizeof buf, "REPLACED");
	else if (a->state == PROTO_STATE_IN_PROGRESS &&
	    ui_attempt_offline(ui, a))
		snprintf(buf, sizeof buf, "OFFLINE");
	else if (a->missing) {
		secs = (proto_now_ms() - a->recv_ms) / 1000;
		if (secs < 120)
			snprintf(buf, sizeof buf, "MISSING %" PRId64 "s", secs);
		else if (secs < 2 * 3600)
			snprintf(buf, sizeof buf, "MISSING %" PRId64 "m",
			    secs / 60);
		else
			snprintf(buf, sizeof buf, "MISSING %" PRId64 "h",
			    secs / 3600);
		/* On the selected row the reverse video is the colour. */
		if (!selected)
			ui_role(ui, UI_ROLE_MISSING, 1);
		ui_cell(y, x, w, buf);
		if (!selected)
			ui_role(ui, UI_ROLE_MISSING, 0);
		return;
	} else if (a->locked && a->state == PROTO_STATE_IN_PROGRESS)
		snprintf(buf, sizeof buf, "LOCKED");
	else
		snprintf(buf, sizeof buf, "%s", proto_state_name(a->state));
	ui_cell(y, x, w, buf);
}

/* One row of the table, in the columns laid out in pos (w 0: dropped). */
static void
draw_row(struct ui *ui, const struct attempt *a, int selected, int y,
    const struct view_col_pos *pos, int cols)
{
	const struct view_col_pos	*p;
	char				 buf[512], clock[16];

	if (selected)
		ui_role(ui, UI_ROLE_SELECTED, 1);
	/* A mark shows where the selection would: the selected row is in
	 * reverse video anyway. */
	ui_put(y, 0, 1, bulk_marked(ui_bulk(ui), a->feed->id, a->id) ? "*" :
	    selected ? ">" : " ");
	ui_cell(y, pos[COL_ATTEMPT].x, pos[COL_ATTEMPT].w, a->id);
	ui_cell(y, pos[COL_CANDIDATE].x, pos[COL_CANDIDATE].w, a->candidate);
	ui_cell(y, pos[COL_NAME].x, pos[COL_NAME].w, a->name);
	draw_state(ui, a, selected, y, pos[COL_STATE].x, pos[COL_STATE].w);
	if (pos[COL_OUTCOME].w > 0)
		draw_outcome(ui, a, selected, y, &pos[COL_OUTCOME]);
	p = &pos[COL_EVENTS];
	snprintf(buf, sizeof buf, "%*" PRIu64, p->w > 0 ? p->w - 1 : 0,
	    a->events);
	ui_cell(y, p->x, p->w, buf);
	p = &pos[COL_LAST];
	if (a->has_event) {
		ui_clock(a->last_ms, clock, sizeof clock);
		snprintf(buf, sizeof buf, "%s %s", clock, p->narrowed ? "" :
		    proto_event_kind_name(a->last_kind));
	} else
		snprintf(buf, sizeof buf, "-");
	ui_cell(y, p->x, p->w, buf);
	snprintf(buf, sizeof buf, "%4.0f", a->risk);
	ui_cell(y, pos[COL_RISK].x, pos[COL_RISK].w, a->risk >= 0.5 ? buf :
	    "   -");
	draw_flags(ui, a, selected, y, pos[COL_FLAGS].x, cols);
	if (selected)
		ui_role(ui, UI_ROLE_SELECTED, 0);
}

/* A group's heading row: its name and counts. */
static void
draw_heading(struct ui *ui, const struct filter_row *r, int y, int cols)
{
	char	buf[256];

	snprintf(buf, sizeof buf, " %s %s | %zu attempt%s | %zu flagged",
	    filter_group_name(ui_filter(ui)->group), r->group[0] != '\0' ?
	    r->group : "(none said)", r->count, r->count == 1 ? "" : "s",
	    r->flagged);
	ui_role(ui, UI_ROLE_HEADING, 1);
	ui_put(y, 0, cols, buf);
	ui_role(ui, UI_ROLE_HEADING, 0);
}

static void
draw_table(struct ui *ui, struct attempts_view *av, int y, int rows,
    int cols)
{
	struct filter_row	 *fr = av->rows;
	struct view_col_pos	  pos[COL_COUNT];
	size_t			  n = av->nrows, sel;
	char		  buf[512];
	int		  r;

	sel = filter_find(fr, n, av->sel);
	if (sel == n)
		sel = 0;
	rows--;			/* the column titles */
	if (rows < 1)
		return;
	/* A group's heading stays in sight over its first attempt. */
	if (sel > 0 && fr[sel - 1].a == NULL && sel - 1 < av->top)
		av->top = sel - 1;
	if (sel < av->top)
		av->top = sel;
	if (sel >= av->top + (size_t)rows)
		av->top = sel - (size_t)rows + 1;
	if (av->top >= n)
		av->top = 0;
	av->table_y = y + 1;
	av->table_rows = rows;

	/* The columns that fit (the flags say why: they keep 16 columns at
	 * least, 20 before names grow: at 120 columns a name keeps 16). */
	view_attempts_layout(cols, pos);
	ui_role(ui, UI_ROLE_HEADING, 1);
	view_cols_heading(attempt_cols, pos, COL_COUNT, COLS_X, buf,
	    sizeof buf);
	ui_put(y, 0, cols, buf);
	ui_role(ui, UI_ROLE_HEADING, 0);

	for (r = 0; r < rows && av->top + (size_t)r < n; r++) {
		if (fr[av->top + (size_t)r].a == NULL)
			draw_heading(ui, &fr[av->top + (size_t)r], y + 1 + r,
			    cols);
		else
			draw_row(ui, fr[av->top + (size_t)r].a,
			    fr[av->top + (size_t)r].a == av->sel, y + 1 + r,
			    pos, cols);
	}
	if (n == 0)
		ui_put(y + 1, 1, cols - 1, ui_app(ui)->model.nattempts > 0 ?
		    "no attempt matches the filter (/ then Esc clears the "
		    "text, 0 the states)" : "waiting for candidates...");
	/* Leave the cursor on the selected row (screen readers follow it). */
	if (av->sel != NULL && sel >= av->top &&
	    sel < av->top + (size_t)rows)
		ui_cursor(ui, av->table_y + (int)(sel - av->top), 0);
}

static void
draw_tail(struct ui *ui, int y, int rows, int cols)
{
	struct app		*app = ui_app(ui);
	struct tail_line	*t;
	char			 clock[16], buf[320];
	size_t			 i, n;
	int			 r;

	ui_role(ui, UI_ROLE_HEADING, 1);
	ui_put(y, 0, cols, " RECENT EVENTS");
	ui_role(ui, UI_ROLE_HEADING, 0);
	n = app->model.tail_count < (size_t)(rows - 1) ? app->model.tail_count :
	    (size_t)(rows - 1);
	for (r = 0, i = 0; i < n; i++, r++) {
		t = &app->model.tail[(app->model.tail_next + CONSOLE_TAIL - 1 - i) %
		    CONSOLE_TAIL];
		ui_clock(t->ts_ms, clock, sizeof clock);
		snprintf(buf, sizeof buf, " %s %s %s", clock,
		    app->model.nsessions > 1 ? t->feed : "", t->text);
		ui_put(y + 1 + r, 0, cols, buf);
	}
}

static void
attempts_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct attempts_view	*av = state;
	char			 line[1024];
	int			 y, table_rows, tail_rows, said;

	/* Selected: its critical flags are seen (before the header counts
	 * them). */
	attempts_rows(ui, av);
	if (av->sel != NULL)
		ui_seen(ui, av->sel);
	y = draw_header(ui, av, cols);
	/* The two bottom lines are the manager's: status, keys. */
	tail_rows = (rows - y - 2) / 3;
	if (tail_rows < 3)
		tail_rows = 0;
	table_rows = rows - y - 2 - tail_rows;
	/* The selected attempt's outcome, on the table's last line. */
	said = table_rows > 3 && outcome_line(ui, av->sel, line, sizeof line);
	draw_table(ui, av, y, table_rows - said, cols);
	if (said) {
		ui_role(ui, UI_ROLE_HEADING, 1);
		ui_put(y + table_rows - 1, 0, cols, line);
		ui_role(ui, UI_ROLE_HEADING, 0);
	}
	if (tail_rows > 0)
		draw_tail(ui, y + table_rows, tail_rows, cols);
}

/* ---- keys */

static void
key_move(struct ui *ui, void *state, const struct view_binding *b)
{
	struct attempts_view	 *av = state;
	const char		 *how = b->arg;
	size_t			  i, n, page;

	attempts_rows(ui, av);
	if ((n = av->nrows) == 0)
		return;
	if ((i = filter_find(av->rows, n, av->sel)) == n)
		i = 0;
	page = av->table_rows > 1 ? (size_t)av->table_rows - 1 : 1;
	i = view_list_move(how, i, n, page);
	/* Past a group's heading: on up, to the group above. */
	if (av->rows[i].a == NULL)
		i = (strcmp(how, "up") == 0 || strcmp(how, "pgup") == 0) &&
		    i > 0 ? i - 1 : i + 1 < n ? i + 1 : i;
	if (av->rows[i].a != NULL)
		av->sel = av->rows[i].a;
	ui_select(ui, av->sel);
	ui_dirty(ui);
}

/* n and N: the next or previous attempt shown, round the end. */
static void
key_next(struct ui *ui, void *state, const struct view_binding *b)
{
	struct attempts_view	*av = state;
	size_t			 i;
	int			 wrapped;

	attempts_rows(ui, av);
	if (!view_filter_set(ui, 1))
		return;
	if (av->shown == 0) {
		ui_status(ui, 1, "no attempt matches the filter");
		return;
	}
	i = filter_next(av->rows, av->nrows, filter_find(av->rows, av->nrows,
	    av->sel), strcmp(b->arg, "prev") == 0 ? -1 : 1, &wrapped);
	av->sel = av->rows[i].a;
	ui_select(ui, av->sel);
	ui_status(ui, 0, "match %s of %zu%s", av->sel->id, av->shown,
	    wrapped ? " (wrapped)" : "");
	ui_dirty(ui);
}

/* b: group by the next of none, centre, feed. */
static void
key_group(struct ui *ui, void *state, const struct view_binding *b)
{
	struct filter	*f = ui_filter(ui);

	(void)state;
	(void)b;
	f->group = (enum filter_group)((f->group + 1) % FILTER_GROUP_COUNT);
	f->gen++;
	ui_status(ui, 0, "grouped by %s", filter_group_name(f->group));
	ui_dirty(ui);
}

/* A click on a row of the table selects its attempt (a group's heading
 * selects nothing). */
static int
attempts_mouse(struct ui *ui, void *state, int y)
{
	struct attempts_view	*av = state;
	size_t			 i;

	attempts_rows(ui, av);
	if (view_list_row(y, av->table_y, av->table_rows, av->top,
	    av->nrows, &i) == -1 || av->rows[i].a == NULL)
		return 0;
	av->sel = av->rows[i].a;
	ui_select(ui, av->sel);
	return 1;
}

int
view_act(struct ui *ui, const struct act *act, struct attempt *a,
    const struct flag *f)
{
	int64_t	flag = 0;

	if (a == NULL) {
		ui_status(ui, 1, "no attempt selected");
		return -1;
	}
	/* Decide on the flag shown now, not whatever is on top at Enter. */
	if (act->closes != STORE_FLAG_OPEN) {
		if (f == NULL || f->state != STORE_FLAG_OPEN ||
		    (act->rule != NULL && strcmp(f->rule, act->rule) != 0))
			f = act_flag(act, a->flags);
		if (f == NULL) {
			ui_status(ui, 1, "%s has no open %s to %s", a->id,
			    act->rule != NULL ? "request" : "flag", act->name);
			return -1;
		}
		flag = f->id;
	}
	return prompt_open(ui, act, a, flag);
}

/* An act on the selected attempt, or with marks, on every marked one
 * (an act allowed in bulk only): ask for the reason. */
static void
key_act(struct ui *ui, void *state, const struct view_binding *b)
{
	struct attempts_view	*av = state;
	size_t			 n = ui_bulk(ui)->nmarks;

	if (n == 0) {
		view_act(ui, b->act, av->sel, NULL);
		return;
	}
	if (!(b->act->flags & ACT_BULK)) {
		ui_status(ui, 1, "%s is not taken on marked attempts (only "
		    "warn, message, pause and resume are); u unmarks the %zu",
		    b->act->name, n);
		return;
	}
	prompt_open(ui, b->act, NULL, 0);
}

/* Space: mark or unmark the selected attempt, by its identity. */
static void
key_mark(struct ui *ui, void *state, const struct view_binding *b)
{
	struct attempts_view	*av = state;
	struct bulk		*bk = ui_bulk(ui);

	(void)b;
	if (av->sel == NULL) {
		ui_status(ui, 1, "no attempt selected");
		return;
	}
	switch (bulk_toggle(bk, av->sel->feed->id, av->sel->id)) {
	case 1:
		ui_status(ui, 0, "%s marked; %zu marked", av->sel->id,
		    bk->nmarks);
		break;
	case 0:
		ui_status(ui, 0, "%s unmarked; %zu marked", av->sel->id,
		    bk->nmarks);
		break;
	default:
		ui_status(ui, 1, "at most %d attempts can be marked",
		    BULK_MAX);
		return;
	}
	ui_dirty(ui);
}

/* u: no marks, no bulk result shown. */
static void
key_unmark(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	bulk_clear(ui_bulk(ui));
	ui_status(ui, 0, "no attempt marked");
	ui_dirty(ui);
}

/* s: the next order; the selection stays on its attempt. */
static void
key_sort(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	ui_status(ui, 0, "sorted by %s", ui_sort_next(ui));
}

/* Enter: the selected attempt's detail. */
static void
key_open(struct ui *ui, void *state, const struct view_binding *b)
{
	struct attempts_view	*av = state;

	(void)b;
	if (av->sel == NULL) {
		ui_status(ui, 1, "no attempt selected");
		return;
	}
	ui_seen(ui, av->sel);
	view_detail_open(ui, av->sel);
}

void
view_key_help(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	view_help_open(ui);
}

void
view_key_cycle(struct ui *ui, void *state, const struct view_binding *b)
{
	static int	(*const open[])(struct ui *) = { view_attempts_open,
			    view_queue_open, view_journal_open };
	const struct view *base = ui_view_base(ui);
	size_t		 i = base == &view_queue ? 1 : base == &view_journal ?
			    2 : 0, n = sizeof open / sizeof open[0];

	(void)state;
	i = strcmp(b->arg, "prev") == 0 ? (i + n - 1) % n : (i + 1) % n;
	open[i](ui);
}

void
view_key_quit(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	ui_quit(ui);
}

/* The keys 2 to 6 (1 stands for them in the key table). */
static int
attempts_key(struct ui *ui, void *state, int is_key, int ch)
{
	(void)state;
	return view_filter_digit(ui, is_key, ch);
}
