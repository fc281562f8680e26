/*
 * check_config.c - unit tests of the console's config file
 * (console/config.c): lines become the console's options with their line
 * numbers; quoting, comments, ~, flags, optional values, name=value
 * settings; every refusal with FILE:LINE (and the column of a bad
 * character); the bounds; and config_load()'s refusals of a file others
 * may write, a FIFO, a directory and a file too large.  The precedence of
 * the command line over the file is tests/e2e-config.sh.
 */
#include <sys/stat.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/config.h"
#include "tests/check_main.h"
#define CHECK_TMP_NAME	"check_config"
#include "tests/check_tmp.h"

static struct config	cfg;
static char		err[4096];

/* Parse text with the console's table and HOME /home/ana: its status. */
static int
parse(const char *text)
{
	return config_parse(&cfg, "hall.conf", text, strlen(text),
	    cmd_console_entry.options, "/home/ana", err, sizeof err);
}

/* Item i is --name value (NULL: none) from line. */
static void
item_is(size_t i, const char *name, const char *value, int line)
{
	ck_assert_uint_lt(i, cfg.n);
	ck_assert_str_eq(cfg.items[i].option->name, name);
	if (value == NULL)
		ck_assert_ptr_null(cfg.items[i].value);
	else
		ck_assert_str_eq(cfg.items[i].value, value);
	ck_assert_int_eq(cfg.items[i].line, line);
}

/* text is refused with exactly want. */
static void
refused(const char *text, const char *want)
{
	ck_assert_int_eq(parse(text), -1);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(cfg.n, 0);
}

START_TEST(test_items)
{
	ck_assert_int_eq(parse(
	    "# the hall\n"
	    "\n"
	    "feed wss://hall-3.example/ token-file=~/.config/invigil/h3.token\n"
	    "  feed\tws://127.0.0.1:7450/   # the spare\n"
	    "proctor \"ana maria\"\n"
	    "rules '/etc/invigil/my \"rules\"'\n"
	    "db \"a\\\"b\\\\c\"\n"
	    "headless yes\n"
	    "insecure no\n"
	    "demo\n"
	    "ping 10\n"
	    "key-dir ~\n"
	    "token-file x#y"), 0);
	ck_assert_uint_eq(cfg.n, 11);
	item_is(0, "feed", "wss://hall-3.example/", 3);
	item_is(1, "feed-token-file", "/home/ana/.config/invigil/h3.token", 3);
	item_is(2, "feed", "ws://127.0.0.1:7450/", 4);
	item_is(3, "proctor", "ana maria", 5);
	item_is(4, "rules", "/etc/invigil/my \"rules\"", 6);
	item_is(5, "db", "a\"b\\c", 7);
	item_is(6, "headless", NULL, 8);
	/* insecure no: nothing. */
	item_is(7, "demo", NULL, 10);
	item_is(8, "ping", "10", 11);
	item_is(9, "key-dir", "/home/ana", 12);
	/* A # inside a word is the word's; the last line has no \n. */
	item_is(10, "token-file", "x#y", 13);
	config_free(&cfg);
	ck_assert_uint_eq(cfg.n, 0);

	/* ~ only at the start of a PATH or DIR: a proctor id keeps it. */
	ck_assert_int_eq(parse("proctor ~ana\ndb a~/b\n"), 0);
	item_is(0, "proctor", "~ana", 1);
	item_is(1, "db", "a~/b", 2);
	config_free(&cfg);
	ck_assert_int_eq(parse(""), 0);
	ck_assert_uint_eq(cfg.n, 0);
}
END_TEST

