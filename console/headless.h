/*
 * headless.h - --headless: requests on stdin, one JSON object per line,
 * and the console's answers and events on stdout, one per line
 * (invigil(1), HEADLESS).
 */
#ifndef INVIGIL_HEADLESS_H
#define INVIGIL_HEADLESS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "proto/proto.h"
#include "store/store.h"

struct act;
struct app;
struct flag;
struct pending_cmd;

/* A request line, checked (headless_check). */
struct headless_req {
	json_t		       *root;	/* the parsed line, owned */
	json_t		       *id;	/* its "id" (in root), or NULL: an
					   answer to it says null */
	const char	       *op;	/* decide, command, note */
	const struct act       *act;	/* one the op carries (act_table) */
	const char	       *reason;
	const char	       *reason_code;	/* or NULL */
	int64_t			flag;	/* decide: the flag's id */
	const char	       *feed;	/* command, note: or NULL */
	const char	       *attempt;
	int64_t			minutes;	/* command: extend's, else 0 */
};

/*
 * Check request line lineno (len bytes, no newline) without acting on it
 * or printing anything: it is one JSON object with an "id", a known "op"
 * and that op's fields only, an act the op carries (its "action"; the acts
 * and the error texts that list them come from act_table, so an act added
 * there is taken here with no other edit), a reason, and the flag or
 * attempt it is about.  1: a blank line, nothing to do; 0: r is filled;
 * -1: refused, err says why and r->id is the id to answer.  Either way
 * headless_req_free(r) after.
 */
int		 headless_check(const char *line, size_t len, uint64_t lineno,
		     struct headless_req *r, char *err, size_t errlen);
void		 headless_req_free(struct headless_req *);

/*
 * One line on stdout, flushed at once; o is consumed.  Any character the
 * display sanitiser would escape is written as a \uHHHH escape, the same
 * JSON value, so that nothing in it acts on a terminal showing it.
 */
void		 headless_print(json_t *o);

/* A flag was raised: say it on stdout. */
void		 headless_flag(struct app *, const struct flag *);
/* fd (stdin) is readable: take in the requests it holds.  0, or -1 at
 * the end of the requests. */
int		 headless_input(struct app *, int fd);
/* The feed answered p's command (m, an ack); receipt is the journal entry
 * that recorded the answer, or NULL if none did (a repeat, a failure). */
void		 headless_done(struct app *, const struct pending_cmd *p,
		     const struct proto_msg *m,
		     const struct store_receipt *receipt);
/* p's command was not answered within --command-timeout. */
void		 headless_unanswered(struct app *, const struct pending_cmd *p);
/* An outcome line: attempt a's outcome changed to what mark m says (the
 * format is in invigil(1)). */
struct outcome_mark;
void		 headless_outcome(struct app *, const struct attempt *a,
		    const struct outcome_mark *m);

#endif /* INVIGIL_HEADLESS_H */
