/*
 * check_reasons.c - reason files (console/reasons.c, invigil-reasons(5)):
 * the compiled-in defaults parse and hold the TAO categories; every error
 * names its file, line and column and says what to do; the limits hold;
 * the lookups, the picker's matching and the unknown-code sentence.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/reasons.h"
#include "tests/check_main.h"

/* Parse text; the list, or NULL with the error in err. */
static struct reasons *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return reasons_parse(text, strlen(text), "r.txt", err, errlen);
}

START_TEST(test_defaults)
{
	const struct reasons	*rs = reasons_default();
	const struct reason	*r;
	static const char *const want[] = {
		"environment.noise", "examinee.left_view",
		"proctor_staff.error", "technical.connection",
		"security.prohibited_aid", "security.second_person",
		"security.impersonation", "security.collusion",
		"security.content_theft", "other",
	};
	size_t			 i;

	ck_assert_uint_eq(reasons_count(rs), 24);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		r = reasons_find(rs, want[i]);
		ck_assert_msg(r != NULL, "no default %s", want[i]);
		ck_assert_str_eq(r->code, want[i]);
	}
	ck_assert(reasons_find(rs, "security.second_person")->text_required);
	ck_assert(reasons_find(rs, "other")->text_required);
	ck_assert(!reasons_find(rs, "technical.connection")->text_required);
	ck_assert_str_eq(reasons_find(rs, "security.impersonation")->label,
	    "Someone else taking the exam");
	ck_assert_ptr_null(reasons_find(rs, "security"));
	ck_assert_ptr_null(reasons_find(rs, "security.second"));
	ck_assert_ptr_eq(reasons_at(rs, 0), reasons_find(rs,
	    "environment.noise"));
	ck_assert_ptr_null(reasons_at(rs, 24));
	/* extend has a code of its own, and only extend and note do. */
	ck_assert(reasons_for_act(reasons_find(rs, "technical.lost_time"),
	    "extend"));
	ck_assert(!reasons_for_act(reasons_find(rs, "technical.lost_time"),
	    "warn"));
	/* The text printed by `invigil reasons defaults` is the list. */
	ck_assert_ptr_nonnull(strstr(reasons_default_text(),
	    "security.collusion"));
}
END_TEST

START_TEST(test_file_format)
{
	struct reasons	*rs;
	char		 err[512];

	rs = parse("# a comment\n\n  env.noise\t\"Noise\"  # trailing\r\n"
	    "sec.aid \"Aid: phone, café\" text=required\n"
	    "other \"Other\" text=optional\n", err, sizeof err);
	ck_assert_msg(rs != NULL, "%s", err);
	ck_assert_uint_eq(reasons_count(rs), 3);
	ck_assert_str_eq(reasons_at(rs, 0)->label, "Noise");
	ck_assert(!reasons_at(rs, 0)->text_required);
	ck_assert_str_eq(reasons_at(rs, 1)->label, "Aid: phone, café");
	ck_assert(reasons_at(rs, 1)->text_required);
	ck_assert(!reasons_at(rs, 2)->text_required);
	reasons_free(rs);
}
END_TEST

