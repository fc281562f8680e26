/*
 * trust.h - the trust file: who may act, in which roles, with which key
 * (invigil-trust(5)); and the one table of which roles may record which
 * journal act, used when an act is recorded and again by verify.
 *
 * The file is like ssh's allowed_signers: one line per actor's key,
 *
 *	NAME ROLES VKEY
 *	@revoked DATE NAME ROLES VKEY [REASON...]
 *
 * with ROLES a comma-separated set of proctor, supervisor, analyst and
 * admin, VKEY a signed-note verifier key (store/sign.h) whose name is NAME,
 * DATE the revocation's UTC date and time (RFC 3339, seconds), '#' comment
 * lines and blank lines.  A revoked line is kept, so that entries it signed
 * before its revocation still name their signer.  Comments and blank lines
 * survive a rewrite.
 *
 * The file is hostile input: trust_parse() refuses anything else with
 * "FILE:LINE:COLUMN: what is wrong", and at most TRUST_MAX_LINES lines.
 * Every function that can fail returns 0 (or a pointer) on success and -1
 * (or NULL) with one sentence in the caller's err buffer.
 */
#ifndef INVIGIL_STORE_TRUST_H
#define INVIGIL_STORE_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "store/sign.h"

/* Roles (a mask). */
#define TRUST_PROCTOR		0x1
#define TRUST_SUPERVISOR	0x2
#define TRUST_ANALYST		0x4
#define TRUST_ADMIN		0x8
#define TRUST_ROLES_ALL		0xf

#define TRUST_MAX_LINES		10000
#define TRUST_FILE_MAX		(4 * 1024 * 1024)
#define TRUST_REASON_MAX	512
#define TRUST_ROLES_TEXT	40	/* "proctor,supervisor,analyst,admin" */

/* One key line of the file. */
struct trust_entry {
	char		 name[SIGN_NAME_MAX + 1];
	unsigned	 roles;			/* TRUST_* */
	char		 vkey[SIGN_VKEY_MAX + 1];
	int		 revoked;
	char		 revoked_on[32];	/* "2026-12-07T15:30:00Z" */
	char		 reason[TRUST_REASON_MAX + 1];	/* of a revocation */
	int		 line;			/* 1-based, 0 if added */
};

struct trust;	/* a trust file in memory: its lines, in order */

/* What a verifier key is to a trust file. */
enum trust_status {
	TRUST_UNKNOWN,		/* on no line */
	TRUST_TRUSTED,		/* on a line not revoked */
	TRUST_REVOKED		/* only on revoked lines */
};

/*
 * The default trust file: $XDG_CONFIG_HOME/invigil/trust, or
 * $HOME/.config/invigil/trust (the key directory's, sign_key_dir()).
 * 0, or -1 if no directory is usable or buf is too small.
 */
int		 trust_default_path(char *buf, size_t len, char *err,
		     size_t errlen);

/* An empty trust file (no lines); trust_free() frees it. */
struct trust	*trust_new(void);
void		 trust_free(struct trust *);

/*
 * Parse text (len bytes, need not be NUL-terminated) as a trust file;
 * file names it in errors.  Refused with "FILE:LINE:COL: ...": bytes that
 * are not UTF-8 or are control characters, an unknown marker, a missing
 * field, an unknown or repeated role, a vkey that is not one (or whose
 * name is not NAME), a bad date, the same key on two lines, two lines not
 * revoked for one name, more than TRUST_MAX_LINES lines.  Returns the
 * trust file, or NULL.
 */
struct trust	*trust_parse(const char *text, size_t len, const char *file,
		     char *err, size_t errlen);

/*
 * Read and parse the trust file at path: a regular file (a FIFO is refused
 * without blocking), at most TRUST_FILE_MAX bytes, that group and others
 * may not write ("chmod go-w FILE").  A file that does not exist gives an
 * empty trust file if missing_ok, else an error saying how to make one.
 */
struct trust	*trust_load(const char *path, int missing_ok, char *err,
		     size_t errlen);

