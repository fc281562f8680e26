/*
 * parse.c - the rule-file parser: text in, a compiled struct rules out, or
 * one sentence "file:line:col: what is wrong" (with a suggestion when a
 * name looks misspelt).  The grammar is in invigil-rules(5); in short:
 *
 *	file	 = { "rule" NAME "{" { line } "}" }
 *	line	 = "on" ( "event" KIND { "," KIND } | "answer" | "attempt" | "state" )
 *		       [ "where" expr ]
 *		 | "fire" ( "count" N [ "within" DUR ] | "run" N
 *		          | "duration" DUR "until" KIND { "," KIND }
 *		          | "link" term "count" N [ "scope" ( "feed" | "all" ) ] )
 *		 | "severity" SEV | "weight" NUM | "message" STRING
 *		 | "description" STRING | "during" "outage"
 *	expr	 = and { "or" and }		and = not { "and" not }
 *	not	 = "not" not | "(" expr ")" | term [ OP term | "in" "[" terms "]" ]
 *	term	 = FIELD | FUNC "(" term ")" | NUMBER | DURATION | STRING
 *		 | "true" | "false" | WORD
 *
 * Newlines are white space to the parser (a long `where` may wrap); keys
 * are reserved words, so a line's end is where the next key begins.  The
 * parser never aborts on input: every path returns an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules-int.h"

#define RULES_MAX_N		1000		/* count, run, link N */
#define RULES_MAX_FILE		(4 * 1024 * 1024)

enum tok {
	TK_EOF, TK_IDENT, TK_STRING, TK_NUMBER, TK_DURATION, TK_LBRACE,
	TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_COMMA, TK_OP
};

struct token {
	enum tok	 type;
	char		 text[128];	/* ident, op, number as written */
	char		*str;		/* TK_STRING contents, owned */
	double		 num;		/* number; duration in ms */
	int		 line, col;
};

struct parser {
	const char	*p, *end;
	const char	*file;
	int		 line, col;
	struct token	 tok;
	char		*err;
	size_t		 errlen;
	int		 failed;
	struct rules	*rules;
};

static const char *const keys[] = {
	"on", "fire", "severity", "weight", "message", "description", "during"
};
static const char *const modes[] = { "count", "run", "duration", "link" };
static const char *const types[] = { "event", "answer", "attempt", "state" };
static const char *const funcs[] = { NULL, "prefix24", "has", "lower" };
static const char *const vars[TV_VAR_COUNT_] = {
	"count", "seconds", "value", "rule", "within", "severity", "weight"
};

