/*
 * report.c - the HTML case report (see report.h): the page, one section
 * per attempt with its facts, its flags and every decision, its timeline
 * (an SVG strip with the outages shaded, and a table), its forensic
 * indices with what each means, and three plots: response time per item
 * against the item's typical time, the candidate's score and speed among
 * the exam's candidates (the others anonymous dots), and for each
 * significant similarity pair the two answer strings side by side.
 *
 * Plots are drawn in a fixed coordinate system (viewBox) and scale with
 * the page.  Every data mark carries class "mark" (tests/peer/
 * render-report.js measures them) and a <title> a browser shows on hover.
 * State is never shown by colour alone: shapes and words say it too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "console/report.h"
#include "forensics/forensics.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"

/* ---- text */

void
report_text(FILE *out, const char *s)
{
	static const char	 specials[] = "&<>\"'";
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&#39;" };
	const char		*special;
	size_t			 len, i;
	char			*clean;

	if (s == NULL)
		return;
	len = strlen(s);
	/* An escape is at most 4 times as long as what it replaces. */
	clean = xmalloc(4 * len + 1);
	proto_sanitize(s, len, clean, 4 * len + 1);
	for (i = 0; clean[i] != '\0'; i++) {
		if ((special = strchr(specials, clean[i])) != NULL)
			fputs(entities[special - specials], out);
		else
			fputc(clean[i], out);
	}
	free(clean);
}

/* A name or an id: isolated from the text around it, "-" when unknown. */
static void
report_name(FILE *out, const char *s)
{
	fputs("<bdi>", out);
	if (s == NULL || *s == '\0')
		fputs("-", out);
	else
		report_text(out, s);
	fputs("</bdi>", out);
}

/* One table cell: s as a name (report_name) or as text. */
static void
report_td(FILE *out, const char *s, int name)
{
	fputs("<td>", out);
	if (name)
		report_name(out, s);
	else
		report_text(out, s);
	fputs("</td>", out);
}

static void
report_time(FILE *out, int64_t ms)
{
	char	t[32];

	if (ms <= 0) {
		fputs("-", out);
		return;
	}
	proto_time_format(ms, t);
	fputs(t, out);
}

/* A p-value, or why there is none. */
static void
report_p(FILE *out, double p)
{
	if (isnan(p))
		fputs("<span class=na>not computable</span>", out);
	else if (p < 0.001)
		fprintf(out, "%.1e", p);
	else
		fprintf(out, "%.3f", p);
}

/* ---- the timeline's items, copied */

static char *
report_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int
report_items_add(const struct store_tl_item *it, void *arg)
{
	struct report_items	*l = arg;
	struct report_item	*c;

	if (l->n == REPORT_ITEMS_MAX) {
		l->n_cut++;
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	c = &l->v[l->n++];
	c->time_ms = it->time_ms;
	c->order_ms = it->order_ms;
	c->clock = it->clock;
	c->kind = it->kind;
	c->what = report_dup(it->what);
	c->actor = report_dup(it->actor);
	c->code = report_dup(it->code);
	c->reason = report_dup(it->reason);
	c->summary = report_dup(it->summary);
	c->origin = report_dup(it->origin);
	c->seq = it->seq;
	c->flag_id = it->flag_id;
	c->journal_seq = it->journal_seq;
	return 0;
}

void
report_items_free(struct report_items *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].what);
		free(l->v[i].actor);
		free(l->v[i].code);
		free(l->v[i].reason);
		free(l->v[i].summary);
		free(l->v[i].origin);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- the page */

static const char report_style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;"
	"max-width:1000px;padding:0 1em;color:#111}"
	"h1{font-size:1.6em}h2{border-top:3px solid #333;padding-top:.5em;"
	"margin-top:2.5em}h3{margin-top:1.6em}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;"
	"vertical-align:top}th{background:#eee}td.t{white-space:nowrap}"
	"table.facts th{width:10em}"
	".na{color:#666;font-style:italic}"
	".scroll{overflow-x:auto}"
	"table.pair td{font-family:monospace;text-align:center;padding:1px 3px}"
	"table.pair td.ii{background:#fd8;font-weight:bold;"
	"text-decoration:underline}"
	"svg.plot{width:100%;height:auto;border:1px solid #ccc;"
	"background:#fff}"
	"svg text{font:11px sans-serif}"
	"p.note{color:#444;font-size:.92em}"
	"@media print{h2{page-break-before:always}}";

