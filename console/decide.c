/*
 * decide.c - recording a decision (app_decide, see decide.h): checked
 * against the act's row of act_table (acts.c: a flag to close, a feed to
 * send to) and the reason codes (reasons.h), journaled durably with its
 * evidence, and for a command act sent to the attempt's feed and kept
 * pending until it answers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/app.h"
#include "console/decide.h"
#include "console/link.h"
#include "console/pending.h"
#include "console/reasons.h"

/* ---- the evidence a decision was about */

/* {"flags":[...],"events":[...],"epoch":n}: what the decision was about. */
static char *
decision_evidence(const struct attempt *a, const struct flag *f)
{
	const struct flag	*g;
	json_t			*o, *flags, *events;
	char			*text;
	size_t			 i;

	o = json_object();
	flags = json_array();
	if (f != NULL) {
		json_array_append_new(flags, json_integer(f->id));
		events = json_array();
		for (i = 0; i < f->nevidence; i++)
			json_array_append_new(events,
			    json_integer(f->evidence[i]));
		json_object_set_new(o, "events", events);
		json_object_set_new(o, "epoch", json_integer(a->feed->epoch));
	} else {
		/* A command or note: the open flags the proctor saw. */
		for (g = a->flags; g != NULL; g = g->next)
			json_array_append_new(flags, json_integer(g->id));
	}
	json_object_set_new(o, "flags", flags);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL)
		abort();
	return text;
}

/* ---- recording a decision */

const struct reasons *
app_reasons(const struct app *app)
{
	return app->reasons != NULL ? app->reasons : reasons_default();
}

/*
 * The reason: a known code (if one is given) and free text when there is
 * no code or the code requires it.  The one check of the screen and the
 * headless requests.  0, or -1 with err.
 */
static int
decide_reason(const struct app *app, const struct act *act,
    const struct decision *d, char *err, size_t errlen)
{
	const struct reason	*r = NULL;
	int			 text = d->reason != NULL && d->reason[0] != '\0';

	if (d->reason_code != NULL && d->reason_code[0] != '\0' &&
	    (r = reasons_find(app_reasons(app), d->reason_code)) == NULL) {
		reasons_unknown(app_reasons(app), d->reason_code, err, errlen);
		snprintf(err + strlen(err), errlen - strlen(err),
		    "; nothing recorded");
		return -1;
	}
	if (r != NULL && !reasons_for_act(r, act->name)) {
		snprintf(err, errlen, "the reason code %s (%s) is not a reason "
		    "to %s (invigil-reasons(5), acts=); nothing recorded",
		    r->code, r->label, act->name);
		return -1;
	}
	if (!text && r == NULL) {
		snprintf(err, errlen, "a reason is required; nothing recorded");
		return -1;
	}
	if (!text && r->text_required) {
		snprintf(err, errlen, "the reason code %s (%s) requires a "
		    "reason in words; nothing recorded", r->code, r->label);
		return -1;
	}
	return 0;
}

/*
 * What a command act sends to the feed as its text, into buf: the reason
 * in words, or without one, the label of its code (decide_reason() let it
 * through); an extend's begins "N minutes: " (pending_minutes()).  A
 * text too long for buf is longer than the protocol allows, and refused.
 */
static const char *
decide_text(const struct app *app, const struct decision *d, char *buf,
    size_t bufsz)
{
	const struct reason	*r;
	const char		*why;

	if (d->reason != NULL && d->reason[0] != '\0')
		why = d->reason;
	else {
		r = reasons_find(app_reasons(app), d->reason_code);
		why = r != NULL ? r->label : "";
	}
	if (d->minutes > 0)
		snprintf(buf, bufsz, "%lld minutes: %s", (long long)d->minutes,
		    why);
	else
		snprintf(buf, bufsz, "%s", why);
	return buf;
}

/* What the act needs besides a reason: words, minutes; 0 or -1. */
static int
decide_needs(const struct act *act, const struct decision *d, char *err,
    size_t errlen)
{
	if ((act->flags & ACT_WORDS) &&
	    (d->reason == NULL || d->reason[0] == '\0')) {
		snprintf(err, errlen, "%s needs words: they are what the "
		    "candidate sees; nothing recorded", act->name);
		return -1;
	}
	if ((act->flags & ACT_MINUTES) &&
	    (d->minutes < 1 || d->minutes > PROTO_EXTEND_MAX)) {
		snprintf(err, errlen, "%s needs the minutes of extra time, a "
		    "whole number from 1 to %d (got %lld); nothing recorded",
		    act->name, PROTO_EXTEND_MAX, (long long)d->minutes);
		return -1;
	}
	if (!(act->flags & ACT_MINUTES) && d->minutes != 0) {
		snprintf(err, errlen, "only extend takes minutes, not %s; "
		    "nothing recorded", act->name);
		return -1;
	}
	return 0;
}

