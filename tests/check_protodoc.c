/*
 * check_protodoc.c - Check suite that holds man/invigil-proto.7, the
 * normative text of protocol v1, to the implementation in proto/.
 *
 * The page is read as roff, loosely: sections (.SH), subsections (.SS),
 * tagged paragraphs (.TP and the line after it), tbl tables and example
 * blocks, with font changes and the usual escapes turned into plain text.
 * What is compared is strict: the names documented under EVENT KINDS,
 * ATTEMPT STATES, ACTIONS and MESSAGES are exactly the names proto/names.c
 * knows; each message's field table agrees with the codec (required fields
 * are required, documented fields exist and have the documented type);
 * the LIMITS and CLOSE CODES are the numbers in proto.h; and every JSON
 * message in EXAMPLE decodes and the transcript is a coherent session.
 *
 * The page is found in $INVIGIL_MAN_DIR, else in "man/" (make check runs
 * from the repository root).
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "tests/check_main.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#define PAGE		"invigil-proto.7"
#define TEXT_MAX	8192	/* plain text of one line, tag or body */
#define ARGS_MAX	16

/* One source line and where it sits in the page. */
struct line {
	char		*raw;
	int		 lineno;
	int		 section;	/* index into sections[], -1 before the first */
	int		 subsection;	/* index into subsections[], -1 if none */
};

static struct line	*lines;
static size_t		 nlines;
static char		*sections[64];
static size_t		 nsections;
static char		*subsections[64];
static int		 subsection_of[64];	/* section of each subsection */
static size_t		 nsubsections;
static char		 page_path[4096];

/* A tagged paragraph (.TP): its tag and its body, as plain text. */
struct entry {
	char	tag[256];
	char	body[TEXT_MAX];
	int	lineno;
};

/* ---- loading and roff text ---- */

/* Append s to out (size outsz), always NUL-terminated. */
static void
append(char *out, size_t outsz, const char *s)
{
	size_t	used = strlen(out);

	snprintf(out + used, outsz - used, "%s", s);
}

/* The plain text of a named glyph (\(xx or \[xx]); "?" if unknown. */
static const char *
glyph(const char *name)
{
	static const struct {
		const char	*name;
		const char	*text;
	} glyphs[] = {
		{ "aq", "'" }, { "dq", "\"" }, { "em", "--" }, { "en", "-" },
		{ "->", "->" }, { "<-", "<-" }, { "+-", "+-" }, { ">=", ">=" },
		{ "<=", "<=" }, { "bu", "*" }, { "mi", "-" }, { "hy", "-" },
		{ "lq", "\"" }, { "rq", "\"" }, { "oq", "'" }, { "cq", "'" },
		{ "co", "(C)" }, { "rs", "\\" }, { "ti", "~" }, { "ha", "^" },
	};
	size_t	i;

	for (i = 0; i < nitems(glyphs); i++) {
		if (strcmp(glyphs[i].name, name) == 0)
			return glyphs[i].text;
	}
	return "?";
}

/*
 * Plain text of roff text: font changes and zero-width escapes removed,
 * \- \e \(xx \[xx] \<space> \~ turned into characters, \" ends the line.
 */
static void
unescape(const char *in, char *out, size_t outsz)
{
	char		 name[16], one[2] = { 0, 0 };
	const char	*end;
	size_t		 n;

	out[0] = '\0';
	while (*in != '\0') {
		if (*in != '\\') {
			one[0] = *in++;
			append(out, outsz, one);
			continue;
		}
		in++;
		switch (*in) {
		case '\0':
			return;
		case '"':
			return;
		case '-':
		case '\\':
		case 'e':
			append(out, outsz, *in == '-' ? "-" : "\\");
			in++;
			break;
		case ' ':
		case '~':
		case '0':
			append(out, outsz, " ");
			in++;
			break;
		case '&':
		case '|':
		case '^':
		case ')':
		case 'c':
		case '%':
			in++;
			break;
		case 'f':
			in++;
			if (*in == '(')
				in += *(in + 1) != '\0' && *(in + 2) != '\0' ? 3 : 1;
			else if (*in == '[') {
				end = strchr(in, ']');
				in = end != NULL ? end + 1 : in + strlen(in);
			} else if (*in != '\0')
				in++;
			break;
		case '(':
			if (in[1] == '\0' || in[2] == '\0')
				return;
			memcpy(name, in + 1, 2);
			name[2] = '\0';
			append(out, outsz, glyph(name));
			in += 3;
			break;
		case '[':
			end = strchr(in, ']');
			if (end == NULL)
				return;
			n = (size_t)(end - in - 1);
			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, in + 1, n);
			name[n] = '\0';
			append(out, outsz, glyph(name));
			in = end + 1;
			break;
		default:
			/* Anything else: the character itself. */
			one[0] = *in++;
			append(out, outsz, one);
			break;
		}
	}
}

/* Split the arguments of a request line (after its name), quote-aware. */
static size_t
request_args(const char *p, char args[][TEXT_MAX], size_t max)
{
	size_t	n = 0, len;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || n == max || (p[0] == '\\' && p[1] == '"'))
			return n;
		len = 0;
		if (*p == '"') {
			p++;
			while (*p != '\0') {
				if (p[0] == '"' && p[1] == '"') {
					p += 2;
					if (len + 1 < TEXT_MAX)
						args[n][len++] = '"';
					continue;
				}
				if (*p == '"') {
					p++;
					break;
				}
				if (len + 1 < TEXT_MAX)
					args[n][len++] = *p;
				p++;
			}
		} else {
			while (*p != '\0' && *p != ' ' && *p != '\t') {
				if (len + 1 < TEXT_MAX)
					args[n][len++] = *p;
				p++;
			}
		}
		args[n][len] = '\0';
		n++;
	}
}

/* Is raw a request (control line)?  Its name goes to name. */
static int
is_request(const char *raw, char *name, size_t namesz)
{
	size_t	n = 0;

	if (raw[0] != '.' && raw[0] != '\'')
		return 0;
	raw++;
	while (*raw == ' ' || *raw == '\t')
		raw++;
	while (*raw != '\0' && *raw != ' ' && *raw != '\t' && n + 1 < namesz)
		name[n++] = *raw++;
	name[n] = '\0';
	return 1;
}

/* The plain text a line puts on the page ("" for most requests). */
static void
line_text(const char *raw, char *out, size_t outsz)
{
	static const char *const joined[] = { "B", "I", "SM", "SB" };
	static const char *const alternating[] = {
		"BR", "RB", "BI", "IB", "IR", "RI"
	};
	static char	 args[ARGS_MAX][TEXT_MAX];
	char		 name[16], text[TEXT_MAX];
	const char	*p;
	size_t		 i, n;
	int		 join = 0, alt = 0;

	out[0] = '\0';
	if (!is_request(raw, name, sizeof name)) {
		unescape(raw, out, outsz);
		return;
	}
	for (i = 0; i < nitems(joined); i++)
		join |= strcmp(name, joined[i]) == 0;
	for (i = 0; i < nitems(alternating); i++)
		alt |= strcmp(name, alternating[i]) == 0;
	if (!join && !alt)
		return;
	p = raw + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	p += strlen(name);
	n = request_args(p, args, ARGS_MAX);
	for (i = 0; i < n; i++) {
		if (join && i > 0)
			append(out, outsz, " ");
		unescape(args[i], text, sizeof text);
		append(out, outsz, text);
	}
}

