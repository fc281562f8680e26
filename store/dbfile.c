/*
 * dbfile.c - the database as a file: what the path names, who may read it,
 * and who writes it.
 *
 * SQLite opens whatever path it is given, blocking on a FIFO and putting a
 * world-writable "-journal" beside a device, so every opener (the console
 * and each reader) asks store_file_check() first.
 *
 * The writer's lock is an flock(2) on the database file itself, which
 * every path to it (a symbolic link, a hard link, another mount) reaches:
 * a lock file named after the path would let a second console in through
 * a link.  It is not an fcntl(2) lock: POSIX locks belong to the process,
 * SQLite takes and releases its own on the same file, and they would merge
 * with and cut ours.  On Linux flock and POSIX locks are independent (on a
 * local file system, which WAL needs anyway), SQLite's default VFS never
 * uses flock, so readers, sqlite3(1) included, do not see it; the kernel
 * releases it when the console ends, however it ends (SIGKILL included).
 * The pid of the holder is read from /proc/locks.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE		/* flock */
#endif

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>	/* major, minor */

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

/*
 * The pid holding an flock on the file fd is open on, from /proc/locks
 * ("3: FLOCK  ADVISORY  WRITE 4242 fe:00:1234567 0 EOF"), matched by inode
 * (and device, when the numbers agree: overlay file systems print the
 * device underneath); 0 if unknown.
 */
static long
store_file_flock_pid(int fd)
{
	struct stat	 st;
	FILE		*f;
	char		 line[256], kind[16], mode[16];
	unsigned int	 maj, min;
	unsigned long	 ino;
	long		 pid, any = 0;

	if (fstat(fd, &st) == -1 ||
	    (f = fopen("/proc/locks", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%lu", kind, mode,
		    &pid, &maj, &min, &ino) != 6 || strcmp(kind, "FLOCK") != 0 ||
		    strcmp(mode, "WRITE") != 0 || ino != (unsigned long)st.st_ino ||
		    pid <= 0)
			continue;
		if (maj == major(st.st_dev) && min == minor(st.st_dev)) {
			fclose(f);
			return pid;
		}
		any = pid;
	}
	fclose(f);
	return any;
}

/* Who holds the lock on fd, for a sentence: "pid N, "command line"". */
static void
store_file_holder(int fd, char *out, size_t outsz)
{
	char	cmd[512], clean[256], proc[64];
	ssize_t	n = -1;
	long	pid;
	int	cfd;
	size_t	i;

	if ((pid = store_file_flock_pid(fd)) == 0) {
		snprintf(out, outsz, "another process");
		return;
	}
	snprintf(proc, sizeof proc, "/proc/%ld/cmdline", pid);
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
	char		who[384];
	int		fd;

	/*
	 * Read-only is enough for flock (a read-only file is then refused by
	 * the caller in SQLite's words).  O_NONBLOCK: should a FIFO have taken
	 * the file's place meanwhile, open(2) returns rather than waiting.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file (any more); "
		    "give --db the path of a database file", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			store_file_holder(fd, who, sizeof who);
			snprintf(err, errlen, "%s is in use by another invigil "
			    "console or program (%s); one console writes a "
			    "database at a time: stop that one, or give this one "
			    "another --db", path, who);
		} else
			snprintf(err, errlen, "cannot lock %s: %s", path,
			    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
store_file_same(int fd, const char *path, char *err, size_t errlen)
{
	struct stat	a, b;

	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return 0;
	snprintf(err, errlen, "%s was replaced while invigil opened it; start "
	    "again", path);
	return -1;
}

void
store_file_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* after SQLite's last close: see dbfile.h */
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
