/*
 * check_views.c - unit tests of the screen's views: the key tables, the key
 * bar and the help lines are generated from decide.h's act table (this
 * suite is built with -DINVIGIL_TEST_ACT, which adds the act "recheck" on
 * x: it must be a key of the attempts view, a word of the key bar and a
 * line of the help, with no edit outside decide.c), the NO_COLOR rule
 * (no-color.org: set and non-empty turns colour off, empty does not), and
 * the same on a real ncurses screen on /dev/null, driven with unget_wch();
 * the detail view's keys and its pure parts (ages, the layout, scrolling,
 * what a flag adds to the risk), and Enter and Esc between the two views;
 * the flags queue's keys and pure parts (its order, ages, LATE) and Tab
 * round the top-level views on the screen, the queue's rows in order.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/console.h"
#include "console/decide.h"
#include "console/ui-term.h"
#include "console/view-cols.h"
#include "console/view-detail.h"
#include "console/view-queue.h"
#include "console/view.h"
#include "tests/check_main.h"

static const char recheck_help[] = "  y        ask for the attempt to be "
    "rechecked";

START_TEST(test_act_is_a_key)
{
	struct view_binding	 b;
	const struct act	*recheck = act_find("recheck");
	size_t			 i;

	ck_assert_ptr_nonnull(recheck);
	ck_assert_int_eq(view_binding_find(&view_attempts, 'y', 0, &b), 0);
	ck_assert_ptr_eq(b.act, recheck);
	ck_assert_ptr_nonnull(b.fn);
	/* A function key with the same code is not x. */
	ck_assert_int_eq(view_binding_find(&view_attempts, 'y', 1, &b), -1);
	/* Every act, by its own key. */
	for (i = 0; i < act_count; i++) {
		ck_assert_int_eq(view_binding_find(&view_attempts,
		    act_table[i].key, 0, &b), 0);
		ck_assert_ptr_eq(b.act, &act_table[i]);
	}
	/* The view's own keys are still there, function keys too. */
	ck_assert_int_eq(view_binding_find(&view_attempts, KEY_F(1), 1, &b), 0);
	ck_assert_str_eq(b.name, "?/F1");
	ck_assert_int_eq(view_binding_find(&view_attempts, 'j', 0, &b), 0);
	ck_assert_str_eq(b.arg, "down");
}
END_TEST

START_TEST(test_act_on_the_bar)
{
	char	bar[512];
	size_t	n;

	n = view_keybar(&view_attempts, bar, sizeof bar);
	ck_assert_uint_eq(n, strlen(bar));
	ck_assert_str_eq(bar, " d dismiss  c confirm  w warn  p pause  "
	    "r resume  t terminate  e escalate  o note  y recheck  ? help  "
	    "q quit");
	/* Cut at a word, never inside one, and the help and quit words
	 * kept at the end however narrow (? is where the rest is found). */
	n = view_keybar(&view_attempts, bar, 38);
	ck_assert_str_eq(bar, " d dismiss  c confirm  ? help  q quit");
	n = view_keybar(&view_attempts, bar, 37);
	ck_assert_str_eq(bar, " d dismiss  ? help  q quit");
	n = view_keybar(&view_attempts, bar, 25);
	ck_assert_str_eq(bar, " ? help  q quit");
}
END_TEST

START_TEST(test_act_in_the_help)
{
	char	line[256];
	size_t	i, acts = 0;
	int	found = 0, sort = 0, find = 0;

	for (i = 0; view_help_line(&view_attempts, i, line, sizeof line) == 0;
	    i++) {
		if (strcmp(line, recheck_help) == 0)
			found++;
		if (strncmp(line, "  s        sort by the next of: risk, last "
		    "event, attempt, name, centre", 70) == 0)
			sort++;
		if (act_by_key(line[2]) != NULL && line[3] == ' ')
			acts++;
		find += strncmp(line, "  /        filter by text as typed", 34) ==
		    0;
		find += strncmp(line, "  n        next row the filter shows",
		    36) == 0;
		find += strcmp(line, "  1-6      show: active paused offline "
		    "missing flagged submitted") == 0;
		find += strncmp(line, "  b        group by: none, centre, feed",
		    39) == 0;
	}
	ck_assert_int_eq(find, 4);	/* find and filter, from the table */
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(sort, 1);	/* s, from the key table */
	ck_assert_uint_eq(acts, act_count);
	/* One line per binding (s, b, /, n, N, 1-6, 0, Space, u, Tab and
	 * Shift-Tab too), a blank line, the note. */
	ck_assert_uint_eq(i, 8 + act_count + 6 + 2 + 2 + 2 + 2);
	ck_assert_int_eq(view_help_line(&view_attempts, i - 2, line,
	    sizeof line), 0);
	ck_assert_str_eq(line, "");
	ck_assert_int_eq(view_help_line(&view_attempts, i - 1, line,
	    sizeof line), 0);
	ck_assert_str_eq(line, "  An act asks a reason code (a picker), then "
	    "words; saved before \"recorded\".");
	ck_assert_int_eq(view_help_line(&view_attempts, 0, line, sizeof line),
	    0);
	ck_assert_str_eq(line, "  Up/k     select the attempt above");
}
END_TEST

/* The picker's keys: on its own bar and in the help ? shows over it. */
START_TEST(test_picker_keys)
{
	struct view_binding	b;
	char			bar[256], line[256];
	size_t			i;
	int			enter = 0, esc = 0, note = 0;

	view_keybar(&view_picker, bar, sizeof bar);
	ck_assert_str_eq(bar, " Up up  Down down  Enter pick  Esc cancel  "
	    "? help");
	for (i = 0; view_help_line(&view_picker, i, line, sizeof line) == 0;
	    i++) {
		enter |= strcmp(line, "  Enter    pick the code, then say why "
		    "in words") == 0;
		esc |= strcmp(line, "  Esc      cancel: nothing is recorded")
		    == 0;
		note |= strstr(line, "first letters to narrow the list") !=
		    NULL;
	}
	ck_assert(enter && esc && note);
	/* Enter as the terminal sends it, and the keypad's. */
	ck_assert_int_eq(view_binding_find(&view_picker, '\r', 0, &b), 0);
	ck_assert_str_eq(b.name, "Enter");
	ck_assert_int_eq(view_binding_find(&view_picker, 27, 0, &b), 0);
	ck_assert_str_eq(b.name, "Esc");
	/* Letters are not keys of the table: they narrow the list. */
	ck_assert_int_eq(view_binding_find(&view_picker, 's', 0, &b), -1);
}
END_TEST

START_TEST(test_no_color_rule)
{
	ck_assert_int_eq(ui_color_wanted(NULL, 1), 1);
	ck_assert_int_eq(ui_color_wanted("", 1), 1);	/* empty: unset */
	ck_assert_int_eq(ui_color_wanted("1", 1), 0);
	ck_assert_int_eq(ui_color_wanted("0", 1), 0);	/* any value */
	ck_assert_int_eq(ui_color_wanted(NULL, 0), 0);
	ck_assert_int_eq(ui_color_wanted("", 0), 0);
}
END_TEST

/* ---- the detail view */