static void perr(struct parser *, int, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first error only; later ones are consequences. */
static void
perr(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list	ap;
	char	raw[1024];
	int	n;

	if (p->failed)
		return;
	p->failed = 1;
	if (p->errlen == 0)
		return;
	n = snprintf(raw, sizeof raw, "%s:%d:%d: ", p->file, line, col);
	if (n < 0 || (size_t)n >= sizeof raw)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(raw + n, sizeof raw - (size_t)n, fmt, ap);
	va_end(ap);
	/* Names and text quoted from the file may hold anything; the
	 * message goes to a terminal. */
	proto_sanitize(raw, strlen(raw), p->err, p->errlen);
}

/* The hint if there is one, else the list of what is allowed. */
static const char *
hint_or(char *buf, size_t size, const char *s, const char *const *names,
    size_t n, const char *list)
{
	const char	*h = proto_suggest_hint(buf, size, s, names, n);

	return *h != '\0' ? h : list;
}

/* ---- lexer */

static int
at_end(const struct parser *p)
{
	return p->p >= p->end;
}

static void
advance(struct parser *p)
{
	if (*p->p == '\n') {
		p->line++;
		p->col = 1;
	} else if (((unsigned char)*p->p & 0xc0) != 0x80)
		p->col++;
	p->p++;
}

static int
is_ident0(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_ident(int c)
{
	return is_ident0(c) || (c >= '0' && c <= '9') || c == '.';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* What the current token looks like, for messages. */
static const char *
tok_desc(const struct token *t, char *buf, size_t size)
{
	switch (t->type) {
	case TK_EOF:
		return "the end of the file";
	case TK_STRING:
		return "a string";
	default:
		snprintf(buf, size, "\"%s\"", t->text);
		return buf;
	}
}

static void
lex_string(struct parser *p)
{
	struct token	*t = &p->tok;
	char		*out;
	size_t		 len = 0;

	out = xmalloc((size_t)(p->end - p->p) + 1);
	advance(p);
	for (;;) {
		if (at_end(p) || *p->p == '\n') {
			perr(p, t->line, t->col, "unterminated string "
			    "(a string ends with \" on the line it starts)");
			free(out);
			return;
		}
		if (*p->p == '"') {
			advance(p);
			break;
		}
		if (*p->p == '\\') {
			advance(p);
			if (at_end(p) || (*p->p != '"' && *p->p != '\\')) {
				perr(p, p->line, p->col - 1, "unknown escape "
				    "in a string (a backslash may only escape a "
				    "quote or a backslash)");
				free(out);
				return;
			}
		}
		out[len++] = *p->p;
		advance(p);
	}
	out[len] = '\0';
	t->type = TK_STRING;
	t->str = out;
	snprintf(t->text, sizeof t->text, "\"...\"");
}

static void
lex_number(struct parser *p)
{
	struct token	*t = &p->tok;
	const char	*start = p->p, *unit;
	char		*endp;
	size_t		 len, ulen;
	double		 mult = 0;

	if (*p->p == '-')
		advance(p);
	while (!at_end(p) && (is_digit(*p->p) || *p->p == '.'))
		advance(p);
	unit = p->p;
	while (!at_end(p) && is_ident(*p->p))
		advance(p);
	len = (size_t)(p->p - start);
	ulen = (size_t)(p->p - unit);
	snprintf(t->text, sizeof t->text, "%.*s", (int)len, start);
	if (len >= sizeof t->text) {
		perr(p, t->line, t->col, "number too long (%zu characters)",
		    len);
		return;
	}
	errno = 0;
	t->num = strtod(t->text, &endp);
	if (endp != t->text + (len - ulen) || errno != 0 || len == ulen) {
		perr(p, t->line, t->col, "bad number \"%s\"", t->text);
		return;
	}
	if (ulen == 0) {
		t->type = TK_NUMBER;
		return;
	}
	if (ulen == 2 && strncmp(unit, "ms", 2) == 0)
		mult = 1;
	else if (ulen == 1 && *unit == 's')
		mult = 1000;
	else if (ulen == 1 && *unit == 'm')
		mult = 60000;
	else if (ulen == 1 && *unit == 'h')
		mult = 3600000;
	if (mult == 0 || t->num < 0) {
		perr(p, t->line, t->col, "bad duration \"%s\" (write a number "
		    "and a unit, ms, s, m or h, as in \"10s\")", t->text);
		return;
	}
	/* A year is longer than any exam; beyond it the number is a typo. */
	if (t->num * mult > 366.0 * 24 * 3600 * 1000) {
		perr(p, t->line, t->col, "duration \"%s\" is longer than a "
		    "year", t->text);
		return;
	}
	t->type = TK_DURATION;
	t->num *= mult;
}

/* Read the next token into p->tok. */
static void
next(struct parser *p)
{
	struct token	*t = &p->tok;
	const char	*start;
	char		 c;

	free(t->str);
	memset(t, 0, sizeof *t);
	for (;;) {
		while (!at_end(p) && (*p->p == ' ' || *p->p == '\t' ||
		    *p->p == '\n' || *p->p == '\r'))
			advance(p);
		if (!at_end(p) && *p->p == '#') {
			while (!at_end(p) && *p->p != '\n')
				advance(p);
			continue;
		}
		break;
	}
	t->line = p->line;
	t->col = p->col;
	if (p->failed || at_end(p)) {
		t->type = TK_EOF;
		return;
	}
	c = *p->p;
	if (is_ident0(c)) {
		start = p->p;
		while (!at_end(p) && is_ident(*p->p))
			advance(p);
		t->type = TK_IDENT;
		snprintf(t->text, sizeof t->text, "%.*s",
		    (int)(p->p - start), start);
		if ((size_t)(p->p - start) >= sizeof t->text)
			perr(p, t->line, t->col, "name too long");
		return;
	}
	if (is_digit(c) || (c == '-' && p->p + 1 < p->end &&
	    is_digit(p->p[1]))) {
		lex_number(p);
		return;
	}
	if (c == '"') {
		lex_string(p);
		return;
	}
	t->text[0] = c;
	advance(p);
	switch (c) {
	case '{':
		t->type = TK_LBRACE;
		return;
	case '}':
		t->type = TK_RBRACE;
		return;
	case '(':
		t->type = TK_LPAREN;
		return;
	case ')':
		t->type = TK_RPAREN;
		return;
	case '[':
		t->type = TK_LBRACK;
		return;
	case ']':
		t->type = TK_RBRACK;
		return;
	case ',':
		t->type = TK_COMMA;
		return;
	case '=':
	case '<':
	case '>':
	case '!':
		t->type = TK_OP;
		if (!at_end(p) && *p->p == '=') {
			t->text[1] = '=';
			advance(p);
		} else if (c == '!') {
			perr(p, t->line, t->col, "unexpected \"!\" "
			    "(write != or not)");
		}
		return;
	default:
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			perr(p, t->line, t->col, "unexpected byte 0x%02x",
			    (unsigned char)c);
		else
			perr(p, t->line, t->col, "unexpected character "
			    "\"%c\"", c);
		t->type = TK_EOF;
		return;
	}
}

static int
is_word(const struct parser *p, const char *w)
{
	return p->tok.type == TK_IDENT && strcmp(p->tok.text, w) == 0;
}

static int
expect(struct parser *p, enum tok type, const char *what)
{
	char	buf[160];

	if (p->failed)
		return -1;
	if (p->tok.type != type) {
		perr(p, p->tok.line, p->tok.col, "expected %s, found %s", what,
		    tok_desc(&p->tok, buf, sizeof buf));
		return -1;
	}
	next(p);
	return p->failed ? -1 : 0;
}

/* ---- terms and expressions */

/* Field by its full name; F_COUNT_ if unknown.  Sets *path for data.X. */
static enum rules_field
field_lookup(const char *name)
{
	int	i;

	if (strncmp(name, "data.", 5) == 0)
		return F_DATA;
	for (i = 0; i < F_COUNT_; i++)
		if (i != F_DATA && strcmp(rules_fields[i].name, name) == 0)
			return (enum rules_field)i;
	return F_COUNT_;
}

/* Error for an unknown field name, with a suggestion. */
static void
unknown_field(struct parser *p, int line, int col, const char *name)
{
	const char	*names[F_COUNT_ + 1], *dot;
	char		 buf[128];
	size_t		 n = 0;
	int		 i;

	for (i = 0; i < F_COUNT_; i++)
		if (i != F_DATA)
			names[n++] = rules_fields[i].name;
	if (proto_suggest(name, names, n) == NULL) {
		/* "correct" for "answer.correct": same last part. */
		for (i = 0; i < F_COUNT_; i++) {
			dot = strrchr(rules_fields[i].name, '.');
			if (i != F_DATA && dot != NULL &&
			    strcmp(dot + 1, name) == 0) {
				perr(p, line, col, "unknown field \"%s\" "
				    "(did you mean \"%s\"?)", name,
				    rules_fields[i].name);
				return;
			}
		}
	}
	perr(p, line, col, "unknown field \"%s\"%s", name,
	    proto_suggest_hint(buf, sizeof buf, name, names, n));
}

/* Parse a field name into t; -1 with an error if unknown. */
static int
field_term(struct parser *p, struct term *t, const char *name, int line, int col)
{
	t->kind = T_FIELD;
	t->line = line;
	t->col = col;
	t->field = field_lookup(name);
	if (t->field == F_COUNT_) {
		unknown_field(p, line, col, name);
		return -1;
	}
	if (t->field == F_DATA) {
		if (name[5] == '\0' || name[strlen(name) - 1] == '.') {
			perr(p, line, col, "\"%s\" names no data field "
			    "(write data.NAME, as in data.object)", name);
			return -1;
		}
		t->path = xstrdup(name + 5);
	}
	return 0;
}

/*
 * One term.  A bare word (an identifier with no dot) is a constant string
 * with *word set; the comparison decides whether it is allowed.
 */
static int
parse_term(struct parser *p, struct term *t, int *word)
{
	struct token	*k = &p->tok;
	char		 name[128], buf[160];
	int		 line = k->line, col = k->col, i;

	memset(t, 0, sizeof *t);
	t->line = line;
	t->col = col;
	*word = 0;
	switch (k->type) {
	case TK_STRING:
		t->kind = T_CONST;
		t->value.type = RV_STR;
		t->value.s = k->str;
		k->str = NULL;
		next(p);
		return p->failed ? -1 : 0;
	case TK_NUMBER:
	case TK_DURATION:
		t->kind = T_CONST;
		t->value.type = RV_NUM;
		t->value.n = k->num;
		next(p);
		return p->failed ? -1 : 0;
	case TK_IDENT:
		break;
	default:
		perr(p, line, col, "expected a field or a value, found %s",
		    tok_desc(k, buf, sizeof buf));
		return -1;
	}
	snprintf(name, sizeof name, "%s", k->text);
	next(p);
	if (p->failed)
		return -1;
	if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
		t->kind = T_CONST;
		t->value.type = RV_BOOL;
		t->value.b = name[0] == 't';
		return 0;
	}
	if (p->tok.type == TK_LPAREN) {
		for (i = 1; i < (int)(sizeof funcs / sizeof funcs[0]); i++)
			if (strcmp(funcs[i], name) == 0)
				break;
		if (i == (int)(sizeof funcs / sizeof funcs[0])) {
			perr(p, line, col, "unknown function \"%s\"%s", name,
			    proto_suggest_hint(buf, sizeof buf, name, funcs,
			    sizeof funcs / sizeof funcs[0]));
			return -1;
		}
		t->kind = T_FUNC;
		t->func = (enum rules_func)i;
		next(p);
		t->arg = xcalloc(1, sizeof *t->arg);
		if (p->tok.type != TK_IDENT || strchr(p->tok.text, '.') == NULL) {
			perr(p, p->tok.line, p->tok.col, "%s() takes a field, "
			    "as in %s(attempt.ip)", name, name);
			return -1;
		}
		if (field_term(p, t->arg, p->tok.text, p->tok.line,
		    p->tok.col) != 0)
			return -1;
		next(p);
		return expect(p, TK_RPAREN, "\")\"");
	}
	if (strchr(name, '.') != NULL)
		return field_term(p, t, name, line, col);
	if (strcmp(name, "and") == 0 || strcmp(name, "or") == 0 ||
	    strcmp(name, "not") == 0 || strcmp(name, "in") == 0) {
		perr(p, line, col, "expected a field or a value, found \"%s\"",
		    name);
		return -1;
	}
	t->kind = T_CONST;
	t->value.type = RV_STR;
	t->value.s = xstrdup(name);
	*word = 1;
	return 0;
}

/* The values a bare word may take against this enum field. */
static int
word_check(struct parser *p, const struct term *field, const struct term *w,
    int left)
{
	const char	*names[PROTO_EV_COUNT + 1], *what;
	char		 buf[128];
	size_t		 n = 0;
	int		 i, kind = field->kind == T_FIELD ?
			     rules_fields[field->field].words : 0;

	switch (kind) {
	case 1:
		for (i = 0; i < PROTO_STATE_COUNT; i++)
			names[n++] = proto_state_name((enum proto_state)i);
		what = "state";
		break;
	case 2:
		for (i = 0; i < PROTO_MODALITY_COUNT; i++)
			names[n++] = proto_modality_name((enum proto_modality)i);
		what = "modality";
		break;
	case 3:
		for (i = 0; i < PROTO_EV_COUNT; i++)
			names[n++] = proto_event_kind_name((enum proto_event_kind)i);
		what = "event kind";
		break;
	default:
		if (left)
			unknown_field(p, w->line, w->col, w->value.s);
		else
			perr(p, w->line, w->col, "bare word \"%s\": quote a "
			    "string (\"%s\") or name a field", w->value.s,
			    w->value.s);
		return -1;
	}
	for (i = 0; i < (int)n; i++)
		if (strcmp(names[i], w->value.s) == 0)
			return 0;
	perr(p, w->line, w->col, "unknown %s \"%s\"%s", what, w->value.s,
	    proto_suggest_hint(buf, sizeof buf, w->value.s, names, n));
	return -1;
}

static struct expr *parse_or(struct parser *);

static struct expr *
new_expr(enum expr_op op)
{
	struct expr	*e = xcalloc(1, sizeof *e);

	e->op = op;
	return e;
}

static const struct {
	const char	*text;
	enum cmp_op	 op;
} ops[] = {
	{ "=", CMP_EQ }, { "==", CMP_EQ }, { "!=", CMP_NE }, { "<", CMP_LT },
	{ "<=", CMP_LE }, { ">", CMP_GT }, { ">=", CMP_GE }
};

static struct expr *
parse_cmp(struct parser *p)
{
	struct expr	*e;
	size_t		 i;
	int		 wa, wb, line, col;

	if (p->tok.type == TK_LPAREN) {
		next(p);
		if ((e = parse_or(p)) == NULL)
			return NULL;
		if (expect(p, TK_RPAREN, "\")\"") != 0) {
			rules_expr_free(e);
			return NULL;
		}
		return e;
	}
	e = new_expr(EX_TRUTH);
	if (parse_term(p, &e->a, &wa) != 0)
		goto fail;
	if (p->tok.type == TK_OP) {
		for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (strcmp(ops[i].text, p->tok.text) == 0)
				break;
		if (i == sizeof ops / sizeof ops[0]) {
			perr(p, p->tok.line, p->tok.col, "unknown operator "
			    "\"%s\"", p->tok.text);
			goto fail;
		}
		e->op = EX_CMP;
		e->cmp = ops[i].op;
		next(p);
		if (parse_term(p, &e->b, &wb) != 0)
			goto fail;
		if ((wa && word_check(p, &e->b, &e->a, 1) != 0) ||
		    (wb && word_check(p, &e->a, &e->b, 0) != 0))
			goto fail;
		return e;
	}
	if (is_word(p, "in")) {
		if (wa) {
			unknown_field(p, e->a.line, e->a.col, e->a.value.s);
			goto fail;
		}
		e->op = EX_IN;
		next(p);
		if (expect(p, TK_LBRACK, "\"[\" after in") != 0)
			goto fail;
		while (p->tok.type != TK_RBRACK) {
			e->list = xreallocarray(e->list,
			    e->nlist + 1, sizeof *e->list);
			line = p->tok.line;
			col = p->tok.col;
			if (parse_term(p, &e->list[e->nlist++], &wb) != 0)
				goto fail;
			if (e->list[e->nlist - 1].kind != T_CONST) {
				perr(p, line, col, "a list after in holds "
				    "values, not fields");
				goto fail;
			}
			if (wb && word_check(p, &e->a, &e->list[e->nlist - 1],
			    0) != 0)
				goto fail;
			if (p->tok.type == TK_COMMA)
				next(p);
			else if (p->tok.type != TK_RBRACK) {
				expect(p, TK_RBRACK, "\",\" or \"]\"");
				goto fail;
			}
		}
		next(p);
		if (p->failed)
			goto fail;
		return e;
	}
	if (wa) {
		unknown_field(p, e->a.line, e->a.col, e->a.value.s);
		goto fail;
	}
	if (p->failed)
		goto fail;
	return e;
fail:
	rules_expr_free(e);
	return NULL;
}

static struct expr *
parse_not(struct parser *p)
{
	struct expr	*e, *n;

	if (is_word(p, "not")) {
		next(p);
		if ((e = parse_not(p)) == NULL)
			return NULL;
		n = new_expr(EX_NOT);
		n->l = e;
		return n;
	}
	return parse_cmp(p);
}

static struct expr *
parse_and(struct parser *p)
{
	struct expr	*l, *r, *e;

	if ((l = parse_not(p)) == NULL)
		return NULL;
	while (is_word(p, "and")) {
		next(p);
		if ((r = parse_not(p)) == NULL) {
			rules_expr_free(l);
			return NULL;
		}
		e = new_expr(EX_AND);
		e->l = l;
		e->r = r;
		l = e;
	}
	return l;
}

static struct expr *
parse_or(struct parser *p)
{
	struct expr	*l, *r, *e;

	if ((l = parse_and(p)) == NULL)
		return NULL;
	while (is_word(p, "or")) {
		next(p);
		if ((r = parse_and(p)) == NULL) {
			rules_expr_free(l);
			return NULL;
		}
		e = new_expr(EX_OR);
		e->l = l;
		e->r = r;
		l = e;
	}
	return l;
}

/* ---- templates */

static void
template_text(struct template *t, const char *s, size_t len)
{
	if (len == 0)
		return;
	t->p = xreallocarray(t->p, t->n + 1, sizeof *t->p);
	memset(&t->p[t->n], 0, sizeof t->p[t->n]);
	t->p[t->n].text = xstrndup(s, len);
	t->n++;
}

/*
 * Split a message into text and placeholders.  line/col is the opening
 * quote, for positions of errors inside the message.
 */
static int
parse_template(struct parser *p, struct template *t, const char *s, int line,
    int col)
{
	const char	*lit = s, *q, *close;
	const char	*names[TV_VAR_COUNT_ + F_COUNT_];
	char		 name[128], buf[160], piece[2];
	struct tpiece	*tp;
	size_t		 n = 0;
	int		 i, pcol;

	for (q = s; *q != '\0'; q++) {
		if (*q != '{' && *q != '}')
			continue;
		template_text(t, lit, (size_t)(q - lit));
		if (q[1] == *q) {		/* {{ or }} */
			piece[0] = *q;
			piece[1] = '\0';
			template_text(t, piece, 1);
			lit = ++q + 1;
			continue;
		}
		pcol = col + 1;
		for (close = s; close < q; close++)
			pcol += ((unsigned char)*close & 0xc0) != 0x80;
		if (*q == '}') {
			perr(p, line, pcol, "\"}\" without \"{\" in the message "
			    "(write }} for a brace)");
			return -1;
		}
		if ((close = strchr(q, '}')) == NULL) {
			perr(p, line, pcol, "unclosed \"{\" in the message "
			    "(write {{ for a brace)");
			return -1;
		}
		snprintf(name, sizeof name, "%.*s", (int)(close - q - 1), q + 1);
		t->p = xreallocarray(t->p, t->n + 1, sizeof *t->p);
		tp = &t->p[t->n];
		memset(tp, 0, sizeof *tp);
		tp->var = -1;
		for (i = 0; i < TV_VAR_COUNT_; i++)
			if (strcmp(vars[i], name) == 0)
				tp->var = i;
		if (tp->var == -1 && field_lookup(name) == F_COUNT_) {
			for (i = 0; i < TV_VAR_COUNT_; i++)
				names[n++] = vars[i];
			for (i = 0; i < F_COUNT_; i++)
				if (i != F_DATA)
					names[n++] = rules_fields[i].name;
			perr(p, line, pcol + 1, "unknown name \"%s\" in the "
			    "message%s", name, proto_suggest_hint(buf,
			    sizeof buf, name, names, n));
			return -1;
		}
		t->n++;
		if (tp->var == -1 &&
		    field_term(p, &tp->term, name, line, pcol + 1) != 0)
			return -1;
		q = close;
		lit = close + 1;
	}
	template_text(t, lit, (size_t)(q - lit));
	return 0;
}

/* ---- rules */

static int
parse_number(struct parser *p, const char *what, double *out)
{
	char	buf[160];

	if (p->tok.type != TK_NUMBER) {
		perr(p, p->tok.line, p->tok.col, "expected %s, found %s", what,
		    tok_desc(&p->tok, buf, sizeof buf));
		return -1;
	}
	*out = p->tok.num;
	next(p);
	return p->failed ? -1 : 0;
}

static int
parse_count(struct parser *p, const char *what, int64_t *out)
{
	int	line = p->tok.line, col = p->tok.col;
	double	d;

	if (parse_number(p, what, &d) != 0)
		return -1;
	if (d < 1 || d > RULES_MAX_N || d != (double)(int64_t)d) {
		perr(p, line, col, "%s must be a whole number from 1 to %d",
		    what, RULES_MAX_N);
		return -1;
	}
	*out = (int64_t)d;
	return 0;
}

static int
parse_duration(struct parser *p, const char *what, int64_t *out)
{
	char	buf[160];

	if (p->tok.type != TK_DURATION) {
		if (p->tok.type == TK_NUMBER)
			perr(p, p->tok.line, p->tok.col, "bad duration \"%s\" "
			    "(write a number and a unit, ms, s, m or h, as in "
			    "\"10s\")", p->tok.text);
		else
			perr(p, p->tok.line, p->tok.col, "expected %s, found "
			    "%s", what, tok_desc(&p->tok, buf, sizeof buf));
		return -1;
	}
	*out = (int64_t)p->tok.num;
	next(p);
	return p->failed ? -1 : 0;
}

/* KIND { "," KIND } into set[]. */
static int
parse_kinds(struct parser *p, int *set)
{
	const char	*names[PROTO_EV_COUNT];
	char		 buf[160];
	int		 i, k;

	for (i = 0; i < PROTO_EV_COUNT; i++)
		names[i] = proto_event_kind_name((enum proto_event_kind)i);
	for (;;) {
		if (p->tok.type != TK_IDENT) {
			perr(p, p->tok.line, p->tok.col, "expected an event "
			    "kind, found %s", tok_desc(&p->tok, buf, sizeof buf));
			return -1;
		}
		if ((k = proto_event_kind_parse(p->tok.text)) < 0) {
			perr(p, p->tok.line, p->tok.col, "unknown event kind "
			    "\"%s\"%s", p->tok.text, proto_suggest_hint(buf,
			    sizeof buf, p->tok.text, names, PROTO_EV_COUNT));
			return -1;
		}
		set[k] = 1;
		next(p);
		if (p->tok.type != TK_COMMA)
			return p->failed ? -1 : 0;
		next(p);
	}
}

static int
parse_on(struct parser *p, struct rule *r)
{
	char	buf[160];
	size_t	i;

	if (p->tok.type != TK_IDENT) {
		perr(p, p->tok.line, p->tok.col, "expected event, answer, "
		    "attempt or state after on, found %s",
		    tok_desc(&p->tok, buf, sizeof buf));
		return -1;
	}
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(types[i], p->tok.text) == 0)
			break;
	switch (i) {
	case 0:
		r->on = PROTO_EVENT;
		next(p);
		if (parse_kinds(p, r->kinds) != 0)
			return -1;
		break;
	case 1:
		r->on = PROTO_ANSWER;
		next(p);
		break;
	case 2:
		r->on = PROTO_ATTEMPT;
		next(p);
		break;
	case 3:
		r->on = PROTO_STATE;
		next(p);
		break;
	default:
		perr(p, p->tok.line, p->tok.col, "unknown message type "
		    "\"%s\"%s", p->tok.text, hint_or(buf, sizeof buf,
		    p->tok.text, types, sizeof types / sizeof types[0],
		    " (event, answer, attempt or state)"));
		return -1;
	}
	if (p->failed)
		return -1;
	if (is_word(p, "where")) {
		next(p);
		if ((r->where = parse_or(p)) == NULL)
			return -1;
	}
	return 0;
}

static int
parse_fire(struct parser *p, struct rule *r)
{
	char	buf[160];
	int	w, line, col;
	size_t	i;

	if (p->tok.type != TK_IDENT) {
		perr(p, p->tok.line, p->tok.col, "expected count, run, "
		    "duration or link after fire, found %s",
		    tok_desc(&p->tok, buf, sizeof buf));
		return -1;
	}
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(modes[i], p->tok.text) == 0)
			break;
	if (i == sizeof modes / sizeof modes[0]) {
		perr(p, p->tok.line, p->tok.col, "unknown way to fire \"%s\"%s",
		    p->tok.text, hint_or(buf, sizeof buf, p->tok.text, modes,
		    sizeof modes / sizeof modes[0],
		    " (count, run, duration or link)"));
		return -1;
	}
	r->mode = (enum rules_mode)i;
	next(p);
	switch (r->mode) {
	case RULES_MODE_COUNT:
		if (parse_count(p, "a count", &r->n) != 0)
			return -1;
		if (is_word(p, "within")) {
			next(p);
			if (parse_duration(p, "a duration after within",
			    &r->within) != 0)
				return -1;
		}
		return 0;
	case RULES_MODE_RUN:
		return parse_count(p, "the length of a run", &r->n);
	case RULES_MODE_DURATION:
		if (parse_duration(p, "a duration", &r->length) != 0)
			return -1;
		if (!is_word(p, "until")) {
			perr(p, p->tok.line, p->tok.col, "expected until and "
			    "the event kinds that end the hold, as in "
			    "\"until face_returned\"");
			return -1;
		}
		next(p);
		return parse_kinds(p, r->until);
	case RULES_MODE_LINK:
		line = p->tok.line;
		col = p->tok.col;
		if (parse_term(p, &r->link, &w) != 0)
			return -1;
		if (r->link.kind == T_CONST) {
			perr(p, line, col, "a link needs a field, as in "
			    "attempt.device or prefix24(attempt.ip)");
			return -1;
		}
		if (!is_word(p, "count")) {
			perr(p, p->tok.line, p->tok.col, "expected count N "
			    "after the linked field, as in \"link "
			    "attempt.device count 2\"");
			return -1;
		}
		next(p);
		if (parse_count(p, "a count", &r->n) != 0)
			return -1;
		if (is_word(p, "scope")) {
			next(p);
			if (is_word(p, "feed"))
				r->scope = SCOPE_FEED;
			else if (is_word(p, "all"))
				r->scope = SCOPE_ALL;
			else {
				perr(p, p->tok.line, p->tok.col, "unknown "
				    "scope %s (feed or all)",
				    tok_desc(&p->tok, buf, sizeof buf));
				return -1;
			}
			next(p);
		}
		return p->failed ? -1 : 0;
	default:
		return -1;
	}
}

