/*
 * latency-probe.c - the measuring end of bench/latency.sh: how long after
 * the feed sent an event the console had committed it, and had printed
 * the flag it raised.
 *
 * The feed runs with --stamp, so every message carries "sent_mono_ns", the
 * feed's CLOCK_MONOTONIC when it handed the message to the socket; the
 * console stores each message as received, stamp included.  This program
 * shares the clock (same machine) and, while the console runs:
 *
 *   commit  polls the database every POLL_US (1 ms) for the feed's
 *           committed position (feeds.last_seq, written in the same
 *           transaction as the messages it covers) and notes when it moved:
 *           a message is committed at the first poll that sees it, so the
 *           figure is late by at most one poll interval plus one query;
 *   flag    reads the console's stdout (`invigil --headless`) and notes
 *           when each {"t":"flag",...} line arrives (the console flushes
 *           each at once); other lines ("ack") are ignored.
 *
 * When its input ends (the console stopped), it reads every event's stamp
 * back from the database and prints the distributions:
 *
 *   commit: an event's commit time minus its stamp, for every event sent
 *           after the warm-up;
 *   flag:   a flag line's arrival minus the stamp of the event that raised
 *           it, for flags raised by an event (the flag's ts is that
 *           event's ts).  Holds that reach their length by time passing
 *           are left out: their seq names the event that began the hold.
 *
 * Output: lines of "name key value key value ..." (times in milliseconds),
 * for bench/latency.sh.
 *
 * usage: latency-probe DB FEED TOTAL DONE_FILE [WARMUP_S] < console-stdout
 *   TOTAL      the last seq the feed will send; DONE_FILE is created when
 *              the console has committed it (the driver then stops it)
 *   WARMUP_S   events sent in the first WARMUP_S seconds after the first
 *              event are not counted (default 2): the console connects
 *              after the feed has started its clock and catches up
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "proto/proto.h"
#include "store/store.h"
#include "proto/xmalloc.h"

#define POLL_US		1000
#define PAGE_ROWS	10000	/* messages read back at a time */

struct commit {			/* the position moved to seq at t */
	int64_t	t_ns;
	int64_t	seq;
};

struct flagline {
	int64_t	t_ns;
	int64_t	seq;
	int64_t	ts_ms;		/* the flag's ts */
};

static struct commit	*commits;
static size_t		 ncommits, commits_cap;
static struct flagline	*flags;
static size_t		 nflags, flags_cap;

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *
grow(void *p, size_t *cap, size_t size)
{
	*cap = *cap ? *cap * 2 : 4096;
	return xreallocarray(p, *cap, size);
}

static void
add_flag(const char *line, size_t len, int64_t t)
{
	json_t		*o;
	const char	*type, *ts;
	int64_t		 ms;

	if ((o = json_loadb(line, len, 0, NULL)) == NULL)
		return;
	type = json_string_value(json_object_get(o, "t"));
	ts = json_string_value(json_object_get(o, "ts"));
	if (type != NULL && strcmp(type, "flag") == 0 && ts != NULL &&
	    json_is_integer(json_object_get(o, "seq")) &&
	    proto_time_parse(ts, &ms) == 0) {
		if (nflags == flags_cap)
			flags = grow(flags, &flags_cap, sizeof *flags);
		flags[nflags].t_ns = t;
		flags[nflags].seq = json_integer_value(json_object_get(o,
		    "seq"));
		flags[nflags].ts_ms = ms;
		nflags++;
	}
	json_decref(o);
}

/* Every event's stamp and ts, by seq, read back from the database. */
struct stamps {
	int64_t	 total;
	int64_t	*sent, *ts;
	int64_t	 first_sent, max_seq;
	int64_t	 after;		/* the last seq read */
	int64_t	 unstamped;	/* an event with no sent_mono_ns, or 0 */
};

static int
stamp_row(const struct store_message_row *m, void *arg)
{
	struct stamps	*sp = arg;
	json_t		*o, *v;

	sp->after = m->seq;
	if (strcmp(m->type, "event") != 0 || m->seq < 1 || m->seq > sp->total)
		return 0;
	o = json_loadb(m->body, m->len, 0, NULL);
	v = o != NULL ? json_object_get(o, "sent_mono_ns") : NULL;
	if (!json_is_integer(v)) {
		json_decref(o);
		sp->unstamped = m->seq;
		return 1;
	}
	sp->sent[m->seq] = json_integer_value(v);
	sp->ts[m->seq] = m->ts_ms;
	json_decref(o);
	if (sp->first_sent < 0 || sp->sent[m->seq] < sp->first_sent)
		sp->first_sent = sp->sent[m->seq];
	if (m->seq > sp->max_seq)
		sp->max_seq = m->seq;
	return 0;
}

