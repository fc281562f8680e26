/*
 * config.c - the console's config file: its lines become the options the
 * command line would give, each with the line it came from (config.h,
 * man/invigil-config.5).  Nothing here knows an option: the keys and
 * whether each takes a value come from the console's option table.
 *
 * The file names token files, so it is treated like one: a bounded size
 * and line length, plain text only (no control, bidi or invisible
 * character: what the proctor reads in an editor is what is parsed), read
 * without blocking on a FIFO, refused when others may write it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/config.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/sign.h"

#define CONFIG_WORDS_MAX	8	/* key, value and name=value settings */

/* Where an error is: "NAME:LINE: " is written by the caller's format. */
struct config_lex {
	struct config	*c;
	int		 line;
	char		*err;
	size_t		 errlen;
};

static int
config_error(struct config_lex *lx, const char *what, const char *arg)
{
	char	clean[4 * CONFIG_LINE_MAX], msg[8 * CONFIG_LINE_MAX];

	snprintf(msg, sizeof msg, what, arg != NULL ? proto_clean(arg, clean,
	    sizeof clean) : "");
	snprintf(lx->err, lx->errlen, "%s:%d: %s", lx->c->shown, lx->line,
	    msg);
	return -1;
}

/*
 * The code point at p (valid UTF-8 of at most left bytes, the line having
 * been checked), its length in *n.
 */
static uint32_t
config_decode(const unsigned char *p, size_t left, size_t *n)
{
	uint32_t	cp;
	size_t		i;

	if (p[0] < 0x80) {
		*n = 1;
		return p[0];
	}
	*n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (*n > left)
		*n = left;
	cp = p[0] & (0xff >> (*n + 1));
	for (i = 1; i < *n; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * Is the line plain text?  Valid UTF-8, no control character but tab, and
 * nothing the sanitiser would show as an escape (bidi controls, invisible
 * characters): 0, or -1 with NAME:LINE:COL.
 */
static int
config_text_ok(struct config_lex *lx, const char *line, size_t len)
{
	const unsigned char	*p = (const unsigned char *)line;
	char			 shown[32];
	uint32_t		 cp;
	size_t			 i, n;
	int			 col = 1;

	if (!proto_utf8_valid(line, len)) {
		snprintf(lx->err, lx->errlen, "%s:%d: not UTF-8 text; save the "
		    "file as UTF-8", lx->c->shown, lx->line);
		return -1;
	}
	for (i = 0; i < len; i += n, col++) {
		cp = config_decode(p + i, len - i, &n);
		if (cp == '\t' || (cp >= 0x20 && !proto_char_escaped(cp)))
			continue;
		snprintf(shown, sizeof shown, "U+%04X", (unsigned)cp);
		snprintf(lx->err, lx->errlen, "%s:%d:%d: %s character %s; the "
		    "file must be plain text%s", lx->c->shown, lx->line, col,
		    cp < 0x20 || cp == 0x7f ? "control" : "invisible or bidi",
		    shown, cp == '\r' ? " (Windows line ends? convert them "
		    "with dos2unix)" : "");
		return -1;
	}
	return 0;
}

/*
 * Split line (len bytes, followed by one writable byte) into words in
 * place: blanks separate them, "..." (with \" and \\) and '...' quote, a
 * # at the start of a word begins a comment.  The word count, or -1.
 */
static int
config_words(struct config_lex *lx, char *line, size_t len,
    char *words[CONFIG_WORDS_MAX])
{
	size_t	i = 0;
	char	*w, q;
	int	 n = 0;

	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			return n;
		if (n == CONFIG_WORDS_MAX)
			return config_error(lx, "more than 8 words; quote a "
			    "value with spaces%s", NULL);
		w = words[n++] = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t') {
			if (line[i] != '"' && line[i] != '\'') {
				*w++ = line[i++];
				continue;
			}
			q = line[i++];
			while (i < len && line[i] != q) {
				if (q == '"' && line[i] == '\\' && i + 1 < len &&
				    (line[i + 1] == '"' || line[i + 1] == '\\'))
					i++;
				*w++ = line[i++];
			}
			if (i == len)
				return config_error(lx, "a %s quote is not "
				    "closed", q == '"' ? "double" : "single");
			i++;
		}
		/* w is at most line + i: the separator (or the byte after the
		 * line) is overwritten, and skipped. */
		*w = '\0';
		if (i < len)
			i++;
	}
}

