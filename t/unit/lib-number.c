/* Unit tests of lib/number.c: the one grammar of whole numbers in options. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "number.h"
#include "tap.h"

static long long
num(const char *s)
{
	long long v;

	return number_parse(s, &v) < 0 ? -999 : v;
}

/* The exit status of number_option(opt, s, min, max) in a child. */
static int
option_status(const char *s, long long min, long long max)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		number_option("-j", s, min, max);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(int argc, char **argv)
{
	(void)argc;
	err_init(argv[0]);
	is_int(num("4"), 4, "a digit");
	is_int(num("0"), 0, "zero");
	is_int(num("-1"), -1, "negative");
	is_int(num("9223372036854775807"), 9223372036854775807LL, "LLONG_MAX");
	is_int(num(""), -999, "empty");
	is_int(num(" 4"), -999, "leading blank");
	is_int(num("+4"), -999, "plus sign");
	is_int(num("4x"), -999, "trailing garbage");
	is_int(num("4 "), -999, "trailing blank");
	is_int(num("-"), -999, "a lone minus");
	is_int(num("0x10"), -999, "hex");
	is_int(num("1e3"), -999, "exponent");
	is_int(num("1.5"), -999, "fraction");
	is_int(num("9223372036854775808"), -999, "overflow");
	is_int(number_option("-j", "8", 1, 64), 8, "number_option in range");
	is_int(option_status("8", 1, 64), 0, "in range: no exit");
	is_int(option_status("0", 1, 64), 2, "below the range: usage error");
	is_int(option_status("65", 1, 64), 2, "above the range: usage error");
	is_int(option_status("x", 1, 64), 2, "not a number: usage error");
	return done_testing();
}
