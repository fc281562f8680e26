/*
 * text.c - text helpers of protocol v1: RFC 3339 times, UTF-8 validation
 * and the display sanitiser.
 *
 * Everything here is pure computation on caller buffers: no allocation, no
 * locale, no time zone.  Times are converted with the proleptic Gregorian
 * calendar arithmetic below rather than gmtime/timegm so that the result
 * does not depend on the C library's time zone state or feature macros.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"

/* 9999-12-31T23:59:59.999Z, the last time with a 4-digit year. */
#define TIME_MAX_MS	(253402300799999LL)

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil).  m is 1..12, d is 1..31.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* Write v as exactly n decimal digits, zero-padded. */
static void
put_digits(char *out, int64_t v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * Write a timestamp as "YYYY-MM-DDTHH:MM:SS.mmmZ".  Times outside years
 * 1970..9999 are clamped to that range, so out always gets exactly 24
 * characters and a NUL.  Digits are placed by hand: the feed formats a
 * time for every message it sends.
 */
void
proto_time_format(int64_t ms, char *out)
{
	int64_t	days, rem, y;
	int	m, d;

	if (ms < 0)
		ms = 0;
	if (ms > TIME_MAX_MS)
		ms = TIME_MAX_MS;
	days = ms / 86400000;
	rem = ms % 86400000;
	civil_from_days(days, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00.000Z", 25);
	put_digits(out, y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, rem / 3600000, 2);
	put_digits(out + 14, rem / 60000 % 60, 2);
	put_digits(out + 17, rem / 1000 % 60, 2);
	put_digits(out + 20, rem % 1000, 3);
}

/* Read exactly n decimal digits at *s into *v and advance *s; 0 or -1. */
static int
parse_digits(const char **s, int n, int *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

/* Expect character c (or its upper/lower-case twin alt) at *s. */
static int
parse_char(const char **s, char c, char alt)
{
	if (**s != c && **s != alt)
		return -1;
	(*s)++;
	return 0;
}

/*
 * Parse an RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS", an optional fraction
 * of any number of digits (milliseconds are kept, the rest truncated), then
 * "Z" or "+HH:MM"/"-HH:MM".  "t" and "z" are accepted for "T" and "Z" as RFC
 * 3339 allows; a leap second (:60) is accepted and lands on the next
 * second.  The whole string must be consumed.  Returns 0 with *ms set, or -1
 * and *ms untouched.
 */
int
proto_time_parse(const char *s, int64_t *ms)
{
	int	year, month, day, hour, min, sec, frac, digits, sign;
	int	oh, om;
	int64_t	t;

	if (s == NULL)
		return -1;
	if (parse_digits(&s, 4, &year) != 0 || parse_char(&s, '-', '-') != 0 ||
	    parse_digits(&s, 2, &month) != 0 || parse_char(&s, '-', '-') != 0 ||
	    parse_digits(&s, 2, &day) != 0 || parse_char(&s, 'T', 't') != 0 ||
	    parse_digits(&s, 2, &hour) != 0 || parse_char(&s, ':', ':') != 0 ||
	    parse_digits(&s, 2, &min) != 0 || parse_char(&s, ':', ':') != 0 ||
	    parse_digits(&s, 2, &sec) != 0)
		return -1;
	if (month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || min > 59 ||
	    sec > 60)
		return -1;

	frac = 0;
	if (*s == '.') {
		s++;
		for (digits = 0; *s >= '0' && *s <= '9'; digits++, s++) {
			if (digits < 3)
				frac = frac * 10 + (*s - '0');
		}
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			frac *= 10;
	}

	oh = om = 0;
	sign = 0;
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (parse_digits(&s, 2, &oh) != 0 ||
		    parse_char(&s, ':', ':') != 0 ||
		    parse_digits(&s, 2, &om) != 0 || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*s != '\0')
		return -1;

	t = days_from_civil(year, month, day) * 86400 + hour * 3600 +
	    min * 60 + sec;
	t -= (int64_t)sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return 0;
}

/* Wall clock in milliseconds since the Unix epoch (C11 timespec_get). */
int64_t
proto_now_ms(void)
{
	struct timespec	ts;

	if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Length of the well-formed UTF-8 sequence at p (at most len bytes), with its
 * code point in *cp, or 0 if the bytes there are not one: a stray
 * continuation byte, an overlong form, a surrogate, a value above U+10FFFF or
 * a sequence cut short.
 */
static size_t
utf8_next(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t	c;
	size_t		n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
proto_utf8_valid(const char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)buf;
	uint32_t		 cp;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		if (p[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = utf8_next(p + i, len - i, &cp)) == 0)
			return 0;
	}
	return 1;
}

size_t
proto_utf8_boundary(const char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)buf;
	uint32_t		 cp;
	size_t			 i, back, n;

	/* A character is at most 4 bytes: look back at most 3 for its lead. */
	for (back = 1; back <= 3 && back <= len; back++) {
		i = len - back;
		if ((p[i] & 0xc0) == 0x80)
			continue;		/* a continuation byte */
		if (p[i] < 0x80)
			return len;		/* ASCII: nothing is split */
		n = utf8_next(p + i, back, &cp);
		if (n != 0)
			return len;		/* a whole character ends here */
		/* Is it the start of a longer, valid character we cut? */
		if ((p[i] >= 0xc2 && p[i] <= 0xdf && back < 2) ||
		    (p[i] >= 0xe0 && p[i] <= 0xef && back < 3) ||
		    (p[i] >= 0xf0 && p[i] <= 0xf4 && back < 4))
			return i;
		return len;			/* invalid bytes: units alone */
	}
	return len;
}

int
proto_utf8_copy(char *out, size_t outsz, const char *src)
{
	size_t	len = strlen(src), n = len;

	if (outsz == 0)
		return len > 0;
	if (n > outsz - 1)
		n = proto_utf8_boundary(src, outsz - 1);
	memcpy(out, src, n);
	out[n] = '\0';
	return n < len;
}

/* The bidirectional formatting controls that can reorder what is shown. */
static int
is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Characters that show nothing, or something that passes for something
 * else, and so let "Ali\u200bce" look like "Alice": every format character
 * (Unicode category Cf, as of Unicode 15), the line and paragraph
 * separators, the Hangul fillers, the invisible combining marks and
 * variation selectors, the braille blank, the rest of plane 14 (tags and
 * variation selectors) and the noncharacters.
 */
static int
is_invisible(uint32_t cp)
{
	static const struct {
		uint32_t	lo, hi;
	} ranges[] = {
		{ 0x00ad, 0x00ad },	/* soft hyphen */
		{ 0x034f, 0x034f },	/* combining grapheme joiner */
		{ 0x0600, 0x0605 },	/* Arabic number signs (Cf) */
		{ 0x06dd, 0x06dd },
		{ 0x070f, 0x070f },
		{ 0x0890, 0x0891 },
		{ 0x08e2, 0x08e2 },
		{ 0x115f, 0x1160 },	/* Hangul choseong/jungseong fillers */
		{ 0x17b4, 0x17b5 },	/* Khmer inherent vowels */
		{ 0x180b, 0x180f },	/* Mongolian variation selectors, vowel sep. */
		{ 0x200b, 0x200d },	/* zero width space, non-joiner, joiner */
		{ 0x2028, 0x2029 },	/* line and paragraph separators */
		{ 0x2060, 0x2065 },	/* word joiner, invisible operators */
		{ 0x206a, 0x206f },	/* deprecated format characters */
		{ 0x2800, 0x2800 },	/* braille pattern blank */
		{ 0x3164, 0x3164 },	/* Hangul filler */
		{ 0xfdd0, 0xfdef },	/* noncharacters */
		{ 0xfe00, 0xfe0f },	/* variation selectors */
		{ 0xfeff, 0xfeff },	/* zero width no-break space, BOM */
		{ 0xffa0, 0xffa0 },	/* halfwidth Hangul filler */
		{ 0xfff0, 0xfffb },	/* interlinear annotation controls */
		{ 0x110bd, 0x110bd },
		{ 0x110cd, 0x110cd },
		{ 0x13430, 0x1343f },	/* Egyptian hieroglyph format controls */
		{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
		{ 0x1d173, 0x1d17a },	/* musical symbol format controls */
		{ 0xe0000, 0xe0fff },	/* tags, variation selectors supplement */
	};
	size_t	i;

	if ((cp & 0xfffe) == 0xfffe)
		return 1;		/* U+FFFE, U+FFFF and each plane's */
	for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		if (cp >= ranges[i].lo && cp <= ranges[i].hi)
			return 1;
	}
	return 0;
}

int
proto_char_escaped(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    is_bidi_control(cp) || is_invisible(cp);
}

/*
 * Copy in to out, one unit at a time: a printable character as it is, or
 * its escape.  A unit that does not fit ends the copy, so the output never
 * ends inside a character or an escape.  Escapes use lower-case hex: "\x1b"
 * for a single byte (C0 controls, DEL, bytes that are not UTF-8) and
 * "\u{202e}" for a code point (C1 controls, bidi controls, invisible and
 * format characters).
 */
size_t
proto_sanitize(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)in;
	char			 esc[16];
	const char		*unit;
	size_t			 i, o, n, ulen;
	uint32_t		 cp;

	if (outsz == 0)
		return 0;
	for (i = o = 0; i < len; i += n) {
		n = utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			n = 1;
			ulen = (size_t)snprintf(esc, sizeof esc, "\\x%02x",
			    p[i]);
			unit = esc;
		} else if (cp < 0x20 || cp == 0x7f) {
			ulen = (size_t)snprintf(esc, sizeof esc, "\\x%02x",
			    (unsigned)cp);
			unit = esc;
		} else if (cp == '\\') {
			/* Doubled, so that a typed "\x1b" never looks like an
			 * escaped ESC. */
			ulen = 2;
			unit = "\\\\";
		} else if (proto_char_escaped(cp)) {
			ulen = (size_t)snprintf(esc, sizeof esc, "\\u{%04x}",
			    (unsigned)cp);
			unit = esc;
		} else {
			ulen = n;
			unit = (const char *)p + i;
		}
		if (ulen > outsz - 1 - o)
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
	}
	out[o] = '\0';
	return o;
}

