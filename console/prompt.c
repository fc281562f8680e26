/*
 * prompt.c - the reason prompt: a modal view on the bottom line that asks
 * why an act (decide.h) is taken on an attempt, in words, after the
 * reason code was picked (picker.c), then records both with app_decide()
 * (through ui_decide).  Enter records, Esc cancels; a reason typed is kept
 * whole (UTF-8 characters, never cut inside one).  The words may be left
 * out when the code does not require them.
 *
 * The flag an act closes is the one shown when the key was pressed: if it
 * is gone by Enter, nothing is recorded.  An act that takes minutes
 * (extend) reads them from the start of the words: "15 platform outage".
 *
 * The same line edits other text (prompt_line_open(): the `/` filter),
 * telling its caller of every edit, of Enter and of Esc.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "console/bulk.h"
#include "console/console.h"
#include "console/decide.h"
#include "console/reasons.h"
#include "console/view.h"
#include "proto/xmalloc.h"

#define KEY_ESCAPE	27

struct prompt {
	const struct act       *act;
	struct attempt	       *attempt;
	int64_t			flag;		/* the flag shown, 0: none */
	struct reason		code;		/* the code picked */
	char			text[PROTO_TEXT_MAX + 1];
	size_t			len;
	size_t			max;		/* bytes of text at most */
	prompt_line_fn	       *line;		/* prompt_line_open(), or NULL */
	void		       *arg;
	char			label[128];
};

static void	prompt_draw(struct ui *, void *, int, int);
static int	prompt_key(struct ui *, void *, int, int);

const struct view view_prompt = {
	.title = "reason",
	.flags = VIEW_MODAL,
	.draw = prompt_draw,
	.on_key = prompt_key,
	.free = free,
};

int
prompt_open(struct ui *ui, const struct act *act, struct attempt *a,
    int64_t flag)
{
	return picker_open(ui, act, a, flag);
}

int
prompt_words_open(struct ui *ui, const struct act *act, struct attempt *a,
    int64_t flag, const struct reason *code)
{
	struct prompt	*p;

	p = xcalloc(1, sizeof *p);
	p->act = act;
	p->attempt = a;
	p->flag = flag;
	p->code = *code;
	p->max = sizeof p->text - 1;
	return ui_push(ui, &view_prompt, p);
}

int
prompt_line_open(struct ui *ui, const char *label, const char *text,
    size_t max, prompt_line_fn *fn, void *arg)
{
	struct prompt	*p;

	p = xcalloc(1, sizeof *p);
	p->line = fn;
	p->arg = arg;
	p->max = max < sizeof p->text - 1 ? max : sizeof p->text - 1;
	snprintf(p->label, sizeof p->label, "%s", label);
	if (strlen(text) <= p->max)
		snprintf(p->text, sizeof p->text, "%s", text);
	p->len = strlen(p->text);
	return ui_push(ui, &view_prompt, p);
}

const char *
prompt_whom(struct ui *ui, const struct attempt *a, char *buf, size_t len)
{
	if (a != NULL)
		return a->id;
	snprintf(buf, len, "the %zu marked attempts", ui_bulk(ui)->nmarks);
	return buf;
}

static void
prompt_draw(struct ui *ui, void *state, int rows, int cols)
{
	struct prompt	*p = state;
	char		 line[PROTO_TEXT_MAX + 256], what[48] = "", whom[48];

	if (p->line != NULL) {
		snprintf(line, sizeof line, "%s%s", p->label, p->text);
		ui_role(ui, UI_ROLE_PROMPT, 1);
		ui_put(rows - 1, 0, cols, line);
		ui_role(ui, UI_ROLE_PROMPT, 0);
		ui_cursor(ui, rows - 1, 0);
		return;
	}
	if (p->flag != 0)
		snprintf(what, sizeof what, "flag %" PRId64 " of ", p->flag);
	snprintf(line, sizeof line, "%s to %s %s%s [%s, words %s] "
	    "(Enter records, Esc cancels): %s", (p->act->flags & ACT_MINUTES) ?
	    "Minutes (1-240), then the reason," : "Reason", p->act->name, what,
	    prompt_whom(ui, p->attempt, whom, sizeof whom), p->code.code,
	    (p->code.text_required || (p->act->flags & ACT_WORDS)) ?
	    "required" : "optional", p->text);
	ui_role(ui, UI_ROLE_PROMPT, 1);
	ui_put(rows - 1, 0, cols, line);
	ui_role(ui, UI_ROLE_PROMPT, 0);
	ui_cursor(ui, rows - 1, 0);
}

