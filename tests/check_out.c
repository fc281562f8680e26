/*
 * check_out.c - Check suite for console/out.c, the review commands' one
 * writer: CSV by RFC 4180 with formulas neutralised in text cells only,
 * JSON lines whose strings read back (with jansson) exactly as given,
 * invalid UTF-8 made U+FFFD and still valid JSON, tables sanitised and cut
 * on a character and escape boundary with a mark, RFC 3339 times, and a
 * write error reported by out_end().
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/out.h"
#include "tests/check_main.h"

static char	*buf;
static size_t	 buflen;

static const struct out_column cols[] = {
	{ "text", OUT_T_STR, -6 }, { "n", OUT_T_INT, 4 },
	{ "x", OUT_T_NUM, 6 }, { "ok", OUT_T_BOOL, 3 },
	{ "at", OUT_T_TIME, -24 }
};
#define NCOLS	((int)(sizeof cols / sizeof cols[0]))

/* Write rows (one text each, the other cells fixed) in format f into buf. */
static void
write_rows(enum out_format f, const char *const *texts, int n)
{
	struct out_cell	 c[NCOLS];
	struct out	*o;
	FILE		*fp;
	char		 err[256];
	int		 k;

	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &buflen);
	ck_assert_ptr_nonnull(fp);
	o = out_begin(fp, f, cols, NCOLS, NULL);
	for (k = 0; k < n; k++) {
		c[0] = OUT_STR(texts[k]);
		c[1] = OUT_INT(-42);
		c[2] = OUT_NUM(NAN);
		c[3] = OUT_INT(1);
		c[4] = OUT_TIME(1796654044618LL);
		out_row(o, c);
	}
	ck_assert_int_eq(out_rows(o), (uint64_t)n);
	ck_assert_int_eq(out_end(o, err, sizeof err), 0);
	fclose(fp);
}

START_TEST(csv_rfc4180)
{
	const char *const t[] = { "plain", "a,b", "say \"hi\"", "two\r\nlines",
		"lf\nonly" };

	write_rows(OUT_CSV, t, 5);
	ck_assert_str_eq(buf, "text,n,x,ok,at\r\n"
	    "plain,-42,,yes,2026-12-07T14:34:04.618Z\r\n"
	    "\"a,b\",-42,,yes,2026-12-07T14:34:04.618Z\r\n"
	    "\"say \"\"hi\"\"\",-42,,yes,2026-12-07T14:34:04.618Z\r\n"
	    "\"two\r\nlines\",-42,,yes,2026-12-07T14:34:04.618Z\r\n"
	    "\"lf\nonly\",-42,,yes,2026-12-07T14:34:04.618Z\r\n");
}
END_TEST

START_TEST(csv_formulas)
{
	/* Every text cell that a spreadsheet would read as a formula gets a
	 * quote; the number -42 (ours, not a string) is left a number. */
	const char *const t[] = { "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)",
		"\tx", "\rx", "a=b" };

	write_rows(OUT_CSV, t, 7);
	ck_assert_ptr_nonnull(strstr(buf, "\r\n'=cmd|' /C calc'!A0,-42,"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n'+1,-42,"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n'-1,-42,"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n'@SUM(A1),-42,"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n'\tx,-42,"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n\"'\rx\",-42,"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\na=b,-42,"));
}
END_TEST

/*
 * Read buf's JSON lines back with jansson: each must parse, its "text"
 * must be want[k] and, with all set, the other cells those write_rows()
 * wrote; there must be n.
 */
static void
read_back(const char *const *want, int n, int all)
{
	json_t		*j;
	json_error_t	 e;
	char		*line, *save = NULL;
	int		 k = 0;

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), k++) {
		j = json_loads(line, 0, &e);
		ck_assert_msg(j != NULL, "line %d: %s: %s", k, e.text, line);
		ck_assert_int_lt(k, n);
		ck_assert_str_eq(json_string_value(json_object_get(j, "text")),
		    want[k]);
		if (all) {
			ck_assert_int_eq(json_integer_value(json_object_get(j,
			    "n")), -42);
			ck_assert(json_is_null(json_object_get(j, "x")));
			ck_assert(json_is_true(json_object_get(j, "ok")));
			ck_assert_str_eq(json_string_value(json_object_get(j,
			    "at")), "2026-12-07T14:34:04.618Z");
		}
		json_decref(j);
	}
	ck_assert_int_eq(k, n);
}

START_TEST(jsonl_raw)
{
	/* ESC, the bidi override U+202E, a formula, a quote, a backslash,
	 * a control: each read back by jansson exactly as given. */
	const char *const t[] = { "Eve\x1b[31mRED", "abc\xe2\x80\xae" "fdp.exe",
		"=cmd|' /C calc'!A0", "q\"b\\s\x01\x7f\n", "\xf0\x9f\x98\x80" };

	write_rows(OUT_JSONL, t, 5);
	read_back(t, 5, 1);
}
END_TEST

START_TEST(jsonl_invalid_utf8)
{
	/* Not from the store, but never a crash nor invalid JSON: each bad
	 * byte (a stray continuation, an overlong, a surrogate, a cut
	 * sequence) is U+FFFD. */
	const char *const t[] = { "a\xff" "b", "\xc0\xaf", "\xed\xa0\x80",
		"\xe2\x82" };
	const char *const want[] = { "a\xef\xbf\xbd" "b",
		"\xef\xbf\xbd\xef\xbf\xbd",
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		"\xef\xbf\xbd\xef\xbf\xbd" };

	write_rows(OUT_JSONL, t, 4);
	read_back(want, 4, 0);
}
END_TEST

