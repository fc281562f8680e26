/*
 * reasons.c - reason files (invigil-reasons(5)): the parser, the
 * compiled-in defaults and the lookups (see reasons.h).
 *
 * A line is a code, its label in double quotes and its attributes:
 *
 *	security.second_person  "Second person in the room"  text=required
 *
 * Every line is read within REASONS_LINE_MAX bytes, every list within
 * REASONS_MAX codes; what is wrong is said with its line and column.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/decide.h"
#include "console/reasons.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"

struct reasons {
	struct reason	r[REASONS_MAX];
	int		line[REASONS_MAX];	/* where each was given */
	size_t		n;
};

static const char reasons_defaults[] =
"# invigil reason codes (invigil-reasons(5)): CODE \"LABEL\"\n"
"# [text=required|optional] [acts=ACT,...]\n"
"# A code is a category or category.subcategory; text=required means the\n"
"# decision must also say why in free text; acts= names the only acts it is\n"
"# for (by default every act).\n"
"\n"
"environment.noise            \"Noise or disturbance in the room\"\n"
"environment.lighting         \"Lighting hides the candidate\"\n"
"environment.workspace        \"Workspace not clear\"\n"
"environment.interruption     \"Someone interrupted the session\"\n"
"\n"
"examinee.left_view           \"Candidate left the camera's view\"\n"
"examinee.looking_away        \"Candidate looking away repeatedly\"\n"
"examinee.talking             \"Candidate talking or reading aloud\"\n"
"examinee.behaviour           \"Candidate's conduct\"            text=required\n"
"examinee.wellbeing           \"Candidate unwell or distressed\"\n"
"\n"
"proctor_staff.error          \"Proctor's mistake\"              text=required\n"
"proctor_staff.instruction    \"Instruction given to the candidate\"\n"
"proctor_staff.handover       \"Handed over to another proctor\"\n"
"\n"
"technical.connection         \"Connection lost or unstable\"\n"
"technical.camera             \"Camera or microphone failure\"\n"
"technical.screen_share       \"Screen share stopped\"\n"
"technical.software           \"Exam software fault\"\n"
"technical.false_positive     \"Flag raised in error\"   acts=dismiss,note\n"
"technical.lost_time          \"Exam time lost to a fault\"  acts=extend,note\n"
"\n"
"security.prohibited_aid      \"Prohibited aid (phone, notes, book)\" text=required\n"
"security.second_person       \"Second person in the room\"      text=required\n"
"security.impersonation       \"Someone else taking the exam\"   text=required\n"
"security.collusion           \"Collusion with another candidate\" text=required\n"
"security.content_theft       \"Copying or recording exam content\" text=required\n"
"\n"
"other                        \"Other\"                          text=required\n";

const char *
reasons_default_text(void)
{
	return reasons_defaults;
}

