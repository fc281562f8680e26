/*
 * flags.c - the flag lifecycle (see flags.h): raise or merge on a rule's
 * hit, close on a decision, re-arm after it; interned rule names; a flag
 * to and from its store row.
 *
 * Pure: no connection, no screen, no database; the caller stores.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/flags.h"
#include "proto/xmalloc.h"

void
flags_free(struct flags *fl)
{
	size_t	i;

	for (i = 0; i < fl->nrule_names; i++)
		free(fl->rule_names[i]);
	free(fl->rule_names);
	fl->rule_names = NULL;
	fl->nrule_names = 0;
}

/* There are a few dozen rules, so a scan is enough. */
const char *
flags_rule_name(struct flags *fl, const char *name)
{
	size_t	i;

	for (i = 0; i < fl->nrule_names; i++)
		if (strcmp(fl->rule_names[i], name) == 0)
			return fl->rule_names[i];
	fl->rule_names = xreallocarray(fl->rule_names, fl->nrule_names + 1,
	    sizeof *fl->rule_names);
	fl->rule_names[fl->nrule_names] = xstrdup(name);
	return fl->rule_names[fl->nrule_names++];
}

/* The message is the flag's largest part: allocated to its length. */
struct flag *
flags_new(const char *message)
{
	size_t		 len = message != NULL ? strlen(message) : 0;
	struct flag	*f;

	f = xcalloc(1, sizeof *f + len + 1);
	if (len > 0)
		memcpy(f->message, message, len);
	return f;
}

void
flags_evidence_add(struct flag *f, const int64_t *seqs, size_t n)
{
	size_t	i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < f->nevidence && f->evidence[k] != seqs[i]; k++)
			;
		if (k < f->nevidence)
			continue;
		if (f->nevidence == RULES_EVIDENCE_MAX) {
			memmove(f->evidence, f->evidence + 1,
			    (RULES_EVIDENCE_MAX - 1) * sizeof f->evidence[0]);
			f->nevidence--;
		}
		f->evidence[f->nevidence++] = seqs[i];
	}
}

enum flags_change
flags_hit(struct flags *fl, struct flag **open, struct attempt *owner,
    const struct rules_hit *h, struct flag **out)
{
	struct flag	*f;
	const char	*rule = flags_rule_name(fl, h->rule);

	for (f = *open; f != NULL; f = f->next) {
		if (f->rule == rule)
			break;
	}
	if (f != NULL) {
		f->count++;
		if (h->ts_ms > f->last_ms)
			f->last_ms = h->ts_ms;
		if (h->seq > f->last_seq)
			f->last_seq = h->seq;
		flags_evidence_add(f, h->evidence, h->nevidence);
		*out = f;
		return FLAGS_MERGED;
	}
	f = flags_new(h->message);
	f->attempt = owner;
	f->rule = rule;
	f->severity = (enum proto_severity)h->severity;
	f->weight = h->weight;
	flags_evidence_add(f, h->evidence, h->nevidence);
	f->first_ms = f->last_ms = h->ts_ms;
	f->first_seq = f->last_seq = h->seq;
	f->count = 1;
	f->state = STORE_FLAG_OPEN;
	f->next = *open;
	*open = f;
	*out = f;
	return FLAGS_RAISED;
}

void
flags_close(struct flag **open, struct flag **closed, struct flag *f,
    enum store_flag_state state, int64_t now_ms)
{
	struct flag	**fp;

	for (fp = open; *fp != NULL; fp = &(*fp)->next) {
		if (*fp == f) {
			*fp = f->next;
			break;
		}
	}
	f->state = state;
	f->closed_ms = now_ms;
	f->next = *closed;
	*closed = f;
}

void
flags_put(struct flag **open, struct flag **closed, struct flag *f)
{
	struct flag	**list = f->state == STORE_FLAG_OPEN ? open : closed;

	f->next = *list;
	*list = f;
}

struct flag *
flags_top(struct flag *open)
{
	struct flag	*f, *best = NULL;

	for (f = open; f != NULL; f = f->next) {
		if (best == NULL || f->severity > best->severity)
			best = f;
	}
	return best;
}

struct flag *
flags_find(struct flag *list, int64_t id)
{
	for (; list != NULL; list = list->next)
		if (list->id == id)
			return list;
	return NULL;
}

void
flags_free_list(struct flag *list)
{
	struct flag	*next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list);
	}
}

void
flags_to_store(const struct flag *f, const char *feed, const char *attempt,
    struct store_flag *sf, char *evidence, size_t evidencesz)
{
	size_t	i, n = 0;

	memset(sf, 0, sizeof *sf);
	sf->id = f->id;
	sf->feed = feed;
	sf->attempt = attempt;
	sf->rule = f->rule;
	sf->severity = f->severity;
	sf->message = f->message;
	sf->first_ms = f->first_ms;
	sf->last_ms = f->last_ms;
	sf->count = f->count;
	sf->first_seq = f->first_seq;
	sf->last_seq = f->last_seq;
	sf->state = f->state;
	sf->weight = f->weight;
	sf->closed_ms = f->closed_ms;
	if (evidencesz > 0)
		evidence[0] = '\0';
	for (i = 0; i < f->nevidence && n < evidencesz; i++)
		n += (size_t)snprintf(evidence + n, evidencesz - n,
		    "%s%" PRId64, i ? "," : "", f->evidence[i]);
	sf->evidence = f->nevidence > 0 ? evidence : NULL;
}

struct flag *
flags_from_store(struct flags *fl, const struct store_flag *sf,
    struct attempt *owner)
{
	struct flag	*f;
	const char	*p;
	char		*end;

	f = flags_new(sf->message);
	f->id = sf->id;
	f->attempt = owner;
	f->rule = flags_rule_name(fl, sf->rule);
	f->severity = sf->severity;
	f->weight = sf->weight;
	f->first_ms = sf->first_ms;
	f->last_ms = sf->last_ms;
	f->first_seq = sf->first_seq;
	f->last_seq = sf->last_seq;
	f->count = sf->count;
	f->state = sf->state;
	f->closed_ms = sf->closed_ms;
	for (p = sf->evidence; p != NULL && *p != '\0' &&
	    f->nevidence < RULES_EVIDENCE_MAX; p = *end == ',' ? end + 1 : end) {
		int64_t seq = strtoll(p, &end, 10);

		if (end == p)
			break;
		f->evidence[f->nevidence++] = seq;
	}
	return f;
}
