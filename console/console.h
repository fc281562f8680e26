/*
 * console.h - the console module: the live model of feeds, attempts and
 * flags (app.c), the WebSocket client per feed (client.c), the ncurses
 * screen (ui.c), the headless output (headless.c) and the user-facing
 * commands (cmd-*.c).
 *
 * Everything runs on one thread inside one libwebsockets loop: feeds are
 * client connections, stdin is an adopted file descriptor, and the store
 * flush and the screen redraw are timers (the "before sleep" work of the
 * loop), never done per event.
 */
#ifndef INVIGIL_CONSOLE_H
#define INVIGIL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "console/model.h"
#include "proto/proto.h"
#include "rules/rules.h"
#include "store/store.h"

#define CONSOLE_MAX_FEEDS	32
#define CONSOLE_MAX_ATTEMPTS	50000	/* --max-attempts default, per feed */
#define CONSOLE_MAX_SKEW_S	86400	/* --max-clock-skew default */
#define CONSOLE_COMMAND_TIMEOUT_S 30	/* --command-timeout default */
#define CONSOLE_SKEW_NOTICE_MS	5000	/* a feed this far ahead is shown */

/* Exit statuses. */
#define EXIT_RUNTIME		1
#define EXIT_USAGE		2

struct feed;

struct console_options {
	const char     *feeds[CONSOLE_MAX_FEEDS];
	int		nfeeds;
	const char     *db;
	const char     *proctor;
	int		headless;
	int		demo;		/* candidates to simulate, 0 = no demo */
	uint64_t	demo_seed;
	double		demo_rate;
	const char     *token;		/* bearer token for every feed, or NULL */
	const char     *rules_path;	/* --rules, or NULL for the defaults */
	const char     *ca_path;	/* private CA for wss://, or NULL */
	int		insecure;	/* wss:// without verification */
	int		ping_secs;	/* ping a silent feed after this long */
	const char     *key_dir;	/* --key-dir, or NULL for the default */
	int		ckpt_every;	/* sign a checkpoint every N entries */
	int		ckpt_minutes;	/* ... and every T minutes */
	long		max_attempts;	/* per feed id (invigil(1), BOUNDS) */
	int64_t		max_skew_ms;	/* ts this far from now is refused */
	int		command_timeout; /* headless: secs before a command
					   the feed has not answered is said
					   to be unanswered */
};


enum conn_state {
	CONN_CONNECTING,
	CONN_LIVE,		/* welcome received */
	CONN_RETRYING,
	CONN_REFUSED,		/* 401: wrong or missing token; long backoff */
	CONN_STOPPED
};

/* One --feed: a connection to a URL, and the session it carries. */
struct console_feed {
	struct app	       *app;
	int			index;
	char			url[512];
	char			host[256];	/* IPv6 literals without [] */
	char			path[256];
	int			port;
	int			tls;

	struct lws	       *wsi;
	enum conn_state		state;
	lws_sorted_usec_list_t	sul_retry;
	unsigned		retries;	/* since the last success */
	int64_t			next_try_ms;
	char			last_error[256];
	struct proto_rx		rx;
	struct proto_txq	txq;
	int64_t			last_rx_ms;	/* anything heard, pongs included */
	int64_t			last_pong_ms;	/* connected, or the last pong */
	int			close_code;	/* close at the next WRITEABLE */
	int			no_subprotocol;	/* the 101 selected none */
	char			close_reason[124];

	int			welcomed;	/* on this connection */
	int			resync;		/* closing to resume afresh
						   (welcome answered another
						   feed's resume, or came
						   twice): nothing more is
						   taken in from it */
	struct feed_session    *session;	/* expected, then confirmed by
						   welcome; NULL if unknown */
	char			resumed_for[PROTO_ID_MAX + 1];	/* hello's */
	int64_t			resumed_epoch;	/* resume, 0 if none */
	uint64_t		early_rejects;	/* before any welcome */
};

/* A command sent and not yet acknowledged. */
struct pending_cmd {
	char			id[PROTO_ID_MAX + 1];
	struct attempt	       *attempt;
	enum proto_action	action;
	char			text[PROTO_TEXT_MAX + 1];
	char		       *request;	/* the headless request's id as
						   JSON text (owned), or NULL:
						   asked on the screen, or by an
						   earlier run */
	int64_t			since_ms;	/* recorded, or loaded at start */
	int			said_unanswered; /* headless line printed */
	struct pending_cmd     *next;
};

struct app {
	struct console_options	opt;
	struct lws_context     *ctx;
	struct lws_vhost       *client_vhost;
	lws_retry_bo_t		idle_policy;
	struct store	       *store;
	struct feed	       *demo_feed;
	char			demo_id[32];	/* its feed id, "" without --demo */
	struct rules	       *rules;
	struct rules_engine    *engine;
	int			said_unlinked;	/* link table full, said once */
	int			said_engine_full; /* rules engine refused one */

	struct console_feed	feeds[CONSOLE_MAX_FEEDS];
	int			nfeeds;
	const struct feed_session *load_only;	/* see session_load() */

