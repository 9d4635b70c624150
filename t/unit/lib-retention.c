/*
 * Unit tests of lib/retention.c: counts, durations, each rule's buckets,
 * the oldest backup kept with counts left over, ties, --oldest, future
 * backups, within rules against a reference, and the reason texts.
 */
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "retention.h"
#include "tap.h"
#include "timestamp.h"

#define MAXN 64

static struct retention_item items[MAXN];
static uint32_t idx[MAXN];
static size_t n;

static int64_t
utc(const char *s)
{
	struct timestamp_stamp st;
	long nsec;

	if (!timestamp_find(s, strlen(s), &st))
		abort();
	return timestamp_to_utc(&st, &nsec);
}

/* Loads a list of times, in input order. */
static void
load(const char *const *times)
{
	for (n = 0; times[n]; n++) {
		retention_item_init(&items[n], utc(times[n]), 0);
		idx[n] = (uint32_t)n;
	}
}

/* Applies p and returns the kept ones as a string of input positions. */
static const char *
apply(const struct retention_policy *p, const char *now, const char *ref)
{
	static char buf[MAXN * 4];
	struct retention_time tn = {now ? utc(now) : INT64_MAX / 2, 0};
	struct retention_time tr = {ref ? utc(ref) : 0, 0};
	size_t k = 0, kept, count = 0;

	kept = retention_apply(items, idx, n, p, &tn, ref ? &tr : NULL);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!items[i].reasons)
			continue;
		k += snprintf(buf + k, sizeof buf - k, "%s%zu", k ? " " : "", i);
		count++;
	}
	return kept == count ? buf : "wrong count";
}

static const char *
why(size_t i, const struct retention_policy *p)
{
	static char buf[256];

	retention_explain(items[i].reasons, p, buf, sizeof buf);
	return buf;
}

