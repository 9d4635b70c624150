/* Unit tests of lib/cancel.c and lib/pglock.c's message that need no
 * server: a signal is noted, not fatal; any failure after it reads
 * "tool: cancelled" and exits 1; the lock holders are named. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cancel.h"
#include "err.h"
#include "pglock.h"
#include "tap.h"

/* Runs fn in a child with stderr captured into buf; returns its status. */
static int
in_child(void (*fn)(void), char *buf, size_t n)
{
	int fd[2], status;
	ssize_t got, len = 0;
	pid_t pid;

	if (pipe(fd) != 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		fn();
		_exit(99);
	}
	close(fd[1]);
	while ((got = read(fd[0], buf + len, n - 1 - (size_t)len)) > 0)
		len += got;
	buf[len] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void
sigint_then_die(void)
{
	cancel_init();
	raise(SIGINT);
	if (!cancel_requested())
		_exit(98);
	die(EXIT_TEMPFAIL, "cannot copy public.bills: canceling statement");
}

static void
sigterm_then_check(void)
{
	cancel_init();
	cancel_check(); /* nothing yet */
	raise(SIGTERM);
	cancel_check();
}

static void
die_without_signal(void)
{
	cancel_init();
	die(EXIT_TEMPFAIL, "cannot connect");
}

static PGresult *
holders(int n, const char *const *pids, const char *const *apps)
{
	PGresAttDesc att[2];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	memset(att, 0, sizeof att);
	att[0].name = (char *)"pid";
	att[1].name = (char *)"application_name";
	att[0].typid = att[1].typid = 25;
	att[0].typlen = att[1].typlen = -1;
	att[0].atttypmod = att[1].atttypmod = -1;
	PQsetResultAttrs(res, 2, att);
	for (int i = 0; i < n; i++) {
		PQsetvalue(res, i, 0, (char *)pids[i], (int)strlen(pids[i]));
		if (apps[i] != NULL)
			PQsetvalue(res, i, 1, (char *)apps[i], (int)strlen(apps[i]));
		else
			PQsetvalue(res, i, 1, NULL, -1);
	}
	return res;
}

int
main(void)
{
	char buf[512];
	int st;
	const char *pids[] = {"4242", "4250", "4251"};
	const char *apps[] = {"psql", "", NULL};
	PGresult *res;
	char *s;

	err_init("sdump");
	st = in_child(sigint_then_die, buf, sizeof buf);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 1, "SIGINT, then a failure: exit 1");
	is_str(buf, "sdump: cancelled\n", "one line: cancelled");
	st = in_child(sigterm_then_check, buf, sizeof buf);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 1, "SIGTERM: cancel_check exits 1");
	is_str(buf, "sdump: cancelled\n", "one line: cancelled");
	st = in_child(die_without_signal, buf, sizeof buf);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 75, "no signal: die's own status");
	is_str(buf, "sdump: cannot connect\n", "no signal: die's own message");

	res = holders(3, pids, apps);
	s = pglock_describe(res);
	is_str(s, "pid 4242 (application_name psql), pid 4250, pid 4251",
	       "holders named, application_name when visible");
	free(s);
	PQclear(res);
	res = holders(0, pids, apps);
	s = pglock_describe(res);
	is_str(s, "another session", "no visible holder");
	free(s);
	PQclear(res);
	s = pglock_describe(NULL);
	is_str(s, "another session", "no result");
	free(s);
	return done_testing();
}
