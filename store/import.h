/*
 * import.h - `invigil review import`: one case database from the databases
 * of many consoles.  See import.c and invigil-review(1), IMPORT.
 */
#ifndef INVIGIL_STORE_IMPORT_H
#define INVIGIL_STORE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Conflicting keys remembered per source, to show the first few. */
#define STORE_IMPORT_SHOW	5

/* One conflicting message key as read (feed raw: sanitise to print). */
struct store_import_key {
	char		feed[256];
	int64_t		epoch;
	int64_t		seq;
};

/* What importing one source did (counts of rows new in the case). */
struct store_import {
	char		origin[256];	/* the source's journal origin, raw */
	int64_t		messages;	/* messages new to the case */
	int64_t		present;	/* already there with the same body */
	int64_t		conflicts;	/* there with another body: kept aside */
	int64_t		flags;		/* flags new or changed since */
	int64_t		commands;	/* commands new or acknowledged since */
	int64_t		gaps;
	int64_t		journal_rows;	/* appended to the source's chain */
	int64_t		checkpoints;
	int64_t		keys;
	int64_t		attempts;	/* attempt rows recomputed */
	int		changed;	/* anything new: an import act written */
	size_t		nshown;		/* keys filled in conflict_keys */
	struct store_import_key	conflict_keys[STORE_IMPORT_SHOW];
};

/*
 * Import the database at path (opened read-only, never changed; it may be
 * a console's live database) into the case database s, in one durable
 * write transaction.  The source must be an invigil database at this
 * binary's schema version whose journal verifies (store_verify) and is
 * not another copy of the case itself; its journal must extend, byte for
 * byte, what an earlier import copied of it.  Messages are copied once by
 * (feed, epoch, seq) (another body under a key already there goes to
 * conflicts, the first kept); flags, commands and gaps with the source's
 * origin; its journal rows (up to the size verified) and checkpoints
 * verbatim into imported_journal and imported_checkpoints; its keys.
 * Attempts with new attempt or state messages are recomputed from all
 * the case's messages in (epoch, seq) order; each feed keeps its furthest
 * position.  When anything changed, an `import` act by actor (role
 * analyst) is appended to the case's journal in the same transaction.
 * Returns 0 with *res filled, or -1 with a sentence in err and nothing
 * imported from this source (refused, or a failure).
 */
int	store_import(struct store *s, const char *path, const char *actor,
	    struct store_import *res, char *err, size_t errlen);

#endif /* INVIGIL_STORE_IMPORT_H */
