/*
 * check_report.c - Check suite for console/report.c, the HTML writer of
 * `invigil review report`: every string from the database comes out as
 * text (HTML's five characters escaped, controls, bidi controls and
 * invisible characters shown as visible escapes, bytes that are not UTF-8
 * too), and a section drawn from a hand-made timeline shades each outage
 * once (an unrestored one to the end), lists each flag with the decisions
 * on it, and says why it has no indices.  The browser's view of a whole
 * report is tests/e2e-report.sh's.
 */
#define _POSIX_C_SOURCE 200809L	/* open_memstream */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/report.h"
#include "tests/check_main.h"

/* What fn wrote, as a heap string. */
static char *
written(void (*fn)(FILE *, const char *), const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, s);
	fclose(f);
	return buf;
}

START_TEST(test_text)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "<script>alert(1)</script>",
		    "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a&b \"c\" 'd'", "a&amp;b &quot;c&quot; &#39;d&#39;" },
		{ "<img src=x onerror=alert(2)>",
		    "&lt;img src=x onerror=alert(2)&gt;" },
		{ "red\x1b[31m", "red\\x1b[31m" },
		{ "\xe2\x80\xae" "evil", "\\u{202e}evil" },
		{ "A\xe2\x80\x8b" "B", "A\\u{200b}B" },
		{ "bad \xff byte", "bad \\xff byte" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "", "" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = written(report_text, cases[i].in);
		ck_assert_str_eq(s, cases[i].out);
		free(s);
	}
	s = written(report_text, NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* One item of the hand-made timeline. */
static struct store_tl_item
item(int64_t t, enum store_tl_kind k, const char *what, const char *summary)
{
	struct store_tl_item	it;

	memset(&it, 0, sizeof it);
	it.time_ms = it.order_ms = 1700000000000LL + t;
	it.clock = STORE_TL_FEED;
	it.kind = k;
	it.what = what;
	it.summary = summary;
	return it;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t	n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

START_TEST(test_section)
{
	struct report_items	 l;
	struct store_tl_facts	 f;
	struct report_case	 c;
	struct store_tl_item	 it;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*out;

	memset(&l, 0, sizeof l);
	it = item(0, STORE_TL_ATTEMPT, "attempt", "Ada (C1)");
	report_items_add(&it, &l);
	it = item(1000, STORE_TL_FLAG_RAISED, "focus", "flag 7 focus");
	it.flag_id = 7;
	it.code = "high";
	report_items_add(&it, &l);
	it = item(2000, STORE_TL_OUTAGE_START, "network_lost", NULL);
	report_items_add(&it, &l);
	it = item(3000, STORE_TL_OUTAGE_END, "network_restored", NULL);
	report_items_add(&it, &l);
	it = item(4000, STORE_TL_DECISION, "confirm", "confirm flag 7");
	it.clock = STORE_TL_LOCAL;
	it.flag_id = 7;
	it.actor = "ana";
	it.code = "phone";
	it.reason = "<b>seen</b>";
	it.journal_seq = 3;
	report_items_add(&it, &l);
	it = item(4000, STORE_TL_FLAG_CLOSED, "focus", "flag 7 confirmed");
	it.flag_id = 7;
	it.code = "confirmed";
	report_items_add(&it, &l);
	it = item(5000, STORE_TL_OUTAGE_START, "network_lost", NULL);
	report_items_add(&it, &l);
	it = item(9000, STORE_TL_STATE, "submitted", "state submitted");
	report_items_add(&it, &l);
	ck_assert_uint_eq(l.n, 8);

	memset(&f, 0, sizeof f);
	f.feed = "F";
	f.attempt = "A1";
	f.name = "\xe2\x80\xae" "evil";
	memset(&c, 0, sizeof c);
	c.facts = &f;
	c.items = &l;
	c.j = -1;
	c.no_fx = "No answers of this exam are stored: no forensic indices.";
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	report_begin(out, "case.db", &c, 1);
	report_case(out, &c, 0);
	report_end(out);
	fclose(out);

	/* Two outages: one restored after 1 s, one never (to the end). */
	ck_assert_uint_eq(count(buf, "class=\"mark outage\""), 2);
	ck_assert_ptr_nonnull(strstr(buf, "network outage, 1.0 s"));
	ck_assert_ptr_nonnull(strstr(buf, "network outage (never restored), "
	    "4.0 s"));
	/* The flag, its state from its closing, its decision by ana: under
	 * the flag, among the decisions, in the timeline's table. */
	ck_assert_ptr_nonnull(strstr(buf, "<bdi>confirmed</bdi>"));
	ck_assert_uint_eq(count(buf, "<td><bdi>ana</bdi></td>"), 3);
	ck_assert_ptr_nonnull(strstr(buf, "<td><bdi>ana</bdi></td><td><bdi>"
	    "confirm</bdi></td><td><bdi>phone</bdi></td><td>&lt;b&gt;seen"));
	ck_assert_ptr_nonnull(strstr(buf, "&lt;b&gt;seen&lt;/b&gt;"));
	ck_assert_ptr_null(strstr(buf, "<b>seen"));
	ck_assert_ptr_nonnull(strstr(buf, "<bdi>\\u{202e}evil</bdi>"));
	ck_assert_ptr_null(strstr(buf, "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(buf, c.no_fx));
	/* No plot from the answers without an analysis. */
	ck_assert_ptr_null(strstr(buf, "id=\"rt-1\""));
	ck_assert_ptr_nonnull(strstr(buf, "id=\"timeline-1\""));
	ck_assert_uint_eq(count(buf, "<section"), 1);
	ck_assert_ptr_nonnull(strstr(buf, "default-src 'none'"));
	free(buf);
	report_items_free(&l);
}
END_TEST

/* Items beyond the bound are counted, not kept. */
START_TEST(test_bound)
{
	struct report_items	l;
	struct store_tl_item	it = item(0, STORE_TL_EVENT, "idle", "idle");
	int			i;

	memset(&l, 0, sizeof l);
	for (i = 0; i < REPORT_ITEMS_MAX + 7; i++)
		ck_assert_int_eq(report_items_add(&it, &l), 0);
	ck_assert_uint_eq(l.n, REPORT_ITEMS_MAX);
	ck_assert_int_eq(l.n_cut, 7);
	report_items_free(&l);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite	*su = suite_create("report");
	TCase	*tc = tcase_create("report");

	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_section);
	tcase_add_test(tc, test_bound);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(report_suite());
}
