/*
 * decide.h - the acts a proctor can take, as one table.
 *
 * An act is what a proctor does about an attempt or one of its flags:
 * dismiss, confirm, escalate, note, warn, pause, resume, terminate,
 * message, extend (minutes of extra time), lock, and
 * ack_request (a candidate's raised hand acknowledged: it closes that
 * request's flag, and no other).  Each
 * is one row of act_table[] (acts.c): its name (the journal's kind and the
 * headless "action"), its key and words on the screen, whether it closes a
 * flag, whether it is sent to the feed as a command, and the headless op
 * that carries it.  The keys of the attempts view, the help overlay, the
 * bottom key bar, the reason prompt and the headless request checks (with
 * their error texts) are all generated from the table: an act added here
 * appears everywhere with no other edit.
 *
 * Pure: no libwebsockets, no curses.
 */
#ifndef INVIGIL_DECIDE_H
#define INVIGIL_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"
#include "store/store.h"

struct act {
	const char	       *name;	/* journal kind, headless "action" */
	int			key;	/* its key on the attempts view */
	const char	       *label;	/* its word on the key bar */
	const char	       *help;	/* its line in the help overlay */
	/* The flag state it leaves its flag in: STORE_FLAG_OPEN when it
	 * closes none.  An act that closes a flag needs an open one (on the
	 * screen the attempt's top open flag, shown in the prompt). */
	enum store_flag_state	closes;
	int			command; /* enum proto_action sent to the
					    attempt's feed, or -1: recorded
					    only */
	const char	       *op;	/* the headless op that carries it:
					   "decide" (names a flag), "command"
					   or "note" (name an attempt) */
	const char	       *rule;	/* a flag act only for flags of this
					   rule (a candidate's request, e.g.
					   raise_hand), taking the attempt's
					   newest open one; NULL: any flag */
	int			flags;	/* ACT_* below */
};

#define ACT_BULK	0x1	/* taken on every marked attempt at once */
#define ACT_WORDS	0x2	/* needs words whatever the code: they are
				   what the candidate sees (message) */
#define ACT_MINUTES	0x4	/* needs minutes, 1..PROTO_EXTEND_MAX
				   (extend); no other act takes any */

struct app;
struct attempt;
struct reasons;
struct flag;

/* A decision as asked for, on the screen or by a headless request. */
struct decision {
	struct attempt	       *attempt;
	struct flag	       *flag;		/* NULL: the top open flag when
						   the act closes one */
	const char	       *action;		/* an act's name (act_table) */
	const char	       *reason_code;	/* a code of app_reasons(), or
						   NULL */
	const char	       *reason;		/* free text: may be "" only
						   with a code that does not
						   require text */
	const char	       *request;	/* headless request id, or NULL */
	const char	       *request_json;	/* the id as JSON text (a string
						   or an integer), or NULL */
	int64_t			minutes;	/* extend's extra time, else 0 */
};

struct decision_result {
	struct store_receipt	receipt;	/* journal seq, time, hash */
	int64_t			flag;		/* the flag decided on, or 0 */
	char			cmd[PROTO_ID_MAX + 1];	/* command sent, or "" */
};

extern const struct act	act_table[];
extern const size_t	act_count;

/* The act called name, or NULL. */
const struct act	*act_find(const char *name);
/* The act bound to key, or NULL. */
const struct act	*act_by_key(int key);
/* The act that only takes flags of rule (a request: ack_request for
 * raise_hand), or NULL: rule's flags are not requests. */
const struct act	*act_for_rule(const char *rule);
/* The newest open flag of list (open flags, newest first) that act may
 * take: of act->rule, or the top (flags_top) when the act names none. */
struct flag		*act_flag(const struct act *act, struct flag *list);
/*
 * The names of the acts headless op carries (every act if op is NULL),
 * joined by sep, e.g. "dismiss, confirm, escalate", into out (always
 * terminated).  Returns the number of acts listed.
 */
size_t			 act_names(const char *op, const char *sep, char *out,
			    size_t outsz);

/* The reason codes decisions are checked against: --reasons, or the
 * compiled-in defaults. */
const struct reasons	*app_reasons(const struct app *);

/*
 * Record a decision: durably in the journal (chained, with its evidence),
 * and for an act that is a command, as a command to the attempt's feed,
 * recorded in the same transaction.  Returns 0 once the journal entry is
 * committed (out filled), or -1 with a sentence in err and nothing
 * recorded or sent: an unknown act, an unknown reason code, no reason in
 * words where it is required (no code, or a code with text=required), no open flag to close, a
 * flag already closed or of another attempt, a command for a feed that
 * was replaced or is not connected, or a reason too long to send.
 */
int			 app_decide(struct app *, const struct decision *,
			    struct decision_result *, char *err,
			    size_t errlen);

/*
 * The act d names on every marked attempt (app->bulk, bulk.h), in the
 * order marked: one app_decide() each with d's reason (d->attempt and
 * d->flag are not used), each its own journal entry and command; the
 * batch's result starts again.  Only an act allowed in bulk (ACT_BULK)
 * and with marks: else -1 with err and nothing done.  Returns the number
 * of commands sent (the failures are listed in app->bulk, the status line
 * says the summary).
 */
int			 app_decide_bulk(struct app *, const struct decision *d,
			    char *err, size_t errlen);

#endif /* INVIGIL_DECIDE_H */
