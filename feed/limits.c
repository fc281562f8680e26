/*
 * limits.c - the feed's bounds on what a client can make it hold or do:
 * the command memory, the per-connection message rate, the connections per
 * address and the resume position (see limits.h).
 *
 * Both tables are chained hash tables whose bucket array doubles when it
 * holds more entries than buckets, hashed with SipHash-2-4 under a key
 * drawn at random per table: ids and addresses come from the network, and
 * a fixed hash would let a client pick ids that all fall in one chain.
 */
/* getentropy: _DEFAULT_SOURCE comes from pkg-config's flags */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feed/feed.h"
#include "feed/limits.h"
#include "proto/xmalloc.h"

/* ---- SipHash-2-4 (Aumasson and Bernstein) */

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

struct sipkey {
	uint64_t	k0, k1;
};

static void
sipkey_random(struct sipkey *k)
{
	unsigned char	b[16];
	uint64_t	t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

	if (getentropy(b, sizeof b) != 0) {
		/* Not secret, but still not predictable without the pid. */
		memcpy(b, &t, sizeof t);
		t ^= (uint64_t)(uintptr_t)k * 0x9e3779b97f4a7c15ULL;
		memcpy(b + 8, &t, sizeof t);
	}
	memcpy(&k->k0, b, 8);
	memcpy(&k->k1, b + 8, 8);
}

