/*
 * rules-int.h - private to rules/: the compiled form of a rule set and the
 * pieces shared between the parser (parse.c), the expression evaluator
 * (expr.c), message templates (template.c), the hash table (hash.c) and
 * the engine (engine.c).  Nothing outside rules/ includes this.
 */
#ifndef INVIGIL_RULES_INT_H
#define INVIGIL_RULES_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "proto/xmalloc.h"
#include "rules/rules.h"

/* ---- values */

enum rv_type { RV_MISSING, RV_BOOL, RV_NUM, RV_STR };

struct rv {
	enum rv_type	type;
	int		b;
	double		n;
	const char     *s;		/* RV_STR: NUL-terminated */
	char		buf[48];	/* storage for computed strings */
};

/* ---- fields: what a predicate or a template can name */

enum rules_field {
	F_FEED,
	F_ATT_ID,
	F_ATT_CANDIDATE,
	F_ATT_NAME,
	F_ATT_EXAM,
	F_ATT_FORM,
	F_ATT_CENTER,
	F_ATT_MODALITY,
	F_ATT_STATE,
	F_ATT_IP,
	F_ATT_DEVICE,
	F_ATT_OUTAGE,
	F_ATT_RESTORED_AGO,
	F_ATT_PREV_STATE,
	F_ATT_TRANSITION,
	F_EV_KIND,
	F_DATA,			/* data.<path>, the event's JSON */
	F_ANS_ITEM,
	F_ANS_RESPONSE,
	F_ANS_CORRECT,
	F_ANS_ELAPSED,
	F_ANS_CHANGED,
	F_COUNT_
};

/* Bits of message types a field is set on. */
#define ON_ATTEMPT	(1u << PROTO_ATTEMPT)
#define ON_EVENT	(1u << PROTO_EVENT)
#define ON_ANSWER	(1u << PROTO_ANSWER)
#define ON_STATE	(1u << PROTO_STATE)
#define ON_ANY		(ON_ATTEMPT | ON_EVENT | ON_ANSWER | ON_STATE)

struct rules_field_def {
	const char	*name;
	unsigned	 on;		/* ON_* bits */
	int		 words;		/* enum values: 1 state, 2 modality, 3 kind */
};
extern const struct rules_field_def rules_fields[F_COUNT_];

enum rules_func { FN_NONE, FN_PREFIX24, FN_HAS, FN_LOWER };

enum term_kind { T_CONST, T_FIELD, T_FUNC };

struct term {
	enum term_kind	 kind;
	struct rv	 value;		/* T_CONST; strings owned (value.s) */
	enum rules_field field;		/* T_FIELD */
	char		*path;		/* F_DATA: after "data.", owned */
	enum rules_func	 func;		/* T_FUNC */
	struct term	*arg;		/* T_FUNC, owned */
	int		 line, col;
};

enum expr_op { EX_AND, EX_OR, EX_NOT, EX_CMP, EX_IN, EX_TRUTH };
enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct expr {
	enum expr_op	 op;
	struct expr	*l, *r;		/* and/or; not uses l */
	enum cmp_op	 cmp;
	struct term	 a, b;		/* cmp: a op b; in, truth: a */
	struct term	*list;		/* in */
	size_t		 nlist;
};

/* Three-valued logic: a predicate on a missing field is unknown. */
enum tv { TV_FALSE, TV_TRUE, TV_UNKNOWN };

struct rules_att;

/* What an expression or a template is evaluated against. */
struct eval_ctx {
	const char		*feed;
	const struct proto_msg	*m;		/* NULL when time fires a hold */
	const struct rules_att	*att;
	int64_t			 now;		/* ts of the message, or tick time */
	int			 prev_state;	/* before this message, -1 unknown */
	const char		*transition;	/* "allowed", "unexpected" or NULL
						   if the message changed no state */
	json_t			*data;		/* parsed event data, lazily */
	int			 data_tried;
};

