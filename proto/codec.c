/*
 * codec.c - protocol v1 messages to and from JSON, with validation.
 *
 * Each message type is described once, as a table of its fields in wire
 * order: name, kind, optional or required, and where the value lives in
 * struct proto_msg.  proto_decode() and proto_encode() walk the same table,
 * so the two directions cannot disagree about names, order or limits; the
 * few rules that tie two fields together (welcome's first_seq and last_seq,
 * gap's range, an ack's error with its ok, a cmd's minutes with its action)
 * are one check function per type, also
 * shared by both directions.
 *
 * Every failure is one sentence naming the field, what is wrong and what
 * was expected.  Values quoted in it come from the wire, so they pass
 * through proto_sanitize() (and are cut short) first: errors reach the
 * screen and the rejects table.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* A wire value quoted in an error is cut to QUOTE_MAX input bytes. */
#define QUOTE_MAX	48
#define QUOTE_SIZE	(QUOTE_MAX * 4 + 4)	/* 4x for escapes, "..." */

/* 9999-12-31T23:59:59.999Z: proto_time_format() cannot write later times. */
#define TS_MAX_MS	253402300799999LL

/* Refuse duplicate keys: parsers disagree on which one wins. */
#define LOAD_FLAGS	(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

enum field_kind {
	F_ID,		/* char[]: non-empty string <= PROTO_ID_MAX */
	F_NAME,		/* char[]: string <= PROTO_NAME_MAX */
	F_TEXT,		/* char[]: string <= PROTO_TEXT_MAX */
	F_IP,		/* char[]: string <= PROTO_IP_MAX */
	F_INT,		/* int64_t: JSON integer >= min */
	F_EPOCH,	/* int64_t: JSON integer from 1 to PROTO_EPOCH_MAX */
	F_BOOL,		/* int: JSON true or false */
	F_VERSION,	/* int: the integer PROTO_VERSION */
	F_STATE,	/* enum proto_state, by name */
	F_MODALITY,	/* enum proto_modality, by name */
	F_KIND,		/* enum proto_event_kind, by name */
	F_ACTION,	/* enum proto_action, by name */
	F_DATA,		/* struct proto_event data: a JSON object */
	F_RESUME,	/* struct proto_hello resume: a nested object */
	F_TYPE		/* not a field: the names of "t", for errors */
};

struct field {
	const char	*name;
	enum field_kind	 kind;
	int		 optional;	/* absent or null: left zero */
	size_t		 offset;	/* into struct proto_msg */
	size_t		 size;		/* of a char[] */
	int64_t		 min;		/* smallest F_INT value */
};

#define REQUIRED	0
#define OPTIONAL	1
#define AT(f)		offsetof(struct proto_msg, u.f)
#define STR(f)		AT(f), sizeof(((struct proto_msg *)0)->u.f), 0
#define VAL(f)		AT(f), 0, 0
#define INT(f, m)	AT(f), 0, (m)

static const struct field resume_fields[] = {
	{ "epoch", F_EPOCH, REQUIRED, INT(hello.resume_epoch, 1) },
	{ "after_seq", F_INT, REQUIRED, INT(hello.resume_after_seq, 0) },
};

static const struct field hello_fields[] = {
	{ "proto", F_VERSION, REQUIRED, VAL(hello.proto) },
	{ "proctor", F_ID, REQUIRED, STR(hello.proctor) },
	{ "resume", F_RESUME, OPTIONAL, VAL(hello.has_resume) },
};

static const struct field welcome_fields[] = {
	{ "feed", F_ID, REQUIRED, STR(welcome.feed) },
	{ "name", F_NAME, REQUIRED, STR(welcome.name) },
	{ "epoch", F_EPOCH, REQUIRED, INT(welcome.epoch, 1) },
	{ "first_seq", F_INT, REQUIRED, INT(welcome.first_seq, 0) },
	{ "last_seq", F_INT, REQUIRED, INT(welcome.last_seq, 0) },
};

static const struct field attempt_fields[] = {
	{ "attempt", F_ID, REQUIRED, STR(attempt.attempt) },
	{ "candidate", F_ID, REQUIRED, STR(attempt.candidate) },
	{ "name", F_NAME, REQUIRED, STR(attempt.name) },
	{ "exam", F_ID, REQUIRED, STR(attempt.exam) },
	{ "form", F_ID, OPTIONAL, STR(attempt.form) },
	{ "center", F_ID, OPTIONAL, STR(attempt.center) },
	{ "modality", F_MODALITY, REQUIRED, VAL(attempt.modality) },
	{ "state", F_STATE, REQUIRED, VAL(attempt.state) },
	{ "ip", F_IP, OPTIONAL, STR(attempt.ip) },
	{ "device", F_ID, OPTIONAL, STR(attempt.device) },
};

