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

size_t
view_keybar(const struct view *v, char *buf, size_t len)
{
	return view_keybar_acts(v, 1, buf, len);
}

size_t
view_keybar_acts(const struct view *v, int acts, char *buf, size_t len)
{
	struct view_binding	b;
	char			word[64];
	size_t			i, used = 0, n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; view_binding(v, i, &b) == 0; i++) {
		if (b.bar == NULL || (b.act != NULL && !acts))
			continue;
		/* The key itself when it is a visible character, else its
		 * name (Space). */
		if (b.key > 0 && b.key < 256 && isgraph(b.key))
			snprintf(word, sizeof word, "%s%c %s", used > 0 ?
			    "  " : " ", b.key, b.bar);
		else
			snprintf(word, sizeof word, "%s%s %s", used > 0 ?
			    "  " : " ", b.name, b.bar);
		n = strlen(word);
		if (used + n >= len)
			break;
		memcpy(buf + used, word, n + 1);
		used += n;
	}
	return used;
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
