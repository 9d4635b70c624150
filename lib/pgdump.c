/* pgdump.c: running pg_dump as a child; see pgdump.h. */
#include "pgdump.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sha256.h"

#include "err.h"
#include "xalloc.h"

FILE *
pgdump_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;
	FILE *fp;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	path = xasprintf("%s/sdump.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		die_errno(EXIT_FAIL, "cannot create a temporary file in %s", dir);
	unlink(path);
	free(path);
	fp = fdopen(fd, "w+");
	if (fp == NULL)
		die_errno(EXIT_FAIL, "cannot open a temporary file");
	return fp;
}

void
pgdump_start(struct pgdump_child *c, const char *what, char *const argv[],
             char *const env[])
{
	posix_spawn_file_actions_t fa;
	int r;

	c->what = what;
	c->out = pgdump_tmpfile();
	c->err = pgdump_tmpfile();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(c->out), 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(c->err), 2);
	r = posix_spawn(&c->pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		die_errno(EXIT_FAIL, "cannot run %s", argv[0]);
	}
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

size_t
pgdump_wait(struct pgdump_child *c)
{
	int status;
	struct stat st;
	char line[1024];

	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno(EXIT_FAIL, "cannot wait for %s", c->what);
	fflush(c->out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *msg = error_line(c->err);

		if (WIFSIGNALED(status))
			die(EXIT_FAIL, "%s was killed by signal %d: %s", c->what,
			    WTERMSIG(status), msg);
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

/* "pg_dump (PostgreSQL) 15.20 (Debian ...)" -> "15.20", major 1500. */
static char *
parse_version(const char *out, int *major)
{
	const char *p = strstr(out, ") ");
	size_t n;
	int a = 0, b = 0;

	if (p == NULL)
		return NULL;
	p += 2;
	n = strcspn(p, " \r\n");
	if (n == 0 || sscanf(p, "%d.%d", &a, &b) < 1)
		return NULL;
	*major = a >= 10 ? a * 100 : a * 100 + b;
	return xstrndup(p, n);
}

/* Runs "path --version"; returns its version or NULL. */
static char *
version_of(const char *path, char **env, int *major)
{
	char *argv[] = {(char *)path, "--version", NULL};
	struct pgdump_child c;
	char buf[256];
	size_t n;
	int status;
	char *v;

	if (access(path, X_OK) != 0)
		return NULL;
	c.out = pgdump_tmpfile();
	c.err = pgdump_tmpfile();
	{
		posix_spawn_file_actions_t fa;
		int r;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
		                                 0);
		posix_spawn_file_actions_adddup2(&fa, fileno(c.out), 1);
		posix_spawn_file_actions_adddup2(&fa, fileno(c.err), 2);
		r = posix_spawn(&c.pid, path, &fa, NULL, argv, env);
		posix_spawn_file_actions_destroy(&fa);
		if (r != 0) {
			fclose(c.out);
			fclose(c.err);
			return NULL;
		}
	}
	while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR)
		;
	rewind(c.out);
	n = fread(buf, 1, sizeof buf - 1, c.out);
	buf[n] = '\0';
	fclose(c.out);
	fclose(c.err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return NULL;
	v = parse_version(buf, major);
	return v;
}

static int
cmp_desc_version(const void *a, const void *b)
{
	/* "/usr/lib/postgresql/N/bin/...": newest major first. */
	size_t skip = strlen("/usr/lib/postgresql/");
	int x = atoi(*(char *const *)a + skip);
	int y = atoi(*(char *const *)b + skip);

	return (x < y) - (x > y);
}

char *
pgdump_find(const char *prog, int server_num, char **env, char **version)
{
	int want = server_num >= 100000 ? server_num / 10000 * 100
	                                 : server_num / 100;
	const char *fixed = getenv("SDUMP_PG_DUMP");
	char **cands = NULL;
	size_t n = 0, cap = 0;
	char *best_old = NULL, *best_old_v = NULL, *found = NULL;
	int any = 0;

#define ADD(s)                                                               \
	do {                                                                 \
		if (n == cap) {                                              \
			cap = cap ? 2 * cap : 16;                            \
			cands = xreallocarray(cands, cap, sizeof *cands);    \
		}                                                            \
		cands[n++] = (s);                                            \
	} while (0)

	if (fixed != NULL && *fixed != '\0') {
		ADD(xstrdup(fixed));
	} else {
		const char *path = getenv("PATH");
		glob_t g;

		if (path != NULL) {
			char *copy = xstrdup(path), *save = NULL;

			for (char *d = strtok_r(copy, ":", &save); d;
			     d = strtok_r(NULL, ":", &save))
				if (*d)
					ADD(xasprintf("%s/%s", d, prog));
			free(copy);
		}
		if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) == 0) {
			size_t first = n;

			for (size_t i = 0; i < g.gl_pathc; i++)
				ADD(xasprintf("%s/%s", g.gl_pathv[i], prog));
			qsort(cands + first, n - first, sizeof *cands,
			      cmp_desc_version);
			globfree(&g);
		}
	}
#undef ADD
	for (size_t i = 0; i < n && found == NULL; i++) {
		int major = 0;
		char *v = version_of(cands[i], env, &major);

		if (v == NULL)
			continue;
		any = 1;
		if (major >= want) {
			found = xstrdup(cands[i]);
			*version = v;
		} else if (best_old == NULL) {
			best_old = xstrdup(cands[i]);
			best_old_v = v;
		} else {
			free(v);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(cands[i]);
	free(cands);
	if (found) {
		free(best_old);
		free(best_old_v);
		return found;
	}
	if (fixed != NULL && *fixed != '\0' && !any)
		die(EXIT_FAIL,
		    "cannot run %s (SDUMP_PG_DUMP): not an executable %s", fixed,
		    prog);
	if (!any)
		die(EXIT_FAIL,
		    "no %s found in PATH or /usr/lib/postgresql/*/bin: install "
		    "the PostgreSQL client %d or later, or use --data-only",
		    prog, want / 100);
	die(EXIT_FAIL,
	    "%s %s (%s) is older than the server (%d): install the "
	    "PostgreSQL client %d or later",
	    prog, best_old_v, best_old, want / 100, want / 100);
}

void
pgdump_sha256(FILE *fp, size_t len, char hex[65])
{
	struct sha256_ctx *ctx = sha256_new();
	char buf[65536];

	rewind(fp);
	while (len > 0) {
		size_t n = fread(buf, 1, len < sizeof buf ? len : sizeof buf, fp);
		if (n == 0)
			die(EXIT_FAIL, "cannot read pg_dump's output back: %s",
			    ferror(fp) ? strerror(errno) : "it is shorter than written");
		sha256_update(ctx, buf, n);
		len -= n;
	}
	sha256_final(ctx, hex);
	rewind(fp);
}