static const struct field event_fields[] = {
	{ "attempt", F_ID, REQUIRED, STR(event.attempt) },
	{ "kind", F_KIND, REQUIRED, VAL(event.kind) },
	{ "data", F_DATA, OPTIONAL, VAL(event) },
};

static const struct field answer_fields[] = {
	{ "attempt", F_ID, REQUIRED, STR(answer.attempt) },
	{ "item", F_ID, REQUIRED, STR(answer.item) },
	{ "response", F_NAME, REQUIRED, STR(answer.response) },
	{ "correct", F_BOOL, REQUIRED, VAL(answer.correct) },
	{ "elapsed_ms", F_INT, REQUIRED, INT(answer.elapsed_ms, 0) },
	{ "changed", F_INT, OPTIONAL, INT(answer.changed, 0) },
};

static const struct field state_fields[] = {
	{ "attempt", F_ID, REQUIRED, STR(state.attempt) },
	{ "state", F_STATE, REQUIRED, VAL(state.state) },
};

static const struct field cmd_fields[] = {
	{ "id", F_ID, REQUIRED, STR(cmd.id) },
	{ "attempt", F_ID, REQUIRED, STR(cmd.attempt) },
	{ "action", F_ACTION, REQUIRED, VAL(cmd.action) },
	{ "text", F_TEXT, OPTIONAL, STR(cmd.text) },
	/* Optional with a minimum of 1: 0 is absent (left out on encode). */
	{ "minutes", F_INT, OPTIONAL, INT(cmd.minutes, 1) },
};

static const struct field ack_fields[] = {
	{ "cmd", F_ID, REQUIRED, STR(ack.cmd) },
	{ "ok", F_BOOL, REQUIRED, VAL(ack.ok) },
	{ "error", F_TEXT, OPTIONAL, STR(ack.error) },
};

static const struct field gap_fields[] = {
	{ "from_seq", F_INT, REQUIRED, INT(gap.from_seq, 1) },
	{ "to_seq", F_INT, REQUIRED, INT(gap.to_seq, 1) },
	{ "why", F_TEXT, REQUIRED, STR(gap.why) },
};

static int	check_welcome(const struct proto_msg *, char *, size_t);
static int	check_cmd(const struct proto_msg *, char *, size_t);
static int	check_ack(const struct proto_msg *, char *, size_t);
static int	check_gap(const struct proto_msg *, char *, size_t);

struct msg_spec {
	const struct field	*fields;
	size_t			 nfields;
	int			(*check)(const struct proto_msg *, char *,
				     size_t);
};

static const struct msg_spec specs[PROTO_TYPE_COUNT] = {
	[PROTO_HELLO] = { hello_fields, nitems(hello_fields), NULL },
	[PROTO_WELCOME] = { welcome_fields, nitems(welcome_fields),
	    check_welcome },
	[PROTO_ATTEMPT] = { attempt_fields, nitems(attempt_fields), NULL },
	[PROTO_EVENT] = { event_fields, nitems(event_fields), NULL },
	[PROTO_ANSWER] = { answer_fields, nitems(answer_fields), NULL },
	[PROTO_STATE] = { state_fields, nitems(state_fields), NULL },
	[PROTO_CMD] = { cmd_fields, nitems(cmd_fields), check_cmd },
	[PROTO_ACK] = { ack_fields, nitems(ack_fields), check_ack },
	[PROTO_GAP] = { gap_fields, nitems(gap_fields), check_gap },
};

/* Does this type carry "ts"?  Stream messages, welcome and gap do. */
static int
has_ts(enum proto_type type)
{
	return proto_type_is_stream(type) || type == PROTO_WELCOME ||
	    type == PROTO_GAP;
}

/* Out of memory is the one failure that aborts. */
static json_t *
must(json_t *v)
{
	if (v == NULL) {
		fprintf(stderr, "invigil: proto: out of memory\n");
		abort();
	}
	return v;
}

static void
set_new(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new_nocheck(obj, key, must(v)) != 0) {
		fprintf(stderr, "invigil: proto: out of memory\n");
		abort();
	}
}

/* Fill err with a sentence (if there is room for one); always -1. */
static int __attribute__((format(printf, 3, 4)))
errorf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n < 0)
		err[0] = '\0';
	else if ((size_t)n >= errlen)		/* never end inside a character */
		err[proto_utf8_boundary(err, strlen(err))] = '\0';
	return -1;
}

/*
 * A wire value made safe to show in an error: sanitised, cut at a character
 * boundary after QUOTE_MAX bytes with "..." appended.  buf has QUOTE_SIZE
 * bytes; returns buf.
 */
static const char *
quote(char *buf, const char *s, size_t len)
{
	size_t	n = len, o;

	if (n > QUOTE_MAX)
		n = proto_utf8_boundary(s, QUOTE_MAX);
	o = proto_sanitize(s, n, buf, QUOTE_SIZE - 3);
	if (n < len)
		memcpy(buf + o, "...", 4);
	return buf;
}

/* What a JSON value is, for "got ..." in errors. */
static const char *
json_what(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown value";
}

