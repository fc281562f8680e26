/*
 * filter.c - find and filter, with no curses (filter.h): the text match,
 * the state classes and their counts, the rows of the attempts table as
 * filtered and grouped, and the next match round the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "console/filter.h"
#include "console/model.h"
#include "proto/xmalloc.h"

/* A byte that does not start a valid UTF-8 character decodes to this plus
 * the byte: past Unicode, so it only ever matches itself. */
#define FILTER_RAW	0x110000u

static const char *const class_names[FILTER_NCLASS] = {
	[FILTER_ACTIVE] = "active",
	[FILTER_PAUSED] = "paused",
	[FILTER_OFFLINE] = "offline",
	[FILTER_MISSING] = "missing",
	[FILTER_FLAGGED] = "flagged",
	[FILTER_SUBMITTED] = "submitted",
};

static const char *const group_names[FILTER_GROUP_COUNT] = {
	[FILTER_GROUP_NONE] = "none",
	[FILTER_GROUP_CENTRE] = "centre",
	[FILTER_GROUP_FEED] = "feed",
};

const char *
filter_class_name(enum filter_class c)
{
	return c < FILTER_NCLASS ? class_names[c] : "?";
}

const char *
filter_group_name(enum filter_group g)
{
	return g < FILTER_GROUP_COUNT ? group_names[g] : "?";
}

/* The length of the UTF-8 character at s (1 to 4), or 0 if s does not
 * start one (a stray, overlong or cut sequence). */
