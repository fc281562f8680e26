/*
 * cmd-verify.c - `invigil review verify` and `invigil review checkpoints`:
 * is the journal what was written, and the signed checkpoints to keep
 * elsewhere so that a rewrite cannot hide behind a re-signed database.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/commands.h"
#include "console/console.h"
#include "proto/xmalloc.h"
#include "store/trust.h"

/*
 * verify's exit statuses: 0 holds, 1 does not, 2 usage, 3 cannot tell, 4
 * the chain holds but entries past the last checkpoint of --checkpoints
 * FILE are covered by none of its checkpoints (not proven).
 */
#define EXIT_VERIFY_FAILED	1
#define EXIT_VERIFY_UNREADABLE	3
#define EXIT_VERIFY_UNPROVEN	4

/*
 * Read all of path (at most 64 MiB), a regular file: opened without
 * blocking, so that a FIFO is refused rather than waited on.
 */
static char *
verify_slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 n = 0, cap = 0;
	ssize_t		 got;
	int		 fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file; give "
		    "--checkpoints the file review checkpoints --export wrote",
		    path);
		close(fd);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= 64 * 1024 * 1024) {
				snprintf(err, errlen, "%s is larger than 64 MiB; "
				    "not a checkpoints file", path);
				goto fail;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = read(fd, buf + n, cap - n);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static int	verify_result(const struct store_verify *, const char *);

#define VERIFY_KEYS_MAX	16	/* the message in verify_add_key says 16 */

/* The options of verify and checkpoints. */
struct verify_args {
	const char	*db;
	const char	*file;		/* --checkpoints or --export */
	const char	*keys[VERIFY_KEYS_MAX];	/* --key, as vkeys */
	char		*keybufs[VERIFY_KEYS_MAX];	/* read from files */
	size_t		 nkeys;
	const char	*origin;	/* --origin */
	const char	*prove;		/* --prove-consistency OLD */
	const char	*prove_new;	/* ... NEW, the operand */
	const char	*check;		/* --verify-consistency FILE */
	const char	*trust;		/* --trust FILE */
};

static void
verify_args_free(struct verify_args *a)
{
	size_t	i;

	for (i = 0; i < a->nkeys; i++)
		free(a->keybufs[i]);
}

/*
 * A --key value: a vkey, or a file whose first line is one.  0, or an exit
 * status after a sentence on stderr.
 */
static int
verify_add_key(const struct cmd_entry *self, struct verify_args *a,
    const char *arg)
{
	struct sign_note	 none;
	char			 err[512], clean[1024], *text = NULL;
	size_t			 len;
	const char		*vkey = arg;

	memset(&none, 0, sizeof none);
	if (a->nkeys == VERIFY_KEYS_MAX)
		return cmd_usage_error(self, "at most 16 --key options, not "
		    "more (%s)", "the rest were left out");
	/* -2: a well-formed key that signed nothing here; -1: not a key. */
	if (sign_note_verify(&none, arg, err, sizeof err) == -1) {
		if ((text = verify_slurp(arg, &len, err, sizeof err)) == NULL ||
		    (text[strcspn(text, "\n")] = '\0',
		    sign_note_verify(&none, text, err, sizeof err) == -1)) {
			fprintf(stderr, "invigil %s: --key %s is neither a "
			    "verifier key (NAME+ID+BASE64) nor a file holding "
			    "one: %s\n", self->name, proto_clean(arg, clean,
			    sizeof clean), proto_clean(err, clean + 512, 512));
			free(text);
			return EXIT_USAGE;
		}
		vkey = text;
	}
	a->keybufs[a->nkeys] = text;
	a->keys[a->nkeys++] = vkey;
	return 0;
}

/*
 * The options of self's table into a: 0, -1 after --help, or an exit
 * status.  What goes with what is the caller's to check.
 */
static int
verify_options(const struct cmd_entry *self, int argc, char **argv,
    struct verify_args *a)
{
	struct cmd_getopt	 g;
	int			 ch, rc;

	memset(a, 0, sizeof *a);
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			a->db = optarg;
			break;
		case 'f':
			a->file = optarg;
			break;
		case 'k':
			if ((rc = verify_add_key(self, a, optarg)) != 0)
				return rc;
			break;
		case 'o':
			a->origin = optarg;
			break;
		case 'p':
			a->prove = optarg;
			break;
		case 'c':
			a->check = optarg;
			break;
		case 'T':
			a->trust = optarg;
			break;
		}
	}
	if (g.status != -1)
		return g.status == 0 ? -1 : g.status;
	if (a->prove != NULL && optind < argc)
		a->prove_new = argv[optind++];
	if (optind != argc)
		return cmd_usage_error(self, "unexpected argument \"%s\"",
		    argv[optind]);
	return 0;
}

