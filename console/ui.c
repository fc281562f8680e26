/*
 * ui.c - the proctor's screen: a header with the feeds and totals, the
 * attempts table in priority order, the tail of recent events, and a status
 * line that doubles as the reason prompt.
 *
 * Keys are one table (ui_keys) with a description per binding; the help
 * overlay is generated from it.  Every string from the wire passes through
 * proto_sanitize() before it is drawn, and is clipped by display columns,
 * not bytes.  State is never shown by colour alone: severities and states
 * are words, colour only repeats them (and NO_COLOR turns it off).
 */
#include <ctype.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "console/console.h"
#include "console/ui-term.h"

#define KEY_ESCAPE	27

enum ui_color {
	COLOR_PAIR_CRITICAL = 1,
	COLOR_PAIR_HIGH,
	COLOR_PAIR_MEDIUM,
	COLOR_PAIR_OK,
	COLOR_PAIR_BAD,
	COLOR_PAIR_TITLE
};

struct ui {
	struct app	       *app;
	int			color;
	struct attempt	       *sel;		/* selected attempt */
	size_t			top;		/* first row shown */
	int			help;		/* help overlay shown */
	int			table_y, table_rows;

	/* the reason prompt */
	const char	       *prompt_action;	/* NULL: not prompting */
	struct attempt	       *prompt_attempt;
	int64_t			prompt_flag;	/* the flag shown, 0: none */
	char			prompt[PROTO_TEXT_MAX + 1];
	size_t			prompt_len;
};

struct ui_key {
	int		key;
	int		alt;		/* second key, 0 if none */
	const char     *label;
	const char     *description;
	void		(*fn)(struct ui *, const char *);
	const char     *arg;
};

static void	key_move(struct ui *, const char *);
static void	key_decide(struct ui *, const char *);
static void	key_help(struct ui *, const char *);
static void	key_quit(struct ui *, const char *);

static const struct ui_key ui_keys[] = {
	{ KEY_UP, 'k', "Up/k", "select the attempt above", key_move, "up" },
	{ KEY_DOWN, 'j', "Down/j", "select the attempt below", key_move, "down" },
	{ KEY_PPAGE, 0, "PgUp", "one page up", key_move, "pgup" },
	{ KEY_NPAGE, 0, "PgDn", "one page down", key_move, "pgdn" },
	{ KEY_HOME, 'g', "Home/g", "first attempt", key_move, "home" },
	{ KEY_END, 'G', "End/G", "last attempt", key_move, "end" },
	{ 'd', 0, "d", "dismiss the attempt's top open flag", key_decide, "dismiss" },
	{ 'c', 0, "c", "confirm the attempt's top open flag", key_decide, "confirm" },
	{ 'e', 0, "e", "escalate the attempt to a supervisor", key_decide, "escalate" },
	{ 'n', 0, "n", "add a note to the attempt", key_decide, "note" },
	{ 'w', 0, "w", "warn the candidate (sent to the feed)", key_decide, "warn" },
	{ 'p', 0, "p", "pause the attempt (sent to the feed)", key_decide, "pause" },
	{ 'r', 0, "r", "resume a paused attempt (sent to the feed)", key_decide, "resume" },
	{ 't', 0, "t", "terminate the attempt (sent to the feed)", key_decide, "terminate" },
	{ '?', KEY_F(1), "?/F1", "show or hide this help", key_help, NULL },
	{ 'q', KEY_F(10), "q/F10", "quit (everything received is saved)", key_quit, NULL },
};

/* ---- drawing helpers */

/*
 * Draw a string from the wire at (y, x) in at most width columns: sanitised,
 * converted to wide characters, clipped by display width, padded.
 */
static void
ui_put(int y, int x, int width, const char *s)
{
	char		 clean[1024];
	wchar_t		 wbuf[1024], *w;
	mbstate_t	 st;
	const char	*src;
	int		 used = 0, cw;

	if (width <= 0)
		return;
	proto_sanitize(s, strlen(s), clean, sizeof clean);
	memset(&st, 0, sizeof st);
	src = clean;
	if (mbsrtowcs(wbuf, &src, sizeof wbuf / sizeof wbuf[0] - 1, &st) ==
	    (size_t)-1) {
		/* Not representable in this locale: show the bytes escaped. */
		mvaddnstr(y, x, "?", width);
		return;
	}
	wbuf[sizeof wbuf / sizeof wbuf[0] - 1] = L'\0';
	move(y, x);
	for (w = wbuf; *w != L'\0'; w++) {
		cw = wcwidth(*w);
		if (cw < 0)
			cw = 1;
		if (used + cw > width)
			break;
		addnwstr(w, 1);
		used += cw;
	}
	for (; used < width; used++)
		addch(' ');
}

