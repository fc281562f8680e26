/*
 * cmd-verify.c - `invigil review verify` and `invigil review checkpoints`:
 * is the journal what was written, and the signed checkpoints to keep
 * elsewhere so that a rewrite cannot hide behind a re-signed database.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console.h"

/* verify's exit statuses: 0 holds, 1 does not, 2 usage, 3 cannot tell. */
#define EXIT_VERIFY_FAILED	1
#define EXIT_VERIFY_UNREADABLE	3

static const char verify_usage[] =
"usage: invigil review verify --db PATH [--checkpoints FILE]\n"
"       invigil review checkpoints --db PATH [--export FILE]\n"
"\n"
"  verify       recompute the journal's hash chain and check every signed\n"
"               checkpoint in the database (and in FILE, exported earlier)\n"
"               against it; exit 0 only if everything holds, 1 naming the\n"
"               first problem, 3 if the database cannot be read\n"
"  checkpoints  print the signed checkpoints (C2SP signed notes), or write\n"
"               them to FILE for safekeeping away from the database\n"
"\n"
"See invigil-review(1) and invigil-store(5).\n";

/* Read all of path (at most 64 MiB). */
static char *
verify_slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 n = 0, cap = 0, got;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
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
			if ((buf = realloc(buf, cap + 1)) == NULL)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* --db PATH and one optional FILE option; 0, or an exit status. */
static int
verify_options(int argc, char **argv, const char *fileopt, const char **db,
    const char **file)
{
	const struct option longopts[] = {
		{ "db",		required_argument, NULL, 'd' },
		{ fileopt,	required_argument, NULL, 'f' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 }
	};
	int	ch;

	*db = *file = NULL;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			*db = optarg;
			break;
		case 'f':
			*file = optarg;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			return -1;
		case ':':
			fprintf(stderr, "invigil review %s: %s needs a value\n",
			    argv[0], argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "invigil review %s: unknown option %s\n"
			    "%s", argv[0], argv[optind - 1], verify_usage);
			return EXIT_USAGE;
		}
	}
	if (*db == NULL || optind != argc) {
		fprintf(stderr, "invigil review %s: give --db PATH (and "
		    "nothing else but --%s FILE)\n", argv[0], fileopt);
		return EXIT_USAGE;
	}
	return 0;
}

int
review_verify(int argc, char **argv)
{
	struct store_reader	*reader;
	struct store_verify	 v;
	const char		*db, *file;
	char			 err[1024], *text = NULL, clean[4 * 1024];
	size_t			 len = 0;
	int			 rc;

	if ((rc = verify_options(argc, argv, "checkpoints", &db, &file)) != 0)
		return rc == -1 ? 0 : rc;
	if (file != NULL && (text = verify_slurp(file, &len, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_USAGE;
	}
	if (store_reader_open(&reader, db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		free(text);
		return EXIT_VERIFY_UNREADABLE;
	}
	rc = store_verify(reader, text, len, file, &v, err, sizeof err);
	store_reader_close(reader);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "invigil review verify: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_VERIFY_UNREADABLE;
	}
	if (v.problem != STORE_VERIFY_OK) {
		/* What is wrong may quote the database: shown sanitised. */
		printf("FAILED (%s) at seq %" PRId64 ": %s\n",
		    store_verify_problem_name(v.problem), v.seq,
		    proto_clean(v.what, clean, sizeof clean));
		return EXIT_VERIFY_FAILED;
	}
	printf("journal: %" PRId64 " entries, hash chain intact\n", v.entries);
	printf("checkpoints: %d in the database", v.db_checkpoints);
	if (file != NULL)
		printf(", %d in %s", v.file_checkpoints,
		    proto_clean(file, clean, sizeof clean));
	if (v.signers[0] != '\0')
		printf("; signatures good (%s)\n",
		    proto_clean(v.signers, clean, sizeof clean));
	else
		printf("\n");
	if (v.db_checkpoints + v.file_checkpoints == 0 && v.entries > 0)
		printf("note: no checkpoint covers the journal yet; a console "
		    "signs one every 100 entries, every 5 minutes and at "
		    "exit\n");
	printf("OK\n");
	return 0;
}

struct export {
	FILE	*out;
	int	 n;
};

/*
 * One note, as stored, to the export file; on stdout line by line through
 * the sanitiser (a note is printable text; one from a doctored database
 * must not drive the terminal).
 */
static int
export_one(const char *note, void *arg)
{
	struct export	*e = arg;
	char		 clean[4 * 1024];
	size_t		 n;

	if (e->out != stdout)
		fputs(note, e->out);
	else {
		for (; *note != '\0'; note += n + (note[n] == '\n')) {
			n = strcspn(note, "\n");
			proto_sanitize(note, n, clean, sizeof clean);
			fputs(clean, e->out);
			if (note[n] == '\n')
				fputc('\n', e->out);
		}
	}
	fputc('\n', e->out);
	e->n++;
	return 0;
}

int
review_checkpoints(int argc, char **argv)
{
	struct store_reader	*reader;
	struct export		 e;
	const char		*db, *file;
	char			 err[1024], tmp[4096], clean[4 * 1024];
	int			 rc;

	if ((rc = verify_options(argc, argv, "export", &db, &file)) != 0)
		return rc == -1 ? 0 : rc;
	if (store_reader_open(&reader, db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review checkpoints: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	memset(&e, 0, sizeof e);
	e.out = stdout;
	if (file != NULL) {
		/* Whole or not at all: a temporary file renamed into place. */
		snprintf(tmp, sizeof tmp, "%s.tmp.%ld", file, (long)getpid());
		if ((e.out = fopen(tmp, "w")) == NULL) {
			fprintf(stderr, "invigil review checkpoints: cannot "
			    "write %s: %s\n", tmp, strerror(errno));
			store_reader_close(reader);
			return EXIT_RUNTIME;
		}
	}
	rc = store_reader_each_checkpoint(reader, export_one, &e, err,
	    sizeof err);
	store_reader_close(reader);
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
