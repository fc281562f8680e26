/*
 * filter.h - find and filter on the screen, with no curses: a text that an
 * attempt (or a flag, or a journal row) must contain, a set of state
 * classes of which an attempt must be in one, and a grouping of the rows.
 * The views (view-attempts.c, view-queue.c, view-journal.c) share one
 * filter (ui_filter()), so that Tab keeps it; tests call these as they are
 * (tests/check_filter.c).
 *
 * The text matches as a substring, case-insensitively (towlower(3) on
 * each character, in the locale's UTF-8; a byte that is not UTF-8 only
 * matches itself), over an attempt's id, candidate, name, centre, IP and
 * the rule names of its open flags.
 *
 * The state classes (invigil(1), FIND AND FILTER), one pass over the
 * attempts counts them; an attempt may be in more than one (flagged and
 * paused), or in none (scheduled, checked in):
 *	active		in progress, neither offline nor missing
 *	paused		paused
 *	offline		in progress, its candidate in a network outage
 *	missing		MISSING (model_missing())
 *	flagged		one open flag or more, whatever its state
 *	submitted	submitted or terminated: the attempt has ended
 * No class on: every attempt is shown; some on: those in any of them.
 */
#ifndef INVIGIL_FILTER_H
#define INVIGIL_FILTER_H

#include <stddef.h>

struct attempt;
struct flag;

#define FILTER_TEXT_MAX	64	/* bytes of text, cut at a character */

enum filter_class {
	FILTER_ACTIVE,
	FILTER_PAUSED,
	FILTER_OFFLINE,
	FILTER_MISSING,
	FILTER_FLAGGED,
	FILTER_SUBMITTED,
	FILTER_NCLASS
};

/* How the attempts table groups its rows (`b` cycles them). */
enum filter_group {
	FILTER_GROUP_NONE,
	FILTER_GROUP_CENTRE,
	FILTER_GROUP_FEED,
	FILTER_GROUP_COUNT
};

struct filter {
	char			text[FILTER_TEXT_MAX + 1];	/* "": none */
	unsigned		states;		/* 1 << class: shown */
	enum filter_group	group;
	unsigned		gen;		/* grows at every change */
};

/* Whether a's feed says its candidate is in a network outage. */
typedef int	 filter_offline_fn(const struct attempt *a, void *arg);

/* One row of the attempts table: an attempt, or (a NULL) a group's
 * heading with its name and counts. */
struct filter_row {
	struct attempt	*a;
	const char	*group;		/* the heading's group ("" none) */
	size_t		 count, flagged;	/* the heading's attempts */
};

/* A class's name, "active" to "submitted". */
const char	*filter_class_name(enum filter_class);
/* A grouping's name: "none", "centre", "feed". */
const char	*filter_group_name(enum filter_group);
/*
 * Set f's text to s, cut to FILTER_TEXT_MAX bytes at a UTF-8 character
 * boundary; a text of blanks only is no text.  Counts a change.
 */
void		 filter_set_text(struct filter *f, const char *s);
/* Turn class c on or off (on: off, off: on); counts a change. */
void		 filter_toggle(struct filter *f, enum filter_class c);
/* Whether f hides anything (a text or a class on). */
int		 filter_active(const struct filter *f);
/*
 * Whether hay contains needle, case-insensitively (see the top); an empty
 * needle is in everything.  Both NUL-terminated; NULL hay: no.
 */
int		 filter_contains(const char *hay, const char *needle);
/* Whether a's fields (see the top) contain text. */
int		 filter_text_match(const char *text, const struct attempt *a);
/* The classes a is in, as 1 << class; offline: its candidate is in an
 * outage. */
unsigned	 filter_classes(const struct attempt *a, int offline);
/* Whether f shows a (its text, and its classes if any is on). */
int		 filter_match(const struct filter *f, const struct attempt *a,
		    int offline);
/* Whether f shows open flag fl in the flags queue: its text in fl's
 * attempt's id, candidate or name or in fl's rule; fl's attempt in a
 * class on, if any is; offline: of fl's attempt. */
int		 filter_flag_match(const struct filter *f,
		    const struct flag *fl, int offline);
/*
 * The attempts of each class among attempts[0..n-1], into counts
 * (FILTER_NCLASS of them), in one pass; offline may be NULL (none is).
 */
void		 filter_count(struct attempt *const *attempts, size_t n,
		    filter_offline_fn *offline, void *arg, size_t *counts);
/*
 * The rows of the table: the attempts f shows, in their order (attempts
 * as sorted), grouped by f->group (the groups by name, "" last, each
 * under a heading; within a group the sort stays), into *rows (grown with
 * *cap, owned by the caller: free()).  Returns the number of rows;
 * *shown: the attempts among them.
 */
size_t		 filter_rows(const struct filter *f,
		    struct attempt *const *attempts, size_t n,
		    filter_offline_fn *offline, void *arg,
		    struct filter_row **rows, size_t *cap, size_t *shown);
/*
 * The attempt row after (dir 1) or before (dir -1) row i, round the end:
 * its index, or i when there is none other; *wrapped set when it went
 * round.  i past the end: the search starts from the top.
 */
size_t		 filter_next(const struct filter_row *rows, size_t n,
		    size_t i, int dir, int *wrapped);
/* The row after (dir 1) or before (dir -1) row i of n (n > 0), round
 * the end; *wrapped set when it went round. */
size_t		 filter_step(size_t i, size_t n, int dir, int *wrapped);
/* The row of attempt a, or n when it is not shown. */
size_t		 filter_find(const struct filter_row *rows, size_t n,
		    const struct attempt *a);

#endif /* INVIGIL_FILTER_H */
