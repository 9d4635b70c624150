/* Unit tests of lib/duration.c: the --lock-timeout grammar. */
#include "duration.h"
#include "err.h"
#include "tap.h"

static void
good(const char *s, long want)
{
	long ms = -1;

	ok(duration_parse(s, &ms) == 0, "'%s' parses", s);
	is_int(ms, want, "'%s' is %ld ms", s, want);
}

static void
bad(const char *s)
{
	long ms = 42;

	ok(duration_parse(s, &ms) == -1 && ms == 42, "'%s' refused", s);
}

int
main(void)
{
	char buf[16];

	err_init("srestore");
	good("30s", 30000);
	good("30", 30000);
	good("500ms", 500);
	good("2min", 120000);
	good("1s", 1000);
	good(DURATION_LOCK_TIMEOUT_DEFAULT, DURATION_LOCK_TIMEOUT_DEFAULT_MS);
	good("2147483647ms", 2147483647L);
	bad("");
	bad("0");
	bad("0s");
	bad("-1s");
	bad("+3s");
	bad(" 3s");
	bad("3 s");
	bad("3h");
	bad("3m");
	bad("3sec");
	bad("1.5s");
	bad("s");
	bad("2147483648ms");
	bad("35792min");
	bad("99999999999999999999999");
	is_str(duration_format(30000, buf, sizeof buf), "30s", "30000 ms is 30s");
	is_str(duration_format(500, buf, sizeof buf), "500ms", "500 ms");
	is_str(duration_format(120000, buf, sizeof buf), "2min", "2min");
	is_str(duration_format(90000, buf, sizeof buf), "90s", "90s");
	return done_testing();
}
