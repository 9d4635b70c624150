/* number.c: whole numbers in options; see number.h. */
#include "number.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "err.h"

int
number_parse(const char *s, long long *v)
{
	char *end;
	const char *d = *s == '-' ? s + 1 : s;

	/* strtoll alone would take leading blanks and a '+'. */
	if (!isdigit((unsigned char)*d))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

long long
number_option(const char *opt, const char *s, long long min, long long max)
{
	long long v;

	if (number_parse(s, &v) < 0 || v < min || v > max)
		die_usage("%s: want a whole number from %lld to %lld, not \"%s\"",
		          opt, min, max, s);
	return v;
}
