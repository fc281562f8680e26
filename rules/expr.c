/*
 * expr.c - evaluating rule predicates: the fields a rule can name, the
 * values they have on a message, and three-valued logic over them.
 *
 * A comparison that involves a missing value (an event data field the
 * message lacks, an attempt fact not yet known, a field of another message
 * type) is neither true nor false but unknown; `not` keeps it unknown, `and`
 * is false if either side is false, `or` true if either side is true.  A
 * rule matches only when its predicate is true, so a missing field never
 * makes a rule fire, not even under `not` or `!=`.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules-int.h"

const struct rules_field_def rules_fields[F_COUNT_] = {
	[F_FEED]		= { "feed",			ON_ANY, 0 },
	[F_ATT_ID]		= { "attempt.id",		ON_ANY, 0 },
	[F_ATT_CANDIDATE]	= { "attempt.candidate",	ON_ANY, 0 },
	[F_ATT_NAME]		= { "attempt.name",		ON_ANY, 0 },
	[F_ATT_EXAM]		= { "attempt.exam",		ON_ANY, 0 },
	[F_ATT_FORM]		= { "attempt.form",		ON_ANY, 0 },
	[F_ATT_CENTER]		= { "attempt.center",		ON_ANY, 0 },
	[F_ATT_MODALITY]	= { "attempt.modality",		ON_ANY, 2 },
	[F_ATT_STATE]		= { "attempt.state",		ON_ANY, 1 },
	[F_ATT_IP]		= { "attempt.ip",		ON_ANY, 0 },
	[F_ATT_DEVICE]		= { "attempt.device",		ON_ANY, 0 },
	[F_ATT_OUTAGE]		= { "attempt.outage",		ON_ANY, 0 },
	[F_ATT_RESTORED_AGO]	= { "attempt.restored_ago",	ON_ANY, 0 },
	[F_ATT_PREV_STATE]	= { "attempt.previous_state",	ON_ATTEMPT | ON_STATE, 1 },
	[F_ATT_TRANSITION]	= { "attempt.transition",	ON_ATTEMPT | ON_STATE, 0 },
	[F_EV_KIND]		= { "event.kind",		ON_EVENT, 3 },
	[F_DATA]		= { "data.",			ON_EVENT, 0 },
	[F_ANS_ITEM]		= { "answer.item",		ON_ANSWER, 0 },
	[F_ANS_RESPONSE]	= { "answer.response",		ON_ANSWER, 0 },
	[F_ANS_CORRECT]		= { "answer.correct",		ON_ANSWER, 0 },
	[F_ANS_ELAPSED]		= { "answer.elapsed_ms",	ON_ANSWER, 0 },
	[F_ANS_CHANGED]		= { "answer.changed",		ON_ANSWER, 0 },
};

static void
set_str(struct rv *v, const char *s)
{
	if (s == NULL || *s == '\0') {
		v->type = RV_MISSING;
		return;
	}
	v->type = RV_STR;
	v->s = s;
}

static void
set_num(struct rv *v, double n)
{
	v->type = RV_NUM;
	v->n = n;
}

static void
set_bool(struct rv *v, int b)
{
	v->type = RV_BOOL;
	v->b = b != 0;
}

/* The JSON value at a dotted path inside the event's data, or NULL. */
static json_t *
data_lookup(struct eval_ctx *c, const char *path)
{
	json_error_t	 jerr;
	json_t		*j;
	const char	*dot;
	char		 key[PROTO_ID_MAX + 1];
	size_t		 len;

	if (c->m == NULL || c->m->type != PROTO_EVENT || c->m->u.event.data == NULL)
		return NULL;
	if (!c->data_tried) {
		c->data_tried = 1;
		c->data = json_loadb(c->m->u.event.data,
		    c->m->u.event.data_len != 0 ? c->m->u.event.data_len :
		    strlen(c->m->u.event.data), 0, &jerr);
	}
	j = c->data;
	while (j != NULL && *path != '\0') {
		if (!json_is_object(j))
			return NULL;
		dot = strchr(path, '.');
		len = dot == NULL ? strlen(path) : (size_t)(dot - path);
		if (len >= sizeof key)
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		j = json_object_get(j, key);
		path += len + (dot != NULL);
	}
	return j;
}

