/*
 * ui-term.h - the proctor's screen on a terminal other than the process's
 * own: ncurses' newterm() on the given streams.  For bench/screen, which
 * draws the console of a large exam into a pseudo-terminal (or /dev/null)
 * to time a frame; the console itself uses ui_start() (view.h).
 */
#ifndef INVIGIL_UI_TERM_H
#define INVIGIL_UI_TERM_H

#include <stdio.h>

struct app;
struct ui;

/*
 * Start the screen on terminal type term (NULL: $TERM) writing to out and
 * reading keys from in, with the modes and the colour scheme (NO_COLOR)
 * that ui_start() sets up, and no view (open the first, e.g.
 * view_attempts_open(), as the console does); the size is
 * the terminal's (or $LINES and $COLUMNS).  Draw with ui_draw(), feed keys
 * with unget_wch() and ui_input() (tests/check_views.c).
 * Returns NULL when ncurses refuses the terminal.  Only one such screen at
 * a time.
 */
struct ui	*ui_start_term(struct app *, const char *term, FILE *out,
		     FILE *in);
/* End it (endwin), free the ncurses screen and the ui. */
void		 ui_stop_term(struct ui *);

#endif /* INVIGIL_UI_TERM_H */
