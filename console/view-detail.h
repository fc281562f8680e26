/*
 * view-detail.h - the pure parts of the attempt detail view
 * (view-detail.c): how long ago, in few columns; how the screen's rows are
 * shared between the facts, the flags, the linked attempts and the
 * timeline; and where the timeline scrolls.  No curses, no model: tests
 * call them as they are (tests/check_views.c).
 */
#ifndef INVIGIL_VIEW_DETAIL_H
#define INVIGIL_VIEW_DETAIL_H

#include <stddef.h>
#include <stdint.h>

/* The timeline items a detail view keeps: the newest. */
#define DETAIL_ITEMS	2000
/* Linked attempts listed, each reached by its digit. */
#define DETAIL_LINKED	9

/*
 * ms as an age in at most 5 columns: "12s", "4m", "3h", "2d"; "0s" when
 * negative (a clock ahead of ours).  Into out (always terminated).
 */
void	detail_age(int64_t ms, char *out, size_t outsz);

/* How the rows of the view (the manager's two bottom lines excluded) are
 * shared. */
struct detail_layout {
	int	facts;		/* the facts block: title and two lines */
	int	flags;		/* flag lines shown (after the risk line) */
	int	linked;		/* 1: a line of linked attempts */
	int	timeline_y;	/* the timeline's heading */
	int	timeline;	/* timeline rows under its heading, >= 0 */
};

/*
 * The layout of rows for nflags flags and nlinked linked attempts: the
 * facts (3 rows), the risk line, up to a fifth of what is left for flags
 * (at least one line when there are any and room: 3 at 24 rows, 6 at 40,
 * so that the timeline keeps the most room), the linked line when there
 * are any, the timeline's heading and the rest for the timeline.
 */
void	detail_layout(int rows, size_t nflags, size_t nlinked,
	    struct detail_layout *out);

/*
 * The first of n items to show in a window of shown rows so that item
 * want is in it, a third from the top when it can be (so what led to it
 * shows above).  0 when everything fits.
 */
size_t	detail_scroll_to(size_t n, size_t shown, size_t want);

/* top kept in [0, n - shown] (0 when everything fits). */
size_t	detail_scroll_clamp(size_t top, size_t n, size_t shown);

#endif /* INVIGIL_VIEW_DETAIL_H */
