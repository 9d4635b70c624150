/* size.c: byte sizes in options; see size.h. */
#include "size.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"

int
size_parse(const char *s, unsigned long long *bytes)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	case 't':
	case 'T': shift = 40; break;
	default: break;
	}
	if (shift) {
		end++;
		if (*end == 'i')
			end++;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (shift && v > (~0ull >> shift)))
		return -1;
	*bytes = v << shift;
	return 0;
}

/* "1 byte", "512 bytes", "5MiB", "1GiB": for messages. */
static void
size_name(unsigned long long v, char *buf, size_t len)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
	int k = -1;

	while (k < 3 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		k++;
	}
	if (k < 0)
		snprintf(buf, len, "%llu byte%s", v, v == 1 ? "" : "s");
	else
		snprintf(buf, len, "%llu%s", v, unit[k]);
}

unsigned long long
size_option(const char *opt, const char *s, unsigned long long min,
            unsigned long long max)
{
	unsigned long long v;
	char lo[32], hi[32];

	if (size_parse(s, &v) < 0)
		die_usage("%s: not a size: \"%s\" (try 16MiB)", opt, s);
	if (v < min || v > max) {
		size_name(min, lo, sizeof lo);
		size_name(max, hi, sizeof hi);
		die_usage("%s: want a size from %s to %s, not \"%s\"", opt, lo,
		          hi, s);
	}
	return v;
}