static void
ui_attr(struct ui *ui, int pair, int on)
{
	if (!ui->color)
		return;
	if (on)
		attron(COLOR_PAIR(pair));
	else
		attroff(COLOR_PAIR(pair));
}

static int
severity_pair(int severity)
{
	if (severity >= STORE_SEV_CRITICAL)
		return COLOR_PAIR_CRITICAL;
	if (severity >= STORE_SEV_HIGH)
		return COLOR_PAIR_HIGH;
	return COLOR_PAIR_MEDIUM;
}

static void
format_clock(int64_t ms, char *out, size_t outsz)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	strftime(out, outsz, "%H:%M:%S", &tm);
}

/* ---- the three parts of the screen */

static int
draw_header(struct ui *ui, int cols)
{
	struct app		*app = ui->app;
	struct console_feed	*cf;
	struct feed_session	*fs;
	char			 line[512], clock[16], when[64];
	size_t			 n;
	int			 i, y = 1, shown, more;

	format_clock(proto_now_ms(), clock, sizeof clock);
	snprintf(line, sizeof line, " invigil  proctor %s | %zu candidates | "
	    "%.1f events/s | %" PRIu64 " open flags | %s",
	    app->opt.proctor, app->nattempts, app->events_per_sec,
	    app->open_flags, clock);
	attron(A_BOLD);
	ui_attr(ui, COLOR_PAIR_TITLE, 1);
	ui_put(0, 0, cols, line);
	ui_attr(ui, COLOR_PAIR_TITLE, 0);
	attroff(A_BOLD);

	if (app->opt.insecure) {
		attron(A_BOLD);
		ui_attr(ui, COLOR_PAIR_BAD, 1);
		ui_put(y++, 0, cols, " WARNING: --insecure: wss:// certificates "
		    "and host names are NOT verified");
		ui_attr(ui, COLOR_PAIR_BAD, 0);
		attroff(A_BOLD);
	}
	for (i = 0; i < app->nfeeds; i++, y++) {
		cf = &app->feeds[i];
		when[0] = '\0';
		if (cf->state == CONN_RETRYING || cf->state == CONN_REFUSED) {
			int64_t left = cf->next_try_ms - proto_now_ms();

			snprintf(when, sizeof when, " in %.1fs",
			    left > 0 ? (double)left / 1000.0 : 0.0);
		}
		fs = cf->session;
		snprintf(line, sizeof line, " feed %s  %s%s", fs != NULL ?
		    fs->id : "-", client_state_name(cf->state), when);
		ui_attr(ui, cf->state == CONN_LIVE ? COLOR_PAIR_OK :
		    COLOR_PAIR_BAD, 1);
		ui_put(y, 0, 34, line);
		ui_attr(ui, cf->state == CONN_LIVE ? COLOR_PAIR_OK :
		    COLOR_PAIR_BAD, 0);
		snprintf(line, sizeof line, "%s  seq %" PRId64 "  rejects %"
		    PRIu64 "  gaps %" PRIu64 "%s%s", cf->url, fs != NULL ?
		    fs->last_seq : 0, cf->early_rejects + (fs != NULL ?
		    fs->rejects : 0), fs != NULL ? fs->gaps : 0,
		    cf->last_error[0] &&
		    cf->state != CONN_LIVE ? "  " : "",
		    cf->state != CONN_LIVE ? cf->last_error : "");
		ui_put(y, 34, cols - 34, line);
	}
	/* A feed whose URL now answers as another: its attempts stay. */
	for (shown = i = 0; i < app->nsessions; i++) {
		fs = app->sessions[i];
		if (fs->replaced_by[0] == '\0' || fs->nattempts == 0)
			continue;
		if (++shown > 3)
			continue;
		snprintf(line, sizeof line, " feed %.64s  REPLACED: %.200s "
		    "answers as feed %.64s now; its %zu attempts are kept, commands to them "
		    "are not sent", fs->id, fs->replaced_url, fs->replaced_by,
		    fs->nattempts);
		ui_attr(ui, COLOR_PAIR_BAD, 1);
		ui_put(y++, 0, cols, line);
		ui_attr(ui, COLOR_PAIR_BAD, 0);
	}
	if (shown > 3) {
		snprintf(line, sizeof line, " ... and %d more replaced feeds",
		    shown - 3);
		ui_put(y++, 0, cols, line);
	}
	/* What the bounds did: clock skew, refused messages, full links;
	 * a few lines at most, however many feed ids a feed made up. */
	for (shown = more = n = 0; app_notice(app, n, line, sizeof line) == 0;
	    n++) {
		if (line[0] == '\0')
			continue;
		if (shown == 4) {
			more++;
			continue;
		}
		shown++;
		attron(A_BOLD);
		ui_attr(ui, COLOR_PAIR_BAD, 1);
		ui_put(y++, 0, cols, line);
		ui_attr(ui, COLOR_PAIR_BAD, 0);
		attroff(A_BOLD);
	}
	if (more > 0) {
		snprintf(line, sizeof line, " ... and %d more notices like these",
		    more);
		ui_put(y++, 0, cols, line);
	}
	return y;
}

