/*
 * app.h - the console's top object, struct app, without the event loop's
 * types: the options, the store, the rules, the model (model.h), the feed
 * links (link.h), the commands awaiting an answer and the status line.
 *
 * The files that decide what the console does include this and not
 * libwebsockets.h or curses.h: model.c, flags.c, decide.c, ingest.c,
 * welcome.c, headless.c, headless-out.c, pending.c, restore.c, link.c,
 * app.c, outcomes.c, outcome-watch.c.  The loop (loop.c) and the
 * WebSocket link (link-ws.c) keep their lws state to themselves; the
 * screen (ui.c) keeps its curses state in struct ui.
 *
 * Who calls whom, one way (nm of the objects; no circle):
 *   loop     -> link-ws, ui, headless, ingest, restore, outcome-watch,
 *               pending, link, model, app
 *   link-ws  -> ingest (ingest_receive: the one entry point), link
 *               (link_report: the one state report)
 *   ui       -> decide, link, app
 *   headless -> decide, headless-out, app
 *   ingest   -> welcome, pending, headless-out, link, model, flags, app
 *   welcome  -> restore, pending, link, model, app
 *   restore  -> outcome-watch, pending, model, flags, app
 *   outcome-watch -> headless-out, outcomes, model, app
 *   decide   -> pending, link, flags, app
 *   pending  -> headless-out, link, app
 *   link     -> app;  app -> model, flags;  model -> flags
 *   browse   -> ui, outcome-watch, model, flags, app (review browse:
 *               no loop, no link, no store; a store_reader of its own)
 * ingest and decide reach a transport only through link.c and its ops
 * table, never link-ws.c.
 */
#ifndef INVIGIL_APP_H
#define INVIGIL_APP_H

#include <stddef.h>
#include <stdint.h>

#include "console/bulk.h"
#include "console/decide.h"
#include "console/link.h"
#include "console/model.h"
#include "console/outcomes.h"
#include "proto/proto.h"
#include "rules/rules.h"
#include "store/store.h"

#define CONSOLE_MAX_FEEDS	32
#define CONSOLE_MAX_ATTEMPTS	50000	/* --max-attempts default, per feed */
#define CONSOLE_MAX_SKEW_S	86400	/* --max-clock-skew default */
#define CONSOLE_COMMAND_TIMEOUT_S 30	/* --command-timeout default */

/* --theme: the screen's colour scheme. */
enum console_theme {
	CONSOLE_THEME_AUTO,	/* colour, unless NO_COLOR or no colours */
	CONSOLE_THEME_COLOR,	/* colour if the terminal has it, NO_COLOR
				   or not (an option overrides it) */
	CONSOLE_THEME_MONO	/* never colour */
};
/* --alert: what a new critical flag does on the screen. */
enum console_alert {
	CONSOLE_ALERT_BELL,	/* the terminal's bell (the default) */
	CONSOLE_ALERT_FLASH,	/* a visible flash */
	CONSOLE_ALERT_NONE	/* nothing (--quiet) */
};
#define CONSOLE_SKEW_NOTICE_MS	5000	/* a feed this far ahead is shown */

/* Exit statuses. */
#define EXIT_RUNTIME		1
#define EXIT_USAGE		2

struct feed;
struct loop;
struct lws_context;
struct ui;

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
	const char     *feed_tokens[CONSOLE_MAX_FEEDS];	/* feeds[i]'s own
					   token, or NULL: token */
	const char     *rules_path;	/* --rules, or NULL for the defaults */
	const char     *reasons_path;	/* --reasons, or NULL for the defaults */
	const char     *ca_path;	/* private CA for wss://, or NULL */
	int		insecure;	/* wss:// without verification */
	enum console_theme theme;	/* --theme */
	int		no_mouse;	/* --no-mouse: leave the mouse to the
					   terminal */
	int		ping_secs;	/* ping a silent feed after this long */
	const char     *key_dir;	/* --key-dir, or NULL for the default */
	int		ckpt_every;	/* sign a checkpoint every N entries */
	int		ckpt_minutes;	/* ... and every T minutes */
	long		max_attempts;	/* per feed id (invigil(1), BOUNDS) */
	int64_t		max_skew_ms;	/* ts this far from now is refused */
	int		response_secs;	/* flags queue: LATE past this */
	int		missing_secs;	/* --missing-secs, 0: off */
	enum console_alert alert;	/* --alert, --quiet */
	int		command_timeout; /* headless: secs before a command
					   the feed has not answered is said
					   to be unanswered */
};