#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
siphash(const struct sipkey *k, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		 len = strlen(s), i;
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k->k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k->k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k->k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ k->k1;
	uint64_t	 m, b = (uint64_t)len << 56;

	for (; len >= 8; len -= 8, p += 8) {
		for (m = 0, i = 0; i < 8; i++)
			m |= (uint64_t)p[i] << (8 * i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < len; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * ---- a chained hash table of entries that start with struct chain; the
 * bucket array doubles when it holds more entries than buckets.
 */

struct chain {
	struct chain	*next;		/* in its bucket */
	uint64_t	 hash;
};

struct htab {
	struct sipkey	  key;
	struct chain	**buckets;
	size_t		  nbuckets;	/* a power of two */
	size_t		  count;
};

static void
htab_init(struct htab *h)
{
	h->nbuckets = 16;
	h->buckets = xcalloc(h->nbuckets, sizeof *h->buckets);
	sipkey_random(&h->key);
}

/* The chain of entries that may hold key (its hash in *hash). */
static struct chain *
htab_chain(const struct htab *h, const char *key, uint64_t *hash)
{
	*hash = siphash(&h->key, key);
	return h->buckets[*hash & (h->nbuckets - 1)];
}

static void
htab_insert(struct htab *h, struct chain *e, uint64_t hash)
{
	struct chain	**nb, *x, *next;
	size_t		  i, n;

	if (h->count >= h->nbuckets) {
		n = h->nbuckets * 2;
		nb = xcalloc(n, sizeof *nb);
		for (i = 0; i < h->nbuckets; i++) {
			for (x = h->buckets[i]; x != NULL; x = next) {
				next = x->next;
				x->next = nb[x->hash & (n - 1)];
				nb[x->hash & (n - 1)] = x;
			}
		}
		free(h->buckets);
		h->buckets = nb;
		h->nbuckets = n;
	}
	e->hash = hash;
	e->next = h->buckets[hash & (h->nbuckets - 1)];
	h->buckets[hash & (h->nbuckets - 1)] = e;
	h->count++;
}

static void
htab_remove(struct htab *h, struct chain *e)
{
	struct chain	**p;

	for (p = &h->buckets[e->hash & (h->nbuckets - 1)]; *p != NULL;
	    p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			h->count--;
			return;
		}
	}
}

/* ---- the command memory */

struct cmd_rec {
	struct chain	chain;		/* first: a struct chain * is a cmd_rec * */
	int		ok;
	char		id[PROTO_ID_MAX + 1];
	char	       *error;		/* heap, exactly as long as needed */
};

struct feed_cmds {
	struct htab	  tab;
	struct cmd_rec	**order;	/* ring: order[(oldest + i) % window] */
	size_t		  window;
	size_t		  oldest;
};

struct feed_cmds *
feed_cmds_new(size_t window)
{
	struct feed_cmds	*t = xcalloc(1, sizeof *t);

	t->window = window > 0 ? window : 1;
	t->order = xcalloc(t->window, sizeof *t->order);
	htab_init(&t->tab);
	return t;
}

void
feed_cmds_free(struct feed_cmds *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->tab.count; i++) {
		struct cmd_rec *r = t->order[(t->oldest + i) % t->window];

		free(r->error);
		free(r);
	}
	free(t->order);
	free(t->tab.buckets);
	free(t);
}

int
feed_cmds_find(const struct feed_cmds *t, const char *id,
    struct feed_cmd_answer *a)
{
	struct chain	*c;
	struct cmd_rec	*r;
	uint64_t	 h;

	for (c = htab_chain(&t->tab, id, &h); c != NULL; c = c->next) {
		r = (struct cmd_rec *)c;
		if (c->hash == h && strcmp(r->id, id) == 0) {
			a->ok = r->ok;
			a->error = r->error;
			return 1;
		}
	}
	return 0;
}

void
feed_cmds_add(struct feed_cmds *t, const char *id, int ok, const char *error)
{
	struct cmd_rec	*r;
	char		 cut[PROTO_TEXT_MAX + 1];
	uint64_t	 h;

	if (t->tab.count == t->window) {
		/* Forget the oldest. */
		r = t->order[t->oldest];
		htab_remove(&t->tab, &r->chain);
		t->order[t->oldest] = NULL;
		t->oldest = (t->oldest + 1) % t->window;
		free(r->error);
		free(r);
	}
	r = xcalloc(1, sizeof *r);
	proto_utf8_copy(r->id, sizeof r->id, id);
	proto_utf8_copy(cut, sizeof cut, error != NULL ? error : "");
	r->error = xcalloc(strlen(cut) + 1, 1);
	memcpy(r->error, cut, strlen(cut) + 1);
	r->ok = ok;
	(void)htab_chain(&t->tab, r->id, &h);
	t->order[(t->oldest + t->tab.count) % t->window] = r;
	htab_insert(&t->tab, &r->chain, h);
}

size_t
feed_cmds_count(const struct feed_cmds *t)
{
	return t->tab.count;
}

size_t
feed_cmds_longest_chain(const struct feed_cmds *t)
{
	struct chain	*c;
	size_t		 i, n, longest = 0;

	for (i = 0; i < t->tab.nbuckets; i++) {
		for (n = 0, c = t->tab.buckets[i]; c != NULL; c = c->next)
			n++;
		if (n > longest)
			longest = n;
	}
	return longest;
}

/* ---- the message rate of one connection */

int
feed_rate_take(struct feed_rate *r, int64_t now_us, double per_sec,
    double burst)
{
	if (r->last_us == 0 || now_us < r->last_us) {
		if (r->last_us == 0)
			r->tokens = burst;
		r->last_us = now_us;
	}
	r->tokens += (double)(now_us - r->last_us) / 1e6 * per_sec;
	if (r->tokens > burst)
		r->tokens = burst;
	r->last_us = now_us;
	if (r->tokens < 1)
		return 0;
	r->tokens -= 1;
	return 1;
}

/* ---- libwebsockets' own log lines */

int
feed_lws_log_write(FILE *out, struct feed_rate *rate, unsigned long *dropped,
    const char *prefix, const char *line, int64_t now_us)
{
	char	safe[1024];
	size_t	n = strlen(line);

	if (!feed_rate_take(rate, now_us, FEED_LOG_RATE, FEED_LOG_BURST)) {
		(*dropped)++;
		return 0;
	}
	if (*dropped > 0) {
		fprintf(out, "%s: (%lu libwebsockets lines left out: more than "
		    "%d a second)\n", prefix, *dropped, FEED_LOG_RATE);
		*dropped = 0;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' '))
		n--;
	proto_sanitize(line, n, safe, sizeof safe);
	fprintf(out, "%s: libwebsockets: %s\n", prefix, safe);
	return 1;
}

