/*
 * replay.c - scenario files for `invigil feed --replay FILE.jsonl`.
 *
 * A scenario is what a feed would have streamed, minus the numbering: one
 * attempt, event, answer or state message per line, seq and ts optional.
 * It is loaded and validated whole before the feed starts, so that a typo
 * on line 9,000 is reported with its line number at start-up instead of
 * half-way through a test; the server then hands the messages out in file
 * order and numbers them itself.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"

struct replay {
	struct proto_msg	*msgs;
	size_t			 count;
	size_t			 alloc;
};

static void *
replay_realloc(void *p, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / n)
		goto oom;
	if ((p = realloc(p, n * size)) != NULL)
		return p;
oom:
	fprintf(stderr, "invigil: replay: out of memory\n");
	abort();
}

/* Append a decoded message; r takes over what it owns. */
static void
replay_append(struct replay *r, const struct proto_msg *m)
{
	if (r->count == r->alloc) {
		r->alloc = r->alloc == 0 ? 256 : r->alloc * 2;
		r->msgs = replay_realloc(r->msgs, r->alloc, sizeof *r->msgs);
	}
	r->msgs[r->count++] = *m;
}

static int
is_blank(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return 1;
}

static int
is_scenario_type(enum proto_type t)
{
	return t == PROTO_ATTEMPT || t == PROTO_EVENT || t == PROTO_ANSWER ||
	    t == PROTO_STATE;
}

/*
 * Load path.  Every line is decoded now; the first bad one stops the load
 * with "FILE:LINE: reason" in err and NULL returned.
 */
struct replay *
replay_load(const char *path, char *err, size_t errlen)
{
	FILE			*f;
	struct replay		*r;
	struct proto_msg	 m;
	char			*line = NULL, *start, why[PROTO_TEXT_MAX + 1];
	size_t			 cap = 0, len;
	ssize_t			 got;
	unsigned long		 lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		fprintf(stderr, "invigil: replay: out of memory\n");
		abort();
	}
	while ((got = getline(&line, &cap, f)) != -1) {
		lineno++;
		len = (size_t)got;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		start = line;
		if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			start += 3;	/* a byte-order mark from a Windows editor */
			len -= 3;
		}
		if (is_blank(start, len) || start[0] == '#')
			continue;
		if (len > PROTO_MAX_MESSAGE) {
			snprintf(err, errlen, "%s:%lu: line is %zu bytes, longer "
			    "than a message may be (%d bytes)", path, lineno,
			    len, PROTO_MAX_MESSAGE);
			goto fail;
		}
		if (proto_decode(start, len, PROTO_DECODE_UNSEQUENCED, &m, why,
		    sizeof why) != 0) {
			snprintf(err, errlen, "%s:%lu: %s", path, lineno, why);
			goto fail;
		}
		if (!is_scenario_type(m.type)) {
			snprintf(err, errlen, "%s:%lu: a scenario holds attempt, "
			    "event, answer and state messages, not \"%s\"", path,
			    lineno, proto_type_name(m.type));
			proto_msg_clear(&m);
			goto fail;
		}
		replay_append(r, &m);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s:%lu: cannot read: %s", path,
		    lineno + 1, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(f);
	return r;

fail:
	free(line);
	fclose(f);
	replay_free(r);
	return NULL;
}

void
replay_free(struct replay *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->count; i++)
		proto_msg_clear(&r->msgs[i]);
	free(r->msgs);
	free(r);
}

size_t
replay_count(const struct replay *r)
{
	return r->count;
}

/* The i-th message; NULL if i is past the end.  Valid until replay_free(). */
const struct proto_msg *
replay_message(const struct replay *r, size_t i)
{
	if (i >= r->count)
		return NULL;
	return &r->msgs[i];
}
