/*
 * names.c - the names of the firing modes.  Severities are the protocol's
 * (proto_severity_name()), and the "did you mean" of every error about a
 * misspelt name is proto_suggest().
 */
#include "rules/rules-int.h"

static const char *const mode_names[RULES_NMODES] = {
	"count", "run", "duration", "link"
};

const char *
rules_mode_name(enum rules_mode m)
{
	if ((unsigned)m >= RULES_NMODES)
		return "unknown";
	return mode_names[m];
}
