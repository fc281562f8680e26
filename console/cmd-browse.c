/*
 * cmd-browse.c - `invigil review browse --db PATH`: the console's views
 * over a stored database, read-only (browse.c), for analysts.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console/app.h"
#include "console/browse.h"
#include "console/commands.h"
#include "proto/proto.h"

/* Open, show, close: the exit status (2 for a database that will not
 * open as invigil's, or no terminal). */
static int
browse_main(struct app *app)
{
	char	err[1024], clean[4096];
	int	rc;

	if (browse_open(app, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review browse: %s\n",
		    proto_clean(err, clean, sizeof clean));
		browse_close(app);
		return EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "invigil review browse: the browser is a "
		    "screen and wants a terminal; for rows, use invigil "
		    "review attempts, flags or decisions\n");
		browse_close(app);
		return EXIT_USAGE;
	}
	setlocale(LC_ALL, "");	/* names drawn as what they are */
	rc = browse_run(app);
	browse_close(app);
	return rc;
}

static int
review_browse(const struct cmd_entry *self, int argc, char **argv)
{
	static struct app	 app;
	struct cmd_getopt	 g;
	int			 ch;

	memset(&app, 0, sizeof app);
	app.opt.proctor = "-";
	app.opt.ckpt_every = 1;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			app.opt.db = optarg;
			break;
		case 'F':
			app.opt.feeds[0] = optarg;
			app.opt.nfeeds = 1;
			break;
		case 'Y':
			if (strcmp(optarg, "auto") == 0)
				app.opt.theme = CONSOLE_THEME_AUTO;
			else if (strcmp(optarg, "color") == 0 ||
			    strcmp(optarg, "colour") == 0)
				app.opt.theme = CONSOLE_THEME_COLOR;
			else if (strcmp(optarg, "mono") == 0)
				app.opt.theme = CONSOLE_THEME_MONO;
			else
				return cmd_usage_error(self, "--theme wants "
				    "auto, color or mono, not \"%s\"", optarg);
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (app.opt.db == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote, or one review import merged)", NULL);
	return browse_main(&app);
}

static const struct cmd_option browse_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote, "
	    "or one review import merged (opened read-only: nothing is "
	    "written, no -wal is made)" },
	{ "feed", 'F', 0, "ID", "only the attempts of this feed id (all "
	    "feeds by default)" },
	{ "theme", 'Y', 0, "THEME", "the screen's colours: auto (the "
	    "default), color or mono" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_browse_entry = {
	.name = "review browse",
	.summary = "the console's screens over a stored database, read-only: "
	    "attempts, detail and timeline, flags queue, journal; acts are "
	    "disabled",
	.usage = "review browse --db PATH [--feed ID] [--theme THEME]",
	.options = browse_options,
	.opens = CMD_OPENS_STORE_READ,
	.flags = CMD_NO_OPERANDS,
	.about = "Opens the console's views over a stored database, "
	    "read-only, for analysts: the attempts of every feed and origin, "
	    "an attempt's detail and timeline (Enter), the flags queue and "
	    "the journal of every act (Tab).  No feed is contacted and "
	    "nothing is written; the act keys say they are disabled.  New "
	    "rows a console still writing commits appear within two "
	    "seconds.",
	.exec = review_browse,
	.see = "invigil-review(1), invigil(1)",
	.page = "invigil-review.1",
};