/*
 * The trust file verify checks entries against: --trust FILE, else the
 * default one if it exists, else none (*t NULL: the keys table stands in).
 * 0, or -1 with a sentence (a file given or found that cannot be used).
 */
static int
verify_trust(const struct verify_args *a, struct trust **t, char *path,
    size_t pathlen, char *err, size_t errlen)
{
	char	derr[256];

	*t = NULL;
	if (a->trust != NULL)
		snprintf(path, pathlen, "%s", a->trust);
	else if (trust_default_path(path, pathlen, derr, sizeof derr) != 0 ||
	    access(path, F_OK) != 0)
		return 0;
	return (*t = trust_load(path, 0, err, errlen)) == NULL ? -1 : 0;
}

/* What the entries' own signatures showed, one line or two. */
static void
verify_print_entries(const struct store_verify *v, const char *trust)
{
	char	clean[1024];

	if (v->signed_entries > 0 || v->unsigned_entries == 0) {
		printf("signatures: %" PRId64 " entr%s signed by %s, each by a "
		    "key ", v->signed_entries, v->signed_entries == 1 ? "y" :
		    "ies", v->signed_entries == 1 ? "its actor" :
		    "their actors");
		if (trust != NULL)
			printf("in the trust file %s with a role that may make "
			    "it\n", proto_clean(trust, clean, sizeof clean));
		else
			printf("in the database's keys table (no trust file: "
			    "give --trust FILE to check who may act)\n");
	}
	if (v->unsigned_entries > 0)
		printf("signatures: %" PRId64 " entr%s from before signatures, "
		    "covered by checkpoints only\n", v->unsigned_entries,
		    v->unsigned_entries == 1 ? "y" : "ies");
	if (v->revoked_entries > 0)
		printf("signatures: %" PRId64 " signed before their key was "
		    "revoked (the first: seq %" PRId64 ", %s)\n",
		    v->revoked_entries, v->revoked_seq, proto_clean(
		    v->revoked_what, clean, sizeof clean));
}