/* Trim white space at both ends, in place; returns s. */
static char *
trim(char *s)
{
	size_t	len = strlen(s), start = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, len - start + 1);
	return s;
}

/* The heading text of a .SH/.SS line, upper-cased for .SH. */
static char *
heading(const char *raw, int upper)
{
	char	 text[TEXT_MAX], *p;
	char	 name[16];

	is_request(raw, name, sizeof name);
	raw += 1;
	while (*raw == ' ' || *raw == '\t')
		raw++;
	raw += strlen(name);
	{
		static char	args[ARGS_MAX][TEXT_MAX];
		size_t		i, n = request_args(raw, args, ARGS_MAX);
		char		part[TEXT_MAX];

		text[0] = '\0';
		for (i = 0; i < n; i++) {
			if (i > 0)
				append(text, sizeof text, " ");
			unescape(args[i], part, sizeof part);
			append(text, sizeof text, part);
		}
	}
	trim(text);
	if (upper) {
		for (p = text; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
	}
	return xstrdup(text);
}

static void
load_page(void)
{
	const char	*dir = getenv("INVIGIL_MAN_DIR");
	FILE		*f;
	char		*buf = NULL, name[16];
	size_t		 cap = 0, lcap = 0;
	ssize_t		 len;
	int		 lineno = 0, section = -1, subsection = -1;

	snprintf(page_path, sizeof page_path, "%s/%s",
	    dir != NULL && dir[0] != '\0' ? dir : "man", PAGE);
	if ((f = fopen(page_path, "r")) == NULL) {
		fprintf(stderr, "check_protodoc: cannot open %s: %s (run from "
		    "the repository root or set INVIGIL_MAN_DIR)\n", page_path,
		    strerror(errno));
		exit(1);
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (is_request(buf, name, sizeof name)) {
			if (strcmp(name, "SH") == 0 && nsections < nitems(sections)) {
				sections[nsections] = heading(buf, 1);
				section = (int)nsections++;
				subsection = -1;
			} else if (strcmp(name, "SS") == 0 &&
			    nsubsections < nitems(subsections)) {
				subsections[nsubsections] = heading(buf, 0);
				subsection_of[nsubsections] = section;
				subsection = (int)nsubsections++;
			}
		}
		if (nlines == lcap) {
			lcap = lcap ? lcap * 2 : 1024;
			lines = xreallocarray(lines, lcap, sizeof *lines);
		}
		lines[nlines].raw = xstrdup(buf);
		lines[nlines].lineno = lineno;
		lines[nlines].section = section;
		lines[nlines].subsection = subsection;
		nlines++;
	}
	free(buf);
	fclose(f);
}

/* Index of the section titled name, or -1. */
static int
find_section(const char *name)
{
	size_t	i;

	for (i = 0; i < nsections; i++) {
		if (strcmp(sections[i], name) == 0)
			return (int)i;
	}
	return -1;
}

/* Index of a section that must exist; fails the test otherwise. */
static int
need_section(const char *name)
{
	int	s = find_section(name);

	ck_assert_msg(s >= 0, "%s: no section \"%s\"", page_path, name);
	return s;
}

/* Does this request end a tagged paragraph's body? */
static int
ends_paragraph(const char *name)
{
	static const char *const enders[] = {
		"TP", "PP", "P", "LP", "IP", "HP", "SH", "SS", "TS", "EX", "RS",
		"RE", "TQ"
	};
	size_t	i;

	for (i = 0; i < nitems(enders); i++) {
		if (strcmp(name, enders[i]) == 0)
			return 1;
	}
	return 0;
}

static int
is_comment(const char *raw)
{
	return strncmp(raw, ".\\\"", 3) == 0 || strncmp(raw, "'\\\"", 3) == 0 ||
	    strncmp(raw, "\\\"", 2) == 0;
}

/*
 * The tagged paragraphs of a section (or, with subsection >= 0, of that
 * subsection only).  Returns how many, at most max.
 */
static size_t
entries_of(int section, int subsection, struct entry *out, size_t max)
{
	char	 name[16], text[TEXT_MAX];
	size_t	 i, n = 0;
	int	 in_body = 0;

	for (i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];

		if (l->section != section ||
		    (subsection >= 0 && l->subsection != subsection) ||
		    is_comment(l->raw))
			continue;
		if (is_request(l->raw, name, sizeof name) &&
		    ends_paragraph(name)) {
			in_body = 0;
			if (strcmp(name, "TP") != 0 || n == max)
				continue;
			/* The tag: the next line that is not a comment. */
			for (i++; i < nlines && is_comment(lines[i].raw); i++)
				;
			if (i == nlines)
				break;
			line_text(lines[i].raw, text, sizeof text);
			snprintf(out[n].tag, sizeof out[n].tag, "%s", trim(text));
			out[n].body[0] = '\0';
			out[n].lineno = lines[i].lineno;
			n++;
			in_body = 1;
			continue;
		}
		if (!in_body)
			continue;
		line_text(l->raw, text, sizeof text);
		if (text[0] != '\0') {
			if (out[n - 1].body[0] != '\0')
				append(out[n - 1].body, sizeof out[n - 1].body,
				    " ");
			append(out[n - 1].body, sizeof out[n - 1].body, text);
		}
	}
	return n;
}

/* The first word of s into word (size wsz). */
static void
first_word(const char *s, char *word, size_t wsz)
{
	size_t	n = 0;

	while (isspace((unsigned char)*s))
		s++;
	while (*s != '\0' && !isspace((unsigned char)*s) && n + 1 < wsz)
		word[n++] = *s++;
	word[n] = '\0';
}

/* ---- the names: kinds, states, actions, message types ---- */

typedef const char *(*name_fn)(int);
typedef int	(*parse_fn)(const char *);

static const char *type_name(int v) { return proto_type_name((enum proto_type)v); }
static const char *state_name(int v) { return proto_state_name((enum proto_state)v); }
static const char *kind_name(int v) { return proto_event_kind_name((enum proto_event_kind)v); }
static const char *action_name(int v) { return proto_action_name((enum proto_action)v); }

/*
 * The words documented (tags, or subsection titles) must be exactly the
 * names of the enum: each known to parse, none twice, none missing.
 */
