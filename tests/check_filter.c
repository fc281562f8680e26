/*
 * check_filter.c - unit tests of find and filter (console/filter.c): the
 * text match (case, UTF-8, hostile bytes, the bound), which fields it
 * looks in, the state classes and their counts, the rows filtered and
 * grouped (headings, order kept within a group), n/N round the end.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/filter.h"
#include "console/model.h"
#include "tests/check_main.h"

static struct model		 m;
static struct feed_session	*fs1, *fs2;

/* A model of attempts on two feeds. */
static struct attempt *
mk(struct feed_session *fs, const char *id, const char *name,
    const char *center, enum proto_state st)
{
	struct attempt	*a = model_attempt_get(&m, fs, id);

	snprintf(a->candidate, sizeof a->candidate, "C%s", id + 1);
	snprintf(a->name, sizeof a->name, "%s", name);
	snprintf(a->center, sizeof a->center, "%s", center);
	a->state = st;
	return a;
}

/* An open flag of rule on a. */
static void
flag(struct attempt *a, int64_t id, const char *rule)
{
	struct flag	*f = flags_new("why");

	f->id = id;
	f->rule = flags_rule_name(&m.flagset, rule);
	f->severity = PROTO_SEV_HIGH;
	f->state = STORE_FLAG_OPEN;
	f->attempt = a;
	flags_put(&a->flags, &a->closed, f);
	model_recount(&m, a);
}

