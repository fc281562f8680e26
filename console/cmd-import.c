/*
 * cmd-import.c - `invigil review import`: merge the databases of several
 * consoles into one case database (store/import.c does the work), one
 * line per source.  A source that is refused (not readable, not verified,
 * forking from what was imported of it before) is named on stderr with
 * why; the others are still imported, and the exit status is 1.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "console/commands.h"
#include "console/console.h"
#include "store/import.h"

/* Who imports: --actor, else the user's login name. */
static const char *
import_actor(const char *given)
{
	struct passwd	*pw;

	if (given != NULL)
		return given;
	if (getenv("USER") != NULL && *getenv("USER") != '\0')
		return getenv("USER");
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL)
		return pw->pw_name;
	return "analyst";
}

/* A string for JSON: as stored when it is UTF-8, else sanitised. */
static json_t *
import_json_string(const char *s)
{
	json_t	*j;
	char	 clean[1024];

	if ((j = json_string(s)) != NULL)
		return j;
	return json_string(proto_clean(s, clean, sizeof clean));
}

/* One JSON line: what importing path did, or why it was refused. */
static void
import_print_jsonl(const char *path, const struct store_import *r,
    const char *refused)
{
	json_t	*o, *keys;
	char	*line;
	size_t	 i;

	o = json_object();
	json_object_set_new(o, "path", import_json_string(path));
	if (refused != NULL) {
		json_object_set_new(o, "refused", import_json_string(refused));
	} else {
		json_object_set_new(o, "origin", import_json_string(r->origin));
		json_object_set_new(o, "messages", json_integer(r->messages));
		json_object_set_new(o, "present", json_integer(r->present));
		json_object_set_new(o, "conflicts", json_integer(r->conflicts));
		keys = json_array();
		for (i = 0; i < r->nshown; i++)
			json_array_append_new(keys, json_pack("{s:o, s:I, s:I}",
			    "feed", import_json_string(r->conflict_keys[i].feed),
			    "epoch", (json_int_t)r->conflict_keys[i].epoch, "seq",
			    (json_int_t)r->conflict_keys[i].seq));
		json_object_set_new(o, "conflict_keys", keys);
		json_object_set_new(o, "flags", json_integer(r->flags));
		json_object_set_new(o, "commands", json_integer(r->commands));
		json_object_set_new(o, "gaps", json_integer(r->gaps));
		json_object_set_new(o, "journal_rows",
		    json_integer(r->journal_rows));
		json_object_set_new(o, "checkpoints",
		    json_integer(r->checkpoints));
		json_object_set_new(o, "keys", json_integer(r->keys));
		json_object_set_new(o, "attempts", json_integer(r->attempts));
		json_object_set_new(o, "changed", json_boolean(r->changed));
	}
	if ((line = json_dumps(o, JSON_COMPACT)) == NULL)
		abort();	/* out of memory */
	printf("%s\n", line);
	free(line);
	json_decref(o);
}

/* The table's line for one source, and its first conflicting keys. */
static void
import_print_line(const struct store_import *r)
{
	char	clean[1024];
	size_t	i;

	printf("%s: %lld new messages, %lld already present, %lld conflicts, "
	    "%lld flags, %lld journal rows%s\n", proto_clean(r->origin, clean,
	    sizeof clean), (long long)r->messages, (long long)r->present,
	    (long long)r->conflicts, (long long)r->flags,
	    (long long)r->journal_rows, r->changed ? "" : " (nothing new)");
	for (i = 0; i < r->nshown; i++)
		printf("    conflict: feed %s epoch %lld seq %lld (both bodies "
		    "kept: see the conflicts table)\n",
		    proto_clean(r->conflict_keys[i].feed, clean, sizeof clean),
		    (long long)r->conflict_keys[i].epoch,
		    (long long)r->conflict_keys[i].seq);
	if (r->conflicts > (int64_t)r->nshown)
		printf("    ... and %lld more conflicts\n",
		    (long long)(r->conflicts - (int64_t)r->nshown));
}

/*
 * The actor's key from keydir (NULL: the default), created on first use
 * and registered as an analyst's: it signs the import acts and the
 * checkpoint after them.  NULL with a sentence.
 */