static int
parse_string(struct parser *p, const char *key, char **out, int *line,
    int *col)
{
	char	buf[160];

	if (p->tok.type != TK_STRING) {
		perr(p, p->tok.line, p->tok.col, "expected a quoted string "
		    "after %s, found %s", key, tok_desc(&p->tok, buf,
		    sizeof buf));
		return -1;
	}
	*line = p->tok.line;
	*col = p->tok.col;
	*out = p->tok.str;
	p->tok.str = NULL;
	next(p);
	return p->failed ? -1 : 0;
}

static const char *
type_word(enum proto_type t)
{
	switch (t) {
	case PROTO_EVENT:
		return "event";
	case PROTO_ANSWER:
		return "answer";
	case PROTO_ATTEMPT:
		return "attempt";
	default:
		return "state";
	}
}

/* Is every field the rule names set on the messages it matches? */
static int
check_term(struct parser *p, const struct rule *r, const struct term *t)
{
	if (t->kind == T_FUNC)
		return check_term(p, r, t->arg);
	if (t->kind != T_FIELD)
		return 0;
	if ((rules_fields[t->field].on & (1u << r->on)) == 0) {
		perr(p, t->line, t->col, "%s%s is not set on %s messages "
		    "(rule \"%s\" is on %s)", rules_fields[t->field].name,
		    t->field == F_DATA ? t->path : "", type_word(r->on),
		    r->name, type_word(r->on));
		return -1;
	}
	return 0;
}

