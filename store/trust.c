/*
 * trust.c - the trust file (invigil-trust(5)): parsed whole into a list of
 * lines, comments and blank lines kept as they were, key lines as struct
 * trust_entry; changed in memory (add, revoke) and written back whole,
 * atomically.  And the table of which roles may record which journal act.
 * No SQL here: the journal acts for a change are the caller's.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/trust.h"

/* One line of the file: a key line, or other text kept as it was. */
struct trust_line {
	char			*text;		/* a comment or blank line */
	struct trust_entry	*entry;		/* or a key line */
};

struct trust {
	struct trust_line	*lines;
	size_t			 n, cap;
	size_t			 nentries;
};

static const char *const trust_role_names[] = {
	"proctor", "supervisor", "analyst", "admin"
};

/* The one table of who may record what (trust.h). */
static const struct {
	const char	*kind;
	unsigned	 roles;
} trust_kinds[] = {
	{ "dismiss", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "confirm", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "warn", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "pause", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "resume", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "terminate", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "message", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "extend", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "lock", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "escalate", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "note", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "ack_request", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "recheck", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "feed_replaced", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "cmd_ack", TRUST_PROCTOR | TRUST_SUPERVISOR },
	{ "import", TRUST_ANALYST | TRUST_ADMIN },
	{ "open_case", TRUST_ANALYST | TRUST_ADMIN },
	{ "recommend", TRUST_ANALYST | TRUST_ADMIN },
	{ "propose_invalidation", TRUST_ADMIN },
	{ "approve_invalidation", TRUST_ADMIN },
	{ "reject_invalidation", TRUST_ADMIN },
	{ "reinstate", TRUST_ADMIN },
	{ "uphold", TRUST_ADMIN },
	{ "appeal_open", TRUST_ADMIN },
	{ "export_outcomes", TRUST_ADMIN },
	{ "trust_add", TRUST_ADMIN },
	{ "trust_revoke", TRUST_ADMIN },
};

unsigned
trust_role(const char *name)
{
	size_t	i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, trust_role_names[i]) == 0)
			return 1u << i;
	return 0;
}

int
trust_roles_parse(const char *text, unsigned *roles, char *err,
    size_t errlen)
{
	char		 one[32];
	const char	*p = text;
	size_t		 len;
	unsigned	 r, all = 0;

	for (;;) {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof one) {
			snprintf(err, errlen, "roles \"%s\": %s; give a "
			    "comma-separated set of proctor, supervisor, "
			    "analyst, admin", text, len == 0 ? "an empty role" :
			    "a role that is too long");
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		if ((r = trust_role(one)) == 0) {
			snprintf(err, errlen, "unknown role \"%s\"; the roles "
			    "are proctor, supervisor, analyst and admin", one);
			return -1;
		}
		if (all & r) {
			snprintf(err, errlen, "role \"%s\" is named twice",
			    one);
			return -1;
		}
		all |= r;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*roles = all;
	return 0;
}

void
trust_roles_text(unsigned roles, char buf[TRUST_ROLES_TEXT])
{
	size_t	i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < 4; i++) {
		if ((roles & (1u << i)) == 0)
			continue;
		o += (size_t)snprintf(buf + o, TRUST_ROLES_TEXT - o, "%s%s",
		    o > 0 ? "," : "", trust_role_names[i]);
	}
}

unsigned
trust_kind_roles(const char *kind)
{
	size_t	i;

	for (i = 0; i < sizeof trust_kinds / sizeof trust_kinds[0]; i++)
		if (strcmp(kind, trust_kinds[i].kind) == 0)
			return trust_kinds[i].roles;
	return 0;
}

int
trust_may(unsigned roles, const char *kind, char *err, size_t errlen)
{
	char		need[TRUST_ROLES_TEXT], have[TRUST_ROLES_TEXT];
	unsigned	want = trust_kind_roles(kind);

	if (want == 0) {
		snprintf(err, errlen, "\"%s\" is not an act the roles table "
		    "knows", kind);
		return -1;
	}
	if (roles & want)
		return 0;
	trust_roles_text(want, need);
	trust_roles_text(roles, have);
	snprintf(err, errlen, "%s needs the role %s, and its signer has %s",
	    kind, need, roles == 0 ? "none" : have);
	return -1;
}