static void
check_names(const char *where, const char *macro, char words[][256],
    const int *linenos, size_t nwords, int count, name_fn name,
    parse_fn parse)
{
	int	*seen = xcalloc((size_t)count, sizeof *seen);
	size_t	 i;
	int	 v;

	for (i = 0; i < nwords; i++) {
		v = parse(words[i]);
		ck_assert_msg(v >= 0, "%s:%d: %s documents \"%s\", which the "
		    "implementation does not know", page_path, linenos[i],
		    where, words[i]);
		ck_assert_msg(!seen[v], "%s:%d: %s documents \"%s\" twice",
		    page_path, linenos[i], where, words[i]);
		seen[v] = 1;
	}
	for (v = 0; v < count; v++) {
		ck_assert_msg(seen[v], "%s: %s does not document \"%s\" (add "
		    "\"%s %s\")", page_path, where, name(v), macro, name(v));
	}
	free(seen);
}

static void
check_tagged_names(const char *section, int count, name_fn name,
    parse_fn parse)
{
	static struct entry	e[128];
	static char		words[128][256];
	int			linenos[128];
	size_t			i, n;

	n = entries_of(need_section(section), -1, e, nitems(e));
	for (i = 0; i < n; i++) {
		first_word(e[i].tag, words[i], sizeof words[i]);
		linenos[i] = e[i].lineno;
	}
	check_names(section, ".TP\\n.B", words, linenos, n, count, name,
	    parse);
}

START_TEST(test_sections)
{
	static const char *const required[] = {
		"NAME", "SYNOPSIS", "DESCRIPTION", "TRANSPORT",
		"AUTHENTICATION", "MESSAGES", "EVENT KINDS", "ATTEMPT STATES",
		"ACTIONS", "SEQUENCE AND RESUME", "COMMANDS", "CLOSE CODES",
		"LIMITS", "VERSIONING", "EXAMPLE", "SEE ALSO"
	};
	size_t	i;

	for (i = 0; i < nitems(required); i++)
		need_section(required[i]);
}
END_TEST

START_TEST(test_event_kinds)
{
	check_tagged_names("EVENT KINDS", PROTO_EV_COUNT, kind_name,
	    proto_event_kind_parse);
}
END_TEST

START_TEST(test_states)
{
	check_tagged_names("ATTEMPT STATES", PROTO_STATE_COUNT, state_name,
	    proto_state_parse);
}
END_TEST

START_TEST(test_actions)
{
	check_tagged_names("ACTIONS", PROTO_ACTION_COUNT, action_name,
	    proto_action_parse);
}
END_TEST

/* The transition lines ("a -> b | c") in ATTEMPT STATES name only states. */
START_TEST(test_state_transitions)
{
	int	 s = need_section("ATTEMPT STATES"), found = 0;
	char	 text[TEXT_MAX], *p, *tok, *save;
	size_t	 i;

	for (i = 0; i < nlines; i++) {
		if (lines[i].section != s || lines[i].raw[0] == '.' ||
		    lines[i].raw[0] == '\'')
			continue;
		line_text(lines[i].raw, text, sizeof text);
		if ((p = strstr(text, "->")) == NULL ||
		    strchr(text, '(') != NULL)
			continue;
		found++;
		memset(p, ' ', 2);
		for (tok = strtok_r(text, " |,", &save); tok != NULL;
		    tok = strtok_r(NULL, " |,", &save)) {
			ck_assert_msg(proto_state_parse(tok) >= 0, "%s:%d: "
			    "transition names \"%s\", which is not an attempt "
			    "state", page_path, lines[i].lineno, tok);
		}
	}
	ck_assert_msg(found > 0, "%s: ATTEMPT STATES lists no transitions "
	    "(lines like \"paused \\-> in_progress | terminated\")", page_path);
}
END_TEST

START_TEST(test_message_types)
{
	static char	words[64][256];
	int		linenos[64], s = need_section("MESSAGES");
	size_t		i, j, n = 0;

	for (i = 0; i < nsubsections; i++) {
		if (subsection_of[i] != s)
			continue;
		first_word(subsections[i], words[n], sizeof words[n]);
		linenos[n] = 0;
		for (j = 0; j < nlines; j++) {
			if (lines[j].subsection == (int)i) {
				linenos[n] = lines[j].lineno;
				break;
			}
		}
		n++;
	}
	check_names("MESSAGES (.SS subsections)", ".SS", words, linenos, n,
	    PROTO_TYPE_COUNT, type_name, proto_type_parse);
}
END_TEST

/* ---- the field tables of MESSAGES ---- */

struct field_row {
	char	name[64];	/* "epoch", or "resume.epoch" */
	char	type[32];	/* first word of the type cell */
	char	rules[TEXT_MAX];
	int	required;
	char	unless[64];	/* "if not ok": required when ok is false */
	char	when[64];	/* "when action is extend": required when */
	char	when_is[64];	/* the field when has the value when_is */
	int	lineno;
};

/* Split a tbl data line at tab into cells (plain text). */
static size_t
tbl_cells(const char *raw, char tab, char cells[][TEXT_MAX], size_t max)
{
	const char	*p = raw, *end;
	char		 piece[TEXT_MAX];
	size_t		 n = 0, len;

	while (n < max) {
		end = strchr(p, tab);
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len >= sizeof piece)
			len = sizeof piece - 1;
		memcpy(piece, p, len);
		piece[len] = '\0';
		unescape(piece, cells[n], TEXT_MAX);
		n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return n;
}

/*
 * The rows of the first table in MESSAGES subsection sub.  Columns are
 * found by the header ("Field", "Type", "Required"/"Req"); text blocks
 * (T{ ... T}) may span lines.  Returns how many rows.
 */