static void
field_eval(const struct term *t, struct eval_ctx *c, struct rv *v)
{
	const struct rules_att	*a = c->att;
	const struct proto_msg	*m = c->m;
	json_t			*j;

	v->type = RV_MISSING;
	if (t->field >= F_ATT_ID && t->field <= F_ATT_TRANSITION && a == NULL)
		return;
	switch (t->field) {
	case F_FEED:
		set_str(v, c->feed);
		break;
	case F_ATT_ID:
		set_str(v, a->id);
		break;
	case F_ATT_CANDIDATE:
		set_str(v, a->candidate);
		break;
	case F_ATT_NAME:
		set_str(v, a->name);
		break;
	case F_ATT_EXAM:
		set_str(v, a->exam);
		break;
	case F_ATT_FORM:
		set_str(v, a->form);
		break;
	case F_ATT_CENTER:
		set_str(v, a->center);
		break;
	case F_ATT_MODALITY:
		if (a->modality >= 0)
			set_str(v, proto_modality_name(a->modality));
		break;
	case F_ATT_STATE:
		if (a->state >= 0)
			set_str(v, proto_state_name(a->state));
		break;
	case F_ATT_IP:
		set_str(v, a->ip);
		break;
	case F_ATT_DEVICE:
		set_str(v, a->device);
		break;
	case F_ATT_OUTAGE:
		set_bool(v, a->outage);
		break;
	case F_ATT_RESTORED_AGO:
		if (a->restored_ts == INT64_MIN)
			set_num(v, INFINITY);
		else
			set_num(v, (double)(c->now - a->restored_ts));
		break;
	case F_ATT_PREV_STATE:
		if (c->prev_state >= 0)
			set_str(v, proto_state_name(c->prev_state));
		break;
	case F_ATT_TRANSITION:
		set_str(v, c->transition);
		break;
	case F_EV_KIND:
		if (m != NULL && m->type == PROTO_EVENT)
			set_str(v, proto_event_kind_name(m->u.event.kind));
		break;
	case F_DATA:
		if ((j = data_lookup(c, t->path)) == NULL)
			break;
		if (json_is_string(j))
			set_str(v, json_string_value(j));
		else if (json_is_number(j))
			set_num(v, json_number_value(j));
		else if (json_is_boolean(j))
			set_bool(v, json_is_true(j));
		break;
	case F_ANS_ITEM:
	case F_ANS_RESPONSE:
	case F_ANS_CORRECT:
	case F_ANS_ELAPSED:
	case F_ANS_CHANGED:
		if (m == NULL || m->type != PROTO_ANSWER)
			break;
		if (t->field == F_ANS_ITEM)
			set_str(v, m->u.answer.item);
		else if (t->field == F_ANS_RESPONSE)
			set_str(v, m->u.answer.response);
		else if (t->field == F_ANS_CORRECT)
			set_bool(v, m->u.answer.correct);
		else if (t->field == F_ANS_ELAPSED)
			set_num(v, (double)m->u.answer.elapsed_ms);
		else
			set_num(v, (double)m->u.answer.changed);
		break;
	default:
		break;
	}
}

/* "a.b.c.d" -> "a.b.c"; anything but a dotted IPv4 address is missing. */
static void
prefix24(const struct rv *in, struct rv *out)
{
	unsigned	o[4];
	char		tail;

	out->type = RV_MISSING;
	if (in->type != RV_STR ||
	    sscanf(in->s, "%3u.%3u.%3u.%3u%c", &o[0], &o[1], &o[2], &o[3],
	    &tail) != 4 || o[0] > 255 || o[1] > 255 || o[2] > 255 || o[3] > 255)
		return;
	snprintf(out->buf, sizeof out->buf, "%u.%u.%u", o[0], o[1], o[2]);
	out->type = RV_STR;
	out->s = out->buf;
}

/* The value of a term on this message; v->s may point into v itself. */
void
rules_term_eval(const struct term *t, struct eval_ctx *c, struct rv *v)
{
	struct rv	arg;
	size_t		i;

	switch (t->kind) {
	case T_CONST:
		*v = t->value;	/* constant strings live on the heap */
		return;
	case T_FIELD:
		field_eval(t, c, v);
		return;
	case T_FUNC:
		rules_term_eval(t->arg, c, &arg);
		v->type = RV_MISSING;
		switch (t->func) {
		case FN_PREFIX24:
			prefix24(&arg, v);
			break;
		case FN_HAS:
			set_bool(v, arg.type != RV_MISSING);
			break;
		case FN_LOWER:
			if (arg.type != RV_STR)
				break;
			for (i = 0; arg.s[i] != '\0' && i + 1 < sizeof v->buf; i++)
				v->buf[i] = (char)tolower((unsigned char)arg.s[i]);
			v->buf[i] = '\0';
			v->type = RV_STR;
			v->s = v->buf;
			break;
		default:
			break;
		}
		return;
	}
}