struct flag *
act_flag(const struct act *act, struct flag *list)
{
	struct flag	*f;

	if (act->rule == NULL)
		return flags_top(list);
	for (f = list; f != NULL; f = f->next) {
		if (f->state == STORE_FLAG_OPEN && strcmp(f->rule, act->rule) == 0)
			return f;
	}
	return NULL;
}

/* The act's checks, before anything is recorded: 0, or -1 with err. */
static int
decide_check(const struct app *app, const struct act *act,
    const struct decision *d, struct flag **fp, char *err, size_t errlen)
{
	struct attempt	*a = d->attempt;
	struct flag	*f = *fp;
	int		 closes;
	char		 names[256];

	if (act == NULL) {
		act_names(NULL, ", ", names, sizeof names);
		snprintf(err, errlen, "unknown decision \"%.32s\" (one of "
		    "%s)", d->action, names);
		return -1;
	}
	closes = act->closes != STORE_FLAG_OPEN;
	if (decide_reason(app, act, d, err, errlen) != 0 ||
	    decide_needs(act, d, err, errlen) != 0)
		return -1;
	if (closes && f == NULL && (f = act_flag(act, a->flags)) == NULL) {
		snprintf(err, errlen, "%s has no open %s%s to %s", a->id,
		    act->rule != NULL ? act->rule : "flag", act->rule != NULL ?
		    " request" : "", d->action);
		return -1;
	}
	if (f != NULL && act->rule != NULL && strcmp(f->rule, act->rule) != 0) {
		snprintf(err, errlen, "flag %" PRId64 " is not a request: %s "
		    "takes flags of rule %s", f->id, d->action, act->rule);
		return -1;
	}
	if (f != NULL && f->attempt != a) {
		snprintf(err, errlen, "flag %" PRId64 " is not a flag of %s",
		    f->id, a->id);
		return -1;
	}
	if (closes && f->state != STORE_FLAG_OPEN) {
		snprintf(err, errlen, "flag %" PRId64 " was already %s; nothing "
		    "recorded", f->id, store_flag_state_name(f->state));
		return -1;
	}
	*fp = f;
	return 0;
}

/*
 * A command act: only ever to the feed id the attempt came from, while it
 * is connected, and never acknowledged unless the exact message encodes.
 * The command's id in cmd_id; 0, or -1 with err.
 */
static int
decide_command(struct app *app, const struct act *act,
    const struct decision *d, const char *text, char *cmd_id, size_t idsz,
    char *err, size_t errlen)
{
	struct attempt		*a = d->attempt;
	struct feed_link	*cf = a->feed->link;
	struct proto_msg	 m;
	char			 err_encode[256], *line;
	size_t			 len;

	if (a->feed->replaced_by[0] != '\0') {
		snprintf(err, errlen, "feed %.64s no longer answers at %.200s "
		    "(feed %.64s does now), so nothing was sent or recorded; "
		    "notes and flag decisions on its attempts are still "
		    "recorded", a->feed->id, a->feed->replaced_url,
		    a->feed->replaced_by);
		return -1;
	}
	if (cf == NULL || cf->session != a->feed || !link_connected(cf) ||
	    !cf->welcomed) {
		snprintf(err, errlen, "feed %s is not connected; nothing was "
		    "sent or recorded", a->feed->id);
		return -1;
	}
	snprintf(cmd_id, idsz, "%.32s-%" PRId64 "-%" PRIu64, app->opt.proctor,
	    proto_now_ms(), ++app->cmd_counter);
	if (pending_message(&m, cmd_id, a, (enum proto_action)act->command,
	    text) != 0) {
		snprintf(err, errlen, "the reason is %zu bytes, and it is sent "
		    "to the feed as the command's text, which may be at most "
		    "%d bytes (invigil-proto(7)); shorten it; nothing was sent "
		    "or recorded", strlen(text), PROTO_TEXT_MAX);
		return -1;
	}
	if ((line = proto_encode(&m, &len, err_encode,
	    sizeof err_encode)) == NULL) {
		snprintf(err, errlen, "the %s command cannot be sent to the "
		    "feed: %s; nothing was sent or recorded", act->name,
		    err_encode);
		return -1;
	}
	free(line);
	return 0;
}

/* The journal entry's detail: the rule, the command, the request. */
static char *
decision_detail(const struct decision *d, const struct flag *f,
    const char *cmd_id)
{
	json_t	*detail = json_object();
	char	*text;

	if (f != NULL)
		json_object_set_new(detail, "rule", json_string(f->rule));
	if (cmd_id[0] != '\0')
		json_object_set_new(detail, "cmd", json_string(cmd_id));
	if (d->request != NULL)
		json_object_set_new(detail, "request", json_string(d->request));
	if (d->minutes > 0)
		json_object_set_new(detail, "minutes",
		    json_integer(d->minutes));
	text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(detail);
	if (text == NULL)
		abort();
	return text;
}

