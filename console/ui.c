/*
 * ui.c - the screen manager: a stack of views (view.h) drawn bottom to top
 * into one frame with one doupdate(), keys given to the view on top, the
 * status line and the key bar, the colour roles and their two schemes, the
 * terminal modes.
 *
 * The first view is the attempts table (view-attempts.c); the help overlay
 * and the reason prompt are pushed over it.  What is drawn and what a key
 * does belong to the views; this file owns the frame.  The adapter section
 * at the end is the one place the views reach the rest of the console
 * (app_*, client_*).
 *
 * Every string drawn goes through ui_put(), which sanitises it with
 * proto_sanitize() (wire strings, but also our own lines that quote them)
 * and clips it by display columns, not bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "console/console.h"
#include "console/filter.h"
#include "console/ui-term.h"
#include "console/view.h"
#include "proto/xmalloc.h"

#define UI_STACK_MAX	8
/* What an act key says in `review browse`. */
#define UI_READ_ONLY	"read-only review browser: acts are disabled " \
	"(decide on a console, or use invigil admin ...)"
#define UI_DOUBLE_MS	400	/* a second click on a row within this: Enter */
#define UI_WHEEL_ROWS	3	/* rows a turn of the wheel moves */
#define UI_KEYBAR_MAX	512	/* the key bar's buffer */

struct ui {
	struct app	       *app;
	int			color;		/* the colour scheme, not mono */
	attr_t			roles[UI_ROLE_COUNT];
	struct {
		const struct view *view;
		void		  *state;
	}			stack[UI_STACK_MAX];
	int			depth;
	int			cursor_y, cursor_x; /* -1: not placed */
	uint64_t		alerts;		/* model's alerts rung for */
	struct filter		filter;		/* the views share it */
	struct attempt	       *sel;		/* the table's, across Tab */
	int64_t			click_ms;	/* the last click on a row */
	int			click_y;
};

/*
 * The roles: their attributes in both schemes, and the foreground colour
 * the colour scheme adds (-1: none).  The monochrome scheme keeps the
 * attributes, so that bold, underline and reverse still mark things.
 */
static const struct {
	short	fg;
	attr_t	attr;
} ui_roles[UI_ROLE_COUNT] = {
	[UI_ROLE_TITLE] = { COLOR_CYAN, A_BOLD },
	[UI_ROLE_HEADING] = { -1, A_UNDERLINE },
	[UI_ROLE_SELECTED] = { -1, A_REVERSE },
	[UI_ROLE_EMPHASIS] = { -1, A_BOLD },
	[UI_ROLE_CRITICAL] = { COLOR_RED, A_BOLD },
	[UI_ROLE_HIGH] = { COLOR_MAGENTA, A_BOLD },
	[UI_ROLE_MEDIUM] = { COLOR_YELLOW, A_BOLD },
	[UI_ROLE_LIVE] = { COLOR_GREEN, 0 },
	[UI_ROLE_OFFLINE] = { COLOR_RED, 0 },
	[UI_ROLE_ALERT] = { COLOR_RED, A_BOLD },
	[UI_ROLE_ERROR] = { COLOR_RED, 0 },
	[UI_ROLE_KEYBAR] = { -1, A_REVERSE },
	[UI_ROLE_PROMPT] = { -1, A_BOLD },
	[UI_ROLE_OVERLAY_TITLE] = { -1, A_REVERSE },
	[UI_ROLE_MISSING] = { COLOR_YELLOW, A_BOLD | A_UNDERLINE },
};

/* ---- drawing helpers for the views */