/* The option of options named name (n bytes), or NULL. */
static const struct cmd_option *
config_option(const struct cmd_option *options, const char *name, size_t n)
{
	const struct cmd_option	*o;

	for (o = options; o->name != NULL; o++) {
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	}
	return NULL;
}

/* value, its ~ replaced by home for a PATH or DIR: a heap string, or NULL. */
static char *
config_value(struct config_lex *lx, const struct cmd_option *o,
    const char *value, const char *home)
{
	char	*out;
	size_t	 len;

	if ((strcmp(o->arg, "PATH") != 0 && strcmp(o->arg, "DIR") != 0) ||
	    value[0] != '~')
		return xstrdup(value);
	if (value[1] != '\0' && value[1] != '/') {
		config_error(lx, "\"%s\": only ~/ (your home) is expanded, "
		    "not ~user; give the whole path", value);
		return NULL;
	}
	if (home == NULL || home[0] != '/') {
		config_error(lx, "\"%s\" starts with ~ and HOME is not set to "
		    "an absolute path; give the whole path", value);
		return NULL;
	}
	len = strlen(home) + strlen(value);
	out = xmalloc(len);
	snprintf(out, len, "%s%s", home, value + 1);
	return out;
}

/* Add option o = value (NULL for none) to c: 0, or -1. */
static int
config_add(struct config_lex *lx, const struct cmd_option *o,
    const char *value, const char *home)
{
	struct config_item	*it;
	char			*v = NULL;

	if (lx->c->n == CONFIG_ITEMS_MAX)
		return config_error(lx, "more than 128 settings in one file%s",
		    NULL);
	if (value != NULL && (v = config_value(lx, o, value, home)) == NULL)
		return -1;
	it = &lx->c->items[lx->c->n++];
	it->option = o;
	it->value = v;
	it->line = lx->line;
	return 0;
}

/* A name=value after the value: the option "key-name". */
static int
config_setting(struct config_lex *lx, const struct cmd_option *options,
    const struct cmd_option *key, const char *word, const char *home)
{
	const struct cmd_option	*o;
	const char		*eq = strchr(word, '='), *names[CMD_OPTIONS_MAX];
	char			 full[128], hint[160], msg[384];
	size_t			 klen = strlen(key->name), n = 0;

	if (eq == NULL) {
		snprintf(msg, sizeof msg, "%s takes one value, and \"%%s\" is "
		    "another; quote a value with spaces", key->name);
		return config_error(lx, msg, word);
	}
	snprintf(full, sizeof full, "%s-%.*s", key->name, (int)(eq - word),
	    word);
	o = config_option(options, full, strlen(full));
	if (o == NULL || o->arg == NULL || (o->flags & CMD_OPT_NO_FILE)) {
		for (o = options; o->name != NULL && n < CMD_OPTIONS_MAX; o++) {
			if (strncmp(o->name, key->name, klen) == 0 &&
			    o->name[klen] == '-' && o->arg != NULL)
				names[n++] = o->name + klen + 1;
		}
		snprintf(full, sizeof full, "%.*s", (int)(eq - word), word);
		snprintf(msg, sizeof msg, "%s has no setting \"%%s\"%s",
		    key->name, proto_suggest_hint(hint, sizeof hint, full,
		    names, n));
		return config_error(lx, msg, full);
	}
	return config_add(lx, o, eq + 1, home);
}