/*
 * Write t to path atomically: a temporary file in the same directory, mode
 * 0644 (the file holds public keys only; what matters is who may write
 * it), fsync'd, renamed over path, and the directory fsync'd.  A path that
 * exists and is not a regular file is refused.  0 or -1.
 */
int		 trust_save(const struct trust *, const char *path, char *err,
		     size_t errlen);

/*
 * Hold the trust file at path for a change (load, change, save): an
 * exclusive flock(2) on PATH.lock (made 0600 if need be, its directory
 * too), so that two admins changing the file at once do not lose one
 * change.  Blocks until the other change is done.  Returns the lock's
 * descriptor for trust_unlock(), or -1 with a sentence.
 */
int		 trust_lock(const char *path, char *err, size_t errlen);
void		 trust_unlock(int fd);

/* The number of key lines, and the i-th (0-based, in file order). */
size_t		 trust_count(const struct trust *);
const struct trust_entry *trust_at(const struct trust *, size_t i);

/*
 * What vkey is to t; *e (may be NULL) gets its line (the one not revoked
 * if there is one), or NULL when unknown.
 */
enum trust_status trust_lookup(const struct trust *, const char *vkey,
		     const struct trust_entry **e);

/* The line not revoked of name, or NULL. */
const struct trust_entry *trust_actor(const struct trust *, const char *name);

/*
 * Add the line "NAME ROLES VKEY": roles as text ("admin,analyst"), vkey
 * a verifier key whose name is name.  Refused if the key is already on a
 * line (revoked or not) or name already has a line not revoked ("revoke
 * it first").  0 or -1.
 */
int		 trust_add(struct trust *, const char *name, const char *roles,
		     const char *vkey, char *err, size_t errlen);

/*
 * Revoke name's line not revoked: it is kept, marked "@revoked DATE" with
 * now_ms's UTC time and reason (may be NULL; one line of printable text,
 * at most TRUST_REASON_MAX bytes).  *vkey (may be NULL) gets the revoked
 * key.  0 or -1 (no such line, a bad reason).
 */
int		 trust_revoke(struct trust *, const char *name,
		     const char *reason, int64_t now_ms,
		     char vkey[SIGN_VKEY_MAX + 1], char *err, size_t errlen);

/*
 * Roles as text: "admin,analyst" into *roles, each once.  0, or -1 with a
 * sentence naming the unknown role and the four there are.
 */
int		 trust_roles_parse(const char *text, unsigned *roles,
		     char *err, size_t errlen);
/* roles as text, in the order proctor,supervisor,analyst,admin ("" for 0). */
void		 trust_roles_text(unsigned roles, char buf[TRUST_ROLES_TEXT]);
/* The role named name (one of the four), or 0. */
unsigned	 trust_role(const char *name);

/*
 * Who may record a journal act of kind: the roles of which the signer must
 * hold one.  The one table, for those who record acts and for verify:
 * the console's acts (dismiss, confirm, warn, pause, resume, terminate,
 * escalate, note, recheck, feed_replaced, cmd_ack — an acknowledgement is
 * signed by the key of the console that recorded it) proctor|supervisor;
 * import analyst|admin; open_case and recommend analyst|admin;
 * propose_invalidation, approve_invalidation, reject_invalidation,
 * reinstate, uphold, appeal_open, trust_add and trust_revoke admin.
 * 0 for a kind the table does not know.
 */
unsigned	 trust_kind_roles(const char *kind);

/*
 * May an actor with roles record kind?  0, or -1 with a sentence naming
 * the kind, the roles it needs and the roles the actor has.
 */
int		 trust_may(unsigned roles, const char *kind, char *err,
		     size_t errlen);

/*
 * May the holder of vkey record kind now, by t?  Its key must be on a line
 * not revoked, and that line's roles must allow kind (trust_may()): what
 * every command that records an act checks before it does, and what
 * verify checks again.  0, or -1 with a sentence (the key unknown or
 * revoked, or the roles it needs and has).
 */
int		 trust_check_act(const struct trust *, const char *vkey,
		     const char *kind, char *err, size_t errlen);

#endif /* INVIGIL_STORE_TRUST_H */