int
main(void)
{
	struct retention_policy p;
	struct retention_duration d;
	long c;
	char buf[64];

	setenv("TZ", "UTC", 1);
	caltime_reset();

	/* Parsing. */
	ok(retention_parse_count("7", &c) == 0 && c == 7, "count 7");
	ok(retention_parse_count("unlimited", &c) == 0 &&
	   c == RETENTION_UNLIMITED, "count unlimited");
	ok(retention_parse_count("0", &c) == 0 && c == 0, "count 0");
	ok(retention_parse_count("-1", &c) < 0, "no negative counts");
	ok(retention_parse_count("", &c) < 0, "no empty count");
	ok(retention_parse_count("7d", &c) < 0, "no count with a unit");
	ok(retention_parse_count("99999999999999999999", &c) < 0,
	   "no huge count");
	ok(retention_parse_duration("1y2m3d4h", &d) == 0 && d.years == 1 &&
	   d.months == 2 && d.days == 3 && d.hours == 4, "1y2m3d4h");
	ok(retention_parse_duration("90d", &d) == 0 && d.days == 90, "90d");
	ok(retention_parse_duration("1y1d1m", &d) == 0 && d.months == 1,
	   "units in any order");
	retention_format_duration(&d, buf, sizeof buf);
	is_str(buf, "1y1m1d", "formatted as restic does");
	ok(retention_parse_duration("", &d) < 0, "no empty duration");
	ok(retention_parse_duration("7", &d) < 0, "no duration without unit");
	ok(retention_parse_duration("7w", &d) < 0, "no weeks");
	ok(retention_parse_duration("1d2d", &d) < 0, "no unit twice");
	ok(retention_parse_duration("d", &d) < 0, "no unit alone");
	ok(retention_parse_duration("-1d", &d) < 0, "no negative duration");
	ok(retention_parse_duration("99999999d", &d) < 0, "no huge duration");

	memset(&p, 0, sizeof p);
	ok(retention_policy_empty(&p), "no rule: empty");
	p.keep[RET_DAILY] = 0;
	p.oldest = 1;
	ok(retention_policy_empty(&p), "--oldest alone: empty");
	p.within_rule[RET_WEEKLY].days = 1;
	ok(!retention_policy_empty(&p), "a within rule: not empty");

	/* Daily: the newest of each day; the oldest with count left over. */
	{
		static const char *const t[] = {
			"2026-01-01T01:00:00Z", "2026-01-01T23:00:00Z",
			"2026-01-02T01:00:00Z", "2026-01-02T02:00:00Z",
			"2026-01-03T05:00:00Z", NULL};
		load(t);
		memset(&p, 0, sizeof p);
		p.keep[RET_DAILY] = 2;
		is_str(apply(&p, NULL, NULL), "3 4", "daily 2: newest of 2 days");
		p.keep[RET_DAILY] = 3;
		is_str(apply(&p, NULL, NULL), "1 3 4", "daily 3");
		p.keep[RET_DAILY] = 4;
		is_str(apply(&p, NULL, NULL), "0 1 3 4",
		       "daily 4: count left, the oldest kept too");
		is_str(why(0, &p), "oldest daily snapshot", "its reason");
		p.keep[RET_DAILY] = RETENTION_UNLIMITED;
		is_str(apply(&p, NULL, NULL), "0 1 3 4", "daily unlimited");
		p.oldest = 1;
		p.keep[RET_DAILY] = 2;
		is_str(apply(&p, NULL, NULL), "2 4",
		       "--oldest: the first of each of the 2 newest days");
		p.keep[RET_DAILY] = RETENTION_UNLIMITED;
		is_str(apply(&p, NULL, NULL), "0 2 4", "--oldest unlimited");
		is_str(why(0, &p), "daily snapshot", "the first of its day");

		/* Union: each rule counts its own buckets. */
		memset(&p, 0, sizeof p);
		p.keep[RET_LAST] = 2;
		p.keep[RET_DAILY] = 2;
		is_str(apply(&p, NULL, NULL), "3 4", "last 2 + daily 2");
		is_str(why(4, &p), "last snapshot, daily snapshot",
		       "both reasons");
		p.keep[RET_LAST] = 3;
		is_str(apply(&p, NULL, NULL), "2 3 4", "last 3 + daily 2");
	}

	/* Input order does not matter, but breaks ties. */
	{
		static const char *const t[] = {
			"2026-01-02T02:00:00Z", "2026-01-01T01:00:00Z",
			"2026-01-03T05:00:00Z", "2026-01-03T05:00:00Z",
			"2026-01-02T01:00:00Z", NULL};
		load(t);
		memset(&p, 0, sizeof p);
		p.keep[RET_LAST] = 1;
		is_str(apply(&p, NULL, NULL), "2", "last 1: the first of a tie");
		p.keep[RET_LAST] = 0;
		p.keep[RET_DAILY] = 2;
		is_str(apply(&p, NULL, NULL), "0 2", "daily in shuffled input");
		p.oldest = 1;
		is_str(apply(&p, NULL, NULL), "3 4",
		       "--oldest: the later of a tie, the earliest of a day");
	}

	/* Weekly and yearly across year ends: ISO weeks. */
	{
		static const char *const t[] = {
			"2020-12-30T12:00:00Z", /* 2020-W53 */
			"2021-01-02T12:00:00Z", /* 2020-W53 */
			"2021-01-04T12:00:00Z", /* 2021-W01 */
			NULL};
		load(t);
		memset(&p, 0, sizeof p);
		p.keep[RET_WEEKLY] = 2;
		is_str(apply(&p, NULL, NULL), "1 2", "week 53 spans the new year");
		memset(&p, 0, sizeof p);
		p.keep[RET_YEARLY] = 2;
		is_str(apply(&p, NULL, NULL), "0 2", "years are calendar years");
		memset(&p, 0, sizeof p);
		p.keep[RET_MONTHLY] = 1;
		is_str(apply(&p, NULL, NULL), "2", "monthly 1");
	}

	/* Within: relative to the newest, or to a given reference. */
	{
		static const char *const t[] = {
			"2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z",
			"2026-01-09T00:00:00Z", "2026-01-10T00:00:00Z", NULL};
		load(t);
		memset(&p, 0, sizeof p);
		p.within.days = 5;
		is_str(apply(&p, NULL, NULL), "2 3", "within 5d of the newest");
		is_str(why(2, &p), "within 5d", "reason within 5d");
		p.within.days = 9;
		is_str(apply(&p, NULL, NULL), "1 2 3",
		       "within 9d: 2026-01-01 is not after the start");
		is_str(apply(&p, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
		       "", "a reference far on: nothing within");
		p.within.days = 0;
		p.within_rule[RET_MONTHLY].months = 2;
		is_str(apply(&p, NULL, NULL), "0 3",
		       "monthly within 2m, and the oldest within");
		is_str(why(0, &p), "oldest monthly within 2m", "its reason");
		p.oldest = 1;
		is_str(apply(&p, NULL, NULL), "0", "monthly within 2m, oldest");
	}

	/* The future takes no part and is kept. */
	{
		static const char *const t[] = {
			"2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z",
			"2030-01-01T00:00:00Z", NULL};
		load(t);
		memset(&p, 0, sizeof p);
		p.keep[RET_LAST] = 1;
		is_str(apply(&p, "2026-06-01T00:00:00Z", NULL), "1 2",
		       "last 1 is the newest not in the future");
		is_str(why(2, &p), "in the future", "its reason");
		p.keep[RET_LAST] = 0;
		p.within.days = 1;
		is_str(apply(&p, "2026-06-01T00:00:00Z", NULL), "1 2",
		       "within counts from the newest not in the future");
	}
	/*
	 * The order, newest first with ties in input order, on shuffled times
	 * with fractions and many ties (the radix sort): --keep-last k keeps
	 * exactly the k first of a reference order, for every k.
	 */
	{
		enum { N = 300 };
		static struct retention_item ref[N];
		uint32_t order[N];
		int good = 1;

		srand(7);
		for (size_t i = 0; i < N; i++) {
			int64_t sec = 1700000000 + (rand() % 50) * 3600 -
			              (rand() % 3 == 0 ? 2000000000LL : 0);
			long ns = (rand() % 3) * 250000000L;

			retention_item_init(&items[i % MAXN], sec, ns);
			ref[i] = items[i % MAXN];
			order[i] = (uint32_t)i;
		}
		/* Insertion sort: stable, newest first. */
		for (size_t i = 1; i < N; i++) {
			uint32_t v = order[i];
			size_t j = i;

			while (j > 0 && (ref[v].sec > ref[order[j - 1]].sec ||
			                 (ref[v].sec == ref[order[j - 1]].sec &&
			                  ref[v].nsec > ref[order[j - 1]].nsec))) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = v;
		}
		memset(&p, 0, sizeof p);
		for (size_t k = 1; k <= N && good; k++) {
			static uint32_t all[N];
			struct retention_time tn = {INT64_MAX / 2, 0};

			for (size_t i = 0; i < N; i++)
				all[i] = (uint32_t)i;
			p.keep[RET_LAST] = (long)k;
			retention_apply(ref, all, N, &p, &tn, NULL);
			for (size_t i = 0; i < N; i++)
				if (!!ref[order[i]].reasons != (i < k))
					good = 0;
		}
		ok(good, "stable newest-first order of 300 shuffled times");
	}

	/* Empty series. */
	n = 0;
	memset(&p, 0, sizeof p);
	p.keep[RET_LAST] = 1;
	is_str(apply(&p, NULL, NULL), "", "no items");
	return done_testing();
}
