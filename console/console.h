/*
 * console.h - the console module as the loop, the screen and the commands
 * see it: struct app and everything that decides (app.h, lws-free), plus
 * the parts that run on libwebsockets (the loop, loop.c; the WebSocket
 * link, link-ws.c), the screen (ui.c), the headless output (headless.c)
 * and the user-facing commands (cmd-*.c).
 *
 * Everything runs on one thread inside one libwebsockets loop: feeds are
 * client connections, stdin is an adopted file descriptor, and the deferred
 * work (the rules' clock, the store flush, checkpoints, overdue commands,
 * the redraw) runs in one ordered step before the loop sleeps (loop.c),
 * never per event.
 */
#ifndef INVIGIL_CONSOLE_H
#define INVIGIL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "console/app.h"
#include "console/decide.h"
#include "console/headless.h"
#include "console/ingest.h"
#include "console/link.h"
#include "console/model.h"

/* loop.c: the console's life. */

/*
 * Set app up for opt: rules, store, signing key, the lws context, the
 * --demo simulator, the feed links, and what the database holds of their
 * feeds.  0, or -1 with a sentence in err (app_free() it either way).
 */
int		 app_init(struct app *, const struct console_options *,
		     char *err, size_t errlen);
/* Run until a signal or quit: returns the exit status. */
int		 app_run(struct app *);
/* Free everything app_init made, the loop's part included. */
void		 app_free(struct app *);

/* link-ws.c: the WebSocket transport. */
#define LINK_WS_VHOST	"console"	/* the vhost its connections use */
struct ws_url {
	char		host[256];	/* IPv6 literals without [] */
	char		path[256];
	int		port;
	int		tls;
};
/*
 * Split ws[s]://host[:port][/path], where host may be an IPv6 address in
 * brackets (RFC 3986: ws://[::1]:7450/): 0, or -1 with a sentence.
 */
int		 link_ws_parse_url(const char *url, struct ws_url *,
		     char *err, size_t errlen);
extern const struct link_ops		link_ws_ops;
extern const struct lws_protocols	link_ws_protocol;
/* lws's log: the last error line is kept (connection errors quote it),
 * and said on stderr, rate-limited, when headless. */
extern char	 link_ws_last_error[256];
void		 link_ws_log(int level, const char *line);
void		 link_ws_log_headless(int);

/* options.c: option values, with a message on stderr when wrong. */
int		 option_long(const char *name, const char *s, long min,
		     long max, long *out);
int		 option_u64(const char *name, const char *s, uint64_t *out);
int		 option_double(const char *name, const char *s, double min,
		     double *out);
int		 option_listen(char *s, const char **host, int *port);

/* cmd-*.c: the commands are entries of the table in commands.h. */

#endif /* INVIGIL_CONSOLE_H */
