/*
 * bulk.c - marked attempts and the result of one act on all of them (see
 * bulk.h).
 */
#include <stdio.h>
#include <string.h>

#include "console/bulk.h"

/* The index of (feed, attempt) among the marks, or -1. */
static int
bulk_find(const struct bulk *b, const char *feed, const char *attempt)
{
	size_t	i;

	for (i = 0; i < b->nmarks; i++) {
		if (strcmp(b->mark[i].feed, feed) == 0 &&
		    strcmp(b->mark[i].attempt, attempt) == 0)
			return (int)i;
	}
	return -1;
}

int
bulk_marked(const struct bulk *b, const char *feed, const char *attempt)
{
	return bulk_find(b, feed, attempt) >= 0;
}

int
bulk_toggle(struct bulk *b, const char *feed, const char *attempt)
{
	int	i = bulk_find(b, feed, attempt);

	if (i >= 0) {
		/* Keep the order marked in: the act goes in that order. */
		memmove(&b->mark[i], &b->mark[i + 1],
		    (b->nmarks - (size_t)i - 1) * sizeof b->mark[0]);
		b->nmarks--;
		return 0;
	}
	if (b->nmarks == BULK_MAX)
		return -1;
	proto_utf8_copy(b->mark[b->nmarks].feed, sizeof b->mark[0].feed, feed);
	proto_utf8_copy(b->mark[b->nmarks].attempt, sizeof b->mark[0].attempt,
	    attempt);
	b->nmarks++;
	return 1;
}

void
bulk_clear(struct bulk *b)
{
	b->nmarks = 0;
	bulk_begin(b, "");
}

void
bulk_begin(struct bulk *b, const char *act)
{
	snprintf(b->act, sizeof b->act, "%s", act);
	b->sent = b->acked = b->refused = b->unsent = 0;
	b->ncmd = b->nfail = 0;
}

void
bulk_sent(struct bulk *b, const char *cmd)
{
	if (b->ncmd == BULK_MAX)
		return;
	snprintf(b->cmd[b->ncmd++], sizeof b->cmd[0], "%s", cmd);
	b->sent++;
}

/* List a failure (the list is as long as the batch can be). */
static void
bulk_list(struct bulk *b, const char *attempt, const char *why)
{
	struct bulk_fail	*f;

	if (b->nfail == BULK_MAX)
		return;
	f = &b->fail[b->nfail++];
	snprintf(f->attempt, sizeof f->attempt, "%s", attempt);
	/* Cut at a character: the sentence may come from a feed. */
	proto_utf8_copy(f->why, sizeof f->why, why);
}

void
bulk_failed(struct bulk *b, const char *attempt, const char *why)
{
	bulk_list(b, attempt, why);
	b->unsent++;
}

int
bulk_acked(struct bulk *b, const char *cmd, const char *attempt, int ok,
    const char *why)
{
	size_t	i;

	for (i = 0; i < b->ncmd; i++) {
		if (strcmp(b->cmd[i], cmd) == 0)
			break;
	}
	if (i == b->ncmd)
		return 0;
	/* Answered: no longer awaited (a repeated ack is not counted). */
	memmove(b->cmd[i], b->cmd[i + 1], (b->ncmd - i - 1) * sizeof b->cmd[0]);
	b->ncmd--;
	if (ok)
		b->acked++;
	else {
		b->refused++;
		bulk_list(b, attempt, why);
	}
	return 1;
}

void
bulk_summary(const struct bulk *b, char *out, size_t outsz)
{
	size_t	n;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (b->act[0] == '\0')
		return;
	if (b->acked + b->refused == 0)
		n = (size_t)snprintf(out, outsz, "%s: %zu sent", b->act,
		    b->sent);
	else
		n = (size_t)snprintf(out, outsz, "%s: %zu of %zu acknowledged",
		    b->act, b->acked, b->sent);
	if (b->refused > 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, ", %zu refused",
		    b->refused);
	if (b->unsent > 0 && n < outsz)
		snprintf(out + n, outsz - n, ", %zu not sent", b->unsent);
}
