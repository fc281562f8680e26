/*
 * loop.c - the console's life: start (app_init), the event loop (app_run)
 * and the end (app_free).
 *
 * One thread, one libwebsockets loop.  Feeds are client connections
 * (link-ws.c), stdin is an adopted file descriptor (keys, or the headless
 * requests), and signals only set a flag and wake the loop.  Nothing
 * deferred is done per event: after each turn of the loop, before it
 * sleeps again, loop_before_sleep() runs the deferred work in one fixed
 * order (redis's beforeSleep):
 *
 *   1. SIGHUP: read the rules again;
 *   2. every TICK_MS (20 ms): the rules' clock (holds that time out fire),
 *      then what the store's writer thread reports (a failed commit; it
 *      commits the queue by itself, at most COMMIT_MS after a row was
 *      queued, see store_writer_start), then
 *      headless commands overdue, then once a second the risk fade and
 *      the event rate, and every 2 s the outcome acts admins journaled
 *      since the last look (outcome-watch.c: a read of the new rows on a
 *      connection of its own);
 *   3. a signed checkpoint when --checkpoint-minutes have passed;
 *   4. the screen, at most every SCREEN_MS (50 ms): a hung-up terminal
 *      quits, a resize is polled, and the frame is redrawn if anything
 *      changed.
 *
 * One timer (every TICK_MS) only wakes the loop so that this runs when no
 * feed sends anything.  When the writer falls STORE_QUEUE_ROWS behind,
 * ingest.c waits for it (store_due), and a decision is committed, with
 * everything queued before it, before the screen says "recorded"
 * (decide.c).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console.h"
#include "console/ingest.h"
#include "console/outcome-watch.h"
#include "console/pending.h"
#include "console/restore.h"
#include "console/view.h"
#include "feed/feed.h"
#include "proto/xmalloc.h"

#define TICK_MS		20	/* the wake-up, the rules' clock */
#define COMMIT_MS	10	/* a queued row waits at most this for its
				   commit to start (the writer thread) */
#define SCREEN_MS	50	/* at most one frame per 50 ms */

/* The transports a --feed URL may name (link.h). */
static const struct link_ops *const loop_transports[] = {
	&link_ws_ops,
	NULL
};

struct loop {
	struct app	       *app;
	struct lws_vhost       *vhost;
	struct lws_protocols	protocols[3];
	lws_sorted_usec_list_t	sul_wake;
	struct lws	       *stdin_wsi;
	int64_t			next_tick_ms;
	int64_t			next_frame_ms;
	int64_t			next_ckpt_ms;
};

static volatile sig_atomic_t	loop_signalled;
static volatile sig_atomic_t	loop_hup;
static struct lws_context      *loop_signal_ctx;

static void
loop_on_signal(int sig)
{
	if (sig == SIGHUP)
		loop_hup = 1;
	else
		loop_signalled = 1;
	if (loop_signal_ctx != NULL)
		lws_cancel_service(loop_signal_ctx);
}

/*
 * From the very start: a SIGTERM while the database is being opened or
 * migrated is a request to stop like any other (app_run sees it and exits
 * 0 after committing), not a death half-way.
 */
static void
loop_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
loop_stdin_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct loop	*lp = lws_get_opaque_user_data(wsi);
	struct app	*app = lp != NULL ? lp->app : NULL;

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (app == NULL)
			break;
		if (app->opt.headless)
			/* At the end of the requests the console goes on. */
			return headless_input(app, lws_get_socket_fd(wsi)) ==
			    -1 ? -1 : 0;
		ui_input(app->ui);
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (app == NULL)
			break;
		lp->stdin_wsi = NULL;
		/*
		 * The terminal went away (an SSH session dropped, the window
		 * closed).  SIGHUP means "reload the rules" to us, so this is
		 * how a hangup is noticed: commit and quit.
		 */
		if (!app->opt.headless)
			app->quit = 1;
		break;
	default:
		break;
	}
	return 0;
}

/* The console's vhost: feed connections and stdin. */
static int
loop_vhost(struct loop *lp, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct app			*app = lp->app;

	lp->protocols[0] = link_ws_protocol;
	lp->protocols[1] = (struct lws_protocols){ "invigil-stdin",
	    loop_stdin_callback, 0, 0, 0, NULL, 0 };
	memset(&info, 0, sizeof info);
	info.vhost_name = LINK_WS_VHOST;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = lp->protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = app->opt.ca_path;
	lp->vhost = lws_create_vhost(app->ctx, &info);
	if (lp->vhost == NULL) {
		if (app->opt.ca_path != NULL)
			snprintf(err, errlen, "cannot create the WebSocket "
			    "client: is --ca %s a PEM certificate?",
			    app->opt.ca_path);
		else
			snprintf(err, errlen, "cannot create the WebSocket "
			    "client");
		return -1;
	}
	return 0;
}

