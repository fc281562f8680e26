/*
 * view.h - the proctor's screen as a stack of views (htop's ScreenManager
 * and Panel, tig's display).
 *
 * A view is {title, draw, key table, on-key}: ui.c keeps a stack of them,
 * draws them bottom to top into one frame (one doupdate), and gives each
 * key to the view on top.  The attempts table (view-attempts.c) is the first
 * view; the help overlay (view-help.c) is drawn over the focused view from
 * that view's key table; the reason prompt (prompt.c) is a modal that owns
 * the bottom line.  The bottom key bar is generated from the key table of
 * the top view that is not an overlay.  A new view is one new file: a
 * struct view, its state, and an open function that calls ui_push().
 *
 * Key tables are data: a row may stand for every act of decide.h, so that
 * an act added to act_table[] reaches the keys, the help overlay and the
 * key bar with no other edit.  view_binding(), view_keybar() and
 * view_help_line() walk a table without curses (tests/check_views.c).
 *
 * Colour is by role (ui_role): ui.c maps each role to attributes, with a
 * colour scheme and a monochrome one (NO_COLOR set and non-empty).  State is
 * never told by colour alone: the words are always drawn.
 */
#ifndef INVIGIL_VIEW_H
#define INVIGIL_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>

struct act;
struct app;
struct attempt;
struct decision;
struct decision_result;
struct flag;
struct reason;
struct reasons;
struct ui;
struct view;
struct view_binding;

/* A view's key handler: b is the binding pressed (b->arg, b->act). */
typedef void	 view_key_fn(struct ui *, void *state,
		    const struct view_binding *b);

/* One row of a view's key table. */
struct view_key {
	int		 key;		/* curses key code or character */
	int		 alt;		/* a second key, 0 if none */
	const char	*name;		/* as the help shows it: "Up/k" */
	const char	*bar;		/* word on the key bar, or NULL */
	const char	*help;		/* its line in the help overlay */
	view_key_fn	*fn;
	const char	*arg;		/* for fn, e.g. "up" */
	int		 acts;		/* 1: this row stands for every act
					   of act_table[], in its order, each
					   with fn (name, bar and help come
					   from the act) */
};

/* A key table row as it applies: an act row expanded. */
struct view_binding {
	int		 key, alt;
	char		 name[16];
	const char	*bar;
	const char	*help;
	view_key_fn	*fn;
	const char	*arg;
	const struct act *act;		/* the act, or NULL */
};

/* How a view sits in the stack. */
#define VIEW_OVERLAY	0x1	/* drawn over the view below, which keeps the
				   key bar; keys it has no binding for go to
				   the view below */
#define VIEW_MODAL	0x2	/* owns every key and the bottom line */

struct view {
	const char		*title;
	int			 flags;
	const struct view_key	*keys;
	size_t			 nkeys;
	const char		*help_note;	/* last help line, or NULL */
	/* Draw into the screen of rows x cols; the bottom two lines are the
	 * manager's (status, key bar) unless the view is modal. */
	void			(*draw)(struct ui *, void *state, int rows,
				    int cols);
	/* A key the table does not bind (is_key: a curses KEY_ code).
	 * Returns 1 if the view took it. */
	int			(*on_key)(struct ui *, void *state, int is_key,
				    int ch);
	void			(*free)(void *state);
	/* A click of the mouse's first button on screen line y: 1 if it
	 * selected the row there (a second click on it soon after is
	 * Enter), 0 if nothing is there.  NULL: clicks do nothing.  The
	 * wheel is Up and Down, a key bar word its key (ui.c). */
	int			(*on_mouse)(struct ui *, void *state, int y);
};

/* ---- key tables (view-keys.c: pure, no curses) */

/* The rows of a list's keys (one: "attempt"), calling fn with the arg
 * view_list_move() takes; in a file that includes <curses.h>. */