static size_t
table_rows(int sub, struct field_row *rows, size_t max)
{
	static char	 cells[8][TEXT_MAX];
	char		 name[16], tab = '\t', line[TEXT_MAX], text[TEXT_MAX];
	const char	*p;
	size_t		 i, n = 0, ncells, c;
	int		 state = 0;	/* 0 before .TS, 1 options/format, 2 data */
	int		 col_type = 1, col_req = 2, col_rules = 3, header = 1;

	for (i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];

		if (l->subsection != sub)
			continue;
		if (is_request(l->raw, name, sizeof name)) {
			if (strcmp(name, "TS") == 0 && state == 0)
				state = 1;
			else if (strcmp(name, "TE") == 0 && state == 2)
				return n;
			continue;
		}
		if (state == 1) {
			if ((p = strstr(l->raw, "tab(")) != NULL && p[4] != '\0')
				tab = p[4];
			snprintf(line, sizeof line, "%s", l->raw);
			trim(line);
			if (line[0] != '\0' && line[strlen(line) - 1] == '.')
				state = 2;
			continue;
		}
		if (state != 2)
			continue;
		snprintf(line, sizeof line, "%s", l->raw);
		trim(line);
		if (strcmp(line, "_") == 0 || strcmp(line, "=") == 0) {
			header = 0;
			continue;
		}
		/* Join text blocks: "cell|T{", lines, "T}" (then more cells). */
		while (strlen(line) >= 2 &&
		    strcmp(line + strlen(line) - 2, "T{") == 0) {
			line[strlen(line) - 2] = '\0';
			for (i++; i < nlines && strncmp(lines[i].raw, "T}", 2) != 0;
			    i++) {
				line_text(lines[i].raw, text, sizeof text);
				append(line, sizeof line, text);
				append(line, sizeof line, " ");
			}
			if (i < nlines)
				append(line, sizeof line, lines[i].raw + 2);
		}
		ncells = tbl_cells(line, tab, cells, nitems(cells));
		for (c = 0; c < ncells; c++)
			trim(cells[c]);
		if (header) {
			/* The header row: where are type and required? */
			for (c = 0; c < ncells; c++) {
				if (strncasecmp(cells[c], "type", 4) == 0)
					col_type = (int)c;
				else if (strncasecmp(cells[c], "req", 3) == 0)
					col_req = (int)c;
				else if (c > 0 && strncasecmp(cells[c], "field", 5) != 0)
					col_rules = (int)c;
			}
			header = 0;
			continue;
		}
		if (n == max || ncells == 0 || cells[0][0] == '\0')
			continue;
		snprintf(rows[n].name, sizeof rows[n].name, "%.63s", cells[0]);
		first_word((size_t)col_type < ncells ? cells[col_type] : "",
		    rows[n].type, sizeof rows[n].type);
		rows[n].required = (size_t)col_req < ncells &&
		    strcasecmp(cells[col_req], "yes") == 0;
		rows[n].unless[0] = rows[n].when[0] = rows[n].when_is[0] = '\0';
		if ((size_t)col_req < ncells &&
		    strncasecmp(cells[col_req], "when ", 5) == 0 &&
		    strstr(cells[col_req], " is ") != NULL) {
			first_word(cells[col_req] + 5, rows[n].when,
			    sizeof rows[n].when);
			first_word(strstr(cells[col_req], " is ") + 4,
			    rows[n].when_is, sizeof rows[n].when_is);
		}
		if ((size_t)col_req < ncells &&
		    strncasecmp(cells[col_req], "if not ", 7) == 0)
			first_word(cells[col_req] + 7, rows[n].unless,
			    sizeof rows[n].unless);
		snprintf(rows[n].rules, sizeof rows[n].rules, "%s",
		    (size_t)col_rules < ncells ? cells[col_rules] : "");
		rows[n].lineno = l->lineno;
		n++;
	}
	return n;
}

/* A valid value for a documented field, by its type (and rules). */
static json_t *
sample_value(const struct field_row *r)
{
	char		 word[256], rules[TEXT_MAX], *tok, *save;
	int		 i;

	if (strcmp(r->type, "id") == 0 || strcmp(r->type, "name") == 0 ||
	    strcmp(r->type, "text") == 0)
		return json_string("x");
	if (strcmp(r->type, "ip") == 0)
		return json_string("192.0.2.1");
	if (strcmp(r->type, "integer") == 0)
		return json_integer(strcmp(r->name, "proto") == 0 ?
		    PROTO_VERSION : 1);
	if (strcmp(r->type, "boolean") == 0)
		return json_true();
	if (strcmp(r->type, "time") == 0)
		return json_string("2026-11-23T18:11:10.123Z");
	if (strcmp(r->type, "object") == 0)
		return json_object();
	if (strcmp(r->type, "enum") == 0) {
		if (strstr(r->rules, "EVENT KINDS") != NULL)
			return json_string(proto_event_kind_name(0));
		if (strstr(r->rules, "ACTIONS") != NULL)
			return json_string(proto_action_name(0));
		if (strstr(r->rules, "ATTEMPT STATES") != NULL)
			return json_string(proto_state_name(0));
		/* Otherwise the first name of some enum the rules list. */
		snprintf(rules, sizeof rules, "%s", r->rules);
		for (tok = strtok_r(rules, " ,;:()", &save); tok != NULL;
		    tok = strtok_r(NULL, " ,;:()", &save)) {
			snprintf(word, sizeof word, "%s", tok);
			if ((i = proto_modality_parse(word)) >= 0 ||
			    (i = proto_state_parse(word)) >= 0 ||
			    (i = proto_action_parse(word)) >= 0 ||
			    (i = proto_event_kind_parse(word)) >= 0)
				return json_string(word);
		}
		return json_string("(no enum name found in the rules column)");
	}
	return json_string("(unknown type)");
}

/*
 * Build a message of type t from rows: required rows always, optional
 * ones when with_optional; skip names the row called skip; give the row
 * called wrong a value of no valid type.  Returns the JSON text.
 */
static char *
build_message(const char *t, const struct field_row *rows, size_t n,
    int with_optional, const char *skip, const char *wrong)
{
	json_t		*root = json_object(), *parent, *v;
	const char	*dot, *key;
	char		 pname[64], *text;
	size_t		 i;

	json_object_set_new(root, "t", json_string(t));
	for (i = 0; i < n; i++) {
		dot = strchr(rows[i].name, '.');
		if (dot == NULL && !rows[i].required && !with_optional &&
		    (wrong == NULL || strcmp(wrong, rows[i].name) != 0))
			continue;
		if (skip != NULL && strcmp(skip, rows[i].name) == 0)
			continue;
		parent = root;
		key = rows[i].name;
		if (dot != NULL) {
			/* A member of an object field: only if that is present. */
			snprintf(pname, sizeof pname, "%.*s",
			    (int)(dot - rows[i].name), rows[i].name);
			parent = json_object_get(root, pname);
			if (!json_is_object(parent))
				continue;
			if (!rows[i].required && !with_optional &&
			    (wrong == NULL || strcmp(wrong, rows[i].name) != 0))
				continue;
			key = dot + 1;
		}
		if (wrong != NULL && strcmp(wrong, rows[i].name) == 0)
			v = json_array();
		else
			v = sample_value(&rows[i]);
		json_object_set_new(parent, key, v);
	}
	/* A field required "when action is extend" is there: so is that. */
	for (i = 0; i < n; i++) {
		if (rows[i].when[0] != '\0' &&
		    json_object_get(root, rows[i].name) != NULL)
			json_object_set_new(root, rows[i].when,
			    json_string(rows[i].when_is));
	}
	/* A field required "if not ok" is there: ok is false. */
	for (i = 0; i < n; i++) {
		if (rows[i].unless[0] != '\0' &&
		    json_object_get(root, rows[i].name) != NULL &&
		    json_is_true(json_object_get(root, rows[i].unless)))
			json_object_set_new(root, rows[i].unless, json_false());
	}
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		abort();
	return text;
}