int
trust_default_path(char *buf, size_t len, char *err, size_t errlen)
{
	char	dir[1024];

	if (sign_key_dir(dir, sizeof dir, err, errlen) != 0)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/trust", dir) >= len) {
		snprintf(err, errlen, "the trust file's path is too long; "
		    "give --trust FILE");
		return -1;
	}
	return 0;
}

struct trust *
trust_new(void)
{
	return xcalloc(1, sizeof(struct trust));
}

void
trust_free(struct trust *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->lines[i].text);
		free(t->lines[i].entry);
	}
	free(t->lines);
	free(t);
}

static struct trust_line *
trust_push(struct trust *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->lines = xreallocarray(t->lines, t->cap, sizeof *t->lines);
	}
	memset(&t->lines[t->n], 0, sizeof t->lines[t->n]);
	return &t->lines[t->n++];
}

size_t
trust_count(const struct trust *t)
{
	return t->nentries;
}

const struct trust_entry *
trust_at(const struct trust *t, size_t i)
{
	size_t	k;

	for (k = 0; k < t->n; k++)
		if (t->lines[k].entry != NULL && i-- == 0)
			return t->lines[k].entry;
	return NULL;
}

enum trust_status
trust_lookup(const struct trust *t, const char *vkey,
    const struct trust_entry **ep)
{
	const struct trust_entry	*e, *found = NULL;
	size_t				 k;

	for (k = 0; k < t->n; k++) {
		if ((e = t->lines[k].entry) == NULL ||
		    strcmp(e->vkey, vkey) != 0)
			continue;
		if (found == NULL || !e->revoked)
			found = e;
	}
	if (ep != NULL)
		*ep = found;
	if (found == NULL)
		return TRUST_UNKNOWN;
	return found->revoked ? TRUST_REVOKED : TRUST_TRUSTED;
}

