/*
 * fuzz-error.h - what the file-format harnesses ask of a refusal: one
 * sentence in the caller's buffer of size bytes (filled with 'x' before
 * the parse), NUL-terminated, starting with prefix (the file name and
 * its line), with no raw control character (it reaches a terminal).
 * Aborts otherwise.  Header-only, so each harness links only its parser.
 */
#ifndef FUZZ_ERROR_H
#define FUZZ_ERROR_H

#include <stdlib.h>
#include <string.h>

static inline void
fuzz_check_error(const char *err, size_t size, const char *prefix)
{
	size_t	i;

	if (memchr(err, '\0', size) == NULL)
		abort();
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		abort();
	for (i = 0; err[i] != '\0'; i++) {
		unsigned char c = (unsigned char)err[i];

		if (c < 0x20 || c == 0x7f)
			abort();	/* a raw control character in the error */
	}
}

#endif /* FUZZ_ERROR_H */
