/*
 * xmalloc.h - allocation for the whole tree (tmux xmalloc.c): running out
 * of memory is a broken invariant, not an input error, so these never
 * return NULL; they print what was asked for and abort.  A size of zero
 * allocates one byte, so the result is always a unique pointer to free().
 *
 * Not included by proto.h: a file opts in with #include "proto/xmalloc.h".
 */
#ifndef INVIGIL_XMALLOC_H
#define INVIGIL_XMALLOC_H

#include <stddef.h>

/* malloc(n); the memory is not cleared. */
void	*xmalloc(size_t n);
/* calloc(n, size): n * size zeroed bytes; aborts if the product overflows. */
void	*xcalloc(size_t n, size_t size);
/* realloc(p, n); p may be NULL.  On return the old p is not to be used. */
void	*xrealloc(void *p, size_t n);
/* realloc(p, n * size), aborting if the product overflows (OpenBSD's
 * reallocarray). */
void	*xreallocarray(void *p, size_t n, size_t size);
/* A copy of the NUL-terminated s. */
char	*xstrdup(const char *s);
/* A NUL-terminated copy of the first len bytes of s (which may hold NULs:
 * exactly len bytes are copied). */
char	*xstrndup(const char *s, size_t len);

#endif
