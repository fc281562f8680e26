/*
 * dbfile.h - private to store/: the database as a file, before SQLite sees
 * it.  The path must name a regular file (a FIFO would hang SQLite's
 * open(2), a device would get a "-journal" beside it); a new database is
 * created 0600, since it holds candidates' personal data; an existing one
 * that others may read is named on stderr; and one console at a time
 * writes a database, held by an flock on the file.  See dbfile.c.
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
 * Take the writer's lock on the database file at path (which must exist):
 * an flock(2) on the file itself, held as long as the returned descriptor
 * is open, released by the kernel when the process ends, however it ends.
 * Returns the descriptor, or -1 with a sentence naming the process that
 * holds the lock (pid and command line, from /proc).
 *
 * store_file_unlock() closes it, which must come after SQLite has closed
 * the database: closing a descriptor of a file drops every POSIX lock the
 * process holds on it, SQLite's included.
 */
int	store_file_lock(const char *path, char *err, size_t errlen);
void	store_file_unlock(int fd);

/*
 * Is path still the file fd is open on?  0, or -1 with a sentence (the path
 * was replaced between the lock and SQLite's open).
 */
int	store_file_same(int fd, const char *path, char *err, size_t errlen);

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
