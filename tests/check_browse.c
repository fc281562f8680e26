/*
 * check_browse.c - unit tests of `review browse`'s model (browse.c): built
 * from a stored database, every attempt of every feed with its candidate,
 * name, centre and state, its events counted and the last one's kind, and
 * every flag with its state, as sqlite3 reads them from the file; a re-read after a writer added an attempt and closed
 * a flag brings both in; --feed keeps one feed; the file is left as it was
 * (no -wal, no -shm, the same bytes).  And the console's restart
 * (restore.c) gives attempts back their centre.
 */
#include <sys/stat.h>

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/app.h"
#include "console/browse.h"
#include "console/restore.h"

#define CHECK_TMP_NAME	"check_browse"
#include "check_tmp.h"
#include "tests/check_main.h"

static char		 dir[64];
static char		 dbpath[128];
static struct app	 app;

/* Run sql on the file with a writer of our own (sqlite3, as a console
 * would commit it), in the database's WAL mode; the -wal goes at close. */
static void
db_exec(const char *sql)
{
	struct store	*s;
	char		 err[512], *msg = NULL;

	ck_assert_msg(store_open(&s, dbpath, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) ==
	    SQLITE_OK, "%s: %s", sql, msg != NULL ? msg : "");
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
}

/* The one value sql reads from the file, as text ("" for none). */
static void
db_value(const char *sql, char *out, size_t len)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	/* Read a copy: sqlite3's own read-only open makes a -wal. */
	ck_assert_int_eq(system("cp \"$BROWSE_DB\" \"$BROWSE_DB.copy\""), 0);
	ck_assert_int_eq(sqlite3_open_v2(getenv("BROWSE_COPY"), &db,
	    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
setup(void)
{
	char	copy[160];

	check_tmp_make(dir, sizeof dir);
	snprintf(dbpath, sizeof dbpath, "%s/b.db", dir);
	snprintf(copy, sizeof copy, "%s.copy", dbpath);
	setenv("BROWSE_DB", dbpath, 1);
	setenv("BROWSE_COPY", copy, 1);
	memset(&app, 0, sizeof app);
	app.opt.proctor = "-";
	app.opt.db = dbpath;
	db_exec(
	    "INSERT INTO attempts (feed, attempt, candidate, name, center, state) "
	    "VALUES ('f1', 'A1', 'C1', 'Ana', 'Lyon', 'in_progress'),"
	    " ('f1', 'A2', 'C2', 'Bo' || char(27) || '[31m', NULL, 'paused'),"
	    " ('f2', 'A1', 'C9', 'Cy', 'Oslo', 'submitted');"
	    "INSERT INTO flags (id, feed, attempt, rule, severity, message, "
	    "count, state, weight, closed_ms) VALUES"
	    " (1, 'f1', 'A1', 'phone_seen', 'high', 'a phone', 1, 'open', 30, NULL),"
	    " (2, 'f1', 'A1', 'gaze', 'low', 'away', 3, 'dismissed', 5, 1),"
	    " (3, 'f1', 'A2', 'faces', 'critical', 'two', 1, 'open', 60, NULL),"
	    " (4, 'f2', 'A1', 'gaze', 'low', 'away', 1, 'confirmed', 5, 1);"
	    "INSERT INTO messages (feed, epoch, seq, type, attempt, kind, ts_ms, "
	    "recv_ms, body) VALUES"
	    " ('f1', 1, 1, 'attempt', 'A1', NULL, 10, 10, '{}'),"
	    " ('f1', 1, 2, 'event', 'A1', 'gaze_away', 20, 20, '{}'),"
	    " ('f1', 1, 3, 'event', 'A1', 'object_detected', 30, 30, '{}'),"
	    " ('f1', 1, 4, 'event', 'A2', 'gaze_away', 40, 40, '{}'),"
	    " ('f2', 1, 1, 'state', 'A1', NULL, 50, 50, '{}');");
}

static void
teardown(void)
{
	browse_close(&app);
}

/* The attempt (feed, id) in the model, or NULL. */
static struct attempt *
find(const char *feed, const char *id)
{
	struct feed_session	*fs = model_session_find(&app.model, feed);

	return fs != NULL ? model_attempt_find(&app.model, fs, id) : NULL;
}

/* Every stored attempt and flag is the model's, field for field. */
static void
model_is_stored(void)
{
	char		 sql[1024], v[1024];
	struct attempt	*a;
	struct flag	*f;
	size_t		 i, nflags = 0;
	uint64_t	 open = 0;

	db_value("SELECT count(*) FROM attempts", v, sizeof v);
	ck_assert_uint_eq(app.model.nattempts, strtoull(v, NULL, 10));
	for (i = 0; i < app.model.nattempts; i++) {
		a = app.model.attempts[i];
		snprintf(sql, sizeof sql, "SELECT candidate || '|' || name || "
		    "'|' || ifnull(center, '') || '|' || state FROM attempts "
		    "WHERE feed = '%s' AND attempt = '%s'", a->feed->id, a->id);
		db_value(sql, v, sizeof v);
		snprintf(sql, sizeof sql, "%s|%s|%s|%s", a->candidate, a->name,
		    a->center, proto_state_name(a->state));
		ck_assert_str_eq(sql, v);
		snprintf(sql, sizeof sql, "SELECT count(*) || '|' || ifnull(("
		    "SELECT kind FROM messages WHERE feed = '%s' AND attempt = "
		    "'%s' AND type = 'event' ORDER BY ts_ms DESC LIMIT 1), '-') "
		    "FROM messages WHERE feed = '%s' AND attempt = '%s' AND "
		    "type = 'event'", a->feed->id, a->id, a->feed->id, a->id);
		db_value(sql, v, sizeof v);
		snprintf(sql, sizeof sql, "%llu|%s", (unsigned long long)
		    a->events, a->has_event ? proto_event_kind_name(
		    a->last_kind) : "-");
		ck_assert_str_eq(sql, v);
		for (f = a->flags; f != NULL; f = f->next, nflags++, open++) {
			snprintf(sql, sizeof sql, "SELECT state || '|' || "
			    "attempt FROM flags WHERE id = %lld",
			    (long long)f->id);
			db_value(sql, v, sizeof v);
			snprintf(sql, sizeof sql, "open|%s", a->id);
			ck_assert_str_eq(v, sql);
		}
		for (f = a->closed; f != NULL; f = f->next, nflags++) {
			snprintf(sql, sizeof sql, "SELECT state FROM flags "
			    "WHERE id = %lld", (long long)f->id);
			db_value(sql, v, sizeof v);
			ck_assert_str_eq(v, store_flag_state_name(f->state));
		}
	}
	db_value("SELECT count(*) FROM flags", v, sizeof v);
	ck_assert_uint_eq(nflags, strtoull(v, NULL, 10));
	db_value("SELECT count(*) FROM flags WHERE state = 'open'", v, sizeof v);
	ck_assert_uint_eq(open, strtoull(v, NULL, 10));
	ck_assert_uint_eq(app.model.open_flags, open);
}

START_TEST(test_model_from_db)
{
	char		 err[512], p[160];
	struct stat	 sb;
	struct attempt	*a;

	ck_assert_msg(browse_open(&app, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(app.model.nattempts, 3);
	model_is_stored();
	/* The same id on two feeds is two attempts. */
	ck_assert_str_eq(find("f2", "A1")->name, "Cy");
	ck_assert_str_eq(find("f1", "A1")->center, "Lyon");
	a = find("f1", "A1");
	ck_assert_int_eq(a->open_flags, 1);
	ck_assert_ptr_nonnull(a->closed);
	/* Opened with no writer: nothing was made beside the file. */
	snprintf(p, sizeof p, "%s-wal", dbpath);
	ck_assert_int_eq(lstat(p, &sb), -1);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	ck_assert_int_eq(lstat(p, &sb), -1);
}
END_TEST

START_TEST(test_reread_after_writer)
{
	char	err[512];

	ck_assert_msg(browse_open(&app, err, sizeof err) == 0, "%s", err);
	/* A console commits: a new attempt with a flag, a flag closed. */
	db_exec("INSERT INTO attempts (feed, attempt, candidate, name, state) "
	    "VALUES ('f2', 'A7', 'C7', 'Di', 'scheduled');"
	    "INSERT INTO flags (id, feed, attempt, rule, severity, message, "
	    "count, state, weight) VALUES (5, 'f2', 'A7', 'gaze', 'low', 'x', "
	    "1, 'open', 5);"
	    "UPDATE flags SET state = 'dismissed', closed_ms = 2 WHERE id = 3;"
	    "INSERT INTO messages (feed, epoch, seq, type, attempt, kind, "
	    "ts_ms, recv_ms, body) VALUES ('f2', 1, 2, 'event', 'A7', "
	    "'gaze_away', 60, 60, '{}'), ('f1', 1, 5, 'event', 'A1', "
	    "'gaze_away', 70, 70, '{}');");
	ck_assert_msg(browse_load(&app, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(app.model.nattempts, 4);
	ck_assert_int_eq(find("f1", "A2")->open_flags, 0);
	ck_assert_int_eq(find("f2", "A7")->open_flags, 1);
	model_is_stored();
}
END_TEST

START_TEST(test_one_feed)
{
	char	err[512];

	app.opt.feeds[0] = "f2";
	app.opt.nfeeds = 1;
	ck_assert_msg(browse_open(&app, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(app.model.nattempts, 1);
	ck_assert_ptr_nonnull(find("f2", "A1"));
	ck_assert_uint_eq(app.model.open_flags, 0);
}
END_TEST

START_TEST(test_refused)
{
	char	err[512], path[160];
	FILE	*f;

	snprintf(path, sizeof path, "%s/none.db", dir);
	app.opt.db = path;
	ck_assert_int_eq(browse_open(&app, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "does not exist") != NULL, "%s", err);
	browse_close(&app);
	memset(&app, 0, sizeof app);
	snprintf(path, sizeof path, "%s/text.db", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("not a database\n", f);
	fclose(f);
	app.opt.db = path;
	ck_assert_int_eq(browse_open(&app, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "invigil") != NULL, "%s", err);
}
END_TEST

/* restore.c: a restarted console's attempts keep their centre. */
START_TEST(test_restore_center)
{
	char			 err[512];
	struct feed_session	*fs;

	ck_assert_int_eq(store_open(&app.store, dbpath, err, sizeof err), 0);
	app.rules = rules_default();
	app.engine = rules_engine_new(app.rules);
	fs = app_session_new(&app, "f1", err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	ck_assert_int_eq(restore_session(&app, NULL, err, sizeof err), 0);
	ck_assert_str_eq(find("f1", "A1")->center, "Lyon");
	ck_assert_str_eq(find("f1", "A2")->center, "");
}
END_TEST

static Suite *
browse_suite(void)
{
	Suite	*s = suite_create("browse");
	TCase	*tc = tcase_create("model");

	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_model_from_db);
	tcase_add_test(tc, test_reread_after_writer);
	tcase_add_test(tc, test_one_feed);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_restore_center);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(browse_suite());
}
