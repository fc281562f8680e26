/*
 * rows.c - a row of a table, as selected by the column lists of rows.h,
 * into the typed structs of store.h.  Shared by the writer's restore
 * (store.c) and the readers (query.c).
 */
#include <string.h>

#include <sqlite3.h>

#include "store/rows.h"

#define TEXT(st, i)	((const char *)sqlite3_column_text((st), (i)))

void
store_row_message(sqlite3_stmt *st, int c, struct store_message_row *m)
{
	/* Every field is set: no memset (a timeline reads thousands). */
	m->id = sqlite3_column_int64(st, c);
	m->feed = TEXT(st, c + 1);
	m->epoch = sqlite3_column_int64(st, c + 2);
	m->seq = sqlite3_column_int64(st, c + 3);
	m->type = TEXT(st, c + 4);
	m->attempt = TEXT(st, c + 5);
	m->kind = TEXT(st, c + 6);
	m->ts_ms = sqlite3_column_int64(st, c + 7);
	m->recv_ms = sqlite3_column_int64(st, c + 8);
	m->body = TEXT(st, c + 9);
	m->len = (size_t)sqlite3_column_bytes(st, c + 9);
}

/* The severity named s; a severity this binary does not know reads as
 * critical. */
static enum proto_severity
row_severity(const char *s)
{
	int	v = s != NULL ? proto_severity_parse(s) : -1;

	return v < 0 ? PROTO_SEV_CRITICAL : (enum proto_severity)v;
}

void
store_row_flag(sqlite3_stmt *st, int c, struct store_flag *f)
{
	const char	*sev, *state;

	memset(f, 0, sizeof *f);
	f->id = sqlite3_column_int64(st, c);
	f->feed = TEXT(st, c + 1);
	f->attempt = TEXT(st, c + 2);
	f->rule = TEXT(st, c + 3);
	sev = TEXT(st, c + 4);
	f->message = TEXT(st, c + 5);
	f->first_ms = sqlite3_column_int64(st, c + 6);
	f->last_ms = sqlite3_column_int64(st, c + 7);
	f->count = sqlite3_column_int64(st, c + 8);
	f->first_seq = sqlite3_column_int64(st, c + 9);
	f->last_seq = sqlite3_column_int64(st, c + 10);
	state = TEXT(st, c + 11);
	f->weight = sqlite3_column_double(st, c + 12);
	f->evidence = TEXT(st, c + 13);
	f->closed_ms = sqlite3_column_int64(st, c + 14);
	f->severity = row_severity(sev);
	f->state = state == NULL ? STORE_FLAG_OPEN :
	    strcmp(state, "dismissed") == 0 ? STORE_FLAG_DISMISSED :
	    strcmp(state, "confirmed") == 0 ? STORE_FLAG_CONFIRMED :
	    STORE_FLAG_OPEN;
}

void
store_row_journal(sqlite3_stmt *st, int c, struct store_journal_row *j)
{
	memset(j, 0, sizeof *j);
	j->seq = sqlite3_column_int64(st, c);
	j->time_ms = sqlite3_column_int64(st, c + 1);
	j->entry.actor = TEXT(st, c + 2);
	j->entry.role = TEXT(st, c + 3);
	j->entry.kind = TEXT(st, c + 4);
	j->entry.feed = TEXT(st, c + 5);
	j->entry.attempt = TEXT(st, c + 6);
	j->entry.flag_id = sqlite3_column_int64(st, c + 7);
	j->entry.reason_code = TEXT(st, c + 8);
	j->entry.reason = TEXT(st, c + 9);
	j->entry.evidence = TEXT(st, c + 10);
	j->entry.detail = TEXT(st, c + 11);
	j->hash = TEXT(st, c + 12);
}

void
store_row_command(sqlite3_stmt *st, int c, struct store_command_row *k)
{
	memset(k, 0, sizeof *k);
	k->command.id = TEXT(st, c);
	k->command.feed = TEXT(st, c + 1);
	k->command.attempt = TEXT(st, c + 2);
	k->command.action = TEXT(st, c + 3);
	k->command.text = TEXT(st, c + 4);
	k->command.actor = TEXT(st, c + 5);
	k->command.sent_ms = sqlite3_column_int64(st, c + 6);
	k->ack_ms = sqlite3_column_int64(st, c + 7);
	k->ok = sqlite3_column_int(st, c + 8);
	k->error = TEXT(st, c + 9);
}