START_TEST(test_detail_keys)
{
	struct view_binding	b;

	/* Enter opens it from the table (nonl(): Enter is '\r'). */
	ck_assert_int_eq(view_binding_find(&view_attempts, '\r', 0, &b), 0);
	ck_assert_str_eq(b.name, "Enter");
	ck_assert_int_eq(view_binding_find(&view_attempts, KEY_ENTER, 1, &b),
	    0);
	ck_assert_str_eq(b.name, "Enter");
	/* Esc and q go back; F10 quits; q does not quit from here. */
	ck_assert_int_eq(view_binding_find(&view_detail, 27, 0, &b), 0);
	ck_assert_str_eq(b.name, "Esc/q");
	ck_assert_int_eq(view_binding_find(&view_detail, 'q', 0, &b), 0);
	ck_assert_str_eq(b.name, "Esc/q");
	ck_assert_int_eq(view_binding_find(&view_detail, KEY_F(10), 1, &b), 0);
	ck_assert_str_eq(b.name, "F10");
	ck_assert_int_eq(view_binding_find(&view_detail, '\t', 0, &b), 0);
	ck_assert_str_eq(b.arg, "next");
	ck_assert_int_eq(view_binding_find(&view_detail, KEY_BTAB, 1, &b), 0);
	ck_assert_str_eq(b.arg, "prev");
	ck_assert_int_eq(view_binding_find(&view_detail, '1', 0, &b), 0);
	/* Every act works here, the test act too. */
	ck_assert_int_eq(view_binding_find(&view_detail, 'y', 0, &b), 0);
	ck_assert_ptr_nonnull(b.act);
	ck_assert_str_eq(b.act->name, "recheck");
	ck_assert_int_eq(view_binding_find(&view_detail, 'd', 0, &b), 0);
	ck_assert_str_eq(b.act->name, "dismiss");
}
END_TEST

START_TEST(test_detail_age)
{
	char	buf[16];

	detail_age(-5000, buf, sizeof buf);
	ck_assert_str_eq(buf, "0s");
	detail_age(59999, buf, sizeof buf);
	ck_assert_str_eq(buf, "59s");
	detail_age(60000, buf, sizeof buf);
	ck_assert_str_eq(buf, "1m");
	detail_age(3599999, buf, sizeof buf);
	ck_assert_str_eq(buf, "59m");
	detail_age(3600000, buf, sizeof buf);
	ck_assert_str_eq(buf, "1h");
	detail_age(2 * 86400000LL + 5, buf, sizeof buf);
	ck_assert_str_eq(buf, "2d");
	detail_age(INT64_MAX, buf, sizeof buf);
	ck_assert_str_eq(buf, "long");
}
END_TEST

START_TEST(test_detail_layout)
{
	struct detail_layout	l;

	/* 80x24: 22 rows; three flag lines of five, the linked line. */
	detail_layout(22, 5, 1, &l);
	ck_assert_int_eq(l.facts, 3);
	ck_assert_int_eq(l.flags, 3);
	ck_assert_int_eq(l.linked, 1);
	ck_assert_int_eq(l.timeline_y, 3 + 1 + 3 + 1);
	ck_assert_int_eq(l.timeline_y + 1 + l.timeline, 22);
	/* 120x40: six flag lines at most. */
	detail_layout(38, 20, 0, &l);
	ck_assert_int_eq(l.flags, 6);
	ck_assert_int_eq(l.linked, 0);
	ck_assert_int_eq(l.timeline_y, 3 + 1 + 6);
	ck_assert_int_eq(l.timeline_y + 1 + l.timeline, 38);
	/* Fewer flags than room: each its line. */
	detail_layout(38, 2, 3, &l);
	ck_assert_int_eq(l.flags, 2);
	ck_assert_int_eq(l.timeline_y, 3 + 1 + 2 + 1);
	/* No flags: the timeline right under the risk line. */
	detail_layout(22, 0, 0, &l);
	ck_assert_int_eq(l.flags, 0);
	ck_assert_int_eq(l.timeline_y, 4);
	/* A tiny screen: nothing negative. */
	detail_layout(2, 9, 9, &l);
	ck_assert_int_ge(l.timeline, 0);
	ck_assert_int_ge(l.flags, 0);
}
END_TEST

START_TEST(test_detail_scroll)
{
	/* The wanted row a third from the top. */
	ck_assert_uint_eq(detail_scroll_to(100, 30, 50), 40);
	ck_assert_uint_eq(detail_scroll_to(100, 30, 3), 0);
	/* Near the end: the last page, not past it. */
	ck_assert_uint_eq(detail_scroll_to(100, 30, 99), 70);
	/* Everything fits. */
	ck_assert_uint_eq(detail_scroll_to(10, 30, 5), 0);
	ck_assert_uint_eq(detail_scroll_clamp(500, 100, 30), 70);
	ck_assert_uint_eq(detail_scroll_clamp(12, 100, 30), 12);
	ck_assert_uint_eq(detail_scroll_clamp(12, 20, 30), 0);
}
END_TEST

START_TEST(test_flag_risk)
{
	struct flag	*f = flags_new("m");
	int64_t		 now = 10LL * 3600 * 1000;

	f->weight = 10;
	f->state = STORE_FLAG_OPEN;
	ck_assert_double_eq_tol(flag_risk(f, now), 10, 1e-9);
	f->state = STORE_FLAG_CONFIRMED;
	ck_assert_double_eq_tol(flag_risk(f, now), 20, 1e-9);
	f->state = STORE_FLAG_DISMISSED;
	f->closed_ms = now - 15 * 60 * 1000;
	ck_assert_double_eq_tol(flag_risk(f, now), 5, 1e-9);
	f->closed_ms = now;
	ck_assert_double_eq_tol(flag_risk(f, now), 10, 1e-9);
	free(f);
}
END_TEST

/* ---- on a real ncurses screen */

static struct app	 app;
static struct ui	*ui;
static FILE		*out, *in;
static const char	*screen_cols = "120";	/* the next screen_open's */

