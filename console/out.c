/*
 * out.c - the one writer of `invigil review`'s tables (contract and the
 * formats' rules in out.h).  A row is written as it comes: nothing is kept
 * between rows but one scratch buffer, as large as the largest cell seen.
 * JSON is written here rather than through jansson's object tree: an
 * export of ten million messages would build and free a tree per row;
 * tests/check_out.c reads every line back with jansson.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console/out.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"

struct out {
	FILE			*fp;
	enum out_format		 format;
	const struct out_column	*cols;
	int			 n;
	const char		*kind;
	int			 tty;		/* csv/jsonl strings cleaned */
	uint64_t		 rows;
	char			*buf;		/* scratch for one cell */
	size_t			 bufsz;
	char			*line;		/* csv, jsonl: the row */
	size_t			 len, cap;
	char			*keys[OUT_COLUMNS_MAX];	/* jsonl: ,"name": */
	int64_t			 time_s;	/* the second time_text holds */
	char			 time_text[32];	/* out_time() of time_s */
};

static const char *const format_names[] = { "table", "csv", "jsonl" };

int
out_format_parse(const char *s, enum out_format *f)
{
	int	k;

	for (k = 0; k < 3; k++)
		if (strcmp(s, format_names[k]) == 0) {
			*f = (enum out_format)k;
			return 0;
		}
	return -1;
}

const char *
out_format_name(enum out_format f)
{
	return format_names[f];
}

const char *
out_time(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t;
	int64_t		s = ms / 1000, frac = ms % 1000;
	size_t		n;

	if (frac < 0) {
		frac += 1000;
		s--;
	}
	t = (time_t)s;
	if ((int64_t)t != s || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year > 9999 - 1900 || tm.tm_year < -1900 ||
	    (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		/* Beyond what RFC 3339 can say: the number itself. */
		snprintf(buf, len, "%" PRId64, ms);
		return buf;
	}
	snprintf(buf + n, len - n, ".%03dZ", (int)frac);
	return buf;
}

/*
 * out_time() into buf, with the text of the last second kept: rows come
 * in time order, and strftime() for every time of ten million rows would
 * be a good part of an export's time.
 */
static const char *
out_time_cached(struct out *o, int64_t ms, char *buf, size_t len)
{
	int64_t	s = ms / 1000, frac = ms % 1000;

	if (frac < 0)
		return out_time(ms, buf, len);
	if (s != o->time_s || o->time_text[0] == '\0') {
		out_time(s * 1000, o->time_text, sizeof o->time_text);
		o->time_s = s;
	}
	/* "...:SS.000Z": the milliseconds replaced, if it is a date. */
	snprintf(buf, len, "%s", o->time_text);
	if (strlen(buf) == 24 && buf[19] == '.')
		snprintf(buf + 20, len - 20, "%03dZ", (int)frac);
	else
		return out_time(ms, buf, len);
	return buf;
}

/* The scratch buffer, at least need bytes. */
static char *
out_scratch(struct out *o, size_t need)
{
	if (need > o->bufsz) {
		free(o->buf);
		o->bufsz = need < 4096 ? 4096 : need;
		o->buf = xmalloc(o->bufsz);
	}
	return o->buf;
}

/* Room for more bytes at the end of the row being made. */
static char *
line_room(struct out *o, size_t more)
{
	size_t	need;

	if (more > SIZE_MAX - o->len)
		abort();
	need = o->len + more;
	if (need > o->cap) {
		o->cap = need > 2 * o->cap ? need : 2 * o->cap;
		if (o->cap < 4096)
			o->cap = 4096;
		o->line = xrealloc(o->line, o->cap);
	}
	return o->line + o->len;
}

/* Append n bytes of p to the row. */
static void
line_put(struct out *o, const char *p, size_t n)
{
	memcpy(line_room(o, n), p, n);
	o->len += n;
}

/* Append the string s to the row. */
static void
line_str(struct out *o, const char *s)
{
	line_put(o, s, strlen(s));
}

/* Append v in decimal to the row (printf costs a tenth of an export). */
static void
line_int(struct out *o, int64_t v)
{
	char		 b[24], *p = b + sizeof b;
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	line_put(o, p, (size_t)(b + sizeof b - p));
}

/* s sanitised whole (for a terminal), in the scratch buffer. */
static const char *
out_clean(struct out *o, const char *s)
{
	size_t	len = strlen(s), need;

	if (len > (SIZE_MAX - 1) / 4)
		abort();
	need = 4 * len + 1;
	proto_sanitize(s, len, out_scratch(o, need), need);
	return o->buf;
}

/* A number or a time as text (table and csv), in buf; "" unknown. */
static const char *
out_text(struct out *o, const struct out_column *col, const struct out_cell *c,
    char *buf, size_t len)
{
	if (!c->known)
		return "";
	switch (col->type) {
	case OUT_T_INT:
		snprintf(buf, len, "%" PRId64, c->i);
		break;
	case OUT_T_BOOL:
		snprintf(buf, len, "%s", c->i != 0 ? "yes" : "no");
		break;
	case OUT_T_P:
		if (c->d < 0.001) {
			snprintf(buf, len, "%.1e", c->d);
			break;
		}
		/* FALLTHROUGH */
	case OUT_T_NUM:
		snprintf(buf, len, "%.3f", c->d);
		break;
	case OUT_T_TIME:
		return out_time_cached(o, c->i, buf, len);
	case OUT_T_STR:
		return c->s;
	}
	return buf;
}

/* Characters (UTF-8 lead bytes and stray bytes) in s. */
static size_t
out_chars(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Byte offset of the first k characters of s (len bytes). */
static size_t
out_char_offset(const char *s, size_t len, size_t k)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == k)
			return i;
	return len;
}