START_TEST(jsonl_kind_first)
{
	static const struct out_column one[] = { { "a", OUT_T_P, 5 } };
	struct out_cell	 c = OUT_NUM(0.25);
	struct out	*o;
	FILE		*fp;
	char		 err[256];

	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &buflen);
	o = out_begin(fp, OUT_JSONL, one, 1, "pair");
	out_row(o, &c);
	ck_assert_int_eq(out_end(o, err, sizeof err), 0);
	fclose(fp);
	ck_assert_str_eq(buf, "{\"kind\":\"pair\",\"a\":0.25}\n");
}
END_TEST

START_TEST(table_sanitised_and_cut)
{
	/* width 6: an escape is shown as \x1b and never cut in half; a
	 * long UTF-8 text is cut on a character boundary, marked '~'. */
	const char *const t[] = { "\x1b[31m", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9", "ab", "\xe2\x80\xae" "x" };

	write_rows(OUT_TABLE, t, 4);
	ck_assert_ptr_null(strchr(buf, '\x1b'));
	ck_assert_ptr_null(strstr(buf, "\xe2\x80\xae"));
	/* "\x1b[31m" is 8 characters: 5 fit before the mark, and "\x1b"
	 * is 4, "[" the fifth. */
	ck_assert_ptr_nonnull(strstr(buf, "\n\\x1b[~ "));
	ck_assert_ptr_nonnull(strstr(buf, "\n\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9~ "));
	ck_assert_ptr_nonnull(strstr(buf, "\nab      -42      - yes "
	    "2026-12-07T14:34:04.618Z\n"));
	/* U+202E is escaped (8 characters) and, not fitting in 5, left
	 * out whole: only the mark. */
	ck_assert_ptr_nonnull(strstr(buf, "\n~       -42"));
	ck_assert_ptr_null(strstr(buf, "\\u{20~"));
}
END_TEST

START_TEST(times)
{
	char	b[40];

	ck_assert_str_eq(out_time(0, b, sizeof b), "1970-01-01T00:00:00.000Z");
	ck_assert_str_eq(out_time(-1, b, sizeof b), "1969-12-31T23:59:59.999Z");
	ck_assert_str_eq(out_time(1796654044618LL, b, sizeof b),
	    "2026-12-07T14:34:04.618Z");
	/* Beyond year 9999: the number, not a broken date. */
	ck_assert_str_eq(out_time(INT64_MAX, b, sizeof b),
	    "9223372036854775807");
}
END_TEST

START_TEST(times_in_rows)
{
	/* Rows in and out of one second: the writer keeps the text of the
	 * last second, and must not show one row's time for another's. */
	static const struct out_column one[] = { { "at", OUT_T_TIME, -24 } };
	static const int64_t	ms[] = { 1796654044618LL, 1796654044999LL,
		1796654045001LL, 1796654044000LL, -1, 1796654045001LL };
	struct out_cell		c;
	struct out		*o;
	FILE			*fp;
	char			 err[256];
	size_t			 k;

	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &buflen);
	o = out_begin(fp, OUT_CSV, one, 1, NULL);
	for (k = 0; k < sizeof ms / sizeof ms[0]; k++) {
		c = OUT_TIME(ms[k]);
		out_row(o, &c);
	}
	ck_assert_int_eq(out_end(o, err, sizeof err), 0);
	fclose(fp);
	ck_assert_str_eq(buf, "at\r\n2026-12-07T14:34:04.618Z\r\n"
	    "2026-12-07T14:34:04.999Z\r\n2026-12-07T14:34:05.001Z\r\n"
	    "2026-12-07T14:34:04.000Z\r\n1969-12-31T23:59:59.999Z\r\n"
	    "2026-12-07T14:34:05.001Z\r\n");
}
END_TEST

START_TEST(write_error)
{
	struct out_cell	 c[NCOLS] = { OUT_STR("x"), OUT_INT(1), OUT_NUM(1.0),
		OUT_INT(0), OUT_NONE };
	struct out	*o;
	FILE		*fp = fopen("/dev/full", "w");
	char		 err[256];
	int		 k;

	ck_assert_ptr_nonnull(fp);
	o = out_begin(fp, OUT_CSV, cols, NCOLS, NULL);
	for (k = 0; k < 100000; k++)
		out_row(o, c);
	ck_assert_int_eq(out_end(o, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot write the csv output"));
	fclose(fp);
}
END_TEST

START_TEST(formats)
{
	enum out_format	f;

	ck_assert_int_eq(out_format_parse("csv", &f), 0);
	ck_assert_int_eq(f, OUT_CSV);
	ck_assert_int_eq(out_format_parse("jsonl", &f), 0);
	ck_assert_int_eq(f, OUT_JSONL);
	ck_assert_int_eq(out_format_parse("table", &f), 0);
	ck_assert_int_eq(f, OUT_TABLE);
	ck_assert_int_eq(out_format_parse("json", &f), -1);
	ck_assert_str_eq(out_format_name(OUT_JSONL), "jsonl");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("out");
	TCase	*tc = tcase_create("out");

	tcase_add_test(tc, csv_rfc4180);
	tcase_add_test(tc, csv_formulas);
	tcase_add_test(tc, jsonl_raw);
	tcase_add_test(tc, jsonl_invalid_utf8);
	tcase_add_test(tc, jsonl_kind_first);
	tcase_add_test(tc, table_sanitised_and_cut);
	tcase_add_test(tc, times);
	tcase_add_test(tc, times_in_rows);
	tcase_add_test(tc, write_error);
	tcase_add_test(tc, formats);
	suite_add_tcase(s, tc);
	return check_main(s);
}
