/* retention.c: restic's keep policy; see retention.h. */
#include "retention.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "caltime.h"
#include "xalloc.h"

void
retention_item_init(struct retention_item *it, int64_t sec, long nsec)
{
	struct caltime_fields f;
	int iso_year, week;

	caltime_to_local(sec, &f);
	caltime_iso_week(f.year, f.mon, f.mday, &iso_year, &week);
	it->sec = sec;
	it->nsec = (int32_t)nsec;
	it->year = f.year;
	it->iso_year = (int16_t)iso_year;
	it->mon = (uint8_t)f.mon;
	it->mday = (uint8_t)f.mday;
	it->hour = (uint8_t)f.hour;
	it->iso_week = (uint8_t)week;
	it->reasons = 0;
}

int
retention_parse_count(const char *s, long *n)
{
	long v = 0;

	if (strcmp(s, "unlimited") == 0) {
		*n = RETENTION_UNLIMITED;
		return 0;
	}
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 100000000)
			return -1;
	}
	*n = v;
	return 0;
}

int
retention_parse_duration(const char *s, struct retention_duration *d)
{
	int seen = 0;

	*d = (struct retention_duration){0};
	if (*s == '\0')
		return -1;
	while (*s) {
		long v = 0;
		int bit, *field;

		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (*s - '0');
			if (v > 1000000)
				return -1;
		}
		switch (*s) {
		case 'y': field = &d->years; bit = 1; break;
		case 'm': field = &d->months; bit = 2; break;
		case 'd': field = &d->days; bit = 4; break;
		case 'h': field = &d->hours; bit = 8; break;
		default: return -1;
		}
		if (seen & bit)
			return -1;
		seen |= bit;
		*field = (int)v;
		s++;
	}
	return 0;
}

static int
duration_zero(const struct retention_duration *d)
{
	return d->years == 0 && d->months == 0 && d->days == 0 &&
	       d->hours == 0;
}

void
retention_format_duration(const struct retention_duration *d, char *buf,
                          size_t size)
{
	int n = 0;

	buf[0] = '\0';
	if (d->years && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, "%dy", d->years);
	if (d->months && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, "%dm", d->months);
	if (d->days && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, "%dd", d->days);
	if (d->hours && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - n, "%dh", d->hours);
}

int
retention_policy_empty(const struct retention_policy *p)
{
	for (int r = 0; r < RET_NRULES; r++) {
		if (p->keep[r] != 0)
			return 0;
		if (r != RET_LAST && !duration_zero(&p->within_rule[r]))
			return 0;
	}
	return duration_zero(&p->within);
}

static int
after(const struct retention_item *it, const struct retention_time *t)
{
	return it->sec > t->sec || (it->sec == t->sec && it->nsec > t->nsec);
}

/* The bucket of an item under a rule; nr is its place, newest first. */
static int64_t
bucket(const struct retention_item *it, int rule, size_t nr)
{
	switch (rule) {
	case RET_HOURLY:
		return it->year * 1000000LL + it->mon * 10000 + it->mday * 100 +
		       it->hour;
	case RET_DAILY:
		return it->year * 10000LL + it->mon * 100 + it->mday;
	case RET_WEEKLY:
		return it->iso_year * 100LL + it->iso_week;
	case RET_MONTHLY:
		return it->year * 100LL + it->mon;
	case RET_YEARLY:
		return it->year;
	default:
		return (int64_t)nr;
	}
}

/* a is newer than b: the sort order, newest first. */
static int
newer(const struct retention_item *a, const struct retention_item *b)
{
	return a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec);
}

/*
 * A stable LSD radix sort of ord[0, n) newest first: linear in n, and the
 * passes over bytes that are the same in every key (the nanoseconds of
 * whole-second names, the high bytes of the seconds) are skipped.
 */
