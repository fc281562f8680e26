/*
 * names.c - severity and firing-mode names, and the "did you mean"
 * suggestion used by every error about a misspelt name.
 */
#include <string.h>

#include "rules/rules-int.h"

static const char *const severity_names[RULES_SEV_COUNT] = {
	"info", "low", "medium", "high", "critical"
};

static const char *const mode_names[RULES_NMODES] = {
	"count", "run", "duration", "link"
};

const char *
rules_severity_name(enum rules_severity s)
{
	if ((unsigned)s >= RULES_SEV_COUNT)
		return "unknown";
	return severity_names[s];
}

int
rules_severity_parse(const char *s)
{
	int	i;

	for (i = 0; i < RULES_SEV_COUNT; i++)
		if (strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

const char *
rules_mode_name(enum rules_mode m)
{
	if ((unsigned)m >= RULES_NMODES)
		return "unknown";
	return mode_names[m];
}

/* Levenshtein distance, capped: anything over 8 is "far". */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t	row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			tmp = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < tmp)
				tmp = row[j] + 1;
			if (row[j - 1] + 1 < tmp)
				tmp = row[j - 1] + 1;
			row[j] = tmp;
			prev = cur;
		}
	}
	return row[lb];
}

/*
 * The name among names[0..n-1] nearest to s, if it is near enough to be a
 * likely misspelling (at most 2 edits, and fewer than half of s); else NULL.
 */
const char *
rules_suggest(const char *s, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3, len = strlen(s);

	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		d = distance(s, names[i]);
		if (d < bestd && d * 2 < len + 1) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}
