/*
 * main.c - invigil's entry point: the command table (cmd-table.c) picks
 * the command, git style.  With no command, or "console", the proctor's
 * console runs.
 */
#include "console/commands.h"

int
main(int argc, char **argv)
{
	return cmd_main(cmd_table_main, argc, argv);
}