void
report_begin(FILE *out, const char *db, const struct report_case *c, int n)
{
	char	now[32];
	int	i;

	proto_time_format(proto_now_ms(), now);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>invigil case report</title>\n<style>%s</style>\n"
	    "</head>\n<body>\n<h1>Case report</h1>\n<p>From the database "
	    "<bdi>", report_style);
	report_text(out, db);
	fprintf(out, "</bdi>, written %s by invigil review report; "
	    "%d attempt%s.  Times are UTC.  Every index below is evidence "
	    "for a human review, never proof.</p>\n<ol>\n", now, n,
	    n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		fprintf(out, "<li><a href=\"#attempt-%d\">Attempt ", i + 1);
		report_name(out, c[i].facts->attempt);
		fputs(" of feed ", out);
		report_name(out, c[i].facts->feed);
		fputs("</a></li>\n", out);
	}
	fputs("</ol>\n", out);
}

void
report_end(FILE *out)
{
	fputs("</body>\n</html>\n", out);
}

/* ---- facts, flags, decisions */

static void
report_fact(FILE *out, const char *label, const char *value)
{
	fprintf(out, "<tr><th>%s</th><td>", label);
	report_name(out, value);
	fputs("</td></tr>\n", out);
}

static void
report_facts(FILE *out, const struct report_case *c)
{
	const struct store_tl_facts	*f = c->facts;

	fputs("<h3>Facts</h3>\n<table class=facts>\n", out);
	report_fact(out, "Attempt", f->attempt);
	report_fact(out, "Feed", f->feed);
	report_fact(out, "Candidate", f->candidate);
	report_fact(out, "Name", f->name);
	report_fact(out, "Exam", f->exam);
	report_fact(out, "Form", f->form);
	report_fact(out, "Centre", f->center);
	report_fact(out, "Modality", f->modality);
	report_fact(out, "State", f->state);
	report_fact(out, "IP address", f->ip);
	report_fact(out, "Device", f->device);
	fprintf(out, "<tr><th>Messages</th><td>%lld, feed time ",
	    (long long)f->n_messages);
	report_time(out, f->first_ms);
	fputs(" to ", out);
	report_time(out, f->last_ms);
	fputs("</td></tr>\n</table>\n", out);
}

/* An act's who, what and why, in table cells. */
static void
report_act_cells(FILE *out, const struct report_item *d)
{
	fputs("<td class=t>", out);
	report_time(out, d->time_ms);
	fputs("</td>", out);
	report_td(out, d->actor, 1);
	report_td(out, d->what, 1);
	report_td(out, d->code, 1);
	report_td(out, d->reason, 0);
	fputs("<td>", out);
	if (d->origin != NULL)
		report_name(out, d->origin);
	else
		fputs("this database", out);
	fprintf(out, " #%lld</td>", (long long)d->journal_seq);
}

