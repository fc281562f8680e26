/*
 * proto.h - invigil protocol v1: message structs, JSON codec, display
 * sanitiser and the WebSocket glue shared by the feed and the console.
 *
 * One JSON object per WebSocket text frame, subprotocol "invigil.v1", field
 * "t" names the type.  Decoding validates every field it knows (type,
 * presence, enum value, size) and ignores fields it does not know; on
 * failure it fills a caller buffer with one sentence that names the
 * offending field, e.g. `field "kind": unknown event kind "focus_lsot"`.
 *
 * Strings in a decoded message are copies held in fixed arrays (sizes below),
 * except event data, which is the compact JSON text of the "data" object,
 * heap-allocated and owned by the message: call proto_msg_clear() when done.
 * Strings are kept exactly as received (raw bytes); pass them through
 * proto_sanitize() before they reach a screen.
 */
#ifndef INVIGIL_PROTO_H
#define INVIGIL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		1
#define PROTO_SUBPROTOCOL	"invigil.v1"

/* Limits, in bytes of UTF-8, not counting the terminating NUL. */
#define PROTO_MAX_MESSAGE	(64 * 1024)	/* whole message; close 1009 */
#define PROTO_ID_MAX		64		/* ids: attempt, candidate, cmd, feed, ... */
#define PROTO_NAME_MAX		256		/* human names */
#define PROTO_TEXT_MAX		1024		/* free text: cmd text, errors, reasons */
#define PROTO_EXTEND_MAX	240		/* an extend's minutes: 1..240 */
#define PROTO_IP_MAX		45		/* textual IPv6 */
#define PROTO_DATA_MAX		(16 * 1024)	/* event data, serialised compact */

/* The largest epoch: 2^53-1, exact in every JSON implementation. */
#define PROTO_EPOCH_MAX		9007199254740991LL

enum proto_type {
	PROTO_HELLO,	/* console -> feed */
	PROTO_WELCOME,	/* feed -> console, first message of a connection */
	PROTO_ATTEMPT,	/* feed -> console, stream (seq) */
	PROTO_EVENT,	/* feed -> console, stream (seq) */
	PROTO_ANSWER,	/* feed -> console, stream (seq) */
	PROTO_STATE,	/* feed -> console, stream (seq) */
	PROTO_CMD,	/* console -> feed */
	PROTO_ACK,	/* feed -> console, stream (seq) */
	PROTO_GAP,	/* feed -> console, control: a hole replay cannot cover */
	PROTO_TYPE_COUNT
};

/* Attempt lifecycle as the exam platform reports it. */
enum proto_state {
	PROTO_STATE_SCHEDULED,
	PROTO_STATE_CHECKED_IN,
	PROTO_STATE_IN_PROGRESS,
	PROTO_STATE_PAUSED,
	PROTO_STATE_SUBMITTED,
	PROTO_STATE_TERMINATED,
	PROTO_STATE_COUNT
};

enum proto_modality {
	PROTO_MODALITY_REMOTE,
	PROTO_MODALITY_TEST_CENTER,
	PROTO_MODALITY_COUNT
};

enum proto_event_kind {
	PROTO_EV_FOCUS_LOST,
	PROTO_EV_FOCUS_RETURNED,
	PROTO_EV_FULLSCREEN_EXIT,
	PROTO_EV_CLIPBOARD,
	PROTO_EV_PRINT_SCREEN,
	PROTO_EV_DEVTOOLS_OPENED,
	PROTO_EV_DISPLAY_ADDED,
	PROTO_EV_VM_DETECTED,
	PROTO_EV_REMOTE_ACCESS,
	PROTO_EV_PROHIBITED_PROCESS,
	PROTO_EV_FACE_MISSING,
	PROTO_EV_FACE_RETURNED,
	PROTO_EV_FACES_MULTIPLE,
	PROTO_EV_GAZE_AWAY,
	PROTO_EV_VOICE_DETECTED,
	PROTO_EV_OBJECT_DETECTED,
	PROTO_EV_IDENTITY_MISMATCH,
	PROTO_EV_IP_CHANGE,
	PROTO_EV_DEVICE_CHANGE,
	PROTO_EV_NETWORK_LOST,
	PROTO_EV_NETWORK_RESTORED,
	PROTO_EV_IDLE,
	PROTO_EV_RAISE_HAND,
	PROTO_EV_COUNT
};