static int
decodes(const char *json, char *err, size_t errlen)
{
	struct proto_msg	m;

	if (proto_decode(json, strlen(json), 0, &m, err, errlen) != 0)
		return 0;
	proto_msg_clear(&m);
	return 1;
}

/*
 * Each message's table agrees with the codec: the documented required
 * fields make a valid message, and leaving any of them out makes an
 * invalid one; the optional ones are accepted with a value of their
 * documented type; and every documented field exists (a value of the
 * wrong type is refused, where an unknown field would be ignored).
 */
START_TEST(test_field_tables)
{
	static struct field_row	 rows[64];
	int			 s = need_section("MESSAGES");
	char			 type[256], err[512], *json;
	size_t			 i, j, n;
	int			 ok;

	for (i = 0; i < nsubsections; i++) {
		if (subsection_of[i] != s)
			continue;
		first_word(subsections[i], type, sizeof type);
		if (proto_type_parse(type) < 0)
			continue;	/* test_message_types says so */
		n = table_rows((int)i, rows, nitems(rows));
		ck_assert_msg(n > 0, "%s: MESSAGES, %s: no field table (.TS "
		    "with a header row Field|Type|Required|...)", page_path,
		    type);

		json = build_message(type, rows, n, 0, NULL, NULL);
		ok = decodes(json, err, sizeof err);
		ck_assert_msg(ok, "%s: MESSAGES, %s: a message of the required "
		    "fields of the table, %s, does not decode: %s (is a field "
		    "missing from the table, or marked optional?)", page_path,
		    type, json, err);
		free(json);

		json = build_message(type, rows, n, 1, NULL, NULL);
		ok = decodes(json, err, sizeof err);
		ck_assert_msg(ok, "%s: MESSAGES, %s: a message of every field "
		    "of the table, %s, does not decode: %s", page_path, type,
		    json, err);
		free(json);

		for (j = 0; j < n; j++) {
			/* A required member of an optional object: with it. */
			int nested = strchr(rows[j].name, '.') != NULL;

			if (rows[j].required) {
				json = build_message(type, rows, n, nested,
				    rows[j].name, NULL);
				ok = decodes(json, err, sizeof err);
				ck_assert_msg(!ok, "%s:%d: MESSAGES, %s: field "
				    "\"%s\" is documented as required, but %s "
				    "decodes without it", page_path,
				    rows[j].lineno, type, rows[j].name, json);
				free(json);
			}
			json = build_message(type, rows, n, nested, NULL,
			    rows[j].name);
			ok = decodes(json, err, sizeof err);
			ck_assert_msg(!ok, "%s:%d: MESSAGES, %s: field \"%s\" "
			    "is documented, but the implementation accepts an "
			    "array there (%s): it does not know the field",
			    page_path, rows[j].lineno, type, rows[j].name, json);
			free(json);
		}
	}
}
END_TEST

/*
 * The field table of subsection i if it documents a message type of
 * MESSAGES: its type name into type, its rows; 0 rows otherwise.
 */
static size_t
message_table(size_t i, char *type, size_t typesz, struct field_row *rows,
    size_t max)
{
	if (subsection_of[i] != need_section("MESSAGES"))
		return 0;
	first_word(subsections[i], type, typesz);
	if (proto_type_parse(type) < 0)
		return 0;
	return table_rows((int)i, rows, max);
}

/* build_message() as an object to change. */
static json_t *
message_object(const char *type, const struct field_row *rows, size_t n,
    int with_optional)
{
	char	*json = build_message(type, rows, n, with_optional, NULL, NULL);
	json_t	*root = json_loads(json, 0, NULL);

	free(json);
	ck_assert_ptr_nonnull(root);
	return root;
}

/*
 * A field required "when F is V" (cmd's minutes, when action is extend),
 * row j of rows: with F = V and the field left out, refused; with F
 * another value and the field there, refused when the rules say it is
 * refused then (test_conditional_fields).
 */
static void
when_field(const char *type, const struct field_row *rows, size_t n,
    size_t j)
{
	char	 err[512], *json;
	json_t	*root;
	int	 k;

	root = message_object(type, rows, n, 1);
	ck_assert_msg(json_object_get(root, rows[j].when) != NULL, "%s:%d: "
	    "MESSAGES, %s: \"%s\" is required when %s is %s, but the table "
	    "has no %s", page_path, rows[j].lineno, type, rows[j].name,
	    rows[j].when, rows[j].when_is, rows[j].when);
	json = json_dumps(root, JSON_COMPACT);
	ck_assert_msg(decodes(json, err, sizeof err), "%s:%d: MESSAGES, %s: "
	    "%s does not decode: %s", page_path, rows[j].lineno, type, json,
	    err);
	free(json);
	json_decref(root);
	/* Left out with F = V; there with F the first other value. */
	for (k = 0; k < 2; k++) {
		if (k == 1 && strstr(rows[j].rules, "refused with any other") ==
		    NULL)
			break;
		root = message_object(type, rows, n, k == 0);
		if (k == 0)
			json_object_del(root, rows[j].name);
		else
			json_object_set_new(root, rows[j].name,
			    json_integer(1));
		json = json_dumps(root, JSON_COMPACT);
		ck_assert_msg(!decodes(json, err, sizeof err), "%s:%d: "
		    "MESSAGES, %s: \"%s\" is %s %s is %s, but %s decodes",
		    page_path, rows[j].lineno, type, rows[j].name, k == 0 ?
		    "required when" : "refused unless", rows[j].when,
		    rows[j].when_is, json);
		free(json);
		json_decref(root);
	}
}

/*
 * A field required "if not X" (ack's error, if not ok): with X false it
 * is required; with X true and the rules saying it is then absent, a
 * message that has it is refused.
 */
