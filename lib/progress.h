/*
 * progress.h: the one progress line of every tool, on stderr, as
 * "tool: message" (the name from err_progname()).  On a terminal the line
 * is rewritten in place (a carriage return before it, the rest of the
 * terminal line erased after it) until the last one ends it; elsewhere
 * (a log file, cron's mail) each report is a line of its own.
 */
#ifndef STRONGBOX_PROGRESS_H
#define STRONGBOX_PROGRESS_H

/*
 * Prints one report.  tty: stderr is a terminal (the caller asks
 * isatty(2) once); last: the final report, which ends the line.
 */
void progress_line(int tty, int last, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