int
ui_text_fit(const char *s, int width, wchar_t *out, size_t n)
{
	char		 clean[1024], esc[16];
	wchar_t		 wbuf[1024], *w;
	mbstate_t	 st;
	const char	*src;
	size_t		 o = 0, k;
	int		 used = 0, cw;

	if (n == 0)
		return 0;
	out[0] = L'\0';
	if (width <= 0)
		return 0;
	proto_sanitize(s, strlen(s), clean, sizeof clean);
	memset(&st, 0, sizeof st);
	src = clean;
	if (mbsrtowcs(wbuf, &src, sizeof wbuf / sizeof wbuf[0] - 1, &st) ==
	    (size_t)-1) {
		/* Not representable in this locale (not UTF-8): the
		 * sanitised text has no escape for that, a "?" stands in. */
		if (n > 1) {
			out[0] = L'?';
			out[1] = L'\0';
		}
		return n > 1;
	}
	wbuf[sizeof wbuf / sizeof wbuf[0] - 1] = L'\0';
	for (w = wbuf; *w != L'\0' && o + 2 < n; w++) {
		cw = wcwidth(*w);
		if (cw < 0) {
			/* A character the locale cannot show: its code,
			 * as the sanitiser writes escapes. */
			snprintf(esc, sizeof esc, "\\u{%04x}",
			    (unsigned)*w);
			if (used + (int)strlen(esc) > width ||
			    o + strlen(esc) + 1 >= n)
				break;
			for (k = 0; esc[k] != '\0'; k++)
				out[o++] = (wchar_t)esc[k];
			used += (int)strlen(esc);
			continue;
		}
		if (cw == 0 && used == 0) {
			/* A combining mark first: on a space of its own,
			 * never on the cell before this one. */
			if (width < 1)
				break;
			out[o++] = L' ';
			used = 1;
		}
		if (used + cw > width)
			break;
		out[o++] = *w;
		used += cw;
	}
	out[o] = L'\0';
	return used;
}

void
ui_put(int y, int x, int width, const char *s)
{
	wchar_t	text[1024];
	int	used;

	if (width <= 0)
		return;
	used = ui_text_fit(s, width, text, sizeof text / sizeof text[0]);
	move(y, x);
	addwstr(text);
	for (; used < width; used++)
		addch(' ');
}

void
ui_cell(int y, int x, int w, const char *s)
{
	if (w <= 0)
		return;
	ui_put(y, x, w - 1, s);
	ui_put(y, x + w - 1, 1, "");
}

void
ui_clock(int64_t ms, char *out, size_t outsz)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	strftime(out, outsz, "%H:%M:%S", &tm);
}

int
ui_color_wanted(const char *no_color, int has_colors)
{
	return has_colors && (no_color == NULL || no_color[0] == '\0');
}

void
ui_role(struct ui *ui, enum ui_role role, int on)
{
	if (ui->roles[role] == 0)
		return;
	if (on)
		attron(ui->roles[role]);
	else
		attroff(ui->roles[role]);
}

void
ui_cursor(struct ui *ui, int y, int x)
{
	ui->cursor_y = y;
	ui->cursor_x = x;
}

/* ---- the stack */

int
ui_push(struct ui *ui, const struct view *v, void *state)
{
	if (ui->depth == UI_STACK_MAX) {
		if (v->free != NULL)
			v->free(state);
		return -1;
	}
	ui->stack[ui->depth].view = v;
	ui->stack[ui->depth].state = state;
	ui->depth++;
	ui_dirty(ui);
	return 0;
}

int
ui_replace(struct ui *ui, const struct view *v, void *state)
{
	while (ui->depth > 0) {
		ui->depth--;
		if (ui->stack[ui->depth].view->free != NULL)
			ui->stack[ui->depth].view->free(
			    ui->stack[ui->depth].state);
	}
	return ui_push(ui, v, state);
}

const struct view *
ui_view_base(struct ui *ui)
{
	return ui->depth > 0 ? ui->stack[0].view : NULL;
}

void
ui_pop(struct ui *ui)
{
	if (ui->depth <= 1)
		return;
	ui->depth--;
	if (ui->stack[ui->depth].view->free != NULL)
		ui->stack[ui->depth].view->free(ui->stack[ui->depth].state);
	ui_dirty(ui);
}

const struct view *
ui_view_below(struct ui *ui, const struct view *v)
{
	int	i;

	for (i = ui->depth - 1; i > 0; i--) {
		if (ui->stack[i].view == v)
			return ui->stack[i - 1].view;
	}
	return NULL;
}

/* ---- the frame */