static int
check_expr(struct parser *p, const struct rule *r, const struct expr *e)
{
	if (e == NULL)
		return 0;
	if (check_expr(p, r, e->l) != 0 || check_expr(p, r, e->r) != 0 ||
	    check_term(p, r, &e->a) != 0 || check_term(p, r, &e->b) != 0)
		return -1;
	return 0;
}

static struct rule *
rule_new(struct rules *rs)
{
	struct rule	*r;

	rs->rule = xreallocarray(rs->rule, rs->n + 1, sizeof *rs->rule);
	r = &rs->rule[rs->n];
	memset(r, 0, sizeof *r);
	r->index = rs->n++;
	r->within = -1;
	r->slot = -1;
	r->mode = RULES_NMODES;
	r->severity = PROTO_SEV_COUNT;
	r->on = PROTO_TYPE_COUNT;
	return r;
}

/* The value of "severity": a severity name, or an error that suggests. */
static int
parse_severity(struct parser *p, struct rule *r)
{
	const char	*names[PROTO_SEV_COUNT];
	char		 h[160], buf[160];
	int		 j;

	if (p->tok.type != TK_IDENT || proto_severity_parse(p->tok.text) < 0) {
		for (j = 0; j < PROTO_SEV_COUNT; j++)
			names[j] = proto_severity_name(j);
		h[0] = '\0';
		if (p->tok.type == TK_IDENT)
			proto_suggest_hint(h, sizeof h, p->tok.text, names,
			    PROTO_SEV_COUNT);
		perr(p, p->tok.line, p->tok.col, "unknown severity %s%s",
		    tok_desc(&p->tok, buf, sizeof buf), h[0] != '\0' ? h :
		    " (info, low, medium, high or critical)");
		return -1;
	}
	r->severity = proto_severity_parse(p->tok.text);
	next(p);
	return 0;
}