/* The console's screen on /dev/null, 40x120, with nothing received. */
static void
screen_open(const char *no_color)
{
	memset(&app, 0, sizeof app);
	app.opt.proctor = "unit";
	app.rules = rules_default();
	app.engine = rules_engine_new(app.rules);
	if (no_color != NULL)
		setenv("NO_COLOR", no_color, 1);
	else
		unsetenv("NO_COLOR");
	setenv("LINES", "40", 1);
	setenv("COLUMNS", screen_cols, 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(in);
	ui = ui_start_term(&app, "xterm-256color", out, in);
	ck_assert_ptr_nonnull(ui);
	ck_assert_int_eq(view_attempts_open(ui), 0);
	app.ui = ui;
	ui_draw(ui);
}

static void
screen_close(void)
{
	ui_stop_term(ui);
	fclose(out);
	fclose(in);
	rules_engine_free(app.engine);
	rules_free(app.rules);
}

/* Row y of the screen as text, trailing blanks kept. */
static const char *
screen_row(int y)
{
	static char	row[256];

	mvinnstr(y, 0, row, 120);
	return row;
}

static int
screen_has(const char *s)
{
	int	y;

	for (y = 0; y < 40; y++) {
		if (strstr(screen_row(y), s) != NULL)
			return 1;
	}
	return 0;
}

static void
press(int ch)
{
	unget_wch((wchar_t)ch);
	ui_input(ui);
	ui_draw(ui);
}

/* A function key (KEY_*), as get_wch() gives it. */
static void
press_key(int key)
{
	ungetch(key);
	ui_input(ui);
	ui_draw(ui);
}

/* Each character of s, as typed. */
static void
type(const char *s)
{
	for (; *s != '\0'; s++)
		press((unsigned char)*s);
}

START_TEST(test_screen_bar_and_help)
{
	screen_open(NULL);
	ck_assert_ptr_nonnull(strstr(screen_row(39), " y recheck  ? help"));
	ck_assert_int_eq(screen_has(recheck_help), 0);
	press('?');
	ck_assert_int_eq(screen_has(" invigil keys  (? or Esc closes)"), 1);
	ck_assert_int_eq(screen_has(recheck_help), 1);
	/* The bar under the overlay is still the attempts view's. */
	ck_assert_ptr_nonnull(strstr(screen_row(39), " y recheck"));
	press(27);
	ck_assert_int_eq(screen_has(recheck_help), 0);
	/* y is bound: with nothing to act on it says so. */
	press('y');
	ck_assert_ptr_nonnull(strstr(screen_row(38), "no attempt selected"));
	screen_close();
}
END_TEST

/* The first cell of the title with NO_COLOR set to no_color. */
static chtype
title_cell(const char *no_color)
{
	chtype	c;

	screen_open(no_color);
	c = mvinch(0, 1);
	screen_close();
	return c;
}

START_TEST(test_screen_no_color)
{
	chtype	mono = title_cell("1"), empty = title_cell(""),
		unset = title_cell(NULL);

	/* NO_COLOR=1: the title is bold, in no colour. */
	ck_assert((mono & A_BOLD) != 0);
	ck_assert_int_eq((int)PAIR_NUMBER(mono & A_COLOR), 0);
	/* NO_COLOR= (empty) does not count: colour, as when unset. */
	ck_assert((empty & A_BOLD) != 0);
	ck_assert_int_ne((int)PAIR_NUMBER(empty & A_COLOR), 0);
	ck_assert_int_eq((int)PAIR_NUMBER(empty & A_COLOR),
	    (int)PAIR_NUMBER(unset & A_COLOR));
}
END_TEST

/*
 * Enter on the table opens the selected attempt's detail (its facts from
 * the model, its flag and what it adds; the timeline says why it cannot
 * be read: no database here), Esc goes back.
 */
START_TEST(test_screen_detail)
{
	struct feed_session	*fs;
	struct attempt		*a;
	struct flag		*f;
	char			 err[128];

	/* The name's wide characters need a UTF-8 locale to be drawn. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		ck_assert_ptr_nonnull(setlocale(LC_ALL, "en_US.UTF-8"));
	screen_open(NULL);
	app.opt.db = "/nonexistent/invigil-check-views.db";
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	a = model_attempt_get(&app.model, fs, "A7");
	snprintf(a->candidate, sizeof a->candidate, "C7");
	snprintf(a->name, sizeof a->name, "\xe7\x8e\x8b\xe8\x8a\xb3 Wang");
	f = flags_new("pasted 400 chars");
	f->id = 42;
	f->rule = flags_rule_name(&app.model.flagset, "copy_paste");
	f->severity = PROTO_SEV_HIGH;
	f->weight = 30;
	f->state = STORE_FLAG_OPEN;
	f->attempt = a;
	flags_put(&a->flags, &a->closed, f);
	model_recount(&app.model, a);
	ui_draw(ui);
	press('\r');
	ck_assert_ptr_nonnull(strstr(screen_row(0), " ATTEMPT A7  "));
	ck_assert_ptr_nonnull(strstr(screen_row(0), " Wang (C7)  feed f1"));
	ck_assert_ptr_nonnull(strstr(screen_row(3), " RISK 30: 1 flag"));
	ck_assert_ptr_nonnull(strstr(screen_row(4), "> +30.0  flag 42 high "
	    "copy_paste  weight 30  open"));
	ck_assert_int_eq(screen_has(" TIMELINE: "), 1);
	ck_assert_int_eq(screen_has("/nonexistent/"), 1);
	ck_assert_ptr_nonnull(strstr(screen_row(39), " Esc/q back  Tab/] flag"));
	/* The help is the detail's, and Esc closes it, not the detail. */
	press('?');
	ck_assert_int_eq(screen_has("back to the view this detail was opened "
	    "from"), 1);
	ck_assert_int_eq(screen_has("*: the selected flag's evidence"), 1);
	press(27);
	ck_assert_int_eq(screen_has("back to the view this detail"), 0);
	/* Its outcome among the facts: no case opened, valid. */
	ck_assert_ptr_nonnull(strstr(screen_row(1), " state ") );
	ck_assert_ptr_nonnull(strstr(screen_row(1), "  outcome valid  "));
	ck_assert_ptr_nonnull(strstr(screen_row(0), " ATTEMPT A7  "));
	press(27);
	ck_assert_ptr_nonnull(strstr(screen_row(0), " invigil  proctor unit"));
	model_free(&app.model);
	screen_close();
	setlocale(LC_ALL, "C");
}
END_TEST

/* ---- the flags queue */

START_TEST(test_queue_keys)
{
	const struct view	*top[] = { &view_attempts, &view_queue,
				    &view_journal };
	struct view_binding	 b;
	size_t			 i;

	/* Tab and Shift-Tab cycle on every top-level view. */
	for (i = 0; i < sizeof top / sizeof top[0]; i++) {
		ck_assert_int_eq(view_binding_find(top[i], '\t', 0, &b), 0);
		ck_assert_ptr_eq(b.fn, view_key_cycle);
		ck_assert_str_eq(b.arg, "next");
		ck_assert_int_eq(view_binding_find(top[i], KEY_BTAB, 1, &b), 0);
		ck_assert_ptr_eq(b.fn, view_key_cycle);
		ck_assert_str_eq(b.arg, "prev");
		ck_assert_int_eq(view_binding_find(top[i], '\r', 0, &b), 0);
		ck_assert_str_eq(b.name, "Enter");
	}
	/* The detail keeps Tab for its flags. */
	ck_assert_int_eq(view_binding_find(&view_detail, '\t', 0, &b), 0);
	ck_assert_ptr_ne(b.fn, view_key_cycle);
	/* Every act on the queue, the test act too; none on the journal. */
	ck_assert_int_eq(view_binding_find(&view_queue, 'y', 0, &b), 0);
	ck_assert_str_eq(b.act->name, "recheck");
	ck_assert_int_eq(view_binding_find(&view_queue, 'd', 0, &b), 0);
	ck_assert_str_eq(b.act->name, "dismiss");
	ck_assert_int_eq(view_binding_find(&view_journal, 'd', 0, &b), -1);
}
END_TEST

START_TEST(test_list_move)
{
	ck_assert_uint_eq(view_list_move("up", 0, 5, 2), 0);
	ck_assert_uint_eq(view_list_move("up", 3, 5, 2), 2);
	ck_assert_uint_eq(view_list_move("down", 4, 5, 2), 4);
	ck_assert_uint_eq(view_list_move("down", 3, 5, 2), 4);
	ck_assert_uint_eq(view_list_move("pgdn", 1, 5, 2), 3);
	ck_assert_uint_eq(view_list_move("pgdn", 3, 5, 2), 4);
	ck_assert_uint_eq(view_list_move("pgup", 3, 5, 2), 1);
	ck_assert_uint_eq(view_list_move("pgup", 1, 5, 2), 0);
	ck_assert_uint_eq(view_list_move("home", 3, 5, 2), 0);
	ck_assert_uint_eq(view_list_move("end", 0, 5, 2), 4);
	/* A selection gone from the list starts again at the top. */
	ck_assert_uint_eq(view_list_move("down", 9, 5, 2), 1);
	ck_assert_uint_eq(view_list_move("end", 0, 0, 2), 0);
}
END_TEST

START_TEST(test_queue_order)
{
	struct queue_row	r[7] = {
		{ NULL, 0, PROTO_SEV_LOW, 1000, 1 },
		{ NULL, 0, PROTO_SEV_CRITICAL, 9000, 2 },
		{ NULL, 0, PROTO_SEV_HIGH, 500, 3 },
		{ NULL, 1, PROTO_SEV_INFO, 8000, 6 },
		{ NULL, 0, PROTO_SEV_CRITICAL, 3000, 5 },
		{ NULL, 0, PROTO_SEV_CRITICAL, 3000, 4 },
		{ NULL, 1, PROTO_SEV_INFO, 7000, 7 },
	};
	int64_t			want[7] = { 7, 6, 4, 5, 2, 3, 1 };
	size_t			i;

	/* Requests first (the oldest first), then severity, then the
	 * oldest, then the id. */
	qsort(r, 7, sizeof r[0], queue_cmp);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(r[i].id, want[i]);
	ck_assert_int_eq(queue_cmp(&r[0], &r[0]), 0);
}
END_TEST

START_TEST(test_queue_age)
{
	char	buf[16];

	queue_age(-5000, buf, sizeof buf);
	ck_assert_str_eq(buf, "0s");
	queue_age(59999, buf, sizeof buf);
	ck_assert_str_eq(buf, "59s");
	queue_age(252000, buf, sizeof buf);
	ck_assert_str_eq(buf, "4m12s");
	queue_age(60000, buf, sizeof buf);
	ck_assert_str_eq(buf, "1m00s");
	queue_age(3600000 + 5 * 60000 + 59999, buf, sizeof buf);
	ck_assert_str_eq(buf, "1h05m");
	queue_age(2 * 86400000LL + 7 * 3600000LL, buf, sizeof buf);
	ck_assert_str_eq(buf, "2d07h");
	queue_age(INT64_MAX, buf, sizeof buf);
	ck_assert_str_eq(buf, "long");
	/* Late is strictly past the response time. */
	ck_assert_int_eq(queue_late(120000, 120), 0);
	ck_assert_int_eq(queue_late(120001, 120), 1);
	ck_assert_int_eq(queue_late(-1, 1), 0);
}
END_TEST

/* An open flag id of severity sev on a, raised at first_ms. */
static struct flag *
flag_on(struct attempt *a, int64_t id, const char *rule, int sev,
    int64_t first_ms)
{
	struct flag	*f = flags_new("why");

	f->id = id;
	f->rule = flags_rule_name(&app.model.flagset, rule);
	f->severity = (enum proto_severity)sev;
	f->state = STORE_FLAG_OPEN;
	f->first_ms = first_ms;
	f->attempt = a;
	flags_put(&a->flags, &a->closed, f);
	model_recount(&app.model, a);
	return f;
}

/*
 * Tab shows the queue: the flags of both attempts, the critical one
 * first, then the high ones oldest first, the one past --response-secs
 * LATE; Tab again the journal (no database here: it says so), and round
 * to the attempts.
 */
START_TEST(test_screen_queue)
{
	struct feed_session	*fs;
	struct attempt		*a, *b;
	int64_t			 now = proto_now_ms();
	char			 err[128];

	screen_open(NULL);
	app.opt.db = "/nonexistent/invigil-check-views.db";
	app.opt.response_secs = 60;
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	fs->clock_ms = now;
	fs->skew_ms = 0;
	a = model_attempt_get(&app.model, fs, "A1");
	snprintf(a->candidate, sizeof a->candidate, "C1");
	b = model_attempt_get(&app.model, fs, "B2");
	snprintf(b->candidate, sizeof b->candidate, "C2");
	flag_on(a, 11, "gaze_away", PROTO_SEV_HIGH, now - 30000);
	flag_on(b, 12, "copy_paste", PROTO_SEV_HIGH, now - 252000);
	flag_on(a, 13, "second_face", PROTO_SEV_CRITICAL, now - 1000);
	flag_on(b, 14, "raise_hand", PROTO_SEV_INFO, now - 5000);
	press('\t');
	ck_assert_ptr_nonnull(strstr(screen_row(0), " invigil  FLAGS QUEUE  "
	    "proctor unit | requests: 1 (a acknowledges) | open flags: 4 | "
	    "late: 1 (over 60s)"));
	ck_assert_ptr_nonnull(strstr(screen_row(2), ">B2 "));
	ck_assert_ptr_nonnull(strstr(screen_row(2), " 14 REQUEST  raise_hand "));
	ck_assert_ptr_nonnull(strstr(screen_row(3), " A1 "));
	ck_assert_ptr_nonnull(strstr(screen_row(3), " 13 critical second_face"));
	ck_assert_ptr_nonnull(strstr(screen_row(4), " B2 "));
	ck_assert_ptr_nonnull(strstr(screen_row(4), " 12 high     copy_paste"));
	ck_assert_ptr_nonnull(strstr(screen_row(4), " 4m1"));
	ck_assert_ptr_nonnull(strstr(screen_row(4), " LATE "));
	ck_assert_ptr_nonnull(strstr(screen_row(5), " 11 high     gaze_away"));
	ck_assert_ptr_null(strstr(screen_row(5), "LATE"));
	/* a on a flag that is no request: the attempt has none to take. */
	press('j');
	ck_assert_ptr_nonnull(strstr(screen_row(3), ">A1 "));
	press('a');
	ck_assert_ptr_nonnull(strstr(screen_row(38), "A1 has no open request "
	    "to ack_request"));
	ck_assert_ptr_nonnull(strstr(screen_row(39), " Tab view "));
	/* The help is the queue's. */
	press('?');
	ck_assert_int_eq(screen_has("next view: attempts, flags queue, "
	    "journal"), 1);
	press(27);
	/* The shared filter: a rule, then a state of the flag's attempt. */
	press('/');
	type("gaze");
	press('\r');
	ck_assert_ptr_nonnull(strstr(screen_row(1), " 1 active 0  2 paused 0 "));
	ck_assert_ptr_nonnull(strstr(screen_row(2), " filter \"gaze\" | 1 of 4 "
	    "open flags shown"));
	ck_assert_ptr_nonnull(strstr(screen_row(4), ">A1 "));
	ck_assert_ptr_nonnull(strstr(screen_row(4), " 11 high     gaze_away"));
	ck_assert_int_eq(screen_has("copy_paste"), 0);
	press('/');
	press(27);
	b->state = PROTO_STATE_PAUSED;
	press('2');
	ck_assert_ptr_nonnull(strstr(screen_row(1), "[2 PAUSED 1]"));
	ck_assert_ptr_nonnull(strstr(screen_row(2), "2 of 4 open flags shown"));
	ck_assert_int_eq(screen_has("gaze_away"), 0);
	ck_assert_int_eq(screen_has(" 12 high     copy_paste"), 1);
	ck_assert_int_eq(screen_has(" 14 REQUEST  raise_hand"), 1);
	press('0');
	ck_assert_ptr_nonnull(strstr(screen_row(2), ">B2 "));
	press('\t');
	ck_assert_ptr_nonnull(strstr(screen_row(0), " invigil  JOURNAL  "
	    "proctor unit"));
	ck_assert_int_eq(screen_has("/nonexistent/"), 1);
	press('\t');
	ck_assert_ptr_nonnull(strstr(screen_row(0), " invigil  proctor unit"));
	press_key(KEY_BTAB);
	ck_assert_ptr_nonnull(strstr(screen_row(0), " invigil  JOURNAL  "));
	model_free(&app.model);
	screen_close();
}
END_TEST

/*
 * 10,000 attempts with three open flags each: the queue lists them all in
 * order, and a frame (a build and a sort of them) stays far under a
 * second.
 */
START_TEST(test_screen_queue_bound)
{
	struct feed_session	*fs;
	struct attempt		*a;
	int64_t			 now = proto_now_ms(), t0, took;
	char			 err[128], id[16];
	int			 i;

	screen_open(NULL);
	app.opt.db = "/nonexistent/invigil-check-views.db";
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof id, "A%05d", i);
		a = model_attempt_get(&app.model, fs, id);
		flag_on(a, 3 * i + 1, "gaze_away", PROTO_SEV_LOW, now - i);
		flag_on(a, 3 * i + 2, "copy_paste", PROTO_SEV_HIGH, now - i);
		flag_on(a, 3 * i + 3, "second_face", i == 4321 ?
		    PROTO_SEV_CRITICAL : PROTO_SEV_MEDIUM, now - i);
	}
	t0 = proto_now_ms();
	press('\t');
	took = proto_now_ms() - t0;
	ck_assert_int_lt(took, 1000);
	ck_assert_ptr_nonnull(strstr(screen_row(0), "open flags: 30000 "));
	ck_assert_ptr_nonnull(strstr(screen_row(2), ">A04321 "));
	ck_assert_ptr_nonnull(strstr(screen_row(2), " critical second_face"));
	/* Then the high ones, the oldest (the largest i) first. */
	ck_assert_ptr_nonnull(strstr(screen_row(3), " A09999 "));
	ck_assert_ptr_nonnull(strstr(screen_row(3), " high "));
	ck_assert_int_eq(screen_has(" more open flags"), 0);
	/* The last: a low one, the newest. */
	press_key(KEY_END);
	ck_assert_int_eq(screen_has(">A00000 "), 1);
	ck_assert_ptr_nonnull(strstr(screen_row(37), " 1 low      gaze_away"));
	model_free(&app.model);
	screen_close();
}
END_TEST

