/*
 * Unit tests of lib/timestamp.c and lib/caltime.c: every name format, later
 * positions after an invalid date, supload -l lines, leap days, ISO weeks,
 * and wall-clock times across DST changes in several zones (checked against
 * the C library's localtime_r).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caltime.h"
#include "tap.h"
#include "timestamp.h"

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	caltime_reset();
}

/* Finds a stamp in s and prints it as "YYYY-MM-DD HH:MM:SS.nnn +off @start+len". */
static const char *
find(const char *s)
{
	static char buf[128];
	struct timestamp_stamp st;

	if (!timestamp_find(s, strlen(s), &st))
		return "none";
	snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03ld %s%ld @%zu+%zu",
	         st.year, st.mon, st.mday, st.hour, st.min, st.sec,
	         st.nsec / 1000000, st.has_offset ? "off" : "local",
	         st.offset, st.start, st.len);
	return buf;
}

static int64_t
utc_of(const char *s)
{
	struct timestamp_stamp st;
	long nsec;

	if (!timestamp_find(s, strlen(s), &st))
		return -1;
	return timestamp_to_utc(&st, &nsec);
}

static int64_t
from_local(int y, int mo, int d, int h, int mi, int s)
{
	struct caltime_fields f = {y, mo, d, h, mi, s};

	return caltime_from_local(&f);
}

/* caltime_to_local agrees with localtime_r at every step over a span. */
static int
agrees_with_libc(int64_t from, int64_t to, int64_t step)
{
	for (int64_t t = from; t < to; t += step) {
		struct caltime_fields f;
		struct tm tm;
		time_t tt = (time_t)t;
		int64_t back;

		caltime_to_local(t, &f);
		localtime_r(&tt, &tm);
		if (f.year != tm.tm_year + 1900 || f.mon != tm.tm_mon + 1 ||
		    f.mday != tm.tm_mday || f.hour != tm.tm_hour ||
		    f.min != tm.tm_min || f.sec != tm.tm_sec ||
		    caltime_utc_offset(t) != tm.tm_gmtoff) {
			printf("# to_local differs at %lld\n", (long long)t);
			return 0;
		}
		/* Back again: t itself, or the first of a repeated time. */
		back = caltime_from_local(&f);
		if (back != t) {
			struct caltime_fields g;

			caltime_to_local(back, &g);
			if (back > t || memcmp(&f, &g, sizeof f) != 0) {
				printf("# from_local(to_local(%lld)) = %lld\n",
				       (long long)t, (long long)back);
				return 0;
			}
		}
	}
	return 1;
}