/* One line's words: the items they set. */
static int
config_line(struct config_lex *lx, const struct cmd_option *options,
    char **words, int n, const char *home)
{
	const struct cmd_option	*o;
	const char		*names[CMD_OPTIONS_MAX];
	char			 hint[160], msg[256];
	size_t			 k = 0;
	int			 i;

	if ((o = config_option(options, words[0], strlen(words[0]))) == NULL) {
		for (o = options; o->name != NULL && k < CMD_OPTIONS_MAX; o++) {
			if (!(o->flags & CMD_OPT_NO_FILE))
				names[k++] = o->name;
		}
		snprintf(msg, sizeof msg, "unknown key \"%%s\"%s; the keys are "
		    "the long options of invigil --help",
		    proto_suggest_hint(hint, sizeof hint,
		    words[0][0] == '-' ? words[0] + strspn(words[0], "-") :
		    words[0], names, k));
		return config_error(lx, msg, words[0]);
	}
	if (o->flags & CMD_OPT_NO_FILE)
		return config_error(lx, "%s is for the command line, not the "
		    "config file", o->name);
	if (o->arg == NULL) {
		if (n > 2 || (n == 2 && strcmp(words[1], "yes") != 0 &&
		    strcmp(words[1], "no") != 0)) {
			snprintf(msg, sizeof msg, "%s is a flag: give it alone, "
			    "or with yes or no, not \"%%s\"", o->name);
			return config_error(lx, msg, words[1]);
		}
		if (n == 2 && strcmp(words[1], "no") == 0)
			return 0;
		return config_add(lx, o, NULL, home);
	}
	if (n == 1) {
		if (o->flags & CMD_OPT_OPTIONAL)
			return config_add(lx, o, NULL, home);
		snprintf(msg, sizeof msg, "%s needs a value (%s)", o->name,
		    o->arg);
		return config_error(lx, "%s", msg);
	}
	if (config_add(lx, o, words[1], home) != 0)
		return -1;
	for (i = 2; i < n; i++) {
		if (config_setting(lx, options, o, words[i], home) != 0)
			return -1;
	}
	return 0;
}

int
config_parse(struct config *c, const char *name, const char *text,
    size_t len, const struct cmd_option *options, const char *home,
    char *err, size_t errlen)
{
	struct config_lex	 lx = { c, 0, err, errlen };
	char			*buf, *line, *nl, *words[CONFIG_WORDS_MAX];
	size_t			 left, linelen;
	int			 n;

	memset(c, 0, sizeof *c);
	proto_sanitize(name, strlen(name), c->shown, sizeof c->shown);
	/* One byte after the text: config_words() may write a NUL there. */
	buf = xmalloc(len + 1);
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (line = buf, left = len; left > 0; line += linelen + 1,
	    left -= linelen + (left > linelen)) {
		lx.line++;
		nl = memchr(line, '\n', left);
		linelen = nl != NULL ? (size_t)(nl - line) : left;
		if (linelen > CONFIG_LINE_MAX) {
			config_error(&lx, "longer than 1024 bytes%s", NULL);
			goto fail;
		}
		if (config_text_ok(&lx, line, linelen) != 0 ||
		    (n = config_words(&lx, line, linelen, words)) < 0)
			goto fail;
		if (n > 0 && config_line(&lx, options, words, n, home) != 0)
			goto fail;
		if (nl == NULL)
			break;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	config_free(c);
	return -1;
}

int
config_load(struct config *c, const char *path,
    const struct cmd_option *options, char *err, size_t errlen)
{
	char		*buf, shown[512];
	size_t		 len;
	unsigned	 mode;
	int		 rc;

	memset(c, 0, sizeof *c);
	if (proto_file_read(path, "config file", CONFIG_FILE_MAX, &buf, &len,
	    &mode, err, errlen) != 0)
		return -1;
	if ((mode & 022) != 0) {
		free(buf);
		proto_sanitize(path, strlen(path), shown, sizeof shown);
		snprintf(err, errlen, "%s: the config file is writable by "
		    "others (mode %03o), and it names token files; run: chmod "
		    "go-w %s", shown, mode & 0777, shown);
		return -1;
	}
	rc = config_parse(c, path, buf, len, options, getenv("HOME"), err,
	    errlen);
	free(buf);
	return rc;
}

void
config_free(struct config *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->items[i].value);
	c->n = 0;
}

int
config_default_path(char *buf, size_t len, char *err, size_t errlen)
{
	char	dir[4096], why[512];
	int	n;

	/* Beside the signing keys: the same directory, the same rules. */
	if (sign_key_dir(dir, sizeof dir, why, sizeof why) != 0) {
		snprintf(err, errlen, "cannot tell where the config file is "
		    "(%s); give --config PATH, or --no-config", why);
		return -1;
	}
	n = snprintf(buf, len, "%s/config", dir);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "the config file's path is too long");
		return -1;
	}
	return 0;
}