static void
draw_table(struct ui *ui, int y, int rows, int cols)
{
	struct app	*app = ui->app;
	struct attempt	*a;
	size_t		 i, sel = 0;
	char		 buf[512], clock[16];
	int		 r, x, name_w;

	app_sort(app);
	if (ui->sel == NULL && app->nattempts > 0)
		ui->sel = app->attempts[0];
	for (i = 0; i < app->nattempts; i++) {
		if (app->attempts[i] == ui->sel) {
			sel = i;
			break;
		}
	}
	rows--;			/* the column titles */
	if (rows < 1)
		return;
	if (sel < ui->top)
		ui->top = sel;
	if (sel >= ui->top + (size_t)rows)
		ui->top = sel - (size_t)rows + 1;
	ui->table_y = y + 1;
	ui->table_rows = rows;

	/* Names get what the flags can spare: the flags say why. */
	name_w = cols - 100;
	if (name_w > 28)
		name_w = 28;
	if (name_w < 12)
		name_w = 12;
	attron(A_UNDERLINE);
	snprintf(buf, sizeof buf, " %-8s %-8s %-*s %-11s %6s  %-27s %4s %s",
	    "ATTEMPT", "CANDID.", name_w, "NAME", "STATE", "EVENTS",
	    "LAST EVENT", "RISK", "FLAGS");
	ui_put(y, 0, cols, buf);
	attroff(A_UNDERLINE);

	for (r = 0; r < rows && ui->top + (size_t)r < app->nattempts; r++) {
		a = app->attempts[ui->top + (size_t)r];
		if (a == ui->sel)
			attron(A_REVERSE);
		x = 0;
		ui_put(y + 1 + r, x, 1, a == ui->sel ? ">" : " ");
		x += 1;
		ui_put(y + 1 + r, x, 9, a->id);
		x += 9;
		ui_put(y + 1 + r, x, 9, a->candidate);
		x += 9;
		ui_put(y + 1 + r, x, name_w + 1, a->name);
		x += name_w + 1;
		/* A candidate in a network outage is not misbehaving. */
		ui_put(y + 1 + r, x, 12, a->feed->replaced_by[0] != '\0' ?
		    "REPLACED" : a->state == PROTO_STATE_IN_PROGRESS &&
		    rules_engine_outage(app->engine, a->feed->id, a->id) ?
		    "OFFLINE" : proto_state_name(a->state));
		x += 12;
		snprintf(buf, sizeof buf, "%6" PRIu64 "  ", a->events);
		ui_put(y + 1 + r, x, 8, buf);
		x += 8;
		if (a->has_event) {
			format_clock(a->last_ms, clock, sizeof clock);
			snprintf(buf, sizeof buf, "%s %s", clock,
			    proto_event_kind_name(a->last_kind));
		} else
			snprintf(buf, sizeof buf, "-");
		ui_put(y + 1 + r, x, 28, buf);
		x += 28;
		snprintf(buf, sizeof buf, "%4.0f ", a->risk);
		ui_put(y + 1 + r, x, 5, a->risk >= 0.5 ? buf : "   - ");
		x += 5;
		if (a->open_flags > 0) {
			const struct flag *f, *top = a->flags;

			for (f = a->flags; f != NULL; f = f->next) {
				if (f->severity > top->severity)
					top = f;
			}
			snprintf(buf, sizeof buf, "%s%s%d %s %s: %s",
			    a->pending_cmd, a->pending_cmd[0] ? " | " : "",
			    a->open_flags, store_severity_name(a->top_severity),
			    top->rule, top->message);
			if (a != ui->sel)
				ui_attr(ui, severity_pair(a->top_severity), 1);
			attron(A_BOLD);
			ui_put(y + 1 + r, x, cols - x, buf);
			attroff(A_BOLD);
			if (a != ui->sel)
				ui_attr(ui, severity_pair(a->top_severity), 0);
		} else {
			snprintf(buf, sizeof buf, "-%s%s", a->pending_cmd[0] ?
			    "  " : "", a->pending_cmd);
			ui_put(y + 1 + r, x, cols - x, buf);
		}
		if (a == ui->sel)
			attroff(A_REVERSE);
	}
	if (app->nattempts == 0)
		ui_put(y + 1, 1, cols - 1, "waiting for candidates...");
}