int
main(void)
{
	int y, w;

	set_tz("UTC");
	/* The formats. */
	is_str(find("branch-a_20260217_220005.sdump"),
	       "2026-02-17 22:00:05.000 local0 @9+15", "YYYYMMDD_HHMMSS");
	is_str(find("db-20260217T220005.dump"),
	       "2026-02-17 22:00:05.000 local0 @3+15", "YYYYMMDDTHHMMSS");
	is_str(find("db-20260217T220005Z.dump"),
	       "2026-02-17 22:00:05.000 off0 @3+16", "YYYYMMDDTHHMMSSZ");
	is_str(find("db_20260217_220005-01.tar"),
	       "2026-02-17 22:00:05.000 local0 @3+15", "-01 after it is no offset");
	is_str(find("backup-2026-02-17T22-00-05.sql.gz"),
	       "2026-02-17 22:00:05.000 local0 @7+19", "YYYY-MM-DDTHH-MM-SS");
	is_str(find("backup-2026-02-17T22-00-05.123Z.sql"),
	       "2026-02-17 22:00:05.123 off0 @7+24", "with .fff and Z");
	is_str(find("weekly-backup-2024-01-01.json"),
	       "2024-01-01 00:00:00.000 local0 @14+10", "YYYY-MM-DD");
	is_str(find("x 2026-02-17T22:00:05+05:30 y"),
	       "2026-02-17 22:00:05.000 off19800 @2+25", "ISO 8601 +05:30");
	is_str(find("2026-02-17T22:00:05.5-0800"),
	       "2026-02-17 22:00:05.500 off-28800 @0+26", "ISO 8601 -0800");
	is_str(find("2026-02-17 22:00:05Z"),
	       "2026-02-17 22:00:05.000 off0 @0+20", "space and Z");
	is_str(find("2026-02-17T22:00"),
	       "2026-02-17 22:00:00.000 local0 @0+16", "no seconds, no offset");
	/* Invalid dates are passed over for later positions. */
	is_str(find("v20261341_000000-20260101_000000"),
	       "2026-01-01 00:00:00.000 local0 @17+15", "month 13 skipped");
	is_str(find("2026-02-30 then 2026-02-28"),
	       "2026-02-28 00:00:00.000 local0 @16+10", "30 February skipped");
	is_str(find("a_20260101_240000_b_20260101_235959"),
	       "2026-01-01 23:59:59.000 local0 @20+15", "hour 24 skipped");
	is_str(find("2026-01-01T25-00-00 2026-01-02"),
	       "2026-01-02 00:00:00.000 local0 @20+10", "bad time skipped");
	/* Digits around a match make it another number. */
	is_str(find("120260101_000000"), "none", "a digit before");
	is_str(find("20260101_0000001"), "none", "a digit after");
	is_str(find("20260101"), "none", "a bare YYYYMMDD is not a time");
	is_str(find("notes.txt"), "none", "no digits");
	is_str(find(""), "none", "empty");
	/* Leap days. */
	is_str(find("b_20240229_120000"), "2024-02-29 12:00:00.000 local0 @2+15",
	       "29 February 2024");
	is_str(find("b_20230229_120000"), "none", "no 29 February 2023");
	is_str(find("b_19000229_120000"), "none", "no 29 February 1900");
	is_str(find("b_20000229_120000"), "2000-02-29 12:00:00.000 local0 @2+15",
	       "29 February 2000");

	/* supload -l lines are dated by their key. */
	{
		const char *l = "b/backups/b_20260101_000000.sdump\t123\t"
		                "2026-03-01T00:00:00Z";
		is_int(timestamp_dated_span(l, strlen(l)), 33, "supload -l: the key");
		l = "b/backups/old.sdump\t123\t2026-03-01T00:00:00Z";
		is_int(timestamp_dated_span(l, strlen(l)), 19, "key without a time");
		l = "name\twith\ttabs";
		is_int(timestamp_dated_span(l, strlen(l)), 14, "other tabs: the line");
		l = "a\t1\tb\tc";
		is_int(timestamp_dated_span(l, strlen(l)), 7, "three tabs: the line");
	}

	/* Calendar. */
	is_int(caltime_days_from_civil(1970, 1, 1), 0, "epoch is day 0");
	is_int(caltime_days_from_civil(2000, 3, 1), 11017, "2000-03-01");
	is_int(caltime_days_from_civil(2016, 2, 31), caltime_days_from_civil(2016, 3, 2),
	       "31 February 2016 is 2 March");
	is_int(caltime_days_from_civil(2016, 13, 1), caltime_days_from_civil(2017, 1, 1),
	       "month 13 is January");
	is_int(caltime_days_from_civil(2016, 0, 1), caltime_days_from_civil(2015, 12, 1),
	       "month 0 is December");
	is_int(caltime_weekday(caltime_days_from_civil(2026, 2, 17)), 2,
	       "17 February 2026 is a Tuesday");
	{
		static const struct { int y, m, d, iy, iw; } weeks[] = {
			{2020, 12, 31, 2020, 53}, {2021, 1, 1, 2020, 53},
			{2021, 1, 4, 2021, 1},    {2026, 1, 1, 2026, 1},
			{2026, 12, 31, 2026, 53}, {2027, 1, 3, 2026, 53},
			{2027, 1, 4, 2027, 1},    {2015, 12, 31, 2015, 53},
			{2008, 12, 29, 2009, 1},  {2024, 12, 30, 2025, 1},
		};
		for (size_t i = 0; i < sizeof weeks / sizeof weeks[0]; i++) {
			caltime_iso_week(weeks[i].y, weeks[i].m, weeks[i].d, &y, &w);
			is_int(y * 100 + w, weeks[i].iy * 100 + weeks[i].iw,
			       "ISO week of %04d-%02d-%02d", weeks[i].y,
			       weeks[i].m, weeks[i].d);
		}
	}
	/* Go's AddDate: 31 March minus a month overflows into March. */
	is_int(caltime_add_date(utc_of("2016-03-31T12:00:00Z"), 0, -1, 0),
	       utc_of("2016-03-02T12:00:00Z"), "2016-03-31 - 1m = 2016-03-02");
	is_int(caltime_add_date(utc_of("2015-03-31T12:00:00Z"), 0, -1, 0),
	       utc_of("2015-03-03T12:00:00Z"), "2015-03-31 - 1m = 2015-03-03");
	is_int(caltime_add_date(utc_of("2024-02-29T00:00:00Z"), -1, 0, 0),
	       utc_of("2023-03-01T00:00:00Z"), "2024-02-29 - 1y = 2023-03-01");

	/* Offsets given in the text do not depend on TZ. */
	set_tz("Asia/Kolkata");
	is_int(utc_of("2026-02-17T22:00:05+05:30"), 1771345805, "+05:30");
	is_int(utc_of("b_20260217_220005"), 1771345805, "local in Kolkata");

	/* Europe/Berlin: CET +1, CEST +2; 2026-03-29 and 2026-10-25. */
	set_tz("Europe/Berlin");
	is_int(utc_of("b_20260115_120000"), utc_of("2026-01-15T11:00:00Z"),
	       "Berlin winter is +01");
	is_int(utc_of("b_20260715_120000"), utc_of("2026-07-15T10:00:00Z"),
	       "Berlin summer is +02");
	is_int(from_local(2026, 3, 29, 1, 59, 59), utc_of("2026-03-29T00:59:59Z"),
	       "just before the spring change");
	is_int(from_local(2026, 3, 29, 3, 0, 0), utc_of("2026-03-29T01:00:00Z"),
	       "just after the spring change");
	is_int(from_local(2026, 3, 29, 2, 30, 0), utc_of("2026-03-29T01:30:00Z"),
	       "02:30 never happened: moved forward to 03:30 CEST");
	is_int(from_local(2026, 10, 25, 2, 30, 0), utc_of("2026-10-25T00:30:00Z"),
	       "02:30 happened twice: the first (CEST)");
	is_int(from_local(2026, 10, 25, 3, 0, 0), utc_of("2026-10-25T02:00:00Z"),
	       "03:00 after the autumn change is CET");
	is_int(caltime_add_date(from_local(2026, 3, 30, 12, 0, 0), 0, 0, -1),
	       from_local(2026, 3, 29, 12, 0, 0),
	       "a day back across the change keeps the wall clock (23 h)");
	ok(agrees_with_libc(utc_of("2025-01-01T00:00:00Z"),
	                    utc_of("2027-01-01T00:00:00Z"), 7 * 60 + 13),
	   "Berlin: agrees with localtime_r over 2025-2026");

	set_tz("America/New_York");
	ok(agrees_with_libc(utc_of("2025-01-01T00:00:00Z"),
	                    utc_of("2027-01-01T00:00:00Z"), 7 * 60 + 13),
	   "New York: agrees with localtime_r");
	set_tz("Australia/Lord_Howe"); /* half-hour DST */
	ok(agrees_with_libc(utc_of("2025-01-01T00:00:00Z"),
	                    utc_of("2027-01-01T00:00:00Z"), 7 * 60 + 13),
	   "Lord Howe: agrees with localtime_r");
	set_tz("Asia/Kolkata");
	ok(agrees_with_libc(utc_of("1940-01-01T00:00:00Z"),
	                    utc_of("1950-01-01T00:00:00Z"), 3 * 3600 + 17),
	   "Kolkata with its wartime changes: agrees with localtime_r");
	set_tz("UTC");
	ok(agrees_with_libc(-86400 * 365LL, 86400 * 365LL, 3599),
	   "UTC around the epoch");
	return done_testing();
}