const struct trust_entry *
trust_actor(const struct trust *t, const char *name)
{
	const struct trust_entry	*e;
	size_t				 k;

	for (k = 0; k < t->n; k++)
		if ((e = t->lines[k].entry) != NULL && !e->revoked &&
		    strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/*
 * Is vkey a well-formed verifier key named name?  0, or -1 with a
 * sentence.
 */
static int
trust_vkey_check(const char *name, const char *vkey, char *err,
    size_t errlen)
{
	struct sign_note	none;
	char			why[256];
	size_t			nlen = strlen(name);

	memset(&none, 0, sizeof none);
	if (strlen(vkey) > SIGN_VKEY_MAX ||
	    sign_note_verify(&none, vkey, why, sizeof why) == -1) {
		snprintf(err, errlen, "not a verifier key (NAME+ID+BASE64, as "
		    "admin keys init prints)");
		return -1;
	}
	if (strncmp(vkey, name, nlen) != 0 || vkey[nlen] != '+') {
		snprintf(err, errlen, "the key is named \"%.*s\", not \"%s\"; "
		    "a key line's name is its key's", (int)strcspn(vkey, "+"),
		    vkey, name);
		return -1;
	}
	return 0;
}

/*
 * A key line that would be added to t: no other line has its key, and no
 * line not revoked has its name (unless e itself is revoked).
 */
static int
trust_conflict(const struct trust *t, const struct trust_entry *e,
    char *err, size_t errlen)
{
	const struct trust_entry	*o;
	size_t				 k;

	for (k = 0; k < t->n; k++) {
		if ((o = t->lines[k].entry) == NULL)
			continue;
		if (strcmp(o->vkey, e->vkey) == 0) {
			snprintf(err, errlen, "the key of %s is already on "
			    "%s%d%s; a key has one line", e->name,
			    o->line > 0 ? "line " : "", o->line,
			    o->line > 0 ? "" : " (added)");
			return -1;
		}
		if (!e->revoked && !o->revoked &&
		    strcmp(o->name, e->name) == 0) {
			snprintf(err, errlen, "%s already has a key not "
			    "revoked (line %d); revoke it first", e->name,
			    o->line);
			return -1;
		}
	}
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" that is a real UTC time. */
static int
trust_date_valid(const char *s)
{
	struct tm	tm;
	time_t		t;
	char		back[32];
	const char	*end;

	if (strlen(s) != 20)
		return 0;
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	gmtime_r(&t, &tm);
	strftime(back, sizeof back, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strcmp(back, s) == 0;
}

/* The reason of a revocation: valid UTF-8, no control character. */
static int
trust_reason_check(const char *r, char *err, size_t errlen)
{
	size_t	i, len = strlen(r);

	if (len > TRUST_REASON_MAX) {
		snprintf(err, errlen, "the reason is longer than %d bytes",
		    TRUST_REASON_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f) {
			snprintf(err, errlen, "the reason holds a control "
			    "character (byte %zu); give one line of text",
			    i + 1);
			return -1;
		}
	if (!proto_utf8_valid(r, len)) {
		snprintf(err, errlen, "the reason is not UTF-8");
		return -1;
	}
	return 0;
}

/* The 1-based column of the first byte of s that is not UTF-8, or 0. */
static int
trust_utf8_bad(const char *s, size_t len)
{
	size_t		i = 0, n;
	unsigned char	c;

	while (i < len) {
		c = (unsigned char)s[i];
		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n > len - i || !proto_utf8_valid(s + i, n))
			return (int)i + 1;
		i += n;
	}
	return 0;
}

/* A field of a line: its start, its length; *p moves past it. */
static size_t
trust_field(const char **p, const char **start)
{
	size_t	len;

	*p += strspn(*p, " \t");
	*start = *p;
	len = strcspn(*p, " \t");
	*p += len;
	return len;
}

#define TRUST_FIELD(dst, what)	do {					\
	len = trust_field(&p, &f);					\
	col = (int)(f - line) + 1;					\
	if (len == 0) {							\
		snprintf(why, sizeof why, "missing %s", what);		\
		goto bad;						\
	}								\
	if (len >= sizeof(dst)) {					\
		snprintf(why, sizeof why, "%s longer than %zu bytes",	\
		    what, sizeof(dst) - 1);				\
		goto bad;						\
	}								\
	memcpy(dst, f, len);						\
	(dst)[len] = '\0';						\
} while (0)

/*
 * One line (NUL-terminated, no '\n') of the file into t.  0, or -1 with
 * "FILE:LINE:COL: ..." in err.
 */
static int
trust_parse_line(struct trust *t, const char *line, int lineno,
    const char *file, char *err, size_t errlen)
{
	struct trust_entry	 e;
	struct trust_line	*l;
	const char		*p = line, *f;
	char			 roles[TRUST_ROLES_TEXT + 16], why[512];
	char			 marker[16];
	size_t			 len, i;
	int			 col = 1;

	for (i = 0; line[i] != '\0'; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			col = (int)i + 1;
			snprintf(why, sizeof why, "a control character "
			    "(0x%02x)", (unsigned char)line[i]);
			goto bad;
		}
	if ((col = trust_utf8_bad(line, i)) != 0) {
		snprintf(why, sizeof why, "not UTF-8");
		goto bad;
	}
	p += strspn(p, " \t");
	if (*p == '\0' || *p == '#') {
		l = trust_push(t);
		l->text = xstrdup(line);
		return 0;
	}
	memset(&e, 0, sizeof e);
	e.line = lineno;
	if (*p == '@') {
		TRUST_FIELD(marker, "marker");
		if (strcmp(marker, "@revoked") != 0) {
			snprintf(why, sizeof why, "unknown marker \"%s\" (the "
			    "one marker is @revoked)", marker);
			goto bad;
		}
		e.revoked = 1;
		TRUST_FIELD(e.revoked_on, "date of the revocation");
		if (!trust_date_valid(e.revoked_on)) {
			snprintf(why, sizeof why, "\"%s\" is not a UTC date "
			    "and time like 2026-12-07T15:30:00Z",
			    e.revoked_on);
			goto bad;
		}
	}
	TRUST_FIELD(e.name, "name");
	if (sign_name_valid(e.name, why, sizeof why) != 0)
		goto bad;
	TRUST_FIELD(roles, "roles");
	if (trust_roles_parse(roles, &e.roles, why, sizeof why) != 0)
		goto bad;
	TRUST_FIELD(e.vkey, "verifier key");
	if (trust_vkey_check(e.name, e.vkey, why, sizeof why) != 0)
		goto bad;
	p += strspn(p, " \t");
	col = (int)(p - line) + 1;
	if (*p != '\0') {
		if (!e.revoked) {
			snprintf(why, sizeof why, "text after the key (a key "
			    "line is NAME ROLES VKEY)");
			goto bad;
		}
		len = strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > TRUST_REASON_MAX) {
			snprintf(why, sizeof why, "a reason longer than %d "
			    "bytes", TRUST_REASON_MAX);
			goto bad;
		}
		memcpy(e.reason, p, len);
		e.reason[len] = '\0';
	}
	col = 1;
	if (trust_conflict(t, &e, why, sizeof why) != 0)
		goto bad;
	l = trust_push(t);
	l->entry = xmalloc(sizeof *l->entry);
	*l->entry = e;
	t->nentries++;
	return 0;
bad:
	snprintf(err, errlen, "%s:%d:%d: %s", file, lineno, col, why);
	return -1;
}

struct trust *
trust_parse(const char *text, size_t len, const char *file, char *err,
    size_t errlen)
{
	struct trust	*t = trust_new();
	char		*line;
	size_t		 off = 0, n;
	int		 lineno = 0;

	while (off < len) {
		n = 0;
		while (off + n < len && text[off + n] != '\n')
			n++;
		if (++lineno > TRUST_MAX_LINES) {
			snprintf(err, errlen, "%s:%d:1: more than %d lines; "
			    "not a trust file", file, lineno, TRUST_MAX_LINES);
			goto fail;
		}
		if (memchr(text + off, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%d:%d: a NUL byte", file,
			    lineno, (int)((const char *)memchr(text + off,
			    '\0', n) - (text + off)) + 1);
			goto fail;
		}
		line = xmalloc(n + 1);
		memcpy(line, text + off, n);
		line[n] = '\0';
		if (trust_parse_line(t, line, lineno, file, err,
		    errlen) != 0) {
			free(line);
			goto fail;
		}
		free(line);
		off += n + 1;
	}
	return t;
fail:
	trust_free(t);
	return NULL;
}

struct trust *
trust_load(const char *path, int missing_ok, char *err, size_t errlen)
{
	struct stat	 st;
	struct trust	*t;
	char		*buf;
	size_t		 len;
	unsigned	 mode;

	if (stat(path, &st) == -1 && errno == ENOENT) {
		if (missing_ok)
			return trust_new();
		snprintf(err, errlen, "%s: there is no trust file; add its "
		    "first line with invigil admin trust add", path);
		return NULL;
	}
	if (proto_file_read(path, "trust file", TRUST_FILE_MAX, &buf, &len,
	    &mode, err, errlen) != 0)
		return NULL;
	if (mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: the trust file may be written by "
		    "group or others; chmod go-w %s", path, path);
		free(buf);
		return NULL;
	}
	t = trust_parse(buf, len, path, err, errlen);
	free(buf);
	return t;
}

/* Write all of buf to fd.  0 or -1 (errno set). */
static int
trust_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The directory of path into dir, made (mode 0700) if it is not there.
 * 0, or -1 with a sentence.
 */
static int
trust_dir(const char *path, char *dir, size_t len, char *err, size_t errlen)
{
	char	*slash;

	if ((size_t)snprintf(dir, len, "%s", path) >= len) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, len, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot make the directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
trust_lock(const char *path, char *err, size_t errlen)
{
	char	dir[1024], lock[1100];
	int	fd;

	if (trust_dir(path, dir, sizeof dir, err, errlen) != 0)
		return -1;
	if ((size_t)snprintf(lock, sizeof lock, "%s.lock", path) >=
	    sizeof lock) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0600)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", lock,
		    strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1) {
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "cannot lock %s: %s", lock,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
trust_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}

/* Append one line of e to *out (a growing string). */
static void
trust_format(const struct trust_entry *e, char **out, size_t *len,
    size_t *cap)
{
	char	roles[TRUST_ROLES_TEXT];
	char	line[2 * SIGN_VKEY_MAX + TRUST_REASON_MAX + 128];
	int	n;

	trust_roles_text(e->roles, roles);
	if (e->revoked)
		n = snprintf(line, sizeof line, "@revoked %s %s %s %s%s%s\n",
		    e->revoked_on, e->name, roles, e->vkey,
		    e->reason[0] != '\0' ? " " : "", e->reason);
	else
		n = snprintf(line, sizeof line, "%s %s %s\n", e->name, roles,
		    e->vkey);
	if (*len + (size_t)n + 1 > *cap) {
		*cap = (*len + (size_t)n + 1) * 2;
		*out = xrealloc(*out, *cap);
	}
	memcpy(*out + *len, line, (size_t)n + 1);
	*len += (size_t)n;
}

int
trust_save(const struct trust *t, const char *path, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*text = NULL, dir[1024], tmp[1100];
	size_t		 len = 0, cap = 0, k, n;
	int		 fd, dfd;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file; give --trust "
		    "a trust file", path);
		return -1;
	}
	if (trust_dir(path, dir, sizeof dir, err, errlen) != 0)
		return -1;
	for (k = 0; k < t->n; k++) {
		if (t->lines[k].entry != NULL) {
			trust_format(t->lines[k].entry, &text, &len, &cap);
			continue;
		}
		n = strlen(t->lines[k].text);
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			text = xrealloc(text, cap);
		}
		memcpy(text + len, t->lines[k].text, n);
		text[len + n] = '\n';
		len += n + 1;
	}
	snprintf(tmp, sizeof tmp, "%s/.trust.XXXXXX", dir);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot write a file in %s: %s", dir,
		    strerror(errno));
		free(text);
		return -1;
	}
	if (fchmod(fd, 0644) == -1 || trust_write_all(fd, text, len) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		free(text);
		return -1;
	}
	free(text);
	close(fd);
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "cannot replace %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
trust_add(struct trust *t, const char *name, const char *roles,
    const char *vkey, char *err, size_t errlen)
{
	struct trust_entry	 e;
	struct trust_line	*l;

	memset(&e, 0, sizeof e);
	if (sign_name_valid(name, err, errlen) != 0)
		return -1;
	if (trust_roles_parse(roles, &e.roles, err, errlen) != 0 ||
	    trust_vkey_check(name, vkey, err, errlen) != 0)
		return -1;
	snprintf(e.name, sizeof e.name, "%s", name);
	snprintf(e.vkey, sizeof e.vkey, "%s", vkey);
	if (trust_conflict(t, &e, err, errlen) != 0)
		return -1;
	if (t->n >= TRUST_MAX_LINES) {
		snprintf(err, errlen, "the trust file has %d lines already",
		    TRUST_MAX_LINES);
		return -1;
	}
	l = trust_push(t);
	l->entry = xmalloc(sizeof *l->entry);
	*l->entry = e;
	t->nentries++;
	return 0;
}

