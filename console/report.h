/*
 * report.h - the HTML case report of `invigil review report` (report.c):
 * one self-contained page, no script and no network (a Content Security
 * Policy of default-src 'none' says so to the browser), inline SVG plots,
 * one section per attempt.  cmd-report.c gathers what a section shows
 * (the attempt's facts and timeline from the store, the exam's forensic
 * analysis) into a struct report_case; this file only writes.
 *
 * Every string from the database goes through report_text(): the display
 * sanitiser's escapes first (controls, bidi controls and invisible
 * characters become visible text such as \u{202e}, so nothing can reorder
 * or hide part of the page), then HTML's five (& < > " '), also inside SVG
 * text and titles; names and ids are wrapped in <bdi>.
 */
#ifndef INVIGIL_REPORT_H
#define INVIGIL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "console/forensics-out.h"
#include "store/timeline.h"

/* Items of a timeline a section holds; the rest are counted, not shown. */
#define REPORT_ITEMS_MAX	5000

/* One timeline item, copied (strings owned, NULL when the item had none). */
struct report_item {
	int64_t		 time_ms, order_ms;	/* see store_tl_item */
	enum store_tl_clock clock;
	enum store_tl_kind kind;
	char		*what, *actor, *code, *reason, *summary, *origin;
	int64_t		 seq, flag_id, journal_seq;
};

struct report_items {
	struct report_item *v;
	size_t		 n, cap;
	int64_t		 n_cut;		/* items beyond REPORT_ITEMS_MAX */
};

/* A store_tl_fn: copy it into the struct report_items arg (never stops,
 * so that n_cut counts the rest). */
int	report_items_add(const struct store_tl_item *, void *arg);
void	report_items_free(struct report_items *);

/* What one section shows. */
struct report_case {
	const struct store_tl_facts *facts;
	const struct report_items *items;
	const struct review_fx *fx;	/* the exam's analysis; NULL: none */
	int		 j;		/* the attempt's index in fx, -1 none */
	const char	*no_fx;		/* why there are no indices (fx NULL or
					   j -1): a sentence, static text */
	int		 compromised;	/* a compromised-item list was given */
};

/* The page's head, title and the list of sections (n of them). */
void	report_begin(FILE *, const char *db, const struct report_case *,
	    int n);
/* Section number i (from 0). */
void	report_case(FILE *, const struct report_case *, int i);
void	report_end(FILE *);

/* s (NULL: nothing), sanitised and HTML-escaped, to out. */
void	report_text(FILE *, const char *s);

#endif /* INVIGIL_REPORT_H */