static void
report_flags(FILE *out, const struct report_case *c)
{
	const struct report_items	*l = c->items;
	size_t				 i, k;
	int				 n = 0, decided;

	fputs("<h3>Flags and the decisions on them</h3>\n", out);
	for (i = 0; i < l->n; i++) {
		const struct report_item *f = &l->v[i];
		const char		 *state = "open";

		if (f->kind != STORE_TL_FLAG_RAISED)
			continue;
		if (n++ == 0)
			fputs("<table>\n<tr><th>Flag</th><th>Raised (feed "
			    "time)</th><th>Rule</th><th>Severity</th><th>"
			    "State</th><th>Message</th></tr>\n", out);
		for (k = 0; k < l->n; k++)
			if (l->v[k].kind == STORE_TL_FLAG_CLOSED &&
			    l->v[k].flag_id == f->flag_id &&
			    l->v[k].code != NULL)
				state = l->v[k].code;
		fprintf(out, "<tr><td>%lld</td><td class=t>",
		    (long long)f->flag_id);
		report_time(out, f->time_ms);
		fputs("</td>", out);
		report_td(out, f->what, 1);
		report_td(out, f->code, 1);
		report_td(out, state, 1);
		report_td(out, f->summary, 0);
		fputs("</tr>\n", out);
		decided = 0;
		for (k = 0; k < l->n; k++) {
			if (l->v[k].kind != STORE_TL_DECISION ||
			    l->v[k].flag_id != f->flag_id)
				continue;
			if (decided++ == 0)
				fputs("<tr><td></td><td colspan=5><table>"
				    "<tr><th>Decided (local time)</th><th>"
				    "Actor</th><th>Act</th><th>Reason code"
				    "</th><th>Reason</th><th>Journal</th>"
				    "</tr>\n", out);
			fputs("<tr>", out);
			report_act_cells(out, &l->v[k]);
			fputs("</tr>\n", out);
		}
		if (decided > 0)
			fputs("</table></td></tr>\n", out);
		else
			fputs("<tr><td></td><td colspan=5 class=na>no "
			    "decision on this flag</td></tr>\n", out);
	}
	if (n == 0)
		fputs("<p class=na>No flag was raised on this attempt.</p>\n",
		    out);
	else
		fputs("</table>\n", out);

	fputs("<h3>Every decision and act on the attempt</h3>\n", out);
	n = 0;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].kind != STORE_TL_DECISION)
			continue;
		if (n++ == 0)
			fputs("<table>\n<tr><th>Time (local)</th><th>Actor"
			    "</th><th>Act</th><th>Reason code</th><th>Reason"
			    "</th><th>Journal</th><th>Flag</th></tr>\n", out);
		fputs("<tr>", out);
		report_act_cells(out, &l->v[i]);
		if (l->v[i].flag_id > 0)
			fprintf(out, "<td>%lld</td></tr>\n",
			    (long long)l->v[i].flag_id);
		else
			fputs("<td>-</td></tr>\n", out);
	}
	if (n == 0)
		fputs("<p class=na>Nobody decided or noted anything about this "
		    "attempt.</p>\n", out);
	else
		fputs("</table>\n", out);
}

/* ---- the timeline */

#define TL_W		900.0
#define TL_LEFT		110.0
#define TL_RIGHT	20.0

/* The lane an item is drawn in: 0 messages, 1 flags, 2 acts. */
static int
tl_lane(enum store_tl_kind k)
{
	switch (k) {
	case STORE_TL_FLAG_RAISED:
	case STORE_TL_FLAG_CLOSED:
		return 1;
	case STORE_TL_DECISION:
	case STORE_TL_COMMAND_SENT:
	case STORE_TL_COMMAND_ACK:
		return 2;
	default:
		return 0;
	}
}

static double
tl_x(int64_t t, int64_t t0, int64_t t1)
{
	return TL_LEFT + (double)(t - t0) * (TL_W - TL_LEFT - TL_RIGHT) /
	    (double)(t1 - t0);
}