static int
review_verify(const struct cmd_entry *self, int argc, char **argv)
{
	struct store_reader	*reader;
	struct store_verify	 v;
	struct verify_args	 a;
	struct trust		*trust = NULL;
	const char		*file;
	char			 err[1024], *text = NULL, clean[4 * 1024];
	char			 tpath[1100];
	size_t			 len = 0;
	int			 rc;

	if ((rc = verify_options(self, argc, argv, &a)) != 0) {
		verify_args_free(&a);
		return rc == -1 ? 0 : rc;
	}
	file = a.file;
	if (a.db == NULL) {
		verify_args_free(&a);
		return cmd_usage_error(self, "%s", "give --db PATH");
	}
	if (file != NULL && (text = verify_slurp(file, &len, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		verify_args_free(&a);
		return EXIT_USAGE;
	}
	if (verify_trust(&a, &trust, tpath, sizeof tpath, err,
	    sizeof err) != 0) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		free(text);
		verify_args_free(&a);
		return EXIT_USAGE;
	}
	if (store_reader_open(&reader, a.db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		free(text);
		trust_free(trust);
		verify_args_free(&a);
		return EXIT_VERIFY_UNREADABLE;
	}
	rc = store_verify_trust(reader, text, len, file, a.keys, a.nkeys,
	    trust, &v, err, sizeof err);
	store_reader_close(reader);
	free(text);
	trust_free(trust);
	if (rc != 0) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		verify_args_free(&a);
		return EXIT_VERIFY_UNREADABLE;
	}
	if (v.problem != STORE_VERIFY_OK) {
		/* What is wrong may quote the database: shown sanitised. */
		printf("FAILED (%s) at seq %" PRId64 ": %s\n",
		    store_verify_problem_name(v.problem), v.seq,
		    proto_clean(v.what, clean, sizeof clean));
		verify_args_free(&a);
		return EXIT_VERIFY_FAILED;
	}
	printf("journal: %" PRId64 " entries, hash chain intact\n", v.entries);
	verify_print_entries(&v, v.trust_file ? tpath : NULL);
	printf("checkpoints: %d in the database", v.db_checkpoints);
	if (file != NULL)
		printf(", %d in %s", v.file_checkpoints,
		    proto_clean(file, clean, sizeof clean));
	if (v.signers[0] != '\0')
		printf("; signatures good (%s)\n",
		    proto_clean(v.signers, clean, sizeof clean));
	else
		printf("\n");
	if (a.nkeys > 0)
		printf("keys given: every checkpoint is signed by one of the "
		    "%zu key%s given with --key\n", a.nkeys, a.nkeys == 1 ?
		    "" : "s");
	if (v.chains > 0)
		printf("imported: %d journal%s, %" PRId64 " entries, %d "
		    "checkpoint%s, all intact%s\n", v.chains, v.chains == 1 ?
		    "" : "s", v.imported_entries, v.imported_checkpoints,
		    v.imported_checkpoints == 1 ? "" : "s",
		    v.imported_uncovered > 0 ? "" : " and covered");
	if (v.imported_uncovered > 0)
		printf("imported: %" PRId64 " entr%s covered by no checkpoint "
		    "of their source\n", v.imported_uncovered,
		    v.imported_uncovered == 1 ? "y is" : "ies are");
	verify_args_free(&a);
	return verify_result(&v, file);
}

/* "entries 5..9", or "entry 9". */
static void
verify_range(char *buf, size_t len, int64_t from, int64_t to)
{
	if (from == to)
		snprintf(buf, len, "entry %" PRId64, from);
	else
		snprintf(buf, len, "entries %" PRId64 "..%" PRId64, from, to);
}

/*
 * What is proven: a checkpoint of size S that holds covers entries 1..S.
 * Entries after the last one are vouched for by the hash chain alone,
 * which whoever can write the database can recompute.  A live console
 * always has such a tail (it signs every 100 entries, every 5 minutes
 * and at exit), so without FILE that is said and the result stays OK; with
 * FILE, what FILE does not cover is not proven.
 */
static int
verify_result(const struct store_verify *v, const char *file)
{
	char	tail[64];

	if (v->covered < v->entries) {
		verify_range(tail, sizeof tail, v->covered + 1, v->entries);
		printf("%s %s covered by no checkpoint\n", tail,
		    v->covered + 1 == v->entries ? "is" : "are");
	}
	if (file != NULL && v->file_covered < v->entries) {
		verify_range(tail, sizeof tail, v->file_covered + 1,
		    v->entries);
		printf("NOT PROVEN: %s %s covered by no checkpoint in %s%s; "
		    "export the checkpoints again once the console has signed "
		    "them, and keep the file away from the database\n", tail,
		    v->file_covered + 1 == v->entries ? "is" : "are", file,
		    v->covered > v->file_covered ? " (only by the database's "
		    "own, which whoever can write the database can replace)" :
		    "");
		return EXIT_VERIFY_UNPROVEN;
	}
	if (v->covered < v->entries) {
		if (v->covered == 0)
			printf("OK, but no checkpoint is signed yet");
		else
			printf("OK up to entry %" PRId64 "; the rest is not "
			    "signed yet", v->covered);
		printf(" (a console signs a checkpoint every 100 entries and "
		    "every 5 minutes by default, and at exit)\n");
		return 0;
	}
	printf("OK\n");
	return 0;
}

struct export {
	FILE	*out;
	int	 tty;		/* out is stdout: sanitise what is shown */
	int	 n;
	char	 bad[640];	/* why a stored note is not one, if it is not */
};

/*
 * One stored note, which must be a signed note (the database is outside
 * input: a crafted one could hold escape sequences), written as stored so
 * that its signature still verifies, or sanitised line by line on a
 * terminal.
 */
static int
export_one(const char *note, void *arg)
{
	struct export		*e = arg;
	struct sign_note	 n;
	char			 perr[512], line[4096];
	const char		*p, *nl;

	if (sign_note_parse(note, strlen(note), &n, perr, sizeof perr) == -1) {
		snprintf(e->bad, sizeof e->bad, "the database's checkpoint %d "
		    "is not a signed note (%s); run invigil review verify on "
		    "it", e->n + 1, perr);
		return 1;
	}
	sign_note_clear(&n);
	if (!e->tty)
		fputs(note, e->out);
	for (p = note; e->tty && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		proto_sanitize(p, nl != NULL ? (size_t)(nl - p) : strlen(p),
		    line, sizeof line);
		fprintf(e->out, "%s\n", line);
		if (nl == NULL)
			break;
	}
	fputc('\n', e->out);
	e->n++;
	return 0;
}

/*
 * The temporary file beside file that is renamed over it when complete:
 * new (never through a link someone left there), mode 0600 like the
 * database.  A file that exists and is not a regular file (a FIFO, or
 * /dev/null, which rename(2) would replace) is refused.  NULL with the
 * sentence on stderr.
 */
static FILE *
export_open(const char *file, char *tmp, size_t tmpsz)
{
	struct stat	 st;
	FILE		*out;
	int		 fd;

	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "invigil review checkpoints: %s exists and is "
		    "not a regular file; give --export the path of a file\n",
		    file);
		return NULL;
	}
	snprintf(tmp, tmpsz, "%s.tmp.%ld", file, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, 0600);
	if (fd == -1 || (out = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "invigil review checkpoints: cannot write %s: "
		    "%s\n", tmp, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		return NULL;
	}
	return out;
}