/* The view that has the key bar: the top one that covers the screen. */
static int
ui_base(struct ui *ui)
{
	int	base;

	for (base = ui->depth - 1; base > 0; base--) {
		if ((ui->stack[base].view->flags &
		    (VIEW_OVERLAY | VIEW_MODAL)) == 0)
			break;
	}
	return base;
}

/* The key bar's buffer length at cols columns (the bar is ASCII: a byte
 * a column): what view_keybar_acts() and view_keybar_at() are given. */
static size_t
ui_keybar_len(int cols)
{
	return cols >= 0 && (size_t)cols < UI_KEYBAR_MAX ? (size_t)cols + 1 :
	    UI_KEYBAR_MAX;
}

/* The status line and the key bar of view v, on the bottom two lines. */
static void
draw_bottom(struct ui *ui, const struct view *v, int rows, int cols)
{
	struct app	*app = ui->app;
	char		 bar[UI_KEYBAR_MAX];

	if (app->status[0] != '\0') {
		if (app->status_error)
			ui_role(ui, UI_ROLE_ERROR, 1);
		ui_put(rows - 2, 0, cols, app->status);
		if (app->status_error)
			ui_role(ui, UI_ROLE_ERROR, 0);
	}
	/* Cut at a word to the width (the bar is ASCII: a byte a column);
	 * the browser's acts are disabled: not offered on the bar. */
	view_keybar_acts(v, app->browse == NULL, bar, ui_keybar_len(cols));
	ui_role(ui, UI_ROLE_KEYBAR, 1);
	ui_put(rows - 1, 0, cols, bar);
	ui_role(ui, UI_ROLE_KEYBAR, 0);
}

void
ui_draw(struct ui *ui)
{
	int	rows, cols, base, i;

	if (ui == NULL || ui->depth == 0)
		return;
	getmaxyx(stdscr, rows, cols);
	erase();
	ui->cursor_y = ui->cursor_x = -1;
	/* From the top view that covers the screen, up. */
	base = ui_base(ui);
	/* A new critical flag since the last frame: --alert. */
	if (ui->app->model.alerts != ui->alerts) {
		ui->alerts = ui->app->model.alerts;
		if (ui->app->opt.alert == CONSOLE_ALERT_BELL)
			beep();
		else if (ui->app->opt.alert == CONSOLE_ALERT_FLASH)
			flash();
	}
	ui->stack[base].view->draw(ui, ui->stack[base].state, rows, cols);
	draw_bottom(ui, ui->stack[base].view, rows, cols);
	for (i = base + 1; i < ui->depth; i++)
		ui->stack[i].view->draw(ui, ui->stack[i].state, rows, cols);
	/* Leave the cursor where a screen reader should look. */
	if (ui->cursor_y >= 0)
		move(ui->cursor_y, ui->cursor_x);
	wnoutrefresh(stdscr);
	doupdate();
}

/* One key to the views, from the top. */
static void
ui_key(struct ui *ui, int is_key, int ch)
{
	struct view_binding	 b;
	const struct view	*v;
	void			*state;
	int			 i;

	for (i = ui->depth - 1; i >= 0; i--) {
		v = ui->stack[i].view;
		state = ui->stack[i].state;
		if (view_binding_find(v, ch, is_key, &b) == 0) {
			if (b.act != NULL && ui->app->browse != NULL)
				ui_status(ui, 1, "%s", UI_READ_ONLY);
			else
				b.fn(ui, state, &b);
			return;
		}
		if (v->on_key != NULL && v->on_key(ui, state, is_key, ch))
			return;
		if ((v->flags & VIEW_OVERLAY) == 0)
			return;
	}
}

/*
 * A mouse event, as keys where it can be: the wheel is Up or Down
 * UI_WHEEL_ROWS times, a click on a key bar word that word's key, a click
 * on a row of the top view selects it (its on_mouse) and a second click on
 * the same row within UI_DOUBLE_MS is Enter.  A modal view (the reason
 * prompt and picker) takes no mouse events.
 */
