/*
 * view-keys.c - a view's key table as bindings, its key bar and its help
 * lines (see view.h).  Pure: no curses, so that tests/check_views.c can
 * check that an act added to act_table[] reaches all three.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "console/decide.h"
#include "console/view.h"

/* Row k of v as a binding; act is the act when the row stands for acts. */
static void
binding_fill(const struct view_key *k, const struct act *act,
    struct view_binding *out)
{
	memset(out, 0, sizeof *out);
	out->fn = k->fn;
	out->arg = k->arg;
	if (act != NULL) {
		out->key = act->key;
		snprintf(out->name, sizeof out->name, "%c", act->key);
		out->bar = act->label;
		out->help = act->help;
		out->act = act;
		return;
	}
	out->key = k->key;
	out->alt = k->alt;
	snprintf(out->name, sizeof out->name, "%s", k->name);
	out->bar = k->bar;
	out->help = k->help;
}

int
view_binding(const struct view *v, size_t i, struct view_binding *out)
{
	size_t	r;

	for (r = 0; r < v->nkeys; r++) {
		if (v->keys[r].acts) {
			if (i < act_count) {
				binding_fill(&v->keys[r], &act_table[i], out);
				return 0;
			}
			i -= act_count;
			continue;
		}
		if (i == 0) {
			binding_fill(&v->keys[r], NULL, out);
			return 0;
		}
		i--;
	}
	return -1;
}

int
view_binding_find(const struct view *v, int ch, int fkey,
    struct view_binding *out)
{
	size_t	i;

	for (i = 0; view_binding(v, i, out) == 0; i++) {
		/* Function keys are > 255; printable keys are not. */
		if ((out->key == ch && (out->key > 255) == fkey) ||
		    (out->alt != 0 && out->alt == ch &&
		    (out->alt > 255) == fkey))
			return 0;
	}
	return -1;
}

/* Binding b's word on the key bar into word: lead spaces, then the key
 * itself when it is a visible character, else its name (Space), then the
 * word. */
static size_t
keybar_word(const struct view_binding *b, size_t lead, char *word,
    size_t len)
{
	if (b->key > 0 && b->key < 256 && isgraph(b->key))
		snprintf(word, len, "%*s%c %s", (int)lead, "", b->key, b->bar);
	else
		snprintf(word, len, "%*s%s %s", (int)lead, "", b->name, b->bar);
	return strlen(word);
}

/* Whether b is one of the words the bar keeps however narrow (help and
 * quit: a first-time user finds everything else from ?). */
static int
keybar_kept(const struct view_binding *b)
{
	return b->fn == view_key_help || b->fn == view_key_quit;
}

/*
 * Lay out v's key bar (acts 0: without the acts' words) into buf (len bytes, always terminated; cut at a
 * word, the help and quit words kept at its end); with out not NULL, stop
 * at the binding whose word covers column x (its leading spaces not
 * counted) and fill out.  Returns the bar's length, or (size_t)-1 when out
 * was filled.
 */
static size_t
keybar_walk(const struct view *v, int acts, char *buf, size_t len, int x,
    struct view_binding *out)
{
	struct view_binding	b;
	char			word[64];
	size_t			i, used = 0, n, lead, kept = 0;
	int			full = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; view_binding(v, i, &b) == 0; i++) {
		if (b.bar != NULL && keybar_kept(&b))
			kept += keybar_word(&b, 2, word, sizeof word);
	}
	for (i = 0; view_binding(v, i, &b) == 0; i++) {
		if (b.bar == NULL || (b.act != NULL && !acts))
			continue;
		lead = used > 0 ? 2 : 1;
		n = keybar_word(&b, lead, word, sizeof word);
		if (keybar_kept(&b))
			kept -= n + (lead == 1);
		else if (full || used + n + kept >= len) {
			full = 1;	/* the rest: room for help and quit */
			continue;
		}
		if (used + n >= len)
			break;
		memcpy(buf + used, word, n + 1);
		if (out != NULL && x >= 0 && (size_t)x >= used + lead &&
		    (size_t)x < used + n) {
			*out = b;
			return (size_t)-1;
		}
		used += n;
	}
	return used;
}

