/*
 * child.h: running another program as a child of a strongbox tool
 * (pg_dump, pg_restore, a version check): posix_spawn with the
 * environment given (the connection travels there, never a password in
 * argv), its standard input from /dev/null or from a pipe the caller
 * writes, its output either collected in unlinked temporary files (named
 * with tmpname.h's prefix) or passed on to the tool's stderr, and its end
 * turned into one line.
 */
#ifndef STRONGBOX_CHILD_H
#define STRONGBOX_CHILD_H

#include <stdio.h>
#include <sys/types.h>

/* Where the child's output goes. */
enum child_output {
	CHILD_COLLECT,  /* stdout and stderr into temporary files */
	CHILD_TO_STDERR /* stdout to our stderr, stderr inherited */
};

struct child {
	pid_t pid;
	const char *what; /* for messages, e.g. "pg_dump --section=pre-data" */
	int in;           /* the write end of its stdin, or -1: /dev/null */
	FILE *out;        /* CHILD_COLLECT: its stdout, else NULL */
	FILE *err;        /* CHILD_COLLECT: its stderr, else NULL */
};

/*
 * Starts argv[0] (a path, or a name looked up in PATH) with argv and env.
 * pipe_in: c->in is a pipe to its stdin, which the caller writes and
 * closes; else its stdin is /dev/null.  Returns 0, or -1 with errno when
 * the program cannot be run (e.g. ENOENT); dies if no pipe or temporary
 * file can be made.
 */
int child_start(struct child *c, const char *what, char *const argv[],
                char *const env[], int pipe_in, enum child_output output);

/*
 * Waits for c (closing c->in if still open) and returns its wait status
 * as waitpid() gives it.  Dies if waiting fails.  A SIGINT or SIGTERM
 * meanwhile (cancel.h) sends c SIGTERM, reaps it and exits as
 * cancel_exit() does.
 */
int child_wait(struct child *c);

/*
 * For CHILD_COLLECT: waits for c and, when it exited 0, copies its
 * warnings (stderr) to ours, one line each, and returns the size of its
 * stdout (c->out stays open at its start; the caller fclose()s it).  When
 * it failed, dies with "what failed: <its first error line>" or "what was
 * killed by signal N: ...".
 */
size_t child_finish(struct child *c);

/*
 * child_finish() for pg_dump, which also tells failures apart: when a
 * LOCK TABLE of its outlasted --lock-wait-timeout, returns (size_t)-1 with
 * *lock_table set to the table as pg_dump named it (an SQL name, quoted
 * where needed; malloc'ed) so that the caller can name who holds it; when
 * the server's lock table was full, dies saying to raise
 * max_locks_per_transaction.  With failed not NULL, any other failure of
 * an exit status (not a signal, not a full TMPDIR) returns (size_t)-1
 * with *failed set to the line child_finish() would die with (malloc'ed)
 * and c's files closed, so that the caller can look for the cause (a
 * table dropped meanwhile) before it dies.  *lock_table and *failed are
 * left alone otherwise.
 */
size_t child_finish_lock(struct child *c, char **lock_table, char **failed);

/*
 * For CHILD_COLLECT, after child_wait(): the first line of c's stderr that
 * says "error" (or its last line, or "no message"), and the number of
 * lines it wrote in *nlines.  Malloc'ed.
 */
char *child_error_line(struct child *c, size_t *nlines);

/* An unlinked temporary file in $TMPDIR or /tmp, opened "w+"; dies. */
FILE *child_tmpfile(void);

#endif
