/*
 * config.h - the console's config file, $XDG_CONFIG_HOME/invigil/config
 * (man/invigil-config.5).
 *
 * Its keys are the console's long option names, taken from the option
 * table of cmd-console.c: the file and the command line cannot drift
 * apart, and an option added to the table works in the file with no
 * change here.  One "key [value] [name=value]..." a line; # comments;
 * "..." and '...' quoting; ~/ at the start of a PATH or DIR value is
 * $HOME.  A trailing name=value is the option "key-name" on the same
 * line: "feed URL token-file=PATH" is --feed URL --feed-token-file PATH.
 *
 * config_parse() is pure (text in, items out); config_load() reads the
 * file without blocking and refuses one that others may write.
 */
#ifndef INVIGIL_CONFIG_H
#define INVIGIL_CONFIG_H

#include <stddef.h>

#include "console/commands.h"

#define CONFIG_FILE_MAX		(64 * 1024)	/* bytes */
#define CONFIG_LINE_MAX		1024		/* bytes, without the \n */
#define CONFIG_ITEMS_MAX	128		/* options set by one file */

/* One option the file sets, as the command line would give it. */
struct config_item {
	const struct cmd_option	*option;
	char			*value;	/* NULL for a flag (or an optional
					   value left out) */
	int			 line;	/* 1-based */
};

struct config {
	char			 shown[512];	/* the file's name, sanitised */
	struct config_item	 items[CONFIG_ITEMS_MAX];
	size_t			 n;
};

/*
 * Parse len bytes of text as a config file named
 * name (for errors) against options (the console's table); each value
 * is a heap string of c's.  Options with
 * CMD_OPT_NO_FILE are refused in the file.  A flag takes no value, "yes"
 * or "no" ("no" sets nothing).  home replaces a leading ~ in PATH and DIR
 * values (NULL: a ~ is an error).  0, or -1 with "NAME:LINE: what is
 * wrong" (or NAME:LINE:COL for a character) in err; c is freed on error.
 */
int	config_parse(struct config *c, const char *name, const char *text,
	    size_t len, const struct cmd_option *options, const char *home,
	    char *err, size_t errlen);
/*
 * Read path (a regular file, never blocking on a FIFO, at most
 * CONFIG_FILE_MAX bytes, not writable by group or others: it names token
 * files) and config_parse() it with $HOME.  0, or -1 with a sentence.
 */
int	config_load(struct config *c, const char *path,
	    const struct cmd_option *options, char *err, size_t errlen);
/* Free what c holds (a zeroed or failed c too). */
void	config_free(struct config *c);
/*
 * Where the file is looked for: $XDG_CONFIG_HOME/invigil/config (an
 * absolute XDG_CONFIG_HOME), else $HOME/.config/invigil/config.  0, or -1
 * with a sentence when neither is set.
 */
int	config_default_path(char *buf, size_t len, char *err, size_t errlen);

/*
 * cmd-console.c: read c's items as the console would (each value checked,
 * the feeds, the rule file and the token files loaded), without starting
 * anything.  -1 if all is well, else the exit status after the error.
 */
int	console_config_check(const struct config *c);

#endif /* INVIGIL_CONFIG_H */
