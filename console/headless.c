/*
 * headless.c - `invigil --headless`: the console's pipeline without a
 * screen, for automation, tests and benchmarks.  This file reads the
 * requests; headless-out.c writes the other lines.
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
 *	 "reason":"phone in hand","reason_code":"security.prohibited_aid"}
 *	{"id":"r2","op":"command","attempt":"A-17","action":"pause",
 *	 "reason":"second person in view"}
 *	{"id":"r3","op":"note","attempt":"A-17","reason":"called the centre"}
 *	{"id":"r4","op":"command","attempt":"A-17","action":"extend",
 *	 "minutes":15,"reason":"platform outage"}
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

#include "console/app.h"
#include "console/decide.h"
#include "console/headless.h"
#include "proto/xmalloc.h"

/* A request line longer than this is refused (and skipped to its end). */
#define HEADLESS_LINE_MAX	(64 * 1024)

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

/* The fields each op takes; anything else is a typo worth reporting.
 * Which acts an op carries is act_table's "op" (decide.h). */
static const struct {
	const char	*op;
	const char	*keys[10];
} headless_ops[] = {
	{ "decide", { "id", "op", "flag", "action", "reason", "reason_code",
	    NULL } },
	{ "command", { "id", "op", "feed", "attempt", "action", "reason",
	    "reason_code", "minutes", NULL } },
	{ "note", { "id", "op", "feed", "attempt", "action", "reason",
	    "reason_code", NULL } },
};
#define HEADLESS_NOPS	(sizeof headless_ops / sizeof headless_ops[0])

static const char *
headless_string(json_t *req, const char *key)
{
	return json_string_value(json_object_get(req, key));
}

void
headless_req_free(struct headless_req *r)
{
	if (r->root != NULL)
		json_decref(r->root);
	memset(r, 0, sizeof *r);
}

/* The op's fields, each a string but "id", "flag" and "minutes" (an
 * integer, taken here; app_decide checks its range): 0, or -1. */
static int
headless_check_keys(struct headless_req *r, size_t op, char *err,
    size_t errlen)
{
	const char	*key;
	json_t		*v;
	char		 shown[41];
	size_t		 k;

	json_object_foreach(r->root, key, v) {
		for (k = 0; headless_ops[op].keys[k] != NULL; k++)
			if (strcmp(key, headless_ops[op].keys[k]) == 0)
				break;
		if (headless_ops[op].keys[k] == NULL) {
			proto_utf8_copy(shown, sizeof shown, key);
			snprintf(err, errlen, "\"%s\" is not a field of %s "
			    "requests", shown, r->op);
			return -1;
		}
		if (strcmp(key, "minutes") == 0) {
			if (!json_is_integer(v)) {
				snprintf(err, errlen, "\"minutes\" must be a "
				    "whole number of minutes, 1 to %d",
				    PROTO_EXTEND_MAX);
				return -1;
			}
			r->minutes = json_integer_value(v);
			continue;
		}
		if (strcmp(key, "id") != 0 && strcmp(key, "flag") != 0 &&
		    !json_is_string(v)) {
			snprintf(err, errlen, "\"%s\" must be a string", key);
			return -1;
		}
	}
	return 0;
}

/*
 * The act: "action", one of the acts the op carries (act_table); an op
 * named like an act (note) carries that one when "action" is left out.
 */
static int
headless_check_act(struct headless_req *r, char *err, size_t errlen)
{
	const char	*action = headless_string(r->root, "action");
	char		 acts[256], shown[41];

	act_names(r->op, ",", acts, sizeof acts);
	if (action == NULL && (r->act = act_find(r->op)) != NULL)
		return 0;
	if (action == NULL) {
		snprintf(err, errlen, "%s requests need an \"action\": one of "
		    "%s", r->op, acts);
		return -1;
	}
	r->act = act_find(action);
	if (r->act == NULL || strcmp(r->act->op, r->op) != 0) {
		r->act = NULL;
		proto_utf8_copy(shown, sizeof shown, action);
		snprintf(err, errlen, "\"%s\" is not an action of %s "
		    "requests; give one of %s", shown, r->op, acts);
		return -1;
	}
	return 0;
}

/* What the act is about: a flag (decide) or an attempt. */
static int
headless_check_target(struct headless_req *r, char *err, size_t errlen)
{
	json_t	*v;

	if (strcmp(r->op, "decide") == 0) {
		v = json_object_get(r->root, "flag");
		if (!json_is_integer(v)) {
			snprintf(err, errlen, "decide requests need \"flag\": "
			    "the id of a flag (the \"id\" of a flag line)");
			return -1;
		}
		r->flag = json_integer_value(v);
		return 0;
	}
	r->feed = headless_string(r->root, "feed");
	r->attempt = headless_string(r->root, "attempt");
	if (r->attempt == NULL) {
		snprintf(err, errlen, "%s requests need \"attempt\"", r->op);
		return -1;
	}
	return 0;
}

