/*
 * fuzz_config.c - libFuzzer harness for the console's config file
 * (config_parse, console/config.c).
 *
 * Any input either parses into at most CONFIG_ITEMS_MAX items, each an
 * option of the table with a value exactly when the option takes one (or
 * may), from a line within the input, or is refused with one sentence that
 * starts with the file name and a line, is NUL-terminated and carries no
 * raw control character (it reaches a terminal).  The table is a copy of
 * the shapes of the console's: flags, values, an optional value, PATHs
 * (for ~), a key-name setting, a key refused in the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct cmd_option options[] = {
	{ "feed", 'f', 0, "URL", "x" },
	{ "feed-token-file", 'F', 0, "PATH", "x" },
	{ "db", 'd', 0, "PATH", "x" },
	{ "key-dir", 'K', 0, "DIR", "x" },
	{ "headless", 'H', 0, NULL, "x" },
	{ "demo", 'D', CMD_OPT_OPTIONAL, "N", "x" },
	{ "config", 'c', CMD_OPT_NO_FILE, "PATH", "x" },
	{ NULL, 0, 0, NULL, NULL }
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config		 c;
	const struct config_item *it;
	char			 err[512];
	size_t			 i, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(err, 'x', sizeof err);
	if (config_parse(&c, "fuzz.conf", (const char *)data, size, options,
	    "/home/f", err, sizeof err) == 0) {
		if (c.n > CONFIG_ITEMS_MAX)
			abort();
		for (i = 0; i < c.n; i++) {
			it = &c.items[i];
			if (it->option < options || it->option >= options + 7 ||
			    (it->option->flags & CMD_OPT_NO_FILE) ||
			    (it->option->arg == NULL && it->value != NULL) ||
			    (it->option->arg != NULL && it->value == NULL &&
			    !(it->option->flags & CMD_OPT_OPTIONAL)) ||
			    it->line < 1 || (size_t)it->line > lines)
				abort();
		}
		config_free(&c);
		return 0;
	}
	if (memchr(err, '\0', sizeof err) == NULL ||
	    strncmp(err, "fuzz.conf:", 10) != 0)
		abort();
	for (i = 0; err[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)err[i];

		if (ch < 0x20 || ch == 0x7f)
			abort();	/* a raw control character in the error */
	}
	return 0;
}