static void
report_tl_svg(FILE *out, const struct report_items *l, int sec)
{
	static const char *const lanes[] = { "messages", "flags", "acts" };
	static const char *const fill[] = { "#357", "#c60", "#183" };
	int64_t	 t0 = 0, t1 = 0, open = 0;
	size_t	 i;
	int	 k, n_out = 0;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].order_ms <= 0)
			continue;
		if (t0 == 0 || l->v[i].order_ms < t0)
			t0 = l->v[i].order_ms;
		if (l->v[i].order_ms > t1)
			t1 = l->v[i].order_ms;
	}
	if (t0 == 0) {
		fputs("<p class=na>Nothing with a time to draw.</p>\n", out);
		return;
	}
	if (t1 <= t0)
		t1 = t0 + 1000;
	fprintf(out, "<svg class=plot id=\"timeline-%d\" viewBox=\"0 0 %.0f "
	    "150\" role=img aria-label=\"timeline\" xmlns=\"http://www.w3.org/"
	    "2000/svg\">\n", sec, TL_W);
	/* Outages first, under everything: network_lost to network_restored
	 * (to the end when never restored). */
	for (i = 0; i <= l->n; i++) {
		int64_t	end;

		if (i < l->n && l->v[i].kind == STORE_TL_OUTAGE_START &&
		    open == 0 && l->v[i].order_ms > 0) {
			open = l->v[i].order_ms;
			continue;
		}
		if (open == 0 || (i < l->n && l->v[i].kind !=
		    STORE_TL_OUTAGE_END))
			continue;
		end = i < l->n ? l->v[i].order_ms : t1;
		if (end < open)
			end = open;
		n_out++;
		fprintf(out, "<rect class=\"mark outage\" x=\"%.1f\" y=\"10\" "
		    "width=\"%.1f\" height=\"105\" fill=\"#bbb\" "
		    "fill-opacity=\"0.5\"><title>network outage%s, %.1f s"
		    "</title></rect>\n", tl_x(open, t0, t1),
		    fmax(2.0, tl_x(end, t0, t1) - tl_x(open, t0, t1)),
		    i < l->n ? "" : " (never restored)",
		    (double)(end - open) / 1000);
		open = 0;
	}
	for (k = 0; k < 3; k++)
		fprintf(out, "<text x=\"4\" y=\"%d\">%s</text><line x1=\"%.0f\" "
		    "x2=\"%.0f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
		    30 + 35 * k, lanes[k], TL_LEFT, TL_W - TL_RIGHT,
		    26 + 35 * k, 26 + 35 * k);
	for (i = 0; i < l->n; i++) {
		const struct report_item *it = &l->v[i];
		int	lane = tl_lane(it->kind);

		if (it->order_ms <= 0)
			continue;
		if (it->kind == STORE_TL_GAP) {
			fprintf(out, "<rect class=\"mark gap\" x=\"%.1f\" y=\"10\""
			    " width=\"3\" height=\"105\" fill=\"#d22\"><title>"
			    "gap: ", tl_x(it->order_ms, t0, t1) - 1.5);
			report_text(out, it->summary);
			fputs("</title></rect>\n", out);
			continue;
		}
		fprintf(out, "<rect class=\"mark %s\" x=\"%.1f\" y=\"%d\" "
		    "width=\"2\" height=\"%d\" fill=\"%s\"><title>",
		    store_tl_kind_name(it->kind),
		    tl_x(it->order_ms, t0, t1) - 1, 14 + 35 * lane,
		    it->kind == STORE_TL_FLAG_RAISED ||
		    it->kind == STORE_TL_DECISION ? 24 : 16, fill[lane]);
		report_time(out, it->time_ms);
		fprintf(out, " %s ", store_tl_kind_name(it->kind));
		report_text(out, it->summary);
		fputs("</title></rect>\n", out);
	}
	fprintf(out, "<text x=\"%.0f\" y=\"135\">", TL_LEFT);
	report_time(out, t0);
	fprintf(out, "</text><text x=\"%.0f\" y=\"135\" text-anchor=\"end\">",
	    TL_W - TL_RIGHT);
	report_time(out, t1);
	fprintf(out, "</text><text x=\"%.0f\" y=\"148\" text-anchor=\"middle\">"
	    "%.1f minutes; grey: network outage (%d), red: gap</text>\n"
	    "</svg>\n", TL_W / 2, (double)(t1 - t0) / 60000, n_out);
}

static void
report_timeline(FILE *out, const struct report_case *c, int sec)
{
	const struct report_items	*l = c->items;
	size_t				 i;

	fputs("<h3>Timeline</h3>\n<p class=note>Messages and raised flags "
	    "are at the feed's time (F), what the console did or saw at its "
	    "own (L).  The strip draws everything on the feed's clock: an "
	    "act after the last message the console had received when it "
	    "acted, as far after it as the console's clock says.  Shaded: "
	    "from network_lost to network_restored.</p>\n", out);
	report_tl_svg(out, l, sec);
	if (l->n == 0)
		return;
	fputs("<div class=scroll><table class=timeline>\n<tr><th>Time</th>"
	    "<th></th><th>Kind</th><th>What</th><th>Actor</th><th>Summary"
	    "</th><th>Source</th></tr>\n", out);
	for (i = 0; i < l->n; i++) {
		const struct report_item *it = &l->v[i];

		fputs("<tr><td class=t>", out);
		report_time(out, it->time_ms);
		fprintf(out, "</td><td>%s</td><td>%s</td>",
		    it->clock == STORE_TL_LOCAL ? "L" : "F",
		    store_tl_kind_name(it->kind));
		report_td(out, it->what, 1);
		report_td(out, it->actor, 1);
		report_td(out, it->summary, 0);
		fputs("<td>", out);
		if (it->origin != NULL)
			report_name(out, it->origin);
		fputs("</td></tr>\n", out);
	}
	fputs("</table></div>\n", out);
	if (l->n_cut > 0)
		fprintf(out, "<p class=note>The first %zu items are shown; "
		    "%lld more are in the database (invigil review timeline "
		    "lists them all).</p>\n", l->n, (long long)l->n_cut);
}

