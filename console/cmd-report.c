/*
 * cmd-report.c - `invigil review report ATTEMPT... --out FILE.html`: the
 * case report of one or more attempts, one HTML file (written by
 * report.c).  Here: the options, and what each section shows gathered
 * from the database: the attempt's facts and timeline (store/timeline.c)
 * and the forensic analysis of its exam (review_fx_load, the same run as
 * `invigil review forensics`; once per exam however many of its attempts
 * are asked for).  The file is written beside FILE and renamed over it
 * when complete, mode 0600: it names candidates.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/app.h"
#include "console/commands.h"
#include "console/report.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/store.h"
#include "store/timeline.h"

#define REPORT_WHO	"invigil review report"

/* Attempts one report takes (each a section). */
#define REPORT_ATTEMPTS_MAX	200

/* One exam's analysis, shared by the sections of its attempts. */
struct report_exam {
	char		*exam;
	struct review_fx fx;
	int		 rc;		/* review_fx_load's */
};

struct report_run {
	const char		*db, *feed, *out, *compromised;
	struct store_reader	*reader;
	struct store_tl_facts	*facts;		/* [n] */
	struct report_items	*items;		/* [n] */
	struct report_case	*cases;		/* [n] */
	struct report_exam	*exams;		/* [n_exams] */
	int			 n, n_exams;
};

/* Say on stderr what went wrong (sanitised); EXIT_RUNTIME. */
static int
report_fail(const char *fmt, const char *a, const char *b)
{
	char	ca[4 * 1024], cb[4 * 1024];

	fprintf(stderr, REPORT_WHO ": ");
	fprintf(stderr, fmt, proto_clean(a, ca, sizeof ca),
	    proto_clean(b, cb, sizeof cb));
	fputc('\n', stderr);
	return EXIT_RUNTIME;
}

/* The analysis of exam, loaded on first use; NULL when it failed. */
static struct report_exam *
report_exam(struct report_run *run, const char *exam)
{
	struct report_exam	*e;
	int			 i;

	for (i = 0; i < run->n_exams; i++)
		if (strcmp(run->exams[i].exam, exam) == 0)
			return run->exams[i].rc == -1 ? NULL : &run->exams[i];
	e = &run->exams[run->n_exams++];
	e->exam = xstrdup(exam);
	e->fx.db = run->db;
	e->rc = review_fx_load(&e->fx, REPORT_WHO, exam, NULL,
	    run->compromised, 0.05);
	return e->rc == -1 ? NULL : e;
}

/* Attempt (feed, attempt)'s row among the answers, -1 if none. */
static int
report_row(const struct store_answers *a, const char *feed,
    const char *attempt)
{
	int	j;

	for (j = 0; j < a->n_attempts; j++)
		if (a->feed[j] != NULL && a->attempt[j] != NULL &&
		    strcmp(a->feed[j], feed) == 0 &&
		    strcmp(a->attempt[j], attempt) == 0)
			return j;
	return -1;
}

/* Gather section k for attempt; 0 or the exit status. */
static int
report_gather(struct report_run *run, int k, const char *attempt)
{
	struct report_case	*c = &run->cases[k];
	struct store_tl_facts	*f = &run->facts[k];
	struct report_exam	*e;
	char			 err[1024];

	if (store_tl_facts(run->reader, run->feed, attempt, f, err,
	    sizeof err) != 1)
		return report_fail("%s%s", err, "");
	if (store_timeline(run->reader, f->feed, f->attempt, SIZE_MAX,
	    report_items_add, &run->items[k], err, sizeof err) == -1)
		return report_fail("%s%s", err, "");
	c->facts = f;
	c->items = &run->items[k];
	c->j = -1;
	c->compromised = run->compromised != NULL;
	if (f->exam == NULL) {
		c->no_fx = "The attempt's exam is not known (no attempt "
		    "message was stored): no forensic indices.";
		return 0;
	}
	if ((e = report_exam(run, f->exam)) == NULL)
		return EXIT_RUNTIME;
	if (e->rc == 1) {
		c->no_fx = "No answers of this exam are stored: no forensic "
		    "indices.";
		return 0;
	}
	c->fx = &e->fx;
	if ((c->j = report_row(&e->fx.ans, f->feed, f->attempt)) == -1)
		c->no_fx = "This attempt has no stored answers: no forensic "
		    "indices.";
	return 0;
}