/* "FILE:LINE:COL: " before a message, the file name sanitised. */
static void
reasons_error(char *err, size_t errlen, const char *file, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
reasons_error(char *err, size_t errlen, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list	ap;
	char	shown[512];
	int	n;

	n = snprintf(err, errlen, "%s:%d:%d: ", proto_clean(file, shown,
	    sizeof shown), line, col);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* The code point at s (valid UTF-8 of at most end - s bytes); its length
 * in *n. */
static uint32_t
reasons_utf8(const unsigned char *s, const unsigned char *end, size_t *n)
{
	uint32_t	cp;
	size_t		k, len;

	if (s[0] < 0x80)
		len = 1, cp = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else
		len = 4, cp = s[0] & 0x07;
	if ((size_t)(end - s) < len)
		len = (size_t)(end - s);
	for (k = 1; k < len; k++)
		cp = (cp << 6) | (s[k] & 0x3f);
	*n = len > 0 ? len : 1;
	return cp;
}

/* The code at s (up to white space): 0 with it in out, or -1 with err. */
static int
reasons_code(const char *s, size_t len, char *out, const char *file,
    int line, int col, char *err, size_t errlen)
{
	size_t	i, part = 0, parts = 1;

	if (len > REASONS_CODE_MAX) {
		reasons_error(err, errlen, file, line, col, "the code is %zu "
		    "bytes, at most %d; shorten it", len, REASONS_CODE_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c == '.') {
			if (part == 0 || ++parts > 2) {
				reasons_error(err, errlen, file, line,
				    col + (int)i, "a code is CATEGORY or "
				    "CATEGORY.SUBCATEGORY, two parts at most, "
				    "none empty");
				return -1;
			}
			part = 0;
			continue;
		}
		if (!(islower(c) || isdigit(c) || c == '_') || c > 127) {
			reasons_error(err, errlen, file, line, col + (int)i,
			    "a code is lower-case letters, digits and '_' "
			    "parts joined by '.', not %s\"%c\"",
			    c < 32 || c > 126 ? "byte " : "", c < 32 || c > 126
			    ? '?' : c);
			return -1;
		}
		if (part == 0 && !islower(c)) {
			reasons_error(err, errlen, file, line, col + (int)i,
			    "each part of a code starts with a letter");
			return -1;
		}
		if (++part > REASONS_PART_MAX) {
			reasons_error(err, errlen, file, line, col + (int)i,
			    "a part of a code is at most %d bytes; shorten it",
			    REASONS_PART_MAX);
			return -1;
		}
	}
	if (part == 0) {
		reasons_error(err, errlen, file, line, col + (int)len - 1,
		    "a code does not end with '.'; give its subcategory");
		return -1;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* The label in quotes at *pp; *pp moves past the closing quote. */
static int
reasons_label(const char **pp, const char *end, char *out, const char *file,
    int line, const char *start, char *err, size_t errlen)
{
	const char	*p = *pp, *q;
	uint32_t	 cp;
	size_t		 n;

	if (p >= end || *p != '"') {
		reasons_error(err, errlen, file, line, (int)(p - start) + 1,
		    "after the code comes its label in double quotes, e.g. "
		    "\"Second person in the room\"");
		return -1;
	}
	for (q = ++p; q < end && *q != '"'; q += n) {
		cp = reasons_utf8((const unsigned char *)q,
		    (const unsigned char *)end, &n);
		if (cp == '\\' || proto_char_escaped(cp)) {
			reasons_error(err, errlen, file, line,
			    (int)(q - start) + 1, "the label has %s U+%04X; "
			    "a label is plain text: remove it", cp == '\\' ?
			    "a backslash" : "a control or invisible character",
			    (unsigned)cp);
			return -1;
		}
	}
	if (q >= end) {
		reasons_error(err, errlen, file, line, (int)(p - start),
		    "the label's closing '\"' is missing (a label cannot "
		    "hold a '\"')");
		return -1;
	}
	if (q == p || (size_t)(q - p) > REASONS_LABEL_MAX) {
		reasons_error(err, errlen, file, line, (int)(p - start) + 1,
		    "the label is %zu bytes; give 1 to %d", (size_t)(q - p),
		    REASONS_LABEL_MAX);
		return -1;
	}
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	*pp = q + 1;
	return 0;
}

/* At most 32 bytes of p[0..n) into out (33 bytes), cut on a character:
 * a word of the line to quote in an error (p is not NUL-terminated). */
static void
reasons_cut(char *out, const char *p, size_t n)
{
	n = proto_utf8_boundary(p, n < 32 ? n : 32);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* acts=NAME[,NAME]...: the acts of decide.h the code is for. */
static int
reasons_acts(struct reason *r, const char *p, size_t len, const char *file,
    int line, int col, char *err, size_t errlen)
{
	const char	*names[64], *end = p + len, *comma;
	const struct act *act;
	char		 name[40], shown[4 * sizeof name], hint[96], all[256];
	size_t		 i, n;

	for (i = 0; i < act_count && i < 64; i++)
		names[i] = act_table[i].name;
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		n = (size_t)((comma != NULL ? comma : end) - p);
		reasons_cut(name, p, n);
		if (n == 0 || n > 32 || (act = act_find(name)) == NULL) {
			act_names(NULL, ", ", all, sizeof all);
			reasons_error(err, errlen, file, line, col, "acts= "
			    "names acts: \"%s\" is not one%s; the acts are %s",
			    proto_clean(name, shown, sizeof shown),
			    proto_suggest_hint(hint, sizeof hint, name,
			    names, i), all);
			return -1;
		}
		r->acts |= 1UL << (act - act_table);
		if (comma == NULL)
			return 0;
		col += (int)n + 1;
		p = comma + 1;
	}
}

/* One attribute word at p (len bytes) into r. */
static int
reasons_attr(struct reason *r, const char *p, size_t len, const char *file,
    int line, int col, char *err, size_t errlen)
{
	static const char *const keys[] = { "text", "acts" };
	const char	*eq = memchr(p, '=', len);
	char		 key[40], shown[4 * sizeof key], hint[96];
	size_t		 klen = eq != NULL ? (size_t)(eq - p) : len;

	/* Shown sanitised, cut on a character. */
	reasons_cut(key, p, klen);
	if (klen == 4 && strcmp(key, "acts") == 0 && eq != NULL)
		return reasons_acts(r, eq + 1, len - 5, file, line, col + 5, err,
		    errlen);
	if (strcmp(key, "text") != 0 || klen != 4) {
		reasons_error(err, errlen, file, line, col, "unknown attribute "
		    "\"%s\"%s; the attributes are text=required|optional and "
		    "acts=ACT[,ACT]...", proto_clean(key, shown, sizeof shown),
		    proto_suggest_hint(hint,
		    sizeof hint, key, keys, 2));
		return -1;
	}
	if (eq != NULL && len - klen - 1 == 8 &&
	    memcmp(eq + 1, "required", 8) == 0)
		r->text_required = 1;
	else if (eq != NULL && len - klen - 1 == 8 &&
	    memcmp(eq + 1, "optional", 8) == 0)
		r->text_required = 0;
	else {
		reasons_error(err, errlen, file, line, col, "text= is "
		    "\"required\" or \"optional\"");
		return -1;
	}
	return 0;
}

/* Parse one line (len bytes, no newline) into rs. */
static int
reasons_line(struct reasons *rs, const char *s, size_t len, const char *file,
    int line, char *err, size_t errlen)
{
	const char	*p = s, *end = s + len, *w;
	struct reason	 r;
	size_t		 i;

	if (len > 0 && s[len - 1] == '\r')
		end--;
	for (w = s; w < end; w++) {
		if (*w != '\t' && (unsigned char)*w < 32) {
			reasons_error(err, errlen, file, line, (int)(w - s) + 1,
			    "a control character (byte 0x%02x); a reason file "
			    "is plain text", (unsigned char)*w);
			return -1;
		}
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return 0;
	if (rs->n == REASONS_MAX) {
		reasons_error(err, errlen, file, line, 1, "more than %d codes; "
		    "a picker of more is no help: merge some", REASONS_MAX);
		return -1;
	}
	memset(&r, 0, sizeof r);
	for (w = p; w < end && *w != ' ' && *w != '\t'; w++)
		;
	if (reasons_code(p, (size_t)(w - p), r.code, file, line,
	    (int)(p - s) + 1, err, errlen) != 0)
		return -1;
	for (p = w; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (reasons_label(&p, end, r.label, file, line, s, err, errlen) != 0)
		return -1;
	for (;;) {
		if (p < end && *p != ' ' && *p != '\t') {
			reasons_error(err, errlen, file, line, (int)(p - s) + 1,
			    "white space goes between the label and what "
			    "follows");
			return -1;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p == '#')
			break;
		for (w = p; w < end && *w != ' ' && *w != '\t'; w++)
			;
		if (reasons_attr(&r, p, (size_t)(w - p), file, line,
		    (int)(p - s) + 1, err, errlen) != 0)
			return -1;
		p = w;
	}
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->r[i].code, r.code) == 0) {
			reasons_error(err, errlen, file, line, 1, "the code "
			    "\"%s\" is given twice (first at line %d); give "
			    "each code once", r.code, rs->line[i]);
			return -1;
		}
	}
	rs->line[rs->n] = line;
	rs->r[rs->n++] = r;
	return 0;
}

struct reasons *
reasons_parse(const char *text, size_t len, const char *filename, char *err,
    size_t errlen)
{
	struct reasons	*rs;
	const char	*p, *eol, *end = text + len;
	int		 line;

	if (len > REASONS_FILE_MAX) {
		reasons_error(err, errlen, filename, 1, 1, "the file is %zu "
		    "bytes, at most %d", len, REASONS_FILE_MAX);
		return NULL;
	}
	rs = xcalloc(1, sizeof *rs);
	for (line = 1, p = text; p < end; p = eol + 1, line++) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) > REASONS_LINE_MAX) {
			reasons_error(err, errlen, filename, line, 1, "the line "
			    "is %zu bytes, at most %d; is this a reason file?",
			    (size_t)(eol - p), REASONS_LINE_MAX);
			goto fail;
		}
		if (!proto_utf8_valid(p, (size_t)(eol - p))) {
			reasons_error(err, errlen, filename, line, 1, "not "
			    "UTF-8 text; save the reason file as UTF-8");
			goto fail;
		}
		if (reasons_line(rs, p, (size_t)(eol - p), filename, line, err,
		    errlen) != 0)
			goto fail;
	}
	if (rs->n == 0) {
		reasons_error(err, errlen, filename, line > 1 ? line - 1 : 1, 1,
		    "no reason code; add lines like 'other \"Other\" "
		    "text=required' (see invigil reasons defaults)");
		goto fail;
	}
	return rs;
fail:
	free(rs);
	return NULL;
}

