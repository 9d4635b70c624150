/*
 * branchday.h: the branch's calendar days in TZ, as smetrics names them
 * (YYYY-MM-DD, today, yesterday), the zone's name for the server, and
 * RFC 3339 times with TZ's offset.  Days are day numbers of caltime.h
 * (days since 1970-01-01); times are seconds since the epoch.
 */
#ifndef STRONGBOX_BRANCHDAY_H
#define STRONGBOX_BRANCHDAY_H

#include <stdint.h>

/* Room for a day (YYYY-MM-DD) or an RFC 3339 time, with the NUL. */
#define BRANCHDAY_DATE_LEN 16
#define BRANCHDAY_TIME_LEN 40

/*
 * Parses s: a real date YYYY-MM-DD, "today" or "yesterday" (the day of
 * time now in TZ, or the one before).  Returns 0 and sets *day, or -1.
 */
int branchday_parse(const char *s, int64_t now, int64_t *day);

/* The day in TZ of time t. */
int64_t branchday_of(int64_t t);

/* The time TZ's day begins (its first second: midnight, or later when a
 * clock change skips midnight). */
int64_t branchday_start(int64_t day);

/* Writes day as YYYY-MM-DD into buf (BRANCHDAY_DATE_LEN bytes). */
void branchday_format(int64_t day, char *buf);

/* Writes t as TZ's wall clock with its offset, e.g.
 * 2026-02-16T21:45:00+05:30, into buf (BRANCHDAY_TIME_LEN bytes). */
void branchday_rfc3339(int64_t t, char *buf);

/*
 * The name of the zone for the server (PostgreSQL's TimeZone): $TZ
 * without a leading ":" or ".../zoneinfo/" prefix; "UTC" when TZ is set
 * but empty; when TZ is unset, the system's zone (the zoneinfo link
 * /etc/localtime, which the C library reads, else /etc/timezone); else
 * "UTC".  Returns a malloc'ed string.
 * root is prepended to the /etc paths (tests), normally "".
 */
char *branchday_zone(const char *root);

/*
 * Whether TZ names a zone the C library can read: unset or empty (the
 * system's, or UTC); UTC or GMT; a file (":NAME" or "NAME" under TZDIR,
 * default /usr/share/zoneinfo, without ".."; or an absolute path); or,
 * without ":", a POSIX rule such as IST-5:30 or <+0530>-5:30.  Otherwise
 * the C library silently takes UTC.  Returns 1 or 0.
 */
int branchday_zone_known(void);

/*
 * NULL when branchday_zone_known(); else the one-line message a tool that
 * reads days in TZ dies with (malloc'ed): TZ names no zone, and the days
 * would be UTC's.
 */
char *branchday_zone_error(void);

#endif