enum proto_action {
	PROTO_ACTION_WARN,
	PROTO_ACTION_MESSAGE,
	PROTO_ACTION_PAUSE,
	PROTO_ACTION_RESUME,
	PROTO_ACTION_TERMINATE,
	PROTO_ACTION_EXTEND,	/* minutes of extra time (cmd.minutes) */
	PROTO_ACTION_LOCK,	/* lock the candidate's screen until a resume */
	PROTO_ACTION_COUNT
};

/*
 * How serious a flag is, set by the rule that raised it.  Ordered: a higher
 * value is more severe, so severities compare with < and >.  The one
 * severity type of the tree (rules, store, console).
 */
enum proto_severity {
	PROTO_SEV_INFO,
	PROTO_SEV_LOW,
	PROTO_SEV_MEDIUM,
	PROTO_SEV_HIGH,
	PROTO_SEV_CRITICAL,
	PROTO_SEV_COUNT
};

struct proto_hello {
	int		proto;			/* must be PROTO_VERSION */
	char		proctor[PROTO_ID_MAX + 1];
	int		has_resume;
	int64_t		resume_epoch;		/* 1..PROTO_EPOCH_MAX */
	int64_t		resume_after_seq;	/* >= 0 */
};

struct proto_welcome {
	char		feed[PROTO_ID_MAX + 1];	/* stable feed id */
	char		name[PROTO_NAME_MAX + 1];
	int64_t		epoch;			/* 1..PROTO_EPOCH_MAX; seq restarts with a new epoch */
	int64_t		first_seq;		/* oldest seq still in the buffer */
	int64_t		last_seq;		/* newest seq sent so far, 0 if none */
};

struct proto_attempt {
	char		attempt[PROTO_ID_MAX + 1];
	char		candidate[PROTO_ID_MAX + 1];
	char		name[PROTO_NAME_MAX + 1];
	char		exam[PROTO_ID_MAX + 1];
	char		form[PROTO_ID_MAX + 1];		/* optional, "" if absent */
	char		center[PROTO_ID_MAX + 1];	/* optional, "" if absent */
	enum proto_modality modality;
	enum proto_state state;
	char		ip[PROTO_IP_MAX + 1];		/* optional, "" if absent */
	char		device[PROTO_ID_MAX + 1];	/* optional, "" if absent */
};

struct proto_event {
	char		attempt[PROTO_ID_MAX + 1];
	enum proto_event_kind kind;
	char	       *data;		/* compact JSON object text, owned; "{}" if absent */
	size_t		data_len;	/* encode: 0 means strlen(data); NULL data
					   means {}; the text is re-serialised
					   compactly */
};

struct proto_answer {
	char		attempt[PROTO_ID_MAX + 1];
	char		item[PROTO_ID_MAX + 1];
	char		response[PROTO_NAME_MAX + 1];
	int		correct;	/* 0 or 1 */
	int64_t		elapsed_ms;	/* >= 0 */
	int64_t		changed;	/* times the response was changed, >= 0 */
};

struct proto_state_msg {
	char		attempt[PROTO_ID_MAX + 1];
	enum proto_state state;
};

struct proto_cmd {
	char		id[PROTO_ID_MAX + 1];
	char		attempt[PROTO_ID_MAX + 1];
	enum proto_action action;
	char		text[PROTO_TEXT_MAX + 1];	/* optional, "" if absent */
	int64_t		minutes;	/* extend only: 1..PROTO_EXTEND_MAX;
					   0 (absent) for every other action */
};

struct proto_ack {
	char		cmd[PROTO_ID_MAX + 1];
	int		ok;
	char		error[PROTO_TEXT_MAX + 1];	/* "" when ok, non-empty when not */
};

struct proto_gap {
	int64_t		from_seq;	/* first missing seq, >= 1 */
	int64_t		to_seq;		/* last missing seq, >= from_seq */
	char		why[PROTO_TEXT_MAX + 1];
};

/*
 * One protocol message.  seq and ts_ms are set on stream messages (attempt,
 * event, answer, state, ack) and ts_ms also on welcome and gap; elsewhere they
 * are 0.  ts_ms is milliseconds since the Unix epoch, UTC, carried on the wire
 * as RFC 3339 with milliseconds ("2026-11-23T18:11:10.123Z").
 */
struct proto_msg {
	enum proto_type	type;
	int64_t		seq;
	int64_t		ts_ms;
	union {
		struct proto_hello	hello;
		struct proto_welcome	welcome;
		struct proto_attempt	attempt;
		struct proto_event	event;
		struct proto_answer	answer;
		struct proto_state_msg	state;
		struct proto_cmd	cmd;
		struct proto_ack	ack;
		struct proto_gap	gap;
	} u;
};

