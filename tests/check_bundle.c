/*
 * check_bundle.c - Check suite for store/bundle.c: evidence bundles of one
 * attempt, written from a real database file (messages, flags and
 * decisions through the store's own API, an 'rfc6962' checkpoint signed
 * over the journal's Merkle tree) and checked with no database.
 *
 * Promises tested: a bundle verifies and holds exactly the attempt's
 * rows; it names no other attempt, candidate or name (a flag whose
 * message names one is redacted, a decision whose body names one is
 * withheld and still proven); every single-byte change and every removed
 * line fails; a re-signed bundle with a changed entry fails its proof; a
 * wrong --key fails; an entry past the last checkpoint refuses the bundle.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp */
#endif

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "store/bundle.h"
#include "store/import.h"
#include "store/sign.h"
#include "store/store.h"

#define CHECK_TMP_NAME	"check_bundle"
#include "check_tmp.h"
#include "tests/check_main.h"
#include "tests/check_signer.h"

static char		 tmpdir[64];
static char		 dbpath[128];
static char		 err[1024];
static struct sign_key	*console_key, *analyst_key, *other_key;

static void
setup(void)
{
	uint8_t	seed[32];

	check_tmp_make(tmpdir, sizeof tmpdir);
	snprintf(dbpath, sizeof dbpath, "%s/invigil.db", tmpdir);
	memset(seed, 1, sizeof seed);
	console_key = sign_key_from_seed("console", seed, err, sizeof err);
	memset(seed, 2, sizeof seed);
	analyst_key = sign_key_from_seed("analyst", seed, err, sizeof err);
	memset(seed, 3, sizeof seed);
	other_key = sign_key_from_seed("analyst", seed, err, sizeof err);
	ck_assert_ptr_nonnull(console_key);
	ck_assert_ptr_nonnull(other_key);
}

static void
teardown(void)
{
	sign_key_free(console_key);
	sign_key_free(analyst_key);
	sign_key_free(other_key);
	check_tmp_rm(tmpdir);
}

/* Queue m as the feed would send it (its canonical encoding). */
static void
add_message(struct store *s, const struct proto_msg *m)
{
	char	*raw;
	size_t	 n;

	ck_assert_msg((raw = proto_encode(m, &n, err, sizeof err)) != NULL,
	    "%s", err);
	ck_assert_msg(store_add_message(s, "F", 1, m, raw, n,
	    1700000000000 + m->seq, err, sizeof err) == 0, "%s", err);
	free(raw);
}

/* An attempt message: attempt, candidate, name. */
static void
add_attempt(struct store *s, int64_t seq, const char *attempt,
    const char *candidate, const char *name)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	m.seq = seq;
	m.ts_ms = 1700000000000 + seq;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s",
	    attempt);
	snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate, "%s",
	    candidate);
	snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "%s", name);
	snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EX1");
	snprintf(m.u.attempt.device, sizeof m.u.attempt.device, "dev-9");
	m.u.attempt.modality = PROTO_MODALITY_REMOTE;
	m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
	add_message(s, &m);
}

/* An event of attempt with data (a JSON object's text). */
static void
add_event(struct store *s, int64_t seq, const char *attempt,
    const char *data)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_EVENT;
	m.seq = seq;
	m.ts_ms = 1700000000000 + seq;
	snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "%s", attempt);
	m.u.event.kind = PROTO_EV_FOCUS_LOST;
	m.u.event.data = (char *)data;
	m.u.event.data_len = strlen(data);
	add_message(s, &m);
}

static void
add_flag(struct store *s, int64_t id, const char *attempt,
    const char *message, const char *evidence)
{
	struct store_flag	f;

	memset(&f, 0, sizeof f);
	f.id = id;
	f.feed = "F";
	f.attempt = attempt;
	f.rule = "shared_device";
	f.severity = PROTO_SEV_HIGH;
	f.message = message;
	f.evidence = evidence;
	f.first_seq = f.last_seq = 4;
	f.count = 1;
	f.state = STORE_FLAG_OPEN;
	ck_assert_msg(store_put_flag(s, &f, err, sizeof err) == 0, "%s", err);
}

static void
decide(struct store *s, const char *attempt, int64_t flag_id,
    const char *reason)
{
	struct store_journal_entry	e;

	memset(&e, 0, sizeof e);
	e.actor = "console";
	e.role = "proctor";
	e.kind = "note";
	e.feed = "F";
	e.attempt = attempt;
	e.flag_id = flag_id;
	e.reason = reason;
	e.evidence = "{\"flags\":[]}";
	e.detail = "{}";
	ck_assert_msg(store_journal_append(s, &e, NULL, NULL, err,
	    sizeof err) == 0, "%s", err);
}

