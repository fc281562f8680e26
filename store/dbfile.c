/*
 * dbfile.c - the database as a file: what the path names, who may read it,
 * and who writes it.
 *
 * SQLite opens whatever path it is given, blocking on a FIFO and putting a
 * world-writable "-journal" beside a device, so every opener (the console
 * and each reader) asks store_file_check() first.
 *
 * The writer's lock is an flock(2) on a separate file, "DB.lock", rather
 * than an fcntl(2) lock on the database itself: POSIX locks belong to the
 * process and are all dropped when any descriptor of the file is closed,
 * and SQLite takes, releases and closes its own POSIX locks on the database
 * as it works, so such a lock would vanish (or block SQLite) under us.  An
 * flock belongs to our open file description alone, is released by the
 * kernel when the process dies (SIGKILL included), and a separate file
 * keeps it away from SQLite's byte-range locks even where flock is emulated
 * with fcntl (NFS).  Readers never look at it.  The file is never removed:
 * removing it would let a second console lock a new file while the first
 * still holds the old one.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE		/* flock */
#endif

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "store/dbfile.h"

/* What a file that is not a regular file is, for a sentence. */
static const char *
store_file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

int
store_file_check(const char *path, int must_exist, char *err, size_t errlen)
{
	struct stat	st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT && !must_exist)
			return 0;
		if (errno == ENOENT)
			snprintf(err, errlen, "%s does not exist; give --db the "
			    "database a console wrote", path);
		else
			snprintf(err, errlen, "cannot look at %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is %s, not a database file; give "
		    "--db the path of a regular file", path,
		    store_file_kind(st.st_mode));
		return -1;
	}
	return 1;
}

/* The pid in a lock file and that process's command line, sanitised. */
static void
store_file_holder(int fd, char *out, size_t outsz)
{
	char	buf[64], cmd[512], clean[256], proc[64];
	ssize_t	n;
	long	pid;
	char	*end;
	int	cfd;
	size_t	i;

	n = pread(fd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (n <= 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    pid <= 0 || errno != 0) {
		snprintf(out, outsz, "a process that has not written its pid "
		    "yet");
		return;
	}
	snprintf(proc, sizeof proc, "/proc/%ld/cmdline", pid);
	n = -1;
	if ((cfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY)) != -1) {
		n = read(cfd, cmd, sizeof cmd - 1);
		close(cfd);
	}
	if (n <= 0) {
		snprintf(out, outsz, "pid %ld", pid);
		return;
	}
	/* Arguments are NUL-separated; the last one ends in a NUL. */
	while (n > 0 && cmd[n - 1] == '\0')
		n--;
	for (i = 0; i < (size_t)n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	proto_sanitize(cmd, (size_t)n, clean, sizeof clean);
	snprintf(out, outsz, "pid %ld, \"%s\"", pid, clean);
}

int
store_file_lock(const char *path, char *err, size_t errlen)
{
	struct stat	st;
	char		lock[4096], who[384], pid[32];
	int		fd, n;

	if ((size_t)snprintf(lock, sizeof lock, "%s.lock", path) >=
	    sizeof lock) {
		snprintf(err, errlen, "the database path %s is too long", path);
		return -1;
	}
	/* Never through a symbolic link, never a FIFO: it is truncated. */
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "cannot create the lock file %s: %s (does "
		    "its directory exist, and may invigil write there?)", lock,
		    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot look at the lock file %s: %s",
		    lock, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		snprintf(err, errlen, "the lock file %s is %s; remove it (no "
		    "console is using it) and start again", lock,
		    S_ISREG(st.st_mode) ? "a hard link to another file" :
		    store_file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			store_file_holder(fd, who, sizeof who);
			snprintf(err, errlen, "%s is in use by another invigil "
			    "console (%s); one console writes a database at a "
			    "time: stop that one, or give this one another "
			    "--db", path, who);
		} else
			snprintf(err, errlen, "cannot lock %s: %s", lock,
			    strerror(errno));
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n) {
		snprintf(err, errlen, "cannot write to the lock file %s: %s",
		    lock, strerror(errno));
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0)	/* an old file, made before 0600 */
		(void)fchmod(fd, 0600);
	return fd;
}

void
store_file_unlock(int fd)
{
	if (fd < 0)
		return;
	/* Still holding it: no one else reads a pid that is gone. */
	(void)ftruncate(fd, 0);
	close(fd);
}

int
store_file_create(const char *path, char *err, size_t errlen)
{
	struct stat	st;
	int		fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1) {
		/* O_EXCL does not follow a symbolic link, even to nothing. */
		if (errno == EEXIST && stat(path, &st) == -1 &&
		    lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
			snprintf(err, errlen, "%s is a symbolic link to nothing; "
			    "remove it, or point it at the database", path);
			return -1;
		}
		if (errno == EEXIST)	/* someone made it meanwhile */
			return store_file_check(path, 1, err, errlen) == -1 ?
			    -1 : 0;
		snprintf(err, errlen, "cannot create %s: %s (does its "
		    "directory exist, and may invigil write there?)", path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

void
store_file_warn_modes(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	struct stat	st;
	char		name[4096];
	size_t		i;

	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		if ((size_t)snprintf(name, sizeof name, "%s%s", path,
		    suffix[i]) >= sizeof name)
			return;
		if (stat(name, &st) == -1 || !S_ISREG(st.st_mode) ||
		    (st.st_mode & 066) == 0)
			continue;
		fprintf(stderr, "invigil: warning: %s holds candidates' "
		    "personal data and other users may %s it (mode %03o); run: "
		    "chmod 600 %s\n", name, (st.st_mode & 022) != 0 ?
		    "read or change" : "read", (unsigned)(st.st_mode & 0777),
		    name);
	}
}
