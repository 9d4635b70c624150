/*
 * pgdump.h: running PostgreSQL's client programs (pg_dump) as children of a
 * strongbox tool: finding one whose major version is at least the
 * server's, running it with the connection in its environment (never a
 * password in argv), collecting its output in an unlinked temporary file
 * and its errors as one line.
 */
#ifndef STRONGBOX_PGDUMP_H
#define STRONGBOX_PGDUMP_H

#include <stdio.h>
#include <sys/types.h>

/*
 * Finds "pg_dump" for a server of version server_num (server_version_num,
 * e.g. 150020): $SDUMP_PG_DUMP when set (that program only), else the first
 * in PATH, then /usr/lib/postgresql/<major>/bin from the newest major down,
 * whose major version is at least the server's.  env is the environment
 * the program will run with.  Returns the malloc'ed path and sets *version
 * (malloc'ed, e.g. "15.20"); dies (exit 1) with a clear message when there
 * is none.
 */
char *pgdump_find(const char *prog, int server_num, char **env,
                  char **version);

/* A child whose stdout goes to a temporary file. */
struct pgdump_child {
	pid_t pid;
	const char *what; /* for messages, e.g. "pg_dump --section=pre-data" */
	FILE *out;        /* unlinked temporary file with its stdout */
	FILE *err;        /* unlinked temporary file with its stderr */
};

/*
 * Starts argv[0] (a path) with argv and env, stdin from /dev/null, stdout
 * and stderr into new temporary files.  Dies if it cannot start.
 */
void pgdump_start(struct pgdump_child *c, const char *what, char *const argv[],
                  char *const env[]);

/*
 * Waits for c.  On success returns the size of its stdout (c->out stays
 * open for reading; close it with fclose()), after copying its warnings to
 * stderr.  On failure dies with "what failed: <its first error line>".
 */
size_t pgdump_wait(struct pgdump_child *c);

/*
 * The lowercase hex SHA-256 of the first len bytes of fp (a child's
 * output, as pgdump_wait() left it), into hex (65 bytes); fp is left at
 * its start.  Dies on a read error or a shorter file.
 */
void pgdump_sha256(FILE *fp, size_t len, char hex[65]);

/* An unlinked temporary file in $TMPDIR or /tmp, opened "w+"; dies. */
FILE *pgdump_tmpfile(void);

#endif
