/*
 * token.c - bearer tokens for the WebSocket handshake.
 *
 * A token lives in a file (never on a command line, where ps(1) shows it):
 * its first line, trailing white space removed, 16 to 4096 characters of
 * RFC 6750's b64token set.  The file must not be readable by group or
 * others.  Tokens are compared in constant time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/proto.h"

static int
token_char_ok(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

/* A token file holds one line; anything this large is something else. */
#define TOKEN_FILE_MAX	(64 * 1024)

int
proto_token_load(const char *path, char *out, size_t outsz, char *err,
    size_t errlen)
{
	char		*buf, *nl, shown[512];
	size_t		 len, i, filelen;
	unsigned	 mode;

	if (proto_file_read(path, "token file", TOKEN_FILE_MAX, &buf, &filelen,
	    &mode, err, errlen) != 0)
		return -1;
	proto_sanitize(path, strlen(path), shown, sizeof shown);
	if ((mode & 077) != 0) {
		OPENSSL_cleanse(buf, filelen);
		free(buf);
		snprintf(err, errlen, "token file %s is readable by others; "
		    "run: chmod 600 %s", shown, shown);
		return -1;
	}
	nl = memchr(buf, '\n', filelen);
	len = nl != NULL ? (size_t)(nl - buf) : filelen;
	if (len >= outsz || len > PROTO_TOKEN_MAX) {
		OPENSSL_cleanse(buf, filelen);
		free(buf);
		snprintf(err, errlen, "token file %s: the token is longer "
		    "than %d characters", shown, PROTO_TOKEN_MAX);
		return -1;
	}
	memcpy(out, buf, len);
	OPENSSL_cleanse(buf, filelen);
	free(buf);
	while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t' ||
	    out[len - 1] == '\r'))
		len--;
	out[len] = '\0';
	/* b64token: the characters above, then '=' padding only at the end. */
	for (i = 0; i < len && token_char_ok((unsigned char)out[i]); i++)
		;
	while (i < len && out[i] == '=')
		i++;
	if (len < PROTO_TOKEN_MIN || i != len) {
		snprintf(err, errlen, "token file %s: the first line must be "
		    "%d to %d characters of A-Z a-z 0-9 - . _ ~ + / (and = at "
		    "the end)", shown, PROTO_TOKEN_MIN, PROTO_TOKEN_MAX);
		memset(out, 0, outsz);
		return -1;
	}
	return 0;
}

int
proto_token_equal(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}