/* Attempt id of fs, named, in centre, in state st. */
static struct attempt *
attempt_on(struct feed_session *fs, const char *id, const char *name,
    const char *centre, enum proto_state st)
{
	struct attempt	*a = model_attempt_get(&app.model, fs, id);

	snprintf(a->name, sizeof a->name, "%s", name);
	snprintf(a->center, sizeof a->center, "%s", centre);
	a->state = st;
	return a;
}

/* The row of the screen that shows attempt id selected (">id ") or not,
 * or -1. */
static int
row_of(const char *id, int selected)
{
	char	pat[32];
	int	y;

	snprintf(pat, sizeof pat, "%c%s ", selected ? '>' : ' ', id);
	for (y = 0; y < 40; y++) {
		if (strncmp(screen_row(y), pat, strlen(pat)) == 0)
			return y;
	}
	return -1;
}

/*
 * Find and filter on the table: / filters as typed (a name, a rule), the
 * header says "N of M shown", Esc clears; n wraps round; 2 shows the
 * paused one only and the header counts the classes; b groups by centre
 * under headings in order; the selection stays on its attempt across the
 * filter, the grouping and a Tab round trip.
 */
START_TEST(test_screen_filter)
{
	struct feed_session	*fs;
	struct attempt		*d;
	char			 err[128];
	int			 y;

	screen_open(NULL);
	app.opt.db = "/nonexistent/invigil-check-views.db";
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	attempt_on(fs, "A1", "Lena Zhang", "TC-2", PROTO_STATE_IN_PROGRESS);
	attempt_on(fs, "A2", "Mateo Baker", "TC-1", PROTO_STATE_PAUSED);
	attempt_on(fs, "A3", "Rafael Zhang", "TC-2", PROTO_STATE_SUBMITTED);
	d = attempt_on(fs, "A4", "Sofia Okafor", "", PROTO_STATE_IN_PROGRESS);
	flag_on(d, 1, "copy_paste", PROTO_SEV_HIGH, proto_now_ms());
	model_set_order(&app.model, MODEL_ORDER_ATTEMPT);
	ui_draw(ui);
	ck_assert_ptr_nonnull(strstr(screen_row(1), " 1 active 2  2 paused 1 "
	    " 3 offline 0  4 missing 0  5 flagged 1  6 submitted 1 "));
	ck_assert_int_eq(row_of("A1", 1), 3);

	/* A name, as typed: the rows follow before Enter. */
	press('/');
	type("zhang");
	ck_assert_int_eq(row_of("A1", 1), 4);
	ck_assert_int_ne(row_of("A3", 0), -1);
	ck_assert_int_eq(row_of("A2", 0), -1);
	ck_assert_int_eq(row_of("A4", 0), -1);
	ck_assert_ptr_nonnull(strstr(screen_row(39), "/zhang"));
	press('\r');
	ck_assert_ptr_nonnull(strstr(screen_row(2), " filter \"zhang\" | 2 of "
	    "4 attempts shown"));
	/* n to the next, then round the end. */
	press('n');
	ck_assert_int_ne(row_of("A3", 1), -1);
	press('n');
	ck_assert_int_ne(row_of("A1", 1), -1);
	ck_assert_int_eq(screen_has("match A1 of 2 (wrapped)"), 1);
	/* A rule: the attempt with that open flag only. */
	press('/');
	press(127);
	press(127);
	press(127);
	press(127);
	press(127);
	type("COPY_p");
	press('\r');
	ck_assert_int_ne(row_of("A4", 1), -1);
	ck_assert_int_eq(row_of("A1", 0), -1);
	ck_assert_ptr_nonnull(strstr(screen_row(2), "1 of 4 attempts shown"));
	/* Esc clears: every row, the selection where it was. */
	press('/');
	press(27);
	ck_assert_int_ne(row_of("A4", 1), -1);
	ck_assert_int_ne(row_of("A1", 0), -1);
	ck_assert_ptr_null(strstr(screen_row(2), "shown"));

	/* 2: the paused one, marked on in the header. */
	press('2');
	ck_assert_ptr_nonnull(strstr(screen_row(1), "[2 PAUSED 1]"));
	ck_assert_int_ne(row_of("A2", 1), -1);
	ck_assert_int_eq(row_of("A1", 0), -1);
	ck_assert_int_eq(row_of("A4", 0), -1);
	ck_assert_ptr_nonnull(strstr(screen_row(2), "1 of 4 attempts shown"));
	press('6');
	ck_assert_int_ne(row_of("A3", 0), -1);
	press('0');
	ck_assert_int_ne(row_of("A1", 0), -1);
	ck_assert_ptr_null(strstr(screen_row(1), "["));

	/* b: by centre, the groups in order, none said last; the
	 * selection (A2) stays and skips headings. */
	press('b');
	ck_assert_ptr_nonnull(strstr(screen_row(2), "grouped by centre"));
	y = row_of("A2", 1);
	ck_assert_int_eq(y, 5);
	ck_assert_ptr_nonnull(strstr(screen_row(4), " centre TC-1 | 1 attempt "
	    "| 0 flagged"));
	ck_assert_ptr_nonnull(strstr(screen_row(6), " centre TC-2 | 2 attempts "
	    "| 0 flagged"));
	ck_assert_int_eq(row_of("A1", 0), 7);
	ck_assert_int_eq(row_of("A3", 0), 8);
	ck_assert_ptr_nonnull(strstr(screen_row(9), " centre (none said) | 1 "
	    "attempt | 1 flagged"));
	ck_assert_int_eq(row_of("A4", 0), 10);
	press('j');
	ck_assert_int_eq(row_of("A1", 1), 7);
	press('k');
	ck_assert_int_eq(row_of("A2", 1), 5);
	press('k');
	ck_assert_int_eq(row_of("A2", 1), 5);
	press('j');
	press('j');
	ck_assert_int_eq(row_of("A3", 1), 8);
	/* Tab round the views and back: still A3, still grouped. */
	press('\t');
	press('\t');
	press('\t');
	ck_assert_ptr_nonnull(strstr(screen_row(0), " invigil  proctor unit"));
	ck_assert_int_eq(row_of("A3", 1), 8);
	press('b');
	press('b');
	ck_assert_int_ne(row_of("A3", 1), -1);
	ck_assert_int_eq(screen_has("centre TC-"), 0);
	model_free(&app.model);
	screen_close();
}
END_TEST