static size_t
utf8_len(const unsigned char *s, uint32_t *cp)
{
	size_t		n, i;
	uint32_t	c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* The character at *s, folded to lower case; *s moves past it. */
static uint32_t
fold_next(const char **s)
{
	const unsigned char	*p = (const unsigned char *)*s;
	uint32_t		 cp;
	size_t			 n;

	if ((n = utf8_len(p, &cp)) == 0) {
		(*s)++;
		return FILTER_RAW + p[0];
	}
	*s += n;
	return (uint32_t)towlower((wint_t)cp);
}

void
filter_set_text(struct filter *f, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 len = 0, n;

	/* Whole characters (a stray byte counts as one) that fit. */
	while (p[len] != '\0') {
		n = utf8_len(p + len, &cp);
		if (n == 0)
			n = 1;
		if (len + n > FILTER_TEXT_MAX)
			break;
		len += n;
	}
	memcpy(f->text, s, len);
	f->text[len] = '\0';
	if (strspn(f->text, " \t") == len)
		f->text[0] = '\0';
	f->gen++;
}

void
filter_toggle(struct filter *f, enum filter_class c)
{
	if (c < FILTER_NCLASS) {
		f->states ^= 1u << c;
		f->gen++;
	}
}

int
filter_active(const struct filter *f)
{
	return f->text[0] != '\0' || f->states != 0;
}

int
filter_contains(const char *hay, const char *needle)
{
	const char	*h, *nn;

	if (hay == NULL)
		return 0;
	if (needle[0] == '\0')
		return 1;
	/* From each character of hay, as far as needle goes. */
	for (; *hay != '\0'; fold_next(&hay)) {
		h = hay;
		nn = needle;
		for (;;) {
			if (*nn == '\0')
				return 1;
			if (*h == '\0')
				return 0;	/* no later start is longer */
			if (fold_next(&h) != fold_next(&nn))
				break;
		}
	}
	return 0;
}

int
filter_text_match(const char *text, const struct attempt *a)
{
	const struct flag	*fl;

	if (text[0] == '\0')
		return 1;
	if (filter_contains(a->id, text) || filter_contains(a->candidate,
	    text) || filter_contains(a->name, text) ||
	    filter_contains(a->center, text) || filter_contains(a->ip, text))
		return 1;
	for (fl = a->flags; fl != NULL; fl = fl->next) {
		if (fl->state == STORE_FLAG_OPEN &&
		    filter_contains(fl->rule, text))
			return 1;
	}
	return 0;
}

unsigned
filter_classes(const struct attempt *a, int offline)
{
	unsigned	c = 0;

	switch (a->state) {
	case PROTO_STATE_IN_PROGRESS:
		if (offline)
			c |= 1u << FILTER_OFFLINE;
		else if (!a->missing)
			c |= 1u << FILTER_ACTIVE;
		break;
	case PROTO_STATE_PAUSED:
		c |= 1u << FILTER_PAUSED;
		break;
	case PROTO_STATE_SUBMITTED:
	case PROTO_STATE_TERMINATED:
		c |= 1u << FILTER_SUBMITTED;
		break;
	default:
		break;
	}
	if (a->missing)
		c |= 1u << FILTER_MISSING;
	if (a->open_flags > 0)
		c |= 1u << FILTER_FLAGGED;
	return c;
}

int
filter_match(const struct filter *f, const struct attempt *a, int offline)
{
	if (f->states != 0 && (filter_classes(a, offline) & f->states) == 0)
		return 0;
	return filter_text_match(f->text, a);
}

int
filter_flag_match(const struct filter *f, const struct flag *fl,
    int offline)
{
	const struct attempt	*a = fl->attempt;

	if (f->states != 0 && (filter_classes(a, offline) & f->states) == 0)
		return 0;
	return f->text[0] == '\0' || filter_contains(a->id, f->text) ||
	    filter_contains(a->candidate, f->text) ||
	    filter_contains(a->name, f->text) ||
	    filter_contains(fl->rule, f->text);
}

/* Whether a is offline: only asked of attempts in progress, the only ones
 * the answer changes. */
static int
is_offline(const struct attempt *a, filter_offline_fn *offline, void *arg)
{
	return offline != NULL && a->state == PROTO_STATE_IN_PROGRESS &&
	    offline(a, arg);
}

void
filter_count(struct attempt *const *attempts, size_t n,
    filter_offline_fn *offline, void *arg, size_t *counts)
{
	unsigned	c;
	size_t		i;
	int		k;

	memset(counts, 0, FILTER_NCLASS * sizeof *counts);
	for (i = 0; i < n; i++) {
		c = filter_classes(attempts[i], is_offline(attempts[i],
		    offline, arg));
		for (k = 0; k < FILTER_NCLASS; k++)
			counts[k] += (c >> k) & 1;
	}
}

/* The group of a under g ("" none). */
static const char *
group_of(enum filter_group g, const struct attempt *a)
{
	if (g == FILTER_GROUP_CENTRE)
		return a->center;
	if (g == FILTER_GROUP_FEED)
		return a->feed != NULL ? a->feed->id : "";
	return "";
}

/* A shown attempt with its place in the sort, to group it stably. */
struct grouped {
	struct attempt	*a;
	const char	*group;
	size_t		 i;
};

/* qsort(3) order of groups: by name, "" last, then the sort. */
static int
grouped_cmp(const void *va, const void *vb)
{
	const struct grouped	*a = va, *b = vb;
	int			 c;

	if ((a->group[0] == '\0') != (b->group[0] == '\0'))
		return a->group[0] == '\0' ? 1 : -1;
	if ((c = strcmp(a->group, b->group)) != 0)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Room for want rows in *rows. */
static void
rows_reserve(struct filter_row **rows, size_t *cap, size_t want)
{
	if (want <= *cap)
		return;
	*cap = want < 64 ? 64 : want;
	*rows = xreallocarray(*rows, *cap, sizeof **rows);
}

size_t
filter_rows(const struct filter *f, struct attempt *const *attempts,
    size_t n, filter_offline_fn *offline, void *arg,
    struct filter_row **rows, size_t *cap, size_t *shown)
{
	struct grouped	*g;
	size_t		 i, k = 0, r = 0, head = 0;

	rows_reserve(rows, cap, n);
	if (f->group == FILTER_GROUP_NONE) {
		for (i = 0; i < n; i++) {
			if (!filter_match(f, attempts[i], is_offline(
			    attempts[i], offline, arg)))
				continue;
			(*rows)[r].a = attempts[i];
			(*rows)[r].group = "";
			(*rows)[r].count = (*rows)[r].flagged = 0;
			r++;
		}
		*shown = r;
		return r;
	}
	g = xreallocarray(NULL, n > 0 ? n : 1, sizeof *g);
	for (i = 0; i < n; i++) {
		if (!filter_match(f, attempts[i], is_offline(attempts[i],
		    offline, arg)))
			continue;
		g[k].a = attempts[i];
		g[k].group = group_of(f->group, attempts[i]);
		g[k].i = i;
		k++;
	}
	qsort(g, k, sizeof *g, grouped_cmp);
	/* At most one heading per attempt. */
	rows_reserve(rows, cap, 2 * k);
	for (i = 0; i < k; i++) {
		if (i == 0 || strcmp(g[i].group, g[i - 1].group) != 0) {
			head = r++;
			(*rows)[head].a = NULL;
			(*rows)[head].group = g[i].group;
			(*rows)[head].count = (*rows)[head].flagged = 0;
		}
		(*rows)[head].count++;
		(*rows)[head].flagged += g[i].a->open_flags > 0;
		(*rows)[r].a = g[i].a;
		(*rows)[r].group = g[i].group;
		(*rows)[r].count = (*rows)[r].flagged = 0;
		r++;
	}
	free(g);
	*shown = k;
	return r;
}

size_t
filter_next(const struct filter_row *rows, size_t n, size_t i, int dir,
    int *wrapped)
{
	size_t	j, step;

	*wrapped = 0;
	if (i >= n) {
		/* No row selected: the first (or last) attempt row. */
		for (step = 0; step < n; step++) {
			j = dir > 0 ? step : n - 1 - step;
			if (rows[j].a != NULL)
				return j;
		}
		return i;
	}
	for (j = i, step = 1; step < n; step++) {
		if (dir > 0)
			j = j + 1 == n ? 0 : j + 1;
		else
			j = j == 0 ? n - 1 : j - 1;
		if (rows[j].a != NULL) {
			*wrapped = dir > 0 ? j < i : j > i;
			return j;
		}
	}
	return i;
}

size_t
filter_step(size_t i, size_t n, int dir, int *wrapped)
{
	size_t	j;

	if (dir > 0)
		j = i + 1 >= n ? 0 : i + 1;
	else
		j = i == 0 || i > n ? n - 1 : i - 1;
	*wrapped = dir > 0 ? j <= i : j >= i;
	return j;
}

size_t
filter_find(const struct filter_row *rows, size_t n,
    const struct attempt *a)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (rows[i].a == a && a != NULL)
			return i;
	}
	return n;
}
