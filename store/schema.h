/*
 * schema.h - private to store/: recognising an invigil database and bringing
 * its schema up to date.  See schema.c.
 */
#ifndef INVIGIL_STORE_SCHEMA_H
#define INVIGIL_STORE_SCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

/* PRAGMA application_id of every invigil database: "INVG". */
#define STORE_APPLICATION_ID	0x494e5647

/*
 * Is the database behind db (opened from path) one this binary may use?
 * Read-only: refuses a file that is not SQLite, an SQLite database that
 * belongs to another application (application_id), an invigil database
 * newer than STORE_SCHEMA_VERSION, and one holding a schema object (table,
 * view, index, trigger) that its version's migrations do not create
 * exactly so.  reader words the advice for `invigil review` rather than
 * the console.  Returns 0, or -1 with a sentence in err.
 */
int	store_schema_check(sqlite3 *db, const char *path, int reader,
	    char *err, size_t errlen);

/*
 * Run the migrations the database lacks, all in one transaction, and set
 * PRAGMA user_version to STORE_SCHEMA_VERSION.  Safe against a second
 * process migrating at the same time (the check is repeated under the
 * write lock).  Returns 0, or -1 with a sentence in err and nothing changed.
 */
int	store_schema_migrate(sqlite3 *db, const char *path, char *err,
	    size_t errlen);

#endif /* INVIGIL_STORE_SCHEMA_H */