/*
 * Write text to stdout: as is through a pipe or into a file (the notes'
 * signatures must still verify), sanitised line by line on a terminal
 * (the notes come from the database).
 */
static void
checkpoints_print(const char *text)
{
	const char	*p, *nl;
	char		 line[4096];

	if (!isatty(STDOUT_FILENO)) {
		fputs(text, stdout);
		return;
	}
	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		proto_sanitize(p, nl != NULL ? (size_t)(nl - p) : strlen(p),
		    line, sizeof line);
		printf("%s\n", line);
		if (nl == NULL)
			break;
	}
}

/* A size operand of --prove-consistency; -1 if it is not one. */
static int64_t
checkpoints_size(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1)
		return -1;
	return (int64_t)v;
}

/* --prove-consistency OLD NEW [--origin O]. */
static int
checkpoints_prove(const struct cmd_entry *self, const struct verify_args *a)
{
	struct store_reader		*reader;
	struct store_consistency	 c;
	int64_t				 o, n;
	char				 err[1024], clean[2048], *text;

	o = checkpoints_size(a->prove);
	n = checkpoints_size(a->prove_new);
	if (o == -1 || n == -1)
		return cmd_usage_error(self, "%s", "--prove-consistency takes "
		    "two checkpoint sizes, OLD NEW (positive whole numbers)");
	if (store_reader_open(&reader, a->db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil %s: %s\n", self->name,
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	if (store_consistency_prove(reader, a->origin, o, n, &c, err,
	    sizeof err) == -1) {
		store_reader_close(reader);
		fprintf(stderr, "invigil %s: %s\n", self->name,
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	store_reader_close(reader);
	text = store_consistency_text(&c);
	checkpoints_print(text);
	free(text);
	store_consistency_clear(&c);
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

/* --verify-consistency FILE [--key VKEY]...: offline, no database. */
static int
checkpoints_check(const struct cmd_entry *self, const struct verify_args *a)
{
	struct store_consistency	 c;
	char				 err[1024], clean[2048], *text;
	size_t				 len;
	int				 rc;

	if ((text = verify_slurp(a->check, &len, err, sizeof err)) == NULL) {
		fprintf(stderr, "invigil %s: %s\n", self->name,
		    proto_clean(err, clean, sizeof clean));
		return EXIT_USAGE;
	}
	rc = store_consistency_check(text, len, a->keys, a->nkeys, &c, err,
	    sizeof err);
	free(text);
	if (rc == -1) {
		printf("FAILED: %s\n", proto_clean(err, clean, sizeof clean));
		return EXIT_VERIFY_FAILED;
	}
	printf("OK: the tree of %" PRId64 " entries is a prefix of the tree "
	    "of %" PRId64 " (journal \"%s\")\n", c.size[0], c.size[1],
	    proto_clean(c.origin, clean, sizeof clean));
	if (a->nkeys > 0)
		printf("both checkpoints are signed by %s\n",
		    proto_clean(c.signers, clean, sizeof clean));
	else
		printf("the signatures were not checked: give --key VKEY for "
		    "the key that signed them\n");
	store_consistency_clear(&c);
	return 0;
}

static int
review_checkpoints(const struct cmd_entry *self, int argc,
    char **argv)
{
	struct store_reader	*reader;
	struct export		 e;
	struct verify_args	 a;
	const char		*file;
	char			 err[1024], tmp[4096], clean[4 * 1024];
	int			 rc;

	if ((rc = verify_options(self, argc, argv, &a)) != 0) {
		verify_args_free(&a);
		return rc == -1 ? 0 : rc;
	}
	file = a.file;
	if (a.check != NULL) {
		rc = a.db != NULL || file != NULL || a.prove != NULL ||
		    a.origin != NULL ? cmd_usage_error(self,
		    "%s", "--verify-consistency FILE needs no database: give "
		    "only --key VKEY with it") : checkpoints_check(self, &a);
		verify_args_free(&a);
		return rc;
	}
	if (a.nkeys > 0 || a.db == NULL || (a.origin != NULL &&
	    a.prove == NULL) || (a.prove != NULL && file != NULL)) {
		verify_args_free(&a);
		return cmd_usage_error(self, "%s", "give --db PATH with "
		    "--export FILE or --prove-consistency OLD NEW [--origin O], "
		    "or --verify-consistency FILE [--key VKEY]");
	}
	if (a.prove != NULL)
		return checkpoints_prove(self, &a);
	if (store_reader_open(&reader, a.db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review checkpoints: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	memset(&e, 0, sizeof e);
	e.out = stdout;
	/* Stored notes are outside input: on stdout (a terminal, or a pipe
	 * to one) they pass the sanitiser, which leaves a good note as it is;
	 * only --export writes the stored bytes. */
	e.tty = file == NULL;
	if (file != NULL && (e.out = export_open(file, tmp, sizeof tmp)) ==
	    NULL) {
		store_reader_close(reader);
		return EXIT_RUNTIME;
	}
	rc = store_reader_each_checkpoint(reader, export_one, &e, err,
	    sizeof err);
	store_reader_close(reader);
	if (rc == 0 && e.bad[0] != '\0') {
		snprintf(err, sizeof err, "%s", e.bad);
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "invigil review checkpoints: %s\n",
		    proto_clean(err, clean, sizeof clean));
		if (file != NULL) {
			fclose(e.out);
			unlink(tmp);
		}
		return EXIT_RUNTIME;
	}
	if (file == NULL)
		return 0;
	rc = fflush(e.out) != 0 || fsync(fileno(e.out)) != 0;
	if (fclose(e.out) != 0 || rc != 0 || rename(tmp, file) != 0) {
		fprintf(stderr, "invigil review checkpoints: cannot write %s: "
		    "%s\n", file, strerror(errno));
		unlink(tmp);
		return EXIT_RUNTIME;
	}
	printf("wrote %d checkpoint%s to %s\n", e.n, e.n == 1 ? "" : "s", file);
	return 0;
}

static const struct cmd_option verify_options_table[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" },
	{ "checkpoints", 'f', 0, "FILE", "checkpoints exported earlier, "
	    "checked too" },
	{ "key", 'k', 0, "VKEY", "a verifier key kept outside the database "
	    "(NAME+ID+BASE64, or a file holding one): every checkpoint must "
	    "be signed by one of the keys given; repeatable" },
	{ "trust", 'T', 0, "FILE", "the trust file (invigil-trust(5)) each "
	    "entry's signer and role are checked against (default: "
	    "$XDG_CONFIG_HOME/invigil/trust if it exists, else the database's "
	    "keys table)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_verify_entry = {
	.name = "review verify",
	.summary = "recompute every journal's hash chain and Merkle tree (the "
	    "database's own and each imported one) and check every signed "
	    "checkpoint in the database (and in FILE, exported earlier) "
	    "against it; exit 0 if everything holds, 1 naming the first "
	    "problem, 3 if the database cannot be read, 4 if entries after "
	    "FILE's last checkpoint are not proven",
	.usage = "review verify --db PATH [--checkpoints FILE] [--key VKEY]... "
	    "[--trust FILE]",
	.options = verify_options_table,
	.opens = CMD_OPENS_STORE_READ,
	.exec = review_verify,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};

static const struct cmd_option checkpoints_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" },
	{ "export", 'f', 0, "FILE", "write them to FILE, for safekeeping away "
	    "from the database" },
	{ "prove-consistency", 'p', 0, "OLD", "with NEW after it: print the "
	    "checkpoints of sizes OLD and NEW and the RFC 6962 consistency "
	    "proof that the first is a prefix of the second" },
	{ "origin", 'o', 0, "O", "prove-consistency: of the journal imported "
	    "from origin O, not the database's own" },
	{ "verify-consistency", 'c', 0, "FILE", "check a proof "
	    "--prove-consistency wrote, offline (no database)" },
	{ "key", 'k', 0, "VKEY", "verify-consistency: both checkpoints must "
	    "be signed by one of these keys (NAME+ID+BASE64, or a file "
	    "holding one); repeatable" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_checkpoints_entry = {
	.name = "review checkpoints",
	.summary = "print the signed checkpoints (C2SP signed notes), "
	    "--export them, or prove and check that one is a prefix of another",
	.usage = "review checkpoints --db PATH [--export FILE]\n"
	    "review checkpoints --db PATH [--origin O] --prove-consistency OLD "
	    "NEW\n"
	    "review checkpoints --verify-consistency FILE [--key VKEY]...",
	.options = checkpoints_options,
	.opens = CMD_OPENS_STORE_READ,
	.exec = review_checkpoints,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};