/* Read the stamps of feed's events in epoch; 0, or -1 with a message. */
static int
read_stamps(struct store_reader *r, const char *feed, int64_t epoch,
    struct stamps *sp)
{
	char	err[1024];
	int	n;

	sp->sent = xcalloc((size_t)sp->total + 1, sizeof *sp->sent);
	sp->ts = xcalloc((size_t)sp->total + 1, sizeof *sp->ts);
	sp->first_sent = -1;
	do {
		n = store_query_feed_messages(r, feed, epoch, sp->after,
		    PAGE_ROWS, stamp_row, sp, err, sizeof err);
		if (n < 0) {
			fprintf(stderr, "latency-probe: %s\n", err);
			return -1;
		}
		if (sp->unstamped != 0) {
			fprintf(stderr, "latency-probe: seq %" PRId64 " has no "
			    "sent_mono_ns (is the feed running with --stamp?)\n",
			    sp->unstamped);
			return -1;
		}
	} while (n == PAGE_ROWS);
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* "name n N p50 X p90 X p99 X p999 X max X" in ms, for the driver. */
static void
report(const char *name, int64_t *v, size_t n)
{
	size_t	i;
	double	pc[] = { 0.50, 0.90, 0.99, 0.999 };

	printf("%s n %zu", name, n);
	if (n == 0) {
		printf("\n");
		return;
	}
	qsort(v, n, sizeof *v, cmp_i64);
	for (i = 0; i < sizeof pc / sizeof pc[0]; i++) {
		size_t k = (size_t)(pc[i] * (double)n);

		printf(" p%g %.2f", pc[i] * 100, (double)v[k < n ? k : n - 1] /
		    1e6);
	}
	printf(" max %.2f\n", (double)v[n - 1] / 1e6);
}

int
main(int argc, char **argv)
{
	struct store_reader *db = NULL;
	struct stamps	 stamps;
	const char	*path, *feed, *done_path;
	char		 buf[1 << 16], *line = NULL, *nl, err[1024];
	size_t		 len = 0, cap = 0, i, k, nlat, nfl, noflag = 0;
	int64_t		 total, last = 0, t, next_poll, first_sent = -1;
	int64_t		*lat, *flat, *sent, *ts, max_seq, epoch = 0;
	int64_t		 polls = 0, query_ns = 0, max_gap = 0, prev_poll = 0;
	int64_t		 first_poll = 0;
	double		 warmup_s = 2;
	int		 eof = 0, done = 0;
	struct pollfd	 pfd;
	ssize_t		 r;

	if (argc < 5) {
		fprintf(stderr, "usage: latency-probe DB FEED TOTAL DONE_FILE "
		    "[WARMUP_S] < console-stdout\n");
		return 2;
	}
	path = argv[1];
	feed = argv[2];
	total = atoll(argv[3]);
	done_path = argv[4];
	if (argc > 5)
		warmup_s = atof(argv[5]);

	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	next_poll = now_ns();
	while (!eof) {
		int timeout;

		t = now_ns();
		timeout = next_poll > t ? (int)((next_poll - t + 999999) /
		    1000000) : 0;
		if (poll(&pfd, 1, timeout) > 0) {
			r = read(STDIN_FILENO, buf, sizeof buf);
			t = now_ns();
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				eof = 1;
			} else {
				if (len + (size_t)r + 1 > cap) {
					cap = (len + (size_t)r + 1) * 2;
					line = xrealloc(line, cap);
				}
				memcpy(line + len, buf, (size_t)r);
				len += (size_t)r;
				while ((nl = memchr(line, '\n', len)) != NULL) {
					add_flag(line, (size_t)(nl - line), t);
					len -= (size_t)(nl - line) + 1;
					memmove(line, nl + 1, len);
				}
			}
		}
		t = now_ns();
		if (t < next_poll)
			continue;
		/* The committed position.  The reader opens once the console
		 * has made the database (and its schema). */
		if (db == NULL && access(path, F_OK) == 0 &&
		    store_reader_open(&db, path, err, sizeof err) != 0)
			db = NULL;
		if (db != NULL) {
			int64_t seq = -1, q0 = now_ns(), e;

			if (store_query_feed_position(db, feed, &e, &seq, err,
			    sizeof err) == 1)
				epoch = e;
			else
				seq = -1;
			t = now_ns();
			query_ns += t - q0;
			if (first_poll == 0)
				first_poll = t;
			if (seq > last) {
				if (ncommits == commits_cap)
					commits = grow(commits, &commits_cap,
					    sizeof *commits);
				commits[ncommits].t_ns = t;
				commits[ncommits].seq = seq;
				ncommits++;
				last = seq;
			}
			polls++;
			if (prev_poll != 0 && t - prev_poll > max_gap)
				max_gap = t - prev_poll;
			prev_poll = t;
			if (!done && last >= total) {
				int fd = open(done_path, O_WRONLY | O_CREAT,
				    0644);

				if (fd >= 0)
					close(fd);
				done = 1;
			}
		}
		next_poll = t + POLL_US * 1000;
	}
	if (line != NULL && len > 0)
		add_flag(line, len, now_ns());
	free(line);
	if (db == NULL) {
		fprintf(stderr, "latency-probe: %s never appeared\n", path);
		return 1;
	}