/* A command sent and not yet acknowledged (pending.c). */
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
	struct lws_context     *ctx;		/* the loop's (loop.c) */
	struct loop	       *loop;		/* timers, stdin (loop.c) */
	struct store	       *store;
	struct feed	       *demo_feed;
	char			demo_id[32];	/* its feed id, "" without --demo */
	struct rules	       *rules;
	struct rules_engine    *engine;
	struct reasons	       *reasons;	/* --reasons, NULL: the defaults
						   (owned by the caller) */
	int			said_unlinked;	/* link table full, said once */
	int			said_engine_full; /* rules engine refused one */

	struct feed_link	feeds[CONSOLE_MAX_FEEDS];
	int			nfeeds;
	const struct feed_session *load_only;	/* see restore_session() */

	struct model		model;		/* attempts, sessions, risk */

	/* Attempts' outcomes (outcome-watch.c): the table, the reader that
	 * polls the journal, and where the next poll starts. */
	struct outcomes		outcomes;
	struct store_reader    *outcome_reader;	/* NULL: not watched */
	int64_t			outcome_after;	/* journal seq read up to */
	int64_t			outcome_next_ms;
	int			outcome_live;	/* the start is read */
	int			said_outcomes_full;

	struct pending_cmd     *pending;	/* oldest first */
	uint64_t		cmd_counter;
	struct bulk		bulk;		/* marked attempts, the last
						   bulk act (bulk.h) */

	struct sign_key	       *key;		/* the proctor's signing key */
	int			journal_unsigned; /* entries since a checkpoint */

	/* --headless: requests on stdin, one JSON object per line */
	char		       *req_buf;
	size_t			req_len;
	int			req_skipping;	/* in an over-long line */
	uint64_t		req_line;

	int			quit;
	char			status[256];	/* bottom line */
	int			status_error;
	int			exit_status;
	struct ui	       *ui;

	/* `review browse` (browse.c): the database shown read-only, with
	 * no feed, no store and no key; NULL in a console. */
	const char	       *browse;
	struct store_reader    *browse_reader;	/* the model's reads */
	int64_t			browse_stamp[4]; /* the files as last read */
	size_t			browse_over;	/* attempts past the bound */
	int64_t			browse_event_id; /* events counted up to */
	int			browse_more;	/* events left to count */
};

/* app.c: what every part of the console shares. */

/* Say fmt on the status line (error: in the error colour, and on stderr
 * when headless, sanitised).  Cut at a character boundary. */
void		 app_status(struct app *, int error, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/*
 * The i-th notice about the bounds for the header (a feed's clock skew,
 * messages refused by --max-attempts or --max-clock-skew, a full link
 * table), raw: sanitise before display.  0 with out filled ("" when the
 * i-th has nothing to say), -1 past the last.
 */
int		 app_notice(struct app *, size_t i, char *out, size_t outsz);
struct flag	*app_flag_by_id(struct app *, int64_t id);
struct flag	*app_flag_top(struct attempt *);	/* most severe open */
/*
 * The attempt id on feed (the feed's id or URL; NULL when the id is on one
 * feed only).  NULL with a sentence when unknown or ambiguous.
 */
struct attempt	*app_attempt_by_id(struct app *, const char *feed,
		     const char *id, char *err, size_t errlen);
struct feed_session *app_session_find(struct app *, const char *id);
/*
 * A new session for feed id (model_session_new: bounded; sessions no
 * attempt and no link refers to make room), --demo's marked simulated.
 * NULL with a sentence in err when the table is full.
 */
struct feed_session *app_session_new(struct app *, const char *id,
		     char *err, size_t errlen);
/* Record seqs from..to of fs's epoch as lost (to < from: open), why. */
void		 app_session_gap(struct app *, struct feed_session *fs,
		     int64_t from, int64_t to, const char *why);
/* Queue flag f's row for the store (a failure on the status line). */
void		 app_flag_store(struct app *, const struct flag *f);
/* Close open flag f as state (flags_close), store it, count it. */
void		 app_flag_close(struct app *, struct flag *f,
		     enum store_flag_state state);
void		 app_sort(struct app *);
/* Mark the attempts MISSING now (model_missing: --missing-secs, on the
 * console's clock; a feed is live when its link is, and an attempt in a
 * network outage the rules know of is OFFLINE, not MISSING). */
void		 app_missing(struct app *, int64_t now_ms);
/* A journal entry was appended: sign a checkpoint every ckpt_every. */
void		 app_journaled(struct app *);
/* Sign a checkpoint of the journal now, if it grew since the last. */
void		 app_checkpoint(struct app *);
/* --max-attempts (per feed) and that times the feeds, and
 * --max-clock-skew, or their defaults when unset. */
size_t		 app_max_attempts(const struct app *);
size_t		 app_max_attempts_all(const struct app *);
int64_t		 app_max_skew_ms(const struct app *);
/* A rules engine that holds no more attempts than the console does. */
struct rules_engine *app_engine_new(struct app *, const struct rules *);
/* SIGHUP: read the rule file again; a bad one keeps the old rules. */
void		 app_reload_rules(struct app *);
/* Free the store, rules, key, requests buffer and model (app_free() in
 * loop.c frees the loop's part, the links and the pending commands). */
void		 app_clear(struct app *);

#endif /* INVIGIL_APP_H */
