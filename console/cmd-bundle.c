/*
 * cmd-bundle.c - `invigil review bundle` and `invigil review verify-bundle`:
 * one attempt's evidence in one signed file for an appeals panel
 * (store/bundle.c, invigil-bundle(5)), and its check with no database.
 * Here: the options, the exporter's key, writing the file safely, and
 * printing what was verified, sanitised (a bundle is outside input).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "console/app.h"
#include "console/commands.h"
#include "forensics/forensics.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/bundle.h"
#include "store/sign.h"
#include "store/store.h"

/* Most --key options of verify-bundle. */
#define BUNDLE_KEYS_MAX	16

/* Print "invigil NAME: " and err, sanitised; return status. */
static int
bundle_error(const struct cmd_entry *self, const char *err, int status)
{
	char	clean[4 * 1024];

	fprintf(stderr, "invigil %s: %s\n", self->name,
	    proto_clean(err, clean, sizeof clean));
	return status;
}

int
cmd_file_save(const char *path, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		 tmp[4096];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, rc = -1;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a regular file; "
		    "give --out the path of a file", path);
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof tmp) {
		snprintf(err, errlen, "the --out path is too long");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off == len && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0 || rc != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The exporter's key from keydir (NULL: the default key directory),
 * created on first use. */
static struct sign_key *
bundle_key(const char *keydir, const char *actor, char *err, size_t errlen)
{
	char	dir[1024];

	if (sign_key_dir_or(keydir, dir, sizeof dir, err, errlen) != 0)
		return NULL;
	return sign_key_load(dir, actor, NULL, err, errlen);
}

/* A number, or null for NAN (not computable). */
static json_t *
fx_number(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* The indices of attempt j of the report (the partner withheld). */
static void
fx_indices(json_t *obj, const struct forensics_run_attempt *a)
{
	json_object_set_new(obj, "n_items", json_integer(a->n_items));
	json_object_set_new(obj, "score", json_integer(a->score));
	json_object_set_new(obj, "theta", fx_number(a->theta));
	json_object_set_new(obj, "theta_se", fx_number(a->theta_se));
	json_object_set_new(obj, "tau", fx_number(a->tau));
	json_object_set_new(obj, "lz", fx_number(a->lz));
	json_object_set_new(obj, "lz_p", fx_number(a->lz_p));
	json_object_set_new(obj, "rt_fit_p", fx_number(a->rt_fit_p));
	json_object_set_new(obj, "fast_share", fx_number(a->fast_share));
	json_object_set_new(obj, "rte", fx_number(a->rte));
	json_object_set_new(obj, "preknowledge_p",
	    fx_number(a->preknowledge_p));
	json_object_set_new(obj, "similarity_p", fx_number(a->similarity_p));
	if (a->partner >= 0)
		json_object_set_new(obj, "similarity_partner",
		    json_string("withheld: another candidate"));
	json_object_set_new(obj, "n_changed", json_integer(a->n_changed));
	json_object_set_new(obj, "edi_p", fx_number(a->edi_p));
	json_object_set_new(obj, "combined_p", fx_number(a->combined_p));
	json_object_set_new(obj, "q", fx_number(a->q));
	json_object_set_new(obj, "flagged", json_boolean(a->flagged));
	if (a->reason != NULL)
		json_object_set_new(obj, "reason", json_string(a->reason));
}

/*
 * bundle_forensics_fn: the analysis `invigil review forensics --exam E
 * --form F` runs (default options, no compromised list) on the attempt's
 * exam and form, and this attempt's row of it.  What cannot be analysed
 * is said in "reason", not refused.  Clusters, which name other
 * attempts, are not computed (no centre, address or device keys).
 */
static void *
bundle_forensics(struct store_reader *reader, const char *feed,
    const char *attempt, const char *exam, const char *form, void *arg,
    char *err, size_t errlen)
{
	struct store_answers		 ans;
	struct forensics_data		 d;
	struct forensics_run_options	 o;
	struct forensics_report		 rep;
	json_t				*obj;
	int				*forms = NULL, j;

	(void)arg;
	memset(&ans, 0, sizeof ans);
	obj = json_pack("{s:s}", "model", FORENSICS_MODEL_VERSION);
	json_object_set_new(obj, "exam", exam ? json_string(exam) : json_null());
	json_object_set_new(obj, "form", form ? json_string(form) : json_null());
	if (exam == NULL) {
		json_object_set_new(obj, "reason", json_string("the attempt "
		    "names no exam"));
		return obj;
	}
	if (store_answers_read(reader, exam, form, &ans, err, errlen) != 0) {
		store_answers_free(&ans);
		json_decref(obj);
		return NULL;
	}
	for (j = 0; j < ans.n_attempts; j++)
		if (ans.feed[j] != NULL && ans.attempt[j] != NULL &&
		    strcmp(ans.feed[j], feed) == 0 &&
		    strcmp(ans.attempt[j], attempt) == 0)
			break;
	json_object_set_new(obj, "n_attempts", json_integer(ans.n_attempts));
	if (j == ans.n_attempts) {
		json_object_set_new(obj, "reason", json_string("no answer of "
		    "this attempt is stored"));
		store_answers_free(&ans);
		return obj;
	}
	memset(&d, 0, sizeof d);
	d.n_attempts = ans.n_attempts;
	d.n_items = ans.n_items;
	d.option = ans.option;
	d.correct = ans.correct;
	d.time = ans.time;
	d.changed = ans.changed;
	d.wtr = ans.wtr;
	d.key = ans.key;
	if (form == NULL) {
		/* Read without a form: the attempt's (none) apart from the
		 * others. */
		forms = xcalloc(ans.n_attempts + 1, sizeof *forms);
		for (j = 0; j < ans.n_attempts; j++)
			forms[j] = ans.form[j] != NULL;
		d.form = forms;
	}
	forensics_run_options_default(&o);
	json_object_set_new(obj, "alpha", json_real(o.alpha));
	if (forensics_run(&d, &o, &rep, err, errlen) != 0)
		json_object_set_new(obj, "reason", json_string(err));
	else {
		for (j = 0; j < ans.n_attempts; j++)
			if (strcmp(ans.feed[j] ? ans.feed[j] : "", feed) == 0 &&
			    strcmp(ans.attempt[j] ? ans.attempt[j] : "",
			    attempt) == 0)
				break;
		fx_indices(obj, &rep.attempts[j]);
		forensics_report_free(&rep);
	}
	free(forms);
	store_answers_free(&ans);
	return obj;
}

/* `invigil review bundle`: the exit status. */
static int
review_bundle(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct bundle_options	 o;
	struct bundle_summary	 sum;
	struct store_reader	*reader;
	struct sign_key		*key;
	struct stat		 dst, ost;
	const char		*db = NULL, *out = NULL, *actor, *keydir = NULL;
	char			 err[1024], clean[4][1024], *text;
	size_t			 len;
	int			 ch, rc;

	memset(&o, 0, sizeof o);
	actor = getenv("USER") != NULL ? getenv("USER") : "analyst";
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			o.feed = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'a':
			actor = optarg;
			break;
		case 'K':
			keydir = optarg;
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (optind + 1 != argc)
		return cmd_usage_error(self, optind == argc ? "give the ATTEMPT "
		    "to bundle%s" : "give one ATTEMPT, not also \"%s\"",
		    optind == argc ? "" : argv[optind + 1]);
	if (db == NULL || out == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote) and --out FILE", NULL);
	if (sign_name_valid(actor, err, sizeof err) != 0)
		return bundle_error(self, err, EXIT_USAGE);
	if (stat(db, &dst) == 0 && stat(out, &ost) == 0 &&
	    dst.st_dev == ost.st_dev && dst.st_ino == ost.st_ino)
		return cmd_usage_error(self, "--out names the database itself "
		    "(\"%s\"); give the bundle a file of its own", out);
	o.attempt = argv[optind];
	o.now_ms = proto_now_ms();
	o.forensics = bundle_forensics;
	if ((key = bundle_key(keydir, actor, err, sizeof err)) == NULL)
		return bundle_error(self, err, EXIT_RUNTIME);
	o.key = key;
	if (store_reader_open(&reader, db, err, sizeof err) != 0) {
		sign_key_free(key);
		return bundle_error(self, err, EXIT_RUNTIME);
	}
	text = bundle_write(reader, &o, &len, &sum, err, sizeof err);
	store_reader_close(reader);
	sign_key_free(key);
	if (text == NULL)
		return bundle_error(self, err, EXIT_RUNTIME);
	rc = cmd_file_save(out, text, len, err, sizeof err);
	free(text);
	if (rc != 0)
		return bundle_error(self, err, EXIT_RUNTIME);
	printf("wrote %s: attempt %s on feed %s, %" PRId64 " messages, %"
	    PRId64 " flags, ", proto_clean(out, clean[0], sizeof clean[0]),
	    proto_clean(sum.attempt, clean[1], sizeof clean[1]),
	    proto_clean(sum.feed, clean[2], sizeof clean[2]), sum.messages,
	    sum.flags);
	if (sum.checkpoints == 1)
		printf("%" PRId64 " journal entries proven in the checkpoint of "
		    "size %" PRId64 " (signed by %s)", sum.entries,
		    sum.checkpoint_size, proto_clean(sum.checkpoint_signers,
		    clean[3], sizeof clean[3]));
	else if (sum.checkpoints > 1)
		printf("%" PRId64 " journal entries proven in the checkpoints of "
		    "%" PRId64 " journals (signed by %s)", sum.entries,
		    sum.checkpoints, proto_clean(sum.checkpoint_signers,
		    clean[3], sizeof clean[3]));
	else
		printf("no journal entry (and no checkpoint to prove one in)");
	printf(", signed by %s\n", actor);
	if (sum.withheld > 0 || sum.redacted > 0)
		printf("kept out because they name other attempts: %" PRId64
		    " bodies (their hashes stay), %" PRId64 " flags' message or "
		    "evidence\n", sum.withheld, sum.redacted);
	return 0;
}

static const struct cmd_option bundle_options_table[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" },
	{ "feed", 'f', 0, "F", "the attempt's feed, when two feeds have an "
	    "attempt of that id" },
	{ "out", 'o', 0, "FILE", "write the bundle to FILE (mode 0600)" },
	{ "actor", 'a', 0, "NAME", "who exports: the bundle is signed with "
	    "NAME's key from the key directory, created on first use "
	    "(default: $USER)" },
	{ "key-dir", 'K', 0, "DIR", "where signing keys live (default: "
	    "$XDG_CONFIG_HOME/invigil or ~/.config/invigil)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_bundle_entry = {
	.name = "review bundle",
	.summary = "write one attempt's evidence bundle: its facts, messages, "
	    "flags and journal entries with inclusion proofs to a signed "
	    "checkpoint, and nothing about other candidates, signed by the "
	    "exporter (invigil-bundle(5))",
	.usage = "review bundle ATTEMPT --db PATH --out FILE [--feed F] "
	    "[--actor NAME] [--key-dir DIR]",
	.options = bundle_options_table,
	.opens = CMD_OPENS_STORE_READ | CMD_OPENS_KEYS,
	.exec = review_bundle,
	.see = "invigil-review(1), invigil-bundle(5)",
	.page = "invigil-review.1",
};

/* What held, sanitised: the bundle is outside input. */
static void
verify_bundle_print(const char *file, const struct bundle_summary *s)
{
	char	c[6][1024];

	printf("%s: attempt %s on feed %s, exported by %s\n",
	    proto_clean(file, c[0], sizeof c[0]),
	    proto_clean(s->attempt, c[1], sizeof c[1]),
	    proto_clean(s->feed, c[2], sizeof c[2]),
	    proto_clean(s->exporter, c[3], sizeof c[3]));
	printf("bundle signature: good, by %s\n", s->exporter_given ?
	    "the --key given" : "the key the bundle names (give the "
	    "exporter's key with --key to know who signed)");
	if (s->checkpoints == 0)
		printf("checkpoint: none (the bundle holds no journal entry)\n");
	else if (s->checkpoints == 1)
		printf("checkpoint: size %" PRId64 " of %s, signatures good (%s) "
		    "checked against %s\n", s->checkpoint_size,
		    proto_clean(s->checkpoint_origin, c[4], sizeof c[4]),
		    proto_clean(s->checkpoint_signers, c[5], sizeof c[5]),
		    s->keys_given ? "the --key given" : "the keys in the "
		    "bundle (give the console's key with --key to check them "
		    "against a key kept elsewhere)");
	else
		printf("checkpoints: %" PRId64 " journals, signatures good (%s) "
		    "checked against %s\n", s->checkpoints,
		    proto_clean(s->checkpoint_signers, c[5], sizeof c[5]),
		    s->keys_given ? "the --key given" : "the keys in the "
		    "bundle (give the console's key with --key to check them "
		    "against a key kept elsewhere)");
	printf("journal entries: %" PRId64 ", each proven included in the "
	    "checkpoint's tree\n", s->entries);
	printf("messages: %" PRId64 ", flags: %" PRId64 ", forensic indices: %"
	    PRId64 "; all of this attempt\n", s->messages, s->flags,
	    s->forensics);
	if (s->withheld > 0 || s->redacted > 0)
		printf("kept out (they named other attempts): %" PRId64
		    " bodies withheld, %" PRId64 " flags redacted\n",
		    s->withheld, s->redacted);
	printf("OK\n");
}

/* `invigil review verify-bundle`: the exit status (0, 1 or 2). */
static int
review_verify_bundle(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct bundle_summary	 sum;
	const char		*keys[BUNDLE_KEYS_MAX];
	char			 err[1024], clean[4 * 1024], *text;
	size_t			 nkeys = 0, len;
	int			 ch, rc;

	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		if (ch != 'k')
			continue;
		if (nkeys == BUNDLE_KEYS_MAX)
			return cmd_usage_error(self, "at most 16 --key options%s",
			    "");
		keys[nkeys++] = optarg;
	}
	if (g.status != -1)
		return g.status;
	if (optind + 1 != argc)
		return cmd_usage_error(self, optind == argc ? "give the bundle "
		    "FILE to verify%s" : "give one FILE, not also \"%s\"",
		    optind == argc ? "" : argv[optind + 1]);
	if (proto_file_read(argv[optind], "bundle", BUNDLE_MAX_BYTES, &text,
	    &len, NULL, err, sizeof err) != 0)
		return bundle_error(self, err, EXIT_RUNTIME);
	rc = bundle_verify(text, len, keys, nkeys, &sum, err, sizeof err);
	free(text);
	if (rc != 0) {
		printf("FAILED: %s\n", proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	verify_bundle_print(argv[optind], &sum);
	return 0;
}

static const struct cmd_option verify_bundle_options[] = {
	{ "key", 'k', 0, "VKEY", "a verifier key (NAME+ID+KEY) kept apart "
	    "from the bundle: the console's, to check the checkpoints against "
	    "it instead of the bundle's own keys, or the exporter's; may be "
	    "given more than once" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_verify_bundle_entry = {
	.name = "review verify-bundle",
	.summary = "check an evidence bundle offline, without the database: "
	    "its signature, every inclusion proof, every checkpoint's "
	    "signature, and that all of it is about its one attempt; exit 0 "
	    "if it holds, 1 naming the first problem",
	.usage = "review verify-bundle FILE [--key VKEY]...",
	.options = verify_bundle_options,
	.opens = CMD_OPENS_NOTHING,
	.exec = review_verify_bundle,
	.see = "invigil-review(1), invigil-bundle(5)",
	.page = "invigil-review.1",
};
