/*
 * xmalloc.c - allocation for rules/: out-of-memory is a broken invariant,
 * not an input error, so these abort loudly instead of returning NULL
 * (tmux xmalloc.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules-int.h"

static void
oom(size_t n)
{
	fprintf(stderr, "invigil: rules: out of memory (%zu bytes)\n", n);
	abort();
}

void *
rules_xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom(n);
	return p;
}

void *
rules_xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		oom(n * size);
	return p;
}

void *
rules_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		oom(n);
	return p;
}

char *
rules_xstrndup(const char *s, size_t len)
{
	char	*p = rules_xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
rules_xstrdup(const char *s)
{
	return rules_xstrndup(s, strlen(s));
}
