/*
 * headless.c - `invigil --headless`: the console's pipeline without a
 * screen, for automation, tests and benchmarks.
 *
 * stdout: one JSON line per flag raised ({"t":"flag",...}), one per
 * request answered ({"t":"ack",...}: recorded, or refused with nothing
 * recorded), and for a command sent to a feed one when the feed answers it
 * ({"t":"done",...}, ok or refused) and one if it has not within
 * --command-timeout ({"t":"unanswered",...}), each flushed at once.
 *
 * stdin: requests, one JSON object per line:
 *
 *	{"id":"r1","op":"decide","flag":42,"action":"confirm",
 *	 "reason":"phone in hand","reason_code":"phone"}
 *	{"id":"r2","op":"command","attempt":"A-17","action":"pause",
 *	 "reason":"second person in view"}
 *	{"id":"r3","op":"note","attempt":"A-17","reason":"called the centre"}
 *
 * A request is acknowledged only after its journal entry is committed
 * durably: {"t":"ack","id":"r1","ok":true,"seq":7,"hash":"...",...}, or
 * {"t":"ack","id":"r1","ok":false,"error":"..."} with nothing recorded.
 * The format is in invigil(1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "console/console.h"

/* A request line longer than this is refused (and skipped to its end). */
#define HEADLESS_LINE_MAX	(64 * 1024)

/*
 * One line on stdout, flushed at once; o is consumed.  Its strings may come
 * off the wire: any character the display sanitiser would escape is written
 * as a \uHHHH escape, the same JSON value, so that nothing in it acts on a
 * terminal showing the output.
 */
static void
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

/* {"t":"ack","id":ID,"ok":false,"error":...}; id may be NULL. */
static void
headless_refuse(json_t *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
headless_refuse(json_t *id, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024], clean[4 * sizeof msg];
	json_t	*o;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Never end inside a character; and a string quoted cut short (by a
	 * "%.64s") still says what was wrong, its stray bytes escaped. */
	msg[proto_utf8_boundary(msg, strlen(msg))] = '\0';
	if (!proto_utf8_valid(msg, strlen(msg)))
		proto_clean(msg, clean, sizeof clean);
	else
		snprintf(clean, sizeof clean, "%s", msg);
	o = json_object();
	json_object_set_new(o, "t", json_string("ack"));
	json_object_set(o, "id", id != NULL ? id : json_null());
	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error", json_string(clean));
	headless_print(o);
}

/* The keys each op takes; anything else is a typo worth reporting. */
static const struct {
	const char	*op;
	const char	*keys[8];
	const char	*actions;	/* allowed, comma-separated */
} headless_ops[] = {
	{ "decide", { "id", "op", "flag", "action", "reason", "reason_code",
	    NULL }, "dismiss,confirm,escalate" },
	{ "command", { "id", "op", "feed", "attempt", "action", "reason",
	    "reason_code", NULL }, "warn,pause,resume,terminate" },
	{ "note", { "id", "op", "feed", "attempt", "reason", "reason_code",
	    NULL }, "note" },
};

