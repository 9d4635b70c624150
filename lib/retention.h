/*
 * retention.h: which backups a keep policy keeps, with restic's semantics
 * (restic `forget`, internal/data/snapshot_policy.go):
 *
 * - backups are taken newest first; each count rule (last, hourly, daily,
 *   weekly, monthly, yearly) keeps the newest backup of each of its next N
 *   buckets (hour, day, ISO week, month, year on TZ's calendar), counting
 *   its own buckets; the rules combine as a union;
 * - a count rule with count left over when the oldest backup is reached
 *   keeps that oldest backup too;
 * - --keep-within keeps every backup newer than the reference time minus
 *   the duration (calendar years, months and days, then hours);
 *   --keep-within-daily etc. keep the newest of each bucket in that range;
 * - the reference is the newest backup (not in the future), or a given time.
 *
 * With `oldest` set, a bucket is represented by its first backup instead of
 * its last (a monthly backup is the first of the month); which buckets count
 * does not change.  Backups after `now` take no part: they are kept.
 *
 * Pure logic: no I/O.  Times are bucketed with caltime.h (TZ).
 */
#ifndef STRONGBOX_RETENTION_H
#define STRONGBOX_RETENTION_H

#include <stddef.h>
#include <stdint.h>

enum retention_rule {
	RET_LAST,
	RET_HOURLY,
	RET_DAILY,
	RET_WEEKLY,
	RET_MONTHLY,
	RET_YEARLY,
	RET_NRULES
};

#define RETENTION_UNLIMITED (-1L)

/* A duration on the calendar: "1y2m3d4h" (m is a month). */
struct retention_duration {
	int years, months, days, hours;
};

struct retention_policy {
	long keep[RET_NRULES];             /* 0 off, N, RETENTION_UNLIMITED */
	struct retention_duration within;  /* --keep-within */
	/* --keep-within-hourly .. -yearly; [RET_LAST] is unused */
	struct retention_duration within_rule[RET_NRULES];
	int oldest;                        /* first backup of each bucket */
};

/* Why a backup is kept: bits of retention_item.reasons. */
#define RET_WHY_RULE(r) (1u << (r))              /* "daily snapshot" */
#define RET_WHY_RULE_OLDEST(r) (1u << (6 + (r))) /* "oldest daily snapshot" */
#define RET_WHY_WITHIN (1u << 12)                /* "within 7d" */
#define RET_WHY_WITHIN_RULE(r) (1u << (12 + (r))) /* "daily within 7d" */
#define RET_WHY_WITHIN_OLDEST(r) (1u << (17 + (r)))
#define RET_WHY_FUTURE (1u << 23)                /* "in the future" */

/* A time: seconds since the epoch and nanoseconds. */
struct retention_time {
	int64_t sec;
	long nsec;
};

/* One backup.  Fill with retention_item_init(); apply sets reasons. */
struct retention_item {
	int64_t sec;
	int32_t nsec;
	int32_t year;
	int16_t iso_year;
	uint8_t mon, mday, hour, iso_week;
	uint32_t reasons; /* 0: delete */
};

/* Sets an item's time and its buckets on TZ's calendar; clears reasons. */
void retention_item_init(struct retention_item *it, int64_t sec, long nsec);

/*
 * Parses a count: a whole number 0..100000000 or "unlimited".  Returns 0
 * and sets *n, or -1.
 */
int retention_parse_count(const char *s, long *n);

/*
 * Parses a duration: one or more NUMBER UNIT with units y, m (month), d, h,
 * each at most once ("7d", "1y2m3d4h").  Returns 0 or -1.
 */
int retention_parse_duration(const char *s, struct retention_duration *d);

/* Writes d as restic does ("1y2m3d4h", zero parts left out) into buf. */
void retention_format_duration(const struct retention_duration *d,
                               char *buf, size_t size);

/* 1 when no rule keeps anything (a usage error in sprune). */
int retention_policy_empty(const struct retention_policy *p);

/*
 * Applies p to one series: the items idx[0..n) of items, idx in input order
 * (which breaks ties between equal times).  Items after *now are kept as
 * RET_WHY_FUTURE; the reference for the within rules is *ref when ref is not
 * NULL, else the newest of the others.  Sets each item's reasons and returns
 * how many are kept.  Allocates only scratch space (dies on failure).
 */
size_t retention_apply(struct retention_item *items, const uint32_t *idx,
                       size_t n, const struct retention_policy *p,
                       const struct retention_time *now,
                       const struct retention_time *ref);

/*
 * Writes the reasons of mask, comma separated, in restic's order and words
 * ("daily snapshot, monthly snapshot", "within 7d") into buf.
 */
void retention_explain(uint32_t reasons, const struct retention_policy *p,
                       char *buf, size_t size);

#endif