static void
draw_tail(struct ui *ui, int y, int rows, int cols)
{
	struct app		*app = ui->app;
	struct tail_line	*t;
	char			 clock[16], buf[320];
	size_t			 i, n;
	int			 r;

	attron(A_UNDERLINE);
	ui_put(y, 0, cols, " RECENT EVENTS");
	attroff(A_UNDERLINE);
	n = app->tail_count < (size_t)(rows - 1) ? app->tail_count :
	    (size_t)(rows - 1);
	for (r = 0, i = 0; i < n; i++, r++) {
		t = &app->tail[(app->tail_next + CONSOLE_TAIL - 1 - i) %
		    CONSOLE_TAIL];
		format_clock(t->ts_ms, clock, sizeof clock);
		snprintf(buf, sizeof buf, " %s %s %s", clock,
		    app->nsessions > 1 ? t->feed : "", t->text);
		ui_put(y + 1 + r, 0, cols, buf);
	}
}

static void
draw_help(int rows, int cols)
{
	size_t	i, n = sizeof ui_keys / sizeof ui_keys[0];
	int	w = 64, h = (int)n + 4, y0, x0;
	char	line[128];

	if (w > cols)
		w = cols;
	if (h > rows)
		h = rows;
	y0 = (rows - h) / 2;
	x0 = (cols - w) / 2;
	attron(A_REVERSE);
	ui_put(y0, x0, w, " invigil keys  (? or Esc closes)");
	attroff(A_REVERSE);
	for (i = 0; i < n && (int)i + 2 < h; i++) {
		snprintf(line, sizeof line, "  %-8s %s", ui_keys[i].label,
		    ui_keys[i].description);
		ui_put(y0 + 1 + (int)i, x0, w, line);
	}
	ui_put(y0 + 1 + (int)i, x0, w, "");
	ui_put(y0 + 2 + (int)i, x0, w,
	    "  Decisions ask for a reason and are saved before \"recorded\".");
}