START_TEST(test_conditional_fields)
{
	static struct field_row	 rows[64];
	int			 found = 0, when = 0;
	char			 type[256], err[512], *json, absent[128];
	json_t			*root;
	size_t			 i, j, n;

	for (i = 0; i < nsubsections; i++) {
		n = message_table(i, type, sizeof type, rows, nitems(rows));
		for (j = 0; j < n; j++) {
			if (rows[j].when[0] != '\0') {
				when++;
				when_field(type, rows, n, j);
			}
			if (rows[j].unless[0] == '\0')
				continue;
			found++;
			/* X false, the field left out: refused. */
			root = message_object(type, rows, n, 0);
			json_object_set_new(root, rows[j].unless, json_false());
			json_object_del(root, rows[j].name);
			json = json_dumps(root, JSON_COMPACT);
			ck_assert_msg(!decodes(json, err, sizeof err), "%s:%d: "
			    "MESSAGES, %s: \"%s\" is required if not %s, but "
			    "%s decodes", page_path, rows[j].lineno, type,
			    rows[j].name, rows[j].unless, json);
			free(json);

			/* X true, the field there: refused if the page says
			 * it is absent then. */
			snprintf(absent, sizeof absent, "absent when %s is true",
			    rows[j].unless);
			ck_assert_msg(strstr(rows[j].rules, absent) != NULL,
			    "%s:%d: MESSAGES, %s: \"%s\" is required if not "
			    "%s; the rules do not say \"%s\"", page_path,
			    rows[j].lineno, type, rows[j].name, rows[j].unless,
			    absent);
			json_object_set_new(root, rows[j].unless, json_true());
			json_object_set_new(root, rows[j].name,
			    sample_value(&rows[j]));
			json = json_dumps(root, JSON_COMPACT);
			ck_assert_msg(!decodes(json, err, sizeof err), "%s:%d: "
			    "MESSAGES, %s: \"%s\" is %s, but %s decodes",
			    page_path, rows[j].lineno, type, rows[j].name,
			    absent, json);
			ck_assert_msg(strstr(err, "is true") != NULL, "%s: %s: "
			    "refused for another reason: %s", page_path, json,
			    err);
			free(json);
			json_decref(root);
		}
	}
	ck_assert_msg(found > 0, "%s: MESSAGES: no field is required \"if not "
	    "ok\" (ack's error)", page_path);
	ck_assert_msg(when > 0, "%s: MESSAGES: no field is required \"when F "
	    "is V\" (cmd's minutes, when action is extend)", page_path);
}
END_TEST

/* Set the member path ("epoch", "resume.epoch") of root to v. */
static void
set_path(json_t *root, const char *path, json_t *v)
{
	const char	*dot = strchr(path, '.');
	char		 head[64];

	if (dot == NULL) {
		json_object_set_new(root, path, v);
		return;
	}
	snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
	ck_assert_ptr_nonnull(json_object_get(root, head));
	json_object_set_new(json_object_get(root, head), dot + 1, v);
}

/*
 * A field documented as "1 to 2^53-1 (9007199254740991)" (the epochs) is
 * taken at 2^53-1 and refused at 2^53; and every epoch row says so.
 */
START_TEST(test_safe_integer_bound)
{
	static struct field_row	 rows[64];
	int			 found = 0;
	char			 type[256], err[512], *json;
	json_t			*root;
	size_t			 i, j, n;

	for (i = 0; i < nsubsections; i++) {
		n = message_table(i, type, sizeof type, rows, nitems(rows));
		for (j = 0; j < n; j++) {
			const char *last = strrchr(rows[j].name, '.');

			last = last != NULL ? last + 1 : rows[j].name;
			if (strcmp(last, "epoch") == 0)
				ck_assert_msg(strstr(rows[j].rules,
				    "9007199254740991") != NULL, "%s:%d: "
				    "MESSAGES, %s: \"%s\" does not say it is at "
				    "most 2^53-1 (9007199254740991)", page_path,
				    rows[j].lineno, type, rows[j].name);
			if (strstr(rows[j].rules, "to 2^53-1 "
			    "(9007199254740991)") == NULL)
				continue;
			found++;
			root = message_object(type, rows, n, 1);
			set_path(root, rows[j].name,
			    json_integer(9007199254740991LL));
			json = json_dumps(root, JSON_COMPACT);
			ck_assert_msg(decodes(json, err, sizeof err), "%s:%d: %s "
			    "at 2^53-1 is refused: %s (%s)", page_path,
			    rows[j].lineno, rows[j].name, err, json);
			free(json);
			set_path(root, rows[j].name,
			    json_integer(9007199254740992LL));
			json = json_dumps(root, JSON_COMPACT);
			ck_assert_msg(!decodes(json, err, sizeof err), "%s:%d: %s "
			    "is documented as at most 2^53-1, but %s decodes",
			    page_path, rows[j].lineno, rows[j].name, json);
			free(json);
			json_decref(root);
		}
	}
	ck_assert_msg(found >= 2, "%s: MESSAGES: welcome's epoch and hello's "
	    "resume.epoch are not documented as \"1 to 2^53-1 "
	    "(9007199254740991)\"", page_path);
}
END_TEST

/* The attempt table's modality row lists every modality name. */
START_TEST(test_modalities)
{
	static struct field_row	 rows[64];
	int			 s = need_section("MESSAGES"), sub = -1, v;
	char			 word[256];
	size_t			 i, n;

	for (i = 0; i < nsubsections; i++) {
		first_word(subsections[i], word, sizeof word);
		if (subsection_of[i] == s && strcmp(word, "attempt") == 0)
			sub = (int)i;
	}
	ck_assert_msg(sub >= 0, "%s: MESSAGES has no attempt subsection",
	    page_path);
	n = table_rows(sub, rows, nitems(rows));
	for (i = 0; i < n && strcmp(rows[i].name, "modality") != 0; i++)
		;
	ck_assert_msg(i < n, "%s: MESSAGES, attempt: no modality row",
	    page_path);
	for (v = 0; v < PROTO_MODALITY_COUNT; v++) {
		const char *name = proto_modality_name((enum proto_modality)v);

		ck_assert_msg(strstr(rows[i].rules, name) != NULL, "%s:%d: "
		    "MESSAGES, attempt: the modality row does not list \"%s\"",
		    page_path, rows[i].lineno, name);
	}
}
END_TEST

/* ---- limits and close codes ---- */

/* The integers in s, in order ("65536", "1,000,000"); how many. */
static size_t
numbers_in(const char *s, long long *out, size_t max)
{
	size_t		n = 0;
	long long	v;

	while (*s != '\0' && n < max) {
		if (!isdigit((unsigned char)*s)) {
			s++;
			continue;
		}
		v = 0;
		while (isdigit((unsigned char)*s) || (*s == ',' &&
		    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3]))) {
			if (*s != ',')
				v = v * 10 + (*s - '0');
			s++;
		}
		out[n++] = v;
	}
	return n;
}

