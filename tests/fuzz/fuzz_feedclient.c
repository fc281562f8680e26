/*
 * fuzz_feedclient.c - libFuzzer target for what `invigil feed` does with a
 * console's message beyond decoding it (feed/server.c, feed/limits.c).
 *
 * The input is one message from a console.  A hello is positioned as the
 * server positions it, against feeds holding several ranges in the hello's
 * own epoch: the start must be within 1..last_seq+1 (after_seq + 1
 * overflowed once and the feed aborted), and the welcome and the gap the
 * server would send must encode.  A cmd goes through a small command
 * memory shared by all inputs (find, then remember), and its ack, with the
 * kind of error the simulator writes, must encode.  A message that does not
 * decode gets the ack the server gives a bad cmd, which must encode too.
 * Every wire string the server logs, sanitised, must hold no ESC.
 *
 * Build and run with `make fuzz` (tests/fuzz/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/limits.h"
#include "proto/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void __attribute__((noreturn))
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_feedclient: %s%s%s\n", what,
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	abort();
}

static void
must_encode(const struct proto_msg *m)
{
	char	 err[512], *json;
	size_t	 len;

	if ((json = proto_encode(m, &len, err, sizeof err)) == NULL)
		fail("the server could not encode its answer", err);
	free(json);
}

static void
must_log_safely(const char *s)
{
	char	out[4 * PROTO_TEXT_MAX + 1];
	size_t	n = proto_sanitize(s, strlen(s), out, sizeof out);

	if (memchr(out, 0x1b, n) != NULL)
		fail("a raw ESC left the sanitiser", NULL);
}

static void
hello(const struct proto_hello *h)
{
	static const int64_t	lasts[] = { 0, 1, 999, INT64_MAX / 2 };
	struct proto_msg	m;
	int64_t			start, first;
	size_t			i;
	int			ahead;

	must_log_safely(h->proctor);
	for (i = 0; i < sizeof lasts / sizeof lasts[0]; i++) {
		start = feed_resume_start(h, h->has_resume ? h->resume_epoch :
		    1, lasts[i], &ahead);
		if (start < 1 || start > lasts[i] + 1)
			fail("a resume starts outside 1..last_seq+1", NULL);
		memset(&m, 0, sizeof m);
		m.type = PROTO_WELCOME;
		m.ts_ms = 1795456800000;
		snprintf(m.u.welcome.feed, sizeof m.u.welcome.feed, "f");
		snprintf(m.u.welcome.name, sizeof m.u.welcome.name, "F");
		m.u.welcome.epoch = h->has_resume ? h->resume_epoch : 1;
		first = lasts[i] > 100 ? lasts[i] - 100 : 1;
		m.u.welcome.first_seq = first;
		m.u.welcome.last_seq = lasts[i];
		must_encode(&m);
		if (start < first) {
			memset(&m, 0, sizeof m);
			m.type = PROTO_GAP;
			m.ts_ms = 1795456800000;
			m.u.gap.from_seq = start;
			m.u.gap.to_seq = first - 1;
			snprintf(m.u.gap.why, sizeof m.u.gap.why, "no longer held");
			must_encode(&m);
		}
	}
}

static void
ack(const char *id, int ok, const char *error)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ACK;
	m.seq = 1;
	m.ts_ms = 1795456800000;
	proto_utf8_copy(m.u.ack.cmd, sizeof m.u.ack.cmd, id);
	m.u.ack.ok = ok;
	if (!ok)
		proto_utf8_copy(m.u.ack.error, sizeof m.u.ack.error, error);
	must_encode(&m);
}

static void
cmd(const struct proto_cmd *c)
{
	static struct feed_cmds	*mem;
	struct feed_cmd_answer	 a;
	char			 err[PROTO_TEXT_MAX + 1];

	if (mem == NULL)
		mem = feed_cmds_new(64);
	must_log_safely(c->id);
	must_log_safely(c->attempt);
	if (feed_cmds_find(mem, c->id, &a)) {
		ack(c->id, a.ok, a.error);
		return;
	}
	snprintf(err, sizeof err, "no attempt \"%s\" in this session",
	    c->attempt);
	feed_cmds_add(mem, c->id, 0, err);
	if (!feed_cmds_find(mem, c->id, &a))
		fail("a command just remembered is not found", c->id);
	ack(c->id, a.ok, a.error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_msg	m;
	char			err[512];

	if (proto_decode((const char *)data, size, 0, &m, err,
	    sizeof err) != 0) {
		/* A bad cmd with a usable id is answered with the sentence. */
		if (proto_utf8_valid((const char *)data, size))
			ack("bad", 0, err);
		must_log_safely(err);
		return 0;
	}
	if (m.type == PROTO_HELLO)
		hello(&m.u.hello);
	else if (m.type == PROTO_CMD)
		cmd(&m.u.cmd);
	proto_msg_clear(&m);
	return 0;
}