static void
ui_mouse(struct ui *ui)
{
	MEVENT			 ev;
	struct view_binding	 b;
	const struct view	*v;
	int64_t			 now = proto_now_ms();
	int			 i, key = 0;

	if (getmouse(&ev) != OK || ui->depth == 0 ||
	    (ui->stack[ui->depth - 1].view->flags & VIEW_MODAL))
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		key = KEY_UP;
	else if (ev.bstate & BUTTON5_PRESSED)
		key = KEY_DOWN;
	if (key != 0) {
		for (i = 0; i < UI_WHEEL_ROWS; i++)
			ui_key(ui, 1, key);
		return;
	}
	if ((ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) == 0)
		return;
	if (ev.y == getmaxy(stdscr) - 1) {
		ui->click_ms = 0;
		if (view_keybar_at(ui->stack[ui_base(ui)].view,
		    ui->app->browse == NULL, ui_keybar_len(COLS), ev.x,
		    &b) == 0)
			ui_key(ui, b.key > 255, b.key);
		return;
	}
	/* The top view's rows only: a click on the help overlay selects
	 * nothing under it. */
	v = ui->stack[ui->depth - 1].view;
	if (v->on_mouse != NULL &&
	    v->on_mouse(ui, ui->stack[ui->depth - 1].state, ev.y)) {
		ui_dirty(ui);
		if (ui->click_ms != 0 && ev.y == ui->click_y &&
		    now - ui->click_ms < UI_DOUBLE_MS) {
			ui->click_ms = 0;
			ui_key(ui, 0, '\r');
		} else {
			ui->click_ms = now;
			ui->click_y = ev.y;
		}
		return;
	}
	ui->click_ms = 0;
}

void
ui_input(struct ui *ui)
{
	wint_t	ch;
	int	rc;

	if (ui == NULL)
		return;
	while ((rc = get_wch(&ch)) != ERR) {
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
			ui_dirty(ui);
			continue;
		}
		if (rc == KEY_CODE_YES && ch == KEY_MOUSE) {
			ui_mouse(ui);
			continue;
		}
		ui_key(ui, rc == KEY_CODE_YES, (int)ch);
		if (ui->app->quit)
			break;
	}
}

/* ---- the terminal */

/* The terminal modes and the colour scheme of the console's screen. */
static void
ui_modes(struct ui *ui)
{
	int	r;

	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	/* --theme, an option, overrides NO_COLOR (no-color.org). */
	ui->color = ui->app->opt.theme == CONSOLE_THEME_MONO ? 0 :
	    ui->app->opt.theme == CONSOLE_THEME_COLOR ? has_colors() :
	    ui_color_wanted(getenv("NO_COLOR"), has_colors());
	if (ui->color) {
		start_color();
		use_default_colors();
	}
	for (r = 0; r < UI_ROLE_COUNT; r++) {
		ui->roles[r] = ui_roles[r].attr;
		if (ui->color && ui_roles[r].fg >= 0) {
			init_pair((short)(r + 1), ui_roles[r].fg, -1);
			ui->roles[r] |= COLOR_PAIR(r + 1);
		}
	}
	/* Clicks and the wheel, unless --no-mouse (the terminal's own
	 * selection then).  No click resolution: a press is the click, so
	 * that no key waits for a release. */
	if (!ui->app->opt.no_mouse) {
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED,
		    NULL);
	}
	curs_set(1);
}

/* A ui on the current screen, with no view yet: the caller opens the
 * first (view_attempts_open()), so that the manager names no view. */
static struct ui *
ui_new(struct app *app)
{
	struct ui	*ui;

	ui = xcalloc(1, sizeof *ui);
	ui->app = app;
	ui_modes(ui);
	return ui;
}

static void
ui_free(struct ui *ui)
{
	while (ui->depth > 0) {
		ui->depth--;
		if (ui->stack[ui->depth].view->free != NULL)
			ui->stack[ui->depth].view->free(
			    ui->stack[ui->depth].state);
	}
	free(ui);
}

struct ui *
ui_start(struct app *app)
{
	initscr();
	return ui_new(app);
}

void
ui_stop(struct ui *ui)
{
	if (ui == NULL)
		return;
	endwin();
	ui_free(ui);
}

/*
 * The screen on other streams (ui-term.h), for bench/screen, with
 * ui_start()'s modes.
 */
static SCREEN	*ui_term_screen;

