/*
 * screen.c - CPU time per frame of the proctor's screen with many
 * attempts, drawn by the console's own code (ui_draw) into a real ncurses
 * screen on a pseudo-terminal (or /dev/null).
 *
 * The console's model is filled through its real message path: app_init()
 * with the default rules and a fresh database, then a welcome, ATTEMPTS
 * attempt messages and PREFILL events encoded as a feed sends them and
 * handed to ingest_receive() (decode, store queue and flushes, rules, flags,
 * the model), as the WebSocket client would.  The event kinds are those of
 * bench/gen-events.py, uniform and deterministic, so most attempts carry
 * open flags and the table is ordered by risk.
 *
 * Then FRAMES frames, each as the console's screen tick does it: the
 * events of one tick arrive first (RATE events/s x 50 ms, untimed), then
 * ui_draw() is timed - the thread's CPU time (user + system, the writes to
 * the terminal included) and the wall time.  The first thing ui_draw()
 * does, app_sort() (the table in risk order, when something changed it),
 * is called just before it and timed on its own: "sort" is part of "cpu".
 * A second series draws with no new events (only the clock changes).  A thread drains the
 * pseudo-terminal like a terminal emulator would, on the other CPU.
 *
 * Prints a Markdown section on stdout.
 *
 * usage: screen [--attempts N] [--prefill N] [--frames N] [--rate R]
 *               [--size ROWSxCOLS] [--null]
 *   defaults: 10000 attempts, 200000 events before, 200 frames, 20000
 *   events/s, 50x200, a pseudo-terminal (--null: /dev/null, no terminal
 *   to size: $LINES x $COLUMNS are set from --size)
 */
#define _GNU_SOURCE	/* posix_openpt, ptsname, nftw */

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "console/console.h"
#include "console/ui-term.h"
#include "console/view.h"
#include "proto/xmalloc.h"

#define TICK_MS	50	/* the console's frame interval (loop.c SCREEN_MS) */

static int		 master = -1;
static volatile long	 drained;

/* Read the pseudo-terminal's output and throw it away, as a terminal. */
static void *
drain(void *arg)
{
	char	buf[65536];
	ssize_t	n;

	(void)arg;
	while ((n = read(master, buf, sizeof buf)) > 0)
		drained += n;
	return NULL;
}

static int64_t	seq, ts_ms = 1795400000000;

/* Encode m as the feed would (next seq) and hand it to the console. */
static void
deliver(struct feed_link *cf, struct proto_msg *m)
{
	char	err[256], *json;
	size_t	len;

	if (proto_type_is_stream(m->type))
		m->seq = ++seq;
	m->ts_ms = ts_ms;
	if ((json = proto_encode(m, &len, err, sizeof err)) == NULL) {
		fprintf(stderr, "screen: encode: %s\n", err);
		exit(1);
	}
	ingest_receive(cf, json, len);
	free(json);
}

static void
attempt_msg(struct feed_link *cf, int i)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "A%05d", i);
	snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate, "C%05d",
	    i);
	snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "Candidate %d", i);
	snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EX-1");
	m.u.attempt.modality = PROTO_MODALITY_REMOTE;
	m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
	snprintf(m.u.attempt.ip, sizeof m.u.attempt.ip, "10.%d.%d.%d",
	    i >> 16 & 255, i >> 8 & 255, i & 255);
	snprintf(m.u.attempt.device, sizeof m.u.attempt.device, "dev-%05x", i);
	deliver(cf, &m);
}

static void
event_msg(struct feed_link *cf, int attempts)
{
	struct proto_msg	m;
	char			data[32];

	memset(&m, 0, sizeof m);
	m.type = PROTO_EVENT;
	snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "A%05d",
	    (int)(bench_rng() % (uint64_t)attempts));
	m.u.event.kind = (enum proto_event_kind)(bench_rng() % PROTO_EV_COUNT);
	snprintf(data, sizeof data, "{\"n\":%d}", (int)(bench_rng() % 1000));
	m.u.event.data = data;
	ts_ms++;
	deliver(cf, &m);
}

