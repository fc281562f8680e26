/*
 * template.c - filling in a rule's message template.  The parser (parse.c)
 * splits the template into literal text and placeholders, each either a
 * field term ({data.object}, {attempt.name}) or a hit variable ({count},
 * {seconds}, {value}, ...); here a hit's message is built from them.  A
 * placeholder whose value is missing is written "?".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules-int.h"

/* A value as text: integers without a fraction, others to 15 digits. */
void
rules_format_rv(const struct rv *v, char *out, size_t outsz)
{
	switch (v->type) {
	case RV_STR:
		proto_utf8_copy(out, outsz, v->s);
		break;
	case RV_BOOL:
		snprintf(out, outsz, "%s", v->b ? "true" : "false");
		break;
	case RV_NUM:
		if (isinf(v->n))
			snprintf(out, outsz, "%s", v->n > 0 ? "inf" : "-inf");
		else if (v->n > -1e15 && v->n < 1e15 &&
		    v->n == (double)(int64_t)v->n)
			snprintf(out, outsz, "%.0f", v->n);
		else
			snprintf(out, outsz, "%.15g", v->n);
		break;
	default:
		snprintf(out, outsz, "?");
		break;
	}
}

/*
 * Append s to out (size outsz, used *len); what does not fit is left out,
 * a whole character at a time, so that the message stays UTF-8 (a cut one
 * could not be encoded as JSON and the flag would never be printed).
 */
static void
append(char *out, size_t outsz, size_t *len, const char *s)
{
	size_t	n = strlen(s);

	if (*len + 1 >= outsz)
		return;
	if (n > outsz - 1 - *len)
		n = proto_utf8_boundary(s, outsz - 1 - *len);
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

static void
format_ms(int64_t ms, char *out, size_t outsz)
{
	if (ms % 3600000 == 0)
		snprintf(out, outsz, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		snprintf(out, outsz, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(out, outsz, "%llds", (long long)(ms / 1000));
	else
		snprintf(out, outsz, "%lldms", (long long)ms);
}

/* Build the message of a hit of rule r into out. */
void
rules_template_format(const struct rule *r, struct eval_ctx *c,
    const struct hit_vars *hv, char *out, size_t outsz)
{
	const struct tpiece	*p;
	struct rv		 v;
	char			 buf[PROTO_DATA_MAX];
	size_t			 i, len = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < r->message.n; i++) {
		p = &r->message.p[i];
		if (p->text != NULL) {
			append(out, outsz, &len, p->text);
			continue;
		}
		switch (p->var) {
		case TV_VAR_COUNT:
			snprintf(buf, sizeof buf, "%lld", (long long)hv->count);
			break;
		case TV_VAR_SECONDS:
			snprintf(buf, sizeof buf, "%lld", (long long)hv->seconds);
			break;
		case TV_VAR_VALUE:
			proto_utf8_copy(buf, sizeof buf,
			    hv->value != NULL ? hv->value : "?");
			break;
		case TV_VAR_RULE:
			proto_utf8_copy(buf, sizeof buf, r->name);
			break;
		case TV_VAR_WITHIN:
			if (r->within >= 0)
				format_ms(r->within, buf, sizeof buf);
			else if (r->mode == RULES_MODE_DURATION)
				format_ms(r->length, buf, sizeof buf);
			else
				snprintf(buf, sizeof buf, "?");
			break;
		case TV_VAR_SEVERITY:
			snprintf(buf, sizeof buf, "%s",
			    proto_severity_name(r->severity));
			break;
		case TV_VAR_WEIGHT:
			v.type = RV_NUM;
			v.n = r->weight;
			rules_format_rv(&v, buf, sizeof buf);
			break;
		default:
			rules_term_eval(&p->term, c, &v);
			rules_format_rv(&v, buf, sizeof buf);
			break;
		}
		append(out, outsz, &len, buf);
	}
}

void
rules_template_free(struct template *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++) {
		free(t->p[i].text);
		rules_term_clear(&t->p[i].term);
	}
	free(t->p);
	memset(t, 0, sizeof *t);
}