/*
 * The checks of a rule read to its "}" (at p->tok), which need every key:
 * a duration starts on an event, the message (msg, raw, at mline:mcol,
 * freed here; NULL: the rule's name) parses as a template, and the names
 * in the condition, link and message resolve.  Consumes the "}".
 */
static int
rule_finish(struct parser *p, struct rule *r, int rline, int rcol,
    char *msg, int mline, int mcol)
{
	size_t	i;
	int	rc;

	if (r->mode == RULES_MODE_DURATION && r->on != PROTO_EVENT) {
		perr(p, rline, rcol, "rule \"%s\": a duration starts on an "
		    "event (on event KIND)", r->name);
		free(msg);
		return -1;
	}
	if (msg == NULL) {
		template_text(&r->message, r->name, strlen(r->name));
	} else {
		rc = parse_template(p, &r->message, msg, mline, mcol);
		free(msg);
		if (rc != 0)
			return -1;
	}
	if (check_expr(p, r, r->where) != 0 || check_term(p, r, &r->link) != 0)
		return -1;
	for (i = 0; i < r->message.n; i++)
		if (r->message.p[i].text == NULL && r->message.p[i].var == -1 &&
		    check_term(p, r, &r->message.p[i].term) != 0)
			return -1;
	if (r->description == NULL)
		r->description = xstrdup("");
	next(p);
	return p->failed ? -1 : 0;
}