/* --demo: the simulator, a feed inside this process; returns its URL. */
static int
loop_demo(struct app *app, char *url, size_t urlsz, char *err,
    size_t errlen)
{
	struct feed_config	fc;

	memset(&fc, 0, sizeof fc);
	fc.listen_host = "127.0.0.1";
	fc.listen_port = 0;
	/* Each demo is a new session: its own feed id, so that a reused
	 * demo.db does not report the last one as lost. */
	snprintf(app->demo_id, sizeof app->demo_id, "demo-%" PRId64,
	    proto_now_ms() / 1000);
	fc.id = app->demo_id;
	fc.name = "built-in simulator";
	fc.simulate = app->opt.demo;
	fc.seed = app->opt.demo_seed;
	fc.rate = app->opt.demo_rate;
	fc.quiet = 1;
	app->demo_feed = feed_attach(app->ctx, &fc, err, errlen);
	if (app->demo_feed == NULL)
		return -1;
	snprintf(url, urlsz, "ws://127.0.0.1:%d/", feed_port(app->demo_feed));
	return 0;
}

int
app_init(struct app *app, const struct console_options *opt, char *err,
    size_t errlen)
{
	struct lws_context_creation_info info;
	char			url[64];
	int			i;

	memset(app, 0, sizeof *app);
	loop_signals();
	app->opt = *opt;
	app->loop = xcalloc(1, sizeof *app->loop);
	app->loop->app = app;
	if (restore_open(app, err, errlen) != 0)
		return -1;

	link_ws_log_headless(opt->headless);
	lws_set_log_level(LLL_ERR, link_ws_log);
	memset(&info, 0, sizeof info);
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	app->ctx = lws_create_context(&info);
	if (app->ctx == NULL) {
		snprintf(err, errlen, "cannot create the WebSocket context");
		return -1;
	}
	if (loop_vhost(app->loop, err, errlen) != 0)
		return -1;

	if (opt->demo > 0) {
		if (loop_demo(app, url, sizeof url, err, errlen) != 0 ||
		    link_open(&app->feeds[0], app, 0, url, loop_transports,
		    err, errlen) != 0)
			return -1;
		app->nfeeds = 1;
	}
	for (i = 0; i < opt->nfeeds && app->nfeeds < CONSOLE_MAX_FEEDS; i++) {
		/* Its own token, else the one for every feed (the demo's
		 * simulator takes none). */
		app->feeds[app->nfeeds].token = opt->feed_tokens[i] != NULL ?
		    opt->feed_tokens[i] : opt->token;
		app->feeds[app->nfeeds].token_own = opt->feed_tokens[i] != NULL;
		if (link_open(&app->feeds[app->nfeeds], app, app->nfeeds,
		    opt->feeds[i], loop_transports, err, errlen) != 0)
			return -1;
		app->nfeeds++;
	}
	if (restore_feeds(app, err, errlen) != 0)
		return -1;
	/* From here on SQLite's work is the writer thread's. */
	return store_writer_start(app->store, COMMIT_MS, err, errlen);
}

/* The screen's part of the before-sleep step. */
static void
loop_screen(struct app *app)
{
	struct pollfd	 pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	/*
	 * The terminal went away (an SSH session dropped, the window was
	 * closed): SIGHUP means "reload the rules" to us, so a hangup is
	 * noticed here.  Commit and quit.
	 */
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR |
	    POLLNVAL)) != 0) {
		app->quit = 1;
		return;
	}
	/* lws owns poll(): a resize is only seen when we ask ncurses. */
	ui_input(app->ui);
	if (app->model.dirty && !app->quit) {
		ui_draw(app->ui);
		app->model.dirty = 0;
	}
}