/* ---- forensic indices */

/* A row of the indices: value_html is ours (no database string); the
 * partner's id (may be NULL) follows it, escaped. */
static void
report_index_row(FILE *out, const char *name, const char *value_html,
    const char *partner, double p, const char *means)
{
	fprintf(out, "<tr><td>%s</td><td>%s", name, value_html);
	if (partner != NULL)
		report_name(out, partner);
	fputs("</td><td>", out);
	if (strcmp(name, "Score") == 0)
		fputs("-", out);
	else
		report_p(out, p);
	fprintf(out, "</td><td>%s</td></tr>\n", means);
}

static void
report_indices(FILE *out, const struct report_case *c)
{
	const struct forensics_run_attempt	*a;
	char					 v[128];

	fputs("<h3>Forensic indices</h3>\n", out);
	if (c->fx == NULL || c->j < 0) {
		fprintf(out, "<p class=na>%s</p>\n", c->no_fx);
		return;
	}
	a = &c->fx->rep.attempts[c->j];
	if (a->reason != NULL) {
		fputs("<p class=na>Not analysed: ", out);
		report_text(out, a->reason);
		fputs(".</p>\n", out);
		return;
	}
	fprintf(out, "<p class=note>Computed over the %d attempts of the "
	    "exam with answers (%d analysed).  A p-value is the chance of a "
	    "value at least this extreme for an honest candidate under the "
	    "model; small is unusual.</p>\n<table>\n<tr><th>Index</th><th>"
	    "Value</th><th>p</th><th>What it means</th></tr>\n",
	    c->fx->rep.n_attempts, c->fx->rep.n_attempts_analysed);
	snprintf(v, sizeof v, "%d of %d right; ability %.2f (se %.2f)",
	    a->score, a->n_items, a->theta, a->theta_se);
	report_index_row(out, "Score", v, NULL, NAN, "How many answered items "
	    "were right, and the ability (theta) the 2PL model estimates "
	    "from them.");
	snprintf(v, sizeof v, "lz* %.2f", a->lz);
	report_index_row(out, "Person fit", v, NULL, a->lz_p, "Whether right "
	    "and wrong answers fall where the ability predicts: a small p "
	    "means right answers on hard items and wrong ones on easy "
	    "items (Snijders' lz*).");
	snprintf(v, sizeof v, "%.0f%% aberrantly fast; effort %.2f",
	    100 * a->fast_share, a->rte);
	report_index_row(out, "Response-time fit", v, NULL, a->rt_fit_p,
	    "Whether the times follow the candidate's own pace given each "
	    "item's typical time: a small p means some items took far less "
	    "(or more) time than the others predict (van der Linden's "
	    "lognormal model).");
	snprintf(v, sizeof v, "%s", c->compromised ? "against the given "
	    "list" : "against an estimated list");
	report_index_row(out, "Preknowledge", v, NULL, a->preknowledge_p,
	    "Whether the candidate did better and faster on the "
	    "compromised items than on the rest (Sinharay's L_S with the "
	    "speed difference).");
	snprintf(v, sizeof v, "%s", a->partner >= 0 ? "most similar: "
	    "attempt " : "no partner came near");
	report_index_row(out, "Answer similarity", v, a->partner >= 0 &&
	    a->partner < c->fx->ans.n_attempts ?
	    c->fx->ans.attempt[a->partner] : NULL, a->similarity_p,
	    "Whether another candidate on the same form shares more "
	    "identical answers, above all identical wrong ones, than their "
	    "abilities explain (Bonferroni over the candidate's pairs).");
	snprintf(v, sizeof v, "%d changed, %d wrong-to-right", a->n_changed,
	    a->wtr);
	report_index_row(out, "Answer changes", v, NULL, a->edi_p, "Whether the "
	    "changed answers ended right more often than the ability shown "
	    "on the other items predicts (the erasure detection index).");
	snprintf(v, sizeof v, "q %.3f; %s", isnan(a->q) ? 1.0 : a->q,
	    a->flagged ? "<b>flagged</b> (q at or below the level)" :
	    "not flagged");
	report_index_row(out, "Combined", v, NULL, a->combined_p, "The indices "
	    "above combined into one p (Cauchy combination), and its "
	    "Benjamini-Hochberg q over the exam's attempts: flagged means "
	    "worth a human review.");
	fputs("</table>\n", out);
}

