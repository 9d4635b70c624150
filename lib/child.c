/* child.c: running a child program; see child.h. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cancel.h"
#include "err.h"
#include "tmpname.h"
#include "xalloc.h"

/* TMPDIR, or /tmp. */
static const char *
tmp_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir == NULL || *dir == '\0' ? "/tmp" : dir;
}

FILE *
child_tmpfile(void)
{
	const char *dir = tmp_dir();
	char *path;
	int fd;
	FILE *fp;

	path = xasprintf("%s/" TMPNAME_PREFIX "XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		die_errno(EXIT_FAIL, "cannot create a temporary file %s "
		          "(TMPDIR)", path);
	unlink(path);
	/*
	 * A full file system still makes the file, then loses what a child
	 * writes to it (and its error messages too): try a byte first, so
	 * that the cause is named here, not guessed later.
	 */
	if (write(fd, "", 1) != 1 || ftruncate(fd, 0) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		die_errno(EXIT_FAIL, "cannot write a temporary file %s (TMPDIR)",
		          path);
	}
	lseek(fd, 0, SEEK_SET);
	free(path);
	fp = fdopen(fd, "w+");
	if (fp == NULL)
		die_errno(EXIT_FAIL, "cannot open a temporary file");
	return fp;
}

int
child_start(struct child *c, const char *what, char *const argv[],
            char *const env[], int pipe_in, enum child_output output)
{
	posix_spawn_file_actions_t fa;
	int pfd[2] = {-1, -1}, r;

	c->what = what;
	c->in = -1;
	c->out = c->err = NULL;
	if (pipe_in && pipe(pfd) < 0)
		die_errno(EXIT_FAIL, "cannot make a pipe");
	if (output == CHILD_COLLECT) {
		c->out = child_tmpfile();
		c->err = child_tmpfile();
	}
	posix_spawn_file_actions_init(&fa);
	if (pipe_in) {
		posix_spawn_file_actions_adddup2(&fa, pfd[0], 0);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		posix_spawn_file_actions_addclose(&fa, pfd[1]);
	} else {
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
		                                 0);
	}
	if (output == CHILD_COLLECT) {
		posix_spawn_file_actions_adddup2(&fa, fileno(c->out), 1);
		posix_spawn_file_actions_adddup2(&fa, fileno(c->err), 2);
	} else {
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	}
	r = posix_spawnp(&c->pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (pipe_in)
		close(pfd[0]);
	if (r != 0) {
		if (pipe_in)
			close(pfd[1]);
		if (c->out)
			fclose(c->out);
		if (c->err)
			fclose(c->err);
		c->out = c->err = NULL;
		errno = r;
		return -1;
	}
	c->in = pfd[1];
	return 0;
}

int
child_wait(struct child *c)
{
	int status;

	if (c->in >= 0) {
		close(c->in);
		c->in = -1;
	}
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR)
			die_errno(EXIT_FAIL, "cannot wait for %s", c->what);
		if (cancel_requested()) {
			/* pg_dump and pg_restore cancel their query on SIGTERM. */
			kill(c->pid, SIGTERM);
			while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
				;
			cancel_exit();
		}
	}
	return status;
}

/* The first line of fp (from its start) that says "error", or the last. */
static char *
error_line(FILE *fp)
{
	char line[1024], *pick = NULL;

	rewind(fp);
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (strstr(line, "error:") || strstr(line, "FATAL") ||
		    strstr(line, "ERROR")) {
			free(pick);
			return xstrdup(line);
		}
		free(pick);
		pick = xstrdup(line);
	}
	return pick ? pick : xstrdup("no message");
}

char *
child_error_line(struct child *c, size_t *nlines)
{
	char line[1024];

	*nlines = 0;
	rewind(c->err);
	while (fgets(line, sizeof line, c->err))
		if (strchr(line, '\n') != NULL)
			(*nlines)++;
	return error_line(c->err);
}

/*
 * The table of pg_dump's "LOCK TABLE x IN ACCESS SHARE MODE" when its
 * error is the statement timeout that --lock-wait-timeout sets, else NULL.
 */
static char *
lock_timeout_table(FILE *fp)
{
	static const char query[] = "Query was: LOCK TABLE ";
	char line[1024];
	int timeout = 0;

	rewind(fp);
	while (fgets(line, sizeof line, fp)) {
		const char *q = strstr(line, query);
		if (strstr(line, "canceling statement due to statement timeout"))
			timeout = 1;
		if (timeout && q != NULL) {
			q += strlen(query);
			return xstrndup(q, strcspn(q, " \r\n"));
		}
	}
	return NULL;
}

size_t
child_finish(struct child *c)
{
	return child_finish_lock(c, NULL, NULL);
}

/* True when the file system of c's output files has no room left. */
static int
tmp_full(struct child *c)
{
	struct statvfs vfs;

	return fstatvfs(fileno(c->err), &vfs) == 0 && vfs.f_bavail == 0;
}

size_t
child_finish_lock(struct child *c, char **lock_table, char **failed)
{
	int status = child_wait(c);
	struct stat st;
	char line[1024];

	fflush(c->out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *msg = error_line(c->err), *table;

		if (WIFSIGNALED(status))
			die(EXIT_FAIL, "%s was killed by signal %d: %s",
			    c->what, WTERMSIG(status), msg);
		if (lock_table != NULL &&
		    (table = lock_timeout_table(c->err)) != NULL) {
			free(msg);
			*lock_table = table;
			return (size_t)-1;
		}
		if (strcmp(msg, "no message") == 0 && tmp_full(c)) {
			errno = ENOSPC;
			die_errno(EXIT_FAIL, "%s failed: its output could not be "
			          "written to %s (TMPDIR)", c->what, tmp_dir());
		}
		if (strstr(msg, "out of shared memory"))
			die(EXIT_FAIL, "%s failed: the server's lock table is full "
			    "(out of shared memory): raise max_locks_per_transaction",
			    c->what);
		if (failed != NULL) {
			*failed = xasprintf("%s failed: %s", c->what, msg);
			free(msg);
			fclose(c->out);
			fclose(c->err);
			c->out = c->err = NULL;
			return (size_t)-1;
		}
		die(EXIT_FAIL, "%s failed: %s", c->what, msg);
	}
	/* Pass its warnings on, one line each. */
	rewind(c->err);
	while (fgets(line, sizeof line, c->err)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			warnmsg("%s", line);
	}
	fclose(c->err);
	c->err = NULL;
	if (fstat(fileno(c->out), &st) != 0)
		die_errno(EXIT_FAIL, "cannot read the output of %s", c->what);
	rewind(c->out);
	return (size_t)st.st_size;
}