/*
 * The minutes at the start of words ("15 platform outage"): the number
 * (capped past PROTO_EXTEND_MAX, so that it cannot overflow), the words
 * after it in *rest; -1 when the words do not start with digits.
 */
int64_t
prompt_minutes(const char *words, const char **rest)
{
	int64_t	n = 0;

	*rest = words;
	if (*words < '0' || *words > '9')
		return -1;
	for (; *words >= '0' && *words <= '9'; words++)
		if (n <= PROTO_EXTEND_MAX)
			n = n * 10 + (*words - '0');
	while (*words == ' ')
		words++;
	*rest = words;
	return n;
}

/* Enter: record the decision; the prompt closes unless the reason is
 * missing (the status says so and the proctor types one). */
static void
prompt_enter(struct ui *ui, struct prompt *p)
{
	struct decision		d;
	struct decision_result	dr;
	char			err[512];

	memset(&d, 0, sizeof d);
	d.attempt = p->attempt;
	d.action = p->act->name;
	d.reason = p->text;
	d.reason_code = p->code.code;
	if ((p->act->flags & ACT_MINUTES) &&
	    (d.minutes = prompt_minutes(p->text, &d.reason)) < 0) {
		ui_status(ui, 1, "%s: start the words with the minutes, 1 to "
		    "%d, e.g. \"15 platform outage\"", p->act->name,
		    PROTO_EXTEND_MAX);
		return;
	}
	if (p->attempt == NULL && p->len == 0 && (p->code.text_required ||
	    (p->act->flags & ACT_WORDS))) {
		ui_status(ui, 1, "the reason code %s (%s) needs words here; "
		    "nothing recorded", p->code.code, p->act->name);
		return;
	}
	if (p->attempt == NULL) {
		/* The marked attempts: the status line says how it went. */
		if (ui_decide_bulk(ui, &d, err, sizeof err) < 0)
			ui_status(ui, 1, "%s", err);
		ui_pop(ui);
		return;
	}
	if (p->flag != 0 && (d.flag = ui_flag_by_id(ui, p->flag)) == NULL) {
		ui_status(ui, 1, "flag %" PRId64 " is gone; nothing recorded",
		    p->flag);
		ui_pop(ui);
		return;
	}
	if (ui_decide(ui, &d, &dr, err, sizeof err) != 0) {
		ui_status(ui, 1, "%s", err);
		if (p->len > 0)
			ui_pop(ui);
		return;
	}
	ui_pop(ui);
}

static int
prompt_key(struct ui *ui, void *state, int is_key, int ch)
{
	struct prompt	*p = state;
	char		 mb[MB_LEN_MAX];
	int		 n;

	ui_dirty(ui);
	if (!is_key && ch == KEY_ESCAPE) {
		if (p->line != NULL)
			p->line(ui, p->arg, p->text, PROMPT_CANCEL);
		else
			ui_status(ui, 0, "cancelled; nothing recorded");
		ui_pop(ui);
		return 1;
	}
	if ((!is_key && (ch == '\n' || ch == '\r')) ||
	    (is_key && ch == KEY_ENTER)) {
		if (p->line != NULL) {
			p->line(ui, p->arg, p->text, PROMPT_ENTER);
			ui_pop(ui);
		} else
			prompt_enter(ui, p);
		return 1;
	}
	if ((is_key && ch == KEY_BACKSPACE) ||
	    (!is_key && (ch == 127 || ch == 8))) {
		/* Remove one whole UTF-8 character. */
		while (p->len > 0) {
			p->len--;
			if (((unsigned char)p->text[p->len] & 0xc0) != 0x80)
				break;
		}
		p->text[p->len] = '\0';
		if (p->line != NULL)
			p->line(ui, p->arg, p->text, PROMPT_EDIT);
		return 1;
	}
	if (is_key || ch < 32)
		return 1;
	n = wctomb(mb, (wchar_t)ch);
	if (n <= 0 || p->len + (size_t)n > p->max)
		return 1;
	memcpy(p->text + p->len, mb, (size_t)n);
	p->len += (size_t)n;
	p->text[p->len] = '\0';
	if (p->line != NULL)
		p->line(ui, p->arg, p->text, PROMPT_EDIT);
	return 1;
}