/*
 * One table cell: sanitised, cut to w characters on a character (and
 * escape) boundary with a '~' mark, padded to w on the side col says.
 */
static void
out_table_cell(struct out *o, const struct out_column *col,
    const struct out_cell *c)
{
	char		 num[64];
	const char	*t;
	size_t		 w = (size_t)abs(col->width), in, len, chars, need, cut;
	int		 cutting = 0;

	if (!c->known)
		t = "-";
	else if (col->type != OUT_T_STR)
		t = out_text(o, col, c, num, sizeof num);
	else {
		/* w + 1 characters are at most 4 (w + 2) bytes of input:
		 * sanitise no more, so that a long body costs nothing. */
		in = strlen(c->s);
		if (in > 4 * (w + 2)) {
			in = proto_utf8_boundary(c->s, 4 * (w + 2));
			cutting = 1;
		}
		need = 4 * in + 2;
		len = proto_sanitize(c->s, in, out_scratch(o, need), need);
		chars = out_chars(o->buf, len);
		if (chars > w || cutting) {
			/* Sanitise again into exactly the room of w - 1
			 * characters: an escape is never cut in half. */
			cut = out_char_offset(o->buf, len, w > 0 ? w - 1 : 0);
			len = proto_sanitize(c->s, in, o->buf, cut + 1);
			o->buf[len++] = '~';
			o->buf[len] = '\0';
		}
		t = o->buf;
	}
	chars = out_chars(t, strlen(t));
	if (col->width > 0)
		for (; chars < w; chars++)
			putc(' ', o->fp);
	fputs(t, o->fp);
	if (col->width < 0)
		for (; chars < w; chars++)
			putc(' ', o->fp);
}

/* One CSV field (RFC 4180), a text cell's formula neutralised. */
static void
out_csv_field(struct out *o, const char *s, int text)
{
	int	 formula = text && s[0] != '\0' && strchr("=+-@\t\r", s[0]);
	size_t	 n = strlen(s), k;
	char	*p;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		if (formula)
			line_put(o, "'", 1);
		line_put(o, s, n);
		return;
	}
	if (n > (SIZE_MAX - 3) / 2)
		abort();
	p = line_room(o, 2 * n + 3);
	*p++ = '"';
	if (formula)
		*p++ = '\'';
	for (k = 0; k < n; k++) {
		if (s[k] == '"')
			*p++ = '"';
		*p++ = s[k];
	}
	*p++ = '"';
	o->len = (size_t)(p - o->line);
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes left), or 0: no
 * overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
static size_t
out_utf8_len(const unsigned char *s, size_t n)
{
	size_t		len, k;
	uint32_t	cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* s as a JSON string: bytes as they are, escaped as JSON requires; a
 * byte that is not UTF-8 becomes U+FFFD. */
static void
out_json_string(struct out *o, const char *str)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), k;
	char			*p;

	/* At most 6 bytes (\u00XX) for each byte, and the quotes. */
	if (n > (SIZE_MAX - 2) / 6)
		abort();
	p = line_room(o, 6 * n + 2);
	*p++ = '"';
	while (n > 0) {
		if (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
			*p++ = (char)*s;
		else if (*s == '"' || *s == '\\') {
			*p++ = '\\';
			*p++ = (char)*s;
		} else if (*s == '\n' || *s == '\r' || *s == '\t') {
			*p++ = '\\';
			*p++ = *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't';
		} else if (*s < 0x20) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[*s >> 4];
			p[5] = hex[*s & 0xf];
			p += 6;
		} else if ((k = out_utf8_len(s, n)) == 0) {
			memcpy(p, "\xef\xbf\xbd", 3);	/* U+FFFD */
			p += 3;
		} else {
			memcpy(p, s, k);
			p += k;
			s += k - 1;
			n -= k - 1;
		}
		s++;
		n--;
	}
	*p++ = '"';
	o->len = (size_t)(p - o->line);
}

