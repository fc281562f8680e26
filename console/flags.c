/*
 * flags.c - the fixed set of flag-raising event kinds that stands in for
 * the rules engine (rules/, to come): one table, event kind -> rule name and
 * severity.  Everything else is recorded but raises nothing.  The seam is
 * flag_rule_for(): the engine will replace this file, not its callers.
 */
#include <stddef.h>

#include "console/console.h"

static const struct {
	enum proto_event_kind	kind;
	const char	       *rule;
	enum store_severity	severity;
} fixed_rules[] = {
	{ PROTO_EV_IDENTITY_MISMATCH,	"identity_mismatch",	STORE_SEV_CRITICAL },
	{ PROTO_EV_REMOTE_ACCESS,	"remote_access",	STORE_SEV_CRITICAL },
	{ PROTO_EV_FACES_MULTIPLE,	"faces_multiple",	STORE_SEV_HIGH },
	{ PROTO_EV_OBJECT_DETECTED,	"object_detected",	STORE_SEV_HIGH },
	{ PROTO_EV_VM_DETECTED,		"vm_detected",		STORE_SEV_HIGH },
	{ PROTO_EV_PROHIBITED_PROCESS,	"prohibited_process",	STORE_SEV_MEDIUM },
	{ PROTO_EV_DEVTOOLS_OPENED,	"devtools_opened",	STORE_SEV_MEDIUM },
};

/*
 * The rule an event of this kind raises, or NULL.  data (the event's JSON
 * object) is unused until rules can look into it.
 */
const char *
flag_rule_for(enum proto_event_kind kind, const char *data,
    enum store_severity *severity)
{
	size_t	i;

	(void)data;
	for (i = 0; i < sizeof fixed_rules / sizeof fixed_rules[0]; i++) {
		if (fixed_rules[i].kind == kind) {
			*severity = fixed_rules[i].severity;
			return fixed_rules[i].rule;
		}
	}
	return NULL;
}
