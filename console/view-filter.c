/*
 * view-filter.c - find and filter on the screen, for every top-level view:
 * the `/` prompt (prompt_line_open()) that edits the shared filter as the
 * proctor types, the state toggles 1 to 6 (and 0, all off), and the header
 * lines that show the state classes with their live counts and the filter
 * in force.  What matches is filter.c's; each view filters its own rows
 * and moves n and N among them.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "console/console.h"
#include "console/filter.h"
#include "console/view.h"

/* The `/` prompt's edits: the filter follows the text as it is typed;
 * Enter keeps it, Esc clears it. */
static void
find_line(struct ui *ui, void *arg, const char *text, enum prompt_event ev)
{
	struct filter	*f = ui_filter(ui);

	(void)arg;
	if (ev == PROMPT_CANCEL) {
		filter_set_text(f, "");
		ui_status(ui, 0, "filter cleared");
	} else {
		filter_set_text(f, text);
		if (ev == PROMPT_ENTER)
			ui_status(ui, 0, f->text[0] != '\0' ? "filter \"%s\" "
			    "kept (/ then Esc clears it)" : "no text filter",
			    f->text);
	}
	ui_dirty(ui);
}

void
view_key_find(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	(void)b;
	prompt_line_open(ui, "Filter (Enter keeps, Esc clears): /",
	    ui_filter(ui)->text, FILTER_TEXT_MAX, find_line, NULL);
}

/* Key 0 (all off) or 1 to 6 (class 0 to 5 on or off). */
static void
state_key(struct ui *ui, int ch)
{
	struct filter		*f = ui_filter(ui);
	enum filter_class	 c = (enum filter_class)(ch - '1');

	ui_dirty(ui);
	if (ch == '0') {
		f->states = 0;
		f->gen++;
		ui_status(ui, 0, "every state shown");
		return;
	}
	filter_toggle(f, c);
	ui_status(ui, 0, "%s %s", filter_class_name(c), (f->states >> c) & 1 ?
	    "shown (with any other state on)" : "no longer filtered");
}

void
view_key_state(struct ui *ui, void *state, const struct view_binding *b)
{
	(void)state;
	state_key(ui, b->key);
}

int
view_filter_digit(struct ui *ui, int is_key, int ch)
{
	if (is_key || ch < '1' || ch >= '1' + FILTER_NCLASS)
		return 0;
	state_key(ui, ch);
	return 1;
}

int
view_filter_set(struct ui *ui, int states)
{
	const struct filter	*f = ui_filter(ui);

	if (f->text[0] != '\0' || (states && f->states != 0))
		return 1;
	ui_status(ui, 1, "no filter: / filters by text%s", states ?
	    ", 1 to 6 by state" : "");
	return 0;
}

int
view_filter_header(struct ui *ui, int y, int cols, size_t shown,
    size_t total, const char *what)
{
	const struct filter	*f = ui_filter(ui);
	struct attempt		**attempts;
	size_t			 counts[FILTER_NCLASS], n, i;
	char			 seg[64], name[16], line[256];
	int			 c, x = 0, on, len;

	attempts = ui_attempts(ui, &n);
	filter_count(attempts, n, ui_offline_of, ui, counts);
	for (c = 0; c < FILTER_NCLASS && x < cols; c++) {
		on = (f->states >> c) & 1;
		snprintf(name, sizeof name, "%s",
		    filter_class_name((enum filter_class)c));
		/* On: in brackets and in capitals, not only reversed. */
		for (i = 0; on && name[i] != '\0'; i++)
			name[i] = (char)toupper((unsigned char)name[i]);
		len = snprintf(seg, sizeof seg, "%c%d %s %zu%c", on ? '[' :
		    ' ', c + 1, name, counts[c], on ? ']' : ' ');
		if (on)
			ui_role(ui, UI_ROLE_SELECTED, 1);
		ui_put(y, x, len < cols - x ? len : cols - x, seg);
		if (on)
			ui_role(ui, UI_ROLE_SELECTED, 0);
		x += len;
	}
	if (x < cols)
		ui_put(y, x, cols - x, "");
	y++;
	if (!filter_active(f) && f->group == FILTER_GROUP_NONE)
		return y;
	snprintf(line, sizeof line, " filter %s%s%s | %zu of %zu %s shown%s%s",
	    f->text[0] != '\0' ? "\"" : "", f->text[0] != '\0' ? f->text :
	    "(states only)", f->text[0] != '\0' ? "\"" : "", shown, total,
	    what, f->group != FILTER_GROUP_NONE ? " | grouped by " : "",
	    f->group != FILTER_GROUP_NONE ? filter_group_name(f->group) : "");
	if (!filter_active(f))
		snprintf(line, sizeof line, " grouped by %s | %zu %s",
		    filter_group_name(f->group), total, what);
	ui_role(ui, UI_ROLE_ALERT, 1);
	ui_put(y++, 0, cols, line);
	ui_role(ui, UI_ROLE_ALERT, 0);
	return y;
}
