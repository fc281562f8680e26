/*
 * check_tmp.h - temporary directories for the Check suites that go away
 * even when a test fails.
 *
 * A checked fixture's teardown runs in the forked child after the test
 * function returns; a failed ck_assert ends that child at once (and a
 * crash or a timeout kills it), so a directory removed only there stays in
 * /tmp.  Instead each test case gets a base directory from an unchecked
 * fixture, which Check runs in the runner process before the case's first
 * test and after its last whatever became of them; every test makes its
 * own directory inside it (check_tmp_make(), from its checked setup or the
 * test itself), and the unchecked teardown removes the whole base.
 *
 * A suite defines CHECK_TMP_NAME ("check_store") before including this and
 * calls check_tmp_fixture(tc) on every test case that makes directories.
 * Header-only, so each suite still links only its own modules.
 */
#ifndef CHECK_TMP_H
#define CHECK_TMP_H

#include <sys/stat.h>

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef CHECK_TMP_NAME
#error "define CHECK_TMP_NAME before including check_tmp.h"
#endif

/* The current test case's base directory, made in the runner process. */
static char	check_tmp_base[64];

static int
check_tmp_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* A test may leave a directory without write or search permission. */
	if (flag == FTW_DP || flag == FTW_DNR)
		chmod(path, 0700);
	if (remove(path) == -1 && flag == FTW_DNR) {
		nftw(path, check_tmp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		remove(path);
	}
	return 0;
}

/* Remove the tree at path; quietly does nothing if it is not there. */
static void
check_tmp_rm(const char *path)
{
	struct stat	st;

	if (path[0] == '\0' || lstat(path, &st) == -1)
		return;
	nftw(path, check_tmp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (lstat(path, &st) == 0)
		fprintf(stderr, "%s: could not remove %s\n", CHECK_TMP_NAME,
		    path);
}

static void
check_tmp_base_setup(void)
{
	snprintf(check_tmp_base, sizeof check_tmp_base,
	    "/tmp/" CHECK_TMP_NAME ".XXXXXX");
	if (mkdtemp(check_tmp_base) == NULL) {
		check_tmp_base[0] = '\0';
		ck_abort_msg("cannot make a directory under /tmp");
	}
}

static void
check_tmp_base_teardown(void)
{
	check_tmp_rm(check_tmp_base);
	check_tmp_base[0] = '\0';
}

/* Give tc a base directory that is removed after its last test. */
static void
check_tmp_fixture(TCase *tc)
{
	tcase_add_unchecked_fixture(tc, check_tmp_base_setup,
	    check_tmp_base_teardown);
}

/*
 * Make a fresh directory inside the test case's base and write its path
 * into buf (len bytes); fails the test if that cannot be done.
 */
static void
check_tmp_make(char *buf, size_t len)
{
	ck_assert_msg(check_tmp_base[0] != '\0', "no check_tmp_fixture() on "
	    "this test case");
	ck_assert_int_lt(snprintf(buf, len, "%s/t.XXXXXX", check_tmp_base),
	    (int)len);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

#endif /* CHECK_TMP_H */
