/*
 * options.c - small parsers shared by the commands' option handling, each
 * with a message that says what was wrong and what to do.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "console/console.h"

int
option_long(const char *name, const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "invigil: %s wants a whole number from %ld to "
		    "%ld, not \"%s\"\n", name, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
option_u64(const char *name, const char *s, uint64_t *out)
{
	char		  *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-') {
		fprintf(stderr, "invigil: %s wants a whole number >= 0, not "
		    "\"%s\"\n", name, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
option_double(const char *name, const char *s, double min, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < min) {
		fprintf(stderr, "invigil: %s wants a number >= %g, not \"%s\"\n",
		    name, min, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* HOST:PORT; the host part is kept in place (the string is modified). */
int
option_listen(char *s, const char **host, int *port)
{
	char	*colon = strrchr(s, ':');
	long	 p;

	if (colon == NULL || colon == s) {
		fprintf(stderr, "invigil: --listen wants HOST:PORT, e.g. "
		    "127.0.0.1:7450, not \"%s\"\n", s);
		return -1;
	}
	*colon = '\0';
	if (option_long("the port of --listen", colon + 1, 0, 65535, &p) != 0)
		return -1;
	*host = s;
	*port = (int)p;
	return 0;
}