/* Decoding flags. */
#define PROTO_DECODE_UNSEQUENCED 0x1	/* seq and ts optional (scenario files) */

/*
 * Decode one message from len bytes of JSON text (need not be NUL-terminated).
 * Returns 0 and fills *m (call proto_msg_clear() afterwards), or -1 with a
 * sentence in err naming the offending field; *m then needs no clearing.
 * Without PROTO_DECODE_UNSEQUENCED, stream messages must carry seq >= 1 and
 * ts.  Input longer than PROTO_MAX_MESSAGE is refused.
 */
int		 proto_decode(const char *buf, size_t len, int flags,
		     struct proto_msg *m, char *err, size_t errlen);

/*
 * Encode m as compact JSON.  Returns a NUL-terminated heap string owned by
 * the caller (free(3)) and its length in *len, or NULL with a sentence in err when a
 * field is out of range (the same rules decoding applies).  Stream messages
 * need seq >= 1, so one decoded with PROTO_DECODE_UNSEQUENCED needs a seq
 * before it can be encoded.
 */
char		*proto_encode(const struct proto_msg *m, size_t *len,
		     char *err, size_t errlen);

/* Release what a decoded message owns (event data) and zero it. */
void		 proto_msg_clear(struct proto_msg *m);

/* The attempt id an attempt, event, answer or state message is about
 * (pointing into m), or NULL for any other type. */
const char	*proto_msg_attempt(const struct proto_msg *m);

/* Names <-> enums.  *_name() never returns NULL; *_parse() returns -1 if unknown. */
const char	*proto_type_name(enum proto_type);
int		 proto_type_parse(const char *);
const char	*proto_state_name(enum proto_state);
int		 proto_state_parse(const char *);
const char	*proto_modality_name(enum proto_modality);
int		 proto_modality_parse(const char *);
const char	*proto_event_kind_name(enum proto_event_kind);
int		 proto_event_kind_parse(const char *);
const char	*proto_action_name(enum proto_action);
int		 proto_action_parse(const char *);
const char	*proto_severity_name(enum proto_severity);
int		 proto_severity_parse(const char *);

/* Is this a stream message type (carries seq)? */
int		 proto_type_is_stream(enum proto_type);

/*
 * "Did you mean": the name among names[0..n-1] (NULL entries skipped)
 * nearest to s, if it is a likely misspelling -- at most 2 edits (a swap
 * of adjacent letters counts 1) and at most half the length of s -- else
 * NULL.  Ties go to the earlier name.  The result points into names.
 */
#define PROTO_SUGGEST_MAX	64
const char	*proto_suggest(const char *s, const char *const *names,
		     size_t n);
/*
 * The sentence every "did you mean" error ends with: " (did you mean
 * "x"?)" in buf (size bytes) when proto_suggest() finds x, else "".
 * Returns buf or "", to hand to printf.
 */
const char	*proto_suggest_hint(char *buf, size_t size, const char *s,
		     const char *const *names, size_t n);
/* The edit distance proto_suggest uses; 99 if either is over the max. */
size_t		 proto_suggest_distance(const char *a, const char *b);

/*
 * RFC 3339 UTC with milliseconds.  proto_time_format writes exactly 24 chars
 * plus NUL into out (size >= 25).  proto_time_parse accepts "Z" or a numeric
 * offset and fractions of any length; returns 0 or -1.
 */
void		 proto_time_format(int64_t ms, char *out);
int		 proto_time_parse(const char *s, int64_t *ms);
int64_t		 proto_now_ms(void);	/* wall clock, ms since the Unix epoch */

/*
 * Is buf valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)?  1 or 0.
 */
int		 proto_utf8_valid(const char *buf, size_t len);

/*
 * The one way to shorten text in the tree: copy at most outsz-1 bytes of
 * the NUL-terminated src into out (NUL-terminated; outsz >= 1), never
 * ending inside a UTF-8 character: if the cut would split one, the whole
 * character is left out.  Bytes that are not UTF-8 are copied as they are
 * (each is its own unit).  Returns strlen(src) > what was copied, i.e. 1 if
 * anything was left out, 0 if all of src fits, as snprintf's truncation
 * test would.
 */
int		 proto_utf8_copy(char *out, size_t outsz, const char *src);
/*
 * The largest n <= len such that buf[0..n) ends on a character boundary
 * (a valid multi-byte sequence is never split; invalid bytes count alone).
 */