/* ---- plots from the answers */

#define PL_W	900.0
#define PL_H	300.0
#define PL_L	60.0
#define PL_R	20.0
#define PL_T	20.0
#define PL_B	50.0

/* Dots of the other attempts in the score/speed plot, at most. */
#define REPORT_DOTS_MAX	20000

/* Axes, ticks at nice values of [lo, hi] (log10 if logy), labels. */
static void
report_axes(FILE *out, const char *xlabel, const char *ylabel, double ylo,
    double yhi, int logy)
{
	double	v, y;
	int	k;

	fprintf(out, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
	    "stroke=\"#333\"/><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\" stroke=\"#333\"/>\n", PL_L, PL_T, PL_L, PL_H - PL_B,
	    PL_L, PL_H - PL_B, PL_W - PL_R, PL_H - PL_B);
	for (k = 0; k <= 4; k++) {
		v = ylo + (yhi - ylo) * k / 4;
		y = PL_H - PL_B - (PL_H - PL_B - PL_T) * k / 4;
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">"
		    "%.3g</text>\n", PL_L - 4, y + 4, logy ? pow(10, v) : v);
	}
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%s"
	    "</text><text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)"
	    "\" text-anchor=\"middle\">%s</text>\n", (PL_L + PL_W - PL_R) / 2,
	    PL_H - 12, xlabel, (PL_H - PL_B + PL_T) / 2,
	    (PL_H - PL_B + PL_T) / 2, ylabel);
}

static double
pl_y(double v, double lo, double hi)
{
	return PL_H - PL_B - (v - lo) * (PL_H - PL_B - PL_T) / (hi - lo);
}

/* exp(beta) of each item on the attempt's form (NAN: not calibrated). */
static double *
report_typical(const struct review_fx *fx, int form)
{
	const struct forensics_report	*r = &fx->rep;
	double				*typ;
	int				 i;

	typ = xcalloc(fx->ans.n_items + 1, sizeof *typ);
	for (i = 0; i < fx->ans.n_items; i++)
		typ[i] = NAN;
	for (i = 0; i < r->n_item_rows; i++)
		if (r->items[i].form == form && r->items[i].item >= 0 &&
		    r->items[i].item < fx->ans.n_items &&
		    isfinite(r->items[i].beta))
			typ[r->items[i].item] = exp(r->items[i].beta);
	return typ;
}

static void
report_rt_plot(FILE *out, const struct report_case *c, int sec)
{
	const struct store_answers	*s = &c->fx->ans;
	const double			*t = s->time + (size_t)c->j * s->n_items;
	double				*typ, lo = INFINITY, hi = -INFINITY;
	double				 x, step;
	int				 i, n = 0, k;

	typ = report_typical(c->fx, c->fx->rep.attempts[c->j].form);
	for (i = 0; i < s->n_items; i++) {
		if (!(t[i] > 0) || !isfinite(t[i]))
			continue;
		n++;
		lo = fmin(lo, log10(t[i]));
		hi = fmax(hi, log10(t[i]));
		if (isfinite(typ[i]) && typ[i] > 0) {
			lo = fmin(lo, log10(typ[i]));
			hi = fmax(hi, log10(typ[i]));
		}
	}
	fputs("<h3>Response time per item</h3>\n", out);
	if (n == 0) {
		fputs("<p class=na>No response time was stored for this "
		    "attempt.</p>\n", out);
		free(typ);
		return;
	}
	lo = floor(lo * 2) / 2;
	hi = ceil(hi * 2) / 2;
	if (hi <= lo)
		hi = lo + 0.5;
	fputs("<p class=note>Each item the candidate answered, in the exam's "
	    "item order: the candidate's time (dot) against the item's "
	    "typical time exp(beta) in the lognormal model (dash)", out);
	if (c->compromised)
		fputs("; items on the compromised list have a triangle above "
		    "them and the word \"compromised\" in their title", out);
	fputs(".  Log scale.</p>\n", out);
	fprintf(out, "<svg class=plot id=\"rt-%d\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=img aria-label=\"response time per item\" xmlns=\""
	    "http://www.w3.org/2000/svg\">\n", sec, PL_W, PL_H);
	report_axes(out, "items, in order", "seconds", lo, hi, 1);
	step = (PL_W - PL_L - PL_R) / (n + 1);
	for (i = 0, k = 0; i < s->n_items; i++) {
		int	comp = c->fx->compromised != NULL &&
		    c->fx->compromised[i];

		if (!(t[i] > 0) || !isfinite(t[i]))
			continue;
		x = PL_L + step * ++k;
		if (isfinite(typ[i]) && typ[i] > 0) {
			fprintf(out, "<rect class=\"mark typical\" x=\"%.1f\" "
			    "y=\"%.1f\" width=\"%.1f\" height=\"2\" fill=\"#888"
			    "\"><title>item ", x - fmax(2, step * 0.35),
			    pl_y(log10(typ[i]), lo, hi) - 1,
			    2 * fmax(2, step * 0.35));
			report_text(out, s->item[i]);
			fprintf(out, ": typical %.1f s</title></rect>\n",
			    typ[i]);
		}
		fprintf(out, "<circle class=\"mark answer%s\" cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>item ",
		    comp ? " compromised" : "", x, pl_y(log10(t[i]), lo, hi),
		    comp ? "#c00" : "#247");
		report_text(out, s->item[i]);
		fprintf(out, ": %.1f s%s%s</title></circle>\n", t[i],
		    s->correct[(size_t)c->j * s->n_items + i] == 1 ?
		    ", right" : ", wrong", comp ? ", compromised" : "");
		if (comp)
			fprintf(out, "<path class=mark d=\"M%.1f %.1fl5 -8h-10z"
			    "\" fill=\"#c00\"><title>compromised item</title>"
			    "</path>\n", x, PL_T + 10);
	}
	fputs("</svg>\n", out);
	free(typ);
}

