/*
 * check_signer.h - a signing key for the Check suites that append journal
 * entries: since schema 4 every entry is signed by its actor, and the
 * store refuses an entry it has no key for.  check_signer() gives the
 * store the key of name, made from a seed derived from the name (so the
 * same name is the same key in every test), and with role not NULL
 * registers it in the keys table as verify's fallback for a trust file.
 * Header-only, so each suite still links only its own modules.
 */
#ifndef CHECK_SIGNER_H
#define CHECK_SIGNER_H

#include <check.h>
#include <string.h>

#include "store/sign.h"
#include "store/store.h"

/* The key of name, made once per process; never freed (tests fork). */
static struct sign_key *
check_signer_key(const char *name)
{
	static struct sign_key	*keys[32];
	static size_t		 n;
	uint8_t			 seed[SIGN_HASH_LEN];
	char			 err[256];
	size_t			 i;

	for (i = 0; i < n; i++)
		if (strcmp(sign_key_name(keys[i]), name) == 0)
			return keys[i];
	ck_assert_uint_lt(n, 32);
	sign_sha256(name, strlen(name), seed);
	keys[n] = sign_key_from_seed(name, seed, err, sizeof err);
	ck_assert_msg(keys[n] != NULL, "%s", err);
	return keys[n++];
}

/* s signs with name's key from now on; role: register it, or NULL. */
static inline struct sign_key *
check_signer(struct store *s, const char *name, const char *role)
{
	struct sign_key	*k = check_signer_key(name);
	char		 err[512];

	if (role != NULL)
		ck_assert_msg(store_key_register(s, k, name, role, err,
		    sizeof err) == 0, "%s", err);
	store_set_signer(s, k);
	return k;
}

#endif /* CHECK_SIGNER_H */
