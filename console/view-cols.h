/*
 * view-cols.h - a table view's columns as data (name, width, when it
 * narrows or goes), laid out for the terminal's width: as the width
 * shrinks, columns narrow and then drop in the order of their steps, so
 * that at 80 columns nothing overlaps or wraps; with room to spare the
 * growing columns widen.  The attempts table, the flags queue and the
 * journal view draw from it; man/invigil.1 (THE SCREEN) names the orders.
 * Pure: no curses (tests/check_views.c).
 */
#ifndef INVIGIL_VIEW_COLS_H
#define INVIGIL_VIEW_COLS_H

#include <stddef.h>

/* Most columns a table has. */
#define VIEW_COLS_MAX	16

struct view_col {
	const char	*title;		/* its heading */
	int		 width;		/* columns, the gap after it counted */
	int		 narrow;	/* its width once narrowed */
	int		 narrow_at;	/* the step that narrows it, 0: never */
	int		 drop_at;	/* the step that drops it, 0: never */
	int		 max;		/* with room to spare it grows to this;
					   -1: it takes the rest (the last
					   column, at least width) */
	int		 want;		/* the rest column: what it takes
					   before the others grow */
	int		 right;		/* the heading right-aligned */
	const char	*narrow_title;	/* its heading once narrowed, or
					   NULL: title */
};

/* Where a column is drawn: w 0 when it is dropped. */
struct view_col_pos {
	int		 x, w;
	int		 narrowed;	/* at its narrow width */
};

/*
 * Lay out the n columns (n <= VIEW_COLS_MAX) of cols from column x0 in a
 * screen width columns wide: the lowest step at which they fit (each step
 * narrows or drops the columns that name it), then the spare columns to
 * the rest column up to its want, the growing columns up to their max, and
 * the rest column.  Returns the step used.
 */
int	 view_cols_layout(const struct view_col *cols, size_t n, int x0,
	    int width, struct view_col_pos *out);
/*
 * The heading line of the laid-out columns, as the screen shows it (x0
 * leading spaces, each title at its column), into buf (always
 * terminated).
 */
void	 view_cols_heading(const struct view_col *cols,
	    const struct view_col_pos *pos, size_t n, int x0, char *buf,
	    size_t len);

/* The columns of the attempts table (view-attempts.c), of the flags queue
 * (view-queue.c) and of the journal view (view-journal.c) laid out in
 * cols columns into pos (VIEW_COLS_MAX); each returns the step used. */
int	 view_attempts_layout(int cols, struct view_col_pos *pos);
int	 view_queue_layout(int cols, struct view_col_pos *pos);
int	 view_journal_layout(int cols, struct view_col_pos *pos);

#endif /* INVIGIL_VIEW_COLS_H */