const char *
proto_clean(const char *s, char *buf, size_t bufsz)
{
	if (bufsz == 0)
		return "";
	proto_sanitize(s != NULL ? s : "", s != NULL ? strlen(s) : 0, buf,
	    bufsz);
	return buf;
}

char *
proto_json_safe(const char *json, size_t len, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)json;
	char			*out;
	size_t			 i, o, n;
	uint32_t		 cp, hi, lo;

	/* The longest rewrite, a 4-byte character, is 12 bytes: 3x. */
	out = xmalloc(3 * len + 1);
	for (i = o = 0; i < len; i += n) {
		n = p[i] < 0x7f ? 1 : utf8_next(p + i, len - i, &cp);
		if (n == 0 || p[i] < 0x7f || !proto_char_escaped(cp)) {
			/* ASCII (controls are escaped by any JSON encoder),
			 * printable UTF-8, or a stray byte to keep as is. */
			n = n == 0 ? 1 : n;
			memcpy(out + o, p + i, n);
			o += n;
		} else if (cp < 0x10000) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x",
			    (unsigned)cp);
		} else {
			hi = 0xd800 + ((cp - 0x10000) >> 10);
			lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			o += (size_t)snprintf(out + o, 13, "\\u%04x\\u%04x",
			    (unsigned)hi, (unsigned)lo);
		}
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}