/* Each bad file: its error, whole, with file:line:col. */
START_TEST(test_errors)
{
	static const struct {
		const char	*text, *want;
	} bad[] = {
		{ "", "r.txt:1:1: no reason code; add lines like" },
		{ "# only\n", "r.txt:1:1: no reason code" },
		{ "Sec.aid \"A\"\n", "r.txt:1:1: a code is lower-case letters" },
		{ "sec..aid \"A\"\n", "r.txt:1:5: a code is CATEGORY or "
		    "CATEGORY.SUBCATEGORY" },
		{ "a.b.c \"A\"\n", "r.txt:1:4: a code is CATEGORY or" },
		{ "sec. \"A\"\n", "r.txt:1:4: a code does not end with '.'" },
		{ "9sec \"A\"\n", "r.txt:1:1: each part of a code starts with "
		    "a letter" },
		{ "ok \"A\"\nsec.aid\n", "r.txt:2:8: after the code comes its "
		    "label in double quotes" },
		{ "sec.aid \"A\n", "r.txt:1:9: the label's closing '\"' is "
		    "missing" },
		{ "sec.aid \"\"\n", "r.txt:1:10: the label is 0 bytes; give 1 "
		    "to 80" },
		{ "sec.aid \"A\"text=required\n", "r.txt:1:12: white space "
		    "goes between" },
		{ "sec.aid \"A\" txt=required\n", "r.txt:1:13: unknown "
		    "attribute \"txt\" (did you mean \"text\"?)" },
		{ "sec.aid \"A\" acts=dismiss,confrm\n", "r.txt:1:26: acts= "
		    "names acts: \"confrm\" is not one (did you mean "
		    "\"confirm\"?); the acts are dismiss, confirm," },
		{ "sec.aid \"A\" acts=\n", "r.txt:1:18: acts= names acts: "
		    "\"\" is not one" },
		/* A word quoted in an error is shown escaped (found by
		 * fuzz_reasons: DEL passed through). */
		{ "a \"A\" acts=dis\x7fm\n", "r.txt:1:12: acts= names acts: "
		    "\"dis\\x7fm\" is not one" },
		{ "a \"A\" t\xe2\x80\xaext=x\n", "r.txt:1:7: unknown attribute "
		    "\"t\\u{202e}xt\"" },
		{ "sec.aid \"A\" text=yes\n", "r.txt:1:13: text= is "
		    "\"required\" or \"optional\"" },
		{ "a \"A\"\nb \"B\"\na \"C\"\n", "r.txt:3:1: the code \"a\" is "
		    "given twice (first at line 1)" },
		{ "a \"A\x01\"\n", "r.txt:1:5: a control character (byte "
		    "0x01)" },
		{ "a \"A\xe2\x80\xae" "B\"\n", "r.txt:1:5: the label has a "
		    "control or invisible character U+202E" },
		{ "a \"A\\n\"\n", "r.txt:1:5: the label has a backslash" },
		{ "a \"A\xff\"\n", "r.txt:1:1: not UTF-8 text" },
		{ "a \"A\x1b[31m\"\n", "r.txt:1:5: a control character (byte "
		    "0x1b)" },
	};
	struct reasons	*rs;
	char		 err[512];
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rs = parse(bad[i].text, err, sizeof err);
		ck_assert_msg(rs == NULL, "bad file %zu parsed", i);
		ck_assert_msg(strncmp(err, bad[i].want, strlen(bad[i].want))
		    == 0, "file %zu: got \"%s\", want \"%s...\"", i, err,
		    bad[i].want);
	}
}
END_TEST

START_TEST(test_acts)
{
	const struct reasons	*def = reasons_default();
	struct reasons		*rs;
	char			 err[512];

	rs = parse("a \"A\" acts=dismiss,note text=required\nb \"B\"\n", err,
	    sizeof err);
	ck_assert_msg(rs != NULL, "%s", err);
	ck_assert(reasons_at(rs, 0)->text_required);
	ck_assert(reasons_for_act(reasons_at(rs, 0), "dismiss"));
	ck_assert(reasons_for_act(reasons_at(rs, 0), "note"));
	ck_assert(!reasons_for_act(reasons_at(rs, 0), "confirm"));
	ck_assert(!reasons_for_act(reasons_at(rs, 0), "nonesuch"));
	/* No acts=: every act. */
	ck_assert(reasons_for_act(reasons_at(rs, 1), "terminate"));
	reasons_free(rs);
	ck_assert(reasons_for_act(reasons_find(def,
	    "technical.false_positive"), "dismiss"));
	ck_assert(!reasons_for_act(reasons_find(def,
	    "technical.false_positive"), "terminate"));
}
END_TEST

