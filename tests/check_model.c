/*
 * check_model.c - unit tests of the console's pure parts, without a
 * terminal, a socket or a database: the flag lifecycle (flags.c: one open
 * flag per rule and attempt, evidence merged and bounded, re-armed after a
 * decision, interned rule names, a flag to and from its store row).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/flags.h"

/* A hit of rule on attempt A1 at seq, with evidence seqs. */
static struct rules_hit
hit(const char *rule, int sev, int64_t seq, const int64_t *ev, size_t nev)
{
	struct rules_hit	h;

	memset(&h, 0, sizeof h);
	h.rule = rule;
	h.severity = (enum rules_severity)sev;
	h.weight = 2.5;
	h.message = "two faces in frame";
	h.feed = "F1";
	h.attempt = "A1";
	h.seq = seq;
	h.ts_ms = 1000 * seq;
	h.evidence = ev;
	h.nevidence = nev;
	return h;
}

static size_t
list_len(const struct flag *f)
{
	size_t	n = 0;

	for (; f != NULL; f = f->next)
		n++;
	return n;
}

START_TEST(test_flags_one_open_per_rule)
{
	struct flags		 fl = { 0 };
	struct flag		*open = NULL, *closed = NULL, *f, *g;
	int64_t			 ev1[] = { 1, 2 }, ev2[] = { 2, 3 };
	struct rules_hit	 h;

	h = hit("faces_multiple", STORE_SEV_HIGH, 2, ev1, 2);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &f), FLAGS_RAISED);
	ck_assert_ptr_eq(open, f);
	ck_assert_int_eq(f->id, 0);
	ck_assert_int_eq(f->count, 1);
	ck_assert_int_eq(f->state, STORE_FLAG_OPEN);
	ck_assert_str_eq(f->message, "two faces in frame");

	/* A repeat merges: count, last time and seq, evidence without
	 * repeating seq 2. */
	h = hit("faces_multiple", STORE_SEV_HIGH, 3, ev2, 2);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &g), FLAGS_MERGED);
	ck_assert_ptr_eq(g, f);
	ck_assert_int_eq(f->count, 2);
	ck_assert_int_eq(f->first_seq, 2);
	ck_assert_int_eq(f->last_seq, 3);
	ck_assert_int_eq(f->last_ms, 3000);
	ck_assert_uint_eq(f->nevidence, 3);
	ck_assert_int_eq(f->evidence[2], 3);

	/* Another rule: another flag, and the most severe is the top. */
	h = hit("identity_mismatch", STORE_SEV_CRITICAL, 4, NULL, 0);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &g), FLAGS_RAISED);
	ck_assert_uint_eq(list_len(open), 2);
	ck_assert_ptr_eq(flags_top(open), g);

	/* Closed: it leaves the open list, and the rule re-arms. */
	flags_close(&open, &closed, g, STORE_FLAG_DISMISSED, 5000);
	ck_assert_uint_eq(list_len(open), 1);
	ck_assert_ptr_eq(closed, g);
	ck_assert_int_eq(g->state, STORE_FLAG_DISMISSED);
	ck_assert_int_eq(g->closed_ms, 5000);
	ck_assert_ptr_eq(flags_top(open), f);
	h = hit("identity_mismatch", STORE_SEV_CRITICAL, 6, NULL, 0);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &f), FLAGS_RAISED);
	ck_assert_ptr_ne(f, g);
	ck_assert_int_eq(f->count, 1);
	ck_assert_uint_eq(list_len(open), 2);
	ck_assert_uint_eq(list_len(closed), 1);

	flags_free_list(open);
	flags_free_list(closed);
	flags_free(&fl);
}
END_TEST

START_TEST(test_flags_evidence_bound)
{
	struct flag	*f = flags_new(NULL);
	int64_t		 seq;

	for (seq = 1; seq <= RULES_EVIDENCE_MAX + 5; seq++)
		flags_evidence_add(f, &seq, 1);
	flags_evidence_add(f, &seq, 0);
	ck_assert_uint_eq(f->nevidence, RULES_EVIDENCE_MAX);
	ck_assert_int_eq(f->evidence[0], 6);		/* oldest gave way */
	ck_assert_int_eq(f->evidence[RULES_EVIDENCE_MAX - 1],
	    RULES_EVIDENCE_MAX + 5);
	seq = 6;					/* already kept */
	flags_evidence_add(f, &seq, 1);
	ck_assert_int_eq(f->evidence[0], 6);
	ck_assert_str_eq(f->message, "");
	free(f);
}
END_TEST

START_TEST(test_flags_rule_names_interned)
{
	struct flags	 fl = { 0 };
	char		 name[32];
	const char	*a;

	snprintf(name, sizeof name, "gaze_away");
	a = flags_rule_name(&fl, name);
	ck_assert_ptr_ne(a, name);
	ck_assert_ptr_eq(flags_rule_name(&fl, "gaze_away"), a);
	ck_assert_ptr_ne(flags_rule_name(&fl, "idle"), a);
	ck_assert_uint_eq(fl.nrule_names, 2);
	flags_free(&fl);
	ck_assert_uint_eq(fl.nrule_names, 0);
}
END_TEST

START_TEST(test_flags_store_round_trip)
{
	struct flags		 fl = { 0 };
	struct flag		*open = NULL, *closed = NULL, *f, *g;
	struct store_flag	 sf;
	int64_t			 ev[] = { 12, 15, 31 };
	struct rules_hit	 h = hit("faces_multiple", STORE_SEV_HIGH, 31,
				    ev, 3);
	char			 text[FLAGS_EVIDENCE_TEXT];

	flags_hit(&fl, &open, NULL, &h, &f);
	f->id = 42;
	flags_to_store(f, "F1", "A1", &sf, text, sizeof text);
	ck_assert_str_eq(sf.evidence, "12,15,31");
	ck_assert_str_eq(sf.feed, "F1");
	ck_assert_str_eq(sf.attempt, "A1");
	ck_assert_str_eq(sf.rule, "faces_multiple");
	g = flags_from_store(&fl, &sf, NULL);
	ck_assert_int_eq(g->id, 42);
	ck_assert_ptr_eq(g->rule, f->rule);
	ck_assert_uint_eq(g->nevidence, 3);
	ck_assert_int_eq(g->evidence[2], 31);
	ck_assert_str_eq(g->message, f->message);
	g->state = STORE_FLAG_CONFIRMED;
	flags_put(&open, &closed, g);
	ck_assert_ptr_eq(closed, g);
	ck_assert_ptr_eq(flags_find(closed, 42), g);
	ck_assert_ptr_eq(flags_find(open, 42), f);
	ck_assert_ptr_null(flags_find(open, 7));

	f->nevidence = 0;
	flags_to_store(f, "F1", "A1", &sf, text, sizeof text);
	ck_assert_ptr_null(sf.evidence);
	flags_free_list(open);
	flags_free_list(closed);
	flags_free(&fl);
}
END_TEST

static Suite *
model_suite(void)
{
	Suite	*s = suite_create("model");
	TCase	*tc = tcase_create("flags");

	tcase_add_test(tc, test_flags_one_open_per_rule);
	tcase_add_test(tc, test_flags_evidence_bound);
	tcase_add_test(tc, test_flags_rule_names_interned);
	tcase_add_test(tc, test_flags_store_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(model_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