#define VIEW_KEYS_LIST(fn, one)						\
	{ KEY_UP, 'k', "Up/k", NULL, "select the " one " above", fn,	\
	    "up", 0 },							\
	{ KEY_DOWN, 'j', "Down/j", NULL, "select the " one " below", fn,	\
	    "down", 0 },						\
	{ KEY_PPAGE, 0, "PgUp", NULL, "one page up", fn, "pgup", 0 },	\
	{ KEY_NPAGE, 0, "PgDn", NULL, "one page down", fn, "pgdn", 0 },	\
	{ KEY_HOME, 'g', "Home/g", NULL, "first " one, fn, "home", 0 },	\
	{ KEY_END, 'G', "End/G", NULL, "last " one, fn, "end", 0 }
/* The rows of the top-level views' own keys: Tab and Shift-Tab (Tab's
 * word on the key bar: bar, or NULL), help and quit. */
#define VIEW_KEYS_TOP(bar)						\
	{ '\t', 0, "Tab", bar, "next view: attempts, flags queue, "	\
	    "journal", view_key_cycle, "next", 0 },			\
	{ KEY_BTAB, 0, "S-Tab", NULL, "previous view", view_key_cycle,	\
	    "prev", 0 },						\
	{ '?', KEY_F(1), "?/F1", "help", "show or hide this help",	\
	    view_key_help, NULL, 0 },					\
	{ 'q', KEY_F(10), "q/F10", "quit",				\
	    "quit (everything received is saved)", view_key_quit, NULL, 0 }

/* The rows of find and filter (view-filter.c): `/` edits the shared
 * filter's text, n and N call next with "next" or "prev" (the view's own
 * rows round the end). */
#define VIEW_KEYS_FIND(next)						\
	{ '/', 0, "/", NULL, "filter by text as typed (Enter keeps, Esc "	\
	    "clears)", view_key_find, NULL, 0 },			\
	{ 'n', 0, "n", NULL, "next row the filter shows, round the end",	\
	    next, "next", 0 },						\
	{ 'N', 0, "N", NULL, "previous row the filter shows", next,	\
	    "prev", 0 }
/* The state filters' keys (filter.h's classes, the header counts them):
 * 1 stands for 1 to 6 (the view's on_key passes 2 to 6 to
 * view_filter_digit()), 0 turns them all off. */
#define VIEW_KEYS_STATES						\
	{ '1', 0, "1-6", NULL, "show: active paused offline missing flagged "\
	    "submitted", view_key_state, NULL, 0 },			\
	{ '0', 0, "0", NULL, "every state: the state filters off",	\
	    view_key_state, NULL, 0 }

/*
 * Where a key of VIEW_KEYS_LIST (how: its arg) moves the selection i of a
 * list of n rows (n > 0), page rows a page.
 */
size_t		 view_list_move(const char *how, size_t i, size_t n,
		    size_t page);

/*
 * The row of a list under screen line y (a click), when the list's rows
 * are drawn from line first, shown lines of them from row top of n: 0 with
 * *out set, or -1 when no row is there.
 */
int		 view_list_row(int y, int first, int shown, size_t top,
		    size_t n, size_t *out);

/* The i-th binding of v into *out: 0, or -1 past the last. */
int		 view_binding(const struct view *v, size_t i,
		    struct view_binding *out);
/* The binding of key ch (fkey: a curses function key), or -1. */
int		 view_binding_find(const struct view *v, int ch, int fkey,
		    struct view_binding *out);
/*
 * The key bar of v, e.g. " d dismiss  c confirm ... ? help  q quit", into
 * buf (always terminated; cut at a word).  Returns its length.
 */
size_t		 view_keybar(const struct view *v, char *buf, size_t len);
/* ... with the acts' keys (acts 1), or without them (0: `review browse`,
 * where acts are disabled). */
size_t		 view_keybar_acts(const struct view *v, int acts, char *buf,
		    size_t len);