struct reasons *
reasons_load(const char *path, char *err, size_t errlen)
{
	struct reasons	*rs;
	char		*buf;
	size_t		 len;

	if (proto_file_read(path, "reason file", REASONS_FILE_MAX, &buf, &len,
	    NULL, err, errlen) != 0)
		return NULL;
	rs = reasons_parse(buf, len, path, err, errlen);
	free(buf);
	return rs;
}

const struct reasons *
reasons_default(void)
{
	static struct reasons	*rs;
	char			 err[512];

	if (rs == NULL && (rs = reasons_parse(reasons_defaults,
	    strlen(reasons_defaults), "defaults", err, sizeof err)) == NULL) {
		/* The compiled-in text is checked by check_reasons. */
		fprintf(stderr, "invigil: %s\n", err);
		abort();
	}
	return rs;
}

void
reasons_free(struct reasons *rs)
{
	free(rs);
}

size_t
reasons_count(const struct reasons *rs)
{
	return rs->n;
}

const struct reason *
reasons_at(const struct reasons *rs, size_t i)
{
	return i < rs->n ? &rs->r[i] : NULL;
}

int
reasons_for_act(const struct reason *r, const char *act)
{
	const struct act	*a = act_find(act);

	return r->acts == 0 || (a != NULL &&
	    (r->acts & (1UL << (a - act_table))) != 0);
}

