/*
 * link.c - what every feed link does whatever carries it (see link.h):
 * choosing the transport by the URL's scheme, the hello, the connection
 * state and the reconnect backoff.
 *
 * The backoff is our own counter, reset when a connection is established:
 * a link is (re)connected with exponential backoff and jitter, forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "console/app.h"
#include "console/link.h"

#define RETRY_BASE_MS	500
#define RETRY_MAX_MS	30000

#define REFUSED_BASE_MS	60000		/* a refused token: do not hammer */
#define REFUSED_MAX_MS	600000

static const char *const conn_state_names[] = {
	"connecting", "live", "retrying", "REFUSED", "stopped"
};

const char *
link_state_name(enum conn_state s)
{
	return conn_state_names[s];
}

int
link_open(struct feed_link *l, struct app *app, int index, const char *url,
    const struct link_ops *const *transports, char *err, size_t errlen)
{
	const struct link_ops	*ops = NULL;
	char			 schemes[128];
	size_t			 i, k, n = 0;

	l->app = app;
	l->index = index;
	snprintf(l->url, sizeof l->url, "%s", url);
	schemes[0] = '\0';
	for (i = 0; ops == NULL && transports[i] != NULL; i++) {
		for (k = 0; transports[i]->schemes[k] != NULL; k++) {
			if (strncmp(url, transports[i]->schemes[k],
			    strlen(transports[i]->schemes[k])) == 0) {
				ops = transports[i];
				break;
			}
			if (n < sizeof schemes)
				n += (size_t)snprintf(schemes + n,
				    sizeof schemes - n, "%s%s", n ? " or " : "",
				    transports[i]->schemes[k]);
		}
	}
	if (ops == NULL) {
		snprintf(err, errlen, "--feed %s: the URL must start with %s",
		    url, schemes);
		return -1;
	}
	l->ops = ops;
	return ops->open(l, err, errlen);
}

void
link_connect(struct feed_link *l)
{
	if (l->ops != NULL)
		l->ops->connect(l);
}

int
link_send(struct feed_link *l, const struct proto_msg *m)
{
	char	 err[256], *json;
	size_t	 len;
	int	 rc;

	if (!link_connected(l))
		return -1;
	json = proto_encode(m, &len, err, sizeof err);
	if (json == NULL) {
		app_status(l->app, 1, "cannot encode %s: %s",
		    proto_type_name(m->type), err);
		return -1;
	}
	rc = l->ops->send(l, json, len);
	free(json);
	return rc;
}

void
link_close(struct feed_link *l, int code, const char *reason)
{
	if (link_connected(l))
		l->ops->close(l, code, reason);
}

int
link_connected(const struct feed_link *l)
{
	return l->ops != NULL && l->impl != NULL && l->ops->connected(l);
}

void
link_stop(struct feed_link *l)
{
	if (l->ops != NULL && l->impl != NULL && l->ops->stop != NULL)
		l->ops->stop(l);
}

void
link_free(struct feed_link *l)
{
	if (l->ops != NULL && l->impl != NULL && l->ops->free != NULL)
		l->ops->free(l);
	l->impl = NULL;
}

void
link_hello(struct feed_link *l)
{
	struct proto_msg	 m;
	struct feed_session	*fs = l->session;

	memset(&m, 0, sizeof m);
	m.type = PROTO_HELLO;
	m.u.hello.proto = PROTO_VERSION;
	snprintf(m.u.hello.proctor, sizeof m.u.hello.proctor, "%s",
	    l->app->opt.proctor);
	/* Which feed's position this resumes from: welcome says whether it
	 * was the right one (ingest.c). */
	l->resumed_for[0] = '\0';
	l->resumed_epoch = 0;
	if (fs != NULL && fs->epoch != 0) {
		/* Known feed: resume after what we have taken in. */
		m.u.hello.has_resume = 1;
		m.u.hello.resume_epoch = fs->epoch;
		m.u.hello.resume_after_seq = fs->last_seq;
		snprintf(l->resumed_for, sizeof l->resumed_for, "%s", fs->id);
		l->resumed_epoch = fs->epoch;
	}
	link_send(l, &m);
}

/*
 * The delay before the next attempt: +-25 % jitter so that consoles that
 * lost a feed together do not come back together.  Pure, so that the
 * sequence and its bounds can be tested: the caller draws the randomness.
 */
int64_t
link_retry_delay(unsigned retries, int refused, unsigned draw)
{
	int64_t		 delay, base = RETRY_BASE_MS, max = RETRY_MAX_MS;
	unsigned	 shift;

	if (refused) {
		base = REFUSED_BASE_MS;
		max = REFUSED_MAX_MS;
	}
	shift = retries < 10 ? retries : 10;
	delay = base << shift;
	if (delay > max)
		delay = max;
	return delay + (delay * ((int)(draw % 51) - 25)) / 100;
}

/*
 * A random number for the jitter, from the kernel: rand() was never
 * seeded, so every console drew the same sequence and consoles refused or
 * cut off together came back together, which the jitter is there to
 * prevent.  Without getrandom(), the time and the pid still differ.
 */
static unsigned
link_draw(void)
{
	unsigned	v;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
		v = (unsigned)proto_now_ms() ^ (unsigned)getpid() * 2654435761u;
	return v;
}

/* The connection is gone: when to try again, and say so. */
static int64_t
link_lost(struct feed_link *l, const char *why, int refused)
{
	struct app	*app = l->app;
	int64_t		 delay;
	char		 reason[sizeof l->last_error];

	/* why may be l->last_error itself. */
	snprintf(reason, sizeof reason, "%s", why != NULL ? why :
	    "connection closed");
	if (refused)
		l->state = CONN_REFUSED;
	if (app->quit) {
		l->state = CONN_STOPPED;
		return -1;
	}
	refused = l->state == CONN_REFUSED;
	snprintf(l->last_error, sizeof l->last_error, "%s", reason);
	delay = link_retry_delay(l->retries, refused, link_draw());
	l->retries++;
	l->state = refused ? CONN_REFUSED : CONN_RETRYING;
	l->welcomed = 0;
	l->next_try_ms = proto_now_ms() + delay;
	app_status(app, refused, "feed %s: %s; next try in %.1f s", l->url,
	    l->last_error, (double)delay / 1000.0);
	if (app->opt.headless && !refused) {
		char	clean[4 * sizeof app->status];

		fprintf(stderr, "invigil: %s\n", proto_clean(app->status, clean,
		    sizeof clean));
	}
	app->model.dirty = 1;
	return delay;
}

int64_t
link_report(struct feed_link *l, enum link_event ev, const char *why)
{
	switch (ev) {
	case LINK_CONNECTING:
		if (l->state != CONN_REFUSED)
			l->state = CONN_CONNECTING;
		l->app->model.dirty = 1;
		return 0;
	case LINK_OPENED:
		l->resync = 0;
		l->welcomed = 0;
		l->retries = 0;
		l->last_error[0] = '\0';
		l->state = CONN_CONNECTING;
		return 0;
	case LINK_CLOSED:
		return link_lost(l, why, 0);
	case LINK_REFUSED:
		return link_lost(l, why, 1);
	}
	return 0;
}