START_TEST(test_refusals)
{
	refused("ping 1\nfed ws://x/\n", "hall.conf:2: unknown key \"fed\" "
	    "(did you mean \"feed\"?); the keys are the long options of "
	    "invigil --help");
	refused("--proctr a\n", "hall.conf:1: unknown key \"--proctr\" (did "
	    "you mean \"proctor\"?); the keys are the long options of invigil "
	    "--help");
	refused("config /x\n", "hall.conf:1: config is for the command line, "
	    "not the config file");
	refused("no-config\n", "hall.conf:1: no-config is for the command "
	    "line, not the config file");
	refused("\n\nheadless maybe\n", "hall.conf:3: headless is a flag: give "
	    "it alone, or with yes or no, not \"maybe\"");
	refused("ping\n", "hall.conf:1: ping needs a value (SECS)");
	refused("db my hall.db\n", "hall.conf:1: db takes one value, and "
	    "\"hall.db\" is another; quote a value with spaces");
	refused("feed ws://a/ tokn-file=x\n", "hall.conf:1: feed has no "
	    "setting \"tokn-file\" (did you mean \"token-file\"?)");
	refused("db x=y z=w\n", "hall.conf:1: db has no setting \"z\"");
	refused("feed ws://a/ token-file=/t db=x\n", "hall.conf:1: feed has "
	    "no setting \"db\"");
	refused("proctor \"ana\n", "hall.conf:1: a double quote is not "
	    "closed");
	refused("proctor 'ana\n", "hall.conf:1: a single quote is not "
	    "closed");
	refused("db ~bob/x\n", "hall.conf:1: \"~bob/x\": only ~/ (your home) "
	    "is expanded, not ~user; give the whole path");
	refused("a b c d e f g h i\n", "hall.conf:1: more than 8 words; quote "
	    "a value with spaces");
	/* Plain text only, with the column of the character. */
	refused("db x\r\n", "hall.conf:1:5: control character U+000D; the "
	    "file must be plain text (Windows line ends? convert them with "
	    "dos2unix)");
	refused("proctor a\xe2\x80\xae" "b\n", "hall.conf:1:10: invisible or "
	    "bidi character U+202E; the file must be plain text");
	refused("db \xc3\xa9\xe2\x81\xa6x\n", "hall.conf:1:5: invisible or "
	    "bidi character U+2066; the file must be plain text");
	refused("#\x1b[2J\n", "hall.conf:1:2: control character U+001B; the "
	    "file must be plain text");
	refused("db \xff\n", "hall.conf:1: not UTF-8 text; save the file as "
	    "UTF-8");
	ck_assert_int_eq(config_parse(&cfg, "h", "db x\0y\n", 7,
	    cmd_console_entry.options, NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "h:1:5: control character U+0000; the file "
	    "must be plain text");
	/* No HOME: a ~ is an error, not a path under "". */
	ck_assert_int_eq(config_parse(&cfg, "h", "db ~/x", 6,
	    cmd_console_entry.options, NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "h:1: \"~/x\" starts with ~ and HOME is not set "
	    "to an absolute path; give the whole path");
	/* The file's name is shown sanitised. */
	ck_assert_int_eq(config_parse(&cfg, "a\x1b" "b", "x\n", 2,
	    cmd_console_entry.options, NULL, err, sizeof err), -1);
	ck_assert_ptr_eq(strstr(err, "a\\x1bb:1: unknown key"), err);
}
END_TEST

START_TEST(test_bounds)
{
	char	*text;
	size_t	 i, len;

	/* A line of 1024 bytes is fine, 1025 is not. */
	text = malloc(4096);
	memcpy(text, "db ", 3);
	memset(text + 3, 'a', 1021);
	text[1024] = '\0';
	ck_assert_int_eq(parse(text), 0);
	ck_assert_uint_eq(strlen(cfg.items[0].value), 1021);
	config_free(&cfg);
	memcpy(text, "ping 1\ndb ", 10);
	memset(text + 10, 'a', 1022);
	strcpy(text + 1032, "\n");
	refused(text, "hall.conf:2: longer than 1024 bytes");
	/* 128 settings, not 129. */
	for (i = 0, len = 0; i < 128; i++)
		len += (size_t)sprintf(text + len, "feed ws://h%zu/\n", i % 10);
	ck_assert_int_eq(parse(text), 0);
	ck_assert_uint_eq(cfg.n, 128);
	config_free(&cfg);
	strcpy(text + len, "ping 3\n");
	refused(text, "hall.conf:129: more than 128 settings in one file");
	free(text);
}
END_TEST

/* Write text to dir/name with mode; the path in buf. */
static const char *
write_file(char *buf, size_t len, const char *dir, const char *name,
    const char *text, mode_t mode)
{
	FILE	*f;

	snprintf(buf, len, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(buf, "w"));
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(buf, mode), 0);
	return buf;
}

START_TEST(test_load)
{
	char		dir[256], path[512], want[2048], *big;
	struct timespec	t0, t1;

	check_tmp_make(dir, sizeof dir);
	ck_assert_int_eq(config_load(&cfg, write_file(path, sizeof path, dir,
	    "ok", "proctor ana\nping 5\n", 0640), cmd_console_entry.options,
	    err, sizeof err), 0);
	item_is(1, "ping", "5", 2);
	ck_assert_str_eq(cfg.shown, path);
	config_free(&cfg);

	/* Writable by group or others: refused, as it names token files. */
	ck_assert_int_eq(config_load(&cfg, write_file(path, sizeof path, dir,
	    "loose", "ping 5\n", 0620), cmd_console_entry.options, err,
	    sizeof err), -1);
	snprintf(want, sizeof want, "%s: the config file is writable by others "
	    "(mode 620), and it names token files; run: chmod go-w %s", path,
	    path);
	ck_assert_str_eq(err, want);

	/* A FIFO is refused at once, not waited on. */
	snprintf(path, sizeof path, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(config_load(&cfg, path, cmd_console_entry.options,
	    err, sizeof err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	ck_assert_ptr_nonnull(strstr(err, "is a FIFO, not a regular file"));
	ck_assert_int_eq(config_load(&cfg, dir, cmd_console_entry.options, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));

	/* Larger than 64 KiB: refused whole. */
	big = calloc(1, CONFIG_FILE_MAX + 2);
	memset(big, '#', CONFIG_FILE_MAX + 1);
	ck_assert_int_eq(config_load(&cfg, write_file(path, sizeof path, dir,
	    "big", big, 0600), cmd_console_entry.options, err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "larger than 65536 bytes"));
	big[CONFIG_FILE_MAX] = '\0';
	big[0] = '\n';	/* 64 lines of comments (the first empty): fine */
	for (size_t i = 1000; i < CONFIG_FILE_MAX; i += 1000)
		big[i] = '\n';
	ck_assert_int_eq(config_load(&cfg, write_file(path, sizeof path, dir,
	    "edge", big, 0600), cmd_console_entry.options, err, sizeof err),
	    0);
	free(big);
}
END_TEST

START_TEST(test_default_path)
{
	char	path[256];

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	setenv("HOME", "/home/ana", 1);
	ck_assert_int_eq(config_default_path(path, sizeof path, err,
	    sizeof err), 0);
	ck_assert_str_eq(path, "/x/cfg/invigil/config");
	/* A relative XDG_CONFIG_HOME is ignored, as the spec says. */
	setenv("XDG_CONFIG_HOME", "rel", 1);
	ck_assert_int_eq(config_default_path(path, sizeof path, err,
	    sizeof err), 0);
	ck_assert_str_eq(path, "/home/ana/.config/invigil/config");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(config_default_path(path, sizeof path, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "give --config PATH"));
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("config");

	tcase_add_test(tc, test_items);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_default_path);
	check_tmp_fixture(tc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(config_suite());
}