/* The deferred work of one turn of the loop, in order (see the top). */
static void
loop_before_sleep(struct loop *lp)
{
	struct app	*app = lp->app;
	int64_t		 now = proto_now_ms();
	char		 err[512];

	if (loop_hup) {
		loop_hup = 0;
		app_reload_rules(app);
	}
	if (now >= lp->next_tick_ms) {
		lp->next_tick_ms = now + TICK_MS;
		ingest_tick(app);
		if (store_due(app->store, err, sizeof err) != 0)
			app_status(app, 1, "%s (will retry)", err);
		pending_overdue(app, now);
		outcome_watch_poll(app, now);
		if (now / 1000 != app->model.ev_window_sec) {
			app->model.dirty = 1;	/* the clock, retry countdowns, rate */
			/* Dismissed flags fade from the risk score. */
			model_fade(&app->model, now);
			/* Silent candidates on live feeds. */
			app_missing(app, now);
		}
		model_rate_update(&app->model, now);
	}
	if (now >= lp->next_ckpt_ms) {
		lp->next_ckpt_ms = now + (int64_t)app->opt.ckpt_minutes * 60000;
		app_checkpoint(app);
	}
	if (app->ui != NULL && now >= lp->next_frame_ms) {
		lp->next_frame_ms = now + SCREEN_MS;
		loop_screen(app);
	}
}

/* Only wakes the loop, so that the before-sleep step runs. */
static void
loop_wake(lws_sorted_usec_list_t *sul)
{
	struct loop	*lp = lws_container_of(sul, struct loop, sul_wake);

	lws_sul_schedule(lp->app->ctx, 0, &lp->sul_wake, loop_wake,
	    TICK_MS * LWS_US_PER_MS);
}

/* The keyboard, or the headless requests. */
static void
loop_stdin(struct loop *lp)
{
	lws_sock_file_fd_type	fd;
	int			in = dup(STDIN_FILENO);

	if (in < 0)
		return;
	fd.filefd = in;
	lp->stdin_wsi = lws_adopt_descriptor_vhost(lp->vhost,
	    LWS_ADOPT_RAW_FILE_DESC, fd, "invigil-stdin", NULL);
	if (lp->stdin_wsi == NULL)
		close(in);
	else
		lws_set_opaque_user_data(lp->stdin_wsi, lp);
}

/* Say goodbye (close 1000) to every feed, waiting at most half a second. */
static void
loop_close_feeds(struct app *app)
{
	int64_t	deadline = proto_now_ms() + 500;
	int	i, open;

	for (i = 0; i < app->nfeeds; i++)
		link_stop(&app->feeds[i]);
	do {
		for (open = 0, i = 0; i < app->nfeeds; i++)
			open += link_connected(&app->feeds[i]);
		if (open == 0 || lws_service(app->ctx, 0) < 0)
			break;
	} while (proto_now_ms() < deadline);
}

int
app_run(struct app *app)
{
	struct loop	*lp = app->loop;
	char		 err[512];
	int		 i;

	loop_signal_ctx = app->ctx;
	if (!app->opt.headless) {
		app->ui = ui_start(app);
		if (view_attempts_open(app->ui) != 0)
			abort();
	}
	loop_stdin(lp);
	app->model.dirty = 1;
	for (i = 0; i < app->nfeeds; i++)
		link_connect(&app->feeds[i]);
	lp->next_tick_ms = proto_now_ms() + TICK_MS;
	lp->next_ckpt_ms = proto_now_ms() + (int64_t)app->opt.ckpt_minutes *
	    60000;
	lws_sul_schedule(app->ctx, 0, &lp->sul_wake, loop_wake,
	    TICK_MS * LWS_US_PER_MS);

	while (!app->quit && !loop_signalled) {
		if (lws_service(app->ctx, 0) < 0)
			break;
		loop_before_sleep(lp);
	}
	app->quit = 1;
	lws_sul_cancel(&lp->sul_wake);
	loop_close_feeds(app);

	if (app->ui != NULL) {
		ui_stop(app->ui);
		app->ui = NULL;
	}
	if (store_flush(app->store, err, sizeof err) != 0) {
		fprintf(stderr, "invigil: %s\n", err);
		app->exit_status = EXIT_RUNTIME;
	}
	/* At exit, a signed checkpoint of everything journaled. */
	if (app->key != NULL && store_checkpoint(app->store, app->key, NULL,
	    err, sizeof err) != 0) {
		fprintf(stderr, "invigil: %s\n", err);
		app->exit_status = EXIT_RUNTIME;
	}
	return app->exit_status;
}

void
app_free(struct app *app)
{
	int	i;

	loop_signal_ctx = NULL;
	if (app->ctx != NULL)
		lws_context_destroy(app->ctx);
	app->ctx = NULL;
	feed_detach(app->demo_feed);
	app->demo_feed = NULL;
	for (i = 0; i < app->nfeeds; i++)
		link_free(&app->feeds[i]);
	free(app->loop);
	app->loop = NULL;
	pending_free(app);
	app_clear(app);
}
