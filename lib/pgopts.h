/*
 * pgopts.h: pg_dump's connection options, shared by every tool that
 * connects (sdump, srestore, spurge, smetrics):
 *
 *   -d, --dbname CONNINFO|URL|NAME   -h, --host HOST   -p, --port PORT
 *   -U, --username USER              a trailing DBNAME operand
 *
 * and the rules that turn them into one conninfo for pgconn_connect():
 *
 *   - the base is -d (or the operand) when it is a conninfo or a URL, else
 *     $DATABASE_URL when set and not empty, else nothing (libpq's PG*
 *     variables and ~/.pgpass fill in what is missing);
 *   - a bare database name (-d NAME or the operand) replaces only the
 *     database of that base: $DATABASE_URL's host, port, user and password
 *     are kept, as a libpq dbname overrides only the database;
 *   - -h, -p and -U win over the base's host, port and user.
 *
 * A password written in a -d URL or conninfo is overwritten in argv (so in
 * the process title and /proc/PID/cmdline) by pgopts_finish(), right after
 * option parsing, as the MySQL client does.
 *
 * Help for these tools is --help and -? (as pg_dump), since -h is the host;
 * PGOPTS_LONG carries --help and --version too, which pgopts_default()
 * answers, so that every such tool answers them alike.
 */
#ifndef STRONGBOX_PGOPTS_H
#define STRONGBOX_PGOPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdnoreturn.h>

/*
 * getopt_long() short options and long options of the connection, and
 * --help and --version (getopt_long() returns PGOPTS_HELP and
 * PGOPTS_VERSION for them: values no tool's own options use).
 */
#define PGOPTS_SHORT "d:h:p:U:"
#define PGOPTS_HELP 0x10000
#define PGOPTS_VERSION 0x10001
#define PGOPTS_LONG                                                          \
	{"dbname", required_argument, NULL, 'd'},                            \
	{"help", no_argument, NULL, PGOPTS_HELP},                            \
	{"host", required_argument, NULL, 'h'},                              \
	{"port", required_argument, NULL, 'p'},                              \
	{"username", required_argument, NULL, 'U'},                          \
	{"version", no_argument, NULL, PGOPTS_VERSION}

struct pgopts {
	char *dbname; /* -d or the operand, as given (points into argv) */
	char *host, *port, *user; /* NULL when not given */
	char *dbname_copy; /* malloc'ed copy made by pgopts_finish() */
};

/*
 * Handles the getopt_long() result c with its argument arg when it is one
 * of the connection options ('d', 'h', 'p', 'U'): stores it in o and
 * returns 1.  Returns 0 for any other c.  A port that is not a number
 * from 1 to 65535 is a usage error (exit 2).
 */
int pgopts_option(struct pgopts *o, int c, char *arg);

/*
 * True when getopt_long() (with opterr = 0 and '?' in its short options)
 * returned c for "-?", pg_dump's help option, rather than for an unknown
 * option.
 */
int pgopts_is_help(int c, char *const argv[]);

/*
 * The default: branch of the getopt_long() loop (opterr = 0, '?' in
 * optstring, PGOPTS_LONG in the long options) of a tool that takes these
 * options, for a c no case took: --version is print_version(); --help
 * and "-?" (pgopts_is_help()) print the help with usage(), which writes
 * it on stdout, then check stdout (finish_stdout()) and exit 0; anything
 * else is a bad option, named by die_bad_option(optstring, argv): exit 2.
 */
noreturn void pgopts_default(int c, char *const argv[], const char *optstring,
                             void (*usage)(void));

/*
 * Takes the operands left after option parsing (argc, argv as after
 * "argc -= optind; argv += optind"): at most one, the database name (or a
 * conninfo/URL, as pg_dump accepts).  Giving both -d and a name, or more
 * than one operand, is a usage error.  Then copies the database argument
 * and overwrites any password in it in place in argv with 'x' characters,
 * so that ps and /proc/PID/cmdline no longer show it.  Call it once, right
 * after getopt_long().
 */
void pgopts_finish(struct pgopts *o, int argc, char *argv[]);

/*
 * Overwrites with 'x' the password in s in place (a URL's user:PASSWORD@
 * or ?password=, a conninfo's password=...), keeping the length.  Returns
 * the number of characters overwritten.
 */
size_t pgopts_hide_password(char *s);

/*
 * The conninfo for pgconn_connect() built from o (after pgopts_finish())
 * and $DATABASE_URL by the rules above, or NULL when nothing was given
 * (libpq's defaults).  A conninfo or $DATABASE_URL that libpq cannot parse
 * is an error: one line and exit 1, as a failed connection.  Returns a
 * malloc'ed string (it may hold a password): free it with pgopts_free().
 */
char *pgopts_conninfo(const struct pgopts *o);

/* Wipes and frees a string from pgopts_conninfo(); NULL is allowed. */
void pgopts_free(char *conninfo);

/*
 * Wipes and frees what pgopts_finish() copied into o (the database
 * argument, which may hold a password); o->dbname_copy becomes NULL.
 * Call it once the conninfo is built, or at the end.
 */
void pgopts_clear(struct pgopts *o);

#endif
