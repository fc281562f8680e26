/*
 * check_main.h - the main() of every Check suite: run the suite, exit
 * non-zero when a test failed.  Header-only, so each suite still links only
 * its own modules.
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int
check_main(Suite *su)
{
	SRunner	*sr = srunner_create(su);
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* CHECK_MAIN_H */