/* What build() leaves out or adds. */
#define BUILD_LATE		0x1	/* a note on A-1 after the checkpoint */
#define BUILD_NO_JOURNAL	0x2	/* no decision, no checkpoint */

/*
 * The story on feed F: A-1 (C-1, Ada Lovelace) with events 4, 6 and 8
 * (8 names A-2); A-2 (C-2, Bob Builder) with events 5, 7; A-3 (C-3, Cy
 * Young).  Flag 1 on A-1 names A-2 and its evidence holds A-2's seq 5;
 * flag 2 on A-1 is plain; flag 3 on A-2.  The journal: a note on A-1, one
 * on A-2, one on A-1 whose reason names Bob Builder, one on A-1; then the
 * checkpoint; with BUILD_LATE, one more note on A-1 after it.  (Ids with
 * '-', which neither base64 nor hex holds, so that no signature or hash
 * matches them.)
 */
static void
build(int how)
{
	struct store	*s;
	int64_t		 size;

	ck_assert_msg(store_open(&s, dbpath, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_key_register(s, console_key, "console",
	    "proctor", err, sizeof err), 0);
	store_set_signer(s, console_key);
	add_attempt(s, 1, "A-1", "C-1", "Ada Lovelace");
	add_attempt(s, 2, "A-2", "C-2", "Bob Builder");
	add_attempt(s, 3, "A-3", "C-3", "Cy Young");
	add_event(s, 4, "A-1", "{}");
	add_event(s, 5, "A-2", "{}");
	add_event(s, 6, "A-1", "{\"x\":\"\\u001b[2J\"}");
	add_event(s, 7, "A-2", "{}");
	add_event(s, 8, "A-1", "{\"near\":\"A-2\"}");
	add_flag(s, 1, "A-1", "same device as A-2", "4,5");
	add_flag(s, 2, "A-1", "looked away", "4,6");
	add_flag(s, 3, "A-2", "same device as A-1", "5");
	ck_assert_msg(store_flush(s, err, sizeof err) == 0, "%s", err);
	if (how & BUILD_NO_JOURNAL) {
		ck_assert_msg(store_close(s, err, sizeof err) == 0, "%s", err);
		return;
	}
	decide(s, "A-1", 2, "seen on camera");
	decide(s, "A-2", 3, "other candidate");
	decide(s, "A-1", 1, "sat beside Bob Builder");
	decide(s, "A-1", 0, "all fine");
	ck_assert_int_eq(store_checkpoint(s, console_key, &size, err,
	    sizeof err), 0);
	ck_assert_int_eq(size, 4);
	if (how & BUILD_LATE)
		decide(s, "A-1", 0, "after the checkpoint");
	ck_assert_msg(store_close(s, err, sizeof err) == 0, "%s", err);
}

/* The bundle of attempt in the database at path, signed by the analyst;
 * *len its length. */
static char *
write_bundle_at(const char *path, const char *attempt, size_t *len,
    struct bundle_summary *sum)
{
	struct store_reader	*r;
	struct bundle_options	 o;
	char			*text;

	memset(&o, 0, sizeof o);
	o.attempt = attempt;
	o.key = analyst_key;
	o.now_ms = 1700000000000;
	ck_assert_msg(store_reader_open(&r, path, err, sizeof err) == 0,
	    "%s", err);
	text = bundle_write(r, &o, len, sum, err, sizeof err);
	store_reader_close(r);
	return text;
}

/* The bundle of attempt in the story's database. */
static char *
write_bundle(const char *attempt, size_t *len, struct bundle_summary *sum)
{
	return write_bundle_at(dbpath, attempt, len, sum);
}

START_TEST(test_bundle_verifies)
{
	struct bundle_summary	 w, v;
	const char		*keys[2];
	char			*text;
	size_t			 len;

	build(0);
	text = write_bundle("A-1", &len, &w);
	ck_assert_msg(text != NULL, "%s", err);
	ck_assert_int_eq(w.messages, 4);	/* attempt message, 4, 6, 8 */
	ck_assert_int_eq(w.flags, 2);
	ck_assert_int_eq(w.entries, 3);
	ck_assert_int_eq(w.checkpoint_size, 4);
	ck_assert_msg(bundle_verify(text, len, NULL, 0, &v, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(v.messages, 4);
	ck_assert_int_eq(v.withheld, 2);	/* event 8, the Bob Builder note */
	ck_assert_int_eq(v.flags, 2);
	ck_assert_int_eq(v.entries, 3);
	ck_assert_str_eq(v.attempt, "A-1");
	ck_assert_str_eq(v.exporter, "analyst");
	ck_assert_str_eq(v.checkpoint_signers, "console");
	ck_assert_int_eq(v.keys_given, 0);
	ck_assert_int_eq(v.exporter_given, 0);
	/* Against keys kept apart: the console's and the analyst's. */
	keys[0] = sign_key_vkey(console_key);
	keys[1] = sign_key_vkey(analyst_key);
	ck_assert_msg(bundle_verify(text, len, keys, 2, &v, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(v.keys_given, 1);
	ck_assert_int_eq(v.exporter_given, 1);
	/* A wrong key for either fails. */
	keys[0] = sign_key_vkey(other_key);
	ck_assert_int_eq(bundle_verify(text, len, keys, 1, &v, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "signature") != NULL, "%s", err);
	keys[0] = sign_key_vkey(analyst_key);	/* not the console's */
	ck_assert_int_eq(bundle_verify(text, len, keys, 1, &v, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "checkpoint is signed by none") != NULL,
	    "%s", err);
	free(text);
}
END_TEST

START_TEST(test_no_other_attempt)
{
	static const char *const other[] = { "A-2", "A-3", "C-2", "C-3",
	    "Bob Builder", "Cy Young" };
	struct bundle_summary	 w;
	char			*text;
	size_t			 len, i;

	build(0);
	ck_assert_msg((text = write_bundle("A-1", &len, &w)) != NULL, "%s", err);
	for (i = 0; i < sizeof other / sizeof other[0]; i++)
		ck_assert_msg(strstr(text, other[i]) == NULL, "the bundle names "
		    "%s:\n%s", other[i], text);
	/* Its own, and what was kept out in their place. */
	ck_assert_ptr_nonnull(strstr(text, "Ada Lovelace"));
	ck_assert_ptr_nonnull(strstr(text, "\"redacted\":[\"message\","
	    "\"evidence\"]"));
	ck_assert_ptr_nonnull(strstr(text, "\"evidence\":\"4\""));
	ck_assert_ptr_nonnull(strstr(text, "\"evidence\":\"4,6\""));
	ck_assert_ptr_nonnull(strstr(text, "\"leaf_hash\":"));
	ck_assert_ptr_nonnull(strstr(text, "\"body_sha256\":"));
	ck_assert_int_eq(w.withheld, 2);
	ck_assert_int_eq(w.redacted, 1);
	free(text);
}
END_TEST

/* Every byte changed (each of 3 ways) and every line removed: fails. */
START_TEST(test_every_change_fails)
{
	struct bundle_summary	 w, v;
	char			*text, *copy;
	size_t			 len, i, k, start, end, changed = 0;
	static const unsigned char flip[] = { 0x01, 0x20, 0x80 };

	build(0);
	ck_assert_msg((text = write_bundle("A-1", &len, &w)) != NULL, "%s", err);
	copy = malloc(len + 1);
	for (i = 0; i < len; i++)
		for (k = 0; k < sizeof flip; k++) {
			memcpy(copy, text, len + 1);
			copy[i] ^= (char)flip[k];
			ck_assert_msg(bundle_verify(copy, len, NULL, 0, &v, err,
			    sizeof err) == -1, "byte %zu ^ %#x verifies", i,
			    flip[k]);
			changed++;
		}
	for (start = 0; start < len; start = end) {
		end = (size_t)(strchr(text + start, '\n') - text) + 1;
		memcpy(copy, text, start);
		memcpy(copy + start, text + end, len - end + 1);
		ck_assert_msg(bundle_verify(copy, len - (end - start), NULL, 0,
		    &v, err, sizeof err) == -1, "without the line at %zu it "
		    "verifies", start);
	}
	ck_assert_uint_gt(changed, 3000);
	free(copy);
	free(text);
}
END_TEST

/*
 * Whoever holds the bundle can change an entry and sign it again with a
 * key of their own (the bundle's own vkey then holds): the entry's proof
 * still fails, and with the exporter's --key the signature fails first.
 */
START_TEST(test_resigned_entry_fails)
{
	struct bundle_summary	 w, v;
	struct sign_note	 n;
	const char		*keys[1];
	char			*text, *forged, *p, *vk, *again;
	size_t			 len;

	build(0);
	ck_assert_msg((text = write_bundle("A-1", &len, &w)) != NULL, "%s", err);
	ck_assert_int_eq(sign_note_parse(text, len, &n, err, sizeof err), 0);
	forged = strdup(n.text);
	ck_assert_ptr_nonnull(p = strstr(forged, "all fine"));
	memcpy(p, "all good", 8);
	/* The forger's vkey in place of the analyst's (same name, length). */
	vk = strstr(forged, sign_key_vkey(analyst_key));
	ck_assert_ptr_nonnull(vk);
	memcpy(vk, sign_key_vkey(other_key), strlen(sign_key_vkey(other_key)));
	ck_assert_ptr_nonnull(again = sign_note(other_key, forged, err,
	    sizeof err));
	ck_assert_int_eq(bundle_verify(again, strlen(again), NULL, 0, &v, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "inclusion proof") != NULL, "%s", err);
	keys[0] = sign_key_vkey(analyst_key);
	ck_assert_int_eq(bundle_verify(again, strlen(again), keys, 1, &v, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "signature") != NULL, "%s", err);
	sign_note_clear(&n);
	free(again);
	free(forged);
	free(text);
}
END_TEST

START_TEST(test_uncovered_entry_refused)
{
	struct bundle_summary	 w;
	char			*text;
	size_t			 len;

	build(BUILD_LATE);
	ck_assert_ptr_null(write_bundle("A-1", &len, &w));
	ck_assert_msg(strstr(err, "journal entry 5 of attempt A-1 (journal "
	    "invigil.local/journal/") != NULL && strstr(err, "is covered by no "
	    "Merkle tree ('rfc6962') checkpoint yet (the latest is of size "
	    "4)") != NULL, "%s", err);
	/* A2 has nothing after the checkpoint: its bundle is written. */
	ck_assert_ptr_nonnull(text = write_bundle("A-2", &len, &w));
	free(text);
}
END_TEST

/* A console that decided nothing signed no checkpoint: a bundle holds
 * the messages and flags, and no entry to prove. */
START_TEST(test_no_journal)
{
	struct bundle_summary	 w, v;
	char			*text;
	size_t			 len;

	build(BUILD_NO_JOURNAL);
	ck_assert_msg((text = write_bundle("A-1", &len, &w)) != NULL, "%s", err);
	ck_assert_int_eq(w.entries, 0);
	ck_assert_int_eq(w.checkpoint_size, 0);
	ck_assert_ptr_null(strstr(text, "\"type\":\"checkpoint\""));
	ck_assert_msg(bundle_verify(text, len, NULL, 0, &v, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(v.messages, 4);
	ck_assert_int_eq(v.flags, 2);
	free(text);
}
END_TEST

/*
 * A case database merged by `review import`: the attempt's entries are in
 * the source's imported journal, proven in its imported checkpoint.
 */
START_TEST(test_imported_journal)
{
	struct bundle_summary	 w, v;
	struct store_import	 res;
	struct store		*s;
	const char		*keys[1];
	char			 casepath[160], needle[300], *text, *p;
	size_t			 len;
	int			 n;

	build(0);
	snprintf(casepath, sizeof casepath, "%s/case.db", tmpdir);
	ck_assert_msg(store_open(&s, casepath, err, sizeof err) == 0, "%s",
	    err);
	check_signer(s, "eve", "analyst");
	ck_assert_msg(store_import(s, dbpath, "eve", &res, err, sizeof err) ==
	    0, "%s", err);
	ck_assert_msg(store_close(s, err, sizeof err) == 0, "%s", err);
	text = write_bundle_at(casepath, "A-1", &len, &w);
	ck_assert_msg(text != NULL, "%s", err);
	ck_assert_int_eq(w.entries, 3);
	ck_assert_int_eq(w.checkpoints, 1);
	ck_assert_int_eq(w.messages, 4);
	/* The three entries name the source's journal. */
	snprintf(needle, sizeof needle, "\"origin\":\"%s\"", res.origin);
	for (p = text, n = 0; (p = strstr(p, needle)) != NULL; p++)
		n++;
	ck_assert_int_eq(n, 3);
	keys[0] = sign_key_vkey(console_key);
	ck_assert_msg(bundle_verify(text, len, keys, 1, &v, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(v.entries, 3);
	ck_assert_str_eq(v.checkpoint_signers, "console");
	ck_assert_ptr_null(strstr(text, "Bob Builder"));
	free(text);
}
END_TEST

START_TEST(test_unknown_attempt)
{
	struct bundle_summary	 w;
	size_t			 len;

	build(0);
	ck_assert_ptr_null(write_bundle("A-9", &len, &w));
	ck_assert_msg(strstr(err, "no attempt A-9") != NULL, "%s", err);
}
END_TEST

static Suite *
bundle_suite(void)
{
	Suite	*su;
	TCase	*tc;

	su = suite_create("bundle");
	tc = tcase_create("bundle");
	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bundle_verifies);
	tcase_add_test(tc, test_no_other_attempt);
	tcase_add_test(tc, test_every_change_fails);
	tcase_add_test(tc, test_resigned_entry_fails);
	tcase_add_test(tc, test_uncovered_entry_refused);
	tcase_add_test(tc, test_no_journal);
	tcase_add_test(tc, test_imported_journal);
	tcase_add_test(tc, test_unknown_attempt);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(bundle_suite());
}