static void
setup(void)
{
	char	err[128];

	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	memset(&m, 0, sizeof m);
	fs1 = model_session_new(&m, "f1", NULL, NULL, err, sizeof err);
	fs2 = model_session_new(&m, "f2", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(fs1);
	ck_assert_ptr_nonnull(fs2);
}

static void
teardown(void)
{
	model_free(&m);
}

START_TEST(test_contains)
{
	ck_assert_int_eq(filter_contains("Mateo Dubois", "dub"), 1);
	ck_assert_int_eq(filter_contains("Mateo Dubois", "DUBOIS"), 1);
	ck_assert_int_eq(filter_contains("Mateo Dubois", "duboisx"), 0);
	ck_assert_int_eq(filter_contains("Mateo Dubois", ""), 1);
	ck_assert_int_eq(filter_contains(NULL, "a"), 0);
	ck_assert_int_eq(filter_contains("", "a"), 0);
	/* A partial match first, the whole one later. */
	ck_assert_int_eq(filter_contains("aab", "ab"), 1);
	ck_assert_int_eq(filter_contains("ababc", "abc"), 1);
	/* UTF-8: case folded per character, not per byte. */
	ck_assert_int_eq(filter_contains("Søren Müller", "MÜLL"), 1);
	ck_assert_int_eq(filter_contains("SØREN", "søren"), 1);
	ck_assert_int_eq(filter_contains("Émile", "émi"), 1);
	ck_assert_int_eq(filter_contains("Müller", "mu"), 0);
	/* Hostile bytes: a stray continuation byte, a cut sequence, escape
	 * sequences; each matches only itself, never reads past the end. */
	ck_assert_int_eq(filter_contains("a\x80" "b", "\x80"), 1);
	ck_assert_int_eq(filter_contains("a\x80" "b", "ab"), 0);
	ck_assert_int_eq(filter_contains("name\xc3", "\xc3"), 1);
	ck_assert_int_eq(filter_contains("name\xc3", "e\xc3\xa9"), 0);
	ck_assert_int_eq(filter_contains("\x1b[2J evil", "[2j"), 1);
	ck_assert_int_eq(filter_contains("\xed\xa0\x80", "\xed"), 1);
}
END_TEST

START_TEST(test_set_text)
{
	struct filter	f;
	char		long_text[200];
	size_t		i;

	memset(&f, 0, sizeof f);
	filter_set_text(&f, "abc");
	ck_assert_str_eq(f.text, "abc");
	ck_assert_uint_eq(f.gen, 1);
	ck_assert_int_eq(filter_active(&f), 1);
	filter_set_text(&f, "   ");
	ck_assert_str_eq(f.text, "");
	ck_assert_int_eq(filter_active(&f), 0);
	/* Bounded, cut before a character that does not fit: 63 bytes of
	 * "a" and a 2-byte "é" would be 65. */
	memset(long_text, 'a', 63);
	strcpy(long_text + 63, "\xc3\xa9zzz");
	filter_set_text(&f, long_text);
	ck_assert_uint_eq(strlen(f.text), 63);
	for (i = 0; i < 150; i++)
		long_text[i] = 'x';
	long_text[150] = '\0';
	filter_set_text(&f, long_text);
	ck_assert_uint_eq(strlen(f.text), FILTER_TEXT_MAX);
	filter_toggle(&f, FILTER_PAUSED);
	ck_assert_uint_eq(f.states, 1u << FILTER_PAUSED);
	filter_toggle(&f, FILTER_PAUSED);
	ck_assert_uint_eq(f.states, 0);
}
END_TEST

/* The text is looked for in each field, and only open flags' rules. */
START_TEST(test_fields)
{
	struct attempt	*a = mk(fs1, "A0001", "Lena Zhang", "TC-12",
			    PROTO_STATE_IN_PROGRESS);
	struct flag	*f;

	snprintf(a->ip, sizeof a->ip, "198.51.100.7");
	flag(a, 1, "gaze_away");
	ck_assert_int_eq(filter_text_match("a0001", a), 1);
	ck_assert_int_eq(filter_text_match("c0001", a), 1);
	ck_assert_int_eq(filter_text_match("zhang", a), 1);
	ck_assert_int_eq(filter_text_match("tc-1", a), 1);
	ck_assert_int_eq(filter_text_match("51.100", a), 1);
	ck_assert_int_eq(filter_text_match("GAZE", a), 1);
	ck_assert_int_eq(filter_text_match("copy", a), 0);
	ck_assert_int_eq(filter_text_match("", a), 1);
	/* A closed flag's rule no longer matches. */
	f = a->flags;
	f->state = STORE_FLAG_DISMISSED;
	ck_assert_int_eq(filter_text_match("gaze", a), 0);
	f->state = STORE_FLAG_OPEN;
	ck_assert_int_eq(filter_flag_match(&(struct filter){ .text = "gaze" },
	    f, 0), 1);
	ck_assert_int_eq(filter_flag_match(&(struct filter){ .text = "zhang" },
	    f, 0), 1);
	ck_assert_int_eq(filter_flag_match(&(struct filter){ .text = "tc-12" },
	    f, 0), 0);
	ck_assert_int_eq(filter_flag_match(&(struct filter){ .states = 1u <<
	    FILTER_PAUSED }, f, 0), 0);
}
END_TEST

static int
offline_a3(const struct attempt *a, void *arg)
{
	(void)arg;
	return strcmp(a->id, "A3") == 0;
}

/* The classes, and their counts in one pass. */
START_TEST(test_classes)
{
	/* active, paused, offline, missing, flagged, submitted */
	static const size_t want[FILTER_NCLASS] = { 1, 2, 1, 1, 2, 2 };
	struct attempt	*a[8];
	struct filter	 f;
	size_t		 counts[FILTER_NCLASS], i;

	a[0] = mk(fs1, "A1", "n", "", PROTO_STATE_IN_PROGRESS);
	a[1] = mk(fs1, "A2", "n", "", PROTO_STATE_PAUSED);
	a[2] = mk(fs1, "A3", "n", "", PROTO_STATE_IN_PROGRESS);	/* offline */
	a[3] = mk(fs1, "A4", "n", "", PROTO_STATE_IN_PROGRESS);
	a[3]->missing = 1;
	a[4] = mk(fs1, "A5", "n", "", PROTO_STATE_SUBMITTED);
	a[5] = mk(fs1, "A6", "n", "", PROTO_STATE_TERMINATED);
	a[6] = mk(fs1, "A7", "n", "", PROTO_STATE_CHECKED_IN);
	a[7] = mk(fs1, "A8", "n", "", PROTO_STATE_PAUSED);
	flag(a[1], 1, "gaze_away");
	flag(a[6], 2, "gaze_away");
	ck_assert_uint_eq(filter_classes(a[0], 0), 1u << FILTER_ACTIVE);
	ck_assert_uint_eq(filter_classes(a[2], 1), 1u << FILTER_OFFLINE);
	ck_assert_uint_eq(filter_classes(a[3], 0), 1u << FILTER_MISSING);
	ck_assert_uint_eq(filter_classes(a[1], 0), 1u << FILTER_PAUSED |
	    1u << FILTER_FLAGGED);
	ck_assert_uint_eq(filter_classes(a[6], 0), 1u << FILTER_FLAGGED);
	filter_count(a, 8, offline_a3, NULL, counts);
	for (i = 0; i < FILTER_NCLASS; i++)
		ck_assert_uint_eq(counts[i], want[i]);
	/* Several classes on: any of them. */
	memset(&f, 0, sizeof f);
	filter_toggle(&f, FILTER_PAUSED);
	ck_assert_int_eq(filter_match(&f, a[1], 0), 1);
	ck_assert_int_eq(filter_match(&f, a[0], 0), 0);
	filter_toggle(&f, FILTER_SUBMITTED);
	ck_assert_int_eq(filter_match(&f, a[5], 0), 1);
	ck_assert_int_eq(filter_match(&f, a[6], 0), 0);
	/* And the text too. */
	filter_set_text(&f, "A2");
	ck_assert_int_eq(filter_match(&f, a[1], 0), 1);
	ck_assert_int_eq(filter_match(&f, a[7], 0), 0);
}
END_TEST

/* r is a group's heading: its name and counts. */
static void
heading(const struct filter_row *r, const char *group, size_t count,
    size_t flagged)
{
	ck_assert_ptr_null(r->a);
	ck_assert_str_eq(r->group, group);
	ck_assert_uint_eq(r->count, count);
	ck_assert_uint_eq(r->flagged, flagged);
}

/* Grouped by centre: groups by name, "" last, the sort kept inside. */
START_TEST(test_rows_grouped)
{
	struct attempt		*a[6];
	struct filter		 f;
	struct filter_row	*rows = NULL;
	size_t			 cap = 0, n, shown, i;
	int			 wrapped;

	a[0] = mk(fs1, "A1", "Zed", "TC-2", PROTO_STATE_IN_PROGRESS);
	a[1] = mk(fs1, "A2", "Amy", "", PROTO_STATE_IN_PROGRESS);
	a[2] = mk(fs2, "A3", "Bob", "TC-1", PROTO_STATE_IN_PROGRESS);
	a[3] = mk(fs2, "A4", "Cy", "TC-2", PROTO_STATE_PAUSED);
	a[4] = mk(fs1, "A5", "Di", "TC-1", PROTO_STATE_IN_PROGRESS);
	a[5] = mk(fs2, "A6", "Ed", "TC-2", PROTO_STATE_IN_PROGRESS);
	flag(a[3], 1, "copy_paste");
	memset(&f, 0, sizeof f);
	n = filter_rows(&f, a, 6, NULL, NULL, &rows, &cap, &shown);
	ck_assert_uint_eq(n, 6);
	for (i = 0; i < 6; i++)
		ck_assert_ptr_eq(rows[i].a, a[i]);
	f.group = FILTER_GROUP_CENTRE;
	n = filter_rows(&f, a, 6, NULL, NULL, &rows, &cap, &shown);
	ck_assert_uint_eq(shown, 6);
	ck_assert_uint_eq(n, 9);
	heading(&rows[0], "TC-1", 2, 0);
	ck_assert_ptr_eq(rows[1].a, a[2]);
	ck_assert_ptr_eq(rows[2].a, a[4]);
	heading(&rows[3], "TC-2", 3, 1);
	ck_assert_ptr_eq(rows[4].a, a[0]);
	ck_assert_ptr_eq(rows[5].a, a[3]);
	ck_assert_ptr_eq(rows[6].a, a[5]);
	ck_assert_ptr_null(rows[7].a);
	ck_assert_str_eq(rows[7].group, "");
	ck_assert_ptr_eq(rows[8].a, a[1]);
	/* n skips headings and wraps round the end; N the other way. */
	ck_assert_uint_eq(filter_next(rows, n, 2, 1, &wrapped), 4);
	ck_assert_int_eq(wrapped, 0);
	ck_assert_uint_eq(filter_next(rows, n, 8, 1, &wrapped), 1);
	ck_assert_int_eq(wrapped, 1);
	ck_assert_uint_eq(filter_next(rows, n, 1, -1, &wrapped), 8);
	ck_assert_int_eq(wrapped, 1);
	ck_assert_uint_eq(filter_next(rows, n, n, 1, &wrapped), 1);
	ck_assert_int_eq(wrapped, 0);
	ck_assert_uint_eq(filter_step(2, 3, 1, &wrapped), 0);
	ck_assert_int_eq(wrapped, 1);
	ck_assert_uint_eq(filter_step(0, 3, 1, &wrapped), 1);
	ck_assert_int_eq(wrapped, 0);
	ck_assert_uint_eq(filter_step(0, 3, -1, &wrapped), 2);
	ck_assert_int_eq(wrapped, 1);
	ck_assert_uint_eq(filter_step(2, 3, -1, &wrapped), 1);
	ck_assert_int_eq(wrapped, 0);
	ck_assert_uint_eq(filter_find(rows, n, a[3]), 5);
	ck_assert_uint_eq(filter_find(rows, n, NULL), n);
	/* By feed, filtered to paused: one group, one attempt. */
	f.group = FILTER_GROUP_FEED;
	filter_toggle(&f, FILTER_PAUSED);
	n = filter_rows(&f, a, 6, NULL, NULL, &rows, &cap, &shown);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(shown, 1);
	ck_assert_str_eq(rows[0].group, "f2");
	ck_assert_ptr_eq(rows[1].a, a[3]);
	/* One row alone: n stays on it. */
	ck_assert_uint_eq(filter_next(rows, n, 1, 1, &wrapped), 1);
	ck_assert_int_eq(wrapped, 0);
	free(rows);
}
END_TEST

static Suite *
filter_suite(void)
{
	Suite	*s = suite_create("filter");
	TCase	*tc = tcase_create("filter");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_contains);
	tcase_add_test(tc, test_set_text);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_rows_grouped);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(filter_suite());
}
