/*
 * headless-out.c - what `invigil --headless` writes on stdout that is not
 * an answer to a request: a flag raised ({"t":"flag",...}), a command the
 * feed answered ({"t":"done",...}) or has not within --command-timeout
 * ({"t":"unanswered",...}), an attempt's outcome changed ({"t":"outcome",
 * ...}); and the one way every line is written.  The
 * format is in invigil(1).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/app.h"
#include "console/headless.h"

/*
 * One line on stdout, flushed at once; o is consumed.  Its strings may come
 * off the wire: any character the display sanitiser would escape is written
 * as a \uHHHH escape, the same JSON value, so that nothing in it acts on a
 * terminal showing the output.
 */
void
headless_print(json_t *o)
{
	char	*raw, *line;

	raw = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (raw == NULL)
		abort();
	line = proto_json_safe(raw, strlen(raw), NULL);
	free(raw);
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	free(line);
}

void
headless_flag(struct app *app, const struct flag *f)
{
	json_t	*o, *ev;
	char	 ts[32];
	size_t	 i;

	(void)app;
	proto_time_format(f->first_ms, ts);
	ev = json_array();
	for (i = 0; i < f->nevidence; i++)
		json_array_append_new(ev, json_integer(f->evidence[i]));
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:s, s:I, s:s, s:o}",
	    "t", "flag",
	    "id", (json_int_t)f->id,
	    "feed", f->attempt->feed->id,
	    "attempt", f->attempt->id,
	    "rule", f->rule,
	    "severity", proto_severity_name(f->severity),
	    "weight", f->weight,
	    "message", f->message,
	    "seq", (json_int_t)f->first_seq,
	    "ts", ts,
	    "evidence", ev);
	if (o == NULL) {
		fprintf(stderr, "invigil: cannot print flag %" PRId64 "\n",
		    f->id);
		return;
	}
	headless_print(o);
}

/*
 * The common part of done and unanswered lines: which request, command,
 * attempt and feed.  A command loaded from the database at start-up has
 * no request id here: "id" is null, "cmd" names it.
 */
static json_t *
headless_command_line(const char *type, const struct pending_cmd *p)
{
	json_t	*o, *id = NULL;

	if (p->request != NULL)
		id = json_loads(p->request, JSON_DECODE_ANY, NULL);
	o = json_object();
	json_object_set_new(o, "t", json_string(type));
	json_object_set_new(o, "id", id != NULL ? id : json_null());
	json_object_set_new(o, "cmd", json_string(p->id));
	json_object_set_new(o, "action", json_string(proto_action_name(
	    p->action)));
	json_object_set_new(o, "feed", json_string(p->attempt->feed->id));
	json_object_set_new(o, "attempt", json_string(p->attempt->id));
	return o;
}

void
headless_done(struct app *app, const struct pending_cmd *p,
    const struct proto_msg *m, const struct store_receipt *receipt)
{
	json_t	*o, *error;
	char	 ts[32], clean[4 * sizeof m->u.ack.error];

	(void)app;
	o = headless_command_line("done", p);
	json_object_set_new(o, "ok", json_boolean(m->u.ack.ok));
	if (!m->u.ack.ok) {
		/* The feed's words; as they were unless not UTF-8. */
		if ((error = json_string(m->u.ack.error)) == NULL)
			error = json_string(proto_clean(m->u.ack.error, clean,
			    sizeof clean));
		json_object_set_new(o, "error", error);
	}
	proto_time_format(receipt != NULL ? receipt->time_ms : proto_now_ms(),
	    ts);
	json_object_set_new(o, "time", json_string(ts));
	if (receipt != NULL) {
		json_object_set_new(o, "seq", json_integer(receipt->seq));
		json_object_set_new(o, "hash", json_string(receipt->hash));
	}
	headless_print(o);
}

void
headless_unanswered(struct app *app, const struct pending_cmd *p)
{
	json_t	*o;
	char	 ts[32];

	o = headless_command_line("unanswered", p);
	json_object_set_new(o, "after", json_integer(app->opt.command_timeout >
	    0 ? app->opt.command_timeout : CONSOLE_COMMAND_TIMEOUT_S));
	proto_time_format(proto_now_ms(), ts);
	json_object_set_new(o, "time", json_string(ts));
	headless_print(o);
}

/* s as a JSON string: as it is, or sanitised when it is not UTF-8. */
static json_t *
headless_string(const char *s)
{
	json_t	*j;
	char	 clean[4 * OUTCOME_NAME_MAX];

	if ((j = json_string(s)) == NULL)
		j = json_string(proto_clean(s, clean, sizeof clean));
	return j;
}

void
headless_outcome(struct app *app, const struct attempt *a,
    const struct outcome_mark *m)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} names[] = {
		{ "opened_by", offsetof(struct outcome, opened_by) },
		{ "proposer", offsetof(struct outcome, proposer) },
		{ "code", offsetof(struct outcome, code) },
		{ "approver", offsetof(struct outcome, approver) },
	};
	json_t		*o;
	const char	*s;
	char		 ts[32];
	size_t		 i;

	(void)app;
	if (m == NULL)
		return;
	proto_time_format(m->fold.since_ms, ts);
	o = json_object();
	json_object_set_new(o, "t", json_string("outcome"));
	json_object_set_new(o, "feed", json_string(a->feed->id));
	json_object_set_new(o, "attempt", json_string(a->id));
	json_object_set_new(o, "state", json_string(outcome_state_name(
	    outcome_at(&m->fold, proto_now_ms()))));
	json_object_set_new(o, "seq", json_integer(m->last_seq));
	json_object_set_new(o, "time", json_string(ts));
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		s = (const char *)&m->fold + names[i].off;
		if (*s != '\0')
			json_object_set_new(o, names[i].key,
			    headless_string(s));
	}
	headless_print(o);
}