void
ui_draw(struct ui *ui)
{
	struct app	*app;
	int		 rows, cols, y, table_rows, tail_rows;
	char		 line[PROTO_TEXT_MAX + 256];

	if (ui == NULL)
		return;
	app = ui->app;
	getmaxyx(stdscr, rows, cols);
	erase();
	y = draw_header(ui, cols);
	tail_rows = (rows - y - 2) / 3;
	if (tail_rows < 3)
		tail_rows = 0;
	table_rows = rows - y - 2 - tail_rows;
	draw_table(ui, y, table_rows, cols);
	if (tail_rows > 0)
		draw_tail(ui, y + table_rows, tail_rows, cols);

	/* The two bottom lines: status, then keys or the prompt. */
	if (app->status[0] != '\0') {
		if (app->status_error)
			ui_attr(ui, COLOR_PAIR_BAD, 1);
		ui_put(rows - 2, 0, cols, app->status);
		if (app->status_error)
			ui_attr(ui, COLOR_PAIR_BAD, 0);
	}
	if (ui->prompt_action != NULL) {
		char	what[48] = "";

		if (ui->prompt_flag != 0)
			snprintf(what, sizeof what, "flag %" PRId64 " of ",
			    ui->prompt_flag);
		snprintf(line, sizeof line, "Reason to %s %s%s (Enter records, "
		    "Esc cancels): %s", ui->prompt_action, what,
		    ui->prompt_attempt->id, ui->prompt);
		attron(A_BOLD);
		ui_put(rows - 1, 0, cols, line);
		attroff(A_BOLD);
	} else {
		attron(A_REVERSE);
		ui_put(rows - 1, 0, cols, " d dismiss  c confirm  w warn  "
		    "p pause  r resume  t terminate  e escalate  n note  "
		    "? help  q quit");
		attroff(A_REVERSE);
	}
	if (ui->help)
		draw_help(rows, cols);

	/* Leave the cursor where a screen reader should look. */
	if (ui->prompt_action != NULL)
		move(rows - 1, 0);
	else if (ui->sel != NULL && ui->table_rows > 0) {
		size_t i;

		for (i = 0; i < app->nattempts; i++) {
			if (app->attempts[i] == ui->sel)
				break;
		}
		if (i >= ui->top && i < ui->top + (size_t)ui->table_rows)
			move(ui->table_y + (int)(i - ui->top), 0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- keys */

static void
key_move(struct ui *ui, const char *how)
{
	struct app	*app = ui->app;
	size_t		 i, n = app->nattempts, page;

	if (n == 0)
		return;
	app_sort(app);
	for (i = 0; i < n; i++) {
		if (app->attempts[i] == ui->sel)
			break;
	}
	if (i == n)
		i = 0;
	page = ui->table_rows > 1 ? (size_t)ui->table_rows - 1 : 1;
	if (strcmp(how, "up") == 0 && i > 0)
		i--;
	else if (strcmp(how, "down") == 0 && i + 1 < n)
		i++;
	else if (strcmp(how, "pgup") == 0)
		i = i > page ? i - page : 0;
	else if (strcmp(how, "pgdn") == 0)
		i = i + page < n ? i + page : n - 1;
	else if (strcmp(how, "home") == 0)
		i = 0;
	else if (strcmp(how, "end") == 0)
		i = n - 1;
	ui->sel = app->attempts[i];
	app->dirty = 1;
}

static void
key_decide(struct ui *ui, const char *action)
{
	if (ui->sel == NULL) {
		app_status(ui->app, 1, "no attempt selected");
		return;
	}
	ui->prompt_action = action;
	ui->prompt_attempt = ui->sel;
	ui->prompt_flag = 0;
	/* Decide on the flag shown now, not whatever is on top at Enter. */
	if ((strcmp(action, "dismiss") == 0 || strcmp(action, "confirm") == 0)) {
		if (app_flag_top(ui->sel) == NULL) {
			app_status(ui->app, 1, "%s has no open flag to %s",
			    ui->sel->id, action);
			ui->prompt_action = NULL;
			return;
		}
		ui->prompt_flag = app_flag_top(ui->sel)->id;
	}
	ui->prompt[0] = '\0';
	ui->prompt_len = 0;
	ui->app->dirty = 1;
}

static void
key_help(struct ui *ui, const char *arg)
{
	(void)arg;
	ui->help = !ui->help;
	ui->app->dirty = 1;
}

static void
key_quit(struct ui *ui, const char *arg)
{
	(void)arg;
	ui->app->quit = 1;
	lws_cancel_service(ui->app->ctx);
}

/* A key while the reason prompt is open. */
static void
prompt_key(struct ui *ui, int is_key, wint_t ch)
{
	struct app	*app = ui->app;
	char		 err[512], mb[MB_LEN_MAX];
	int		 n;

	app->dirty = 1;
	if (!is_key && ch == KEY_ESCAPE) {
		ui->prompt_action = NULL;
		app_status(app, 0, "cancelled; nothing recorded");
		return;
	}
	if ((!is_key && (ch == '\n' || ch == '\r')) ||
	    (is_key && ch == KEY_ENTER)) {
		struct decision		d;
		struct decision_result	dr;

		memset(&d, 0, sizeof d);
		d.attempt = ui->prompt_attempt;
		d.action = ui->prompt_action;
		d.reason = ui->prompt;
		if (ui->prompt_flag != 0 && (d.flag = app_flag_by_id(app,
		    ui->prompt_flag)) == NULL) {
			app_status(app, 1, "flag %" PRId64 " is gone; nothing "
			    "recorded", ui->prompt_flag);
			ui->prompt_action = NULL;
			return;
		}
		if (app_decide(app, &d, &dr, err, sizeof err) != 0) {
			app_status(app, 1, "%s", err);
			if (ui->prompt_len > 0)
				ui->prompt_action = NULL;
			return;
		}
		ui->prompt_action = NULL;
		return;
	}
	if ((is_key && ch == KEY_BACKSPACE) ||
	    (!is_key && (ch == 127 || ch == 8))) {
		/* Remove one whole UTF-8 character. */
		while (ui->prompt_len > 0) {
			ui->prompt_len--;
			if (((unsigned char)ui->prompt[ui->prompt_len] & 0xc0) !=
			    0x80)
				break;
		}
		ui->prompt[ui->prompt_len] = '\0';
		return;
	}
	if (is_key || ch < 32)
		return;
	n = wctomb(mb, (wchar_t)ch);
	if (n <= 0 || ui->prompt_len + (size_t)n >= sizeof ui->prompt)
		return;
	memcpy(ui->prompt + ui->prompt_len, mb, (size_t)n);
	ui->prompt_len += (size_t)n;
	ui->prompt[ui->prompt_len] = '\0';
}

void
ui_input(struct ui *ui)
{
	wint_t	ch;
	int	rc;
	size_t	i;

	if (ui == NULL)
		return;
	while ((rc = get_wch(&ch)) != ERR) {
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
			ui->app->dirty = 1;
			continue;
		}
		if (ui->prompt_action != NULL) {
			prompt_key(ui, rc == KEY_CODE_YES, ch);
			continue;
		}
		if (ui->help && rc == OK && ch == KEY_ESCAPE) {
			ui->help = 0;
			ui->app->dirty = 1;
			continue;
		}
		for (i = 0; i < sizeof ui_keys / sizeof ui_keys[0]; i++) {
			int key = ui_keys[i].key, alt = ui_keys[i].alt;
			int fkey = rc == KEY_CODE_YES;

			/* Function keys are > 255; printable keys are not. */
			if ((key == (int)ch && (key > 255) == fkey) ||
			    (alt != 0 && alt == (int)ch && (alt > 255) == fkey)) {
				ui_keys[i].fn(ui, ui_keys[i].arg);
				break;
			}
		}
		if (ui->app->quit)
			break;
	}
}

/* The terminal modes and colours of the console's screen. */
static void
ui_modes(struct ui *ui)
{
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	if (has_colors() && getenv("NO_COLOR") == NULL) {
		start_color();
		use_default_colors();
		init_pair(COLOR_PAIR_CRITICAL, COLOR_RED, -1);
		init_pair(COLOR_PAIR_HIGH, COLOR_MAGENTA, -1);
		init_pair(COLOR_PAIR_MEDIUM, COLOR_YELLOW, -1);
		init_pair(COLOR_PAIR_OK, COLOR_GREEN, -1);
		init_pair(COLOR_PAIR_BAD, COLOR_RED, -1);
		init_pair(COLOR_PAIR_TITLE, COLOR_CYAN, -1);
		ui->color = 1;
	}
	curs_set(1);
}

struct ui *
ui_start(struct app *app)
{
	struct ui	*ui;

	ui = calloc(1, sizeof *ui);
	if (ui == NULL)
		abort();
	ui->app = app;
	initscr();
	ui_modes(ui);
	return ui;
}

void
ui_stop(struct ui *ui)
{
	if (ui == NULL)
		return;
	endwin();
	free(ui);
}

/*
 * The screen on other streams (ui-term.h), for bench/screen, with
 * ui_start()'s modes.
 */
static SCREEN	*ui_term_screen;

struct ui *
ui_start_term(struct app *app, const char *term, FILE *out, FILE *in)
{
	struct ui	*ui;

	if (ui_term_screen != NULL)
		return NULL;
	if ((ui_term_screen = newterm(term, out, in)) == NULL)
		return NULL;
	set_term(ui_term_screen);
	ui = calloc(1, sizeof *ui);
	if (ui == NULL)
		abort();
	ui->app = app;
	ui_modes(ui);
	return ui;
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
	free(ui);
}