enum tv		 rules_expr_eval(const struct expr *, struct eval_ctx *);
void		 rules_term_eval(const struct term *, struct eval_ctx *, struct rv *);
void		 rules_expr_free(struct expr *);
void		 rules_term_clear(struct term *);
void		 rules_ctx_done(struct eval_ctx *);

/* ---- message templates */

enum tvar { TV_VAR_COUNT, TV_VAR_SECONDS, TV_VAR_VALUE, TV_VAR_RULE,
	TV_VAR_WITHIN, TV_VAR_SEVERITY, TV_VAR_WEIGHT, TV_VAR_COUNT_ };

struct tpiece {
	char		*text;		/* literal, or NULL for a placeholder */
	int		 var;		/* enum tvar, or -1 for a field term */
	struct term	 term;
};

struct template {
	struct tpiece	*p;
	size_t		 n;
};

/* What a hit knows beyond the context. */
struct hit_vars {
	int64_t		 count;
	int64_t		 seconds;
	const char	*value;
};

struct rule;
void		 rules_template_format(const struct rule *, struct eval_ctx *,
		     const struct hit_vars *, char *out, size_t outsz);
void		 rules_template_free(struct template *);
void		 rules_format_rv(const struct rv *, char *out, size_t outsz);

/* ---- compiled rules */

enum link_scope { SCOPE_FEED, SCOPE_ALL };

struct rule {
	char		*name;
	char		*description;
	int		 line;
	enum proto_type	 on;
	int		 kinds[PROTO_EV_COUNT];	/* on event: kinds matched */
	struct expr	*where;			/* NULL: every message */
	enum rules_mode	 mode;
	int64_t		 n;			/* count, run, link: N */
	int64_t		 within;		/* count: window in ms, -1 none */
	int64_t		 length;		/* duration: T in ms */
	int		 until[PROTO_EV_COUNT];	/* duration: end kinds */
	struct term	 link;			/* link: the value */
	enum link_scope	 scope;
	enum proto_severity severity;
	double		 weight;
	struct template	 message;
	int		 during_outage;
	int		 slot;			/* per-attempt state slot, or -1 */
	size_t		 index;
};

/* A list of rule pointers. */
struct rule_list {
	struct rule	**v;
	size_t		  n, cap;
};

struct rules {
	struct rule	 *rule;
	size_t		  n;
	size_t		  nslots;		/* stateful rules */
	struct rule_list  by_kind[PROTO_EV_COUNT];	/* on event K */
	struct rule_list  by_until[PROTO_EV_COUNT];	/* duration ending on K */
	struct rule_list  by_type[PROTO_TYPE_COUNT];	/* answer, attempt, state */
};

void		 rules_list_add(struct rule_list *, struct rule *);

/* ---- hash table: byte-string keys to pointers; no deletion */

struct hent {
	char		*key;
	size_t		 klen;
	uint64_t	 hash;
	void		*val;
};

struct rules_hash {
	struct hent	*v;
	size_t		 cap, n;
};

void		*rules_hash_get(const struct rules_hash *, const void *key, size_t klen);
/* Insert (key must be absent); returns the stored copy of the key. */
const char	*rules_hash_put(struct rules_hash *, const void *key, size_t klen, void *val);
void		 rules_hash_free(struct rules_hash *, void (*freeval)(void *));

/* ---- per-attempt state (engine.c) */

struct rules_feed;

struct rules_att {
	const char	*feed;		/* points into the hash key */
	const char	*id;
	struct rules_feed *fd;		/* its feed: clock, attempt count */
	int		 ended;		/* has been submitted or terminated */
	char		*candidate, *name, *exam, *form, *center, *ip, *device;
	int		 modality;	/* -1 unknown */
	int		 state;		/* -1 unknown */
	int		 outage;
	int64_t		 lost_ts;		/* start of the current/last outage */
	int64_t		 restored_ts;		/* end of the last outage, INT64_MIN none */
	void		**slot;			/* per stateful rule, lazily */
};

#endif /* INVIGIL_RULES_INT_H */
