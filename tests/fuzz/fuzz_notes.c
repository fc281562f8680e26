/*
 * fuzz_notes.c - libFuzzer harness for checkpoint files (store/sign.c):
 * what `invigil review verify --checkpoints FILE` reads, which may come
 * from anywhere.
 *
 * sign_notes_split either refuses the input with one NUL-terminated
 * sentence or hands over notes that each lie inside the input; every note
 * is parsed, a parsed checkpoint's text is exactly what
 * sign_checkpoint_body() writes for its fields when it has no extension
 * lines, and checking its signatures against a key made here never crashes
 * and never says "valid" (the fuzzer cannot forge Ed25519).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sign.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *buf_start;
static size_t buf_len;

static int
one(const char *note, size_t len, int line, void *arg, char *err,
    size_t errlen)
{
	struct sign_note	 n;
	char			 body[512], perr[512];
	const char		*vkey = arg;

	(void)err;
	(void)errlen;
	if (line < 1 || note < buf_start || note + len > buf_start + buf_len)
		abort();
	if (sign_note_parse(note, len, &n, perr, sizeof perr) == -1) {
		if (memchr(perr, '\0', sizeof perr) == NULL || perr[0] == '\0')
			abort();
		sign_note_clear(&n);
		return 0;
	}
	if (n.is_checkpoint && sign_checkpoint_body(body, sizeof body,
	    n.origin, n.size, n.root, perr, sizeof perr) == 0 &&
	    strlen(body) == n.textlen && memcmp(body, n.text, n.textlen) != 0)
		abort();
	if (sign_note_verify(&n, vkey, perr, sizeof perr) == 1)
		abort();
	sign_note_clear(&n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sign_key	*key;
	static const uint8_t	 seed[32] = { 7, 7, 7 };
	const char		*vkey;
	char			 err[512];
	int			 n;

	if (key == NULL && (key = sign_key_from_seed("fuzz", seed, err,
	    sizeof err)) == NULL)
		abort();
	vkey = sign_key_vkey(key);

	buf_start = (const char *)data;
	buf_len = size;
	err[0] = '\0';
	n = sign_notes_split((const char *)data, size, one, (void *)vkey, err,
	    sizeof err);
	if (n == -1 && (memchr(err, '\0', sizeof err) == NULL ||
	    err[0] == '\0'))
		abort();
	return 0;
}
