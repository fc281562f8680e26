/*
 * cmd-config.c - `invigil config check [PATH]` and `invigil config path`:
 * the console's config file (config.c, man/invigil-config.5) checked
 * before a proctor relies on it, and where it is looked for.
 */
#include <stdio.h>
#include <stdlib.h>

#include "console/commands.h"
#include "console/config.h"
#include "console/console.h"

static int	config_check_exec(const struct cmd_entry *, int, char **);
static int	config_path_exec(const struct cmd_entry *, int, char **);

static const struct cmd_entry cmd_config_check_entry = {
	.name = "config check",
	.summary = "parse the config file (or PATH) as the console would; "
	    "print each option it sets as FILE:LINE: --OPTION VALUE (token "
	    "files are read, never printed), or what is wrong (exit 1)",
	.usage = "config check [PATH]",
	.exec = config_check_exec,
	.see = "invigil-config(5)",
	.page = "invigil.1",
};

static const struct cmd_entry cmd_config_path_entry = {
	.name = "config path",
	.summary = "print where the console looks for its config file",
	.usage = "config path",
	.flags = CMD_NO_OPERANDS,
	.exec = config_path_exec,
	.see = "invigil-config(5)",
	.page = "invigil.1",
};

static const struct cmd_entry *const config_children[] = {
	&cmd_config_check_entry,
	&cmd_config_path_entry,
	NULL
};

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.summary = "check the console's config file, say where it is",
	.about = "The config file sets the console's options (its keys are "
	    "the long options), so that a proctor starts with plain invigil; "
	    "the command line overrides it.",
	.children = config_children,
	.see = "invigil-config(5)",
	.page = "invigil.1",
};

static int
config_check_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct config		*c;
	const struct config_item *it;
	char			 path[4096], err[2048], clean[4 * sizeof err];
	size_t			 i;
	int			 rc;

	cmd_getopt_start(&g, self, 1);
	while (cmd_getopt(&g, argc, argv) != -1)
		;
	if (g.status != -1)
		return g.status;
	if (argc - optind > 1)
		return cmd_usage_error(self, "takes one PATH, not also \"%s\"",
		    argv[optind + 1]);
	if (optind < argc)
		snprintf(path, sizeof path, "%s", argv[optind]);
	else if (config_default_path(path, sizeof path, err, sizeof err) != 0) {
		fprintf(stderr, "invigil config check: %s\n", err);
		return EXIT_RUNTIME;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL || config_load(c, path, cmd_console_entry.options, err,
	    sizeof err) != 0) {
		fprintf(stderr, "invigil config check: %s\n", c == NULL ?
		    "out of memory" : proto_clean(err, clean, sizeof clean));
		free(c);
		return EXIT_RUNTIME;
	}
	/* The values as the console takes them: feeds, rule and token
	 * files; its own message says what is wrong. */
	if ((rc = console_config_check(c)) != -1) {
		config_free(c);
		free(c);
		return EXIT_RUNTIME;
	}
	printf("%s: %zu setting%s\n", c->shown, c->n, c->n == 1 ? "" : "s");
	for (i = 0; i < c->n; i++) {
		it = &c->items[i];
		printf("%s:%d: --%s%s%s\n", c->shown, it->line, it->option->name,
		    it->value != NULL ? " " : "", it->value != NULL ?
		    proto_clean(it->value, clean, sizeof clean) : "");
	}
	config_free(c);
	free(c);
	return 0;
}

static int
config_path_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	g;
	char			path[4096], err[1024], clean[4 * sizeof path];

	cmd_getopt_start(&g, self, 1);
	while (cmd_getopt(&g, argc, argv) != -1)
		;
	if (g.status != -1)
		return g.status;
	if (config_default_path(path, sizeof path, err, sizeof err) != 0) {
		fprintf(stderr, "invigil config path: %s\n", err);
		return EXIT_RUNTIME;
	}
	printf("%s\n", proto_clean(path, clean, sizeof clean));
	return 0;
}
