/*
 * view-help.c - the help overlay: a box over the focused view listing that
 * view's keys, generated from its key table (view_help_line), so that a key
 * or an act added to a table is in the help with no other edit.
 *
 * An overlay: keys it does not bind go to the view below, as before the
 * views (a decision key with the help open asks for its reason).
 */
#include <stddef.h>
#include <stdio.h>

#include <curses.h>

#include "console/view.h"

#define KEY_ESCAPE	27

static view_key_fn	help_close;

static const struct view_key help_keys[] = {
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
};

const struct view *const view_manual[] = {
	&view_attempts, &view_queue, &view_journal, &view_detail,
	&view_picker, NULL
};

int
view_help_open(struct ui *ui)
{
	return ui_push(ui, &view_help, NULL);
}

static void
help_draw(struct ui *ui, void *state, int rows, int cols)
{
	const struct view	*v;
	char			 line[256];
	size_t			 i, n, c;
	int			 w, h, y0, x0;

	(void)state;
	if ((v = ui_view_below(ui, &view_help)) == NULL)
		return;
	for (n = 0; view_help_line(v, n, line, sizeof line) == 0; n++)
		;
	for (c = 0; view_help_common[c] != NULL; c++)
		;
	h = (int)(n + c) + 3;
	w = cols > 100 ? 100 : cols;
	if (w > cols)
		w = cols;
	if (h > rows)
		h = rows;
	y0 = (rows - h) / 2;
	x0 = (cols - w) / 2;
	ui_role(ui, UI_ROLE_OVERLAY_TITLE, 1);
	ui_put(y0, x0, w, view_help.title);
	ui_role(ui, UI_ROLE_OVERLAY_TITLE, 0);
	for (i = 0; i < n && (int)i + 1 < h; i++) {
		view_help_line(v, i, line, sizeof line);
		ui_put(y0 + 1 + (int)i, x0, w, line);
	}
	/* A blank line, then what every view shares. */
	if ((int)n + 1 < h)
		ui_put(y0 + 1 + (int)n, x0, w, "");
	for (i = 0; i < c && (int)(n + i) + 2 < h; i++) {
		snprintf(line, sizeof line, "  %s", view_help_common[i]);
		ui_put(y0 + 2 + (int)(n + i), x0, w, line);
	}
}

static void
help_close(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	ui_pop(ui);
}
