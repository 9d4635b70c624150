/* Unit tests of lib/monotime.c: the clock and seconds for reports. */
#include <stdio.h>
#include <string.h>

#include "monotime.h"
#include "tap.h"

/* seconds as a report prints them (JSON_REAL_PRECISION). */
static const char *
shown(double seconds)
{
	static char buf[64];

	snprintf(buf, sizeof buf, "%.*g", MONOTIME_JSON_PRECISION, seconds);
	return buf;
}

int
main(void)
{
	double a = monotime_now(), b = monotime_now();

	ok(a > 0 && b >= a, "the clock does not go back");
	is_str(shown(monotime_ms(0.66519914799999924)), "0.665",
	       "rounded to the millisecond, no binary noise");
	is_str(shown(monotime_ms(1234.5675)), "1234.568", "half up");
	is_str(shown(monotime_ms(0.0004)), "0", "under half a millisecond");
	is_str(shown(monotime_ms(86400.25)), "86400.25", "a day and a quarter second");
	return done_testing();
}
