/*
 * view-help.c - the help overlay: a box over the focused view listing that
 * view's keys, generated from its key table (view_help_line), so that a key
 * or an act added to a table is in the help with no other edit, then the
 * lines every view shares (the views, the mouse: view_help_common).  Long
 * lines wrap under their words; taller than the screen, Up, Down, PgUp
 * and PgDn scroll it.  view_manual[] names the views whose keys the man
 * page lists (invigil help --keys).
 *
 * An overlay: keys it does not bind go to the view below, as before the
 * views (a decision key with the help open asks for its reason).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console/view.h"
#include "proto/xmalloc.h"

#define KEY_ESCAPE	27

static view_key_fn	help_close, help_scroll;

struct help_view {
	int	top;		/* the first wrapped row shown */
	int	max_top;	/* as last drawn */
};

static const struct view_key help_keys[] = {
	{ KEY_UP, 'k', "Up/k", NULL, "scroll this help up", help_scroll,
	    "up", 0 },
	{ KEY_DOWN, 'j', "Down/j", NULL, "scroll this help down", help_scroll,
	    "down", 0 },
	{ KEY_PPAGE, 0, "PgUp", NULL, "this help a page up", help_scroll,
	    "pgup", 0 },
	{ KEY_NPAGE, 0, "PgDn", NULL, "this help a page down", help_scroll,
	    "pgdn", 0 },
	{ '?', KEY_F(1), "?/F1", NULL, "hide this help", help_close, NULL, 0 },
	{ KEY_ESCAPE, 0, "Esc", NULL, "hide this help", help_close, NULL, 0 },
};

static void	help_draw(struct ui *, void *, int, int);

const struct view view_help = {
	.title = " invigil keys  (? or Esc closes)",
	.flags = VIEW_OVERLAY,
	.keys = help_keys,
	.nkeys = sizeof help_keys / sizeof help_keys[0],
	.draw = help_draw,
	.free = free,
};

const struct view *const view_manual[] = {
	&view_attempts, &view_queue, &view_journal, &view_detail,
	&view_picker, NULL
};

int
view_help_open(struct ui *ui)
{
	return ui_push(ui, &view_help, xcalloc(1, sizeof(struct help_view)));
}

/*
 * Line i of the help of v: its key lines, a blank line, the lines every
 * view shares (view_help_common); 0, or -1 past the last.
 */
static int
help_line(const struct view *v, size_t i, char *buf, size_t len)
{
	size_t	n, c;

	if (view_help_line(v, i, buf, len) == 0)
		return 0;
	for (n = 0; view_help_line(v, n, buf, len) == 0; n++)
		;
	if (i == n) {
		buf[0] = '\0';
		return 0;
	}
	for (c = 0; view_help_common[c] != NULL; c++) {
		if (i == n + 1 + c) {
			snprintf(buf, len, "  %s", view_help_common[c]);
			return 0;
		}
	}
	return -1;
}

/* Where the help's wrapped rows go: row r at y + r - top, for top <= r <
 * top + n (n 0: only count them). */
struct help_rows {
	int	row;		/* rows so far */
	int	top, n, y, x, w;
};

/* Line (ASCII, ours) wrapped at spaces into hr->w columns, with the
 * text's indent (the key column's for a key line). */
static void
help_wrap(struct help_rows *hr, const char *line)
{
	char		 part[256];
	const char	*p = line, *cut;
	size_t		 indent, len, w = (size_t)hr->w;
	int		 first = 1;

	indent = strspn(line, " ");
	if (indent == 2 && strlen(line) > 11 && line[2] != ' ' &&
	    line[10] == ' ')
		indent = 11;	/* "  Up/k     select ...": under the words */
	if (w <= indent + 8)
		indent = 0;
	do {
		len = strlen(p);
		if (len > (first ? w : w - indent)) {
			len = first ? w : w - indent;
			/* The last space that fits, if there is one. */
			for (cut = p + len; cut > p && *cut != ' '; cut--)
				;
			if (cut > p)
				len = (size_t)(cut - p);
		}
		if (hr->row >= hr->top && hr->row < hr->top + hr->n) {
			snprintf(part, sizeof part, "%*s%.*s", first ? 0 :
			    (int)indent, "", (int)len, p);
			ui_put(hr->y + hr->row - hr->top, hr->x, hr->w, part);
		}
		hr->row++;
		first = 0;
		p += len;
		while (*p == ' ')
			p++;
	} while (*p != '\0');
}

static void
help_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct help_view	*hv = state;
	const struct view	*v;
	struct help_rows	 hr;
	char			 line[256], title[128];
	size_t			 i;
	int			 total, h;

	if ((v = ui_view_below(ui, &view_help)) == NULL)
		return;
	memset(&hr, 0, sizeof hr);
	hr.w = cols > 100 ? 100 : cols;
	for (i = 0; help_line(v, i, line, sizeof line) == 0; i++)
		help_wrap(&hr, line);
	total = hr.row;
	/* Over the view, never over the manager's status and key bar. */
	rows -= 2;
	if (rows < 2)
		return;
	h = total + 1 < rows ? total + 1 : rows;	/* and the title */
	hr.n = h - 1;
	/* Taller than the screen: it scrolls. */
	hv->max_top = total > hr.n ? total - hr.n : 0;
	if (hv->top > hv->max_top)
		hv->top = hv->max_top;
	if (hv->max_top > 0)
		snprintf(title, sizeof title, "%s  Up/Down/PgUp/PgDn scroll: "
		    "%d-%d of %d", view_help.title, hv->top + 1, hv->top +
		    hr.n, total);
	else
		snprintf(title, sizeof title, "%s", view_help.title);
	hr.y = (rows - h) / 2;
	hr.x = (cols - hr.w) / 2;
	ui_role(ui, UI_ROLE_OVERLAY_TITLE, 1);
	ui_put(hr.y, hr.x, hr.w, title);
	ui_role(ui, UI_ROLE_OVERLAY_TITLE, 0);
	hr.y++;
	hr.top = hv->top;
	hr.row = 0;
	for (i = 0; help_line(v, i, line, sizeof line) == 0; i++)
		help_wrap(&hr, line);
}

/* Up, Down, PgUp, PgDn: scroll a help taller than the screen. */
static void
help_scroll(struct ui *ui, void *state, const struct view_binding *b)
{
	struct help_view	*hv = state;
	int			 page = 10;

	if (strcmp(b->arg, "up") == 0)
		hv->top--;
	else if (strcmp(b->arg, "down") == 0)
		hv->top++;
	else if (strcmp(b->arg, "pgup") == 0)
		hv->top -= page;
	else
		hv->top += page;
	if (hv->top > hv->max_top)
		hv->top = hv->max_top;
	if (hv->top < 0)
		hv->top = 0;
	ui_dirty(ui);
}

static void
help_close(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	ui_pop(ui);
}
