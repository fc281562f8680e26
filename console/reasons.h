/*
 * reasons.h - the reason codes a decision carries (invigil-reasons(5)).
 *
 * A reason list is a small table of dotted codes, TAO style: a category
 * ("security") and a subcategory ("security.second_person"), each with a
 * label the proctor reads in the picker and whether the decision must also
 * say why in free text.  The list is parsed from a reason file (--reasons
 * PATH) or from the compiled-in defaults (reasons_default_text()); it is
 * immutable once built.  The screen's picker and the headless requests
 * check codes against the same list (decide.c).
 *
 * Pure: no curses, no store.  Errors are sentences in a caller buffer,
 * "FILE:LINE:COL: what is wrong; what to do"; nothing here aborts on input,
 * only on out-of-memory.
 */
#ifndef INVIGIL_REASONS_H
#define INVIGIL_REASONS_H

#include <stddef.h>

#define REASONS_MAX		256		/* codes in one list */
#define REASONS_CODE_MAX	64		/* bytes of a code */
#define REASONS_PART_MAX	32		/* bytes of each dotted part */
#define REASONS_LABEL_MAX	80		/* bytes of a label */
#define REASONS_LINE_MAX	1024		/* bytes of a line */
#define REASONS_FILE_MAX	(256 * 1024)	/* bytes of a file */

struct reason {
	char	code[REASONS_CODE_MAX + 1];	/* "security.second_person" */
	char	label[REASONS_LABEL_MAX + 1];	/* "Second person" */
	int	text_required;			/* free text must be given */
	/* The acts it is for: bit i is act_table[i] (decide.h); 0: every
	 * act. */
	unsigned long acts;
};

struct reasons;

/*
 * Parse len bytes of reason-file text (need not be NUL-terminated);
 * filename is used in messages only.  Returns a new list (reasons_free) or
 * NULL with "filename:line:col: what is wrong" in err.  A list with no
 * code is refused.
 */
struct reasons	*reasons_parse(const char *text, size_t len,
		     const char *filename, char *err, size_t errlen);
/*
 * Read and parse the reason file at path, never blocking (a FIFO or a
 * device in its place is refused), at most REASONS_FILE_MAX bytes of UTF-8.
 * NULL with a sentence in err on failure.
 */
struct reasons	*reasons_load(const char *path, char *err, size_t errlen);
/* The compiled-in list, parsed once and shared: never NULL, never freed. */
const struct reasons *reasons_default(void);
/* The compiled-in list as reason-file text (what `invigil reasons
 * defaults` prints). */
const char	*reasons_default_text(void);
void		 reasons_free(struct reasons *);

/* The number of codes, and the i-th in file order (NULL past the last). */
size_t		 reasons_count(const struct reasons *);
const struct reason *reasons_at(const struct reasons *, size_t i);
/* Is r a reason for the act called act (an act of decide.h)?  1 or 0. */
int		 reasons_for_act(const struct reason *r, const char *act);
/* The code called code, exactly, or NULL. */
const struct reason *reasons_find(const struct reasons *, const char *code);
/*
 * Does code match what the proctor typed?  Each dotted part of typed is a
 * prefix of the same part of code ("sec.pro" matches
 * "security.prohibited_aid"), or typed is a prefix of the code's last part
 * or of a word of its label ("phone" would match a label "Phone in
 * hand"); case is ignored.  An empty typed matches every code.  1 or 0.
 */
int		 reasons_match(const struct reason *, const char *typed);
/*
 * The sentence for an unknown code: "unknown reason code "x" (did you
 * mean "y"?); the codes are in invigil reasons defaults or the --reasons
 * file" into err.  code is hostile: it is shown sanitised and cut.
 */
void		 reasons_unknown(const struct reasons *, const char *code,
		     char *err, size_t errlen);

#endif /* INVIGIL_REASONS_H */
