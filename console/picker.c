/*
 * picker.c - the reason-code picker: the first step of every decision on
 * the screen.  An act's key (decide.h) opens it over the screen, listing
 * the reason codes (reasons.h) by category; the arrows move, typing the
 * first letters of a code or of its label narrows the list ("sec.pro"
 * leaves security.prohibited_aid), Enter picks the code and opens the
 * reason prompt (prompt.c) for the words, Esc cancels with nothing
 * recorded.  Its keys are a key table, so that `?` over it lists them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/console.h"
#include "console/decide.h"
#include "console/reasons.h"
#include "console/view.h"
#include "proto/xmalloc.h"

#define KEY_ESCAPE	27
#define PICKER_WIDTH	84

struct picker {
	const struct act	*act;
	struct attempt		*attempt;
	int64_t			 flag;		/* the flag shown, 0: none */
	const struct reasons	*list;
	char			 typed[REASONS_CODE_MAX + 1];
	size_t			 ntyped;
	size_t			 sel;		/* among the matches */
};

static void	picker_move(struct ui *, void *, const struct view_binding *);
static void	picker_pick(struct ui *, void *, const struct view_binding *);
static void	picker_erase(struct ui *, void *, const struct view_binding *);
static void	picker_cancel(struct ui *, void *, const struct view_binding *);
static void	picker_help(struct ui *, void *, const struct view_binding *);
static void	picker_draw(struct ui *, void *, int, int);
static int	picker_key(struct ui *, void *, int, int);

static const struct view_key picker_keys[] = {
	{ KEY_UP, 0, "Up", "up", "the code above", picker_move, "up", 0 },
	{ KEY_DOWN, 0, "Down", "down", "the code below", picker_move, "down",
	    0 },
	{ '\r', KEY_ENTER, "Enter", "pick",
	    "pick the code, then say why in words", picker_pick, NULL, 0 },
	{ KEY_BACKSPACE, 127, "Backspace", NULL, "erase the last letter typed",
	    picker_erase, NULL, 0 },
	{ KEY_ESCAPE, 0, "Esc", "cancel", "cancel: nothing is recorded",
	    picker_cancel, NULL, 0 },
	{ '?', KEY_F(1), "?/F1", "help", "show or hide this help",
	    picker_help, NULL, 0 },
};

const struct view view_picker = {
	.title = "reason code",
	.flags = VIEW_MODAL,
	.keys = picker_keys,
	.nkeys = sizeof picker_keys / sizeof picker_keys[0],
	.help_note = "Type a code's first letters to narrow the list "
	    "(sec.pro).",
	.draw = picker_draw,
	.on_key = picker_key,
	.free = free,
};

int
picker_open(struct ui *ui, const struct act *act, struct attempt *a,
    int64_t flag)
{
	struct picker	*p;

	p = xcalloc(1, sizeof *p);
	p->act = act;
	p->attempt = a;
	p->flag = flag;
	p->list = ui_reasons(ui);
	return ui_push(ui, &view_picker, p);
}

/* The i-th code for the act that matches what was typed, or NULL. */
static const struct reason *
picker_match(const struct picker *p, size_t i)
{
	const struct reason	*r;
	size_t			 k;

	for (k = 0; (r = reasons_at(p->list, k)) != NULL; k++) {
		if (reasons_for_act(r, p->act->name) &&
		    reasons_match(r, p->typed) && i-- == 0)
			return r;
	}
	return NULL;
}

static size_t
picker_nmatches(const struct picker *p)
{
	size_t	n = 0;

	while (picker_match(p, n) != NULL)
		n++;
	return n;
}

static void
picker_move(struct ui *ui, void *state, const struct view_binding *b)
{
	struct picker	*p = state;
	size_t		 n = picker_nmatches(p);

	if (strcmp(b->arg, "up") == 0 && p->sel > 0)
		p->sel--;
	else if (strcmp(b->arg, "down") == 0 && p->sel + 1 < n)
		p->sel++;
	ui_dirty(ui);
}

/* Enter: the selected code; the picker gives way to the reason prompt. */
static void
picker_pick(struct ui *ui, void *state, const struct view_binding *b)
{
	struct picker		*p = state;
	const struct reason	*r = picker_match(p, p->sel);
	const struct act	*act = p->act;
	struct attempt		*a = p->attempt;
	int64_t			 flag = p->flag;

	(void)b;
	if (r == NULL) {
		ui_status(ui, 1, "no reason code matches what was typed; "
		    "Backspace erases it");
		return;
	}
	ui_pop(ui);
	prompt_words_open(ui, act, a, flag, r);
}