static struct sign_key *
import_key(struct store *s, const char *keydir, const char *actor,
    char *err, size_t errlen)
{
	struct sign_key	*key;
	char		 dir[1024];

	if (sign_key_dir_or(keydir, dir, sizeof dir, err, errlen) != 0)
		return NULL;
	if ((key = sign_key_load(dir, actor, NULL, err, errlen)) == NULL)
		return NULL;
	if (store_key_register(s, key, actor, "analyst", err, errlen) != 0) {
		sign_key_free(key);
		return NULL;
	}
	store_set_signer(s, key);
	return key;
}

static int
review_import(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct store		*s;
	struct store_import	 r;
	struct sign_key		*key;
	const char		*db = NULL, *actor = NULL, *keydir = NULL;
	char			 err[2048], clean[4 * 2048];
	int			 ch, i, jsonl = 0, refused = 0, changed = 0;

	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			actor = optarg;
			break;
		case 'K':
			keydir = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "table") == 0)
				jsonl = 0;
			else if (strcmp(optarg, "jsonl") == 0)
				jsonl = 1;
			else
				return cmd_usage_error(self, "--format is table "
				    "or jsonl, not \"%s\"", optarg);
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (db == NULL)
		return cmd_usage_error(self, "give --db CASE (the case database, "
		    "created if new)", NULL);
	if (optind == argc)
		return cmd_usage_error(self, "give the databases to import "
		    "after the options", NULL);
	actor = import_actor(actor);
	if (sign_name_valid(actor, err, sizeof err) != 0)
		return cmd_usage_error(self, "--actor: %s", err);
	if (store_open(&s, db, err, sizeof err) == -1) {
		fprintf(stderr, "invigil review import: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	if ((key = import_key(s, keydir, actor, err, sizeof err)) == NULL) {
		fprintf(stderr, "invigil review import: %s; nothing was "
		    "imported\n", proto_clean(err, clean, sizeof clean));
		store_close(s, err, sizeof err);
		return EXIT_RUNTIME;
	}
	for (i = optind; i < argc; i++) {
		if (store_import(s, argv[i], actor, &r, err,
		    sizeof err) == -1) {
			fprintf(stderr, "invigil review import: %s\n",
			    proto_clean(err, clean, sizeof clean));
			if (jsonl)
				import_print_jsonl(argv[i], NULL, err);
			refused++;
			continue;
		}
		if (jsonl)
			import_print_jsonl(argv[i], &r, NULL);
		else
			import_print_line(&r);
		changed |= r.changed;
	}
	/* What was imported stays imported; an unchecked act is said. */
	if (changed && store_checkpoint(s, key, NULL, err, sizeof err) == -1) {
		fprintf(stderr, "invigil review import: the import acts were "
		    "recorded but no checkpoint signed: %s\n", proto_clean(err,
		    clean, sizeof clean));
		refused++;
	}
	i = store_close(s, err, sizeof err);
	sign_key_free(key);
	if (i == -1) {
		fprintf(stderr, "invigil review import: %s\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_RUNTIME;
	}
	return refused > 0 ? EXIT_RUNTIME : 0;
}

static const struct cmd_option import_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "CASE", "the case database (created if "
	    "new): the one written to" },
	{ "actor", 'a', 0, "NAME", "who imports, journaled as an analyst and "
	    "signing with NAME's key (default: the user name)" },
	{ "key-dir", 'K', 0, "DIR", "where signing keys live (default: "
	    "$XDG_CONFIG_HOME/invigil or ~/.config/invigil)" },
	{ "format", 'o', 0, "FORMAT", "table (the default: one line per "
	    "source) or jsonl" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_review_import_entry = {
	.name = "review import",
	.summary = "merge consoles' databases into one case database: each "
	    "source verified first, its messages once each, its flags, "
	    "commands and gaps with their source, its journal as a chain of "
	    "its own; importing again changes nothing",
	.usage = "review import --db CASE [--actor NAME] [--key-dir DIR] "
	    "[--format table|jsonl] SRC...",
	.options = import_options,
	.opens = CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS,
	.exec = review_import,
	.see = "invigil-review(1), invigil-store(5)",
	.page = "invigil-review.1",
};