/*
 * 10,000 attempts: the counts in the header are those of the model on
 * every frame, and a frame with a text and a state filter stays far under
 * a second.
 */
START_TEST(test_screen_filter_bound)
{
	struct feed_session	*fs;
	struct attempt		*a;
	int64_t			 t0, took;
	char			 err[128], id[16];
	int			 i;

	screen_open(NULL);
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof id, "A%05d", i);
		a = model_attempt_get(&app.model, fs, id);
		snprintf(a->name, sizeof a->name, "Name %d", i);
		a->state = i % 10 == 0 ? PROTO_STATE_PAUSED : i % 10 == 1 ?
		    PROTO_STATE_SUBMITTED : PROTO_STATE_IN_PROGRESS;
		a->missing = i % 100 == 2;
		if (i % 4 == 0)
			flag_on(a, i + 1, "gaze_away", PROTO_SEV_LOW, 0);
	}
	t0 = proto_now_ms();
	ui_draw(ui);
	took = proto_now_ms() - t0;
	ck_assert_int_lt(took, 1000);
	ck_assert_ptr_nonnull(strstr(screen_row(1), " 1 active 7900  2 paused "
	    "1000  3 offline 0  4 missing 100  5 flagged 2500  6 submitted "
	    "1000 "));
	/* Live: one more paused is counted at the next frame. */
	a = model_attempt_get(&app.model, fs, "A00005");
	a->state = PROTO_STATE_PAUSED;
	ui_draw(ui);
	ck_assert_ptr_nonnull(strstr(screen_row(1), " 2 paused 1001 "));
	press('/');
	type("name 99");
	press('\r');
	t0 = proto_now_ms();
	press('2');
	took = proto_now_ms() - t0;
	ck_assert_int_lt(took, 1000);
	/* Name 99, 990 to 999, 9900 to 9999: the paused ones (i % 10 ==
	 * 0): 990 and 9900 to 9990. */
	ck_assert_ptr_nonnull(strstr(screen_row(2), " 11 of 10000 attempts "
	    "shown"));
	ck_assert_int_ne(row_of("A00990", 0), -1);
	ck_assert_int_ne(row_of("A09990", 0), -1);
	ck_assert_int_eq(row_of("A00099", 0), -1);
	model_free(&app.model);
	screen_close();
}
END_TEST