struct ui *
ui_start_term(struct app *app, const char *term, FILE *out, FILE *in)
{
	if (ui_term_screen != NULL)
		return NULL;
	if ((ui_term_screen = newterm(term, out, in)) == NULL)
		return NULL;
	set_term(ui_term_screen);
	return ui_new(app);
}

void
ui_stop_term(struct ui *ui)
{
	if (ui == NULL)
		return;
	endwin();
	if (ui_term_screen != NULL) {
		delscreen(ui_term_screen);
		ui_term_screen = NULL;
	}
	ui_free(ui);
}

/*
 * ---- the console as the views reach it: every call into app.c and
 * link.c from the screen is here.
 */

struct app *
ui_app(struct ui *ui)
{
	return ui->app;
}

struct attempt **
ui_attempts(struct ui *ui, size_t *n)
{
	app_sort(ui->app);
	*n = ui->app->model.nattempts;
	return ui->app->model.attempts;
}

void
ui_status(struct ui *ui, int error, const char *fmt, ...)
{
	va_list	ap;
	char	line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	app_status(ui->app, error, "%s", line);
}

void
ui_dirty(struct ui *ui)
{
	ui->app->model.dirty = 1;
}

void
ui_quit(struct ui *ui)
{
	ui->app->quit = 1;
	if (ui->app->ctx != NULL)	/* review browse has no lws loop */
		lws_cancel_service(ui->app->ctx);
}

struct flag *
ui_flag_top(struct attempt *a)
{
	return app_flag_top(a);
}

struct flag *
ui_flag_by_id(struct ui *ui, int64_t id)
{
	return app_flag_by_id(ui->app, id);
}

const struct reasons *
ui_reasons(struct ui *ui)
{
	return app_reasons(ui->app);
}

int
ui_decide(struct ui *ui, const struct decision *d,
    struct decision_result *dr, char *err, size_t errlen)
{
	/* Never reached from the browser's keys (ui_key); and never. */
	if (ui->app->browse != NULL) {
		snprintf(err, errlen, "%s", UI_READ_ONLY);
		return -1;
	}
	return app_decide(ui->app, d, dr, err, errlen);
}

struct bulk *
ui_bulk(struct ui *ui)
{
	return &ui->app->bulk;
}

int
ui_decide_bulk(struct ui *ui, const struct decision *d, char *err,
    size_t errlen)
{
	/* As ui_decide: never from the browser. */
	if (ui->app->browse != NULL) {
		snprintf(err, errlen, "%s", UI_READ_ONLY);
		return -1;
	}
	return app_decide_bulk(ui->app, d, err, errlen);
}

const char *
ui_who(struct ui *ui, char *buf, size_t len)
{
	if (ui->app->browse != NULL)
		snprintf(buf, len, "REVIEW (read-only) %s", ui->app->browse);
	else
		snprintf(buf, len, "proctor %s", ui->app->opt.proctor);
	return buf;
}

int
ui_notice(struct ui *ui, size_t i, char *out, size_t outsz)
{
	return app_notice(ui->app, i, out, outsz);
}

const char *
ui_sort_next(struct ui *ui)
{
	struct model	*m = &ui->app->model;

	model_set_order(m, (enum model_order)((m->order + 1) %
	    MODEL_ORDER_COUNT));
	return model_order_name(m->order);
}

const char *
ui_sort_name(struct ui *ui)
{
	return model_order_name(ui->app->model.order);
}

struct filter *
ui_filter(struct ui *ui)
{
	return &ui->filter;
}

struct attempt *
ui_selected(struct ui *ui)
{
	return ui->sel;
}

void
ui_select(struct ui *ui, struct attempt *a)
{
	ui->sel = a;
}

int
ui_offline_of(const struct attempt *a, void *arg)
{
	return ui_attempt_offline(arg, a);
}

void
ui_seen(struct ui *ui, struct attempt *a)
{
	model_seen(&ui->app->model, a);
}

int
ui_attempt_offline(struct ui *ui, const struct attempt *a)
{
	(void)ui;
	return a->offline;
}

const char *
ui_feed_state(int conn_state)
{
	return link_state_name((enum conn_state)conn_state);
}
