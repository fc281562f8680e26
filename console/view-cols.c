/*
 * view-cols.c - a table's columns laid out for the terminal's width (see
 * view-cols.h).  Pure: no curses.
 */
#include <stdio.h>
#include <string.h>

#include "console/view-cols.h"

/* Column c's width at step: dropped (0), narrowed, or its own. */
static int
col_width(const struct view_col *c, int step)
{
	if (c->drop_at > 0 && step >= c->drop_at)
		return 0;
	if (c->narrow_at > 0 && step >= c->narrow_at)
		return c->narrow;
	return c->width;
}

/* The last step that changes a column. */
static int
cols_steps(const struct view_col *cols, size_t n)
{
	size_t	i;
	int	last = 0;

	for (i = 0; i < n; i++) {
		if (cols[i].drop_at > last)
			last = cols[i].drop_at;
		if (cols[i].narrow_at > last)
			last = cols[i].narrow_at;
	}
	return last;
}

/* Give column i up to upto columns of *spare. */
static void
cols_grow(struct view_col_pos *pos, size_t i, int upto, int *spare)
{
	int	more = upto - pos[i].w;

	if (more <= 0 || pos[i].w == 0)
		return;
	if (more > *spare)
		more = *spare;
	pos[i].w += more;
	*spare -= more;
}

int
view_cols_layout(const struct view_col *cols, size_t n, int x0, int width,
    struct view_col_pos *out)
{
	size_t	i, rest = n;
	int	step, last = cols_steps(cols, n), used = x0, spare, x;

	if (n > VIEW_COLS_MAX)
		n = VIEW_COLS_MAX;
	for (step = 0; step <= last; step++) {
		used = x0;
		for (i = 0; i < n; i++)
			used += col_width(&cols[i], step);
		if (used <= width)
			break;
	}
	if (step > last)
		step = last;
	for (i = 0; i < n; i++) {
		out[i].w = col_width(&cols[i], step);
		out[i].narrowed = cols[i].narrow_at > 0 &&
		    step >= cols[i].narrow_at && out[i].w > 0;
		if (cols[i].max == -1)
			rest = i;
	}
	spare = width > used ? width - used : 0;
	if (rest < n)
		cols_grow(out, rest, cols[rest].want, &spare);
	for (i = 0; i < n; i++) {
		if (i != rest && cols[i].max > 0 && !out[i].narrowed)
			cols_grow(out, i, cols[i].max, &spare);
	}
	if (rest < n && out[rest].w > 0)
		out[rest].w += spare;
	for (x = x0, i = 0; i < n; i++) {
		out[i].x = x;
		x += out[i].w;
	}
	return step;
}

void
view_cols_heading(const struct view_col *cols,
    const struct view_col_pos *pos, size_t n, int x0, char *buf, size_t len)
{
	const char	*t;
	size_t		 i, used;
	int		 w;

	if (len == 0)
		return;
	used = (size_t)snprintf(buf, len, "%*s", x0, "");
	for (i = 0; i < n && used < len; i++) {
		if (pos[i].w == 0)
			continue;
		w = pos[i].w - 1;	/* the gap after it */
		t = pos[i].narrowed && cols[i].narrow_title != NULL ?
		    cols[i].narrow_title : cols[i].title;
		used += (size_t)snprintf(buf + used, len - used, "%*s%-*.*s ",
		    cols[i].right && w > (int)strlen(t) ? w - (int)strlen(t) :
		    0, "", cols[i].right ? 0 : w, w, t);
	}
}
