/*
 * replay.c - scenario files for `invigil feed --replay FILE.jsonl`.
 *
 * A scenario is what a feed would have streamed, minus the numbering: one
 * attempt, event, answer or state message per line, seq and ts optional.
 * It is loaded and validated whole before the feed starts, so that a typo
 * on line 9,000 is reported with its line number at start-up instead of
 * half-way through a test; the server then hands the messages out in file
 * order and numbers them itself.
 *
 * Only the text of each line is kept (one buffer, lines back to back, with
 * their offsets): a decoded message is about 1.2 KB, so a scenario of a
 * million lines would otherwise hold over a gigabyte.  replay_message()
 * decodes the line it is asked for again into one scratch message per
 * replay, valid until the next call (or replay_free()).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed/feed.h"
#include "proto/xmalloc.h"

struct replay {
	char			*text;		/* the lines, back to back */
	size_t			 textlen;
	size_t			 textcap;
	size_t			*off;		/* line i is text[off[i]..off[i+1]) */
	size_t			 count;
	size_t			 alloc;		/* entries in off (count + 1 used) */
	struct proto_msg	*scratch;	/* what replay_message() returned,
						   or zeroed */
};

/* Append the text of a validated line. */
static void
replay_append(struct replay *r, const char *line, size_t len)
{
	if (r->count + 2 > r->alloc) {
		r->alloc = r->alloc == 0 ? 256 : r->alloc * 2;
		r->off = xreallocarray(r->off, r->alloc, sizeof *r->off);
	}
	if (len > r->textcap - r->textlen) {
		while (len > r->textcap - r->textlen)
			r->textcap = r->textcap == 0 ? 64 * 1024 : r->textcap * 2;
		r->text = xreallocarray(r->text, r->textcap, 1);
	}
	memcpy(r->text + r->textlen, line, len);
	r->off[r->count] = r->textlen;
	r->textlen += len;
	r->off[++r->count] = r->textlen;
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
 * Load path.  Every line is decoded now, to validate it, and only its text
 * kept; the first bad one stops the load with "FILE:LINE: reason" in err and
 * NULL returned.
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
	int			 fd;

	/* Not fopen(): a FIFO would block it until a writer came. */
	if ((fd = proto_file_open(path, "scenario file", err, errlen)) == -1)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot read the scenario file: %s",
		    proto_clean(path, why, sizeof why), strerror(errno));
		close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->scratch = xcalloc(1, sizeof *r->scratch);
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
		proto_msg_clear(&m);
		replay_append(r, start, len);
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
	if (r == NULL)
		return;
	proto_msg_clear(r->scratch);
	free(r->scratch);
	free(r->off);
	free(r->text);
	free(r);
}

size_t
replay_count(const struct replay *r)
{
	return r->count;
}

/*
 * The i-th message, decoded again from its text into the replay's scratch
 * message; NULL if i is past the end.  Valid until the next replay_message()
 * on the same replay, or replay_free().
 */
const struct proto_msg *
replay_message(const struct replay *r, size_t i)
{
	char	why[PROTO_TEXT_MAX + 1];

	if (i >= r->count)
		return NULL;
	proto_msg_clear(r->scratch);	/* the previous one; zeroed is fine */
	if (proto_decode(r->text + r->off[i], r->off[i + 1] - r->off[i],
	    PROTO_DECODE_UNSEQUENCED, r->scratch, why, sizeof why) != 0) {
		/* It decoded at load time; the same bytes cannot fail now. */
		fprintf(stderr, "invigil: replay: message %zu no longer "
		    "decodes: %s\n", i, why);
		abort();
	}
	return r->scratch;
}