	/* Every event's stamp and ts, by seq. */
	memset(&stamps, 0, sizeof stamps);
	stamps.total = total;
	if (read_stamps(db, feed, epoch, &stamps) != 0)
		return 1;
	store_reader_close(db);
	sent = stamps.sent;
	ts = stamps.ts;
	first_sent = stamps.first_sent;
	max_seq = stamps.max_seq;
	if (first_sent < 0) {
		fprintf(stderr, "latency-probe: no stamped event stored\n");
		return 1;
	}

	/* Commit: the first poll at or past each seq. */
	lat = xcalloc((size_t)total + 1, sizeof *lat);
	flat = xcalloc(nflags + 1, sizeof *flat);
	nlat = 0;
	for (k = 0, i = 1; i <= (size_t)max_seq; i++) {
		if (sent[i] == 0 || (double)(sent[i] - first_sent) / 1e9 <
		    warmup_s)
			continue;
		while (k < ncommits && commits[k].seq < (int64_t)i)
			k++;
		if (k == ncommits)
			break;		/* never seen committed: none after */
		lat[nlat++] = commits[k].t_ns - sent[i];
	}
	nfl = 0;
	for (i = 0; i < nflags; i++) {
		int64_t s = flags[i].seq;

		if (s < 1 || s > max_seq || sent[s] == 0 ||
		    (double)(sent[s] - first_sent) / 1e9 < warmup_s)
			continue;
		if (flags[i].ts_ms != ts[s]) {
			noflag++;	/* a hold fired by the clock */
			continue;
		}
		flat[nfl++] = flags[i].t_ns - sent[s];
	}
	for (i = 1, k = 0; i <= (size_t)max_seq; i++)
		k += sent[i] != 0;
	printf("events n %zu counted %zu warmup_s %g\n", k, nlat, warmup_s);
	/* How often the console committed, after the warm-up. */
	{
		int64_t	 gmax = 0, g0 = 0, n0 = 0;

		for (i = 1; i < ncommits; i++) {
			if ((double)(commits[i - 1].t_ns - first_sent) / 1e9 <
			    warmup_s)
				continue;
			if (g0 == 0)
				g0 = commits[i - 1].t_ns;
			n0++;
			if (commits[i].t_ns - commits[i - 1].t_ns > gmax)
				gmax = commits[i].t_ns - commits[i - 1].t_ns;
		}
		printf("commits n %zu interval_ms %.1f max_interval_ms %.1f\n",
		    ncommits, n0 > 0 ? (double)(commits[ncommits - 1].t_ns -
		    g0) / (double)n0 / 1e6 : 0.0, (double)gmax / 1e6);
	}
	report("commit", lat, nlat);
	report("flag", flat, nfl);
	printf("flags n %zu clock_holds %zu\n", nflags, noflag);
	printf("polls n %" PRId64 " interval_ms %.3f max_gap_ms %.3f "
	    "query_ms %.3f\n", polls, polls > 1 ?
	    (double)(prev_poll - first_poll) / (double)(polls - 1) / 1e6 : 0.0,
	    (double)max_gap / 1e6, polls > 0 ? (double)query_ns /
	    (double)polls / 1e6 : 0.0);
	free(lat);
	free(flat);
	free(sent);
	free(ts);
	free(commits);
	free(flags);
	return 0;
}