	/* The model (model.h), also under its fields' own names. */
	union {
		struct model	model;
		struct { MODEL_FIELDS };
	};

	struct pending_cmd     *pending;
	uint64_t		cmd_counter;

	lws_sorted_usec_list_t	sul_flush;
	lws_sorted_usec_list_t	sul_screen;
	lws_sorted_usec_list_t	sul_ckpt;

	struct sign_key	       *key;		/* the proctor's signing key */
	int			journal_unsigned; /* entries since a checkpoint */

	/* --headless: requests on stdin, one JSON object per line */
	char		       *req_buf;
	size_t			req_len;
	int			req_skipping;	/* in an over-long line */
	uint64_t		req_line;
	struct lws	       *stdin_wsi;

	int			quit;
	char			status[256];	/* bottom line */
	int			status_error;
	int			exit_status;
	struct ui	       *ui;
};

/* A decision as asked for, on the screen or by a headless request. */
struct decision {
	struct attempt	       *attempt;
	struct flag	       *flag;		/* NULL: the top open flag when
						   the action closes one */
	const char	       *action;		/* dismiss, confirm, escalate, note,
						   warn, pause, resume, terminate */
	const char	       *reason_code;	/* or NULL */
	const char	       *reason;
	const char	       *request;	/* headless request id, or NULL */
	const char	       *request_json;	/* the id as JSON text (a string
						   or an integer), or NULL */
};

struct decision_result {
	struct store_receipt	receipt;	/* journal seq, time, hash */
	int64_t			flag;		/* the flag decided on, or 0 */
	char			cmd[PROTO_ID_MAX + 1];	/* command sent, or "" */
};

/* app.c: the model. */
int		 app_init(struct app *, const struct console_options *,
		     char *err, size_t errlen);
int		 app_run(struct app *);
void		 app_free(struct app *);
void		 app_status(struct app *, int error, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 app_receive(struct console_feed *, const char *buf, size_t len);
void		 app_refused(struct console_feed *, enum proto_rx_result,
		     const char *raw, size_t rawlen);
/*
 * The i-th notice about the bounds for the header (a feed's clock skew,
 * messages refused by --max-attempts or --max-clock-skew, a full link
 * table), raw: sanitise before display.  0 with out filled ("" when the
 * i-th has nothing to say), -1 past the last.
 */
int		 app_notice(struct app *, size_t i, char *out, size_t outsz);
int		 app_decide(struct app *, const struct decision *,
		     struct decision_result *, char *err, size_t errlen);
struct flag	*app_flag_by_id(struct app *, int64_t id);
struct flag	*app_flag_top(struct attempt *);	/* most severe open */
struct attempt	*app_attempt_by_id(struct app *, const char *feed,
		     const char *id, char *err, size_t errlen);
struct feed_session *app_session_find(struct app *, const char *id);
void		 app_checkpoint(struct app *);
void		 app_sort(struct app *);
int		 app_stdin_callback(struct lws *, enum lws_callback_reasons,
		     void *, void *, size_t);

/* The last error line libwebsockets logged (app.c). */
extern char	app_lws_last_error[256];

/* client.c: the WebSocket client of one feed. */
int		 client_parse_url(struct console_feed *, const char *url,
		     char *err, size_t errlen);
int		 client_vhost_create(struct app *, char *err, size_t errlen);
void		 client_connect(struct console_feed *);
int		 client_send(struct console_feed *, const struct proto_msg *);
void		 client_close(struct console_feed *, int code, const char *reason);
const char	*client_state_name(enum conn_state);
/* Milliseconds before attempt retries + 1 (refused: after a 401); draw is
 * any random number, which picks the jitter in -25..+25 %. */
int64_t		 client_retry_delay(unsigned retries, int refused,
		    unsigned draw);

/* ui.c: the screen. */
struct ui	*ui_start(struct app *);
void		 ui_stop(struct ui *);
void		 ui_draw(struct ui *);
void		 ui_input(struct ui *);	/* stdin is readable or the tick polls */

/* headless.c */
void		 headless_flag(struct app *, const struct flag *);
int		 headless_input(struct app *, int fd);
/* The feed answered p's command (m, an ack); receipt is the journal entry
 * that recorded the answer, or NULL if none did (a repeat, a failure). */
void		 headless_done(struct app *, const struct pending_cmd *p,
		     const struct proto_msg *m,
		     const struct store_receipt *receipt);
/* p's command was not answered within --command-timeout. */
void		 headless_unanswered(struct app *, const struct pending_cmd *p);

/* app.c: SIGHUP asks for the rules to be read again. */
void		 app_reload_rules(struct app *);
double		 attempt_risk(const struct attempt *, int64_t now_ms);

/* options.c: option values, with a message on stderr when wrong. */
int		 option_long(const char *name, const char *s, long min,
		     long max, long *out);
int		 option_u64(const char *name, const char *s, uint64_t *out);
int		 option_double(const char *name, const char *s, double min,
		     double *out);
int		 option_listen(char *s, const char **host, int *port);

/* cmd-*.c: the commands are entries of the table in commands.h. */

#endif /* INVIGIL_CONSOLE_H */
