/* err.c: diagnostics and exit codes; see err.h. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#ifndef STRONGBOX_VERSION
#define STRONGBOX_VERSION "unknown"
#endif

static const char *progname = "strongbox";
static int (*cancelled_fn)(void);

void
err_set_cancelled(int (*cancelled)(void))
{
	cancelled_fn = cancelled;
}

/* After SIGINT/SIGTERM, any failure is reported as the cancel it is. */
static void
exit_if_cancelled(void)
{
	if (cancelled_fn != NULL && cancelled_fn()) {
		fprintf(stderr, "%s: cancelled\n", progname);
		fflush(stderr);
		exit(EXIT_FAIL);
	}
}

void
err_init(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

const char *
err_progname(void)
{
	return progname;
}

static void __attribute__((format(printf, 1, 0)))
vmsg(const char *fmt, va_list ap, const char *errstr)
{
	/* One write so that concurrent writers do not interleave a line. */
	char buf[4096];
	int n;

	n = snprintf(buf, sizeof buf, "%s: ", progname);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof buf)
		n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if (errstr && (size_t)n < sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, ": %s", errstr);
	if ((size_t)n >= sizeof buf - 1)
		n = sizeof buf - 2;
	/* Never let a message span lines: a cron mail reads one line. */
	for (int i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	buf[n++] = '\n';
	fwrite(buf, 1, n, stderr);
	fflush(stderr);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	exit_if_cancelled();
	va_start(ap, fmt);
	vmsg(fmt, ap, NULL);
	va_end(ap);
	exit(code);
}

void
die_errno(int code, const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	exit_if_cancelled();
	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
	exit(code);
}

void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, NULL);
	va_end(ap);
}

void
warnmsg_errno(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
}

void
die_usage(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	die(EXIT_USAGE, "%s (see '%s --help')", buf, progname);
}

void
die_bad_option(const char *optstring, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const char *known;

	if (arg == NULL)
		arg = "";
	if (strncmp(arg, "--", 2) == 0) {
		size_t n = strcspn(arg, "=");

		if (optopt == 0)
			die_usage("unknown option %.*s", (int)n, arg);
		if (arg[n] == '=')
			die_usage("option %.*s takes no argument", (int)n, arg);
		die_usage("option %s needs an argument", arg);
	}
	known = optopt ? strchr(optstring, optopt) : NULL;
	if (known && known[1] == ':')
		die_usage("option -%c needs an argument", optopt);
	if (optopt > 32 && optopt < 127)
		die_usage("unknown option -%c", optopt);
	die_usage("unknown option %s", arg);
}

void
print_version(void)
{
	printf("%s (strongbox) %s\n", progname, STRONGBOX_VERSION);
	finish_stdout();
	exit(EXIT_OK);
}

void
finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		die_errno(EXIT_FAIL, "cannot write to standard output");
}
