/*
 * suggest.c - the "did you mean" helper behind every error about a
 * misspelt name: protocol enum values (codec.c), rule fields, severities
 * and functions (rules/), and command names (console/commands.c).
 *
 * Distance is optimal string alignment (Levenshtein plus the swap of two
 * adjacent letters, the most common typo), on bytes, over names of at most
 * PROTO_SUGGEST_MAX bytes; longer strings are never "near".
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define SUGGEST_FAR	99

/* OSA distance of a and b, both at most PROTO_SUGGEST_MAX bytes. */
static size_t
suggest_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t	d[PROTO_SUGGEST_MAX + 1][PROTO_SUGGEST_MAX + 1], i, j, best;

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

size_t
proto_suggest_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	if (la > PROTO_SUGGEST_MAX || lb > PROTO_SUGGEST_MAX)
		return SUGGEST_FAR;
	return suggest_distance(a, la, b, lb);
}

const char *
proto_suggest(const char *s, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3, len = strlen(s);

	if (len == 0)
		return NULL;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		d = proto_suggest_distance(s, names[i]);
		if (d < bestd && d * 2 <= len) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}

const char *
proto_suggest_hint(char *buf, size_t size, const char *s,
    const char *const *names, size_t n)
{
	const char	*best = proto_suggest(s, names, n);

	if (best == NULL)
		return "";
	snprintf(buf, size, " (did you mean \"%s\"?)", best);
	return buf;
}
