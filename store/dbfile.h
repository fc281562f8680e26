/*
 * dbfile.h - private to store/: the database as a file, before SQLite sees
 * it.  The path must name a regular file (a FIFO would hang SQLite's
 * open(2), a device would get a "-journal" beside it); a new database is
 * created 0600, since it holds candidates' personal data; an existing one
 * that others may read is named on stderr; and one console at a time
 * writes a database, held by a lock file beside it.  See dbfile.c.
 */
#ifndef INVIGIL_STORE_DBFILE_H
#define INVIGIL_STORE_DBFILE_H

#include <stddef.h>

/*
 * Is path a database file invigil may hand to SQLite?  A path that exists
 * must be a regular file (symbolic links are followed); with must_exist, a
 * missing one is an error too.  stat(2) only: nothing is opened, so a FIFO
 * cannot block.  Returns 1 if it exists, 0 if not, -1 with a sentence.
 */
int	store_file_check(const char *path, int must_exist, char *err,
	    size_t errlen);

/*
 * Take the writer's lock on the database at path: an flock(2) on
 * "path.lock" (created 0600), which then holds this process's pid.  The
 * kernel releases it when the process ends, however it ends.  Returns the
 * lock's descriptor (store_file_unlock() releases it), or -1 with a
 * sentence naming the process that holds it.
 */
int	store_file_lock(const char *path, char *err, size_t errlen);
void	store_file_unlock(int fd);

/*
 * Create the database file at path, empty and mode 0600, if it does not
 * exist; SQLite gives its -wal, -shm and -journal files the same mode.
 * 0, or -1 with a sentence.
 */
int	store_file_create(const char *path, char *err, size_t errlen);

/*
 * One warning line on stderr for the database, and for each of its -wal,
 * -shm and -journal files that exists, when group or others may read or
 * write it, naming the chmod to run.
 */
void	store_file_warn_modes(const char *path);

#endif /* INVIGIL_STORE_DBFILE_H */
