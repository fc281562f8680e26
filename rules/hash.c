/*
 * hash.c - an open-addressing hash table from byte-string keys to
 * pointers, for the engine's per-attempt state, link groups and group
 * membership.  Keys are copied; there is no deletion (the engine forgets
 * nothing during an exam session).  FNV-1a, linear probing, load <= 1/2.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules-int.h"

static uint64_t
hash_bytes(const void *key, size_t len)
{
	const unsigned char	*p = key;
	uint64_t		 h = UINT64_C(14695981039346656037);
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static struct hent *
find(const struct rules_hash *t, const void *key, size_t klen, uint64_t h)
{
	struct hent	*e;
	size_t		 i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		e = &t->v[i];
		if (e->key == NULL)
			return e;
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return e;
	}
}

/* The value stored under key, or NULL. */
void *
rules_hash_get(const struct rules_hash *t, const void *key, size_t klen)
{
	struct hent	*e = find(t, key, klen, hash_bytes(key, klen));

	return e == NULL || e->key == NULL ? NULL : e->val;
}

static void
grow(struct rules_hash *t)
{
	struct hent	*old = t->v, *e;
	size_t		 oldcap = t->cap, i;

	t->cap = oldcap == 0 ? 64 : oldcap * 2;
	t->v = xcalloc(t->cap, sizeof *t->v);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		e = find(t, old[i].key, old[i].klen, old[i].hash);
		*e = old[i];
	}
	free(old);
}

/*
 * Store val under a copy of key, which must not be present.  Returns the
 * copy (NUL-terminated after klen bytes), stable until rules_hash_free.
 */
const char *
rules_hash_put(struct rules_hash *t, const void *key, size_t klen, void *val)
{
	uint64_t	 h = hash_bytes(key, klen);
	struct hent	*e;

	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	e = find(t, key, klen, h);
	e->key = xstrndup(key, klen);
	e->klen = klen;
	e->hash = h;
	e->val = val;
	t->n++;
	return e->key;
}

/* Free the keys, each value with freeval (if not NULL), and the table. */
void
rules_hash_free(struct rules_hash *t, void (*freeval)(void *))
{
	size_t	i;

	for (i = 0; i < t->cap; i++) {
		if (t->v[i].key == NULL)
			continue;
		if (freeval != NULL)
			freeval(t->v[i].val);
		free(t->v[i].key);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}
