/* Unit tests of lib/pgopts.c: pg_dump's connection options, the conninfo
 * they make with DATABASE_URL, and the password hidden from argv. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "pgopts.h"
#include "tap.h"

static void
hide(const char *in, const char *want, const char *title)
{
	char *s = strdup(in);

	pgopts_hide_password(s);
	is_str(s, want, "%s", title);
	free(s);
}

/* Parses argv as sdump would and returns the conninfo (or "(null)"). */
static char *
run(int argc, char **argv, struct pgopts *o)
{
	static const struct option longopts[] = {PGOPTS_LONG, {NULL, 0, NULL, 0}};
	int c;
	char *ci;

	memset(o, 0, sizeof *o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "?" PGOPTS_SHORT, longopts, NULL)) !=
	       -1)
		if (!pgopts_option(o, c, optarg))
			return strdup(pgopts_is_help(c, argv) ? "help" : "bad");
	pgopts_finish(o, argc - optind, argv + optind);
	ci = pgopts_conninfo(o);
	return ci ? ci : strdup("(null)");
}

static void
conn(const char *env, const char *want, const char *title, int argc, ...)
{
	char *argv[16], *ci;
	struct pgopts o;
	va_list ap;

	if (env)
		setenv("DATABASE_URL", env, 1);
	else
		unsetenv("DATABASE_URL");
	argv[0] = strdup("sdump");
	va_start(ap, argc);
	for (int i = 1; i < argc; i++)
		argv[i] = strdup(va_arg(ap, const char *));
	va_end(ap);
	argv[argc] = NULL;
	ci = run(argc, argv, &o);
	is_str(ci, want, "%s", title);
	free(ci);
	pgopts_clear(&o);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

static void
help_usage(void)
{
	printf("usage: sdump\n");
}

/* Reads all of fd into buf (n bytes at most, NUL-terminated). */
static void
drain(int fd, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t r;

	while (len + 1 < n && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
}

/*
 * Runs the getopt_long() loop of a tool on the one option arg in a child
 * whose default: branch is pgopts_default(), and checks its exit status,
 * stdout and stderr.
 */
static void
dflt(const char *arg, int want_code, const char *want_out,
     const char *want_err)
{
	static const struct option longopts[] = {PGOPTS_LONG, {NULL, 0, NULL, 0}};
	static const char optstring[] = "?" PGOPTS_SHORT;
	int out[2], errp[2], status = -1;
	char obuf[256], ebuf[256];
	pid_t pid;

	fflush(stdout);
	if (pipe(out) != 0 || pipe(errp) != 0 || (pid = fork()) < 0) {
		ok(0, "pgopts_default %s: cannot fork", arg);
		return;
	}
	if (pid == 0) {
		char a0[] = "sdump", *a1 = strdup(arg), *argv[] = {a0, a1, NULL};
		struct pgopts o = {0};
		int c;

		dup2(out[1], 1);
		dup2(errp[1], 2);
		close(out[0]);
		close(errp[0]);
		opterr = 0;
		while ((c = getopt_long(2, argv, optstring, longopts, NULL)) != -1)
			if (!pgopts_option(&o, c, optarg))
				pgopts_default(c, argv, optstring, help_usage);
		_exit(99);
	}
	close(out[1]);
	close(errp[1]);
	drain(out[0], obuf, sizeof obuf);
	drain(errp[0], ebuf, sizeof ebuf);
	waitpid(pid, &status, 0);
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, want_code,
	       "pgopts_default %s: exit status", arg);
	is_str(obuf, want_out, "pgopts_default %s: stdout", arg);
	is_str(ebuf, want_err, "pgopts_default %s: stderr", arg);
}

int
main(void)
{
	char a0[] = "sdump", a1[] = "-d",
	     a2[] = "postgresql://app:s3cret@db.example:5433/salon?sslmode=require",
	     *argv[] = {a0, a1, a2, NULL};
	char b1[] = "--dbname=host=h password='se cret' dbname=x",
	     *argv2[] = {a0, b1, NULL};
	char c1[] = "postgres://u:pw@h/d", *argv3[] = {a0, c1, NULL};
	struct pgopts o;
	char *ci;

	err_init("sdump");

	/*
	 * The default: branch every connecting tool shares, first: glibc's
	 * getopt keeps optopt from an earlier error, and these children must
	 * start as fresh as a new process.
	 */
	dflt("-?", 0, "usage: sdump\n", "");
	dflt("--help", 0, "usage: sdump\n", "");
	dflt("--version", 0, "sdump (strongbox) " STRONGBOX_VERSION "\n", "");
	dflt("--help=x", 2, "",
	     "sdump: option --help takes no argument (see 'sdump --help')\n");
	dflt("-x", 2, "", "sdump: unknown option -x (see 'sdump --help')\n");
	dflt("--bogus", 2, "",
	     "sdump: unknown option --bogus (see 'sdump --help')\n");

	hide("postgresql://u:s3cret@h/db", "postgresql://u:xxxxxx@h/db",
	     "URL password overwritten");
	hide("postgresql+asyncpg://u:s3cret@h:5/db?ssl=require",
	     "postgresql+asyncpg://u:xxxxxx@h:5/db?ssl=require",
	     "framework URL password overwritten");
	hide("postgresql://u@h/db?password=s3cret&sslmode=require",
	     "postgresql://u@h/db?password=xxxxxx&sslmode=require",
	     "URL ?password= overwritten");
	hide("postgresql://u:p%40ss@h/db", "postgresql://u:xxxxxx@h/db",
	     "percent-encoded password overwritten");
	hide("postgresql://u@h/db", "postgresql://u@h/db", "no password: unchanged");
	hide("host=h password=s3cret dbname=d", "host=h password=xxxxxx dbname=d",
	     "conninfo password overwritten");
	hide("host=h password = 'a \\' b' dbname=d",
	     "host=h password = 'xxxxxx' dbname=d",
	     "quoted conninfo password overwritten");
	hide("salon", "salon", "bare name unchanged");

	ci = run(3, argv, &o);
	ok(strstr(argv[2], "s3cret") == NULL, "argv no longer holds the password");
	is_str(argv[2], "postgresql://app:xxxxxx@db.example:5433/salon?sslmode=require",
	       "argv keeps its length and the rest");
	ok(strstr(ci, "password='s3cret'") != NULL, "the conninfo keeps it");
	free(ci);
	pgopts_clear(&o);
	ci = run(2, argv2, &o);
	is_str(argv2[1], "--dbname=host=h password='xxxxxxx' dbname=x",
	       "--dbname=CONNINFO password overwritten");
	is_str(ci, "password='se cret' dbname='x' host='h'", "conninfo rebuilt");
	free(ci);
	pgopts_clear(&o);
	ci = run(2, argv3, &o);
	is_str(argv3[1], "postgres://u:xx@h/d", "operand URL password overwritten");
	free(ci);
	pgopts_clear(&o);
	ok(o.dbname_copy == NULL, "pgopts_clear: the copy is gone");
	pgopts_clear(&o);

	conn(NULL, "(null)", "nothing given: libpq defaults", 1);
	conn("postgres://u:p@h:5433/salon", "user='u' password='p' dbname='salon' "
	     "host='h' port='5433'", "DATABASE_URL alone", 1);
	conn("postgres://u:p@h:5433/salon", "user='u' password='p' dbname='other' "
	     "host='h' port='5433'", "a bare -d name keeps the URL's host, port, "
	     "user", 3, "-d", "other");
	conn("postgres://u:p@h:5433/salon", "user='u' password='p' dbname='other' "
	     "host='h' port='5433'", "so does the operand", 2, "other");
	conn("postgres://u:p@h:5433/salon", "dbname='x' host='k'",
	     "a -d conninfo replaces DATABASE_URL", 3, "-d", "host=k dbname=x");
	conn("postgres://u:p@h:5433/salon", "user='U' password='p' dbname='salon' "
	     "host='H' port='7'", "-h -p -U win over DATABASE_URL", 7, "-h",
	     "H", "-p", "7", "-U", "U");
	conn(NULL, "dbname='salon' host='H' port='7' user='U'",
	     "sdump -h H -p 7 -U U salon", 8, "-h", "H", "-p", "7", "-U", "U",
	     "salon");
	conn(NULL, "user='u' dbname='d' host='H'",
	     "-h wins over a -d URL's host", 5, "-d", "postgresql+asyncpg://u@h/d",
	     "--host", "H");
	conn(NULL, "dbname='it\\'s' user='a\\\\b'", "quotes and backslashes escaped",
	     4, "--username=a\\b", "-d", "it's");
	conn(NULL, "dbname='d' sslmode='require'", "asyncpg ssl= normalized", 2,
	     "postgresql+asyncpg:///d?ssl=require");
	conn(NULL, "help", "-? is help", 2, "-?");
	conn(NULL, "bad", "-x is not help", 2, "-x");
	conn(NULL, "bad", "--bogus is not help", 2, "--bogus");
	conn(NULL, "bad", "-h alone lacks its argument", 2, "-h");
	unsetenv("DATABASE_URL");
	return done_testing();
}
