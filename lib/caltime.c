/* caltime.c: calendar arithmetic and TZ's wall clock; see caltime.h. */
#include "caltime.h"

#include <string.h>
#include <time.h>

#define DAY 86400

/* Each cache maps a day number to what is constant over it. */
#define CACHE_SLOTS 32768 /* 90 years of days */

struct day_offsets {
	int64_t day;
	long before, after; /* offsets around the day */
	int valid;
};

static struct day_offsets utc_cache[CACHE_SLOTS];   /* keyed by UTC day */
static struct day_offsets local_cache[CACHE_SLOTS]; /* keyed by local day */
static int initialised;

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
caltime_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	/* Normalise the month first, then let the day overflow freely. */
	y += floor_div(m - 1, 12);
	m = m - 1 - floor_div(m - 1, 12) * 12 + 1;
	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 + (d - 1);
}

void
caltime_civil_from_days(int64_t z, int *year, int *mon, int *mday)
{
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*mon <= 2));
}

int
caltime_days_in_month(int year, int mon)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
	                              31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (mon < 1 || mon > 12)
		return 0;
	return mdays[mon - 1] + (mon == 2 && leap);
}

int
caltime_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(days + 3 - floor_div(days + 3, 7) * 7) + 1;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

void
caltime_iso_week(int year, int mon, int mday, int *iso_year, int *week)
{
	static const int before[12] = {0,   31,  59,  90,  120, 151,
	                               181, 212, 243, 273, 304, 334};
	int64_t days = caltime_days_from_civil(year, mon, mday);
	int64_t jan1 = days - (before[mon - 1] + (mon > 2 && is_leap(year)) +
	                       mday - 1);
	/* A week belongs to the year its Thursday is in. */
	int64_t thursday = days - caltime_weekday(days) + 4;

	if (thursday < jan1) {
		*iso_year = year - 1;
		jan1 -= 365 + is_leap(year - 1);
	} else if (thursday >= jan1 + 365 + is_leap(year)) {
		*iso_year = year + 1;
		*week = 1;
		return;
	} else {
		*iso_year = year;
	}
	*week = (int)((thursday - jan1) / 7 + 1);
}

void
caltime_reset(void)
{
	tzset();
	memset(utc_cache, 0, sizeof utc_cache);
	memset(local_cache, 0, sizeof local_cache);
	initialised = 1;
}

/* The offset at t straight from the C library. */
static long
libc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

static struct day_offsets *
slot(struct day_offsets *cache, int64_t day)
{
	return &cache[(uint64_t)day % CACHE_SLOTS];
}

long
caltime_utc_offset(int64_t t)
{
	int64_t day = floor_div(t, DAY);
	struct day_offsets *s;

	if (!initialised)
		caltime_reset();
	s = slot(utc_cache, day);
	if (!s->valid || s->day != day) {
		s->day = day;
		s->before = libc_offset(day * DAY);
		s->after = libc_offset(day * DAY + DAY - 1);
		s->valid = 1;
	}
	/* Offsets change at most once a day: the same at both ends, constant. */
	if (s->before == s->after)
		return s->before;
	return libc_offset(t);
}

int64_t
caltime_from_local(const struct caltime_fields *f)
{
	int64_t naive = caltime_days_from_civil(f->year, f->mon, f->mday) * DAY +
	                (int64_t)f->hour * 3600 + (int64_t)f->min * 60 + f->sec;
	int64_t day = floor_div(naive, DAY);
	struct day_offsets *s;
	int64_t ta, tb;
	int va, vb;

	if (!initialised)
		caltime_reset();
	s = slot(local_cache, day);
	if (!s->valid || s->day != day) {
		/* Offsets far enough on either side to see any change that day. */
		s->day = day;
		s->before = caltime_utc_offset((day - 2) * DAY);
		s->after = caltime_utc_offset((day + 3) * DAY);
		s->valid = 1;
	}
	if (s->before == s->after)
		return naive - s->before;
	/* The day of a change: which of the two offsets gives this time? */
	ta = naive - s->before;
	tb = naive - s->after;
	va = caltime_utc_offset(ta) == s->before;
	vb = caltime_utc_offset(tb) == s->after;
	if (va && vb)
		return ta < tb ? ta : tb;
	if (vb)
		return tb;
	return ta; /* valid, or in the gap: pushed forward by the change */
}

void
caltime_to_local(int64_t t, struct caltime_fields *f)
{
	int64_t local = t + caltime_utc_offset(t);
	int64_t days = floor_div(local, DAY);
	int64_t secs = local - days * DAY;

	caltime_civil_from_days(days, &f->year, &f->mon, &f->mday);
	f->hour = (int)(secs / 3600);
	f->min = (int)(secs / 60 % 60);
	f->sec = (int)(secs % 60);
}

int64_t
caltime_add_date(int64_t t, int years, int months, int days)
{
	struct caltime_fields f;

	caltime_to_local(t, &f);
	f.year += years;
	f.mon += months;
	f.mday += days;
	return caltime_from_local(&f);
}