/* One cell as a JSON value: null, a number, a boolean or a string. */
static void
out_json_value(struct out *o, const struct out_column *col,
    const struct out_cell *c)
{
	char	buf[64];

	if (!c->known) {
		line_put(o, "null", 4);
		return;
	}
	switch (col->type) {
	case OUT_T_STR:
		out_json_string(o, o->tty ? out_clean(o, c->s) : c->s);
		break;
	case OUT_T_INT:
		line_int(o, c->i);
		break;
	case OUT_T_BOOL:
		line_str(o, c->i != 0 ? "true" : "false");
		break;
	case OUT_T_NUM:
	case OUT_T_P:
		if (isfinite(c->d)) {
			snprintf(buf, sizeof buf, "%.17g", c->d);
			line_str(o, buf);
		} else
			line_put(o, "null", 4);
		break;
	case OUT_T_TIME:
		out_json_string(o, out_time_cached(o, c->i, buf, sizeof buf));
		break;
	}
}

struct out *
out_begin(FILE *fp, enum out_format f, const struct out_column *cols, int n,
    const char *kind)
{
	struct out	*o;
	int		 k;

	if (n <= 0 || n > OUT_COLUMNS_MAX)
		abort();
	o = xcalloc(1, sizeof *o);
	o->fp = fp;
	o->format = f;
	o->cols = cols;
	o->n = n;
	o->kind = kind;
	o->tty = isatty(fileno(fp));
	if (f == OUT_TABLE) {
		for (k = 0; k < n; k++)
			fprintf(fp, k > 0 ? " %*s" : "%*s", cols[k].width,
			    cols[k].name);
		putc('\n', fp);
		return o;
	}
	if (f == OUT_CSV) {
		for (k = 0; k < n; k++) {
			if (k > 0)
				line_put(o, ",", 1);
			out_csv_field(o, cols[k].name, 0);
		}
		line_put(o, "\r\n", 2);
		fwrite(o->line, 1, o->len, fp);
		return o;
	}
	/* JSON lines: each key's text, made once ({"kind":K,"name": and
	 * ,"name":). */
	for (k = 0; k < n; k++) {
		o->len = 0;
		if (k > 0)
			line_put(o, ",", 1);
		else if (kind != NULL) {
			line_str(o, "{\"kind\":");
			out_json_string(o, kind);
			line_put(o, ",", 1);
		} else
			line_put(o, "{", 1);
		out_json_string(o, cols[k].name);
		line_put(o, ":", 2);	/* and the NUL */
		o->keys[k] = xstrdup(o->line);
	}
	return o;
}

void
out_row(struct out *o, const struct out_cell *cells)
{
	char	buf[64];
	int	k;

	if (o->format == OUT_TABLE) {
		flockfile(o->fp);
		for (k = 0; k < o->n; k++) {
			if (k > 0)
				putc(' ', o->fp);
			out_table_cell(o, &o->cols[k], &cells[k]);
		}
		putc('\n', o->fp);
		funlockfile(o->fp);
		o->rows++;
		return;
	}
	/* csv and jsonl: the row made in o->line, written in one go. */
	o->len = 0;
	for (k = 0; k < o->n; k++) {
		const struct out_column	*col = &o->cols[k];
		const struct out_cell	*c = &cells[k];

		if (o->format == OUT_JSONL) {
			line_str(o, o->keys[k]);
			out_json_value(o, col, c);
			continue;
		}
		if (k > 0)
			line_put(o, ",", 1);
		if (col->type == OUT_T_STR && c->known)
			out_csv_field(o, o->tty ? out_clean(o, c->s) : c->s, 1);
		else
			line_str(o, out_text(o, col, c, buf, sizeof buf));
	}
	line_str(o, o->format == OUT_JSONL ? "}\n" : "\r\n");
	fwrite(o->line, 1, o->len, o->fp);
	o->rows++;
}

uint64_t
out_rows(const struct out *o)
{
	return o->rows;
}

const char *
out_origin(const struct out *o, const char *origin)
{
	const char	*slash;

	if (origin == NULL)
		return "local";
	if (o->format != OUT_TABLE || (slash = strrchr(origin, '/')) == NULL ||
	    slash[1] == '\0')
		return origin;
	return slash + 1;
}

int
out_end(struct out *o, char *err, size_t errlen)
{
	int	rc = 0, k;

	if (fflush(o->fp) != 0 || ferror(o->fp)) {
		snprintf(err, errlen, "cannot write the %s output (%zu rows "
		    "written): is the disk full or the pipe closed?",
		    format_names[o->format], (size_t)o->rows);
		rc = -1;
	}
	for (k = 0; k < o->n; k++)
		free(o->keys[k]);
	free(o->line);
	free(o->buf);
	free(o);
	return rc;
}