int
headless_check(const char *line, size_t len, uint64_t lineno,
    struct headless_req *r, char *err, size_t errlen)
{
	json_error_t	 jerr;
	json_t		*id;
	size_t		 op;

	memset(r, 0, sizeof *r);
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 1;		/* blank lines are allowed */
	r->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->root == NULL) {
		snprintf(err, errlen, "request line %" PRIu64 " is not JSON: "
		    "%s (column %d); send one JSON object per line", lineno,
		    jerr.text, jerr.column);
		return -1;
	}
	if (!json_is_object(r->root)) {
		snprintf(err, errlen, "request line %" PRIu64 " is not a JSON "
		    "object", lineno);
		return -1;
	}
	id = json_object_get(r->root, "id");
	if (id == NULL || !(json_is_string(id) || json_is_integer(id)) ||
	    (json_is_string(id) && (json_string_length(id) == 0 ||
	    json_string_length(id) > 64))) {
		r->id = id != NULL && json_is_string(id) ? NULL : id;
		snprintf(err, errlen, "request line %" PRIu64 " needs an "
		    "\"id\": a string of 1 to 64 characters or an integer, "
		    "echoed in its ack", lineno);
		return -1;
	}
	r->id = id;
	r->op = headless_string(r->root, "op");
	for (op = 0; op < HEADLESS_NOPS; op++)
		if (r->op != NULL && strcmp(r->op, headless_ops[op].op) == 0)
			break;
	if (op == HEADLESS_NOPS) {
		snprintf(err, errlen, "\"op\" must be \"decide\", \"command\" "
		    "or \"note\"");
		return -1;
	}
	if (headless_check_keys(r, op, err, errlen) != 0 ||
	    headless_check_act(r, err, errlen) != 0)
		return -1;
	r->reason = headless_string(r->root, "reason");
	r->reason_code = headless_string(r->root, "reason_code");
	/* With a code, whether words are required is the code's (checked
	 * with the code in app_decide, as on the screen). */
	if ((r->reason == NULL || r->reason[0] == '\0') &&
	    (r->reason_code == NULL || r->reason_code[0] == '\0')) {
		snprintf(err, errlen, "a \"reason\" is required (or a "
		    "\"reason_code\" whose reason in words is optional); "
		    "nothing recorded");
		return -1;
	}
	return headless_check_target(r, err, errlen);
}

/* {"t":"ack","id":ID,"ok":true,...}: the decision is durable. */
static void
headless_ack(json_t *id, const struct decision_result *dr)
{
	json_t	*o;
	char	 ts[32];

	proto_time_format(dr->receipt.time_ms, ts);
	o = json_object();
	json_object_set_new(o, "t", json_string("ack"));
	json_object_set(o, "id", id);
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "seq", json_integer(dr->receipt.seq));
	json_object_set_new(o, "hash", json_string(dr->receipt.hash));
	json_object_set_new(o, "time", json_string(ts));
	if (dr->flag != 0)
		json_object_set_new(o, "flag", json_integer(dr->flag));
	if (dr->cmd[0] != '\0')
		json_object_set_new(o, "cmd", json_string(dr->cmd));
	headless_print(o);
}

/* One request line: checked, then decided, then acknowledged. */
static void
headless_request(struct app *app, const char *line, size_t len)
{
	struct headless_req	 r;
	struct decision		 d;
	struct decision_result	 dr;
	char			 err[512], *request_json;
	int			 rc;

	if ((rc = headless_check(line, len, app->req_line, &r, err,
	    sizeof err)) != 0) {
		if (rc < 0)
			headless_refuse(r.id, "%s", err);
		headless_req_free(&r);
		return;
	}
	memset(&d, 0, sizeof d);
	d.action = r.act->name;
	d.reason = r.reason;
	d.reason_code = r.reason_code;
	d.minutes = r.minutes;
	d.request = json_is_string(r.id) ? json_string_value(r.id) : NULL;
	if (strcmp(r.op, "decide") == 0) {
		if ((d.flag = app_flag_by_id(app, r.flag)) == NULL) {
			headless_refuse(r.id, "no flag %" PRId64 " is known to "
			    "this console", r.flag);
			goto out;
		}
		d.attempt = d.flag->attempt;
	} else if ((d.attempt = app_attempt_by_id(app, r.feed, r.attempt,
	    err, sizeof err)) == NULL) {
		headless_refuse(r.id, "%s", err);
		goto out;
	}
	if ((request_json = json_dumps(r.id, JSON_ENCODE_ANY)) == NULL)
		abort();
	d.request_json = request_json;
	rc = app_decide(app, &d, &dr, err, sizeof err);
	free(request_json);
	if (rc != 0)
		headless_refuse(r.id, "%s", err);
	else
		headless_ack(r.id, &dr);	/* durable: only now */
out:
	headless_req_free(&r);
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
		app->req_buf = xmalloc(HEADLESS_LINE_MAX);
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