/* "rule NAME { KEY VALUE ... }" at p->tok, added to p->rules; 0, or -1
 * with the error reported. */
static int
parse_rule(struct parser *p)
{
	struct rules	*rs = p->rules;
	struct rule	*r;
	char		 buf[160], *msg = NULL;
	int		 seen[sizeof keys / sizeof keys[0]] = { 0 };
	int		 line, col, mline = 0, mcol = 0, rline, rcol;
	size_t		 i, k;

	rline = p->tok.line;
	rcol = p->tok.col;
	next(p);
	if (p->tok.type != TK_IDENT || strchr(p->tok.text, '.') != NULL) {
		perr(p, p->tok.line, p->tok.col, "expected a rule name after "
		    "rule, found %s", tok_desc(&p->tok, buf, sizeof buf));
		return -1;
	}
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rule[i].name, p->tok.text) == 0) {
			perr(p, p->tok.line, p->tok.col, "duplicate rule name "
			    "\"%s\" (first defined at line %d)", p->tok.text,
			    rs->rule[i].line);
			return -1;
		}
	}
	r = rule_new(rs);
	r->name = xstrdup(p->tok.text);
	r->line = rline;
	next(p);
	if (expect(p, TK_LBRACE, "\"{\" after the rule name") != 0)
		return -1;
	while (p->tok.type != TK_RBRACE) {
		if (p->tok.type == TK_EOF) {
			perr(p, rline, rcol, "rule \"%s\" is not closed "
			    "(missing \"}\")", r->name);
			goto fail;
		}
		if (p->tok.type != TK_IDENT) {
			perr(p, p->tok.line, p->tok.col, "expected a key (on, "
			    "fire, severity, weight, message, description, "
			    "during), found %s", tok_desc(&p->tok, buf,
			    sizeof buf));
			goto fail;
		}
		line = p->tok.line;
		col = p->tok.col;
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (strcmp(keys[k], p->tok.text) == 0)
				break;
		if (k == sizeof keys / sizeof keys[0]) {
			perr(p, line, col, "unknown key \"%s\"%s", p->tok.text,
			    proto_suggest_hint(buf, sizeof buf, p->tok.text, keys,
			    sizeof keys / sizeof keys[0]));
			goto fail;
		}
		if (seen[k]++) {
			perr(p, line, col, "duplicate key \"%s\" in rule "
			    "\"%s\"", keys[k], r->name);
			goto fail;
		}
		next(p);
		switch (k) {
		case 0:
			if (parse_on(p, r) != 0)
				goto fail;
			break;
		case 1:
			if (parse_fire(p, r) != 0)
				goto fail;
			break;
		case 2:
			if (parse_severity(p, r) != 0)
				goto fail;
			break;
		case 3:
			if (parse_number(p, "a weight", &r->weight) != 0)
				goto fail;
			if (r->weight < 0 || r->weight > 1e6) {
				perr(p, line, col, "weight must be from 0 to "
				    "1000000");
				goto fail;
			}
			break;
		case 4:
			if (parse_string(p, "message", &msg, &mline,
			    &mcol) != 0)
				goto fail;
			break;
		case 5:
			if (parse_string(p, "description", &r->description,
			    &line, &col) != 0)
				goto fail;
			break;
		case 6:
			if (!is_word(p, "outage")) {
				perr(p, p->tok.line, p->tok.col, "expected "
				    "outage after during");
				goto fail;
			}
			r->during_outage = 1;
			next(p);
			break;
		}
		if (p->failed)
			goto fail;
	}
	if (!seen[0] || !seen[1] || !seen[2]) {
		perr(p, rline, rcol, "rule \"%s\" has no %s line", r->name,
		    !seen[0] ? "\"on\"" : !seen[1] ? "\"fire\"" :
		    "\"severity\"");
		free(msg);
		return -1;
	}
	return rule_finish(p, r, rline, rcol, msg, mline, mcol);