static enum tv
compare(enum cmp_op op, const struct rv *a, const struct rv *b)
{
	int	c;

	if (a->type == RV_MISSING || b->type == RV_MISSING ||
	    a->type != b->type)
		return TV_UNKNOWN;
	switch (a->type) {
	case RV_NUM:
		c = a->n < b->n ? -1 : a->n > b->n;
		break;
	case RV_STR:
		c = strcmp(a->s, b->s);
		c = c < 0 ? -1 : c > 0;
		break;
	case RV_BOOL:
		if (op != CMP_EQ && op != CMP_NE)
			return TV_UNKNOWN;
		c = a->b - b->b;
		break;
	default:
		return TV_UNKNOWN;
	}
	switch (op) {
	case CMP_EQ:
		return c == 0 ? TV_TRUE : TV_FALSE;
	case CMP_NE:
		return c != 0 ? TV_TRUE : TV_FALSE;
	case CMP_LT:
		return c < 0 ? TV_TRUE : TV_FALSE;
	case CMP_LE:
		return c <= 0 ? TV_TRUE : TV_FALSE;
	case CMP_GT:
		return c > 0 ? TV_TRUE : TV_FALSE;
	case CMP_GE:
		return c >= 0 ? TV_TRUE : TV_FALSE;
	}
	return TV_UNKNOWN;
}

/* Evaluate a predicate on the message in c. */
enum tv
rules_expr_eval(const struct expr *e, struct eval_ctx *c)
{
	struct rv	a, b;
	enum tv		l, r;
	size_t		i;

	switch (e->op) {
	case EX_AND:
		l = rules_expr_eval(e->l, c);
		if (l == TV_FALSE)
			return TV_FALSE;
		r = rules_expr_eval(e->r, c);
		if (r == TV_FALSE)
			return TV_FALSE;
		return l == TV_TRUE && r == TV_TRUE ? TV_TRUE : TV_UNKNOWN;
	case EX_OR:
		l = rules_expr_eval(e->l, c);
		if (l == TV_TRUE)
			return TV_TRUE;
		r = rules_expr_eval(e->r, c);
		if (r == TV_TRUE)
			return TV_TRUE;
		return l == TV_FALSE && r == TV_FALSE ? TV_FALSE : TV_UNKNOWN;
	case EX_NOT:
		l = rules_expr_eval(e->l, c);
		return l == TV_UNKNOWN ? TV_UNKNOWN :
		    l == TV_TRUE ? TV_FALSE : TV_TRUE;
	case EX_CMP:
		rules_term_eval(&e->a, c, &a);
		rules_term_eval(&e->b, c, &b);
		return compare(e->cmp, &a, &b);
	case EX_IN:
		rules_term_eval(&e->a, c, &a);
		if (a.type == RV_MISSING)
			return TV_UNKNOWN;
		for (i = 0; i < e->nlist; i++) {
			rules_term_eval(&e->list[i], c, &b);
			if (compare(CMP_EQ, &a, &b) == TV_TRUE)
				return TV_TRUE;
		}
		return TV_FALSE;
	case EX_TRUTH:
		rules_term_eval(&e->a, c, &a);
		switch (a.type) {
		case RV_BOOL:
			return a.b ? TV_TRUE : TV_FALSE;
		case RV_NUM:
			return a.n != 0 ? TV_TRUE : TV_FALSE;
		case RV_STR:
			return TV_TRUE;
		default:
			return TV_UNKNOWN;
		}
	}
	return TV_UNKNOWN;
}

/* Release what the context parsed. */
void
rules_ctx_done(struct eval_ctx *c)
{
	if (c->data != NULL)
		json_decref(c->data);
	c->data = NULL;
	c->data_tried = 0;
}

void
rules_term_clear(struct term *t)
{
	if (t->kind == T_CONST && t->value.type == RV_STR &&
	    t->value.s != t->value.buf)
		free((char *)t->value.s);
	free(t->path);
	if (t->arg != NULL) {
		rules_term_clear(t->arg);
		free(t->arg);
	}
	memset(t, 0, sizeof *t);
}

void
rules_expr_free(struct expr *e)
{
	size_t	i;

	if (e == NULL)
		return;
	rules_expr_free(e->l);
	rules_expr_free(e->r);
	rules_term_clear(&e->a);
	rules_term_clear(&e->b);
	for (i = 0; i < e->nlist; i++)
		rules_term_clear(&e->list[i]);
	free(e->list);
	free(e);
}