/* ---- columns, widths, the mouse, the man page */

/* The titles of the columns laid out in pos, space-separated. */
static const char *
cols_shown(const struct view_col_pos *pos, size_t n, const char *heading)
{
	static char	names[256];
	size_t		i, used = 0;
	const char	*t;

	names[0] = '\0';
	for (i = 0; i < n; i++) {
		if (pos[i].w == 0)
			continue;
		/* The heading's text at the column (right-aligned titles
		 * after their padding). */
		t = heading + pos[i].x;
		while (*t == ' ' && t < heading + pos[i].x + pos[i].w - 1)
			t++;
		used += (size_t)snprintf(names + used, sizeof names - used,
		    "%s%.*s", used ? "|" : "", (int)strcspn(t, " "), t);
	}
	return names;
}

/* Each laid-out column starts where the last ended, and they end at cols
 * exactly (the rest column takes what is left). */
static void
cols_check(const struct view_col_pos *pos, size_t n, int cols)
{
	size_t	i;
	int	x = 1;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(pos[i].x, x);
		ck_assert_int_ge(pos[i].w, 0);
		x += pos[i].w;
	}
	ck_assert_int_eq(x, cols);
}

START_TEST(test_cols_layout)
{
	static const struct {
		int		 cols;
		const char	*attempts, *queue, *journal;
	} want[] = {
		{ 80, "ATTEMPT|NAME|STATE|OUTCOME|LAST|RISK|FLAGS",
		    "ATTEMPT|NAME|SEVERITY|RULE|AGE|MESSAGE",
		    "SEQ|TIME|KIND|ATTEMPT|FLAG|CODE|REASON" },
		{ 100, "ATTEMPT|CANDID.|NAME|STATE|OUTCOME|LAST|RISK|FLAGS",
		    "ATTEMPT|CANDID.|NAME|FLAG|SEVERITY|RULE|AGE|COUNT|MESSAGE",
		    "SEQ|TIME|KIND|ATTEMPT|FLAG|HASH|CODE|REASON" },
		{ 120, "ATTEMPT|CANDID.|NAME|STATE|OUTCOME|EVENTS|LAST|RISK|"
		    "FLAGS", "ATTEMPT|CANDID.|NAME|FLAG|SEVERITY|RULE|AGE|COUNT|"
		    "MESSAGE", "SEQ|TIME|ACTOR|KIND|ATTEMPT|FLAG|HASH|CODE|"
		    "REASON" },
		{ 200, "ATTEMPT|CANDID.|NAME|STATE|OUTCOME|EVENTS|LAST|RISK|"
		    "FLAGS", "ATTEMPT|CANDID.|NAME|FLAG|SEVERITY|RULE|AGE|COUNT|"
		    "MESSAGE", "SEQ|TIME|ACTOR|KIND|ATTEMPT|FLAG|HASH|CODE|"
		    "REASON" },
	};
	struct view_col_pos	pos[VIEW_COLS_MAX];
	char			head[512];
	size_t			i, n;
	int			step;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		step = view_attempts_layout(want[i].cols, pos);
		/* The attempts table has 9 columns, the queue 10, the
		 * journal 9. */
		cols_check(pos, 9, want[i].cols);
		n = 9;
		(void)step;
		memset(head, 0, sizeof head);
		/* The heading as drawn, from the layout. */
		{
			static const char *const t[] = { "ATTEMPT", "CANDID.",
			    "NAME", "STATE", "OUTCOME", "EVENTS", "LAST",
			    "RISK", "FLAGS" };
			size_t k;

			memset(head, ' ', sizeof head - 1);
			for (k = 0; k < n; k++)
				if (pos[k].w > 0)
					memcpy(head + pos[k].x, t[k],
					    strlen(t[k]));
		}
		ck_assert_str_eq(cols_shown(pos, n, head), want[i].attempts);
		/* Nothing past the screen: the rest column is FLAGS, 16
		 * at least. */
		ck_assert_int_ge(pos[8].w, 16);
		view_queue_layout(want[i].cols, pos);
		cols_check(pos, 10, want[i].cols);
		{
			static const char *const t[] = { "ATTEMPT", "CANDID.",
			    "NAME", "FLAG", "SEVERITY", "RULE", "AGE", "",
			    "COUNT", "MESSAGE" };
			size_t k;

			memset(head, ' ', sizeof head - 1);
			for (k = 0; k < 10; k++)
				if (pos[k].w > 0 && t[k][0] != '\0')
					memcpy(head + pos[k].x, t[k],
					    strlen(t[k]));
			pos[7].w = 0;	/* LATE has no title */
		}
		ck_assert_str_eq(cols_shown(pos, 10, head), want[i].queue);
		view_journal_layout(want[i].cols, pos);
		cols_check(pos, 9, want[i].cols);
		{
			static const char *const t[] = { "SEQ", "TIME",
			    "ACTOR", "KIND", "ATTEMPT", "FLAG", "HASH", "CODE",
			    "REASON" };
			size_t k;

			memset(head, ' ', sizeof head - 1);
			for (k = 0; k < 9; k++)
				if (pos[k].w > 0)
					memcpy(head + pos[k].x, t[k],
					    strlen(t[k]));
		}
		ck_assert_str_eq(cols_shown(pos, 9, head), want[i].journal);
	}
	/* At 200 the names grow to their most (24 and a gap), the flags
	 * take the rest. */
	view_attempts_layout(200, pos);
	ck_assert_int_eq(pos[2].w, 25);
	/* The heading generated from the table fits 80 columns and names
	 * the narrowed LAST EVENT by its short title. */
	view_attempts_layout(80, pos);
	ck_assert_int_eq(pos[6].narrowed, 1);
	ck_assert_int_eq(pos[6].w, 9);
	ck_assert_int_eq(pos[4].w, 9);	/* OUTCOME: the marker only */
}
END_TEST