static void
picker_erase(struct ui *ui, void *state, const struct view_binding *b)
{
	struct picker	*p = state;

	(void)b;
	if (p->ntyped > 0)
		p->typed[--p->ntyped] = '\0';
	p->sel = 0;
	ui_dirty(ui);
}

static void
picker_cancel(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	ui_status(ui, 0, "cancelled; nothing recorded");
	ui_pop(ui);
}

static void
picker_help(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	view_help_open(ui);
}

/* Letters, digits, '_' and '.': they narrow the list. */
static int
picker_key(struct ui *ui, void *state, int is_key, int ch)
{
	struct picker	*p = state;

	if (is_key)
		return 1;
	if (ch == 8) {
		picker_erase(ui, state, NULL);
		return 1;
	}
	if (ch >= 'A' && ch <= 'Z')
		ch = ch - 'A' + 'a';
	if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	    ch == '_' || ch == '.' || ch == ' '))
		return 1;
	if (p->ntyped + 1 >= sizeof p->typed)
		return 1;
	p->typed[p->ntyped++] = (char)ch;
	p->typed[p->ntyped] = '\0';
	p->sel = 0;
	if (picker_nmatches(p) == 0)
		ui_status(ui, 1, "no reason code matches \"%s\"; Backspace "
		    "erases a letter", p->typed);
	ui_dirty(ui);
	return 1;
}

/* The category of a code: its part before the dot. */
static size_t
picker_category(const char *code)
{
	const char	*dot = strchr(code, '.');

	return dot != NULL ? (size_t)(dot - code) : strlen(code);
}

static void
picker_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct picker		*p = state;
	const struct reason	*r, *prev = NULL;
	char			 line[256], what[48] = "", bar[512], whom[48];
	int			 w = PICKER_WIDTH, h, y0, x0, y, sel_y = -1;
	int			 nlines = 0, top = 0, i;
	struct {
		const struct reason	*r;	/* NULL: a category heading */
		const char		*cat;
	}			 lines[2 * REASONS_MAX];
	size_t			 k, n;

	for (k = 0; (r = picker_match(p, k)) != NULL; k++) {
		n = picker_category(r->code);
		if (prev == NULL || picker_category(prev->code) != n ||
		    strncmp(prev->code, r->code, n) != 0) {
			if (strchr(r->code, '.') != NULL) {
				lines[nlines].r = NULL;
				lines[nlines++].cat = r->code;
			}
		}
		if (k == p->sel)
			sel_y = nlines;
		lines[nlines].r = r;
		lines[nlines++].cat = NULL;
		prev = r;
	}
	h = rows - 4;
	if (w > cols)
		w = cols;
	if (h < 3)
		h = rows;
	y0 = 1;
	x0 = (cols - w) / 2;
	if (p->flag != 0)
		snprintf(what, sizeof what, "flag %" PRId64 " of ", p->flag);
	snprintf(line, sizeof line, " Reason code to %s %s%s: %s",
	    p->act->name, what, prompt_whom(ui, p->attempt, whom,
	    sizeof whom), p->typed);
	ui_role(ui, UI_ROLE_OVERLAY_TITLE, 1);
	ui_put(y0, x0, w, line);
	ui_role(ui, UI_ROLE_OVERLAY_TITLE, 0);
	/* Keep the selected row in sight. */
	if (sel_y >= h - 2)
		top = sel_y - (h - 2) + 1;
	for (i = 0, y = y0 + 1; top + i < nlines && y < y0 + h - 1; i++, y++) {
		k = (size_t)(top + i);
		if (lines[k].r == NULL) {
			n = picker_category(lines[k].cat);
			snprintf(line, sizeof line, "  %.*s", (int)n,
			    lines[k].cat);
			ui_role(ui, UI_ROLE_HEADING, 1);
			ui_put(y, x0, w, line);
			ui_role(ui, UI_ROLE_HEADING, 0);
			continue;
		}
		r = lines[k].r;
		snprintf(line, sizeof line, "%s %-28s %s%s",
		    (int)k == sel_y ? ">" : " ", r->code, r->label,
		    r->text_required ? "  (words needed)" : "");
		if ((int)k == sel_y)
			ui_role(ui, UI_ROLE_SELECTED, 1);
		ui_put(y, x0, w, line);
		if ((int)k == sel_y) {
			ui_role(ui, UI_ROLE_SELECTED, 0);
			ui_cursor(ui, y, x0);
		}
	}
	if (nlines == 0)
		ui_put(y++, x0, w, "  (no code matches: Backspace)");
	ui_put(y, x0, w, "");
	view_keybar(&view_picker, bar, sizeof bar);
	ui_role(ui, UI_ROLE_KEYBAR, 1);
	ui_put(rows - 1, 0, cols, bar);
	ui_role(ui, UI_ROLE_KEYBAR, 0);
}