size_t		 proto_utf8_boundary(const char *buf, size_t len);

/*
 * The display sanitiser: every string from the wire passes here before it
 * reaches a screen or a terminal (the console's screen, stderr, the output
 * of every command).  Copies in (len bytes) to out (NUL-terminated, at most
 * outsz-1 bytes, never cutting a character or an escape in half), writing
 * each character that proto_char_escaped() names as an escape instead:
 * "\xHH" for C0 controls, ESC and DEL, "\u{HHHH}" for every other code
 * point; invalid UTF-8 bytes become "\xHH"; a backslash is doubled so that
 * escapes are unambiguous.  Other UTF-8 passes through.  Returns the number
 * of bytes written (excluding the NUL).  An escape is at most 4 times as
 * long as what it replaces.
 */
size_t		 proto_sanitize(const char *in, size_t len, char *out, size_t outsz);

/*
 * proto_sanitize() of the NUL-terminated s (NULL is "") into buf, bufsz
 * bytes; returns buf, to hand to printf.  For text printed by the commands
 * (stdout, stderr): names, ids and errors that may carry wire strings.
 */
const char	*proto_clean(const char *s, char *buf, size_t bufsz);

/*
 * Does the sanitiser show code point cp as an escape?  1 for: C0 controls
 * and DEL; C1 controls (U+0080-009F); the bidi controls (U+061C,
 * U+200E-200F, U+202A-202E, U+2066-2069); and the characters that are
 * invisible or pass for others (so that "Ali\u200bce" cannot look like
 * "Alice"): every format character of Unicode category Cf (U+00AD soft
 * hyphen, U+0600-0605, U+06DD, U+070F, U+0890-0891, U+08E2, U+180E,
 * U+200B-200D zero widths and joiners, U+2060-2064 word joiner and
 * invisible operators, U+206A-206F, U+FEFF, U+FFF9-FFFB, U+110BD, U+110CD,
 * U+13430-1343F, U+1BCA0-1BCA3, U+1D173-1D17A), the line and paragraph
 * separators U+2028-2029, the Hangul fillers U+115F, U+1160, U+3164,
 * U+FFA0, the invisible marks U+034F, U+17B4-17B5, the variation selectors
 * U+180B-180D, U+180F, U+FE00-FE0F, the braille blank U+2800, all of plane
 * 14 U+E0000-E0FFF (tags and variation selectors supplement), the unassigned
 * U+2065 and U+FFF0-FFF8, and the noncharacters (U+FDD0-FDEF, U+xxFFFE-FFFF).
 * Escaping variation selectors and U+200D shows an emoji sequence as its
 * parts (a heart stays a heart, its U+FE0F shows as "\u{fe0f}"):
 * acceptable for ids and names, where a hidden character is a way to
 * impersonate.  0 otherwise.
 */
int		 proto_char_escaped(uint32_t cp);

/*
 * JSON text (UTF-8, as json_dumps writes it) made safe to print on a
 * terminal and still the same JSON value: every character proto_char_escaped()
 * names (DEL and above; controls below U+0020 are escaped by any JSON
 * encoder) is rewritten as a \uHHHH escape (a surrogate pair above U+FFFF).
 * Returns a NUL-terminated heap string (free(3)), its length in *outlen if
 * outlen is not NULL.  For machine-readable output that carries wire strings.
 */
char		*proto_json_safe(const char *json, size_t len, size_t *outlen);

/* ---- reading a file by path (file.c) */

/*
 * Read all of the regular file at path, at most max bytes, into a heap
 * buffer (*buf, NUL-terminated, free(3); its length in *len) without ever
 * blocking on what is not a regular file: it is opened O_NONBLOCK, and a
 * directory ("is a directory; give the WHAT itself"), a FIFO, a device or a
 * socket ("is a FIFO, not a regular file; ...") is refused before anything
 * is read.  what names the file in errors ("rule file", "token file").
 * mode, if not NULL, gets the permission bits.  0, or -1 with one sentence
 * in err ("PATH: cannot open the rule file: No such file or directory") and
 * *buf NULL.
 */
int		 proto_file_read(const char *path, const char *what, size_t max,
		     char **buf, size_t *len, unsigned *mode, char *err,
		     size_t errlen);
/*
 * For a file another library reads by path (a CA, a certificate, a key for
 * libwebsockets): 0 if path opens for reading and is a regular file, or -1
 * with the same sentences as proto_file_read().  Never blocks.
 */
