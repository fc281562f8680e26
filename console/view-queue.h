/*
 * view-queue.h - the pure parts of the flags queue (view-queue.c): a row
 * per open flag, their order (the candidates' pending requests first, then
 * severity, then oldest first), an age
 * as "4m12s", and whether a flag waits past the response time.  No curses,
 * no model walk: tests call them as they are (tests/check_views.c).
 */
#ifndef INVIGIL_VIEW_QUEUE_H
#define INVIGIL_VIEW_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct flag;

/* The open flags the queue lists at most: past them, those of the
 * attempts last in the table's (risk) order are counted, not listed. */
#define QUEUE_MAX	200000

/* One open flag in the queue. */
struct queue_row {
	struct flag	*f;
	int		 request;	/* a candidate's request (act_for_rule) */
	int		 severity;
	int64_t		 raised_ms;	/* on the console's clock */
	int64_t		 id;		/* the flag's, the last tie-break */
};

/* qsort(3) order of rows: requests first, then the most severe, then the
 * oldest (smallest raised_ms), then by flag id. */
int	queue_cmp(const void *a, const void *b);

/*
 * ms as an age in at most 6 columns, minutes with their seconds: "12s",
 * "4m12s", "3h05m", "2d07h"; "0s" when negative (a clock ahead of ours).
 * Into out (always terminated).
 */
void	queue_age(int64_t ms, char *out, size_t outsz);

/* Whether a flag of age_ms has waited past the response time of secs
 * (strictly more). */
int	queue_late(int64_t age_ms, int secs);

#endif /* INVIGIL_VIEW_QUEUE_H */
