/* pgclient.c: finding PostgreSQL's client programs; see pgclient.h. */
#include "pgclient.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "err.h"
#include "xalloc.h"

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

/*
 * Why the first program that exists could not tell its version, so that
 * "no pg_dump found" never hides the real cause (an errno, a crash).
 */
static char *why_not;

static void
note_why_not(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
note_why_not(const char *fmt, ...)
{
	va_list ap;

	if (why_not != NULL)
		return;
	va_start(ap, fmt);
	why_not = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Runs "path --version"; returns its version or NULL. */
static char *
version_of(const char *path, char **env, int *major)
{
	char *argv[] = {(char *)path, "--version", NULL};
	struct child c;
	char buf[256];
	size_t n;
	int status;
	char *v;

	if (access(path, F_OK) != 0)
		return NULL;
	if (access(path, X_OK) != 0) {
		note_why_not("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (child_start(&c, path, argv, env, 0, CHILD_COLLECT) < 0) {
		note_why_not("%s: %s", path, strerror(errno));
		return NULL;
	}
	status = child_wait(&c);
	rewind(c.out);
	n = fread(buf, 1, sizeof buf - 1, c.out);
	buf[n] = '\0';
	fclose(c.out);
	fclose(c.err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			note_why_not("%s --version was killed by signal %d", path,
			             WTERMSIG(status));
		else
			note_why_not("%s --version exited %d", path,
			             WEXITSTATUS(status));
		return NULL;
	}
	v = parse_version(buf, major);
	if (v == NULL)
		note_why_not("%s --version printed no version", path);
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

/*
 * The program the environment names for prog: STRONGBOX_PG_DUMP for
 * pg_dump (SDUMP_PG_DUMP, its old name, still counts), STRONGBOX_PG_RESTORE
 * for pg_restore; NULL when unset or empty.  *var names the variable.
 */
static const char *
env_program(const char *prog, const char **var)
{
	static const struct {
		const char *prog, *var, *old;
	} names[] = {
		{"pg_dump", "STRONGBOX_PG_DUMP", "SDUMP_PG_DUMP"},
		{"pg_restore", "STRONGBOX_PG_RESTORE", NULL},
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v;

		if (strcmp(prog, names[i].prog) != 0)
			continue;
		*var = names[i].var;
		v = getenv(names[i].var);
		if ((v == NULL || *v == '\0') && names[i].old != NULL) {
			*var = names[i].old;
			v = getenv(names[i].old);
		}
		return v != NULL && *v != '\0' ? v : NULL;
	}
	return NULL;
}

const char *
pgclient_program(const char *prog)
{
	const char *var;
	const char *v = env_program(prog, &var);

	return v ? v : prog;
}

char *
pgclient_find(const char *prog, int server_num, char **env, char **version)
{
	int want = server_num >= 100000 ? server_num / 10000 * 100
	                                 : server_num / 100;
	const char *var = NULL;
	const char *fixed = env_program(prog, &var);
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

	if (fixed != NULL) {
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
	if (fixed != NULL && !any)
		die(EXIT_FAIL, "cannot run %s (%s): not an executable %s", fixed,
		    var, prog);
	if (!any && why_not != NULL)
		die(EXIT_FAIL, "no usable %s: %s", prog, why_not);
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
