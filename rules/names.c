/*
 * names.c - severity and firing-mode names.  The "did you mean"
 * suggestion of every error about a misspelt name is proto_suggest().
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
