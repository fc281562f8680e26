/*
 * cmd-table.c - the top-level commands, in the order of the helps and
 * invigil(1); the console, the default, first.  Its own file so that
 * commands.c (the machinery every command uses) names no command.
 */
#include <stddef.h>

#include "console/commands.h"

const struct cmd_entry *const cmd_table_main[] = {
	&cmd_console_entry,
	&cmd_feed_entry,
	&cmd_rules_entry,
	&cmd_reasons_entry,
	&cmd_config_entry,
	&cmd_review_entry,
	&cmd_admin_entry,
	&cmd_help_entry,
	NULL
};