/* The columns ui_put takes for s cut to width, and what it keeps. */
static int
fit(const char *s, int width, wchar_t *outw)
{
	return ui_text_fit(s, width, outw, 64);
}

START_TEST(test_text_width)
{
	wchar_t	w[64];

	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	/* CJK: two columns each; a half that does not fit is left out. */
	ck_assert_int_eq(fit("\xe7\x8e\x8b\xe8\x8a\xb3", 10, w), 4);
	ck_assert_int_eq(fit("\xe7\x8e\x8b\xe8\x8a\xb3", 3, w), 2);
	ck_assert_int_eq((int)wcslen(w), 1);
	/* e and a combining acute: one column, both kept. */
	ck_assert_int_eq(fit("Re\xcc\x81my", 10, w), 4);
	ck_assert_int_eq((int)wcslen(w), 5);
	/* A combining mark first gets a space to sit on. */
	ck_assert_int_eq(fit("\xcc\x81x", 10, w), 2);
	ck_assert_int_eq((int)w[0], ' ');
	ck_assert_int_eq((int)w[1], 0x301);
	/* An emoji: two columns. */
	ck_assert_int_eq(fit("\xf0\x9f\x98\x80!", 10, w), 3);
	ck_assert_int_eq(fit("\xf0\x9f\x98\x80!", 1, w), 0);
	/* A zero-width joiner and a bidi override are shown as escapes,
	 * each of its columns counted. */
	ck_assert_int_eq(fit("a\xe2\x80\x8d" "b", 20, w), 10);
	ck_assert_int_eq(wcscmp(w, L"a\\u{200d}b"), 0);
	ck_assert_int_eq(fit("\xe2\x80\xae" "evil", 20, w), 12);
	ck_assert_int_eq(wcscmp(w, L"\\u{202e}evil"), 0);
	/* Cut to the width exactly. */
	ck_assert_int_eq(fit("abcdef", 4, w), 4);
	ck_assert_int_eq(wcscmp(w, L"abcd"), 0);
	ck_assert_int_eq(fit("abc", 0, w), 0);
	setlocale(LC_ALL, "C");
}
END_TEST

START_TEST(test_list_row)
{
	size_t	i = 99;

	/* Rows from line 3, 10 shown, from row 5 of 12: lines 3..9. */
	ck_assert_int_eq(view_list_row(3, 3, 10, 5, 12, &i), 0);
	ck_assert_uint_eq(i, 5);
	ck_assert_int_eq(view_list_row(9, 3, 10, 5, 12, &i), 0);
	ck_assert_uint_eq(i, 11);
	/* Past the last row, above the first line, below the shown. */
	ck_assert_int_eq(view_list_row(10, 3, 10, 5, 12, &i), -1);
	ck_assert_int_eq(view_list_row(2, 3, 10, 5, 12, &i), -1);
	ck_assert_int_eq(view_list_row(13, 3, 10, 0, 100, &i), -1);
	ck_assert_int_eq(view_list_row(12, 3, 10, 0, 100, &i), 0);
	ck_assert_uint_eq(i, 9);
	/* An empty list has no row anywhere. */
	ck_assert_int_eq(view_list_row(3, 3, 10, 0, 0, &i), -1);
}
END_TEST

START_TEST(test_keybar_at)
{
	struct view_binding	b;
	char			bar[512];
	const char		*p;

	view_keybar(&view_attempts, bar, sizeof bar);
	/* " d dismiss  c confirm ...": column 1 is d, 3 still d. */
	ck_assert_int_eq(view_keybar_at(&view_attempts, 1, sizeof bar,
	    1, &b), 0);
	ck_assert_int_eq(b.key, 'd');
	ck_assert_int_eq(view_keybar_at(&view_attempts, 1, sizeof bar,
	    9, &b), 0);
	ck_assert_int_eq(b.key, 'd');
	/* The gap between words is no key. */
	ck_assert_int_eq(view_keybar_at(&view_attempts, 1, sizeof bar,
	    11, &b), -1);
	ck_assert_int_eq(view_keybar_at(&view_attempts, 1, sizeof bar,
	    0, &b), -1);
	p = strstr(bar, "? help");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(view_keybar_at(&view_attempts, 1, sizeof bar,
	    (int)(p - bar) + 3, &b), 0);
	ck_assert_int_eq(b.key, '?');
	ck_assert_int_eq(view_keybar_at(&view_attempts, 1, sizeof bar,
	    (int)strlen(bar), &b), -1);
}
END_TEST

/* The man page's KEYS list: every binding of every view is in it, by its
 * name and its help (the comparison with man/invigil.1 itself is
 * tests/e2e-term.sh's: this suite has a test act the page does not). */
START_TEST(test_keys_man)
{
	struct view_binding	 b;
	char			*text = NULL, want[512];
	size_t			 len = 0, i, v;
	FILE			*f;

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	view_keys_man(f, view_manual);
	fclose(f);
	for (v = 0; view_manual[v] != NULL; v++) {
		for (i = 0; view_binding(view_manual[v], i, &b) == 0; i++) {
			if (strchr(b.name, '-') != NULL ||
			    strchr(b.help, '-') != NULL)
				continue;	/* escaped: \- */
			snprintf(want, sizeof want, ".B %s\n%s\n", b.name,
			    b.help);
			ck_assert_msg(strstr(text, want) != NULL,
			    "%s: no %s", view_manual[v]->title, want);
		}
	}
	ck_assert_ptr_nonnull(strstr(text, ".SS The attempts view\n"));
	ck_assert_ptr_nonnull(strstr(text, ".B y\nask for the attempt to be "
	    "rechecked\n"));
	ck_assert_ptr_nonnull(strstr(text, ".B S\\-Tab\n"));
	free(text);
}
END_TEST

/* A click of button 1 (or the wheel: bstate) at (y, x), as ncurses gives
 * it. */
static int	mouse_cy;	/* the cursor's row after the last frame */

static void
mouse(int y, int x, mmask_t bstate)
{
	MEVENT	ev;
	int	cx;

	memset(&ev, 0, sizeof ev);
	ev.y = y;
	ev.x = x;
	ev.bstate = bstate;
	ck_assert_int_eq(ungetmouse(&ev), OK);
	ui_input(ui);
	ui_draw(ui);
	getyx(stdscr, mouse_cy, cx);	/* before screen_row() moves it */
	(void)cx;
}

/*
 * At 80 columns, names in wide and combining characters: STATE starts at
 * the same column on every row; a click selects a row (the cursor
 * follows), a second click opens its detail, the wheel moves three rows,
 * a click on a key bar word is its key.
 */