/*
 * The binding whose word on v's key bar (as view_keybar_acts() lays it
 * out with acts into len bytes) covers column x: 0 with out filled, -1 if
 * none does.
 */
int		 view_keybar_at(const struct view *v, int acts, size_t len,
		    int x, struct view_binding *out);
/*
 * The i-th line of v's help: one line per binding ("  d        dismiss
 * ..."), then a blank line and v->help_note if it has one.  0 with buf
 * filled, -1 past the last.
 */
int		 view_help_line(const struct view *v, size_t i, char *buf,
		    size_t len);

/*
 * The KEYS section of man/invigil.1 (between its marker comments) from the
 * key tables of the views (NULL ends views): for each, a .SS title and
 * one .TP paragraph per binding, escaped for roff.  `invigil help --keys`
 * prints it; tests/e2e-term.sh compares it with the page.
 */
void		 view_keys_man(FILE *out, const struct view *const *views);
/* The lines every help overlay ends with, and the man page's KEYS starts
 * with (the views, the mouse); NULL ends them. */
extern const char *const view_help_common[];
/* The views whose keys the man page lists, in its order (view-help.c). */
extern const struct view *const view_manual[];

/* ---- the screen manager (ui.c) */

/* Take the terminal (initscr, the modes, the colour scheme) for app's
 * screen, with no view: open the first one next (view_attempts_open()). */
struct ui	*ui_start(struct app *);
/* Give the terminal back and free the views. */
void		 ui_stop(struct ui *);
/* Draw a frame when something changed: each view bottom to top, the key
 * bar, the status line; one doupdate(). */
void		 ui_draw(struct ui *);
/* Read the keys waiting on stdin (it is readable, or the tick polls) and
 * give each to the top view. */
void		 ui_input(struct ui *);

/* Push view v with its state (owned: v->free at pop) on the stack.
 * Returns 0, or -1 when the stack is full (state is freed). */
int		 ui_push(struct ui *, const struct view *v, void *state);
/* Make v with its state the first view, in place of the first and every
 * view over it (Tab cycles the top-level views); as ui_push(). */
int		 ui_replace(struct ui *, const struct view *v, void *state);
/* The first view (the top-level view shown), or NULL. */
const struct view *ui_view_base(struct ui *);
/* Pop the top view (never the first). */
void		 ui_pop(struct ui *);
/* The view under the topmost v in the stack (what an overlay covers), or
 * NULL. */
const struct view *ui_view_below(struct ui *, const struct view *v);
/* Leave the terminal cursor at (y, x) after this frame. */
void		 ui_cursor(struct ui *, int y, int x);

/* Colour roles: what a thing on the screen is, not how it looks. */
enum ui_role {
	UI_ROLE_TITLE,		/* the header's first line */
	UI_ROLE_HEADING,	/* column titles */
	UI_ROLE_SELECTED,	/* the selected row */
	UI_ROLE_EMPHASIS,	/* flags on the selected row */
	UI_ROLE_CRITICAL,	/* flags by severity */
	UI_ROLE_HIGH,
	UI_ROLE_MEDIUM,
	UI_ROLE_LIVE,		/* a live feed */
	UI_ROLE_OFFLINE,	/* a feed that is not live */
	UI_ROLE_ALERT,		/* --insecure, the bounds' notices */
	UI_ROLE_ERROR,		/* an error status, a replaced feed */
	UI_ROLE_KEYBAR,
	UI_ROLE_PROMPT,
	UI_ROLE_OVERLAY_TITLE,
	UI_ROLE_MISSING,	/* an attempt in progress gone silent */
	UI_ROLE_COUNT
};

/*
 * Whether the screen uses colour: the terminal has it and NO_COLOR (its
 * value, NULL when unset) is unset or empty (no-color.org).
 */