/*
 * A new file beside path (mode 0600, never through a link) for the
 * report; NULL with the sentence on stderr.  A path that exists and is
 * not a regular file is refused: rename(2) would replace a FIFO or a
 * device node.
 */
static FILE *
report_open(const char *path, char **tmp)
{
	struct stat	 st;
	FILE		*out;
	int		 fd;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		report_fail("%s exists and is not a regular file; give --out "
		    "the path of an HTML file%s", path, "");
		return NULL;
	}
	*tmp = xmalloc(strlen(path) + 16);
	sprintf(*tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(*tmp)) == -1 || (out = fdopen(fd, "w")) == NULL) {
		report_fail("cannot write %s: %s", *tmp, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return out;
}

static int
report_write(struct report_run *run)
{
	FILE	*out;
	char	*tmp;
	int	 i, rc;

	if ((out = report_open(run->out, &tmp)) == NULL)
		return EXIT_RUNTIME;
	report_begin(out, run->db, run->cases, run->n);
	for (i = 0; i < run->n; i++)
		report_case(out, &run->cases[i], i);
	report_end(out);
	rc = fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0;
	if (fclose(out) != 0 || rc != 0 || rename(tmp, run->out) != 0) {
		report_fail("cannot write %s: %s", run->out, strerror(errno));
		unlink(tmp);
		free(tmp);
		return EXIT_RUNTIME;
	}
	free(tmp);
	return 0;
}

static int
report_run(struct report_run *run, char **attempts)
{
	char	err[1024];
	int	i, rc = 0;

	if (store_reader_open(&run->reader, run->db, err, sizeof err) != 0)
		return report_fail("%s%s", err, "");
	run->facts = xcalloc(run->n, sizeof *run->facts);
	run->items = xcalloc(run->n, sizeof *run->items);
	run->cases = xcalloc(run->n, sizeof *run->cases);
	run->exams = xcalloc(run->n, sizeof *run->exams);
	for (i = 0; i < run->n && rc == 0; i++)
		rc = report_gather(run, i, attempts[i]);
	store_reader_close(run->reader);
	if (rc == 0)
		rc = report_write(run);
	if (rc == 0)
		printf("wrote the report of %d attempt%s to %s\n", run->n,
		    run->n == 1 ? "" : "s", proto_clean(run->out, err,
		    sizeof err));
	for (i = 0; i < run->n; i++) {
		store_tl_facts_free(&run->facts[i]);
		report_items_free(&run->items[i]);
	}
	for (i = 0; i < run->n_exams; i++) {
		free(run->exams[i].exam);
		review_fx_free(&run->exams[i].fx);
	}
	free(run->facts);
	free(run->items);
	free(run->cases);
	free(run->exams);
	return rc;
}

static int
review_report(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct report_run	 run;
	int			 ch;

	memset(&run, 0, sizeof run);
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			run.db = optarg;
			break;
		case 'o':
			run.out = optarg;
			break;
		case 'f':
			run.feed = optarg;
			break;
		case 'c':
			run.compromised = optarg;
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (run.db == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote)", NULL);
	if (run.out == NULL)
		return cmd_usage_error(self, "give --out FILE.html (where the "
		    "report goes)", NULL);
	if (optind == argc)
		return cmd_usage_error(self, "name at least one ATTEMPT to "
		    "report on", NULL);
	if (argc - optind > REPORT_ATTEMPTS_MAX)
		return cmd_usage_error(self, "at most 200 attempts in one "
		    "report; split them into several", NULL);
	run.n = argc - optind;
	return report_run(&run, argv + optind);
}

static const struct cmd_option report_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote "
	    "(or one review import merged)" },
	{ "out", 'o', 0, "FILE", "the HTML file to write (replaced when "
	    "complete, mode 0600)" },
	{ "feed", 'f', 0, "F", "the attempts are on feed F (needed when an "
	    "attempt id is on more than one feed)" },
	{ "compromised", 'c', 0, "FILE", "items known to be compromised, one "
	    "id a line ('#' comments): preknowledge is scored against them "
	    "and they are marked in the response-time plot" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_report_entry = {
	.name = "review report",
	.summary = "a case report of attempts as one self-contained HTML "
	    "file: facts, flags and decisions, timeline, forensic indices "
	    "and plots",
	.usage = "review report --db PATH --out FILE [--feed F] "
	    "[--compromised FILE] ATTEMPT...",
	.options = report_options,
	.opens = CMD_OPENS_STORE_READ,
	.exec = review_report,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};
