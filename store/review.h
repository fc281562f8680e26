/*
 * review.h - the filtered readers of `invigil review attempts`, `flags`,
 * `decisions` and `export`: one SELECT each, rows streamed to a callback
 * as they are stepped (never gathered), so that an export of millions of
 * rows runs in constant memory.
 *
 * The filters are one struct; each reader applies the ones that mean
 * something for its rows (store_review_applies()), and the caller refuses
 * the others as usage errors.  Strings in rows are raw, exactly as stored,
 * valid during the call only; a caller that prints them to a terminal
 * sanitises them.  Each reader returns the number of rows delivered, or -1
 * with a sentence in err.  A callback returns non-zero to stop early.
 */
#ifndef INVIGIL_STORE_REVIEW_H
#define INVIGIL_STORE_REVIEW_H

#include <stdint.h>

#include "store/store.h"

enum store_review_what {
	STORE_REVIEW_ATTEMPTS,
	STORE_REVIEW_FLAGS,
	STORE_REVIEW_DECISIONS,	/* the journal's acts of people */
	STORE_REVIEW_MESSAGES,
	STORE_REVIEW_ANSWERS,
	STORE_REVIEW_JOURNAL,	/* every journal row */
	STORE_REVIEW_WHATS
};

/* The filters, as bits (store_review_applies(), store_review_given()). */
#define STORE_REVIEW_F_EXAM	0x001
#define STORE_REVIEW_F_FORM	0x002
#define STORE_REVIEW_F_CENTER	0x004
#define STORE_REVIEW_F_FEED	0x008
#define STORE_REVIEW_F_STATE	0x010
#define STORE_REVIEW_F_FLAGGED	0x020
#define STORE_REVIEW_F_DECIDED	0x040
#define STORE_REVIEW_F_RULE	0x080
#define STORE_REVIEW_F_SINCE	0x100
#define STORE_REVIEW_F_UNTIL	0x200
#define STORE_REVIEW_F_ATTEMPT	0x400

/*
 * What to read: a string NULL, a flag 0 or has_* 0 means "any".
 *
 * exam, form, center	the attempt's (attempts table); rows of other
 *			tables by the attempt they are about.
 * feed, attempt	the row's own feed and attempt id.
 * state		attempts: the attempt's state; flags: the flag's
 *			("open", "dismissed", "confirmed").
 * flagged		attempts with at least one flag.
 * decided		attempts with at least one decision; flags that are
 *			closed (dismissed or confirmed).
 * rule			flags of that rule; attempts with a flag of it.
 * since, until		ms, until exclusive: attempts with a message in the
 *			range; flags whose first..last overlaps it; journal
 *			rows by their time, messages and answers by feed
 *			time.
 */
struct store_review_filter {
	const char	*exam, *form, *center, *feed, *state, *rule;
	const char	*attempt;
	int		 flagged, decided;
	int		 has_since, has_until;
	int64_t		 since_ms, until_ms;
};

/* The filters (STORE_REVIEW_F_*) that apply to what. */
unsigned	 store_review_applies(enum store_review_what);
/* The filters f sets. */
unsigned	 store_review_given(const struct store_review_filter *f);

/* An attempt with what the review knows of it. */
struct store_review_attempt {
	const char	*feed, *attempt, *candidate, *name, *exam, *form;
	const char	*center, *state;
	int64_t		 open_flags, flags;
	double		 risk;		/* the open flags' weights, summed */
	int64_t		 decisions;	/* journal rows of people on it, of
					   every origin */
	int64_t		 first_ms, last_ms;	/* feed time of its first and
					   last message by seq; 0: none */
};

/* A flag, with who decided it and where it came from. */
struct store_review_flag {
	struct store_flag flag;
	const char	*source;	/* NULL: this database's own */
	const char	*decided_by;	/* actor of the last decision on it,
					   NULL if none (or still open) */
};

/* A journal row of this database (origin NULL) or of an imported one. */
struct store_review_journal {
	const char		*origin;	/* NULL: local */
	struct store_journal_row row;
};

/* One answer message, its fields read from the body (NULL, -1: absent). */
struct store_review_answer {
	int64_t		 id;		/* the message's row id */
	const char	*feed, *attempt;
	int64_t		 epoch, seq, ts_ms;
	const char	*item, *response;
	int		 correct;	/* 1, 0, -1 */
	int64_t		 elapsed_ms;	/* -1 */
	int		 changed;	/* 1, 0, -1 */
	const char	*candidate, *exam, *form;	/* the attempt's */
};

typedef int	(*store_review_attempt_fn)(const struct store_review_attempt *,
		     void *);
typedef int	(*store_review_flag_fn)(const struct store_review_flag *,
		     void *);
typedef int	(*store_review_journal_fn)(const struct store_review_journal *,
		     void *);
typedef int	(*store_review_answer_fn)(const struct store_review_answer *,
		     void *);

/* Attempts in (feed, attempt) order. */
int64_t		 store_review_attempts(struct store_reader *,
		     const struct store_review_filter *,
		     store_review_attempt_fn, void *arg, char *err,
		     size_t errlen);
/* Flags by id (the order they were raised in on each console). */
int64_t		 store_review_flags(struct store_reader *,
		     const struct store_review_filter *, store_review_flag_fn,
		     void *arg, char *err, size_t errlen);
/*
 * Journal rows of every origin: with decisions set, only the acts of
 * people (role other than "feed") in time order; else every row, this
 * database's first, then each origin's, each in seq order.
 */
int64_t		 store_review_journal(struct store_reader *,
		     const struct store_review_filter *, int decisions,
		     store_review_journal_fn, void *arg, char *err,
		     size_t errlen);
/* Stored messages in the order of commit (row id). */
int64_t		 store_review_messages(struct store_reader *,
		     const struct store_review_filter *, store_message_row_fn,
		     void *arg, char *err, size_t errlen);
/* Answer messages in the order of commit. */
int64_t		 store_review_answers(struct store_reader *,
		     const struct store_review_filter *,
		     store_review_answer_fn, void *arg, char *err,
		     size_t errlen);

/* The one SELECT of what with filter f (for tests and EXPLAIN), in out;
 * 0, or -1 when it does not fit. */
int		 store_review_sql(enum store_review_what what,
		     const struct store_review_filter *f, char *out,
		     size_t outlen);

#endif /* INVIGIL_STORE_REVIEW_H */