/* Append the journal entry (and the command, in the same transaction). */
static int
decide_journal(struct app *app, const struct act *act,
    const struct decision *d, const struct flag *f, const char *cmd_id,
    const char *text, struct decision_result *out, char *err, size_t errlen)
{
	struct attempt			*a = d->attempt;
	struct store_journal_entry	 e;
	struct store_command		 sc;
	char				*evidence, *detail;
	int				 rc;

	detail = decision_detail(d, f, cmd_id);
	evidence = decision_evidence(a, f);
	memset(&e, 0, sizeof e);
	e.actor = app->opt.proctor;
	e.role = "proctor";
	e.kind = act->name;
	e.feed = a->feed->id;
	e.attempt = a->id;
	e.flag_id = f != NULL ? f->id : 0;
	e.reason_code = d->reason_code != NULL && d->reason_code[0] != '\0' ?
	    d->reason_code : NULL;
	e.reason = d->reason != NULL && d->reason[0] != '\0' ? d->reason :
	    NULL;
	e.evidence = evidence;
	e.detail = detail;
	memset(&sc, 0, sizeof sc);
	if (cmd_id[0] != '\0') {
		sc.id = cmd_id;
		sc.feed = a->feed->id;
		sc.attempt = a->id;
		sc.action = act->name;
		sc.text = text;
		sc.actor = app->opt.proctor;
		sc.sent_ms = proto_now_ms();
	}
	rc = store_journal_append(app->store, &e, cmd_id[0] != '\0' ? &sc :
	    NULL, &out->receipt, err, errlen);
	free(evidence);
	free(detail);
	return rc;
}

int
app_decide(struct app *app, const struct decision *d,
    struct decision_result *out, char *err, size_t errlen)
{
	const struct act	*act = act_find(d->action);
	struct attempt		*a = d->attempt;
	struct flag		*f = d->flag;
	struct pending_cmd	*p;
	char			 cmd_id[PROTO_ID_MAX + 1];
	char			 text[PROTO_TEXT_MAX + 64];
	int			 closes;

	memset(out, 0, sizeof *out);
	if (decide_check(app, act, d, &f, err, errlen) != 0)
		return -1;
	closes = act->closes != STORE_FLAG_OPEN;
	cmd_id[0] = '\0';
	decide_text(app, d, text, sizeof text);
	if (act->command >= 0 && decide_command(app, act, d, text, cmd_id,
	    sizeof cmd_id, err, errlen) != 0)
		return -1;
	if (closes) {
		/* The flag's new state commits with the journal entry. */
		f->state = act->closes;
		f->closed_ms = proto_now_ms();
		app_flag_store(app, f);
	}
	if (decide_journal(app, act, d, f, cmd_id, text, out, err,
	    errlen) != 0) {
		if (closes) {
			/* Not recorded: the flag stays open (the queued row
			 * that said otherwise is replaced at the next flush). */
			f->state = STORE_FLAG_OPEN;
			f->closed_ms = 0;
			app_flag_store(app, f);
		}
		return -1;
	}
	if (closes)
		app_flag_close(app, f, f->state);
	if (cmd_id[0] != '\0') {
		p = pending_add(app, cmd_id, a, (enum proto_action)act->command,
		    text, d->request_json);
		pending_send(a->feed->link, p);
		snprintf(out->cmd, sizeof out->cmd, "%s", cmd_id);
	}
	out->flag = f != NULL ? f->id : 0;
	app_status(app, 0, "recorded as journal #%" PRId64 ": %s %s",
	    out->receipt.seq, act->name, a->id);
	app_journaled(app);
	return 0;
}

int
app_decide_bulk(struct app *app, const struct decision *d, char *err,
    size_t errlen)
{
	const struct act	*act = act_find(d->action);
	struct bulk		*b = &app->bulk;
	struct decision		 one;
	struct decision_result	 dr;
	char			 why[512], line[512];
	size_t			 i;

	if (act == NULL || !(act->flags & ACT_BULK)) {
		snprintf(err, errlen, "%s is not taken on marked attempts "
		    "(only warn, message, pause and resume are)",
		    act != NULL ? act->name : "that");
		return -1;
	}
	if (b->nmarks == 0) {
		snprintf(err, errlen, "no attempt is marked");
		return -1;
	}
	bulk_begin(b, act->name);
	for (i = 0; i < b->nmarks; i++) {
		one = *d;
		one.flag = NULL;
		one.attempt = app_attempt_by_id(app, b->mark[i].feed,
		    b->mark[i].attempt, why, sizeof why);
		if (one.attempt == NULL ||
		    app_decide(app, &one, &dr, why, sizeof why) != 0) {
			bulk_failed(b, b->mark[i].attempt, why);
			continue;
		}
		bulk_sent(b, dr.cmd);
	}
	bulk_summary(b, line, sizeof line);
	app_status(app, b->nfail > 0, "%s%s%s%s%s", line, b->nfail > 0 ?
	    " | " : "", b->nfail > 0 ? b->fail[0].attempt : "", b->nfail > 0 ?
	    ": " : "", b->nfail > 0 ? b->fail[0].why : "");
	return (int)b->sent;
}
