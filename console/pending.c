/*
 * pending.c - commands awaiting the feed's answer (see pending.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/app.h"
#include "console/headless.h"
#include "console/link.h"
#include "console/pending.h"
#include "proto/xmalloc.h"

int64_t
pending_minutes(enum proto_action action, const char *text)
{
	int64_t	n = 0;

	if (action != PROTO_ACTION_EXTEND || text == NULL)
		return 0;
	/* At most three digits: 1..PROTO_EXTEND_MAX, never an overflow. */
	for (; *text >= '0' && *text <= '9' && n <= PROTO_EXTEND_MAX; text++)
		n = n * 10 + (*text - '0');
	if (strncmp(text, " minutes", 8) != 0 || n < 1 ||
	    n > PROTO_EXTEND_MAX)
		return 0;
	return n;
}

int
pending_message(struct proto_msg *m, const char *id, const struct attempt *a,
    enum proto_action action, const char *text)
{
	memset(m, 0, sizeof *m);
	m->type = PROTO_CMD;
	snprintf(m->u.cmd.id, sizeof m->u.cmd.id, "%s", id);
	snprintf(m->u.cmd.attempt, sizeof m->u.cmd.attempt, "%s", a->id);
	m->u.cmd.action = action;
	m->u.cmd.minutes = pending_minutes(action, text);
	return proto_utf8_copy(m->u.cmd.text, sizeof m->u.cmd.text, text) ?
	    -1 : 0;
}

void
pending_send(struct feed_link *l, const struct pending_cmd *p)
{
	struct proto_msg	m;

	pending_message(&m, p->id, p->attempt, p->action, p->text);
	link_send(l, &m);
}

void
pending_resend(struct app *app, struct feed_link *l)
{
	struct pending_cmd	*p;
	int			 n = 0;

	for (p = app->pending; p != NULL; p = p->next) {
		if (p->attempt->feed == l->session) {
			pending_send(l, p);
			snprintf(p->attempt->pending_cmd,
			    sizeof p->attempt->pending_cmd, "%s pending",
			    proto_action_name(p->action));
			n++;
		}
	}
	if (n > 0)
		app_status(app, 0, "feed %s: re-sent %d unacknowledged "
		    "command%s", l->session->id, n, n == 1 ? "" : "s");
}

struct pending_cmd *
pending_add(struct app *app, const char *id, struct attempt *a,
    enum proto_action action, const char *text, const char *request)
{
	struct pending_cmd	*p, **pp;

	p = xcalloc(1, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", id);
	if (request != NULL)
		p->request = xstrdup(request);
	p->since_ms = proto_now_ms();
	p->attempt = a;
	p->action = action;
	/* app_decide refuses a longer text; one stored by an older version
	 * is cut where the codec can still encode it. */
	proto_utf8_copy(p->text, sizeof p->text, text != NULL ? text : "");
	/* Oldest first, the order they are re-sent in. */
	for (pp = &app->pending; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	snprintf(a->pending_cmd, sizeof a->pending_cmd, "%s pending",
	    proto_action_name(action));
	return p;
}

/* One of the marked attempts' act answered: the batch's line says so. */
static void
pending_bulk(struct app *app, const struct pending_cmd *p,
    const struct proto_msg *m)
{
	struct bulk	*b = &app->bulk;
	char		 line[256];

	if (!bulk_acked(b, p->id, p->attempt->id, m->u.ack.ok, m->u.ack.error))
		return;
	bulk_summary(b, line, sizeof line);
	if (b->nfail > 0)
		app_status(app, 1, "%s | %s: %.150s", line,
		    b->fail[b->nfail - 1].attempt, b->fail[b->nfail - 1].why);
	else
		app_status(app, 0, "%s", line);
}

void
pending_acked(struct app *app, struct feed_session *fs,
    const struct proto_msg *m, const struct store_receipt *receipt)
{
	struct pending_cmd	**pp, *p;

	for (pp = &app->pending; (p = *pp) != NULL; pp = &p->next) {
		if (p->attempt->feed != fs || strcmp(p->id, m->u.ack.cmd) != 0)
			continue;
		snprintf(p->attempt->pending_cmd,
		    sizeof p->attempt->pending_cmd, "%s %s",
		    proto_action_name(p->action),
		    m->u.ack.ok ? "ok" : "failed");
		/* A lock is no state on the wire: its ack is what says the
		 * screen is locked, a resume's that it is not. */
		if (m->u.ack.ok && p->action == PROTO_ACTION_LOCK)
			p->attempt->locked = 1;
		if (m->u.ack.ok && p->action == PROTO_ACTION_RESUME)
			p->attempt->locked = 0;
		if (m->u.ack.ok)
			app_status(app, 0, "feed acknowledged %s of %s",
			    proto_action_name(p->action), p->attempt->id);
		else
			app_status(app, 1, "feed refused %s of %s: %.150s",
			    proto_action_name(p->action), p->attempt->id,
			    m->u.ack.error);
		if (app->opt.headless)
			headless_done(app, p, m, receipt);
		pending_bulk(app, p, m);
		*pp = p->next;
		free(p->request);
		free(p);
		break;
	}
}

int
pending_replaced(struct app *app, struct feed_session *old, void *unsent)
{
	struct pending_cmd	*p;
	int			 n = 0;

	for (p = app->pending; p != NULL; p = p->next) {
		if (p->attempt->feed != old)
			continue;
		if (unsent != NULL)
			json_array_append_new(unsent, json_string(p->id));
		snprintf(p->attempt->pending_cmd, sizeof p->attempt->pending_cmd,
		    "%s NOT sent: feed replaced", proto_action_name(p->action));
		n++;
	}
	return n;
}

void
pending_overdue(struct app *app, int64_t now)
{
	struct pending_cmd	*p;
	int64_t			 after;

	if (!app->opt.headless)
		return;
	after = (int64_t)(app->opt.command_timeout > 0 ?
	    app->opt.command_timeout : CONSOLE_COMMAND_TIMEOUT_S) * 1000;
	for (p = app->pending; p != NULL; p = p->next) {
		if (p->said_unanswered || now - p->since_ms < after)
			continue;
		p->said_unanswered = 1;
		headless_unanswered(app, p);
	}
}

void
pending_free(struct app *app)
{
	struct pending_cmd	*p, *next;

	for (p = app->pending; p != NULL; p = next) {
		next = p->next;
		free(p->request);
		free(p);
	}
	app->pending = NULL;
}
