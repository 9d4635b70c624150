/*
 * caltime.h: the calendar (proleptic Gregorian days, ISO weeks, month
 * arithmetic) and wall-clock time in the zone TZ names, as sprune needs them
 * to date and bucket a million backup names quickly.
 *
 * Times are seconds since the epoch (UTC).  Conversions to and from TZ's wall
 * clock use localtime_r(3) and cache each day's UTC offset, so that they are
 * correct across daylight-saving changes and cost little more than the
 * arithmetic.  Call caltime_reset() after changing TZ.
 */
#ifndef STRONGBOX_CALTIME_H
#define STRONGBOX_CALTIME_H

#include <stdint.h>

/* A wall-clock time: year, month 1-12, day 1-31, hour, minute, second. */
struct caltime_fields {
	int year, mon, mday, hour, min, sec;
};

/*
 * Days from 1970-01-01 to year-mon-mday.  Any mon and mday are accepted and
 * normalised (month 13 is January of the next year, day 0 the last day of
 * the month before), as Go's time.Date and mktime(3) do.
 */
int64_t caltime_days_from_civil(int64_t year, int64_t mon, int64_t mday);

/* The date of a day number from caltime_days_from_civil(). */
void caltime_civil_from_days(int64_t days, int *year, int *mon, int *mday);

/* Days in a month (1-12) of a year, leap years counted. */
int caltime_days_in_month(int year, int mon);

/* Day of the week of a day number: 1 Monday ... 7 Sunday (ISO 8601). */
int caltime_weekday(int64_t days);

/* The ISO 8601 week (1-53) of a date and the year that week belongs to. */
void caltime_iso_week(int year, int mon, int mday, int *iso_year, int *week);

/*
 * The UTC time of a wall-clock time in TZ.  Fields out of range are
 * normalised.  A time that occurs twice (the hour repeated when clocks go
 * back) is the first of the two; a time that never occurs (the hour skipped
 * when clocks go forward) is moved forward by the change, as mktime(3)
 * does.
 */
int64_t caltime_from_local(const struct caltime_fields *f);

/* The wall-clock time in TZ of UTC time t. */
void caltime_to_local(int64_t t, struct caltime_fields *f);

/* TZ's offset east of UTC, in seconds, at UTC time t. */
long caltime_utc_offset(int64_t t);

/*
 * t moved by whole years, months and days on TZ's calendar, keeping the wall
 * clock, with the overflow normalised (Go's Time.AddDate: 31 March minus
 * one month is 3 March, or 2 March in a leap year).
 */
int64_t caltime_add_date(int64_t t, int years, int months, int days);

/* Forgets cached offsets and re-reads TZ (tzset(3)). */
void caltime_reset(void);

#endif