static int
headless_action_ok(const char *list, const char *action)
{
	size_t	n = strlen(action);
	const char *p = list;

	while ((p = strstr(p, action)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static const char *
headless_string(json_t *req, const char *key)
{
	return json_string_value(json_object_get(req, key));
}

static void
headless_request(struct app *app, const char *line, size_t len)
{
	struct decision		 d;
	struct decision_result	 dr;
	json_error_t		 jerr;
	json_t			*req, *id, *v, *o;
	const char		*op, *key, *feed, *attempt;
	char			 err[512], ts[32], shown[41], *request_json;
	size_t			 i, k;
	int			 rc;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;		/* blank lines are allowed */
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		headless_refuse(NULL, "request line %" PRIu64 " is not JSON: "
		    "%s (column %d); send one JSON object per line",
		    app->req_line, jerr.text, jerr.column);
		return;
	}
	if (!json_is_object(req)) {
		headless_refuse(NULL, "request line %" PRIu64 " is not a JSON "
		    "object", app->req_line);
		goto out;
	}
	id = json_object_get(req, "id");
	if (id == NULL || !(json_is_string(id) || json_is_integer(id)) ||
	    (json_is_string(id) && (json_string_length(id) == 0 ||
	    json_string_length(id) > 64))) {
		headless_refuse(id != NULL && json_is_string(id) ? NULL : id,
		    "request line %" PRIu64 " needs an \"id\": a string of 1 "
		    "to 64 characters or an integer, echoed in its ack",
		    app->req_line);
		goto out;
	}
	op = headless_string(req, "op");
	for (i = 0; i < sizeof headless_ops / sizeof headless_ops[0]; i++)
		if (op != NULL && strcmp(op, headless_ops[i].op) == 0)
			break;
	if (i == sizeof headless_ops / sizeof headless_ops[0]) {
		headless_refuse(id, "\"op\" must be \"decide\", \"command\" "
		    "or \"note\"");
		goto out;
	}
	json_object_foreach(req, key, v) {
		for (k = 0; headless_ops[i].keys[k] != NULL; k++)
			if (strcmp(key, headless_ops[i].keys[k]) == 0)
				break;
		if (headless_ops[i].keys[k] == NULL) {
			proto_utf8_copy(shown, sizeof shown, key);
			headless_refuse(id, "\"%s\" is not a field of %s "
			    "requests", shown, op);
			goto out;
		}
		if (strcmp(key, "id") != 0 && strcmp(key, "flag") != 0 &&
		    !json_is_string(v)) {
			headless_refuse(id, "\"%s\" must be a string", key);
			goto out;
		}
	}

	memset(&d, 0, sizeof d);
	d.reason = headless_string(req, "reason");
	d.reason_code = headless_string(req, "reason_code");
	d.action = strcmp(op, "note") == 0 ? "note" :
	    headless_string(req, "action");
	d.request = json_is_string(id) ? json_string_value(id) : NULL;
	if (d.action == NULL) {
		headless_refuse(id, "%s requests need an \"action\": one of %s",
		    op, headless_ops[i].actions);
		goto out;
	}
	if (!headless_action_ok(headless_ops[i].actions, d.action)) {
		proto_utf8_copy(shown, sizeof shown, d.action);
		headless_refuse(id, "\"%s\" is not an action of %s requests; "
		    "give one of %s", shown, op, headless_ops[i].actions);
		goto out;
	}
	if (d.reason == NULL || d.reason[0] == '\0') {
		headless_refuse(id, "a \"reason\" is required; nothing "
		    "recorded");
		goto out;
	}
	if (strcmp(op, "decide") == 0) {
		v = json_object_get(req, "flag");
		if (!json_is_integer(v)) {
			headless_refuse(id, "decide requests need \"flag\": "
			    "the id of a flag (the \"id\" of a flag line)");
			goto out;
		}
		d.flag = app_flag_by_id(app, json_integer_value(v));
		if (d.flag == NULL) {
			headless_refuse(id, "no flag %" JSON_INTEGER_FORMAT
			    " is known to this console",
			    json_integer_value(v));
			goto out;
		}
		d.attempt = d.flag->attempt;
	} else {
		feed = headless_string(req, "feed");
		attempt = headless_string(req, "attempt");
		if (attempt == NULL) {
			headless_refuse(id, "%s requests need \"attempt\"", op);
			goto out;
		}
		d.attempt = app_attempt_by_id(app, feed, attempt, err,
		    sizeof err);
		if (d.attempt == NULL) {
			headless_refuse(id, "%s", err);
			goto out;
		}
	}
	if ((request_json = json_dumps(id, JSON_ENCODE_ANY)) == NULL)
		abort();
	d.request_json = request_json;
	rc = app_decide(app, &d, &dr, err, sizeof err);
	free(request_json);
	if (rc != 0) {
		headless_refuse(id, "%s", err);
		goto out;
	}

	/* Durable: only now is it acknowledged. */
	proto_time_format(dr.receipt.time_ms, ts);
	o = json_object();
	json_object_set_new(o, "t", json_string("ack"));
	json_object_set(o, "id", id);
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "seq", json_integer(dr.receipt.seq));
	json_object_set_new(o, "hash", json_string(dr.receipt.hash));
	json_object_set_new(o, "time", json_string(ts));
	if (dr.flag != 0)
		json_object_set_new(o, "flag", json_integer(dr.flag));
	if (dr.cmd[0] != '\0')
		json_object_set_new(o, "cmd", json_string(dr.cmd));
	headless_print(o);
out:
	json_decref(req);
}

/*
 * stdin is readable: take what is there, answer every complete line.
 * Returns -1 at end of input (the last line need not end in a newline),
 * 0 otherwise.
 */
int
headless_input(struct app *app, int fd)
{
	char	 buf[16384];
	ssize_t	 n;
	size_t	 i;

	if (app->req_buf == NULL) {
		app->req_buf = malloc(HEADLESS_LINE_MAX);
		if (app->req_buf == NULL)
			abort();
		app->req_line = 1;
	}
	n = read(fd, buf, sizeof buf);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0) {
		if (app->req_len > 0 && !app->req_skipping)
			headless_request(app, app->req_buf, app->req_len);
		app->req_len = 0;
		return -1;
	}
	for (i = 0; i < (size_t)n; i++) {
		if (buf[i] == '\n') {
			if (!app->req_skipping)
				headless_request(app, app->req_buf,
				    app->req_len);
			app->req_skipping = 0;
			app->req_len = 0;
			app->req_line++;
			continue;
		}
		if (app->req_skipping)
			continue;
		if (app->req_len == HEADLESS_LINE_MAX) {
			headless_refuse(NULL, "request line %" PRIu64 " is "
			    "longer than %d bytes; skipped", app->req_line,
			    HEADLESS_LINE_MAX);
			app->req_skipping = 1;
			app->req_len = 0;
			continue;
		}
		app->req_buf[app->req_len++] = buf[i];
	}
	return 0;
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
	    "severity", store_severity_name(f->severity),
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
