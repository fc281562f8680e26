/*
 * file.c - reading a small file whole, by path, without hanging.
 *
 * Rule files and token files are named on the command line and re-read on
 * SIGHUP.  Opened naively, a FIFO in their place blocks open(2) until a
 * writer comes (forever, with no one to say why), a device never ends and a
 * directory fails with a message about something else.  Here the file is
 * opened without blocking, must be a regular file, and is read to a size
 * bound; every refusal is one sentence naming the file and what to do.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"

/* What kind of thing st is, for "is not a regular file (...)". */
static const char *
file_type_name(const struct stat *st)
{
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISCHR(st->st_mode))
		return "a character device";
	if (S_ISBLK(st->st_mode))
		return "a block device";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	return "not a plain file";
}

/*
 * Open path for reading without blocking and make sure it is a regular
 * file: the descriptor (blocking again), with its stat in *st, or -1 with a
 * sentence in err.  shown is the path as errors show it.
 */
static int
file_open(const char *path, const char *what, const char *shown,
    struct stat *st, char *err, size_t errlen)
{
	int	fd, flags;

	/* O_NONBLOCK: opening a FIFO must not wait for its writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, errlen, "%s: cannot open the %s: %s", shown, what,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		snprintf(err, errlen, "%s: cannot read the %s: %s", shown, what,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		snprintf(err, errlen, "%s: is a directory; give the %s itself",
		    shown, what);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: is %s, not a regular file; give the "
		    "%s as a regular file", shown, file_type_name(st), what);
		close(fd);
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

int
proto_file_check(const char *path, const char *what, char *err,
    size_t errlen)
{
	struct stat	st;
	char		shown[512];
	int		fd;

	proto_sanitize(path, strlen(path), shown, sizeof shown);
	if ((fd = file_open(path, what, shown, &st, err, errlen)) == -1)
		return -1;
	close(fd);
	return 0;
}

int
proto_file_open(const char *path, const char *what, char *err,
    size_t errlen)
{
	struct stat	st;
	char		shown[512];

	proto_sanitize(path, strlen(path), shown, sizeof shown);
	return file_open(path, what, shown, &st, err, errlen);
}

int
proto_file_read(const char *path, const char *what, size_t max, char **buf,
    size_t *len, unsigned *mode, char *err, size_t errlen)
{
	struct stat	 st;
	char		*b, shown[512];
	size_t		 n = 0;
	ssize_t		 got;
	int		 fd;

	*buf = NULL;
	*len = 0;
	/* The name goes into errors that reach a terminal. */
	proto_sanitize(path, strlen(path), shown, sizeof shown);
	if ((fd = file_open(path, what, shown, &st, err, errlen)) == -1)
		return -1;
	b = xmalloc(max + 1);
	/* One byte over the bound tells a file that is too large. */
	while (n <= max) {
		got = read(fd, b + n, max + 1 - n);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			snprintf(err, errlen, "%s: cannot read the %s: %s",
			    shown, what, strerror(errno));
			close(fd);
			free(b);
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (n > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes; is it a %s?",
		    shown, max, what);
		free(b);
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	if (mode != NULL)
		*mode = (unsigned)st.st_mode & 07777;
	return 0;
}