START_TEST(test_screen_mouse_and_width)
{
	static const char *const names[] = {
		"\xe7\x8e\x8b\xe8\x8a\xb3\xe7\x8e\x8b\xe8\x8a\xb3\xe7\x8e\x8b"
		    "\xe8\x8a\xb3\xe7\x8e\x8b",		/* 7 CJK: 14 columns */
		"Re\xcc\x81my Che\xcc\x81rie Lefe\xcc\x80vre",
		"\xf0\x9f\x98\x80 smile",
		"Ann\xe2\x80\x8d" "e\xe2\x80\xae" "evil",
		"plain", "six", "seven", "eight",
	};
	struct view_col_pos	 pos[VIEW_COLS_MAX];
	struct feed_session	*fs;
	struct attempt		*a;
	char			 err[128], id[8];
	cchar_t			 cc;
	wchar_t			 wc[CCHARW_MAX + 1];
	attr_t			 attr;
	short			 pair;
	size_t			 i;
	int			 y, cy, cx;

	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	screen_cols = "80";
	screen_open(NULL);
	screen_cols = "120";
	app.opt.db = "/nonexistent/invigil-check-views.db";
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(id, sizeof id, "A%zu", i);
		a = model_attempt_get(&app.model, fs, id);
		snprintf(a->name, sizeof a->name, "%s", names[i]);
		a->state = PROTO_STATE_IN_PROGRESS;
	}
	ui_draw(ui);
	view_attempts_layout(80, pos);
	/* The header (y 0, the state classes y 1), no feed: the titles on
	 * row 2. */
	ck_assert_ptr_nonnull(strstr(screen_row(2), " ATTEMPT  NAME"));
	for (y = 3; y < 3 + (int)(sizeof names / sizeof names[0]); y++) {
		ck_assert_int_eq(mvin_wch(y, pos[3].x, &cc), OK);
		ck_assert_int_eq(getcchar(&cc, wc, &attr, &pair, NULL), OK);
		ck_assert_msg(wc[0] == L'i', "row %d: STATE starts with "
		    "U+%04x, not i", y, (unsigned)wc[0]);
		ck_assert_int_eq(mvin_wch(y, pos[3].x - 1, &cc), OK);
		ck_assert_int_eq(getcchar(&cc, wc, &attr, &pair, NULL), OK);
		ck_assert_msg(wc[0] == L' ', "row %d: no gap before STATE", y);
	}
	/* The first row is selected and the cursor is on it. */
	ui_draw(ui);
	getyx(stdscr, cy, cx);
	ck_assert_int_eq(cy, 3);
	ck_assert_ptr_nonnull(strstr(screen_row(3), ">A0 "));
	/* A click on the fifth row selects it, and the cursor goes along. */
	mouse(7, 30, BUTTON1_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(7), ">A4 "));
	ck_assert_ptr_nonnull(strstr(screen_row(3), " A0 "));
	ck_assert_int_eq(mouse_cy, 7);
	(void)cx;
	/* The wheel: three down, three up. */
	mouse(11, 5, BUTTON5_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(10), ">A7 "));
	mouse(11, 5, BUTTON4_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(7), ">A4 "));
	/* A click below the rows selects nothing. */
	mouse(20, 5, BUTTON1_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(7), ">A4 "));
	/* Nor does a click on the help overlay over the rows. */
	press('?');
	mouse(4, 5, BUTTON1_PRESSED);
	press(27);
	ck_assert_ptr_nonnull(strstr(screen_row(7), ">A4 "));
	/* A click on another row, then again on it: its detail. */
	mouse(4, 12, BUTTON1_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(4), ">A1 "));
	mouse(4, 12, BUTTON1_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(0), " ATTEMPT A1  "));
	press(27);
	ck_assert_ptr_nonnull(strstr(screen_row(2), " ATTEMPT  NAME"));
	/* "? help" on the key bar: the help opens. */
	{
		char		 bar[512];
		const char	*p;

		/* The bar as drawn at 80 columns. */
		view_keybar(&view_attempts, bar, 81);
		p = strstr(bar, "? help");
		ck_assert_ptr_nonnull(p);
		{
			mouse(39, (int)(p - bar) + 2, BUTTON1_PRESSED);
			ck_assert_int_eq(screen_has("invigil keys"), 1);
			press(27);
		}
		/* The bar is cut at a word to the 80 columns, and keeps
		 * ? help and q quit at its end. */
		ck_assert_ptr_nonnull(strstr(screen_row(39), " d dismiss"));
		ck_assert_ptr_nonnull(strstr(screen_row(39), "  ? help  q quit "));
		ck_assert_ptr_null(strstr(screen_row(39), " x recheck"));
		mouse(39, 2, BUTTON1_PRESSED);	/* d: nothing to dismiss */
		ck_assert_ptr_nonnull(strstr(screen_row(38), "has no open "
		    "flag to dismiss"));
	}
	model_free(&app.model);
	screen_close();
	setlocale(LC_ALL, "C");
}
END_TEST

/* In the flags queue and the journal, a click selects the row under it
 * too (the same mechanism: the view's on_mouse), and the cursor goes
 * along. */
START_TEST(test_screen_queue_click)
{
	struct feed_session	*fs;
	struct attempt		*a;
	int64_t			 now = proto_now_ms();
	char			 err[128];

	screen_open(NULL);
	app.opt.db = "/nonexistent/invigil-check-views.db";
	fs = model_session_new(&app.model, "f1", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	a = model_attempt_get(&app.model, fs, "A1");
	flag_on(a, 11, "gaze_away", PROTO_SEV_HIGH, now - 3000);
	flag_on(a, 12, "copy_paste", PROTO_SEV_HIGH, now - 2000);
	flag_on(a, 13, "second_face", PROTO_SEV_HIGH, now - 1000);
	press('\t');
	ck_assert_ptr_nonnull(strstr(screen_row(2), ">A1 "));
	ck_assert_ptr_nonnull(strstr(screen_row(2), " 11 high"));
	mouse(4, 40, BUTTON1_PRESSED);
	ck_assert_int_eq(mouse_cy, 4);
	ck_assert_ptr_nonnull(strstr(screen_row(4), ">A1 "));
	ck_assert_ptr_nonnull(strstr(screen_row(4), " 13 high"));
	ck_assert_ptr_nonnull(strstr(screen_row(2), " A1 "));
	/* Below the last row: nothing changes. */
	mouse(20, 40, BUTTON1_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(4), ">A1 "));
	/* The wheel up: back to the first. */
	mouse(4, 40, BUTTON4_PRESSED);
	ck_assert_ptr_nonnull(strstr(screen_row(2), ">A1 "));
	model_free(&app.model);
	screen_close();
}
END_TEST

static Suite *
views_suite(void)
{
	Suite	*s = suite_create("views");
	TCase	*tc = tcase_create("keys");

	tcase_add_test(tc, test_act_is_a_key);
	tcase_add_test(tc, test_act_on_the_bar);
	tcase_add_test(tc, test_act_in_the_help);
	tcase_add_test(tc, test_no_color_rule);
	tcase_add_test(tc, test_detail_keys);
	tcase_add_test(tc, test_detail_age);
	tcase_add_test(tc, test_detail_layout);
	tcase_add_test(tc, test_detail_scroll);
	tcase_add_test(tc, test_flag_risk);
	tcase_add_test(tc, test_picker_keys);
	tcase_add_test(tc, test_queue_keys);
	tcase_add_test(tc, test_list_move);
	tcase_add_test(tc, test_queue_order);
	tcase_add_test(tc, test_queue_age);
	suite_add_tcase(s, tc);
	tc = tcase_create("screen");
	tcase_add_test(tc, test_cols_layout);
	tcase_add_test(tc, test_text_width);
	tcase_add_test(tc, test_keybar_at);
	tcase_add_test(tc, test_list_row);
	tcase_add_test(tc, test_keys_man);
	tcase_add_test(tc, test_screen_mouse_and_width);
	tcase_add_test(tc, test_screen_queue_click);
	tcase_add_test(tc, test_screen_bar_and_help);
	tcase_add_test(tc, test_screen_no_color);
	tcase_add_test(tc, test_screen_detail);
	tcase_add_test(tc, test_screen_queue);
	tcase_add_test(tc, test_screen_queue_bound);
	tcase_add_test(tc, test_screen_filter);
	tcase_add_test(tc, test_screen_filter_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(views_suite());
}