/* One row of the Markdown table: mean and percentiles of n values, in ms. */
static void
series(const char *name, double *v, int n)
{
	double	sum = 0;
	int	i;

	for (i = 0; i < n; i++)
		sum += v[i];
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name, sum / n,
	    v[n / 2], v[n * 9 / 10], v[n * 99 / 100], v[n - 1]);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(int argc, char **argv)
{
	struct console_options	 opt;
	struct app		 app;
	struct feed_link	*cf;
	struct proto_msg	 m;
	struct ui		*ui;
	struct winsize		 ws;
	pthread_t		 drainer;
	FILE			*out, *in;
	char			 dir[] = "/tmp/invigil-screen.XXXXXX", db[64];
	char			 err[1024], num[16];
	const char		*term = "xterm-256color";
	double			*cpu, *wall, *idle, *sort, t0, w0, fill_s;
	long			 attempts = 10000, prefill = 200000, frames = 200;
	long			 i, k, per_frame, bytes0;
	double			 rate = 20000;
	int			 rows = 50, cols = 200, use_null = 0, slave;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--null") == 0)
			use_null = 1;
		else if (v != NULL && strcmp(a, "--attempts") == 0)
			attempts = atol(argv[++i]);
		else if (v != NULL && strcmp(a, "--prefill") == 0)
			prefill = atol(argv[++i]);
		else if (v != NULL && strcmp(a, "--frames") == 0)
			frames = atol(argv[++i]);
		else if (v != NULL && strcmp(a, "--rate") == 0)
			rate = atof(argv[++i]);
		else if (v != NULL && strcmp(a, "--size") == 0 &&
		    sscanf(argv[++i], "%dx%d", &rows, &cols) == 2)
			;
		else {
			fprintf(stderr, "usage: screen [--attempts N] "
			    "[--prefill N] [--frames N] [--rate R] "
			    "[--size ROWSxCOLS] [--null]\n");
			return 2;
		}
	}
	if (attempts < 1 || frames < 1 || rows < 10 || cols < 40) {
		fprintf(stderr, "screen: bad arguments\n");
		return 2;
	}
	per_frame = (long)(rate * TICK_MS / 1000);
	setlocale(LC_ALL, "C.UTF-8");
	if (mkdtemp(dir) == NULL) {
		perror("screen: mkdtemp");
		return 1;
	}
	/* The console's signing key goes here too. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(num, sizeof num, "%d", rows);
	setenv("LINES", num, 1);
	snprintf(num, sizeof num, "%d", cols);
	setenv("COLUMNS", num, 1);
	snprintf(db, sizeof db, "%s/screen.db", dir);

	memset(&opt, 0, sizeof opt);
	opt.db = db;
	opt.proctor = "bench";
	if (app_init(&app, &opt, err, sizeof err) != 0) {
		fprintf(stderr, "screen: %s\n", err);
		return 1;
	}
	/* One feed, as the client would have it after connecting. */
	cf = &app.feeds[0];
	memset(cf, 0, sizeof *cf);
	cf->app = &app;
	cf->index = 0;
	snprintf(cf->url, sizeof cf->url, "ws://127.0.0.1:1/");
	app.nfeeds = 1;
	memset(&m, 0, sizeof m);
	m.type = PROTO_WELCOME;
	snprintf(m.u.welcome.feed, sizeof m.u.welcome.feed, "bench");
	snprintf(m.u.welcome.name, sizeof m.u.welcome.name, "bench");
	m.u.welcome.epoch = 1;
	m.u.welcome.first_seq = 1;
	deliver(cf, &m);

	t0 = bench_clock_ms(CLOCK_MONOTONIC);
	for (i = 0; i < attempts; i++)
		attempt_msg(cf, (int)i);
	for (i = 0; i < prefill; i++)
		event_msg(cf, (int)attempts);
	if (store_flush(app.store, err, sizeof err) != 0) {
		fprintf(stderr, "screen: %s\n", err);
		return 1;
	}
	fill_s = (bench_clock_ms(CLOCK_MONOTONIC) - t0) / 1000;

	if (use_null) {
		out = fopen("/dev/null", "w");
		in = fopen("/dev/null", "r");
	} else {
		if ((master = posix_openpt(O_RDWR | O_NOCTTY)) < 0 ||
		    grantpt(master) != 0 || unlockpt(master) != 0 ||
		    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0) {
			perror("screen: pseudo-terminal");
			return 1;
		}
		memset(&ws, 0, sizeof ws);
		ws.ws_row = (unsigned short)rows;
		ws.ws_col = (unsigned short)cols;
		ioctl(slave, TIOCSWINSZ, &ws);
		out = fdopen(slave, "w");
		in = fdopen(dup(slave), "r");
		if (pthread_create(&drainer, NULL, drain, NULL) != 0)
			return 1;
	}
	if (out == NULL || in == NULL) {
		perror("screen: terminal streams");
		return 1;
	}
	ui = ui_start_term(&app, term, out, in);
	if (ui == NULL)
		ui = ui_start_term(&app, term = "xterm", out, in);
	if (ui == NULL) {
		fprintf(stderr, "screen: ncurses refused the terminal\n");
		return 1;
	}
	if (view_attempts_open(ui) != 0)
		abort();
	app.ui = ui;
	ui_draw(ui);		/* the first, full frame: not counted */

	cpu = xcalloc((size_t)frames, sizeof *cpu);
	wall = xcalloc((size_t)frames, sizeof *wall);
	idle = xcalloc((size_t)frames, sizeof *idle);
	sort = xcalloc((size_t)frames, sizeof *sort);
	bytes0 = drained;
	for (i = 0; i < frames; i++) {
		for (k = 0; k < per_frame; k++)
			event_msg(cf, (int)attempts);
		t0 = bench_clock_ms(CLOCK_THREAD_CPUTIME_ID);
		w0 = bench_clock_ms(CLOCK_MONOTONIC);
		/* What ui_draw() does first, timed on its own. */
		app_sort(&app);
		sort[i] = bench_clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
		ui_draw(ui);
		cpu[i] = bench_clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
		wall[i] = bench_clock_ms(CLOCK_MONOTONIC) - w0;
	}
	usleep(100000);		/* let the drainer catch up */
	k = drained - bytes0;
	for (i = 0; i < frames; i++) {
		t0 = bench_clock_ms(CLOCK_THREAD_CPUTIME_ID);
		ui_draw(ui);
		idle[i] = bench_clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
	}
	ui_stop_term(ui);
	app.ui = NULL;

	printf("### Screen: one frame with %ld attempts\n\n", attempts);
	printf("ui_draw() of the console into a real ncurses screen (newterm, "
	    "%s, %dx%d) on %s; %ld frames, each after %ld new "
	    "events (%.0f events/s for the console's %d ms screen tick); CPU "
	    "time of the drawing thread, user + system:\n\n", term, rows, cols,
	    use_null ? "/dev/null" : "a pseudo-terminal drained by another "
	    "thread", frames, per_frame, rate, TICK_MS);
	printf("| per frame | mean ms | p50 ms | p90 ms | p99 ms | max ms |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	series("CPU, frame after new events", cpu, (int)frames);
	series("... of which app_sort() (risk order)", sort, (int)frames);
	series("wall time, same frames", wall, (int)frames);
	series("CPU, frame with nothing new (clock only)", idle, (int)frames);
	printf("\n- model: %ld attempts, %" PRIu64 " open flags, filled "
	    "through ingest_receive() (decode, store, rules) with %ld events "
	    "before the first frame in %.1f s\n", attempts, app.model.open_flags,
	    prefill, fill_s);
	if (!use_null)
		printf("- terminal output: %.0f bytes per frame\n", (double)k /
		    (double)frames);
	printf("- target (not asserted): <= 5 ms per frame at 10000 "
	    "attempts\n\n");
	fclose(out);
	fclose(in);
	if (master >= 0) {
		pthread_join(drainer, NULL);	/* the slave closed: EIO */
		close(master);
	}
	app_free(&app);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(cpu);
	free(wall);
	free(idle);
	free(sort);
	return 0;
}