size_t
view_keybar(const struct view *v, char *buf, size_t len)
{
	return keybar_walk(v, 1, buf, len, -1, NULL);
}

size_t
view_keybar_acts(const struct view *v, int acts, char *buf, size_t len)
{
	return keybar_walk(v, acts, buf, len, -1, NULL);
}

int
view_keybar_at(const struct view *v, int acts, size_t len, int x,
    struct view_binding *out)
{
	char	bar[512];

	if (len > sizeof bar)
		len = sizeof bar;
	return keybar_walk(v, acts, bar, len, x, out) == (size_t)-1 ? 0 : -1;
}

/* s as roff text on out: a leading dot or quote made harmless, a
 * backslash and a hyphen escaped. */
static void
man_text(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

const char *const view_help_common[] = {
	"Views: attempts, flags queue, journal (Tab and S-Tab go round);",
	"Enter opens an attempt's detail, and Esc comes back from it.",
	"Mouse: a click selects a row, a second click opens it, the",
	"wheel scrolls, a key bar word is its key (--no-mouse: off).",
	NULL
};

void
view_keys_man(FILE *out, const struct view *const *views)
{
	const struct view	*v;
	struct view_binding	 b;
	size_t			 i;

	for (i = 0; view_help_common[i] != NULL; i++) {
		if (i == 0)
			fputs(".PP\n", out);
		man_text(out, view_help_common[i]);
		fputc('\n', out);
	}
	for (; (v = *views) != NULL; views++) {
		fputs(".SS The ", out);
		man_text(out, v->title);
		fputs(" view\n.PD 0\n.TP 12\n", out);
		for (i = 0; view_binding(v, i, &b) == 0; i++) {
			if (i > 0)
				fputs(".TP\n", out);
			fputs(".B ", out);
			man_text(out, b.name);
			fputc('\n', out);
			man_text(out, b.help);
			fputc('\n', out);
		}
		fputs(".PD\n", out);
		if (v->help_note != NULL) {
			fputs(".PP\n", out);
			man_text(out, v->help_note);
			fputc('\n', out);
		}
	}
}

int
view_help_line(const struct view *v, size_t i, char *buf, size_t len)
{
	struct view_binding	b;
	size_t			n;

	if (len == 0)
		return -1;
	if (view_binding(v, i, &b) == 0) {
		snprintf(buf, len, "  %-8s %s", b.name, b.help);
		return 0;
	}
	/* Past the bindings: a blank line, then the note. */
	for (n = 0; view_binding(v, n, &b) == 0; n++)
		;
	if (v->help_note == NULL || i > n + 1)
		return -1;
	if (i == n)
		buf[0] = '\0';
	else
		snprintf(buf, len, "  %s", v->help_note);
	return 0;
}

size_t
view_list_move(const char *how, size_t i, size_t n, size_t page)
{
	if (n == 0)
		return 0;
	if (i >= n)
		i = 0;
	if (strcmp(how, "up") == 0 && i > 0)
		i--;
	else if (strcmp(how, "down") == 0 && i + 1 < n)
		i++;
	else if (strcmp(how, "pgup") == 0)
		i = i > page ? i - page : 0;
	else if (strcmp(how, "pgdn") == 0)
		i = i + page < n ? i + page : n - 1;
	else if (strcmp(how, "home") == 0)
		i = 0;
	else if (strcmp(how, "end") == 0)
		i = n - 1;
	return i;
}

int
view_list_row(int y, int first, int shown, size_t top, size_t n,
    size_t *out)
{
	if (y < first || y >= first + shown || top + (size_t)(y - first) >= n)
		return -1;
	*out = top + (size_t)(y - first);
	return 0;
}
