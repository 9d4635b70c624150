/* branchday.c: the branch's days in TZ; see branchday.h. */
#include "branchday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caltime.h"
#include "xalloc.h"

int
branchday_parse(const char *s, int64_t now, int64_t *day)
{
	int y, m, d, n = 0;

	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		*day = branchday_of(now) - (s[0] == 'y');
		return 0;
	}
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (m < 1 || m > 12 || d < 1 || d > caltime_days_in_month(y, m))
		return -1;
	*day = caltime_days_from_civil(y, m, d);
	return 0;
}

int64_t
branchday_of(int64_t t)
{
	struct caltime_fields f;

	caltime_to_local(t, &f);
	return caltime_days_from_civil(f.year, f.mon, f.mday);
}

int64_t
branchday_start(int64_t day)
{
	struct caltime_fields f = {0};

	caltime_civil_from_days(day, &f.year, &f.mon, &f.mday);
	return caltime_from_local(&f);
}

void
branchday_format(int64_t day, char *buf)
{
	int y, m, d;

	caltime_civil_from_days(day, &y, &m, &d);
	snprintf(buf, BRANCHDAY_DATE_LEN, "%04d-%02d-%02d", y, m, d);
}

void
branchday_rfc3339(int64_t t, char *buf)
{
	struct caltime_fields f;
	long off = caltime_utc_offset(t);
	long a = off < 0 ? -off : off;

	caltime_to_local(t, &f);
	snprintf(buf, BRANCHDAY_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	         f.year, f.mon, f.mday, f.hour, f.min, f.sec, off < 0 ? '-' : '+',
	         a / 3600, a / 60 % 60);
}

/* The part of a zoneinfo path after ".../zoneinfo/", or NULL. */
static const char *
after_zoneinfo(const char *path)
{
	const char *p = strstr(path, "zoneinfo/");

	return p ? p + strlen("zoneinfo/") : NULL;
}

char *
branchday_zone(const char *root)
{
	const char *tz = getenv("TZ");
	char path[4096], link[4096], line[256];
	const char *z;
	FILE *fp;
	ssize_t n;

	if (tz != NULL) {
		if (*tz == ':')
			tz++;
		if (*tz == '\0')
			return xstrdup("UTC");
		if (*tz == '/' && (z = after_zoneinfo(tz)) != NULL && *z)
			return xstrdup(z);
		return xstrdup(tz);
	}
	snprintf(path, sizeof path, "%s/etc/localtime", root);
	n = readlink(path, link, sizeof link - 1);
	if (n > 0) {
		link[n] = '\0';
		if ((z = after_zoneinfo(link)) != NULL && *z)
			return xstrdup(z);
	}
	snprintf(path, sizeof path, "%s/etc/timezone", root);
	if ((fp = fopen(path, "r")) != NULL) {
		char *ok = fgets(line, sizeof line, fp);

		fclose(fp);
		if (ok != NULL) {
			line[strcspn(line, " \t\r\n")] = '\0';
			if (line[0] != '\0')
				return xstrdup(line);
		}
	}
	return xstrdup("UTC");
}

/* s starts a POSIX TZ rule: a name of 3 letters or more (or <...>), then
 * an offset. */
static int
posix_rule(const char *s)
{
	size_t n = 0;

	if (*s == '<') {
		const char *e = strchr(s, '>');

		if (e == NULL || e - s < 4)
			return 0;
		s = e + 1;
	} else {
		while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))
			n++;
		if (n < 3)
			return 0;
		s += n;
	}
	if (*s == '+' || *s == '-')
		s++;
	return *s >= '0' && *s <= '9';
}

static int
regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
branchday_zone_known(void)
{
	const char *tz = getenv("TZ"), *dir = getenv("TZDIR");
	char path[4096];
	int colon = 0, n;

	if (tz == NULL)
		return 1;
	if (*tz == ':') {
		colon = 1;
		tz++;
	}
	if (*tz == '\0' || strcmp(tz, "UTC") == 0 || strcmp(tz, "GMT") == 0)
		return 1;
	if (*tz == '/')
		return regular_file(tz);
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	n = snprintf(path, sizeof path, "%s/%s", dir, tz);
	if (strstr(tz, "..") == NULL && n > 0 && (size_t)n < sizeof path &&
	    regular_file(path))
		return 1;
	return !colon && posix_rule(tz);
}

char *
branchday_zone_error(void)
{
	if (branchday_zone_known())
		return NULL;
	return xasprintf("TZ \"%s\" names no time zone (see /usr/share/zoneinfo): "
	                 "the days would be UTC's", getenv("TZ"));
}