fail:
	/* A key after "message" failed: the message text is ours to free. */
	free(msg);
	return -1;
}

void
rules_list_add(struct rule_list *l, struct rule *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = r;
}

/* Slots for per-attempt state, and the indexes by message type and kind. */
static void
rules_index(struct rules *rs)
{
	struct rule	*r;
	size_t		 i;
	int		 k;

	for (i = 0; i < rs->n; i++) {
		r = &rs->rule[i];
		if (r->mode == RULES_MODE_RUN || r->mode == RULES_MODE_DURATION ||
		    r->mode == RULES_MODE_LINK ||
		    (r->mode == RULES_MODE_COUNT && r->n > 1))
			r->slot = (int)rs->nslots++;
		if (r->on != PROTO_EVENT) {
			rules_list_add(&rs->by_type[r->on], r);
			continue;
		}
		for (k = 0; k < PROTO_EV_COUNT; k++) {
			if (r->kinds[k])
				rules_list_add(&rs->by_kind[k], r);
			if (r->until[k])
				rules_list_add(&rs->by_until[k], r);
		}
	}
}

struct rules *
rules_parse(const char *text, size_t len, const char *filename, char *err,
    size_t errlen)
{
	struct parser	 p;
	struct rules	*rs = xcalloc(1, sizeof *rs);
	char		 buf[160];

	memset(&p, 0, sizeof p);
	p.p = text;
	p.end = text + len;
	p.file = filename != NULL ? filename : "(rules)";
	p.line = p.col = 1;
	p.err = err;
	p.errlen = errlen;
	p.rules = rs;
	if (errlen > 0)
		err[0] = '\0';
	next(&p);
	while (!p.failed && p.tok.type != TK_EOF) {
		if (!is_word(&p, "rule")) {
			perr(&p, p.tok.line, p.tok.col, "expected \"rule\", "
			    "found %s", tok_desc(&p.tok, buf, sizeof buf));
			break;
		}
		if (parse_rule(&p) != 0)
			break;
	}
	free(p.tok.str);
	if (p.failed) {
		rules_free(rs);
		return NULL;
	}
	rules_index(rs);
	return rs;
}