void
feed_lws_log(const char *prefix, const char *line)
{
	static struct feed_rate	rate;
	static unsigned long	dropped;
	struct timespec		ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	(void)feed_lws_log_write(stderr, &rate, &dropped, prefix, line,
	    (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* ---- connections per address */

struct addr_rec {
	struct chain	chain;		/* first, as in cmd_rec */
	int		count;
	char		addr[64];	/* textual IPv6 is at most 45 */
};

struct feed_addrs {
	struct htab	tab;
	int		total;		/* connections, all addresses */
};

struct feed_addrs *
feed_addrs_new(void)
{
	struct feed_addrs	*t = xcalloc(1, sizeof *t);

	htab_init(&t->tab);
	return t;
}

void
feed_addrs_free(struct feed_addrs *t)
{
	struct chain	*c, *next;
	size_t		 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->tab.nbuckets; i++) {
		for (c = t->tab.buckets[i]; c != NULL; c = next) {
			next = c->next;
			free(c);
		}
	}
	free(t->tab.buckets);
	free(t);
}

static struct addr_rec *
addrs_lookup(const struct feed_addrs *t, const char *addr, uint64_t *h)
{
	struct chain	*c;

	for (c = htab_chain(&t->tab, addr, h); c != NULL; c = c->next) {
		if (c->hash == *h && strcmp(((struct addr_rec *)c)->addr,
		    addr) == 0)
			return (struct addr_rec *)c;
	}
	return NULL;
}

void *
feed_addrs_take(struct feed_addrs *t, const char *addr, int max)
{
	struct addr_rec	*r;
	uint64_t	 h;

	if (strlen(addr) >= sizeof r->addr)
		return NULL;	/* not an address */
	if ((r = addrs_lookup(t, addr, &h)) != NULL) {
		if (r->count >= max)
			return NULL;
		r->count++;
		t->total++;
		return r;
	}
	if (max < 1)
		return NULL;
	r = xcalloc(1, sizeof *r);
	memcpy(r->addr, addr, strlen(addr) + 1);
	r->count = 1;
	htab_insert(&t->tab, &r->chain, h);
	t->total++;
	return r;
}

void
feed_addrs_release(struct feed_addrs *t, void *entry)
{
	struct addr_rec	*r = entry;

	if (r == NULL)
		return;
	t->total--;
	if (--r->count > 0)
		return;
	htab_remove(&t->tab, &r->chain);
	free(r);
}

int
feed_addrs_count(const struct feed_addrs *t, const char *addr)
{
	uint64_t	 h;
	struct addr_rec	*r = addrs_lookup(t, addr, &h);

	return r != NULL ? r->count : 0;
}

int
feed_addrs_total(const struct feed_addrs *t)
{
	return t->total;
}

int
feed_max_connections(long long nofile)
{
	long long	n = nofile;

	if (n <= 0 || n > 1 << 30)
		n = 1 << 30;		/* unlimited, or absurd */
	n -= n >= 256 ? 32 : n >= 64 ? n / 4 : 16;
	return n < 4 ? 4 : (int)n;
}

/* ---- resume */

int64_t
feed_resume_start(const struct proto_hello *h, int64_t epoch,
    int64_t last_seq, int *ahead)
{
	*ahead = 0;
	if (!h->has_resume || h->resume_epoch != epoch ||
	    h->resume_after_seq < 0)
		return 1;
	/* Compared before adding: after_seq + 1 overflows at INT64_MAX. */
	if (h->resume_after_seq >= last_seq) {
		*ahead = h->resume_after_seq > last_seq;
		return last_seq + 1;
	}
	return h->resume_after_seq + 1;
}