const struct reason *
reasons_find(const struct reasons *rs, const char *code)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].code, code) == 0)
			return &rs->r[i];
	return NULL;
}

/* Is typed[0..n) a prefix of s, ignoring case? */
static int
reasons_prefix(const char *s, const char *typed, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || tolower((unsigned char)s[i]) !=
		    tolower((unsigned char)typed[i]))
			return 0;
	}
	return 1;
}

int
reasons_match(const struct reason *r, const char *typed)
{
	const char	*c = r->code, *t = typed, *dot, *tdot, *w;
	size_t		 tn = strlen(typed);

	if (tn == 0)
		return 1;
	/* Part by part: "sec.pro" for "security.prohibited_aid". */
	for (;;) {
		tdot = strchr(t, '.');
		dot = strchr(c, '.');
		if (!reasons_prefix(c, t, tdot != NULL ? (size_t)(tdot - t) :
		    strlen(t)))
			break;
		if (tdot == NULL)
			return 1;
		if (dot == NULL)
			break;
		t = tdot + 1;
		c = dot + 1;
	}
	if (strchr(typed, '.') != NULL)
		return 0;
	if ((dot = strrchr(r->code, '.')) != NULL &&
	    reasons_prefix(dot + 1, typed, tn))
		return 1;
	for (w = r->label; *w != '\0'; w++) {
		if ((w == r->label || !isalnum((unsigned char)w[-1])) &&
		    reasons_prefix(w, typed, tn))
			return 1;
	}
	return 0;
}

void
reasons_unknown(const struct reasons *rs, const char *code, char *err,
    size_t errlen)
{
	const char	*names[REASONS_MAX];
	char		 cut[REASONS_CODE_MAX + 1], shown[4 * sizeof cut];
	char		 hint[160];
	const char	*h;
	size_t		 i;

	for (i = 0; i < rs->n; i++)
		names[i] = rs->r[i].code;
	proto_utf8_copy(cut, sizeof cut, code);
	h = proto_suggest_hint(hint, sizeof hint, code, names, rs->n);
	/* "second_person" for "security.second_person": the subcategory
	 * alone, without its category. */
	for (i = 0; h[0] == '\0' && i < rs->n; i++) {
		const char	*dot = strrchr(names[i], '.');

		if (dot != NULL && strcmp(dot + 1, code) == 0) {
			snprintf(hint, sizeof hint, " (did you mean \"%s\"?)",
			    names[i]);
			h = hint;
		}
	}
	snprintf(err, errlen, "unknown reason code \"%s\"%s; the codes are "
	    "listed by invigil reasons defaults, or in the --reasons file",
	    proto_clean(cut, shown, sizeof shown), h);
}