/* More than any enum of the protocol has names. */
#define NAMES_MAX	64

/* The names an enum-valued kind accepts: how many, each, what they are. */
static int
names_count(enum field_kind kind)
{
	switch (kind) {
	case F_STATE:
		return PROTO_STATE_COUNT;
	case F_MODALITY:
		return PROTO_MODALITY_COUNT;
	case F_KIND:
		return PROTO_EV_COUNT;
	case F_ACTION:
		return PROTO_ACTION_COUNT;
	case F_TYPE:
		return PROTO_TYPE_COUNT;
	default:
		return 0;
	}
}

static const char *
names_get(enum field_kind kind, int i)
{
	switch (kind) {
	case F_STATE:
		return proto_state_name((enum proto_state)i);
	case F_MODALITY:
		return proto_modality_name((enum proto_modality)i);
	case F_KIND:
		return proto_event_kind_name((enum proto_event_kind)i);
	case F_ACTION:
		return proto_action_name((enum proto_action)i);
	case F_TYPE:
		return proto_type_name((enum proto_type)i);
	default:
		return "?";
	}
}

static const char *
names_what(enum field_kind kind)
{
	switch (kind) {
	case F_STATE:
		return "attempt state";
	case F_MODALITY:
		return "modality";
	case F_KIND:
		return "event kind";
	case F_ACTION:
		return "action";
	case F_TYPE:
		return "message type";
	default:
		return "name";
	}
}

/*
 * Help for an unknown name: " (did you mean "x"?)" when one name is close,
 * else the whole list when it is short, else nothing.
 */
static const char *
names_hint(enum field_kind kind, const char *value, char *buf, size_t size)
{
	const char	*names[NAMES_MAX] = { NULL };
	size_t		 used;
	int		 i, count = names_count(kind);

	for (i = 0; i < count && i < NAMES_MAX; i++)
		names[i] = names_get(kind, i);
	if (*proto_suggest_hint(buf, size, value, names, (size_t)i) != '\0')
		return buf;
	buf[0] = '\0';
	if (count > 7)
		return buf;
	used = (size_t)snprintf(buf, size, " (expected");
	for (i = 0; i < count && used < size; i++) {
		used += (size_t)snprintf(buf + used, size - used, "%s\"%s\"",
		    i == 0 ? " " : i == count - 1 ? " or " : ", ",
		    names_get(kind, i));
	}
	if (used < size)
		snprintf(buf + used, size - used, ")");
	return buf;
}

/* Longest string a string-valued kind allows. */
static size_t
string_max(enum field_kind kind)
{
	switch (kind) {
	case F_ID:
		return PROTO_ID_MAX;
	case F_NAME:
		return PROTO_NAME_MAX;
	case F_IP:
		return PROTO_IP_MAX;
	default:
		return PROTO_TEXT_MAX;
	}
}

static const char *
string_what(enum field_kind kind)
{
	switch (kind) {
	case F_ID:
		return "an id";
	case F_NAME:
		return "a name";
	case F_IP:
		return "an IP address";
	default:
		return "text";
	}
}

/* Check a string value against its kind's limits; 0 or -1. */
static int
check_string(const struct field *f, const char *path, const char *s,
    size_t len, char *err, size_t errlen)
{
	size_t	max = string_max(f->kind);

	if (len > max) {
		return errorf(err, errlen, "field \"%s\": expected %s of at "
		    "most %zu bytes, got %zu bytes", path, string_what(f->kind),
		    max, len);
	}
	if (f->kind == F_ID && len == 0 && !f->optional) {
		return errorf(err, errlen, "field \"%s\": expected a "
		    "non-empty id, got \"\"", path);
	}
	if (memchr(s, '\0', len) != NULL) {
		return errorf(err, errlen, "field \"%s\": a string contains "
		    "\\u0000 (a NUL character), which is not allowed", path);
	}
	return 0;
}

/* ---- decoding ---- */

static int
decode_int(const json_t *v, const char *path, int64_t min, int64_t *out,
    char *err, size_t errlen)
{
	json_int_t	x;

	if (!json_is_integer(v)) {
		return errorf(err, errlen, "field \"%s\": expected an integer "
		    ">= %lld, got %s", path, (long long)min, json_what(v));
	}
	x = json_integer_value(v);
	if (x < min) {
		return errorf(err, errlen, "field \"%s\": expected an integer "
		    ">= %lld, got %lld", path, (long long)min, (long long)x);
	}
	*out = (int64_t)x;
	return 0;
}

/*
 * An epoch above 2^53-1 would not survive a JavaScript feed or console
 * (its numbers are doubles): the resume would name another epoch.
 */
static int
epoch_error(const char *path, int64_t x, char *err, size_t errlen)
{
	return errorf(err, errlen, "field \"%s\": expected an integer from 1 "
	    "to %lld (2^53-1, the largest every JSON implementation holds "
	    "exactly; a start time in milliseconds is one), got %lld", path,
	    PROTO_EPOCH_MAX, (long long)x);
}

