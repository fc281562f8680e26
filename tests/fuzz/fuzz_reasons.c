/*
 * fuzz_reasons.c - libFuzzer harness for reason files (reasons_parse,
 * invigil-reasons(5)).
 *
 * Any input either parses or is refused with one sentence that starts with
 * the file name and a line:column, is NUL-terminated, and carries no
 * control character (it reaches a terminal).  A list that parses holds
 * 1 to REASONS_MAX codes, each well formed and found by its own name, and
 * its labels carry nothing the display sanitiser would escape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/reasons.h"
#include "proto/proto.h"
#include "tests/fuzz/fuzz-error.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
exercise(const struct reasons *rs)
{
	const struct reason	*r;
	char			 shown[4 * REASONS_LABEL_MAX + 1], err[512];
	size_t			 i, n = reasons_count(rs);

	if (n == 0 || n > REASONS_MAX)
		abort();
	for (i = 0; i < n; i++) {
		r = reasons_at(rs, i);
		if (r->code[0] == '\0' || strlen(r->code) > REASONS_CODE_MAX ||
		    strspn(r->code, "abcdefghijklmnopqrstuvwxyz0123456789_.") !=
		    strlen(r->code) || reasons_find(rs, r->code) != r)
			abort();
		proto_sanitize(r->label, strlen(r->label), shown, sizeof shown);
		if (strcmp(shown, r->label) != 0)
			abort();	/* a label the screen would escape */
		(void)reasons_match(r, r->code);
		(void)reasons_for_act(r, "confirm");
	}
	reasons_unknown(rs, "security.x", err, sizeof err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reasons	*rs;
	char		 err[512];

	memset(err, 'x', sizeof err);
	rs = reasons_parse((const char *)data, size, "fuzz.reasons", err,
	    sizeof err);
	if (rs != NULL) {
		exercise(rs);
		reasons_free(rs);
		return 0;
	}
	fuzz_check_error(err, sizeof err, "fuzz.reasons:");
	return 0;
}
