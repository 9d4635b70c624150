/*
 * Unit tests of lib/branchday.c: dates, today and yesterday, and RFC 3339
 * in the branch's zone.
 */
#include <stdlib.h>
#include <string.h>

#include "branchday.h"
#include "caltime.h"
#include "tap.h"

static void
set_tz(const char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	caltime_reset();
}

static int64_t
day(const char *s)
{
	int64_t d = -1;

	if (branchday_parse(s, 0, &d) < 0)
		return -999999;
	return d;
}

static void
test_branchday(void)
{
	char b[BRANCHDAY_TIME_LEN];
	int64_t d, now;

	set_tz("Asia/Kolkata");
	is_int(day("1970-01-02"), 1, "1970-01-02 is day 1");
	is_int(day("2024-02-29"), caltime_days_from_civil(2024, 2, 29), "leap day");
	is_int(day("2026-02-29"), -999999, "no 29 February in 2026");
	is_int(day("2026-13-01"), -999999, "month 13");
	is_int(day("2026-1-01"), -999999, "short month");
	is_int(day("2026-01-01x"), -999999, "trailing text");
	is_int(day("20260101"), -999999, "no dashes");
	is_int(day("+026-01-01"), -999999, "sign");
	is_int(day(""), -999999, "empty");
	/* 2026-02-16T18:30:00Z is midnight of the 17th in Kolkata. */
	now = 1771266600;
	ok(branchday_parse("today", now, &d) == 0 &&
	   d == caltime_days_from_civil(2026, 2, 17), "today at 00:00 IST");
	ok(branchday_parse("yesterday", now - 1, &d) == 0 &&
	   d == caltime_days_from_civil(2026, 2, 15), "yesterday at 23:59:59 IST");
	branchday_rfc3339(now - 1, b);
	is_str(b, "2026-02-16T23:59:59+05:30", "RFC 3339 with +05:30");
	is_int(branchday_start(caltime_days_from_civil(2026, 2, 17)), now,
	       "the day starts at 18:30 UTC");
	branchday_format(caltime_days_from_civil(2026, 2, 7), b);
	is_str(b, "2026-02-07", "format");

	set_tz("America/New_York");
	branchday_rfc3339(1771266600, b);
	is_str(b, "2026-02-16T13:30:00-05:00", "negative offset");
	/* 2026-03-08 has 23 hours in New York. */
	d = caltime_days_from_civil(2026, 3, 8);
	is_int(branchday_start(d + 1) - branchday_start(d), 23 * 3600,
	       "a day of 23 hours");
	set_tz("UTC");
	branchday_rfc3339(0, b);
	is_str(b, "1970-01-01T00:00:00+00:00", "UTC");

	char *z;
	set_tz(":Asia/Kolkata");
	is_str(z = branchday_zone(""), "Asia/Kolkata", "TZ=:Zone");
	free(z);
	set_tz("/usr/share/zoneinfo/Europe/Berlin");
	is_str(z = branchday_zone(""), "Europe/Berlin", "TZ as a zoneinfo path");
	free(z);
	set_tz("");
	is_str(z = branchday_zone(""), "UTC", "TZ empty is UTC");
	free(z);
	set_tz(NULL);
	is_str(z = branchday_zone("/nonexistent"), "UTC",
	       "no TZ and no system zone: UTC");
	free(z);

	static const struct {
		const char *tz;
		int known;
	} zones[] = {
		{NULL, 1}, {"", 1}, {":", 1}, {"UTC", 1}, {"GMT", 1},
		{"Asia/Kolkata", 1}, {":Asia/Kolkata", 1},
		{"/usr/share/zoneinfo/Asia/Kolkata", 1}, {"IST-5:30", 1},
		{"<+0530>-5:30", 1}, {"EST5EDT,M3.2.0,M11.1.0", 1},
		{"Asia/Kolkatta", 0}, {":Asia/Kolkatta", 0}, {"Nowhere", 0},
		{":IST-5:30", 0}, {"Asia/../../etc/passwd", 0}, {"/nonexistent", 0},
		{"/usr/share/zoneinfo", 0}, {"IS-5", 0}, {"<+05>-5", 1},
		{"<+5", 0}, {"IST", 0},
	};
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		set_tz(zones[i].tz);
		ok(branchday_zone_known() == zones[i].known, "TZ=%s: %s",
		   zones[i].tz ? zones[i].tz : "(unset)",
		   zones[i].known ? "a zone" : "no zone");
		{
			char *e = branchday_zone_error();
			ok((e == NULL) == zones[i].known, "  branchday_zone_error() agrees");
			if (e && zones[i].tz)
				ok(strstr(e, zones[i].tz) != NULL &&
				   strstr(e, "names no time zone") != NULL, "  it names TZ: %s", e);
			free(e);
		}
	}
	set_tz(NULL);
}

int
main(void)
{
	test_branchday();
	return done_testing();
}