int		 ui_color_wanted(const char *no_color, int has_colors);
/* Turn role's attributes on or off for what is drawn next. */
void		 ui_role(struct ui *, enum ui_role, int on);
/*
 * Draw s at (y, x) in exactly width columns: sanitised (proto_sanitize),
 * clipped by display width, padded with spaces.
 */
void		 ui_put(int y, int x, int width, const char *s);
/*
 * What ui_put() draws of s in width columns: sanitised, cut by display
 * width (a double-width character that does not fit whole is left out; a
 * combining mark that would start the cell gets a space to sit on; a
 * character the locale cannot show is written as its \u{code}), as at
 * most n-1 wide characters into out (terminated).  Returns the columns
 * it takes (<= width).  No curses.
 */
int		 ui_text_fit(const char *s, int width, wchar_t *out,
		    size_t n);
/* A table cell: s in w-1 columns (ui_put), then the gap before the next
 * column, in the same attributes. */
void		 ui_cell(int y, int x, int w, const char *s);
/* ms since the epoch as local HH:MM:SS. */
void		 ui_clock(int64_t ms, char *out, size_t outsz);

/*
 * ---- the console as the views reach it (ui.c's adapter section: the one
 * place that calls app_* and client_*)
 */
struct app	*ui_app(struct ui *);
/* The attempts in display (risk) order, sorted now if needed. */
struct attempt	**ui_attempts(struct ui *, size_t *n);
void		 ui_status(struct ui *, int error, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 ui_dirty(struct ui *);
void		 ui_quit(struct ui *);
struct flag	*ui_flag_top(struct attempt *);
struct flag	*ui_flag_by_id(struct ui *, int64_t id);
/* The reason codes of the picker and of every decision (app_reasons). */
const struct reasons *ui_reasons(struct ui *);
int		 ui_decide(struct ui *, const struct decision *,
		    struct decision_result *, char *err, size_t errlen);
/* The marked attempts and the last bulk act (bulk.h). */
struct bulk	*ui_bulk(struct ui *);
/* d's act on every marked attempt (app_decide_bulk). */
int		 ui_decide_bulk(struct ui *, const struct decision *d,
		    char *err, size_t errlen);
int		 ui_notice(struct ui *, size_t i, char *out, size_t outsz);
/* Who the header names, into buf: "proctor NAME" on a console,
 * "REVIEW (read-only) PATH" in `review browse` (raw: ui_put sanitises). */
const char	*ui_who(struct ui *, char *buf, size_t len);
/* Whether a's candidate is in a network outage (the rules engine says). */
int		 ui_attempt_offline(struct ui *, const struct attempt *a);
/* Sort the attempts by the next order (model_set_order); its name. */
const char	*ui_sort_next(struct ui *);
/* The order the attempts are sorted by, named. */
const char	*ui_sort_name(struct ui *);
/* The filter the views share (filter.h): Tab keeps it. */
struct filter	*ui_filter(struct ui *);
/* The attempts table's selected attempt, kept while other views are
 * shown (attempts are never freed while the screen runs), or NULL. */
struct attempt	*ui_selected(struct ui *);
void		 ui_select(struct ui *, struct attempt *a);
/* ui_attempt_offline() as a filter_offline_fn (arg: the ui). */
int		 ui_offline_of(const struct attempt *a, void *ui);
/* The proctor has looked at a: its critical flags are no longer unseen
 * (model_seen). */
void		 ui_seen(struct ui *, struct attempt *a);
const char	*ui_feed_state(int conn_state);

/* ---- the views */
extern const struct view	view_attempts;	/* view-attempts.c */
extern const struct view	view_detail;	/* view-detail.c */
extern const struct view	view_help;	/* view-help.c */
extern const struct view	view_prompt;	/* prompt.c */
extern const struct view	view_picker;	/* picker.c */
extern const struct view	view_queue;	/* view-queue.c */
extern const struct view	view_journal;	/* view-journal.c */

/* Open a top-level view in place of the first view and all over it: the
 * attempts table (the first view at start), the flags queue, the journal
 * of this console's acts. */
int		 view_attempts_open(struct ui *);
int		 view_queue_open(struct ui *);
int		 view_journal_open(struct ui *);
/*
 * Act on attempt a (view-attempts.c, for every view that acts): an act
 * that closes a flag takes f when it is open, else a's top open flag, and
 * says so on the status line when there is none.  Opens the reason
 * prompt: 0, or -1 (nothing to act on, said on the status line).
 */
int		 view_act(struct ui *, const struct act *act,
		    struct attempt *a, const struct flag *f);
/* Keys every view may bind (view-attempts.c): ? opens the help overlay
 * over the view, F10 quits. */
view_key_fn	 view_key_help, view_key_quit;
/* Tab and Shift-Tab on a top-level view (b->arg "next" or "prev"): the
 * next or previous of attempts, flags queue, journal, round. */
view_key_fn	 view_key_cycle;
/* `/`: the filter prompt (VIEW_KEYS_FIND); 1 to 6 and 0: the state
 * filters (VIEW_KEYS_STATES, by b->key). */
view_key_fn	 view_key_find, view_key_state;
/* For n and N: 1 when a filter is set, else 0 with the status line
 * saying how to set one (states: whether the view has state keys). */
int		 view_filter_set(struct ui *, int states);
/* A view's on_key for 2 to 6 (VIEW_KEYS_STATES): 1 if ch was one. */
int		 view_filter_digit(struct ui *, int is_key, int ch);
/*
 * The state classes with their live counts over every attempt (filter.h),
 * those on marked, on row y; then, when the filter hides anything or
 * groups, a line with its text, "N of M <what> shown" and the grouping.
 * Returns the row below.
 */
int		 view_filter_header(struct ui *, int y, int cols, size_t shown,
		    size_t total, const char *what);
/* Open attempt a's detail over the attempts view. */
int		 view_detail_open(struct ui *, struct attempt *a);
/* Open the help overlay over the focused view. */
int		 view_help_open(struct ui *);
/*
 * A decision on the screen: act on attempt a (flag: the flag shown, 0:
 * none), or with a NULL, on every marked attempt (ui_decide_bulk).  Opens
 * the reason-code picker (picker_open), whose Enter opens the reason
 * prompt for the words (prompt_words_open) with the code.
 */
int		 prompt_open(struct ui *, const struct act *act,
		    struct attempt *a, int64_t flag);
int		 picker_open(struct ui *, const struct act *act,
		    struct attempt *a, int64_t flag);
int		 prompt_words_open(struct ui *, const struct act *act,
		    struct attempt *a, int64_t flag, const struct reason *code);
/* Whom an act is on, for the picker and the prompt: a's id, or with a
 * NULL "the N marked attempts" (in buf). */
const char	*prompt_whom(struct ui *, const struct attempt *a, char *buf,
		    size_t len);
/* The minutes that start words ("15 platform outage"), capped just past
 * PROTO_EXTEND_MAX, the rest after the spaces in *rest; -1: no digits. */
int64_t		 prompt_minutes(const char *words, const char **rest);
/*
 * A line of text typed on the bottom line after label, starting from
 * text (at most max bytes, else empty; kept whole UTF-8 characters):
 * fn(ui, arg, the text, PROMPT_EDIT) after every edit, PROMPT_ENTER at
 * Enter and PROMPT_CANCEL at Esc, after which the prompt closes.
 */
enum prompt_event { PROMPT_EDIT, PROMPT_ENTER, PROMPT_CANCEL };
typedef void	 prompt_line_fn(struct ui *, void *arg, const char *text,
		    enum prompt_event);
int		 prompt_line_open(struct ui *, const char *label,
		    const char *text, size_t max, prompt_line_fn *fn, void *arg);

#endif /* INVIGIL_VIEW_H */