int		 proto_file_check(const char *path, const char *what, char *err,
		     size_t errlen);
/*
 * For a file read in a stream (a scenario of a million lines): the
 * descriptor of the regular file at path, opened for reading without
 * blocking and blocking again, O_CLOEXEC; or -1 with the same sentences as
 * proto_file_read().  The caller closes it (or fdopen(3)s it).
 */
int		 proto_file_open(const char *path, const char *what, char *err,
		     size_t errlen);

/* ---- bearer tokens (token.c) */

#define PROTO_TOKEN_MIN		16
#define PROTO_TOKEN_MAX		4096

/*
 * Read a token file: its first line, trailing white space removed, 16 to
 * 4096 characters of the RFC 6750 b64token set.  Refuses a file that group
 * or others may read.  out needs PROTO_TOKEN_MAX + 1 bytes.  0, or -1 with
 * a sentence in err.
 */
int		 proto_token_load(const char *path, char *out, size_t outsz,
		     char *err, size_t errlen);
/* Constant-time comparison of two NUL-terminated tokens: 1 if equal. */
int		 proto_token_equal(const char *a, const char *b);

/* ---- WebSocket glue (ws.c), shared by the feed and the console */

struct lws;

/* WebSocket close codes the protocol uses (RFC 6455). */
#define PROTO_CLOSE_NORMAL	1000
#define PROTO_CLOSE_PROTOCOL	1002	/* not invigil.v1, or no hello first */
#define PROTO_CLOSE_BINARY	1003	/* a binary frame */
#define PROTO_CLOSE_BAD_UTF8	1007	/* text frame is not UTF-8 */
#define PROTO_CLOSE_POLICY	1008	/* refused, e.g. wrong token */
#define PROTO_CLOSE_TOO_BIG	1009	/* message over the cap */

/*
 * Reassembles one message from its WebSocket fragments and enforces the
 * message cap on the reassembled size (rx_buffer_size in lws is not a message
 * limit).  Zero-initialise; proto_rx_free() when done.  A message over the
 * cap keeps its first PROTO_RX_KEEP bytes in buf (len) for the record, and
 * total counts all of it received so far.
 */
#define PROTO_RX_KEEP	4096

struct proto_rx {
	char	       *buf;
	size_t		len;
	size_t		cap;
	size_t		total;		/* bytes of this message received */
	int		discarding;	/* over the cap: drop until the final fragment */
};

enum proto_rx_result {
	PROTO_RX_MORE,		/* fragment taken, message not complete */
	PROTO_RX_MESSAGE,	/* rx->buf holds rx->len bytes (NUL-terminated) */
	PROTO_RX_TOO_BIG,	/* over limit: close with PROTO_CLOSE_TOO_BIG; buf
				   holds the first PROTO_RX_KEEP bytes */
	PROTO_RX_BAD_UTF8	/* complete but not UTF-8: close with PROTO_CLOSE_BAD_UTF8 */
};

/*
 * Add one fragment (first/final as lws reports them).  After PROTO_RX_MESSAGE
 * the buffer is valid until the next call.
 */
enum proto_rx_result proto_rx_add(struct proto_rx *rx, const void *in, size_t len,
		     int first, int final, size_t limit);
void		 proto_rx_free(struct proto_rx *rx);
/*
 * Set the close code and reason for a refused message (PROTO_RX_TOO_BIG:
 * 1009, PROTO_RX_BAD_UTF8: 1007) on wsi, whose callback must then return
 * -1.  Returns a description for the log ("a message over 65536 bytes").
 */
const char	*proto_rx_refuse(struct lws *wsi, enum proto_rx_result r);

/*
 * Outbound queue of text messages for one connection.  lws allows one
 * lws_write() per WRITEABLE callback, so messages wait here; each buffer
 * keeps LWS_PRE bytes of headroom.
 */
struct proto_txbuf;
struct proto_txq {
	struct proto_txbuf *head;
	struct proto_txbuf *tail;
	size_t		count;
	size_t		bytes;
};

/* Queue a copy of len bytes of text. */
void		 proto_txq_push(struct proto_txq *q, const char *text, size_t len);
/* Write the head message, if any; -1 if lws_write failed (close the wsi). */
int		 proto_txq_write(struct proto_txq *q, struct lws *wsi);
void		 proto_txq_clear(struct proto_txq *q);

#endif /* INVIGIL_PROTO_H */