static int
decode_ts(const json_t *v, int64_t *out, char *err, size_t errlen)
{
	char		q[QUOTE_SIZE];
	const char	*s;
	int64_t		 ms;

	if (!json_is_string(v)) {
		return errorf(err, errlen, "field \"ts\": expected an RFC 3339 "
		    "time (a string such as \"2026-11-23T18:11:10.123Z\"), "
		    "got %s", json_what(v));
	}
	s = json_string_value(v);
	if (proto_time_parse(s, &ms) != 0) {
		return errorf(err, errlen, "field \"ts\": expected an RFC 3339 "
		    "time such as \"2026-11-23T18:11:10.123Z\", got \"%s\"",
		    quote(q, s, json_string_length(v)));
	}
	if (ms < 0 || ms > TS_MAX_MS) {
		return errorf(err, errlen, "field \"ts\": expected a time "
		    "between 1970 and 9999, got \"%s\"",
		    quote(q, s, json_string_length(v)));
	}
	*out = ms;
	return 0;
}

/* Keep the compact text of an event's data object; 0 or -1. */
static int
decode_data(const json_t *v, struct proto_event *ev, char *err,
    size_t errlen)
{
	char	buf[PROTO_DATA_MAX + 1];
	size_t	n;

	if (v == NULL) {
		memcpy(buf, "{}", 3);
		n = 2;
	} else if (!json_is_object(v)) {
		return errorf(err, errlen, "field \"data\": expected an "
		    "object, got %s", json_what(v));
	} else {
		n = json_dumpb(v, buf, sizeof buf,
		    JSON_COMPACT | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		if (n == 0) {
			fprintf(stderr, "invigil: proto: out of memory\n");
			abort();
		}
		if (n > PROTO_DATA_MAX) {
			return errorf(err, errlen, "field \"data\": %zu bytes "
			    "when serialised, larger than the %d-byte limit", n,
			    PROTO_DATA_MAX);
		}
	}
	ev->data = xmalloc(n + 1);
	memcpy(ev->data, buf, n);
	ev->data[n] = '\0';
	ev->data_len = n;
	return 0;
}

static int	decode_fields(const json_t *, const struct field *, size_t,
		    const char *, const char *, struct proto_msg *, char *,
		    size_t);

/* Decode one present, non-null value v of field f into m; 0 or -1. */
static int
decode_value(const json_t *v, const struct field *f, const char *path,
    const char *msgname, struct proto_msg *m, char *err, size_t errlen)
{
	char	 q[QUOTE_SIZE], hint[256];
	void	*p = (char *)m + f->offset;
	size_t	 len;
	int	 i;

	switch (f->kind) {
	case F_ID:
	case F_NAME:
	case F_TEXT:
	case F_IP:
		if (!json_is_string(v)) {
			return errorf(err, errlen, "field \"%s\": expected %s "
			    "(a string), got %s", path, string_what(f->kind),
			    json_what(v));
		}
		len = json_string_length(v);
		if (check_string(f, path, json_string_value(v), len, err,
		    errlen) != 0)
			return -1;
		memcpy(p, json_string_value(v), len);
		((char *)p)[len] = '\0';
		return 0;
	case F_INT:
		return decode_int(v, path, f->min, p, err, errlen);
	case F_EPOCH:
		if (decode_int(v, path, f->min, p, err, errlen) != 0)
			return -1;
		if (*(int64_t *)p > PROTO_EPOCH_MAX)
			return epoch_error(path, *(int64_t *)p, err, errlen);
		return 0;
	case F_BOOL:
		if (!json_is_boolean(v)) {
			return errorf(err, errlen, "field \"%s\": expected "
			    "true or false, got %s", path, json_what(v));
		}
		*(int *)p = json_is_true(v);
		return 0;
	case F_VERSION:
		if (!json_is_integer(v)) {
			return errorf(err, errlen, "field \"%s\": expected "
			    "protocol version %d (an integer), got %s", path,
			    PROTO_VERSION, json_what(v));
		}
		if (json_integer_value(v) != PROTO_VERSION) {
			return errorf(err, errlen, "field \"%s\": expected "
			    "protocol version %d, got %lld", path,
			    PROTO_VERSION, (long long)json_integer_value(v));
		}
		*(int *)p = PROTO_VERSION;
		return 0;
	case F_STATE:
	case F_MODALITY:
	case F_KIND:
	case F_ACTION:
		if (!json_is_string(v)) {
			return errorf(err, errlen, "field \"%s\": expected %s "
			    "%s (a string), got %s", path,
			    f->kind == F_MODALITY ? "a" : "an",
			    names_what(f->kind), json_what(v));
		}
		for (i = 0; i < names_count(f->kind); i++) {
			if (strcmp(json_string_value(v),
			    names_get(f->kind, i)) == 0)
				break;
		}
		if (i == names_count(f->kind)) {
			return errorf(err, errlen, "field \"%s\": unknown %s "
			    "\"%s\"%s", path, names_what(f->kind),
			    quote(q, json_string_value(v),
			    json_string_length(v)),
			    names_hint(f->kind, json_string_value(v), hint,
			    sizeof hint));
		}
		/* All four are plain enums starting at 0. */
		*(int *)p = i;
		return 0;
	case F_DATA:
		return decode_data(v, p, err, errlen);
	case F_RESUME:
		if (!json_is_object(v)) {
			return errorf(err, errlen, "field \"%s\": expected "
			    "an object {\"epoch\": ..., \"after_seq\": ...}, "
			    "got %s", path, json_what(v));
		}
		m->u.hello.has_resume = 1;
		return decode_fields(v, resume_fields, nitems(resume_fields),
		    path, msgname, m, err, errlen);
	case F_TYPE:
		break;
	}
	return errorf(err, errlen, "field \"%s\": cannot be decoded", path);
}

/* Decode the fields of table fields from object obj; 0 or -1. */
static int
decode_fields(const json_t *obj, const struct field *fields, size_t n,
    const char *prefix, const char *msgname, struct proto_msg *m, char *err,
    size_t errlen)
{
	const struct field	*f;
	const json_t		*v;
	char			 buf[64];
	const char		*path;
	size_t			 i;

	for (i = 0; i < n; i++) {
		f = &fields[i];
		path = f->name;
		if (prefix != NULL) {
			snprintf(buf, sizeof buf, "%s.%s", prefix, f->name);
			path = buf;
		}
		v = json_object_get(obj, f->name);
		if (v != NULL && json_is_null(v) && f->optional)
			v = NULL;
		if (v == NULL && !f->optional) {
			return errorf(err, errlen, "missing field \"%s\" in %s "
			    "message", path, msgname);
		}
		if (v == NULL && f->kind == F_DATA) {
			if (decode_data(NULL, (void *)((char *)m + f->offset),
			    err, errlen) != 0)
				return -1;
		}
		if (v == NULL)
			continue;
		if (decode_value(v, f, path, msgname, m, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* Decode "seq" and "ts" where the type carries them; 0 or -1. */
static int
decode_header(const json_t *root, int flags, const char *msgname,
    struct proto_msg *m, char *err, size_t errlen)
{
	const json_t	*v;
	int		 strict = (flags & PROTO_DECODE_UNSEQUENCED) == 0;

	if (proto_type_is_stream(m->type)) {
		v = json_object_get(root, "seq");
		if (v != NULL && json_is_null(v) && !strict)
			v = NULL;
		if (v == NULL && strict) {
			return errorf(err, errlen, "missing field \"seq\" in "
			    "%s message", msgname);
		}
		if (v != NULL && decode_int(v, "seq", 1, &m->seq, err,
		    errlen) != 0)
			return -1;
	}
	if (has_ts(m->type)) {
		v = json_object_get(root, "ts");
		if (v != NULL && json_is_null(v) && !strict)
			v = NULL;
		if (v == NULL && strict) {
			return errorf(err, errlen, "missing field \"ts\" in "
			    "%s message", msgname);
		}
		if (v != NULL && decode_ts(v, &m->ts_ms, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/*
 * Find the first string holding a NUL under v and write its path ("data.x",
 * "list[2]") after the used bytes of path; 1 if found, else 0.
 */
static int
find_nul(const json_t *v, char *path, size_t size)
{
	const char	*key;
	json_t		*child;
	size_t		 used = strlen(path), i, n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return memchr(json_string_value(v), '\0',
		    json_string_length(v)) != NULL;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, child) {
			snprintf(path + used, size - used, "%s",
			    used > 0 ? "." : "");
			n = strlen(path);
			proto_sanitize(key, strlen(key), path + n, size - n);
			if (find_nul(child, path, size))
				return 1;
			path[used] = '\0';
		}
		return 0;
	case JSON_ARRAY:
		json_array_foreach((json_t *)v, i, child) {
			snprintf(path + used, size - used, "[%zu]", i);
			if (find_nul(child, path, size))
				return 1;
			path[used] = '\0';
		}
		return 0;
	default:
		return 0;
	}
}

/* The sentence for input jansson could not parse; always -1. */
static int
not_json(const char *buf, size_t len, const json_error_t *jerr, char *err,
    size_t errlen)
{
	json_t		*root;
	json_error_t	 again;
	char		 path[128], text[JSON_ERROR_TEXT_LENGTH * 4 + 1];
	int		 found = 0;

	/*
	 * Strings with NUL stay refused, but jansson's own words for it name
	 * a flag rather than the field: parse again allowing NUL, only to
	 * say which field holds it.
	 */
	if (json_error_code(jerr) == json_error_null_character) {
		path[0] = '\0';
		root = json_loadb(buf, len, LOAD_FLAGS | JSON_ALLOW_NUL,
		    &again);
		if (root != NULL) {
			found = find_nul(root, path, sizeof path);
			json_decref(root);
		}
		if (found && path[0] != '\0') {
			return errorf(err, errlen, "field \"%s\": a string "
			    "contains \\u0000 (a NUL character), which is not "
			    "allowed", path);
		}
		return errorf(err, errlen, "not JSON: a string contains "
		    "\\u0000 (a NUL character), which is not allowed, at "
		    "line %d column %d", jerr->line, jerr->column);
	}
	proto_sanitize(jerr->text, strlen(jerr->text), text, sizeof text);
	return errorf(err, errlen, "not JSON: %s at line %d column %d", text,
	    jerr->line, jerr->column);
}

int
proto_decode(const char *buf, size_t len, int flags, struct proto_msg *m,
    char *err, size_t errlen)
{
	const struct msg_spec	*spec;
	json_t			*root, *t;
	json_error_t		 jerr;
	const char		*name;
	char			 q[QUOTE_SIZE], hint[256];
	int			 type;

	memset(m, 0, sizeof *m);
	if (len > PROTO_MAX_MESSAGE) {
		return errorf(err, errlen, "message is %zu bytes, larger than "
		    "the %d-byte limit", len, PROTO_MAX_MESSAGE);
	}
	if (len == 0)
		return errorf(err, errlen, "message is empty, expected a JSON "
		    "object");
	if ((root = json_loadb(buf, len, LOAD_FLAGS, &jerr)) == NULL)
		return not_json(buf, len, &jerr, err, errlen);

	if (!json_is_object(root)) {
		errorf(err, errlen, "message is %s, expected a JSON object",
		    json_what(root));
		goto fail;
	}
	if ((t = json_object_get(root, "t")) == NULL) {
		errorf(err, errlen, "missing field \"t\" (the message type)");
		goto fail;
	}
	if (!json_is_string(t)) {
		errorf(err, errlen, "field \"t\": expected a message type name "
		    "(a string), got %s", json_what(t));
		goto fail;
	}
	name = json_string_value(t);
	if ((type = proto_type_parse(name)) < 0) {
		errorf(err, errlen, "field \"t\": unknown message type "
		    "\"%s\"%s", quote(q, name, json_string_length(t)),
		    names_hint(F_TYPE, name, hint, sizeof hint));
		goto fail;
	}
	m->type = (enum proto_type)type;
	spec = &specs[type];
	name = proto_type_name(m->type);

	if (decode_header(root, flags, name, m, err, errlen) != 0)
		goto fail;
	if (decode_fields(root, spec->fields, spec->nfields, NULL, name, m, err,
	    errlen) != 0)
		goto fail;
	if (spec->check != NULL && spec->check(m, err, errlen) != 0)
		goto fail;
	json_decref(root);
	return 0;

fail:
	json_decref(root);
	proto_msg_clear(m);
	return -1;
}

void
proto_msg_clear(struct proto_msg *m)
{
	if (m == NULL)
		return;
	if (m->type == PROTO_EVENT)
		free(m->u.event.data);
	memset(m, 0, sizeof *m);
}

const char *
proto_msg_attempt(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_ATTEMPT:
		return m->u.attempt.attempt;
	case PROTO_EVENT:
		return m->u.event.attempt;
	case PROTO_ANSWER:
		return m->u.answer.attempt;
	case PROTO_STATE:
		return m->u.state.attempt;
	default:
		return NULL;
	}
}

/* ---- checks shared by both directions ---- */

static int
check_welcome(const struct proto_msg *m, char *err, size_t errlen)
{
	const struct proto_welcome	*w = &m->u.welcome;

	/* first_seq is >= 0 here, so first_seq - 1 cannot overflow. */
	if (w->first_seq - 1 > w->last_seq) {
		return errorf(err, errlen, "field \"first_seq\": expected at "
		    "most last_seq + 1 (%lld), got %lld",
		    (long long)w->last_seq + 1, (long long)w->first_seq);
	}
	if (w->last_seq >= 1 && w->first_seq < 1) {
		return errorf(err, errlen, "field \"first_seq\": expected an "
		    "integer >= 1 when last_seq is %lld, got %lld",
		    (long long)w->last_seq, (long long)w->first_seq);
	}
	return 0;
}

/*
 * An extend carries its minutes (1..PROTO_EXTEND_MAX); no other action
 * carries any.  The decoder has refused a present minutes below 1.
 */
static int
check_cmd(const struct proto_msg *m, char *err, size_t errlen)
{
	const struct proto_cmd	*c = &m->u.cmd;

	if (c->action == PROTO_ACTION_EXTEND && c->minutes == 0) {
		return errorf(err, errlen, "missing field \"minutes\": an "
		    "extend gives a whole number of minutes from 1 to %d",
		    PROTO_EXTEND_MAX);
	}
	if (c->action == PROTO_ACTION_EXTEND &&
	    (c->minutes < 1 || c->minutes > PROTO_EXTEND_MAX)) {
		return errorf(err, errlen, "field \"minutes\": expected a "
		    "whole number of minutes from 1 to %d, got %lld",
		    PROTO_EXTEND_MAX, (long long)c->minutes);
	}
	if (c->action != PROTO_ACTION_EXTEND && c->minutes != 0) {
		return errorf(err, errlen, "field \"minutes\": only an "
		    "extend carries minutes, got %lld with action \"%s\"",
		    (long long)c->minutes, proto_action_name(c->action));
	}
	return 0;
}

static int
check_ack(const struct proto_msg *m, char *err, size_t errlen)
{
	char	q[QUOTE_SIZE];

	if (!m->u.ack.ok && m->u.ack.error[0] == '\0') {
		return errorf(err, errlen, "field \"error\": expected a "
		    "non-empty reason when \"ok\" is false, got none");
	}
	/* A command carried out and refused at once: which is it? */
	if (m->u.ack.ok && m->u.ack.error[0] != '\0') {
		return errorf(err, errlen, "field \"error\": expected none "
		    "when \"ok\" is true (the command was carried out), got "
		    "\"%s\"", quote(q, m->u.ack.error,
		    strlen(m->u.ack.error)));
	}
	return 0;
}

static int
check_gap(const struct proto_msg *m, char *err, size_t errlen)
{
	if (m->u.gap.to_seq < m->u.gap.from_seq) {
		return errorf(err, errlen, "field \"to_seq\": expected an "
		    "integer >= from_seq (%lld), got %lld",
		    (long long)m->u.gap.from_seq, (long long)m->u.gap.to_seq);
	}
	return 0;
}

/* ---- encoding ---- */

/* Embed event data text as the object "data"; 0 or -1. */
static int
encode_data(json_t *obj, const struct proto_event *ev, char *err,
    size_t errlen)
{
	const char	*text = ev->data;
	size_t		 len = ev->data_len;
	json_t		*v;
	json_error_t	 jerr;
	char		 q[JSON_ERROR_TEXT_LENGTH * 4 + 1];

	if (text == NULL) {
		text = "{}";
		len = 2;
	} else if (len == 0)
		len = strlen(text);
	if (len > PROTO_MAX_MESSAGE) {
		return errorf(err, errlen, "field \"data\": %zu bytes of text, "
		    "more than a whole %d-byte message may hold", len,
		    PROTO_MAX_MESSAGE);
	}
	if ((v = json_loadb(text, len, LOAD_FLAGS, &jerr)) == NULL) {
		proto_sanitize(jerr.text, strlen(jerr.text), q, sizeof q);
		return errorf(err, errlen, "field \"data\": expected a JSON "
		    "object, got text that is not JSON (%s)", q);
	}
	if (!json_is_object(v)) {
		errorf(err, errlen, "field \"data\": expected an object, "
		    "got %s", json_what(v));
		json_decref(v);
		return -1;
	}
	/*
	 * Only numbers grow when made compact ("1e16" is 19 bytes as
	 * jansson writes it), by less than 5x: short text cannot exceed the
	 * limit, so only long text pays for measuring.
	 */
	if (len > PROTO_DATA_MAX / 8) {
		len = json_dumpb(v, NULL, 0,
		    JSON_COMPACT | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		if (len > PROTO_DATA_MAX) {
			json_decref(v);
			return errorf(err, errlen, "field \"data\": %zu bytes "
			    "when serialised, larger than the %d-byte limit",
			    len, PROTO_DATA_MAX);
		}
	}
	set_new(obj, "data", v);
	return 0;
}

static int	encode_fields(json_t *, const struct field *, size_t,
		    const char *, const struct proto_msg *, char *, size_t);

/* Add field f of m to obj, or leave out an empty optional string; 0 or -1. */
static int
encode_value(json_t *obj, const struct field *f, const char *path,
    const struct proto_msg *m, char *err, size_t errlen)
{
	const void	*p = (const char *)m + f->offset;
	json_t		*sub;
	size_t		 len;
	int		 value;

	switch (f->kind) {
	case F_ID:
	case F_NAME:
	case F_TEXT:
	case F_IP:
		if (memchr(p, '\0', f->size) == NULL) {
			return errorf(err, errlen, "field \"%s\": not "
			    "NUL-terminated within its %zu bytes", path,
			    f->size);
		}
		len = strlen(p);
		if (len == 0 && f->optional)
			return 0;
		if (check_string(f, path, p, len, err, errlen) != 0)
			return -1;
		if (!proto_utf8_valid(p, len)) {
			return errorf(err, errlen, "field \"%s\": expected "
			    "UTF-8 text, got invalid bytes", path);
		}
		set_new(obj, f->name, json_stringn_nocheck(p, len));
		return 0;
	case F_INT:
	case F_EPOCH:
		if (f->kind == F_EPOCH && *(const int64_t *)p > PROTO_EPOCH_MAX)
			return epoch_error(path, *(const int64_t *)p, err,
			    errlen);
		/* An optional integer that cannot be 0 is absent when 0. */
		if (f->optional && f->min >= 1 && *(const int64_t *)p == 0)
			return 0;
		if (*(const int64_t *)p < f->min) {
			return errorf(err, errlen, "field \"%s\": expected an "
			    "integer >= %lld, got %lld", path,
			    (long long)f->min, (long long)*(const int64_t *)p);
		}
		set_new(obj, f->name, json_integer(*(const int64_t *)p));
		return 0;
	case F_BOOL:
		value = *(const int *)p;
		if (value != 0 && value != 1) {
			return errorf(err, errlen, "field \"%s\": expected 0 "
			    "or 1 (false or true), got %d", path, value);
		}
		set_new(obj, f->name, json_boolean(value));
		return 0;
	case F_VERSION:
		value = *(const int *)p;
		if (value != PROTO_VERSION) {
			return errorf(err, errlen, "field \"%s\": expected "
			    "protocol version %d, got %d", path, PROTO_VERSION,
			    value);
		}
		set_new(obj, f->name, json_integer(value));
		return 0;
	case F_STATE:
	case F_MODALITY:
	case F_KIND:
	case F_ACTION:
		value = *(const int *)p;
		if (value < 0 || value >= names_count(f->kind)) {
			return errorf(err, errlen, "field \"%s\": expected %s "
			    "%s, got the out-of-range value %d", path,
			    f->kind == F_MODALITY ? "a" : "an",
			    names_what(f->kind), value);
		}
		set_new(obj, f->name,
		    json_string_nocheck(names_get(f->kind, value)));
		return 0;
	case F_DATA:
		return encode_data(obj, p, err, errlen);
	case F_RESUME:
		if (!m->u.hello.has_resume)
			return 0;
		sub = must(json_object());
		if (encode_fields(sub, resume_fields, nitems(resume_fields),
		    path, m, err, errlen) != 0) {
			json_decref(sub);
			return -1;
		}
		set_new(obj, f->name, sub);
		return 0;
	case F_TYPE:
		break;
	}
	return errorf(err, errlen, "field \"%s\": cannot be encoded", path);
}

static int
encode_fields(json_t *obj, const struct field *fields, size_t n,
    const char *prefix, const struct proto_msg *m, char *err, size_t errlen)
{
	char		 buf[64];
	const char	*path;
	size_t		 i;

	for (i = 0; i < n; i++) {
		path = fields[i].name;
		if (prefix != NULL) {
			snprintf(buf, sizeof buf, "%s.%s", prefix,
			    fields[i].name);
			path = buf;
		}
		if (encode_value(obj, &fields[i], path, m, err, errlen) != 0)
			return -1;
	}
	return 0;
}

char *
proto_encode(const struct proto_msg *m, size_t *len, char *err,
    size_t errlen)
{
	const struct msg_spec	*spec;
	json_t			*root;
	char			*out, ts[25];
	size_t			 n;

	if ((unsigned)m->type >= PROTO_TYPE_COUNT) {
		errorf(err, errlen, "message type %d is not a protocol v%d "
		    "type", (int)m->type, PROTO_VERSION);
		return NULL;
	}
	spec = &specs[m->type];

	root = must(json_object());
	set_new(root, "t", json_string_nocheck(proto_type_name(m->type)));
	if (proto_type_is_stream(m->type)) {
		if (m->seq < 1) {
			errorf(err, errlen, "field \"seq\": expected an "
			    "integer >= 1, got %lld", (long long)m->seq);
			goto fail;
		}
		set_new(root, "seq", json_integer(m->seq));
	}
	if (has_ts(m->type)) {
		if (m->ts_ms < 0 || m->ts_ms > TS_MAX_MS) {
			errorf(err, errlen, "field \"ts\": expected "
			    "milliseconds between 1970 and 9999, got %lld",
			    (long long)m->ts_ms);
			goto fail;
		}
		proto_time_format(m->ts_ms, ts);
		set_new(root, "ts", json_string_nocheck(ts));
	}
	if (encode_fields(root, spec->fields, spec->nfields, NULL, m, err,
	    errlen) != 0)
		goto fail;
	if (spec->check != NULL && spec->check(m, err, errlen) != 0)
		goto fail;

	if ((out = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15))) == NULL) {
		fprintf(stderr, "invigil: proto: out of memory\n");
		abort();
	}
	json_decref(root);
	n = strlen(out);
	if (n > PROTO_MAX_MESSAGE) {
		free(out);
		errorf(err, errlen, "%s message would be %zu bytes, larger "
		    "than the %d-byte limit", proto_type_name(m->type), n,
		    PROTO_MAX_MESSAGE);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return out;

fail:
	json_decref(root);
	return NULL;
}