static void
radix_sort(const struct retention_item *items, uint32_t *ord, size_t n)
{
	struct key {
		uint64_t sec;  /* inverted: ascending order is newest first */
		uint32_t nsec; /* inverted too */
		uint32_t id;
	} *a = xreallocarray(NULL, n, sizeof *a), *b =
		xreallocarray(NULL, n, sizeof *b);
	size_t (*count)[256] = xcalloc(12, sizeof *count);

	for (size_t i = 0; i < n; i++) {
		const struct retention_item *it = &items[ord[i]];

		a[i].sec = ~((uint64_t)it->sec ^ (1ULL << 63));
		a[i].nsec = ~(uint32_t)it->nsec;
		a[i].id = ord[i];
		for (int d = 0; d < 4; d++)
			count[d][(a[i].nsec >> (8 * d)) & 0xff]++;
		for (int d = 0; d < 8; d++)
			count[4 + d][(a[i].sec >> (8 * d)) & 0xff]++;
	}
	/* Least significant first: the nanoseconds, then the seconds. */
	for (int d = 0; d < 12; d++) {
		size_t sum = 0, *c = count[d];
		int shift = d < 4 ? 8 * d : 8 * (d - 4);
		int skip = 0;

		for (int v = 0; v < 256; v++) {
			size_t k = c[v];

			if (k == n)
				skip = 1;
			c[v] = sum;
			sum += k;
		}
		if (skip)
			continue;
		for (size_t i = 0; i < n; i++) {
			unsigned v = d < 4 ? (a[i].nsec >> shift) & 0xff
			                   : (a[i].sec >> shift) & 0xff;

			b[c[v]++] = a[i];
		}
		struct key *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		ord[i] = a[i].id;
	free(a);
	free(b);
	free(count);
}

/*
 * Sorts ord[0, n) newest first, equal times kept in their order (restic's
 * sort.Stable).  Input that is sorted either way (ls output) costs one pass.
 */
static void
sort_newest_first(const struct retention_item *items, uint32_t *ord,
                  size_t n)
{
	size_t i, ascending = 1, descending = 1;

	for (i = 1; i < n && (ascending || descending); i++) {
		if (newer(&items[ord[i]], &items[ord[i - 1]]))
			descending = 0;
		if (newer(&items[ord[i - 1]], &items[ord[i]]))
			ascending = 0;
	}
	if (descending)
		return;
	if (ascending && n > 1) {
		/* Reverse, then put runs of equal times back in input order. */
		size_t run;

		for (i = 0; i < n / 2; i++) {
			uint32_t t = ord[i];
			ord[i] = ord[n - 1 - i];
			ord[n - 1 - i] = t;
		}
		for (i = 0; i < n; i = run) {
			for (run = i + 1; run < n &&
			     !newer(&items[ord[i]], &items[ord[run]]); run++)
				;
			for (size_t a = i, b = run - 1; a < b; a++, b--) {
				uint32_t t = ord[a];
				ord[a] = ord[b];
				ord[b] = t;
			}
		}
		return;
	}
	radix_sort(items, ord, n);
}

/* The start of a within range: ref minus d on TZ's calendar. */
static struct retention_time
within_start(const struct retention_time *ref,
             const struct retention_duration *d)
{
	struct retention_time t = *ref;

	t.sec = caltime_add_date(ref->sec, -d->years, -d->months, -d->days) -
	        (int64_t)d->hours * 3600;
	return t;
}

size_t
retention_apply(struct retention_item *items, const uint32_t *idx, size_t n,
                const struct retention_policy *p,
                const struct retention_time *now,
                const struct retention_time *ref)
{
	uint32_t *ord = xreallocarray(NULL, n ? n : 1, sizeof *ord);
	size_t m = 0, kept = 0;
	long count[RET_NRULES];
	int64_t last[RET_NRULES], wlast[RET_NRULES];
	int has_last[RET_NRULES] = {0}, has_wlast[RET_NRULES] = {0};
	struct retention_time reference, start, wstart[RET_NRULES];
	int use_within, use_wrule[RET_NRULES] = {0};

	for (size_t k = 0; k < n; k++) {
		struct retention_item *it = &items[idx[k]];

		it->reasons = 0;
		if (after(it, now)) {
			it->reasons = RET_WHY_FUTURE;
			kept++;
		} else {
			ord[m++] = idx[k];
		}
	}
	sort_newest_first(items, ord, m);
	if (m == 0)
		goto out;

	if (ref)
		reference = *ref;
	else
		reference = (struct retention_time){items[ord[0]].sec,
		                                    items[ord[0]].nsec};
	use_within = !duration_zero(&p->within);
	if (use_within)
		start = within_start(&reference, &p->within);
	for (int r = RET_HOURLY; r < RET_NRULES; r++) {
		use_wrule[r] = !duration_zero(&p->within_rule[r]);
		if (use_wrule[r])
			wstart[r] = within_start(&reference, &p->within_rule[r]);
	}
	memcpy(count, p->keep, sizeof count);

	for (size_t nr = 0; nr < m; nr++) {
		struct retention_item *cur = &items[ord[nr]];
		const struct retention_item *next =
			nr + 1 < m ? &items[ord[nr + 1]] : NULL;
		uint32_t why = 0;

		if (use_within && after(cur, &start))
			why |= RET_WHY_WITHIN;

		for (int r = 0; r < RET_NRULES; r++) {
			int64_t val;

			if (count[r] == 0)
				continue;
			val = bucket(cur, r, nr);
			if (p->oldest) {
				/* The last of its bucket in this order. */
				if (next && bucket(next, r, nr + 1) == val)
					continue;
				why |= RET_WHY_RULE(r);
			} else if (!has_last[r] || val != last[r]) {
				why |= RET_WHY_RULE(r);
			} else if (!next) {
				/* Count left over: keep the oldest too. */
				why |= RET_WHY_RULE_OLDEST(r);
			} else {
				continue;
			}
			last[r] = val;
			has_last[r] = 1;
			if (count[r] > 0)
				count[r]--;
		}

		for (int r = RET_HOURLY; r < RET_NRULES; r++) {
			int64_t val;

			if (!use_wrule[r] || !after(cur, &wstart[r]))
				continue;
			val = bucket(cur, r, nr);
			if (p->oldest) {
				if (next && after(next, &wstart[r]) &&
				    bucket(next, r, nr + 1) == val)
					continue;
				why |= RET_WHY_WITHIN_RULE(r);
			} else if (!has_wlast[r] || val != wlast[r]) {
				why |= RET_WHY_WITHIN_RULE(r);
			} else if (!next) {
				why |= RET_WHY_WITHIN_OLDEST(r);
			} else {
				continue;
			}
			wlast[r] = val;
			has_wlast[r] = 1;
		}
		cur->reasons = why;
		if (why)
			kept++;
	}
out:
	free(ord);
	return kept;
}

static const char *const rule_name[RET_NRULES] = {
	"last", "hourly", "daily", "weekly", "monthly", "yearly"};

void
retention_explain(uint32_t reasons, const struct retention_policy *p,
                  char *buf, size_t size)
{
	char dur[64];
	size_t n = 0;

#define ADD(...)                                                             \
	do {                                                                 \
		if (n < size) {                                              \
			int w_ = snprintf(buf + n, size - n, "%s",           \
			                  n ? ", " : "");                    \
			if (w_ > 0)                                          \
				n += (size_t)w_;                             \
		}                                                            \
		if (n < size) {                                              \
			int w_ = snprintf(buf + n, size - n, __VA_ARGS__);   \
			if (w_ > 0)                                          \
				n += (size_t)w_;                             \
		}                                                            \
	} while (0)

	if (size == 0)
		return;
	buf[0] = '\0';
	if (reasons & RET_WHY_FUTURE)
		ADD("in the future");
	if (reasons & RET_WHY_WITHIN) {
		retention_format_duration(&p->within, dur, sizeof dur);
		ADD("within %s", dur);
	}
	for (int r = 0; r < RET_NRULES; r++) {
		if (reasons & RET_WHY_RULE(r))
			ADD("%s snapshot", rule_name[r]);
		if (reasons & RET_WHY_RULE_OLDEST(r))
			ADD("oldest %s snapshot", rule_name[r]);
	}
	for (int r = RET_HOURLY; r < RET_NRULES; r++) {
		retention_format_duration(&p->within_rule[r], dur, sizeof dur);
		if (reasons & RET_WHY_WITHIN_RULE(r))
			ADD("%s within %s", rule_name[r], dur);
		if (reasons & RET_WHY_WITHIN_OLDEST(r))
			ADD("oldest %s within %s", rule_name[r], dur);
	}
#undef ADD
}