START_TEST(test_limits)
{
	static const struct {
		const char	*label;
		long long	 value;
	} limits[] = {
		{ "message", PROTO_MAX_MESSAGE },
		{ "id", PROTO_ID_MAX },
		{ "name", PROTO_NAME_MAX },
		{ "text", PROTO_TEXT_MAX },
		{ "ip", PROTO_IP_MAX },
		{ "data", PROTO_DATA_MAX },
		{ "minutes", PROTO_EXTEND_MAX },
	};
	static struct entry	e[64];
	char			word[256];
	long long		nums[8];
	size_t			i, j, n, k;
	int			seen[nitems(limits)] = { 0 };

	n = entries_of(need_section("LIMITS"), -1, e, nitems(e));
	for (i = 0; i < n; i++) {
		first_word(e[i].tag, word, sizeof word);
		k = numbers_in(e[i].body, nums, nitems(nums));
		if (strcmp(word, "token") == 0) {
#if defined(PROTO_TOKEN_MIN) && defined(PROTO_TOKEN_MAX)
			ck_assert_msg(k >= 2 && nums[0] == PROTO_TOKEN_MIN &&
			    nums[1] == PROTO_TOKEN_MAX, "%s:%d: LIMITS, token: "
			    "expected \"%d to %d\" first, got \"%s\"",
			    page_path, e[i].lineno, PROTO_TOKEN_MIN,
			    PROTO_TOKEN_MAX, e[i].body);
#endif
			continue;
		}
		for (j = 0; j < nitems(limits); j++) {
			if (strcmp(word, limits[j].label) == 0)
				break;
		}
		ck_assert_msg(j < nitems(limits), "%s:%d: LIMITS documents "
		    "\"%s\", which is not a limit of proto.h (message, id, "
		    "name, text, ip, data, minutes, token)", page_path, e[i].lineno,
		    e[i].tag);
		ck_assert_msg(!seen[j], "%s:%d: LIMITS documents \"%s\" twice",
		    page_path, e[i].lineno, word);
		seen[j] = 1;
		ck_assert_msg(k >= 1 && nums[0] == limits[j].value, "%s:%d: "
		    "LIMITS, %s: the first number should be %lld (proto.h), "
		    "got \"%s\"", page_path, e[i].lineno, word,
		    limits[j].value, e[i].body);
	}
	for (j = 0; j < nitems(limits); j++) {
		ck_assert_msg(seen[j], "%s: LIMITS does not document \"%s\" "
		    "(%lld bytes)", page_path, limits[j].label,
		    limits[j].value);
	}
}
END_TEST

START_TEST(test_close_codes)
{
	static const struct {
		int	code;
		int	required;
	} codes[] = {
		{ PROTO_CLOSE_NORMAL, 1 },
		{ PROTO_CLOSE_PROTOCOL, 1 },
#ifdef PROTO_CLOSE_BINARY
		{ PROTO_CLOSE_BINARY, 1 },
#else
		{ 1003, 0 },	/* binary frame: documented before the code */
#endif
		{ PROTO_CLOSE_BAD_UTF8, 1 },
		{ PROTO_CLOSE_POLICY, 1 },
		{ PROTO_CLOSE_TOO_BIG, 1 },
	};
	static struct entry	e[64];
	char			word[256], *end;
	size_t			i, j, n;
	long			code;
	int			seen[nitems(codes)] = { 0 };

	n = entries_of(need_section("CLOSE CODES"), -1, e, nitems(e));
	for (i = 0; i < n; i++) {
		first_word(e[i].tag, word, sizeof word);
		code = strtol(word, &end, 10);
		ck_assert_msg(end != word && *end == '\0', "%s:%d: CLOSE CODES: "
		    "tag \"%s\" is not a close code", page_path, e[i].lineno,
		    e[i].tag);
		for (j = 0; j < nitems(codes); j++) {
			if (codes[j].code == code)
				break;
		}
		ck_assert_msg(j < nitems(codes), "%s:%d: CLOSE CODES documents "
		    "%ld, which proto.h does not define (PROTO_CLOSE_*)",
		    page_path, e[i].lineno, code);
		ck_assert_msg(!seen[j], "%s:%d: CLOSE CODES documents %ld "
		    "twice", page_path, e[i].lineno, code);
		seen[j] = 1;
		ck_assert_msg(e[i].body[0] != '\0', "%s:%d: CLOSE CODES, %ld: "
		    "no description", page_path, e[i].lineno, code);
	}
	for (j = 0; j < nitems(codes); j++) {
		ck_assert_msg(seen[j] || !codes[j].required, "%s: CLOSE CODES "
		    "does not document %d (proto.h)", page_path, codes[j].code);
	}
}
END_TEST

/* ---- the example ---- */

struct example_msg {
	char	*json;
	char	 who;		/* 'C', 'F' or 0 when the prefix says neither */
	int	 lineno;
	int	 note_before;	/* a text line since the previous message */
};

/*
 * The JSON messages of EXAMPLE: every text line (not a request) of the
 * section, unescaped; a message starts at a '{' and runs, across lines,
 * until its braces balance.  Text before the '{' on its first line is its
 * prefix ("C:", "F:"); other text lines are notes.
 */
static size_t
example_messages(struct example_msg *out, size_t max)
{
	int		 s = need_section("EXAMPLE"), depth = 0, in_string = 0;
	int		 escaped = 0, note = 0;
	char		 text[TEXT_MAX], prefix[64], *p, *start;
	char		*acc = NULL;
	size_t		 i, n = 0, acclen = 0, acccap = 0, len;

	for (i = 0; i < nlines; i++) {
		if (lines[i].section != s || lines[i].raw[0] == '.' ||
		    lines[i].raw[0] == '\'')
			continue;
		unescape(lines[i].raw, text, sizeof text);
		start = text;
		if (depth == 0) {
			if ((start = strchr(text, '{')) == NULL) {
				if (trim(text)[0] != '\0')
					note = 1;
				continue;
			}
			snprintf(prefix, sizeof prefix, "%.*s",
			    (int)(start - text), text);
			trim(prefix);
			ck_assert_msg(n < max, "too many example messages");
			out[n].lineno = lines[i].lineno;
			out[n].who = strcmp(prefix, "C:") == 0 ? 'C' :
			    strcmp(prefix, "F:") == 0 ? 'F' : 0;
			out[n].note_before = note;
			note = 0;
			acclen = 0;
		}
		for (p = start; *p != '\0'; p++) {
			if (in_string) {
				if (escaped)
					escaped = 0;
				else if (*p == '\\')
					escaped = 1;
				else if (*p == '"')
					in_string = 0;
			} else if (*p == '"')
				in_string = 1;
			else if (*p == '{')
				depth++;
			else if (*p == '}' && --depth == 0) {
				p++;
				break;
			}
		}
		len = (size_t)(p - start);
		if (acclen + len + 2 > acccap) {
			acccap = (acclen + len + 2) * 2;
			acc = xrealloc(acc, acccap);
		}
		memcpy(acc + acclen, start, len);
		acclen += len;
		if (depth > 0)
			acc[acclen++] = '\n';
		acc[acclen] = '\0';
		if (depth == 0) {
			ck_assert_msg(trim(p)[0] == '\0', "%s:%d: EXAMPLE: text "
			    "after a message: \"%s\"", page_path,
			    lines[i].lineno, p);
			out[n++].json = xstrdup(acc);
		}
	}
	ck_assert_msg(depth == 0, "%s: EXAMPLE: the last message is not "
	    "closed (unbalanced braces)", page_path);
	free(acc);
	return n;
}