static void
report_position_plot(FILE *out, const struct report_case *c, int sec)
{
	const struct forensics_report	*r = &c->fx->rep;
	const struct forensics_run_attempt *me = &r->attempts[c->j];
	double				 lo = INFINITY, hi = -INFINITY, x;
	int				 k, n = 0, seen, stride;

	for (k = 0; k < r->n_attempts; k++)
		if (isfinite(r->attempts[k].tau) && r->attempts[k].n_items > 0) {
			lo = fmin(lo, r->attempts[k].tau);
			hi = fmax(hi, r->attempts[k].tau);
			n++;
		}
	fputs("<h3>Score and speed among the exam's candidates</h3>\n", out);
	if (n == 0 || !isfinite(me->tau) || me->n_items == 0) {
		fputs("<p class=na>No speed could be estimated for this "
		    "attempt.</p>\n", out);
		return;
	}
	if (hi <= lo)
		hi = lo + 1;
	/* An exam of any size draws at most REPORT_DOTS_MAX dots. */
	stride = n / REPORT_DOTS_MAX + 1;
	fprintf(out, "<p class=note>Every attempt of the exam with answers: "
	    "share of answered items right against speed (tau: higher is "
	    "faster).  The others are anonymous grey dots (%d", n - 1);
	if (stride > 1)
		fprintf(out, ", one in %d drawn", stride);
	fputs("); this candidate is the large ringed dot.</p>\n", out);
	fprintf(out, "<svg class=plot id=\"position-%d\" viewBox=\"0 0 %.0f "
	    "%.0f\" role=img aria-label=\"score and speed\" xmlns=\""
	    "http://www.w3.org/2000/svg\">\n", sec, PL_W, PL_H);
	report_axes(out, "speed tau (higher is faster)", "share right", 0, 1,
	    0);
	for (k = 0, seen = 0; k < r->n_attempts; k++) {
		const struct forensics_run_attempt *a = &r->attempts[k];

		if (k == c->j || !isfinite(a->tau) || a->n_items == 0 ||
		    seen++ % stride != 0)
			continue;
		x = PL_L + 10 + (a->tau - lo) * (PL_W - PL_L - PL_R - 20) /
		    (hi - lo);
		fprintf(out, "<circle class=\"mark other\" cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"2.5\" fill=\"#999\"/>\n", x,
		    pl_y((double)a->score / a->n_items, 0, 1));
	}
	x = PL_L + 10 + (me->tau - lo) * (PL_W - PL_L - PL_R - 20) / (hi - lo);
	fprintf(out, "<circle class=\"mark candidate\" cx=\"%.1f\" cy=\"%.1f\" "
	    "r=\"7\" fill=\"#d40\" stroke=\"#000\" stroke-width=\"2\"><title>"
	    "this candidate: %d of %d right, tau %.2f</title></circle>\n"
	    "</svg>\n", x, pl_y((double)me->score / me->n_items, 0, 1),
	    me->score, me->n_items, me->tau);
}