int
trust_revoke(struct trust *t, const char *name, const char *reason,
    int64_t now_ms, char vkey[SIGN_VKEY_MAX + 1], char *err, size_t errlen)
{
	struct trust_entry	*e = (struct trust_entry *)trust_actor(t, name);
	struct tm		 tm;
	time_t			 secs = (time_t)(now_ms / 1000);

	if (e == NULL) {
		snprintf(err, errlen, "%s has no key in the trust file that "
		    "is not revoked already", name);
		return -1;
	}
	if (reason != NULL && trust_reason_check(reason, err, errlen) != 0)
		return -1;
	gmtime_r(&secs, &tm);
	strftime(e->revoked_on, sizeof e->revoked_on, "%Y-%m-%dT%H:%M:%SZ",
	    &tm);
	snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
	e->revoked = 1;
	if (vkey != NULL)
		snprintf(vkey, SIGN_VKEY_MAX + 1, "%s", e->vkey);
	return 0;
}

int
trust_check_act(const struct trust *t, const char *vkey, const char *kind,
    char *err, size_t errlen)
{
	const struct trust_entry	*e;
	char				 why[256];

	switch (trust_lookup(t, vkey, &e)) {
	case TRUST_UNKNOWN:
		snprintf(err, errlen, "the key %s is not in the trust file; an "
		    "admin adds it with invigil admin trust add", vkey);
		return -1;
	case TRUST_REVOKED:
		snprintf(err, errlen, "the key of %s was revoked on %s; it "
		    "records no act", e->name, e->revoked_on);
		return -1;
	case TRUST_TRUSTED:
		break;
	}
	if (trust_may(e->roles, kind, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s may not record this: %s", e->name,
		    why);
		return -1;
	}
	return 0;
}
