/*
 * xmalloc.c - the tree's one set of allocation wrappers (see xmalloc.h):
 * out-of-memory aborts loudly instead of returning NULL to callers that
 * would all have to do the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/xmalloc.h"

static void
xmalloc_fatal(const char *what, size_t n, size_t size)
{
	fprintf(stderr, "invigil: %s: out of memory (%zu * %zu bytes)\n", what,
	    n, size);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		xmalloc_fatal("xmalloc", n, 1);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if (n > SIZE_MAX / size || (p = calloc(n, size)) == NULL)
		xmalloc_fatal("xcalloc", n, size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	void	*q;

	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_fatal("xreallocarray", n, size);
	if ((q = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		xmalloc_fatal("xreallocarray", n, size);
	return q;
}

void *
xrealloc(void *p, size_t n)
{
	return xreallocarray(p, n, 1);
}

char *
xstrndup(const char *s, size_t len)
{
	char	*p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
