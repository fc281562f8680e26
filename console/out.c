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
out_text(const struct out_column *col, const struct out_cell *c, char *buf,
    size_t len)
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
		return out_time(c->i, buf, len);
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
		t = out_text(col, c, num, sizeof num);
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
out_csv_field(FILE *fp, const char *s, int text)
{
	int	formula = text && s[0] != '\0' && strchr("=+-@\t\r", s[0]);

	if (strpbrk(s, ",\"\r\n") == NULL) {
		if (formula)
			putc('\'', fp);
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	if (formula)
		putc('\'', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
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
out_json_string(FILE *fp, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), k;

	putc_unlocked('"', fp);
	while (n > 0) {
		if (*s == '"' || *s == '\\') {
			putc_unlocked('\\', fp);
			putc_unlocked(*s, fp);
		} else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\r')
			fputs("\\r", fp);
		else if (*s == '\t')
			fputs("\\t", fp);
		else if (*s < 0x20)
			fprintf(fp, "\\u%04x", *s);
		else if (*s < 0x80)
			putc_unlocked(*s, fp);
		else if ((k = out_utf8_len(s, n)) == 0)
			fputs("\xef\xbf\xbd", fp);	/* U+FFFD */
		else {
			fwrite(s, 1, k, fp);
			s += k - 1;
			n -= k - 1;
		}
		s++;
		n--;
	}
	putc_unlocked('"', fp);
}

static void
out_json_value(struct out *o, const struct out_column *col,
    const struct out_cell *c)
{
	char	buf[64];

	if (!c->known) {
		fputs("null", o->fp);
		return;
	}
	switch (col->type) {
	case OUT_T_STR:
		out_json_string(o->fp, o->tty ? out_clean(o, c->s) : c->s);
		break;
	case OUT_T_INT:
		fprintf(o->fp, "%" PRId64, c->i);
		break;
	case OUT_T_BOOL:
		fputs(c->i != 0 ? "true" : "false", o->fp);
		break;
	case OUT_T_NUM:
	case OUT_T_P:
		if (isfinite(c->d))
			fprintf(o->fp, "%.17g", c->d);
		else
			fputs("null", o->fp);
		break;
	case OUT_T_TIME:
		out_json_string(o->fp, out_time(c->i, buf, sizeof buf));
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
	if (f == OUT_JSONL)
		return o;
	for (k = 0; k < n; k++) {
		if (f == OUT_CSV) {
			if (k > 0)
				putc(',', fp);
			out_csv_field(fp, cols[k].name, 0);
			continue;
		}
		if (k > 0)
			putc(' ', fp);
		fprintf(fp, "%*s", cols[k].width, cols[k].name);
	}
	fputs(f == OUT_CSV ? "\r\n" : "\n", fp);
	return o;
}

void
out_row(struct out *o, const struct out_cell *cells)
{
	char	buf[64];
	int	k;

	flockfile(o->fp);	/* once a row, not once a byte */
	for (k = 0; k < o->n; k++) {
		const struct out_column	*col = &o->cols[k];
		const struct out_cell	*c = &cells[k];

		switch (o->format) {
		case OUT_TABLE:
			if (k > 0)
				putc(' ', o->fp);
			out_table_cell(o, col, c);
			break;
		case OUT_CSV:
			if (k > 0)
				putc(',', o->fp);
			if (col->type == OUT_T_STR && c->known)
				out_csv_field(o->fp, o->tty ? out_clean(o,
				    c->s) : c->s, 1);
			else
				fputs(out_text(col, c, buf, sizeof buf), o->fp);
			break;
		case OUT_JSONL:
			if (k == 0 && o->kind != NULL)
				fprintf(o->fp, "{\"kind\":\"%s\",", o->kind);
			else
				putc(k == 0 ? '{' : ',', o->fp);
			out_json_string(o->fp, col->name);
			putc(':', o->fp);
			out_json_value(o, col, c);
			break;
		}
	}
	if (o->format == OUT_JSONL)
		putc('}', o->fp);
	fputs(o->format == OUT_CSV ? "\r\n" : "\n", o->fp);
	funlockfile(o->fp);
	o->rows++;
}

uint64_t
out_rows(const struct out *o)
{
	return o->rows;
}

int
out_end(struct out *o, char *err, size_t errlen)
{
	int	rc = 0;

	if (fflush(o->fp) != 0 || ferror(o->fp)) {
		snprintf(err, errlen, "cannot write the %s output (%zu rows "
		    "written): is the disk full or the pipe closed?",
		    format_names[o->format], (size_t)o->rows);
		rc = -1;
	}
	free(o->buf);
	free(o);
	return rc;
}