struct rules *
rules_load(const char *path, char *err, size_t errlen)
{
	char		*buf, *p, *eol, shown[512];
	size_t		 len;
	struct rules	*rs;
	int		 line;

	/* Never blocks: a FIFO or a device in the file's place is refused. */
	if (proto_file_read(path, "rule file", RULES_MAX_FILE, &buf, &len, NULL,
	    err, errlen) != 0)
		return NULL;
	/* Its text ends up in flag messages, which must be UTF-8 to be
	 * stored, sent and printed. */
	for (line = 1, p = buf; p < buf + len; p = eol + 1, line++) {
		if ((eol = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			eol = buf + len;
		if (!proto_utf8_valid(p, (size_t)(eol - p))) {
			snprintf(err, errlen, "%s:%d: not UTF-8 text; save the "
			    "rule file as UTF-8", proto_clean(path, shown,
			    sizeof shown), line);
			free(buf);
			return NULL;
		}
	}
	rs = rules_parse(buf, len, path, err, errlen);
	free(buf);
	return rs;
}

void
rules_free(struct rules *rs)
{
	struct rule	*r;
	size_t		 i;
	int		 k;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		r = &rs->rule[i];
		free(r->name);
		free(r->description);
		rules_expr_free(r->where);
		rules_term_clear(&r->link);
		rules_template_free(&r->message);
	}
	free(rs->rule);
	for (k = 0; k < PROTO_EV_COUNT; k++) {
		free(rs->by_kind[k].v);
		free(rs->by_until[k].v);
	}
	for (k = 0; k < PROTO_TYPE_COUNT; k++)
		free(rs->by_type[k].v);
	free(rs);
}

size_t
rules_count(const struct rules *rs)
{
	return rs->n;
}

int
rules_info(const struct rules *rs, size_t i, struct rules_info *info)
{
	const struct rule	*r;

	if (i >= rs->n)
		return -1;
	r = &rs->rule[i];
	info->name = r->name;
	info->description = r->description;
	info->severity = r->severity;
	info->weight = r->weight;
	info->mode = r->mode;
	info->on = r->on;
	info->during_outage = r->during_outage;
	info->line = r->line;
	return 0;
}

int
rules_kind_used(const struct rules *rs, enum proto_event_kind k)
{
	if ((unsigned)k >= PROTO_EV_COUNT)
		return 0;
	return rs->by_kind[k].n > 0 || rs->by_until[k].n > 0;
}