START_TEST(test_example_decodes)
{
	static struct example_msg	 ex[256];
	struct proto_msg		 m;
	char				 err[512];
	size_t				 i, n;
	int				 seen[PROTO_TYPE_COUNT] = { 0 }, t;
	int				 console_side;

	n = example_messages(ex, nitems(ex));
	ck_assert_msg(n > 0, "%s: EXAMPLE has no JSON messages", page_path);
	for (i = 0; i < n; i++) {
		ck_assert_msg(proto_decode(ex[i].json, strlen(ex[i].json), 0,
		    &m, err, sizeof err) == 0, "%s:%d: EXAMPLE: %s does not "
		    "decode: %s", page_path, ex[i].lineno, ex[i].json, err);
		seen[m.type] = 1;
		console_side = m.type == PROTO_HELLO || m.type == PROTO_CMD;
		ck_assert_msg(ex[i].who == 0 ||
		    ex[i].who == (console_side ? 'C' : 'F'), "%s:%d: EXAMPLE: "
		    "a %s message is sent by the %s, not marked \"%c:\"",
		    page_path, ex[i].lineno, proto_type_name(m.type),
		    console_side ? "console" : "feed", ex[i].who);
		proto_msg_clear(&m);
	}
	for (t = 0; t < PROTO_TYPE_COUNT; t++) {
		ck_assert_msg(seen[t], "%s: EXAMPLE shows no %s message",
		    page_path, proto_type_name((enum proto_type)t));
	}
}
END_TEST

/*
 * The example is a session that obeys SEQUENCE AND RESUME and COMMANDS:
 * hello first, welcome next from the feed, stream seq starting where the
 * hello asked (after a gap where the feed says so) and going up by one
 * (a note line may stand for messages left out), every ack naming a cmd
 * sent before, every cmd acknowledged.
 */
START_TEST(test_example_session)
{
	static struct example_msg	 ex[256];
	static char			 cmds[256][PROTO_ID_MAX + 1];
	static int			 acked[256];
	struct proto_msg		 m;
	struct proto_hello		 hello;
	char				 err[512];
	size_t				 i, j, n, ncmds = 0;
	int				 have_hello = 0, welcomed = 0;
	int64_t				 next = 0, first = 0;

	memset(&hello, 0, sizeof hello);
	memset(acked, 0, sizeof acked);
	n = example_messages(ex, nitems(ex));
	for (i = 0; i < n; i++) {
		if (proto_decode(ex[i].json, strlen(ex[i].json), 0, &m, err,
		    sizeof err) != 0)
			continue;	/* test_example_decodes says so */
		switch (m.type) {
		case PROTO_HELLO:
			hello = m.u.hello;
			have_hello = 1;
			welcomed = 0;
			break;
		case PROTO_CMD:
			ck_assert_msg(have_hello, "%s:%d: EXAMPLE: cmd before "
			    "hello", page_path, ex[i].lineno);
			for (j = 0; j < ncmds; j++) {
				if (strcmp(cmds[j], m.u.cmd.id) == 0)
					break;
			}
			if (j == ncmds && ncmds < nitems(cmds))
				snprintf(cmds[ncmds++], sizeof cmds[0], "%s",
				    m.u.cmd.id);
			break;
		case PROTO_WELCOME:
			ck_assert_msg(have_hello && !welcomed, "%s:%d: EXAMPLE: "
			    "welcome that does not answer a hello", page_path,
			    ex[i].lineno);
			welcomed = 1;
			first = m.u.welcome.first_seq;
			next = hello.has_resume &&
			    hello.resume_epoch == m.u.welcome.epoch ?
			    hello.resume_after_seq + 1 : 1;
			break;
		case PROTO_GAP:
			ck_assert_msg(welcomed, "%s:%d: EXAMPLE: gap before "
			    "welcome", page_path, ex[i].lineno);
			ck_assert_msg(m.u.gap.from_seq == next, "%s:%d: EXAMPLE: "
			    "gap from seq %" PRId64 ", expected %" PRId64,
			    page_path, ex[i].lineno, m.u.gap.from_seq, next);
			next = m.u.gap.to_seq + 1;
			break;
		default:
			ck_assert_msg(welcomed, "%s:%d: EXAMPLE: %s before "
			    "welcome", page_path, ex[i].lineno,
			    proto_type_name(m.type));
			ck_assert_msg(m.seq >= first, "%s:%d: EXAMPLE: seq %"
			    PRId64 " is below welcome's first_seq %" PRId64,
			    page_path, ex[i].lineno, m.seq, first);
			ck_assert_msg(m.seq == next || (ex[i].note_before &&
			    m.seq > next), "%s:%d: EXAMPLE: seq %" PRId64
			    ", expected %" PRId64 " (a gap message, or a note "
			    "line for messages left out, must explain a jump)",
			    page_path, ex[i].lineno, m.seq, next);
			next = m.seq + 1;
			if (m.type == PROTO_ACK) {
				for (j = 0; j < ncmds; j++) {
					if (strcmp(cmds[j], m.u.ack.cmd) == 0)
						break;
				}
				ck_assert_msg(j < ncmds, "%s:%d: EXAMPLE: ack of "
				    "\"%s\", which no cmd before it sent",
				    page_path, ex[i].lineno, m.u.ack.cmd);
				acked[j] = 1;
			}
			break;
		}
		ck_assert_msg(i > 0 || m.type == PROTO_HELLO, "%s:%d: EXAMPLE: "
		    "the first message is %s, expected hello", page_path,
		    ex[i].lineno, proto_type_name(m.type));
		proto_msg_clear(&m);
	}
	for (j = 0; j < ncmds; j++) {
		ck_assert_msg(acked[j], "%s: EXAMPLE: cmd \"%s\" is never "
		    "acknowledged", page_path, cmds[j]);
	}
}
END_TEST

/* The subprotocol's name is the one in proto.h. */
START_TEST(test_subprotocol)
{
	int	 s = need_section("TRANSPORT"), found = 0;
	char	 text[TEXT_MAX];
	size_t	 i;

	for (i = 0; i < nlines && !found; i++) {
		if (lines[i].section != s)
			continue;
		line_text(lines[i].raw, text, sizeof text);
		found = strstr(text, PROTO_SUBPROTOCOL) != NULL;
	}
	ck_assert_msg(found, "%s: TRANSPORT does not name the subprotocol "
	    "\"%s\"", page_path, PROTO_SUBPROTOCOL);
}
END_TEST

static Suite *
protodoc_suite(void)
{
	Suite	*s = suite_create("protodoc");
	TCase	*tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_event_kinds);
	tcase_add_test(tc, test_states);
	tcase_add_test(tc, test_state_transitions);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_message_types);
	tcase_add_test(tc, test_modalities);
	tcase_add_test(tc, test_subprotocol);
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_test(tc, test_field_tables);
	tcase_add_test(tc, test_conditional_fields);
	tcase_add_test(tc, test_safe_integer_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_close_codes);
	suite_add_tcase(s, tc);

	tc = tcase_create("example");
	tcase_add_test(tc, test_example_decodes);
	tcase_add_test(tc, test_example_session);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	load_page();
	return check_main(protodoc_suite());
}
