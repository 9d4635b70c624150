/*
 * err.h: exit codes and one-line diagnostics shared by every strongbox tool.
 *
 * Messages read "tool: what went wrong" on stderr, lowercase, no trailing
 * period.  The program name is set once by err_init() from argv[0].
 */
#ifndef STRONGBOX_ERR_H
#define STRONGBOX_ERR_H

#include <stdarg.h>
#include <stdnoreturn.h>

/* Exit status, the same table in every man page. */
enum exit_code {
	EXIT_OK = 0,       /* the job succeeded */
	EXIT_FAIL = 1,     /* the job failed: bad data, mismatch, refused */
	EXIT_USAGE = 2,    /* bad options or operands */
	EXIT_TEMPFAIL = 75 /* server down, overloaded or timed out: retry */
};

/* Sets the name that prefixes every message (the basename of argv0). */
void err_init(const char *argv0);

/* The name set by err_init(), or "strongbox" before it. */
const char *err_progname(void);

/*
 * Makes die() and die_errno() print "tool: cancelled" and exit 1 instead
 * of their message whenever cancelled() returns true: after SIGINT or
 * SIGTERM, the failure that follows is the cancel (see cancel.h, which
 * calls this).
 */
void err_set_cancelled(int (*cancelled)(void));

/* Prints "tool: message" and exits with code. */
noreturn void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like die(), appending ": strerror(errno)". */
noreturn void die_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "tool: message" and returns. */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like warnmsg(), appending ": strerror(errno)". */
void warnmsg_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "tool: message (see 'tool --help')" on one line, exits 2. */
noreturn void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * For getopt_long() returning '?' with opterr = 0: names the bad option
 * ("unknown option --bogus", "option -t needs an argument", "option
 * --help takes no argument") as die_usage() does.  optstring is the one
 * given to getopt_long().
 */
noreturn void die_bad_option(const char *optstring, char *const argv[]);

/* Prints "tool (strongbox) VERSION" on stdout and exits 0. */
noreturn void print_version(void);

/*
 * Flushes stdout and exits 1 with a message if anything written to it was
 * lost (a full disk, a closed pipe): in a backup pipeline that is a failure.
 */
void finish_stdout(void);

#endif