/*
 * One response in a pair's table: its text as sent, escaped, cut to 12
 * bytes on a character boundary and marked '~' (the whole text in
 * the title); the option's letter when the text is unknown or empty.
 */
static void
report_response(FILE *out, const char *text, int option)
{
	char	cut[64];
	size_t	n;

	if (text == NULL || text[0] == '\0') {
		fputc('A' + option, out);
		return;
	}
	if (strlen(text) <= 12) {
		report_text(out, text);
		return;
	}
	n = proto_utf8_boundary(text, 12);
	memcpy(cut, text, n);
	cut[n] = '~';
	cut[n + 1] = '\0';
	fputs("<span title=\"", out);
	report_text(out, text);
	fputs("\">", out);
	report_text(out, cut);
	fputs("</span>", out);
}

static void
report_pair(FILE *out, const struct report_case *c,
    const struct forensics_pair *p)
{
	const struct store_answers	*s = &c->fx->ans;
	int				 other = p->j == c->j ? p->k : p->j;
	int				 row, who, i;

	fputs("<h4>With attempt ", out);
	report_name(out, s->attempt[other]);
	fprintf(out, "</h4>\n<p>%d items answered by both; %d identical wrong "
	    "answers (%.1f expected), %d identical right ones (%.1f "
	    "expected); p ", p->n_common, p->identical_incorrect,
	    p->expected_incorrect, p->identical_correct,
	    p->expected_correct);
	report_p(out, p->p);
	fputs(", ", out);
	report_p(out, p->p_adjusted);
	fputs(" after Bonferroni over every pair compared.  Each cell is "
	    "the response as sent (cut to 12 bytes); an identical wrong "
	    "answer is bold, underlined and shaded, - is not answered.</p>\n"
	    "<div class=scroll><table class=pair>\n", out);
	for (row = 0; row < 2; row++) {
		who = row == 0 ? c->j : other;
		fputs("<tr><th>", out);
		report_name(out, s->attempt[who]);
		fputs("</th>", out);
		for (i = 0; i < s->n_items; i++) {
			int8_t	oa = s->option[(size_t)c->j * s->n_items + i];
			int8_t	ob = s->option[(size_t)other * s->n_items + i];
			int8_t	o = s->option[(size_t)who * s->n_items + i];
			int	ii = oa >= 0 && oa == ob &&
			    s->correct[(size_t)c->j * s->n_items + i] == 0;

			if (oa < 0 && ob < 0)
				continue;
			fprintf(out, "<td%s>", ii ? " class=ii" : "");
			if (o < 0)
				fputs("-", out);
			else
				report_response(out, s->option_text[(size_t)i *
				    STORE_ANSWERS_OPTIONS + o], o);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table></div>\n", out);
}

static void
report_pairs(FILE *out, const struct report_case *c)
{
	const struct forensics_report	*r = &c->fx->rep;
	size_t				 i;
	int				 n = 0;

	fputs("<h3>Similar answer strings</h3>\n", out);
	for (i = 0; i < r->n_pairs; i++)
		if (r->pairs[i].j == c->j || r->pairs[i].k == c->j) {
			n++;
			report_pair(out, c, &r->pairs[i]);
		}
	if (n == 0)
		fputs("<p class=na>This attempt is in no significant "
		    "similarity pair.</p>\n", out);
}

void
report_case(FILE *out, const struct report_case *c, int i)
{
	fprintf(out, "<section id=\"attempt-%d\">\n<h2>Attempt ", i + 1);
	report_name(out, c->facts->attempt);
	fputs(": ", out);
	report_name(out, c->facts->name);
	fputs("</h2>\n", out);
	report_facts(out, c);
	report_flags(out, c);
	report_timeline(out, c, i + 1);
	report_indices(out, c);
	if (c->fx != NULL && c->j >= 0 &&
	    c->fx->rep.attempts[c->j].reason == NULL) {
		report_rt_plot(out, c, i + 1);
		report_position_plot(out, c, i + 1);
		report_pairs(out, c);
	}
	fputs("</section>\n", out);
}
