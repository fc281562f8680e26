/*
 * options.c - small parsers shared by the commands' option handling, each
 * with a message that says what was wrong and what to do.  The value
 * quoted in a message passes the sanitiser: a command line is text like
 * any other that reaches a terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "console/console.h"

#define QUOTED(s)	proto_clean((s), quoted, sizeof quoted)

int
option_long(const char *name, const char *s, long min, long max, long *out)
{
	char	*end, quoted[1024];
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "invigil: %s wants a whole number from %ld to "
		    "%ld, not \"%s\"\n", name, min, max, QUOTED(s));
		return -1;
	}
	*out = v;
	return 0;
}

int
option_u64(const char *name, const char *s, uint64_t *out)
{
	char		  *end, quoted[1024];
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-') {
		fprintf(stderr, "invigil: %s wants a whole number >= 0, not "
		    "\"%s\"\n", name, QUOTED(s));
		return -1;
	}
	*out = v;
	return 0;
}

int
option_double(const char *name, const char *s, double min, double *out)
{
	char	*end, quoted[1024];
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < min) {
		fprintf(stderr, "invigil: %s wants a number >= %g, not \"%s\"\n",
		    name, min, QUOTED(s));
		return -1;
	}
	*out = v;
	return 0;
}

/* HOST:PORT; the host part is kept in place (the string is modified). */
int
option_listen(char *s, const char **host, int *port)
{
	char	*colon = strrchr(s, ':'), quoted[1024];
	long	 p;

	if (colon == NULL || colon == s) {
		fprintf(stderr, "invigil: --listen wants HOST:PORT, e.g. "
		    "127.0.0.1:7450, not \"%s\"\n", QUOTED(s));
		return -1;
	}
	*colon = '\0';
	if (option_long("the port of --listen", colon + 1, 0, 65535, &p) != 0)
		return -1;
	*host = s;
	*port = (int)p;
	return 0;
}