START_TEST(test_limits)
{
	struct reasons	*rs;
	char		 err[512], *big;
	size_t		 i, used = 0, size = 64 * 1024;

	/* A code of 65 bytes, a part of 33, a label of 81. */
	rs = parse("a23456789012345678901234567890.b2345678901234567890123"
	    "45678901234 \"A\"\n", err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "r.txt:1:1: the code is 65 bytes, at most "
	    "64") != NULL, "%s", err);
	rs = parse("a23456789012345678901234567890123 \"A\"\n", err,
	    sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "r.txt:1:33: a part of a code is at most "
	    "32 bytes") != NULL, "%s", err);
	big = calloc(1, size);
	memcpy(big, "a \"", 3);
	memset(big + 3, 'x', 81);
	memcpy(big + 84, "\"\n", 2);
	rs = parse(big, err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "r.txt:1:4: the label is 81 bytes; give 1 "
	    "to 80") != NULL, "%s", err);
	/* 256 codes are fine, the 257th is not. */
	for (i = 0; i < 257; i++)
		used += (size_t)snprintf(big + used, size - used,
		    "c%zu \"L\"\n", i);
	rs = parse(big, err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "r.txt:257:1: more than 256 codes") != NULL,
	    "%s", err);
	big[used - strlen("c256 \"L\"\n")] = '\0';
	rs = parse(big, err, sizeof err);
	ck_assert_msg(rs != NULL, "%s", err);
	ck_assert_uint_eq(reasons_count(rs), 256);
	reasons_free(rs);
	/* A line of 1025 bytes. */
	memset(big, ' ', 1025);
	memcpy(big + 1025, "\n", 2);
	rs = parse(big, err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "r.txt:1:1: the line is 1025 bytes, at "
	    "most 1024") != NULL, "%s", err);
	/* A file over the bound is refused before anything is read. */
	rs = reasons_parse(big, REASONS_FILE_MAX + 1, "r.txt", err,
	    sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "the file is 262145 bytes") != NULL, "%s",
	    err);
	free(big);
}
END_TEST

START_TEST(test_load)
{
	char		 dir[] = "/tmp/check_reasons.XXXXXX", path[128], err[512];
	struct reasons	*rs;
	FILE		*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* A FIFO is refused, never opened to block. */
	rs = reasons_load(path, err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "is a FIFO") != NULL, "%s", err);
	unlink(path);
	rs = reasons_load(dir, err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "directory") != NULL, "%s", err);
	snprintf(path, sizeof path, "%s/r", dir);
	f = fopen(path, "w");
	fputs("ok \"OK\"\nbad\n", f);
	fclose(f);
	rs = reasons_load(path, err, sizeof err);
	ck_assert_ptr_null(rs);
	ck_assert_msg(strstr(err, "/r:2:4: after the code comes its label")
	    != NULL, "%s", err);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_match)
{
	const struct reasons	*rs = reasons_default();
	const struct reason	*aid = reasons_find(rs,
				    "security.prohibited_aid");
	const struct reason	*noise = reasons_find(rs, "environment.noise");

	ck_assert(reasons_match(aid, ""));
	ck_assert(reasons_match(aid, "sec"));
	ck_assert(reasons_match(aid, "SEC.PRO"));
	ck_assert(reasons_match(aid, "security.prohibited_aid"));
	ck_assert(reasons_match(aid, "prohib"));	/* its subcategory */
	ck_assert(reasons_match(aid, "phone"));		/* a word of its label */
	ck_assert(!reasons_match(aid, "sec.sec"));
	ck_assert(!reasons_match(aid, "env"));
	ck_assert(!reasons_match(aid, "security.prohibited_aids"));
	ck_assert(!reasons_match(aid, "hibited"));
	ck_assert(reasons_match(noise, "env.n"));
	ck_assert(!reasons_match(noise, "env.l"));
}
END_TEST

START_TEST(test_unknown)
{
	const struct reasons	*rs = reasons_default();
	char			 err[512];

	reasons_unknown(rs, "security.second_persn", err, sizeof err);
	ck_assert_str_eq(err, "unknown reason code \"security.second_persn\" "
	    "(did you mean \"security.second_person\"?); the codes are listed "
	    "by invigil reasons defaults, or in the --reasons file");
	reasons_unknown(rs, "collusion", err, sizeof err);
	ck_assert_ptr_nonnull(strstr(err, "(did you mean "
	    "\"security.collusion\"?)"));
	/* Hostile: escaped and cut, never printed raw. */
	reasons_unknown(rs, "x\x1b[2Jy", err, sizeof err);
	ck_assert_ptr_null(strchr(err, '\x1b'));
	ck_assert_ptr_nonnull(strstr(err, "\"x\\x1b[2Jy\""));
	reasons_unknown(rs, "zzzz", err, sizeof err);
	ck_assert_ptr_null(strstr(err, "did you mean"));
}
END_TEST

static Suite *
reasons_suite(void)
{
	Suite	*s = suite_create("reasons");
	TCase	*tc = tcase_create("reasons");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_file_format);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_acts);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_unknown);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(reasons_suite());
}
