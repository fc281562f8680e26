/*
 * rows.h - private to store/: the column lists of the tables read back into
 * the typed rows of store.h, and the functions that fill a row from a
 * statement that selected those columns (at column first).  One list per
 * table, so that the writer's restore (store.c) and the readers (query.c)
 * cannot drift apart.  Strings point into the statement: valid until its
 * next step.  Nothing is checked or replaced here: a NULL column is a NULL
 * pointer, an unknown severity or state the nearest value (see each).
 */
#ifndef INVIGIL_STORE_ROWS_H
#define INVIGIL_STORE_ROWS_H

#include <sqlite3.h>

#include "store/store.h"

#define STORE_MESSAGE_COLUMNS \
	"id, feed, epoch, seq, type, attempt, kind, ts_ms, recv_ms, body"
#define STORE_FLAG_COLUMNS \
	"id, feed, attempt, rule, severity, message, first_ms, last_ms, " \
	"count, first_seq, last_seq, state, weight, evidence, " \
	"coalesce(closed_ms, 0)"
#define STORE_JOURNAL_COLUMNS \
	"seq, time_ms, actor, role, kind, feed, attempt, flag_id, " \
	"reason_code, reason, evidence, detail, hash"
#define STORE_COMMAND_COLUMNS \
	"id, feed, attempt, action, text, actor, sent_ms, " \
	"coalesce(ack_ms, 0), coalesce(ok, 0), error"

/*
 * Field f of a stored message's JSON body (the SQL expression body names),
 * NULL when the body is not JSON: how store/ reads an answer's item,
 * response, correct, elapsed_ms and changed (answers.c, review.c).
 */
#define STORE_JSON_FIELD(body, f) \
	"CASE WHEN json_valid(" body ") THEN json_extract(" body ", '$." f \
	"') END"

/* Columns each list selects: where the next list starts. */
#define STORE_MESSAGE_NCOLUMNS	10
#define STORE_FLAG_NCOLUMNS	15
#define STORE_JOURNAL_NCOLUMNS	13
#define STORE_COMMAND_NCOLUMNS	10

void	store_row_message(sqlite3_stmt *, int first,
	    struct store_message_row *);

/* An unknown severity reads as critical, an unknown state as open (what a
 * console restoring the flag must not hide). */
void	store_row_flag(sqlite3_stmt *, int first, struct store_flag *);

void	store_row_journal(sqlite3_stmt *, int first,
	    struct store_journal_row *);
void	store_row_command(sqlite3_stmt *, int first,
	    struct store_command_row *);

#endif /* INVIGIL_STORE_ROWS_H */
