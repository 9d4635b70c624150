/* duration.c: the --lock-timeout DURATION; see duration.h. */
#include "duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int
duration_parse(const char *s, long *ms)
{
	unsigned long long v;
	long long unit;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "min") == 0)
		unit = 60000;
	else
		return -1;
	if (v == 0 || v > (unsigned long long)DURATION_MAX_MS / unit)
		return -1;
	*ms = (long)(v * unit);
	return 0;
}

long
duration_option(const char *option, const char *s)
{
	long ms;

	if (duration_parse(s, &ms) != 0)
		die_usage("invalid %s: '%s' (a number with ms, s or min, "
		          "e.g. 30s; a bare number is seconds)",
		          option, s);
	return ms;
}

char *
duration_format(long ms, char *buf, unsigned long n)
{
	if (ms % 60000 == 0)
		snprintf(buf, n, "%ldmin", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, n, "%lds", ms / 1000);
	else
		snprintf(buf, n, "%ldms", ms);
	return buf;
}
